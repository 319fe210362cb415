// Package store keeps hearsay's graph in an embedded Badger database and
// implements graph's services over it.
//
// The layout (keys.go owns every key):
//
//   - a node's own fields are one value under its node key;
//   - its forward edges of each kind are one packed adjacency value: a
//     claim's appearances with their attributions, a report's citations, an
//     official's possibly-same-as links; a report's outlet (published-by,
//     exactly one) sits in the report's fields;
//   - every edge is also stored in the reverse direction as one key per edge
//     under its target, with an empty value: which reports an outlet
//     published, which claims appear in a report, which reports cite it,
//     which attributions name a source (with the report they were made in);
//   - counters of nodes per kind and of edges live under meta keys.
//
// Forward adjacency is packed because tracing reads a node's forward edges
// whole, with one point lookup; reverse edges are one key per edge because
// fan-in is unbounded (an outlet's reports) and is read by page.
//
// Values use a compact versioned binary codec (codec.go). Every public
// method owns its transaction; writes run in one transaction each, one at a
// time, so they never conflict. What a node writes is worked out in one
// place, the write model in entries.go.
package store
