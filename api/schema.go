package api

import (
	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/graph"
)

// types holds the schema's named types, so that fields can refer to each
// other through thunks.
type types struct {
	node                                       *graphql.Interface
	source                                     *graphql.Union
	outlet, report, official, claim            *graphql.Object
	appearance, attribution, chain, hop, relay *graphql.Object
	rating, review, pageInfo, importResult     *graphql.Object
	rangeType, credibility, echo               *graphql.Object
	echoFilter                                 *graphql.InputObject
	outletConn, reportConn, officialConn       *graphql.Object
	claimConn, attributionConn                 *graphql.Object
	reliability, outletType, form, status      *graphql.Enum
	mode, verdict, terminal                    *graphql.Enum
	outletFilter, reportFilter, officialFilter *graphql.InputObject
	claimFilter                                *graphql.InputObject
	claimMatch, newClaimMatches                *graphql.Object
}

// newSchema builds the GraphQL schema of DESIGN.md section 3 over the
// server's graph.
func newSchema(s *Server) (graphql.Schema, error) {
	t := &types{}
	t.reliability = enumOf("Reliability", "Source reliability on the Admiralty scale: A completely reliable … E unreliable, F cannot be judged.",
		graph.ReliabilityA, graph.ReliabilityB, graph.ReliabilityC, graph.ReliabilityD, graph.ReliabilityE, graph.ReliabilityF)
	t.outletType = enumOf("OutletType", "What kind of publisher an outlet is.",
		graph.OutletNewspaper, graph.OutletBroadcaster, graph.OutletWireAgency, graph.OutletMagazine, graph.OutletOnline,
		graph.OutletBlog, graph.OutletGovernment, graph.OutletSocialAccount)
	t.form = enumOf("OfficialForm", "Whether an official is a person, a group or an institution.",
		graph.FormPerson, graph.FormGroup, graph.FormInstitution)
	t.status = enumOf("ReportStatus", "The editorial state of a report.",
		graph.StatusPublished, graph.StatusCorrected, graph.StatusRetracted)
	t.mode = enumOf("AttributionMode", "How a report carries or attributes a claim.",
		graph.ModeDirectQuote, graph.ModeParaphrase, graph.ModeCitesReport, graph.ModeTranslation, graph.ModeAggregation, graph.ModeUnattributed)
	t.verdict = enumOf("Verdict", "A fact-checker's verdict (ClaimReview style).",
		graph.VerdictTrue, graph.VerdictMostlyTrue, graph.VerdictMixed, graph.VerdictMostlyFalse, graph.VerdictFalse, graph.VerdictUnproven)
	t.terminal = enumOf("Terminal", "Why an attribution chain ended.",
		graph.TerminalOfficial, graph.TerminalUnattributed, graph.TerminalCitedReportUnrecorded, graph.TerminalOutletUnrecorded,
		graph.TerminalCircular, graph.TerminalDepthLimit)

	t.node = graphql.NewInterface(graphql.InterfaceConfig{
		Name:        "Node",
		Description: "Anything with a stable kind:slug ID.",
		Fields:      graphql.Fields{"id": {Type: graphql.NewNonNull(graphql.ID)}},
		ResolveType: func(p graphql.ResolveTypeParams) *graphql.Object { return t.objectOf(p.Value) },
	})
	t.pageInfo = newPageInfo()
	t.rangeType, t.credibility, t.echo = newJudgementTypes()
	t.rating = newRatingType(t)
	t.review = newReviewType(t)
	t.outlet = newOutletType(s, t)
	t.report = newReportType(s, t)
	t.official = newOfficialType(s, t)
	t.claim = newClaimType(s, t)
	t.claimMatch = newClaimMatchType(t)
	t.appearance = newAppearanceType(s, t)
	t.attribution = newAttributionType(s, t)
	t.chain = newChainType(s, t)
	t.hop = newHopType(s, t)
	t.relay = newRelayType(s, t)
	t.source = graphql.NewUnion(graphql.UnionConfig{
		Name:        "Source",
		Description: "What a claim can be attributed to: an official, a report or an outlet.",
		Types:       []*graphql.Object{t.official, t.report, t.outlet},
		ResolveType: func(p graphql.ResolveTypeParams) *graphql.Object { return t.objectOf(p.Value) },
	})
	t.outletConn = connectionType("Outlet", t.outlet, t.pageInfo)
	t.reportConn = connectionType("Report", t.report, t.pageInfo)
	t.officialConn = connectionType("Official", t.official, t.pageInfo)
	t.claimConn = connectionType("Claim", t.claim, t.pageInfo)
	t.attributionConn = connectionType("Attribution", t.attribution, t.pageInfo)
	t.outletFilter, t.reportFilter, t.officialFilter, t.claimFilter = newFilterTypes(t)
	t.importResult = newImportResultType(t)

	return graphql.NewSchema(graphql.SchemaConfig{
		Query:        newQueryType(s, t),
		Mutation:     newMutationType(s, t),
		Subscription: newSubscriptionType(s, t),
		Types:        []graphql.Type{t.outlet, t.report, t.official, t.claim},
	})
}

// objectOf returns the GraphQL object type of a resolved node.
func (t *types) objectOf(v any) *graphql.Object {
	switch v.(type) {
	case *graph.Outlet:
		return t.outlet
	case *graph.Report:
		return t.report
	case *graph.Official:
		return t.official
	case *graph.Claim:
		return t.claim
	}
	return nil
}

// enumOf builds a GraphQL enum from a domain enum's values; each value is
// its own spelling.
func enumOf[E interface{ String() string }](name, desc string, values ...E) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	for _, v := range values {
		vals[v.String()] = &graphql.EnumValueConfig{Value: v.String()}
	}
	e := graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
	// graphql-go v0.8.1 builds an enum's lookup maps lazily, on first use,
	// without a lock: concurrent first requests race. Build them now, while
	// the schema is still private to this goroutine.
	for _, v := range values {
		e.Serialize(v.String())
		e.ParseLiteral(&ast.EnumValue{Kind: "EnumValue", Value: v.String()})
	}
	return e
}

// nonNull and listOf shorten type expressions.
func nonNull(t graphql.Type) *graphql.NonNull { return graphql.NewNonNull(t) }

func listOf(t graphql.Type) *graphql.NonNull {
	return graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t)))
}

// str resolves a string field of the source value; "" is null.
func str(get func(any) string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		if s := get(p.Source); s != "" {
			return s, nil
		}
		return nil, nil
	}
}

// date resolves a date field; an unknown date is null.
func date(get func(any) graph.Date) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		if d := get(p.Source); !d.IsZero() {
			return d.String(), nil
		}
		return nil, nil
	}
}

// enumValue resolves an enum field; the unset value is null.
func enumValue[E interface {
	~uint8
	String() string
}](get func(any) E) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		if v := get(p.Source); v != 0 {
			return v.String(), nil
		}
		return nil, nil
	}
}

// latest returns the grade of the latest rating of a history, F ("cannot
// be judged") when there is none.
func latest(rs []graph.Rating) any {
	return graph.Judged(graph.RatingAt(rs, graph.Date{})).String()
}

func newRatingType(t *types) *graphql.Object {
	r := func(v any) graph.Rating { return v.(graph.Rating) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Rating",
		Description: "One judgement of a source's reliability.",
		Fields: graphql.Fields{
			"rating":  {Type: nonNull(t.reliability), Resolve: enumValue(func(v any) graph.Reliability { return r(v).Rating })},
			"ratedBy": {Type: graphql.String, Resolve: str(func(v any) string { return r(v).RatedBy })},
			"ratedAt": {Type: graphql.String, Resolve: date(func(v any) graph.Date { return r(v).RatedAt })},
			"note":    {Type: graphql.String, Resolve: str(func(v any) string { return r(v).Note })},
		},
	})
}

func newReviewType(t *types) *graphql.Object {
	r := func(v any) graph.Review { return v.(graph.Review) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Review",
		Description: "A fact-checker's verdict on a claim (ClaimReview style).",
		Fields: graphql.Fields{
			"verdict":    {Type: nonNull(t.verdict), Resolve: enumValue(func(v any) graph.Verdict { return r(v).Verdict })},
			"reviewedBy": {Type: nonNull(graphql.String), Resolve: str(func(v any) string { return r(v).ReviewedBy })},
			"reviewedAt": {Type: graphql.String, Resolve: date(func(v any) graph.Date { return r(v).ReviewedAt })},
			"url":        {Type: graphql.String, Resolve: str(func(v any) string { return r(v).URL })},
			"title": {Type: graphql.String, Description: "The fact-check article's headline.",
				Resolve: str(func(v any) string { return r(v).Title })},
			"ratingText": {Type: graphql.String, Description: "The rating as the fact-checker printed it (\"Pants on Fire\"), beside the normalised verdict.",
				Resolve: str(func(v any) string { return r(v).RatingText })},
		},
	})
}

// node resolves an ID to a node of any kind, or null when there is none.
func (s *Server) nodeByID(p graphql.ResolveParams, id string, want graph.Kind) (any, error) {
	kind, _, err := graph.SplitID(id)
	if err != nil {
		return nil, err
	}
	if want != graph.KindInvalid && kind != want {
		return nil, graph.Errorf(graph.EINVALID, "ID %q is of kind %s where kind %s is wanted", id, kind, want)
	}
	n, err := s.loaderFrom(p.Context).node(p.Context, id)
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return nil, nil
	}
	return n, err
}

func newJudgementTypes() (rng, cred, echo *graphql.Object) {
	intField := func(get func(any) int) *graphql.Field {
		return &graphql.Field{Type: nonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return get(p.Source), nil }}
	}
	rng = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Range",
		Description: "A count known only within bounds.",
		Fields: graphql.Fields{
			"min": intField(func(v any) int { return v.(graph.Range).Min }),
			"max": intField(func(v any) int { return v.(graph.Range).Max }),
		},
	})
	cred = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Credibility",
		Description: "Information credibility on the Admiralty scale: 1 confirmed, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged.",
		Fields: graphql.Fields{
			"grade": intField(func(v any) int { return v.(graph.Credibility).Grade }),
			"label": {Type: nonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Credibility).Label, nil }},
			"why":   {Type: nonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Credibility).Why, nil }},
		},
	})
	echo = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Echo",
		Description: "How an outlet carries claims.",
		Fields: graphql.Fields{
			"appearances": intField(func(v any) int { return v.(graph.Echo).Appearances }),
			"firstHand":   intField(func(v any) int { return v.(graph.Echo).FirstHand() }),
			"secondHand":  intField(func(v any) int { return v.(graph.Echo).SecondHand }),
			"anonymousOrigin": {Type: nonNull(graphql.Int), Description: "Appearances with a chain ending at an anonymous official.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Echo).AnonymousOrigin, nil }},
			"partial": {Type: nonNull(graphql.Boolean), Description: "Only the first 10,000 appearances were counted.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Echo).Partial, nil }},
		},
	})
	return rng, cred, echo
}
