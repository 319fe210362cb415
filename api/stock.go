package api

import (
	"context"

	"github.com/graphql-go/graphql"
)

// ExecuteStock runs a query (such as apibench.Query) through stock graphql.Do on the server's
// schema: parsed and validated every time, executed by graphql-go, without
// the document cache, plans, limits or ordered encoding. It is the
// baseline `hearsay bench` compares the server with.
func (s *Server) ExecuteStock(ctx context.Context, query string, variables map[string]any) *graphql.Result {
	ctx = context.WithValue(ctx, loaderKey{}, newLoader(s.cfg.Graph))
	return graphql.Do(graphql.Params{Schema: s.schema, RequestString: query, VariableValues: variables, Context: ctx})
}
