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
			return t.fields("Official", fieldList{
				{Name: "id", Type: nonNull(graphql.ID), Description: "The official's ID, official:slug.", Resolve: str(func(v any) string { return o(v).ID })},
				{Name: "name", Type: nonNull(graphql.String), Description: "The name, or for an anonymous official how reports describe them (\"unnamed US officials\").", Resolve: str(func(v any) string { return o(v).Name })},
				{Name: "form", Type: nonNull(t.form), Description: "A person, a group or an institution.", Resolve: enumValue(func(v any) graph.OfficialForm { return o(v).Form })},
				{Name: "anonymous", Type: nonNull(graphql.Boolean), Description: "Whether reports leave the official unnamed.", Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Anonymous, nil }},
				{Name: "role", Type: graphql.String, Description: "Their position (\"foreign minister\"); null when not recorded.", Resolve: str(func(v any) string { return o(v).Role })},
				{Name: "affiliation", Type: graphql.String, Description: "The government, organisation or company they speak for; null when not recorded.", Resolve: str(func(v any) string { return o(v).Affiliation })},
				{Name: "country", Type: graphql.String, Description: "ISO 3166-1 alpha-2 code; null when not recorded.", Resolve: str(func(v any) string { return o(v).Country })},
				{Name: "description", Type: graphql.String, Description: "Anything else that tells them apart; null when not recorded.", Resolve: str(func(v any) string { return o(v).Description })},
				{Name: "reliability", Type: nonNull(t.reliability), Description: "The latest rating; F (cannot be judged) when unrated.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return latest(o(p.Source).Ratings), nil }},
				{Name: "ratings", Type: listOf(t.rating), Description: "The rating history, oldest first.", Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Ratings, nil }},
				{Name: "possiblySameAs", Type: listOf(t.official), Description: "Officials that may be the same people.",
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
				{Name: "attributions", Type: nonNull(t.attributionConn), Args: pageArgsConfig(),
					Description: "The attributions that name this official, by claim and report, relayed ones included (with relayedBy).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.attributions(p, o(p.Source).ID)
					})},
			})
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
	officialFields := func(create bool) func() []*inputValue {
		var fs []*inputValue
		if create {
			fs = append(fs, inputField("id", nonNull(graphql.ID), "The new official's ID, official:slug."),
				inputField("name", nonNull(graphql.String), "The name, or for an anonymous official how reports describe them (\"unnamed US officials\")."),
				inputField("form", nonNull(t.form), "A person, a group or an institution."))
		} else {
			fs = append(fs, inputField("name", graphql.String, "The name, or for an anonymous official how reports describe them."),
				inputField("form", t.form, "A person, a group or an institution."))
		}
		fs = append(fs,
			inputField("anonymous", graphql.Boolean, "Whether reports leave the official unnamed."),
			inputField("role", graphql.String, "Their position (\"foreign minister\")."),
			inputField("affiliation", graphql.String, "The government, organisation or company they speak for."),
			inputField("country", graphql.String, "ISO 3166-1 alpha-2 code."),
			inputField("description", graphql.String, "Anything else that tells them apart."))
		if create {
			fs = append(fs, inputField("ratings", graphql.NewList(nonNull(in.rating)), "Their rating history (Admiralty A–F)."),
				inputField("possiblySameAs", graphql.NewList(nonNull(graphql.ID)), "Officials that may be the same people."))
		}
		return inputList(fs...)
	}
	in.official = t.inputObject("OfficialInput", "A new official.", officialFields(true))
	in.officialUpd = t.inputObject("OfficialUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", officialFields(false))
}

// officialMutations are createOfficial, updateOfficial and deleteOfficial.
func (mt *mutations) officialMutations() fieldList {
	return fieldList{
		mt.mutate("createOfficial", nonNull(mt.t.official), "Creates an official.", []*inputValue{inputArg(mt.in.official)},
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
		mt.mutate("updateOfficial", nonNull(mt.t.official), "Changes some fields of an official.",
			[]*inputValue{idArg("id"), inputArg(mt.in.officialUpd)},
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
		mt.mutate("deleteOfficial", nonNull(graphql.ID), "Deletes an official and its possibly-same-as links; with cascade, the attributions to it.",
			[]*inputValue{idArg("id"), cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteOfficial(ctx, id, argBool(a, "cascade")))
			}),
	}
}
