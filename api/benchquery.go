package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// The 6-hop chain of DESIGN.md section 5 ("a 6-hop chain through the whole
// GraphQL stack"). The API benchmarks (bench_test.go) and `hearsay bench`
// both run BenchQuery with BenchVariables against a graph holding
// BenchDataset, and check the answer with CheckBenchAnswer, so that they
// measure the same thing.

// BenchHops is the length of the benchmark chain.
const BenchHops = 6

// BenchClaim is the benchmark's claim, and BenchFrom the report its chain
// starts at.
const (
	BenchClaim = "claim:bench-six-hops"
	BenchFrom  = "report:bench-r0"
)

// BenchQuery asks for the chain of a claim from one appearance, hop by hop,
// with each hop's report, outlet and next source, and the chain's end: what
// a dashboard draws.
const BenchQuery = `query Chain6($id: ID!, $from: ID!) {
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

// BenchVariables returns the variables of BenchQuery.
func BenchVariables() map[string]any {
	return map[string]any{"id": BenchClaim, "from": BenchFrom}
}

// BenchDataset returns the benchmark's graph: a claim carried by BenchHops
// reports of as many outlets, report i citing and attributing the claim to
// report i+1, the last quoting an anonymous official. Its IDs all start
// with "bench", so it can be imported into a larger graph. The claim also
// has chains from its other appearances (BenchHops of them in all, 21 hops),
// which a query without from returns.
func BenchDataset() *graph.Dataset {
	ds := &graph.Dataset{Info: graph.DatasetInfo{ID: "bench", Title: "A claim that travelled through six reports"}}
	ds.Officials = []*graph.Official{{ID: "official:bench-source", Name: "a bench source", Form: graph.FormPerson, Anonymous: true}}
	c := &graph.Claim{ID: BenchClaim, Text: "A claim that travelled through six reports."}
	for i := range BenchHops {
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
		if i < BenchHops-1 {
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

// CheckBenchAnswer returns an error unless body is a response to
// BenchQuery without errors holding one chain of BenchHops hops that ends
// at an official.
func CheckBenchAnswer(body []byte) error {
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
	if c := r.Data.Claim.Chains; len(c) != 1 || len(c[0].Hops) != BenchHops || c[0].Terminal != "OFFICIAL" {
		return fmt.Errorf("bench answer: want one chain of %d hops ending OFFICIAL: %.500s", BenchHops, body)
	}
	return nil
}

// ExecuteStock runs a query through stock graphql.Do on the server's
// schema: parsed and validated every time, executed by graphql-go, without
// the document cache, plans, limits or ordered encoding. It is the
// baseline `hearsay bench` compares the server with.
func (s *Server) ExecuteStock(ctx context.Context, query string, variables map[string]any) *graphql.Result {
	ctx = context.WithValue(ctx, loaderKey{}, newLoader(s.cfg.Graph))
	return graphql.Do(graphql.Params{Schema: s.schema, RequestString: query, VariableValues: variables, Context: ctx})
}
