package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

func newOfficialType(s *Server, t *types) *graphql.Object {
	o := func(v any) *graph.Official { return v.(*graph.Official) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Official",
		Description: "A person, group or institution a claim is attributed to, named or not.",
		Interfaces:  []*graphql.Interface{t.node},
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":          {Type: nonNull(graphql.ID), Resolve: str(func(v any) string { return o(v).ID })},
				"name":        {Type: nonNull(graphql.String), Resolve: str(func(v any) string { return o(v).Name })},
				"form":        {Type: nonNull(t.form), Resolve: enumValue(func(v any) graph.OfficialForm { return o(v).Form })},
				"anonymous":   {Type: nonNull(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Anonymous, nil }},
				"role":        {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Role })},
				"affiliation": {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Affiliation })},
				"country":     {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Country })},
				"description": {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Description })},
				"reliability": {Type: nonNull(t.reliability), Description: "The latest rating; F (cannot be judged) when unrated.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return latest(o(p.Source).Ratings), nil }},
				"ratings": {Type: listOf(t.rating), Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Ratings, nil }},
				"possiblySameAs": {Type: listOf(t.official), Description: "Officials that may be the same people.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						l := s.loaderFrom(p.Context)
						var out []any
						for _, sa := range o(p.Source).PossiblySameAs {
							n, err := l.node(p.Context, sa.Official)
							if err != nil {
								return nil, err
							}
							out = append(out, n)
						}
						return out, nil
					})},
				"attributions": {Type: nonNull(t.attributionConn), Args: pageArgsConfig(),
					Description: "The attributions that name this official, by claim and report.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.attributions(p, o(p.Source).ID)
					})},
			}
		}),
	})
}

// officials resolves a page of officials.
func (s *Server) officials(p graphql.ResolveParams, f graph.OfficialFilter) (any, error) {
	return connect(p, func(page graph.Page) ([]*graph.Official, int, error) {
		f.Page = page
		return s.cfg.Graph.FindOfficials(p.Context, f)
	}, func(x *graph.Official) string { return x.ID })
}

// attributions resolves a page of the attributions naming a source.
func (s *Server) attributions(p graphql.ResolveParams, source string) (any, error) {
	return connect(p, func(page graph.Page) ([]attribution, int, error) {
		refs, total, err := s.cfg.Graph.FindAttributions(p.Context, graph.AttributionFilter{Page: page, Source: source})
		items := make([]attribution, len(refs))
		for i, r := range refs {
			items[i] = attribution{claim: r.Claim, report: r.Report,
				lead: graph.Lead{Source: source, Mode: r.Attribution.Mode, Quote: r.Attribution.Quote}}
		}
		return items, total, err
	}, func(a attribution) string { return graph.AttributionCursor(a.claim, a.report) })
}
