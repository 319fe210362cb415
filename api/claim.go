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
			return t.fields("Claim", fieldList{
				{Name: "id", Type: nonNull(graphql.ID), Description: "The claim's ID, claim:slug.", Resolve: str(func(v any) string { return c(v).ID })},
				{Name: "text", Type: nonNull(graphql.String), Description: "The proposition, in one sentence.", Resolve: str(func(v any) string { return c(v).Text })},
				{Name: "topics", Type: listOf(graphql.String), Description: "Free-form topic labels.", Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilStrings(c(p.Source).Topics), nil }},
				{Name: "appearances", Type: listOf(t.appearance), Description: "The reports the claim appears in, by report ID.",
					Resolve: func(p graphql.ResolveParams) (any, error) {
						cl := c(p.Source)
						out := make([]appearance, len(cl.Appearances))
						for i := range cl.Appearances {
							out[i] = appearance{claim: cl, app: &cl.Appearances[i]}
						}
						return out, nil
					}},
				{Name: "chains", Type: listOf(t.chain),
					Description: "The attribution chains of every appearance, or of the appearance in report from, one per root-to-leaf path.",
					Args: []*inputValue{
						{Name: "from", Type: graphql.ID,
							Description: "Only the chains starting at the claim's appearance in this report; none when the claim does not appear there."},
						{Name: "maxDepth", Type: graphql.Int, Default: graph.DefaultMaxDepth, Description: "Hops to follow, 1 to 64."},
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
				{Name: "origins", Type: listOf(t.source),
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
				{Name: "independentOrigins", Type: nonNull(t.rangeType),
					Description: "How many independent origins stand behind the claim: max counts its distinct origins, min merges anonymous officials that may be the same people (possiblySameAs).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := s.loaderFrom(p.Context).judge(p.Context, c(p.Source).ID, graph.DefaultMaxDepth)
						if err != nil {
							return nil, err
						}
						return j.IndependentOrigins, nil
					})},
				{Name: "credibility", Type: nonNull(t.credibility),
					Description: "Information credibility on the Admiralty scale, computed from the origins (see the README: How hearsay judges a claim).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := s.loaderFrom(p.Context).judge(p.Context, c(p.Source).ID, graph.DefaultMaxDepth)
						if err != nil {
							return nil, err
						}
						return j.Credibility, nil
					})},
				{Name: "firstAppearance", Type: t.appearance, Description: "The earliest published appearance; ties go to the lower report ID.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						cl := c(p.Source)
						a, err := graph.FirstAppearance(p.Context, s.loaderFrom(p.Context), cl)
						if err != nil || a == nil {
							return nil, err
						}
						return appearance{claim: cl, app: a}, nil
					})},
				{Name: "reviews", Type: listOf(t.review), Description: "Fact-checkers' reviews of the claim, as recorded.", Resolve: func(p graphql.ResolveParams) (any, error) { return c(p.Source).Reviews, nil }},
			})
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
			return t.fields("Appearance", fieldList{
				{Name: "claim", Type: nonNull(t.claim), Description: "The claim that appears.", Resolve: func(p graphql.ResolveParams) (any, error) { return a(p.Source).claim, nil }},
				{Name: "report", Type: nonNull(t.report), Description: "The report it appears in.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).FindReportByID(p.Context, a(p.Source).app.Report)
				})},
				{Name: "quote", Type: graphql.String, Description: "The span as printed.", Resolve: str(func(v any) string { return a(v).app.Quote })},
				{Name: "mode", Type: nonNull(t.mode), Description: "How the report carries the claim.", Resolve: enumValue(func(v any) graph.Mode { return a(v).app.Mode })},
				{Name: "language", Type: graphql.String, Description: "The language of the quote, a BCP 47 tag; null when not recorded.", Resolve: str(func(v any) string { return a(v).app.Language })},
				{Name: "hedge", Type: graphql.String, Description: "\"reportedly\", \"according to\" and the like.", Resolve: str(func(v any) string { return a(v).app.Hedge })},
				{Name: "attributions", Type: listOf(t.attribution),
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
			})
		}),
	})
}

func newAttributionType(s *Server, t *types) *graphql.Object {
	a := func(v any) attribution { return v.(attribution) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Attribution",
		Description: "In a report, a claim attributed to a source (an attributed-to edge).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.fields("Attribution", fieldList{
				{Name: "source", Type: nonNull(t.source), Description: "The official, report or outlet the claim is attributed to.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).node(p.Context, a(p.Source).lead.Source)
				})},
				{Name: "mode", Type: nonNull(t.mode), Description: "How the report attributes it.", Resolve: enumValue(func(v any) graph.Mode { return a(v).lead.Mode })},
				{Name: "quote", Type: graphql.String, Description: "The attributing words as printed (\"a senior official said\"); null when not recorded.", Resolve: str(func(v any) string { return a(v).lead.Quote })},
				{Name: "inferred", Type: nonNull(graphql.Boolean), Description: "True when the report names no source and this attribution was inferred from a report it cites that carries the claim.", Resolve: func(p graphql.ResolveParams) (any, error) { return a(p.Source).lead.Inferred, nil }},
				{Name: "claim", Type: nonNull(t.claim), Description: "The claim attributed.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).FindClaimByID(p.Context, a(p.Source).claim)
				})},
				{Name: "report", Type: nonNull(t.report), Description: "The report the attribution is made in.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.loaderFrom(p.Context).FindReportByID(p.Context, a(p.Source).report)
					})},
				{Name: "relaying", Type: listOf(t.attribution),
					Description: "Relayed speech: the officials whose words this official source passed on, by source; empty for any other source.",
					Resolve:     func(p graphql.ResolveParams) (any, error) { return a(p.Source).relayed(), nil }},
				{Name: "relayedBy", Type: t.official,
					Description: "The official who relayed this attribution's source; null when the report names the source itself.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						if by := a(p.Source).relayedBy; by != "" {
							return s.loaderFrom(p.Context).FindOfficialByID(p.Context, by)
						}
						return nil, nil
					})},
			})
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
		Fields: t.fields("ClaimMatch", fieldList{
			{Name: "claim", Type: nonNull(t.claim), Description: "The stored claim.", Resolve: func(p graphql.ResolveParams) (any, error) { return m(p.Source).Claim, nil }},
			{Name: "score", Type: nonNull(graphql.Float), Description: "The probability, from 0 to 1, that the claim states what the text states, as the ranker estimates it.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return m(p.Source).Score, nil }},
		}),
	})
}

// newSimilarClaimsField builds Query.similarClaims.
func newSimilarClaimsField(name string, s *Server, t *types) *field {
	return &field{
		Name: name,
		Type: listOf(t.claimMatch),
		Description: fmt.Sprintf("The stored claims that best match a text (a tweet, a sentence of an article, a new claim): "+
			"those saying the same thing, in other words too, best first. A claim is matched on its text and its reviews' titles. "+
			"The text holds at most %d characters.", graph.MaxMatchRunes),
		Args: []*inputValue{
			{Name: "text", Type: nonNull(graphql.String), Description: "The text to match: a sentence, a headline, a post."},
			{Name: "first", Type: graphql.Int, Default: graph.DefaultMatches, Description: fmt.Sprintf("How many claims, 1 to %d.", graph.MaxMatches)},
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
	in.review = t.inputObject("ReviewInput", "A fact-checker's review.", inputList(
		inputField("verdict", nonNull(t.verdict), "The verdict, normalised."),
		inputField("reviewedBy", nonNull(graphql.String), "The fact-checker."),
		inputField("reviewedAt", graphql.String, "When the review was published: "+dateDesc),
		inputField("url", graphql.String, "The fact-check article."),
		inputField("title", graphql.String, "The fact-check article's headline."),
		inputField("ratingText", graphql.String, "The rating as printed (\"Pants on Fire\"), beside the normalised verdict."),
	))
	in.attribution = t.inputObject("AttributionInput", "In a report, the claim is attributed to source.", func() []*inputValue {
		return []*inputValue{
			inputField("source", nonNull(graphql.ID), "The official, report or outlet the claim is attributed to."),
			inputField("mode", nonNull(t.mode), "How the report attributes it: quoted, paraphrased, citing a report, translated…"),
			inputField("quote", graphql.String, "The attributing words as printed (\"a senior official said\")."),
			inputField("relaying", graphql.NewList(nonNull(in.attribution)),
				"Relayed speech: when source is an official, the officials whose words they passed on (each named once in the appearance, 8 levels at most)."),
		}
	})
	in.appearance = t.inputObject("AppearanceInput", "The claim appears in a report.", inputList(
		inputField("report", nonNull(graphql.ID), "The report the claim appears in."),
		inputField("quote", graphql.String, "The span as printed."),
		inputField("mode", nonNull(t.mode), "How the report carries the claim."),
		inputField("language", graphql.String, "The language of the quote, a BCP 47 tag (en, uk, pt-BR)."),
		inputField("hedge", graphql.String, "\"reportedly\", \"according to\" and the like."),
		inputField("attributedTo", graphql.NewList(nonNull(in.attribution)), "Whom the report attributes the claim to; none when it names no one."),
	))
	in.claim = t.inputObject("ClaimInput", "A new claim.", inputList(
		inputField("id", nonNull(graphql.ID), "The new claim's ID, claim:slug."),
		inputField("text", nonNull(graphql.String), "The proposition, in one sentence."),
		inputField("topics", graphql.NewList(nonNull(graphql.String)), "Free-form topic labels."),
		inputField("appearances", graphql.NewList(nonNull(in.appearance)), "The reports the claim appears in."),
		inputField("reviews", graphql.NewList(nonNull(in.review)), "Fact-checkers' reviews of the claim."),
	))
	in.claimUpd = t.inputObject("ClaimUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", inputList(
		inputField("text", graphql.String, "The new text."),
		inputField("topics", graphql.NewList(nonNull(graphql.String)), "The new topics, replacing the old ones."),
	))
}

// claimMutations are the claim mutations: the claim, its appearances, attributions
// and reviews.
func (mt *mutations) claimMutations() fieldList {
	return fieldList{
		mt.mutate("createClaim", nonNull(mt.t.claim), "Creates a claim, with its appearances.", []*inputValue{inputArg(mt.in.claim)},
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
		mt.mutate("updateClaim", nonNull(mt.t.claim), "Changes a claim's text or topics.",
			[]*inputValue{idArg("id"), inputArg(mt.in.claimUpd)},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.ClaimUpdate{Text: optStringField(m, "text")}
				if _, ok := m["topics"]; ok {
					topics := argStrings(m, "topics")
					upd.Topics = &topics
				}
				return mt.g().UpdateClaim(ctx, argString(a, "id"), upd)
			}),
		mt.mutate("deleteClaim", nonNull(graphql.ID), "Deletes a claim with its appearances and attributions.",
			[]*inputValue{idArg("id")},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteClaim(ctx, id))
			}),
		mt.mutate("addAppearance", nonNull(mt.t.claim), "Records that a claim appears in a report.",
			[]*inputValue{idArg("claim"), inputArg(mt.in.appearance)},
			func(ctx context.Context, a map[string]any) (any, error) {
				app, err := appearanceOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return mt.g().AddAppearance(ctx, argString(a, "claim"), app)
			}),
		mt.mutate("removeAppearance", nonNull(mt.t.claim), "Removes a claim's appearance in a report.",
			[]*inputValue{idArg("claim"), idArg("report")},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveAppearance(ctx, argString(a, "claim"), argString(a, "report"))
			}),
		mt.mutate("addAttribution", nonNull(mt.t.claim), "In the claim's appearance in report, attributes it to a source.",
			[]*inputValue{idArg("claim"), idArg("report"), inputArg(mt.in.attribution)},
			func(ctx context.Context, a map[string]any) (any, error) {
				at, err := attributionOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				return mt.g().AddAttribution(ctx, argString(a, "claim"), argString(a, "report"), at)
			}),
		mt.mutate("removeAttribution", nonNull(mt.t.claim), "Removes an attribution.",
			[]*inputValue{idArg("claim"), idArg("report"), idArg("source")},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveAttribution(ctx, argString(a, "claim"), argString(a, "report"), argString(a, "source"))
			}),
		mt.mutate("addReview", nonNull(mt.t.claim), "Adds a fact-checker's review to a claim.",
			[]*inputValue{idArg("claim"), inputArg(mt.in.review)},
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
