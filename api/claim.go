package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// appearance is a resolved Appearance: a claim's appearance in a report.
type appearance struct {
	claim *graph.Claim
	app   *graph.Appearance
}

// attribution is a resolved Attribution: in report, claim is attributed
// to lead.Source (inferred when found through a citation).
type attribution struct {
	claim, report string
	lead          graph.Lead
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
			}
		}),
	})
}

// claims resolves a page of claims.
func (s *Server) claims(p graphql.ResolveParams, f graph.ClaimFilter) (any, error) {
	return connect(p, func(page graph.Page) ([]*graph.Claim, int, error) {
		f.Page = page
		return s.cfg.Graph.FindClaims(p.Context, f)
	}, func(x *graph.Claim) string { return x.ID })
}
