// Package graph is hearsay's domain: the typed graph of outlets, reports,
// officials and claims, its IDs, enums and validation rules, the one error
// type, the service interfaces that the store implements, and the
// attribution tracer.
//
// A claim appears in reports (reported-by edges, called appearances). In
// each appearance the report may attribute the claim to sources: an
// official, another report, or an outlet (attributed-to edges); an official
// may relay other officials (relayed speech: "Starmer said Trump had told
// him…"), and the chain goes on through them. Reports are
// published by one outlet and may cite other reports. Anonymous officials
// that may be the same people are joined by possibly-same-as edges.
//
// The tracer follows a claim from one appearance through its attributions,
// hop by hop, to its origins (DESIGN.md section 2.1). Every trace is bounded
// by a depth and by a budget of visited appearances, and never loops.
//
// The judge (judge.go) turns chains into conclusions: each chain's origin
// and confidence, how many independent origins stand behind a claim, and
// the claim's credibility on the Admiralty scale, each with a sentence a
// fact-checker can read. Echo (echo.go) counts how an outlet carries
// claims: first-hand, repeated, or from anonymous sources.
//
// This package imports the standard library only.
package graph
