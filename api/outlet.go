package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

func newOutletType(s *Server, t *types) *graphql.Object {
	o := func(v any) *graph.Outlet { return v.(*graph.Outlet) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Outlet",
		Description: "A publisher: newspaper, broadcaster, wire agency, blog, government site or social account.",
		Interfaces:  []*graphql.Interface{t.node},
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":         {Type: nonNull(graphql.ID), Resolve: str(func(v any) string { return o(v).ID })},
				"name":       {Type: nonNull(graphql.String), Resolve: str(func(v any) string { return o(v).Name })},
				"domain":     {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Domain })},
				"country":    {Type: graphql.String, Description: "ISO 3166-1 alpha-2.", Resolve: str(func(v any) string { return o(v).Country })},
				"language":   {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Language })},
				"outletType": {Type: t.outletType, Resolve: enumValue(func(v any) graph.OutletType { return o(v).Type })},
				"reliability": {Type: t.reliability, Description: "The latest rating, or null when unrated.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return latest(o(p.Source).Ratings), nil }},
				"ratings": {Type: listOf(t.rating), Description: "The rating history, oldest first.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Ratings, nil }},
				"reports": {Type: nonNull(t.reportConn), Args: pageArgsConfig(), Description: "The outlet's reports, by ID.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.reports(p, graph.ReportFilter{Outlet: o(p.Source).ID})
					})},
			}
		}),
	})
}

// outlets resolves a page of outlets.
func (s *Server) outlets(p graphql.ResolveParams, f graph.OutletFilter) (any, error) {
	page, n, err := pageArgs(p.Args)
	if err != nil {
		return nil, err
	}
	f.Page = page
	items, total, err := s.cfg.Graph.FindOutlets(p.Context, f)
	if err != nil {
		return nil, err
	}
	return makeConnection(items, total, n, func(o *graph.Outlet) string { return o.ID }), nil
}
