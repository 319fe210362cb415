// Package apibench is the API's benchmark: the 6-hop chain of DESIGN.md
// section 5 ("a 6-hop chain through the whole GraphQL stack"), its graph
// and the check of its answer. The API benchmarks (api/bench_test.go) and
// `hearsay bench` both run Query with Variables against a graph holding
// Dataset, and check the answer with CheckAnswer, so that they measure the
// same thing. It is measuring kit, not part of the product API.
package apibench

import (
	"encoding/json"
	"fmt"

	"hearsay/graph"
)

// Hops is the length of the benchmark chain.
const Hops = 6

// Claim is the benchmark's claim, and From the report its chain
// starts at.
const (
	Claim = "claim:bench-six-hops"
	From  = "report:bench-r0"
)

// Query asks for the chain of a claim from one appearance, hop by hop,
// with each hop's report, outlet and next source, and the chain's end: what
// a dashboard draws.
const Query = `query Chain6($id: ID!, $from: ID!) {
  claim(id: $id) {
    id
    text
    chains(from: $from) {
      hops {
        report { id title published }
        outlet { name reliability }
        mode
        quote
        inferred
        to { __typename ... on Official { id name anonymous } ... on Report { id } ... on Outlet { id name } }
      }
      terminal
      origin { __typename ... on Official { id name } ... on Outlet { id name } }
      flags
    }
  }
}`

// Variables returns the variables of Query.
func Variables() map[string]any {
	return map[string]any{"id": Claim, "from": From}
}

// Dataset returns the benchmark's graph: a claim carried by Hops
// reports of as many outlets, report i citing and attributing the claim to
// report i+1, the last quoting an anonymous official. Its IDs all start
// with "bench", so it can be imported into a larger graph. The claim also
// has chains from its other appearances (Hops of them in all, 21 hops),
// which a query without from returns.
func Dataset() *graph.Dataset {
	ds := &graph.Dataset{Info: graph.DatasetInfo{ID: "bench", Title: "A claim that travelled through six reports"}}
	ds.Officials = []*graph.Official{{ID: "official:bench-source", Name: "a bench source", Form: graph.FormPerson, Anonymous: true}}
	c := &graph.Claim{ID: Claim, Text: "A claim that travelled through six reports."}
	for i := range Hops {
		outlet := fmt.Sprintf("outlet:bench-%d", i)
		report := fmt.Sprintf("report:bench-r%d", i)
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: outlet, Name: fmt.Sprintf("Outlet %d", i), Country: "GB",
			Ratings: []graph.Rating{{Rating: graph.ReliabilityB, RatedBy: "bench"}}})
		// Each report is a day older than the one citing it: no temporal
		// anomaly.
		published, err := graph.ParseDate(fmt.Sprintf("2025-04-%02d", 20-i))
		if err != nil {
			panic(err) // a constant date
		}
		r := &graph.Report{ID: report, Outlet: outlet, Title: fmt.Sprintf("Report %d", i), Published: published, Status: graph.StatusPublished}
		next := graph.Attribution{Source: "official:bench-source", Mode: graph.ModeDirectQuote, Quote: "the source's words"}
		if i < Hops-1 {
			r.Cites = []string{fmt.Sprintf("report:bench-r%d", i+1)}
			next = graph.Attribution{Source: r.Cites[0], Mode: graph.ModeCitesReport}
		}
		ds.Reports = append(ds.Reports, r)
		c.Appearances = append(c.Appearances, graph.Appearance{Report: report, Quote: fmt.Sprintf("wording %d", i),
			Mode: graph.ModeParaphrase, Hedge: "reportedly", Attributions: []graph.Attribution{next}})
	}
	ds.Claims = []*graph.Claim{c}
	return ds
}

// CheckAnswer returns an error unless body is a response to
// Query without errors holding one chain of Hops hops that ends
// at an official.
func CheckAnswer(body []byte) error {
	var r struct {
		Data struct {
			Claim *struct {
				Chains []struct {
					Hops     []json.RawMessage
					Terminal string
				}
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("bench answer: %w: %.200s", err, body)
	}
	if len(r.Errors) > 0 || r.Data.Claim == nil {
		return fmt.Errorf("bench answer: errors or no claim: %.500s", body)
	}
	if c := r.Data.Claim.Chains; len(c) != 1 || len(c[0].Hops) != Hops || c[0].Terminal != "OFFICIAL" {
		return fmt.Errorf("bench answer: want one chain of %d hops ending OFFICIAL: %.500s", Hops, body)
	}
	return nil
}
