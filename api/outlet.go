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
			return graphql.Fields{
				"id":         {Type: nonNull(graphql.ID), Resolve: str(func(v any) string { return o(v).ID })},
				"name":       {Type: nonNull(graphql.String), Resolve: str(func(v any) string { return o(v).Name })},
				"domain":     {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Domain })},
				"country":    {Type: graphql.String, Description: "ISO 3166-1 alpha-2.", Resolve: str(func(v any) string { return o(v).Country })},
				"language":   {Type: graphql.String, Resolve: str(func(v any) string { return o(v).Language })},
				"outletType": {Type: t.outletType, Resolve: enumValue(func(v any) graph.OutletType { return o(v).Type })},
				"reliability": {Type: nonNull(t.reliability), Description: "The latest rating; F (cannot be judged) when unrated.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return latest(o(p.Source).Ratings), nil }},
				"ratings": {Type: listOf(t.rating), Description: "The rating history, oldest first.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return o(p.Source).Ratings, nil }},
				"echo": {Type: nonNull(t.echo), Description: "How many appearances the outlet carries, how many it repeats from others, how many end at anonymous sources.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return graph.OutletEcho(p.Context, s.loaderFrom(p.Context), o(p.Source).ID)
					})},
				"reports": {Type: nonNull(t.reportConn), Args: pageArgsConfig(), Description: "The outlet's reports, by ID.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.reports(p, graph.ReportFilter{Outlet: o(p.Source).ID})
					})},
			}
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
	outletFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"name": inputField(graphql.String, ""), "domain": inputField(graphql.String, ""), "country": inputField(graphql.String, "ISO 3166-1 alpha-2."),
			"language": inputField(graphql.String, ""), "outletType": inputField(t.outletType, ""),
		}
		if create {
			m["id"], m["name"] = inputField(nonNull(graphql.ID), "outlet:slug"), inputField(nonNull(graphql.String), "")
			m["ratings"] = inputField(graphql.NewList(nonNull(in.rating)), "")
		}
		return m
	}
	in.outlet = inputObject("OutletInput", "A new outlet.", outletFields(true))
	in.outletUpd = inputObject("OutletUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", outletFields(false))
}

// outletMutations are createOutlet, updateOutlet and deleteOutlet.
func (mt *mutations) outletMutations() graphql.Fields {
	return graphql.Fields{
		"createOutlet": mt.mutate(nonNull(mt.t.outlet), "Creates an outlet.", graphql.FieldConfigArgument{"input": {Type: nonNull(mt.in.outlet)}},
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
		"updateOutlet": mt.mutate(nonNull(mt.t.outlet), "Changes some fields of an outlet.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(mt.in.outletUpd)}},
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
		"deleteOutlet": mt.mutate(nonNull(graphql.ID), "Deletes an outlet; with cascade, its reports too.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteOutlet(ctx, id, argBool(a, "cascade")))
			}),
	}
}
