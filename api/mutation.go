package api

import (
	"context"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"hearsay/fixtures"
	"hearsay/graph"
)

// inputs holds the mutation input types.
type inputs struct {
	rating, review, attribution, appearance *graphql.InputObject
	outlet, outletUpd, report, reportUpd    *graphql.InputObject
	official, officialUpd, claim, claimUpd  *graphql.InputObject
}

func newInputs(t *types) *inputs {
	in := &inputs{}
	field := func(typ graphql.Input, desc string) *graphql.InputObjectFieldConfig {
		return &graphql.InputObjectFieldConfig{Type: typ, Description: desc}
	}
	obj := func(name, desc string, fields graphql.InputObjectConfigFieldMap) *graphql.InputObject {
		return graphql.NewInputObject(graphql.InputObjectConfig{Name: name, Description: desc, Fields: fields})
	}
	dateDesc := "YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time."
	in.rating = obj("RatingInput", "One rating on the Admiralty scale.", graphql.InputObjectConfigFieldMap{
		"rating": field(nonNull(t.reliability), ""), "ratedBy": field(graphql.String, ""),
		"ratedAt": field(graphql.String, dateDesc+" Default: today."), "note": field(graphql.String, ""),
	})
	in.review = obj("ReviewInput", "A fact-checker's review.", graphql.InputObjectConfigFieldMap{
		"verdict": field(nonNull(t.verdict), ""), "reviewedBy": field(nonNull(graphql.String), ""),
		"reviewedAt": field(graphql.String, dateDesc), "url": field(graphql.String, ""),
	})
	in.attribution = obj("AttributionInput", "In a report, the claim is attributed to source.", graphql.InputObjectConfigFieldMap{
		"source": field(nonNull(graphql.ID), "An official, report or outlet."), "mode": field(nonNull(t.mode), ""),
		"quote": field(graphql.String, ""),
	})
	in.appearance = obj("AppearanceInput", "The claim appears in a report.", graphql.InputObjectConfigFieldMap{
		"report": field(nonNull(graphql.ID), ""), "quote": field(graphql.String, "The span as printed."),
		"mode": field(nonNull(t.mode), ""), "language": field(graphql.String, ""), "hedge": field(graphql.String, ""),
		"attributedTo": field(graphql.NewList(nonNull(in.attribution)), ""),
	})
	outletFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"name": field(graphql.String, ""), "domain": field(graphql.String, ""), "country": field(graphql.String, "ISO 3166-1 alpha-2."),
			"language": field(graphql.String, ""), "outletType": field(t.outletType, ""),
		}
		if create {
			m["id"], m["name"] = field(nonNull(graphql.ID), "outlet:slug"), field(nonNull(graphql.String), "")
			m["ratings"] = field(graphql.NewList(nonNull(in.rating)), "")
		}
		return m
	}
	in.outlet = obj("OutletInput", "A new outlet.", outletFields(true))
	in.outletUpd = obj("OutletUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", outletFields(false))
	reportFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"outlet": field(graphql.ID, ""), "title": field(graphql.String, ""), "url": field(graphql.String, ""),
			"published": field(graphql.String, dateDesc), "language": field(graphql.String, ""), "status": field(t.status, ""),
		}
		if create {
			m["id"], m["outlet"] = field(nonNull(graphql.ID), "report:slug"), field(nonNull(graphql.ID), "")
			m["cites"] = field(graphql.NewList(nonNull(graphql.ID)), "")
		}
		return m
	}
	in.report = obj("ReportInput", "A new report.", reportFields(true))
	in.reportUpd = obj("ReportUpdateInput", "Fields to change; absent fields stay.", reportFields(false))
	officialFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"name": field(graphql.String, ""), "form": field(t.form, ""), "anonymous": field(graphql.Boolean, ""),
			"role": field(graphql.String, ""), "affiliation": field(graphql.String, ""), "country": field(graphql.String, ""),
			"description": field(graphql.String, ""),
		}
		if create {
			m["id"], m["name"], m["form"] = field(nonNull(graphql.ID), "official:slug"), field(nonNull(graphql.String), ""), field(nonNull(t.form), "")
			m["ratings"] = field(graphql.NewList(nonNull(in.rating)), "")
			m["possiblySameAs"] = field(graphql.NewList(nonNull(graphql.ID)), "Officials that may be the same people.")
		}
		return m
	}
	in.official = obj("OfficialInput", "A new official.", officialFields(true))
	in.officialUpd = obj("OfficialUpdateInput", "Fields to change; absent fields stay.", officialFields(false))
	in.claim = obj("ClaimInput", "A new claim.", graphql.InputObjectConfigFieldMap{
		"id": field(nonNull(graphql.ID), "claim:slug"), "text": field(nonNull(graphql.String), ""),
		"topics": field(graphql.NewList(nonNull(graphql.String)), ""), "appearances": field(graphql.NewList(nonNull(in.appearance)), ""),
		"reviews": field(graphql.NewList(nonNull(in.review)), ""),
	})
	in.claimUpd = obj("ClaimUpdateInput", "Fields to change; absent fields stay.", graphql.InputObjectConfigFieldMap{
		"text": field(graphql.String, ""), "topics": field(graphql.NewList(nonNull(graphql.String)), ""),
	})
	return in
}

func newImportResultType() *graphql.Object {
	field := func(get func(fixtures.Result) int) *graphql.Field {
		return &graphql.Field{Type: nonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) {
			return get(p.Source.(fixtures.Result)), nil
		}}
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "ImportResult",
		Description: "What an importDataset wrote.",
		Fields: graphql.Fields{
			"nodes":     field(func(r fixtures.Result) int { return r.Nodes }),
			"edges":     field(func(r fixtures.Result) int { return r.Edges }),
			"outlets":   field(func(r fixtures.Result) int { return r.Counts[graph.KindOutlet] }),
			"officials": field(func(r fixtures.Result) int { return r.Counts[graph.KindOfficial] }),
			"reports":   field(func(r fixtures.Result) int { return r.Counts[graph.KindReport] }),
			"claims":    field(func(r fixtures.Result) int { return r.Counts[graph.KindClaim] }),
		},
	})
}

// Input conversion: each returns EINVALID naming the field on a bad value.

func ratingsOf(list []any) ([]graph.Rating, error) {
	var out []graph.Rating
	for _, v := range list {
		m, _ := v.(map[string]any)
		r, err := ratingOf(m)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func ratingOf(m map[string]any) (graph.Rating, error) {
	rel, err := argEnum(m, "rating", graph.ParseReliability)
	if err != nil {
		return graph.Rating{}, err
	}
	at, err := argDate(m, "ratedAt")
	if err != nil {
		return graph.Rating{}, err
	}
	if at.IsZero() {
		at = graph.NewDate(time.Now(), graph.PrecisionDay) // a rating given now
	}
	return graph.Rating{Rating: rel, RatedBy: argString(m, "ratedBy"), RatedAt: at, Note: argString(m, "note")}, nil
}

func reviewOf(m map[string]any) (graph.Review, error) {
	v, err := argEnum(m, "verdict", graph.ParseVerdict)
	if err != nil {
		return graph.Review{}, err
	}
	at, err := argDate(m, "reviewedAt")
	if err != nil {
		return graph.Review{}, err
	}
	return graph.Review{Verdict: v, ReviewedBy: argString(m, "reviewedBy"), ReviewedAt: at, URL: argString(m, "url")}, nil
}

func attributionOf(m map[string]any) (graph.Attribution, error) {
	mode, err := argEnum(m, "mode", graph.ParseMode)
	return graph.Attribution{Source: argString(m, "source"), Mode: mode, Quote: argString(m, "quote")}, err
}

func appearanceOf(m map[string]any) (graph.Appearance, error) {
	mode, err := argEnum(m, "mode", graph.ParseMode)
	if err != nil {
		return graph.Appearance{}, err
	}
	a := graph.Appearance{Report: argString(m, "report"), Quote: argString(m, "quote"), Mode: mode,
		Language: argString(m, "language"), Hedge: argString(m, "hedge")}
	for _, v := range argList(m, "attributedTo") {
		am, _ := v.(map[string]any)
		at, err := attributionOf(am)
		if err != nil {
			return graph.Appearance{}, err
		}
		a.Attributions = append(a.Attributions, at)
	}
	return a, nil
}

func claimOf(m map[string]any) (*graph.Claim, error) {
	c := &graph.Claim{ID: argString(m, "id"), Text: argString(m, "text"), Topics: argStrings(m, "topics")}
	for _, v := range argList(m, "appearances") {
		am, _ := v.(map[string]any)
		a, err := appearanceOf(am)
		if err != nil {
			return nil, err
		}
		c.Appearances = append(c.Appearances, a)
	}
	for _, v := range argList(m, "reviews") {
		rm, _ := v.(map[string]any)
		r, err := reviewOf(rm)
		if err != nil {
			return nil, err
		}
		c.Reviews = append(c.Reviews, r)
	}
	return c, nil
}

// optStringField reads an optional update field: absent is nil (keep), ""
// clears. graphql-go drops null input fields, so null keeps too.
func optStringField(m map[string]any, name string) *string {
	v, ok := m[name]
	if !ok {
		return nil
	}
	s, _ := v.(string)
	return &s
}

func newMutationType(s *Server, t *types) *graphql.Object {
	in := newInputs(t)
	// mutate wraps a write: it runs only for authorised requests (checked
	// before execution), converts errors, and makes later fields of the
	// request see the write.
	mutate := func(typ graphql.Output, desc string, args graphql.FieldConfigArgument, fn func(context.Context, map[string]any) (any, error)) *graphql.Field {
		return &graphql.Field{Type: typ, Description: desc, Args: args, Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
			l := s.loaderFrom(p.Context)
			l.forget()
			out, err := fn(p.Context, p.Args)
			l.forget()
			return out, err
		})}
	}
	g := func() graph.Graph { return s.cfg.Graph }
	idArg := func() *graphql.ArgumentConfig { return &graphql.ArgumentConfig{Type: nonNull(graphql.ID)} }
	cascadeArg := &graphql.ArgumentConfig{Type: graphql.Boolean, DefaultValue: false,
		Description: "Also remove the edges that refer to the node (and, for an outlet, its reports)."}
	deleted := func(id string, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return id, nil
	}

	fields := graphql.Fields{
		"createOutlet": mutate(nonNull(t.outlet), "Creates an outlet.", graphql.FieldConfigArgument{"input": {Type: nonNull(in.outlet)}},
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
				if err := g().CreateOutlet(ctx, o); err != nil {
					return nil, err
				}
				return g().FindOutletByID(ctx, o.ID)
			}),
		"updateOutlet": mutate(nonNull(t.outlet), "Changes some fields of an outlet.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(in.outletUpd)}},
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
				return g().UpdateOutlet(ctx, argString(a, "id"), upd)
			}),
		"deleteOutlet": mutate(nonNull(graphql.ID), "Deletes an outlet; with cascade, its reports too.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, g().DeleteOutlet(ctx, id, argBool(a, "cascade")))
			}),

		"createReport": mutate(nonNull(t.report), "Creates a report.", graphql.FieldConfigArgument{"input": {Type: nonNull(in.report)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				st, err := argEnum(m, "status", graph.ParseReportStatus)
				if err != nil {
					return nil, err
				}
				pub, err := argDate(m, "published")
				if err != nil {
					return nil, err
				}
				r := &graph.Report{ID: argString(m, "id"), Outlet: argString(m, "outlet"), Title: argString(m, "title"),
					URL: argString(m, "url"), Published: pub, Language: argString(m, "language"), Status: st, Cites: argStrings(m, "cites")}
				if err := g().CreateReport(ctx, r); err != nil {
					return nil, err
				}
				return g().FindReportByID(ctx, r.ID)
			}),
		"updateReport": mutate(nonNull(t.report), "Changes some fields of a report, such as its status (CORRECTED, RETRACTED).",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(in.reportUpd)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.ReportUpdate{Title: optStringField(m, "title"), URL: optStringField(m, "url"), Language: optStringField(m, "language")}
				if _, ok := m["outlet"]; ok {
					upd.Outlet = optStringField(m, "outlet")
				}
				if _, ok := m["published"]; ok {
					d, err := argDate(m, "published")
					if err != nil {
						return nil, err
					}
					upd.Published = &d
				}
				if _, ok := m["status"]; ok {
					st, err := argEnum(m, "status", graph.ParseReportStatus)
					if err != nil {
						return nil, err
					}
					upd.Status = &st
				}
				return g().UpdateReport(ctx, argString(a, "id"), upd)
			}),
		"deleteReport": mutate(nonNull(graphql.ID), "Deletes a report; with cascade, the appearances, attributions and citations that refer to it.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, g().DeleteReport(ctx, id, argBool(a, "cascade")))
			}),

		"createOfficial": mutate(nonNull(t.official), "Creates an official.", graphql.FieldConfigArgument{"input": {Type: nonNull(in.official)}},
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
				if err := g().CreateOfficial(ctx, o); err != nil {
					return nil, err
				}
				return g().FindOfficialByID(ctx, o.ID)
			}),
		"updateOfficial": mutate(nonNull(t.official), "Changes some fields of an official.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(in.officialUpd)}},
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
				return g().UpdateOfficial(ctx, argString(a, "id"), upd)
			}),
		"deleteOfficial": mutate(nonNull(graphql.ID), "Deletes an official and its possibly-same-as links; with cascade, the attributions to it.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, g().DeleteOfficial(ctx, id, argBool(a, "cascade")))
			}),

		"createClaim": mutate(nonNull(t.claim), "Creates a claim, with its appearances.", graphql.FieldConfigArgument{"input": {Type: nonNull(in.claim)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				c, err := claimOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				if err := g().CreateClaim(ctx, c); err != nil {
					return nil, err
				}
				return g().FindClaimByID(ctx, c.ID)
			}),
		"updateClaim": mutate(nonNull(t.claim), "Changes a claim's text or topics.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(in.claimUpd)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.ClaimUpdate{Text: optStringField(m, "text")}
				if _, ok := m["topics"]; ok {
					topics := argStrings(m, "topics")
					upd.Topics = &topics
				}
				return g().UpdateClaim(ctx, argString(a, "id"), upd)
			}),
		"deleteClaim": mutate(nonNull(graphql.ID), "Deletes a claim with its appearances and attributions.",
			graphql.FieldConfigArgument{"id": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, g().DeleteClaim(ctx, id))
			}),

		"addAppearance": mutate(nonNull(t.claim), "Records that a claim appears in a report.",
			graphql.FieldConfigArgument{"claim": idArg(), "input": {Type: nonNull(in.appearance)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				app, err := appearanceOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return g().AddAppearance(ctx, argString(a, "claim"), app)
			}),
		"removeAppearance": mutate(nonNull(t.claim), "Removes a claim's appearance in a report.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return g().RemoveAppearance(ctx, argString(a, "claim"), argString(a, "report"))
			}),
		"addAttribution": mutate(nonNull(t.claim), "In the claim's appearance in report, attributes it to a source.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg(), "input": {Type: nonNull(in.attribution)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				at, err := attributionOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return g().AddAttribution(ctx, argString(a, "claim"), argString(a, "report"), at)
			}),
		"removeAttribution": mutate(nonNull(t.claim), "Removes an attribution.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg(), "source": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return g().RemoveAttribution(ctx, argString(a, "claim"), argString(a, "report"), argString(a, "source"))
			}),
		"addCitation": mutate(nonNull(t.report), "Records that report cites another report.",
			graphql.FieldConfigArgument{"report": idArg(), "cites": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return g().AddCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
		"removeCitation": mutate(nonNull(t.report), "Removes a citation.",
			graphql.FieldConfigArgument{"report": idArg(), "cites": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return g().RemoveCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
		"addRating": mutate(nonNull(t.node), "Adds a rating to an outlet's or official's history.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(in.rating)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				r, err := ratingOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				id := argString(a, "id")
				if err := g().AddRating(ctx, id, r); err != nil {
					return nil, err
				}
				return s.loaderFrom(ctx).node(ctx, id)
			}),
		"addReview": mutate(nonNull(t.claim), "Adds a fact-checker's review to a claim.",
			graphql.FieldConfigArgument{"claim": idArg(), "input": {Type: nonNull(in.review)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				r, err := reviewOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return g().AddReview(ctx, argString(a, "claim"), r)
			}),
		"importDataset": mutate(nonNull(t.importResult),
			"Loads a hearsay/v1 dataset (JSON document or NDJSON) all or nothing, with the same checks and errors as 'hearsay load'.",
			graphql.FieldConfigArgument{"data": {Type: nonNull(graphql.String)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				return fixtures.Load(ctx, g(), "data", strings.NewReader(argString(a, "data")), fixtures.Options{})
			}),
	}
	return graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: fields})
}
