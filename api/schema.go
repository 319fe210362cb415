package api

import (
	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
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
	order                                      *gql.Order // what graphql-go's maps forget
}

// The schema declares its fields, arguments, input fields and enum values
// in lists, not in graphql-go's maps (graphql.Fields and the like), so that
// introspection lists them in the order written here: t.fields,
// t.inputObject and enumOf record it (gql.Order) and build graphql-go's
// maps. TestSchemaOrderDeclared checks that no member escapes them.

// field is one field of an object or interface type.
type field struct {
	Name, Description string
	Type              graphql.Output
	Args              []*inputValue
	Resolve           graphql.FieldResolveFn
}

// fieldList is the fields of a type, in order.
type fieldList []*field

// inputValue is one argument of a field or one field of an input object.
type inputValue struct {
	Name, Description string
	Type              graphql.Input
	Default           any
}

// fields records the order of a type's fields and of their arguments and
// returns them as graphql-go's map.
func (t *types) fields(typ string, fs fieldList) graphql.Fields {
	out := make(graphql.Fields, len(fs))
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
		args := make(graphql.FieldConfigArgument, len(f.Args))
		argNames := make([]string, len(f.Args))
		for j, a := range f.Args {
			argNames[j] = a.Name
			args[a.Name] = &graphql.ArgumentConfig{Type: a.Type, DefaultValue: a.Default, Description: a.Description}
		}
		out[f.Name] = &graphql.Field{Name: f.Name, Type: f.Type, Args: args, Resolve: f.Resolve, Description: f.Description}
		t.order.DeclareArgs(typ, f.Name, argNames...)
	}
	t.order.Declare(typ, names...)
	return out
}

// inputObject builds an input object type whose fields, in order, fields
// returns when the schema is built (so that they may refer to the type
// itself).
func (t *types) inputObject(name, desc string, fields func() []*inputValue) *graphql.InputObject {
	return graphql.NewInputObject(graphql.InputObjectConfig{Name: name, Description: desc,
		Fields: graphql.InputObjectConfigFieldMapThunk(func() graphql.InputObjectConfigFieldMap {
			fs := fields()
			out := make(graphql.InputObjectConfigFieldMap, len(fs))
			names := make([]string, len(fs))
			for i, f := range fs {
				names[i] = f.Name
				out[f.Name] = &graphql.InputObjectFieldConfig{Type: f.Type, DefaultValue: f.Default, Description: f.Description}
			}
			t.order.Declare(name, names...)
			return out
		})})
}

// inputList returns a fixed list of input values, for inputObject.
func inputList(vs ...*inputValue) func() []*inputValue { return func() []*inputValue { return vs } }

// inputField is an input value.
func inputField(name string, typ graphql.Input, desc string) *inputValue {
	return &inputValue{Name: name, Type: typ, Description: desc}
}

// schemaDescription is the schema's own description (__Schema.description).
const schemaDescription = "hearsay: a knowledge graph of who said what, and who repeated it. " +
	"Claims appear in reports published by outlets and are attributed to officials, reports or outlets; " +
	"hearsay traces each claim's attribution chains to their origins, counts the independent ones, and judges " +
	"sources and information on the Admiralty scale. Queries read; mutations, with a bearer token, write; " +
	"subscriptions stream changes over Server-Sent Events."

// newSchema builds the GraphQL schema of DESIGN.md section 3 over the
// server's graph, and what its introspection answers with.
func newSchema(s *Server) (graphql.Schema, *gql.Introspection, error) {
	gql.UpgradeIntrospection()
	t := &types{order: gql.NewOrder()}
	t.reliability = enumOf(t, "Reliability", "Source reliability on the Admiralty scale (STANAG 2511): A completely reliable … E unreliable, F cannot be judged. An unrated source counts as F.",
		[]valueDoc[graph.Reliability]{
			{graph.ReliabilityA, "Completely reliable: weighs 1.0 in a chain's confidence."},
			{graph.ReliabilityB, "Usually reliable: weighs 0.85."},
			{graph.ReliabilityC, "Fairly reliable: weighs 0.7."},
			{graph.ReliabilityD, "Not usually reliable: weighs 0.4."},
			{graph.ReliabilityE, "Unreliable: weighs 0.2."},
			{graph.ReliabilityF, "Reliability cannot be judged, as for an unrated source: weighs 0.5."},
		})
	t.outletType = enumOf(t, "OutletType", "What kind of publisher an outlet is.",
		[]valueDoc[graph.OutletType]{
			{graph.OutletNewspaper, "A newspaper, in print or online."},
			{graph.OutletBroadcaster, "A television or radio broadcaster."},
			{graph.OutletWireAgency, "A news agency selling its reporting to other outlets (Reuters, AP, AFP)."},
			{graph.OutletMagazine, "A magazine."},
			{graph.OutletOnline, "A news site that publishes only online."},
			{graph.OutletBlog, "A blog or newsletter."},
			{graph.OutletGovernment, "A government's or an institution's own publication: a ministry site, a press office."},
			{graph.OutletSocialAccount, "An account on a social network."},
		})
	t.form = enumOf(t, "OfficialForm", "Whether an official is a person, a group or an institution.",
		[]valueDoc[graph.OfficialForm]{
			{graph.FormPerson, "One person, named or not (\"a senior official\")."},
			{graph.FormGroup, "Several people speaking together (\"US negotiators\")."},
			{graph.FormInstitution, "An institution speaking as one (a ministry, a company, a court)."},
		})
	t.status = enumOf(t, "ReportStatus", "The editorial state of a report.",
		[]valueDoc[graph.ReportStatus]{
			{graph.StatusPublished, "Published and standing."},
			{graph.StatusCorrected, "Published, then corrected: chains through it are flagged CORRECTED and their confidence multiplied by 0.9."},
			{graph.StatusRetracted, "Withdrawn by its outlet: chains through it are flagged RETRACTED and their confidence multiplied by 0.1; an origin only behind retracted reports is not counted."},
		})
	t.mode = enumOf(t, "AttributionMode", "How a report carries or attributes a claim, from the linguistics of reported speech.",
		[]valueDoc[graph.Mode]{
			{graph.ModeDirectQuote, "The words are quoted as spoken or printed."},
			{graph.ModeParaphrase, "The content is restated in the reporter's words."},
			{graph.ModeCitesReport, "The report relies on another report."},
			{graph.ModeTranslation, "The words are translated from another language."},
			{graph.ModeAggregation, "The report compiles other reporting."},
			{graph.ModeUnattributed, "No source is given."},
		})
	t.verdict = enumOf(t, "Verdict", "A fact-checker's verdict, normalised (ClaimReview style).",
		[]valueDoc[graph.Verdict]{
			{graph.VerdictTrue, "Accurate."},
			{graph.VerdictMostlyTrue, "Accurate but for details or context."},
			{graph.VerdictMixed, "Partly accurate, partly not."},
			{graph.VerdictMostlyFalse, "Inaccurate but for an element of truth; as the latest review, makes the claim improbable (5)."},
			{graph.VerdictFalse, "Inaccurate; as the latest review, makes the claim improbable (5)."},
			{graph.VerdictUnproven, "The evidence does not settle it."},
		})
	t.terminal = enumOf(t, "Terminal", "Why an attribution chain ended (DESIGN.md section 2.1).",
		[]valueDoc[graph.Terminal]{
			{graph.TerminalOfficial, "The chain reached an official, a primary source: its origin."},
			{graph.TerminalUnattributed, "The last report gives no source and cites none that carries the claim: its outlet's own reporting is the origin."},
			{graph.TerminalCitedReportUnrecorded, "Attributed to a report without a recorded appearance of the claim: the cited report's outlet is the origin."},
			{graph.TerminalOutletUnrecorded, "Attributed to an outlet without an earlier recorded report carrying the claim: the outlet is the origin."},
			{graph.TerminalCircular, "The chain came back to a report already on its path: no origin."},
			{graph.TerminalDepthLimit, "The chain was cut at maxDepth hops or at the trace's visit budget (flag VISIT_LIMIT): no origin."},
		})

	t.node = graphql.NewInterface(graphql.InterfaceConfig{
		Name:        "Node",
		Description: "Anything with a stable kind:slug ID.",
		Fields: t.fields("Node", fieldList{{Name: "id", Type: graphql.NewNonNull(graphql.ID),
			Description: "The node's ID, kind:slug: outlet:bbc, report:…, official:…, claim:…."}}),
		ResolveType: func(p graphql.ResolveTypeParams) *graphql.Object { return t.objectOf(p.Value) },
	})
	t.pageInfo = newPageInfo(t)
	t.rangeType, t.credibility, t.echo = newJudgementTypes(t)
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
	t.outletConn = connectionType(t, "Outlet", "by ID", t.outlet, t.pageInfo)
	t.reportConn = connectionType(t, "Report", "by ID", t.report, t.pageInfo)
	t.officialConn = connectionType(t, "Official", "by ID", t.official, t.pageInfo)
	t.claimConn = connectionType(t, "Claim", "by ID", t.claim, t.pageInfo)
	t.attributionConn = connectionType(t, "Attribution", "by claim, then report", t.attribution, t.pageInfo)
	t.outletFilter, t.reportFilter, t.officialFilter, t.claimFilter = newFilterTypes(t)
	t.importResult = newImportResultType(t)

	schema, err := graphql.NewSchema(graphql.SchemaConfig{
		Query:        newQueryType(s, t),
		Mutation:     newMutationType(s, t),
		Subscription: newSubscriptionType(s, t),
		Types:        []graphql.Type{t.outlet, t.report, t.official, t.claim},
		Directives:   gql.Directives(),
	})
	if err != nil {
		return schema, nil, err
	}
	return schema, gql.NewIntrospection(&schema, schemaDescription, t.order), nil
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

// valueDoc is a value of a domain enum and its description.
type valueDoc[E any] struct {
	value E
	desc  string
}

// enumOf builds a GraphQL enum from a domain enum's values, in order; each
// value is its own spelling.
func enumOf[E interface{ String() string }](t *types, name, desc string, values []valueDoc[E]) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = v.value.String()
		vals[v.value.String()] = &graphql.EnumValueConfig{Value: v.value.String(), Description: v.desc}
	}
	t.order.Declare(name, names...)
	e := graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
	// graphql-go v0.8.1 builds an enum's lookup maps lazily, on first use,
	// without a lock: concurrent first requests race. Build them now, while
	// the schema is still private to this goroutine.
	for _, name := range names {
		e.Serialize(name)
		e.ParseLiteral(&ast.EnumValue{Kind: "EnumValue", Value: name})
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
		Fields: t.fields("Rating", fieldList{
			{Name: "rating", Type: nonNull(t.reliability), Description: "The grade.", Resolve: enumValue(func(v any) graph.Reliability { return r(v).Rating })},
			{Name: "ratedBy", Type: graphql.String, Description: "Who gave it; null when unknown.", Resolve: str(func(v any) string { return r(v).RatedBy })},
			{Name: "ratedAt", Type: graphql.String, Description: "When it was given, as precise as is known (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339); it is in force from then until the next rating.", Resolve: date(func(v any) graph.Date { return r(v).RatedAt })},
			{Name: "note", Type: graphql.String, Description: "Why, in a sentence; null when none was given.", Resolve: str(func(v any) string { return r(v).Note })},
		}),
	})
}

func newReviewType(t *types) *graphql.Object {
	r := func(v any) graph.Review { return v.(graph.Review) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Review",
		Description: "A fact-checker's verdict on a claim (ClaimReview style).",
		Fields: t.fields("Review", fieldList{
			{Name: "verdict", Type: nonNull(t.verdict), Description: "The verdict, normalised.", Resolve: enumValue(func(v any) graph.Verdict { return r(v).Verdict })},
			{Name: "reviewedBy", Type: nonNull(graphql.String), Description: "The fact-checker.", Resolve: str(func(v any) string { return r(v).ReviewedBy })},
			{Name: "reviewedAt", Type: graphql.String, Description: "When the review was published, as precise as is known; null when unknown.", Resolve: date(func(v any) graph.Date { return r(v).ReviewedAt })},
			{Name: "url", Type: graphql.String, Description: "The fact-check article; null when unknown.", Resolve: str(func(v any) string { return r(v).URL })},
			{Name: "title", Type: graphql.String, Description: "The fact-check article's headline; null when unknown.",
				Resolve: str(func(v any) string { return r(v).Title })},
			{Name: "ratingText", Type: graphql.String, Description: "The rating as the fact-checker printed it (\"Pants on Fire\"), beside the normalised verdict.",
				Resolve: str(func(v any) string { return r(v).RatingText })},
		}),
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

func newJudgementTypes(t *types) (rng, cred, echo *graphql.Object) {
	intField := func(name, desc string, get func(any) int) *field {
		return &field{Name: name, Type: nonNull(graphql.Int), Description: desc, Resolve: func(p graphql.ResolveParams) (any, error) { return get(p.Source), nil }}
	}
	rng = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Range",
		Description: "A count known only within bounds.",
		Fields: t.fields("Range", fieldList{
			intField("min", "The least the count may be.", func(v any) int { return v.(graph.Range).Min }),
			intField("max", "The most the count may be.", func(v any) int { return v.(graph.Range).Max }),
		}),
	})
	cred = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Credibility",
		Description: "Information credibility on the Admiralty scale: 1 confirmed, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged.",
		Fields: t.fields("Credibility", fieldList{
			intField("grade", "1 to 6: 1 confirmed, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged.", func(v any) int { return v.(graph.Credibility).Grade }),
			{Name: "label", Type: nonNull(graphql.String), Description: "The grade in words: \"possibly true\".", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Credibility).Label, nil }},
			{Name: "why", Type: nonNull(graphql.String), Description: "The grade's reason in one sentence: reports, independent origins and their ratings, the rule that applied.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Credibility).Why, nil }},
		}),
	})
	echo = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Echo",
		Description: "How an outlet carries claims.",
		Fields: t.fields("Echo", fieldList{
			intField("appearances", "The claims' appearances in the outlet's reports (counted up to 10,000: see partial).", func(v any) int { return v.(graph.Echo).Appearances }),
			intField("firstHand", "Appearances the outlet carries on its own reporting: appearances minus secondHand.", func(v any) int { return v.(graph.Echo).FirstHand() }),
			intField("secondHand", "Appearances the outlet repeats from other reports or outlets: attributed to them, or citing them when it names no source.", func(v any) int { return v.(graph.Echo).SecondHand }),
			{Name: "anonymousOrigin", Type: nonNull(graphql.Int), Description: "Appearances with a chain ending at an anonymous official.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Echo).AnonymousOrigin, nil }},
			{Name: "partial", Type: nonNull(graphql.Boolean), Description: "Only the first 10,000 appearances were counted.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Echo).Partial, nil }},
		}),
	})
	return rng, cred, echo
}
