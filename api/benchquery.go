package api

import (
	"context"

	"github.com/graphql-go/graphql"

	"hearsay/api/apibench"
	"hearsay/graph"
)

// The benchmark's query, graph and check live in api/apibench. These
// names forward to it until the API's own tests (bench_test.go,
// exec_test.go) import apibench directly; then they go.
const (
	// Deprecated: use apibench.Hops.
	BenchHops = apibench.Hops
	// Deprecated: use apibench.Claim.
	BenchClaim = apibench.Claim
	// Deprecated: use apibench.From.
	BenchFrom = apibench.From
	// Deprecated: use apibench.Query.
	BenchQuery = apibench.Query
)

// BenchVariables returns the variables of BenchQuery.
//
// Deprecated: use apibench.Variables.
func BenchVariables() map[string]any { return apibench.Variables() }

// BenchDataset returns the benchmark's graph.
//
// Deprecated: use apibench.Dataset.
func BenchDataset() *graph.Dataset { return apibench.Dataset() }

// CheckBenchAnswer checks an answer to BenchQuery.
//
// Deprecated: use apibench.CheckAnswer.
func CheckBenchAnswer(body []byte) error { return apibench.CheckAnswer(body) }

// ExecuteStock runs a query (such as apibench.Query) through stock graphql.Do on the server's
// schema: parsed and validated every time, executed by graphql-go, without
// the document cache, plans, limits or ordered encoding. It is the
// baseline `hearsay bench` compares the server with.
func (s *Server) ExecuteStock(ctx context.Context, query string, variables map[string]any) *graphql.Result {
	ctx = context.WithValue(ctx, loaderKey{}, newLoader(s.cfg.Graph))
	return graphql.Do(graphql.Params{Schema: s.schema, RequestString: query, VariableValues: variables, Context: ctx})
}
