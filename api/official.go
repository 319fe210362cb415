package api

import (
	"context"

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
					Description: "The attributions that name this official, by claim and report, relayed ones included (with relayedBy).",
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
			items[i] = attribution{claim: r.Claim, report: r.Report, relayedBy: r.RelayedBy,
				lead: graph.Lead{Source: source, Mode: r.Attribution.Mode, Quote: r.Attribution.Quote, Relaying: r.Attribution.Relaying}}
		}
		return items, total, err
	}, func(a attribution) string { return graph.AttributionCursor(a.claim, a.report) })
}

// addOfficialInputs builds the inputs of createOfficial and updateOfficial; ratings
// first (newInputs).
func addOfficialInputs(t *types, in *inputs) {
	officialFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"name": inputField(graphql.String, ""), "form": inputField(t.form, ""), "anonymous": inputField(graphql.Boolean, ""),
			"role": inputField(graphql.String, ""), "affiliation": inputField(graphql.String, ""), "country": inputField(graphql.String, ""),
			"description": inputField(graphql.String, ""),
		}
		if create {
			m["id"], m["name"], m["form"] = inputField(nonNull(graphql.ID), "official:slug"), inputField(nonNull(graphql.String), ""), inputField(nonNull(t.form), "")
			m["ratings"] = inputField(graphql.NewList(nonNull(in.rating)), "")
			m["possiblySameAs"] = inputField(graphql.NewList(nonNull(graphql.ID)), "Officials that may be the same people.")
		}
		return m
	}
	in.official = inputObject("OfficialInput", "A new official.", officialFields(true))
	in.officialUpd = inputObject("OfficialUpdateInput", "Fields to change; absent fields stay.", officialFields(false))
}

// officialMutations are createOfficial, updateOfficial and deleteOfficial.
func (mt *mutations) officialMutations() graphql.Fields {
	return graphql.Fields{
		"createOfficial": mt.mutate(nonNull(mt.t.official), "Creates an official.", graphql.FieldConfigArgument{"input": {Type: nonNull(mt.in.official)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				form, err := argEnum(m, "form", graph.ParseOfficialForm)
				if err != nil {
					return nil, err
				}
				rs, err := ratingsOf(argList(m, "ratings"))
				if err != nil {
					return nil, err
				}
				o := &graph.Official{ID: argString(m, "id"), Name: argString(m, "name"), Form: form, Anonymous: argBool(m, "anonymous"),
					Role: argString(m, "role"), Affiliation: argString(m, "affiliation"), Country: argString(m, "country"),
					Description: argString(m, "description"), Ratings: rs}
				for _, id := range argStrings(m, "possiblySameAs") {
					o.PossiblySameAs = append(o.PossiblySameAs, graph.SameAs{Official: id})
				}
				if err := mt.g().CreateOfficial(ctx, o); err != nil {
					return nil, err
				}
				return mt.g().FindOfficialByID(ctx, o.ID)
			}),
		"updateOfficial": mt.mutate(nonNull(mt.t.official), "Changes some fields of an official.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(mt.in.officialUpd)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.OfficialUpdate{Name: optStringField(m, "name"), Role: optStringField(m, "role"),
					Affiliation: optStringField(m, "affiliation"), Country: optStringField(m, "country"), Description: optStringField(m, "description")}
				if v, ok := m["anonymous"].(bool); ok {
					upd.Anonymous = &v
				}
				if _, ok := m["form"]; ok {
					f, err := argEnum(m, "form", graph.ParseOfficialForm)
					if err != nil {
						return nil, err
					}
					upd.Form = &f
				}
				return mt.g().UpdateOfficial(ctx, argString(a, "id"), upd)
			}),
		"deleteOfficial": mt.mutate(nonNull(graphql.ID), "Deletes an official and its possibly-same-as links; with cascade, the attributions to it.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteOfficial(ctx, id, argBool(a, "cascade")))
			}),
	}
}
