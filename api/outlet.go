package api

import (
	"context"

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
			return t.fields("Outlet", fieldList{
				{Name: "id", Type: nonNull(graphql.ID), Description: "The outlet's ID, outlet:slug.", Resolve: str(func(v any) string { return o(v).ID })},
				{Name: "name", Type: nonNull(graphql.String), Description: "The outlet's name.", Resolve: str(func(v any) string { return o(v).Name })},
				{Name: "domain", Type: graphql.String, Description: "Its web domain, as bbc.co.uk; null when not recorded.", Resolve: str(func(v any) string { return o(v).Domain })},
				{Name: "country", Type: graphql.String, Description: "The country it publishes from, ISO 3166-1 alpha-2 (GB); null when not recorded.", Resolve: str(func(v any) string { return o(v).Country })},
				{Name: "language", Type: graphql.String, Description: "Its main language, a BCP 47 tag; null when not recorded.", Resolve: str(func(v any) string { return o(v).Language })},
				{Name: "outletType", Type: t.outletType, Description: "What kind of publisher it is; null when not recorded.", Resolve: enumValue(func(v any) graph.OutletType { return o(v).Type })},
				{Name: "reliability", Type: nonNull(t.reliability), Description: "The latest rating; F (cannot be judged) when unrated.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return latest(o(p.Source).Ratings), nil }},
				{Name: "ratings", Type: listOf(t.rating), Description: "The rating history, oldest first.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Ratings, nil }},
				{Name: "echo", Type: nonNull(t.echo), Description: "How many appearances the outlet carries, how many it repeats from others, how many end at anonymous sources.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return graph.OutletEcho(p.Context, s.loaderFrom(p.Context), o(p.Source).ID)
					})},
				{Name: "reports", Type: nonNull(t.reportConn), Args: pageArgsConfig(), Description: "The outlet's reports, by ID.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.reports(p, graph.ReportFilter{Outlet: o(p.Source).ID})
					})},
			})
		}),
	})
}

// echoFilter keeps outlets whose echo reaches every given minimum.
type echoFilter struct {
	minAppearances, minSecondHand, minAnonymousOrigin int
}

func (e echoFilter) match(x graph.Echo) bool {
	return x.Appearances >= e.minAppearances && x.SecondHand >= e.minSecondHand && x.AnonymousOrigin >= e.minAnonymousOrigin
}

// outletsByEcho resolves a page of the outlets that match f and the echo
// filter. Echoes are computed, not stored, so every outlet matching f is
// judged; the page is cut afterwards.
func (s *Server) outletsByEcho(p graphql.ResolveParams, f graph.OutletFilter, ef echoFilter) (any, error) {
	page, n, err := pageArgs(p.Args)
	if err != nil {
		return nil, err
	}
	if page.After != "" {
		if err := graph.CheckID(page.After, graph.KindOutlet); err != nil {
			return nil, graph.Errorf(graph.EINVALID, "bad cursor: %s", graph.ErrorMessage(err))
		}
	}
	l := s.loaderFrom(p.Context)
	var matched []*graph.Outlet
	total := 0
	outletID := func(o *graph.Outlet) string { return o.ID }
	err = graph.EachPage(func(pg graph.Page) ([]*graph.Outlet, error) {
		f.Page = pg
		items, _, err := s.cfg.Graph.FindOutlets(p.Context, f)
		return items, err
	}, outletID, func(o *graph.Outlet) (bool, error) {
		if err := p.Context.Err(); err != nil {
			return false, err
		}
		e, err := graph.OutletEcho(p.Context, l, o.ID)
		if err != nil || !ef.match(e) {
			return err == nil, err
		}
		total++
		if o.ID > page.After && len(matched) < page.First {
			matched = append(matched, o)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return makeConnection(matched, total, n, outletID), nil
}

// outlets resolves a page of outlets.
func (s *Server) outlets(p graphql.ResolveParams, f graph.OutletFilter) (any, error) {
	return connect(p, func(page graph.Page) ([]*graph.Outlet, int, error) {
		f.Page = page
		return s.cfg.Graph.FindOutlets(p.Context, f)
	}, func(x *graph.Outlet) string { return x.ID })
}

// addOutletInputs builds the inputs of createOutlet and updateOutlet.
func addOutletInputs(t *types, in *inputs) {
	outletFields := func(create bool) func() []*inputValue {
		var fs []*inputValue
		if create {
			fs = append(fs, inputField("id", nonNull(graphql.ID), "The new outlet's ID, outlet:slug."),
				inputField("name", nonNull(graphql.String), "The outlet's name."))
		} else {
			fs = append(fs, inputField("name", graphql.String, "The outlet's name."))
		}
		fs = append(fs,
			inputField("domain", graphql.String, "The outlet's web domain, as bbc.co.uk."),
			inputField("country", graphql.String, "ISO 3166-1 alpha-2 code."),
			inputField("language", graphql.String, "The outlet's main language, a BCP 47 tag (en, uk, pt-BR)."),
			inputField("outletType", t.outletType, "What kind of publisher it is."))
		if create {
			fs = append(fs, inputField("ratings", graphql.NewList(nonNull(in.rating)), "Its rating history (Admiralty A–F)."))
		}
		return inputList(fs...)
	}
	in.outlet = t.inputObject("OutletInput", "A new outlet.", outletFields(true))
	in.outletUpd = t.inputObject("OutletUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", outletFields(false))
}

// outletMutations are createOutlet, updateOutlet and deleteOutlet.
func (mt *mutations) outletMutations() fieldList {
	return fieldList{
		mt.mutate("createOutlet", nonNull(mt.t.outlet), "Creates an outlet.", []*inputValue{inputArg(mt.in.outlet)},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				typ, err := argEnum(m, "outletType", graph.ParseOutletType)
				if err != nil {
					return nil, err
				}
				rs, err := ratingsOf(argList(m, "ratings"))
				if err != nil {
					return nil, err
				}
				o := &graph.Outlet{ID: argString(m, "id"), Name: argString(m, "name"), Domain: argString(m, "domain"),
					Country: argString(m, "country"), Language: argString(m, "language"), Type: typ, Ratings: rs}
				if err := mt.g().CreateOutlet(ctx, o); err != nil {
					return nil, err
				}
				return mt.g().FindOutletByID(ctx, o.ID)
			}),
		mt.mutate("updateOutlet", nonNull(mt.t.outlet), "Changes some fields of an outlet.",
			[]*inputValue{idArg("id"), inputArg(mt.in.outletUpd)},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.OutletUpdate{Name: optStringField(m, "name"), Domain: optStringField(m, "domain"),
					Country: optStringField(m, "country"), Language: optStringField(m, "language")}
				if _, ok := m["outletType"]; ok {
					typ, err := argEnum(m, "outletType", graph.ParseOutletType)
					if err != nil {
						return nil, err
					}
					upd.Type = &typ
				}
				return mt.g().UpdateOutlet(ctx, argString(a, "id"), upd)
			}),
		mt.mutate("deleteOutlet", nonNull(graphql.ID), "Deletes an outlet; with cascade, its reports too.",
			[]*inputValue{idArg("id"), cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteOutlet(ctx, id, argBool(a, "cascade")))
			}),
	}
}
