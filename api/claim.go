package api

import (
	"context"
	"fmt"

	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// appearance is a resolved Appearance: a claim's appearance in a report.
type appearance struct {
	claim *graph.Claim
	app   *graph.Appearance
}

// attribution is a resolved Attribution: in report, claim is attributed
// to lead.Source (inferred when found through a citation), relayed by the
// official relayedBy ("" when the report attributes it directly).
type attribution struct {
	claim, report string
	lead          graph.Lead
	relayedBy     string
}

// relayed returns the attributions a relays, as resolved attributions.
func (a attribution) relayed() []attribution {
	rs := graph.SortedAttributions(a.lead.Relaying)
	out := make([]attribution, len(rs))
	for i, r := range rs {
		out[i] = attribution{claim: a.claim, report: a.report, relayedBy: a.lead.Source,
			lead: graph.Lead{Source: r.Source, Mode: r.Mode, Quote: r.Quote, Relaying: r.Relaying}}
	}
	return out
}

func newClaimType(s *Server, t *types) *graphql.Object {
	c := func(v any) *graph.Claim { return v.(*graph.Claim) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Claim",
		Description: "One proposition that may travel through many reports.",
		Interfaces:  []*graphql.Interface{t.node},
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":     {Type: nonNull(graphql.ID), Resolve: str(func(v any) string { return c(v).ID })},
				"text":   {Type: nonNull(graphql.String), Resolve: str(func(v any) string { return c(v).Text })},
				"topics": {Type: listOf(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilStrings(c(p.Source).Topics), nil }},
				"appearances": {Type: listOf(t.appearance), Description: "The reports the claim appears in, by report ID.",
					Resolve: func(p graphql.ResolveParams) (any, error) {
						cl := c(p.Source)
						out := make([]appearance, len(cl.Appearances))
						for i := range cl.Appearances {
							out[i] = appearance{claim: cl, app: &cl.Appearances[i]}
						}
						return out, nil
					}},
				"chains": {Type: listOf(t.chain),
					Description: "The attribution chains of every appearance, or of the appearance in report from, one per root-to-leaf path.",
					Args: graphql.FieldConfigArgument{
						"from": {Type: graphql.ID,
							Description: "Only the chains starting at the claim's appearance in this report; none when the claim does not appear there."},
						"maxDepth": {Type: graphql.Int, DefaultValue: graph.DefaultMaxDepth, Description: "Hops to follow, 1 to 64."},
					},
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						depth, _ := argInt(p.Args, "maxDepth")
						if depth < 1 || depth > graph.MaxMaxDepth {
							return nil, graph.Errorf(graph.EINVALID, "maxDepth must be between 1 and %d, got %d", graph.MaxMaxDepth, depth)
						}
						from := ""
						if optString(p.Args, "from") != nil {
							var err error
							if from, err = argID(p.Args, "from", graph.KindReport); err != nil {
								return nil, err
							}
						}
						return s.loaderFrom(p.Context).chains(p.Context, c(p.Source).ID, from, depth)
					})},
				"origins": {Type: listOf(t.source),
					Description: "The distinct sources the claim's chains end at, by ID. Circular and depth-limited chains give none.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						l := s.loaderFrom(p.Context)
						j, err := l.judge(p.Context, c(p.Source).ID, graph.DefaultMaxDepth)
						if err != nil {
							return nil, err
						}
						out := make([]any, 0, len(j.Origins))
						for _, o := range j.Origins {
							n, err := l.node(p.Context, o.ID)
							if err != nil {
								return nil, err
							}
							out = append(out, n)
						}
						return out, nil
					})},
				"independentOrigins": {Type: nonNull(t.rangeType),
					Description: "How many independent origins stand behind the claim: max counts its distinct origins, min merges anonymous officials that may be the same people (possiblySameAs).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := s.loaderFrom(p.Context).judge(p.Context, c(p.Source).ID, graph.DefaultMaxDepth)
						if err != nil {
							return nil, err
						}
						return j.IndependentOrigins, nil
					})},
				"credibility": {Type: nonNull(t.credibility),
					Description: "Information credibility on the Admiralty scale, computed from the origins (see the README: How hearsay judges a claim).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := s.loaderFrom(p.Context).judge(p.Context, c(p.Source).ID, graph.DefaultMaxDepth)
						if err != nil {
							return nil, err
						}
						return j.Credibility, nil
					})},
				"firstAppearance": {Type: t.appearance, Description: "The earliest published appearance; ties go to the lower report ID.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						cl := c(p.Source)
						a, err := graph.FirstAppearance(p.Context, s.loaderFrom(p.Context), cl)
						if err != nil || a == nil {
							return nil, err
						}
						return appearance{claim: cl, app: a}, nil
					})},
				"reviews": {Type: listOf(t.review), Resolve: func(p graphql.ResolveParams) (any, error) { return c(p.Source).Reviews, nil }},
			}
		}),
	})
}

func nonNilStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func newAppearanceType(s *Server, t *types) *graphql.Object {
	a := func(v any) appearance { return v.(appearance) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Appearance",
		Description: "A claim appearing in a report (a reported-by edge), with how the report words and attributes it.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"claim": {Type: nonNull(t.claim), Resolve: func(p graphql.ResolveParams) (any, error) { return a(p.Source).claim, nil }},
				"report": {Type: nonNull(t.report), Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).FindReportByID(p.Context, a(p.Source).app.Report)
				})},
				"quote":    {Type: graphql.String, Description: "The span as printed.", Resolve: str(func(v any) string { return a(v).app.Quote })},
				"mode":     {Type: nonNull(t.mode), Resolve: enumValue(func(v any) graph.Mode { return a(v).app.Mode })},
				"language": {Type: graphql.String, Resolve: str(func(v any) string { return a(v).app.Language })},
				"hedge":    {Type: graphql.String, Description: "\"reportedly\", \"according to\" and the like.", Resolve: str(func(v any) string { return a(v).app.Hedge })},
				"attributions": {Type: listOf(t.attribution),
					Description: "Whom the report attributes the claim to; when it names no one, the reports it cites that carry the claim, marked inferred.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						ap := a(p.Source)
						rep, err := s.loaderFrom(p.Context).FindReportByID(p.Context, ap.app.Report)
						if err != nil {
							return nil, err
						}
						leads := graph.Leads(ap.claim, ap.app, rep)
						out := make([]attribution, len(leads))
						for i, l := range leads {
							out[i] = attribution{claim: ap.claim.ID, report: rep.ID, lead: l}
						}
						return out, nil
					})},
			}
		}),
	})
}

func newAttributionType(s *Server, t *types) *graphql.Object {
	a := func(v any) attribution { return v.(attribution) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Attribution",
		Description: "In a report, a claim attributed to a source (an attributed-to edge).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"source": {Type: nonNull(t.source), Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).node(p.Context, a(p.Source).lead.Source)
				})},
				"mode":     {Type: nonNull(t.mode), Resolve: enumValue(func(v any) graph.Mode { return a(v).lead.Mode })},
				"quote":    {Type: graphql.String, Resolve: str(func(v any) string { return a(v).lead.Quote })},
				"inferred": {Type: nonNull(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return a(p.Source).lead.Inferred, nil }},
				"claim": {Type: nonNull(t.claim), Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).FindClaimByID(p.Context, a(p.Source).claim)
				})},
				"report": {Type: nonNull(t.report), Description: "The report the attribution is made in.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.loaderFrom(p.Context).FindReportByID(p.Context, a(p.Source).report)
					})},
				"relaying": {Type: listOf(t.attribution),
					Description: "Relayed speech: the officials whose words this official source passed on, by source; empty for any other source.",
					Resolve:     func(p graphql.ResolveParams) (any, error) { return a(p.Source).relayed(), nil }},
				"relayedBy": {Type: t.official,
					Description: "The official who relayed this attribution's source; null when the report names the source itself.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						if by := a(p.Source).relayedBy; by != "" {
							return s.loaderFrom(p.Context).FindOfficialByID(p.Context, by)
						}
						return nil, nil
					})},
			}
		}),
	})
}

// newClaimMatchType builds ClaimMatch: a stored claim ranked against a
// text.
func newClaimMatchType(t *types) *graphql.Object {
	m := func(v any) graph.ClaimMatch { return v.(graph.ClaimMatch) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "ClaimMatch",
		Description: "A stored claim that may say what a text says, and how well it matches.",
		Fields: graphql.Fields{
			"claim": {Type: nonNull(t.claim), Resolve: func(p graphql.ResolveParams) (any, error) { return m(p.Source).Claim, nil }},
			"score": {Type: nonNull(graphql.Float), Description: "The probability, from 0 to 1, that the claim states what the text states, as the ranker estimates it.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return m(p.Source).Score, nil }},
		},
	})
}

// newSimilarClaimsField builds Query.similarClaims.
func newSimilarClaimsField(s *Server, t *types) *graphql.Field {
	return &graphql.Field{
		Type: listOf(t.claimMatch),
		Description: fmt.Sprintf("The stored claims that best match a text (a tweet, a sentence of an article, a new claim): "+
			"those saying the same thing, in other words too, best first. A claim is matched on its text and its reviews' titles. "+
			"The text holds at most %d characters.", graph.MaxMatchRunes),
		Args: graphql.FieldConfigArgument{
			"text":  {Type: nonNull(graphql.String)},
			"first": {Type: graphql.Int, DefaultValue: graph.DefaultMatches, Description: fmt.Sprintf("How many claims, 1 to %d.", graph.MaxMatches)},
		},
		Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
			first, ok := argInt(p.Args, "first")
			if !ok {
				first = graph.DefaultMatches // an explicit null
			}
			if first == 0 {
				return nil, graph.Errorf(graph.EINVALID, "first: must be between 1 and %d, got 0", graph.MaxMatches)
			}
			return s.cfg.Graph.SimilarClaims(p.Context, argString(p.Args, "text"), first)
		}),
	}
}

// claims resolves a page of claims.
func (s *Server) claims(p graphql.ResolveParams, f graph.ClaimFilter) (any, error) {
	return connect(p, func(page graph.Page) ([]*graph.Claim, int, error) {
		f.Page = page
		return s.cfg.Graph.FindClaims(p.Context, f)
	}, func(x *graph.Claim) string { return x.ID })
}

// addClaimInputs builds the inputs of the claim mutations: reviews, attributions,
// appearances, claims.
func addClaimInputs(t *types, in *inputs) {
	in.review = inputObject("ReviewInput", "A fact-checker's review.", graphql.InputObjectConfigFieldMap{
		"verdict": inputField(nonNull(t.verdict), ""), "reviewedBy": inputField(nonNull(graphql.String), ""),
		"reviewedAt": inputField(graphql.String, dateDesc), "url": inputField(graphql.String, ""),
		"title":      inputField(graphql.String, "The fact-check article's headline."),
		"ratingText": inputField(graphql.String, "The rating as printed (\"Pants on Fire\"), beside the normalised verdict."),
	})
	in.attribution = inputObject("AttributionInput", "In a report, the claim is attributed to source.", graphql.InputObjectConfigFieldMap{
		"source": inputField(nonNull(graphql.ID), "An official, report or outlet."), "mode": inputField(nonNull(t.mode), ""),
		"quote": inputField(graphql.String, ""),
	})
	in.attribution.AddFieldConfig("relaying", inputField(graphql.NewList(nonNull(in.attribution)),
		"Relayed speech: when source is an official, the officials whose words they passed on (each named once in the appearance, 8 levels at most)."))
	in.appearance = inputObject("AppearanceInput", "The claim appears in a report.", graphql.InputObjectConfigFieldMap{
		"report": inputField(nonNull(graphql.ID), ""), "quote": inputField(graphql.String, "The span as printed."),
		"mode": inputField(nonNull(t.mode), ""), "language": inputField(graphql.String, ""), "hedge": inputField(graphql.String, ""),
		"attributedTo": inputField(graphql.NewList(nonNull(in.attribution)), ""),
	})
	in.claim = inputObject("ClaimInput", "A new claim.", graphql.InputObjectConfigFieldMap{
		"id": inputField(nonNull(graphql.ID), "claim:slug"), "text": inputField(nonNull(graphql.String), ""),
		"topics": inputField(graphql.NewList(nonNull(graphql.String)), ""), "appearances": inputField(graphql.NewList(nonNull(in.appearance)), ""),
		"reviews": inputField(graphql.NewList(nonNull(in.review)), ""),
	})
	in.claimUpd = inputObject("ClaimUpdateInput", "Fields to change; absent fields stay.", graphql.InputObjectConfigFieldMap{
		"text": inputField(graphql.String, ""), "topics": inputField(graphql.NewList(nonNull(graphql.String)), ""),
	})
}

// claimMutations are the claim mutations: the claim, its appearances, attributions
// and reviews.
func (mt *mutations) claimMutations() graphql.Fields {
	return graphql.Fields{
		"createClaim": mt.mutate(nonNull(mt.t.claim), "Creates a claim, with its appearances.", graphql.FieldConfigArgument{"input": {Type: nonNull(mt.in.claim)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				c, err := claimOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				if err := mt.g().CreateClaim(ctx, c); err != nil {
					return nil, err
				}
				return mt.g().FindClaimByID(ctx, c.ID)
			}),
		"updateClaim": mt.mutate(nonNull(mt.t.claim), "Changes a claim's text or topics.",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(mt.in.claimUpd)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.ClaimUpdate{Text: optStringField(m, "text")}
				if _, ok := m["topics"]; ok {
					topics := argStrings(m, "topics")
					upd.Topics = &topics
				}
				return mt.g().UpdateClaim(ctx, argString(a, "id"), upd)
			}),
		"deleteClaim": mt.mutate(nonNull(graphql.ID), "Deletes a claim with its appearances and attributions.",
			graphql.FieldConfigArgument{"id": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteClaim(ctx, id))
			}),
		"addAppearance": mt.mutate(nonNull(mt.t.claim), "Records that a claim appears in a report.",
			graphql.FieldConfigArgument{"claim": idArg(), "input": {Type: nonNull(mt.in.appearance)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				app, err := appearanceOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return mt.g().AddAppearance(ctx, argString(a, "claim"), app)
			}),
		"removeAppearance": mt.mutate(nonNull(mt.t.claim), "Removes a claim's appearance in a report.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveAppearance(ctx, argString(a, "claim"), argString(a, "report"))
			}),
		"addAttribution": mt.mutate(nonNull(mt.t.claim), "In the claim's appearance in report, attributes it to a source.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg(), "input": {Type: nonNull(mt.in.attribution)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				at, err := attributionOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return mt.g().AddAttribution(ctx, argString(a, "claim"), argString(a, "report"), at)
			}),
		"removeAttribution": mt.mutate(nonNull(mt.t.claim), "Removes an attribution.",
			graphql.FieldConfigArgument{"claim": idArg(), "report": idArg(), "source": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveAttribution(ctx, argString(a, "claim"), argString(a, "report"), argString(a, "source"))
			}),
		"addReview": mt.mutate(nonNull(mt.t.claim), "Adds a fact-checker's review to a claim.",
			graphql.FieldConfigArgument{"claim": idArg(), "input": {Type: nonNull(mt.in.review)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				r, err := reviewOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return mt.g().AddReview(ctx, argString(a, "claim"), r)
			}),
	}
}

// Input conversion: each returns EINVALID naming the field on a bad value.

func reviewOf(m map[string]any) (graph.Review, error) {
	v, err := argEnum(m, "verdict", graph.ParseVerdict)
	if err != nil {
		return graph.Review{}, err
	}
	at, err := argDate(m, "reviewedAt")
	if err != nil {
		return graph.Review{}, err
	}
	return graph.Review{Verdict: v, ReviewedBy: argString(m, "reviewedBy"), ReviewedAt: at, URL: argString(m, "url"),
		Title: argString(m, "title"), RatingText: argString(m, "ratingText")}, nil
}

func attributionOf(m map[string]any) (graph.Attribution, error) {
	return relayedOf(m, "input", 0)
}

// relayedOf converts an attribution input at path, depth levels of
// relaying down, with what it relays; nesting over graph.MaxRelayDepth is
// refused before it is read.
func relayedOf(m map[string]any, path string, depth int) (graph.Attribution, error) {
	mode, err := argEnum(m, "mode", graph.ParseMode)
	at := graph.Attribution{Source: argString(m, "source"), Mode: mode, Quote: argString(m, "quote")}
	if err != nil {
		return at, err
	}
	rs := argList(m, "relaying")
	if len(rs) > 0 && depth >= graph.MaxRelayDepth {
		return at, graph.Errorf(graph.EINVALID, "%s.relaying: nests relayed speech over %d levels deep", path, graph.MaxRelayDepth)
	}
	for i, v := range rs {
		rm, _ := v.(map[string]any)
		r, err := relayedOf(rm, fmt.Sprintf("%s.relaying[%d]", path, i), depth+1)
		if err != nil {
			return at, err
		}
		at.Relaying = append(at.Relaying, r)
	}
	return at, nil
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
