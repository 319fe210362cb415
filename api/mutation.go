package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"hearsay/fixtures"
	"hearsay/fixtures/claimreview"
	"hearsay/graph"
)

// The mutations: each noun file (outlet.go, report.go, official.go,
// claim.go) holds its own, with their input types and conversions; here
// are what they share, and the mutations of more than one noun.

// inputs holds the mutation input types.
type inputs struct {
	rating, review, attribution, appearance *graphql.InputObject
	outlet, outletUpd, report, reportUpd    *graphql.InputObject
	official, officialUpd, claim, claimUpd  *graphql.InputObject
}

// dateDesc describes a date input.
const dateDesc = "YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time."

func newInputs(t *types) *inputs {
	in := &inputs{}
	in.rating = t.inputObject("RatingInput", "One rating on the Admiralty scale.", inputList(
		inputField("rating", nonNull(t.reliability), "The grade, A (completely reliable) to F (cannot be judged)."),
		inputField("ratedBy", graphql.String, "Who gave the rating."),
		inputField("ratedAt", graphql.String, "When the rating was given: "+dateDesc+" Default: today."),
		inputField("note", graphql.String, "Why, in a sentence."),
	))
	addClaimInputs(t, in)
	addOutletInputs(t, in)
	addReportInputs(t, in)
	addOfficialInputs(t, in)
	return in
}

// importAnswer is what importDataset answers: what the load wrote, and
// the new claims that may repeat stored ones.
type importAnswer struct {
	fixtures.Result
	matches []graph.NewClaimMatches
}

func newImportResultType(t *types) *graphql.Object {
	count := func(name, desc string, get func(fixtures.Result) int) *field {
		return &field{Name: name, Type: nonNull(graphql.Int), Description: desc, Resolve: func(p graphql.ResolveParams) (any, error) {
			return get(p.Source.(importAnswer).Result), nil
		}}
	}
	t.newClaimMatches = graphql.NewObject(graphql.ObjectConfig{
		Name:        "NewClaimMatches",
		Description: "A claim the import added and the claims stored before it that may say the same, so that a person can merge them.",
		Fields: t.fields("NewClaimMatches", fieldList{
			{Name: "claim", Type: nonNull(t.claim), Description: "The claim the import added.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.NewClaimMatches).Claim, nil }},
			{Name: "similar", Type: listOf(t.claimMatch), Description: "The claims stored before the import that may say the same, best first.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.NewClaimMatches).Similar, nil }},
		}),
	})
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "ImportResult",
		Description: "What an importDataset wrote.",
		Fields: t.fields("ImportResult", fieldList{
			count("nodes", "The nodes the load wrote, of every kind.", func(r fixtures.Result) int { return r.Nodes }),
			count("edges", "The edges the load wrote: publications, appearances, attributions, citations, possibly-same-as links.", func(r fixtures.Result) int { return r.Edges }),
			count("outlets", "The outlets the load wrote.", func(r fixtures.Result) int { return r.Counts[graph.KindOutlet] }),
			count("officials", "The officials the load wrote.", func(r fixtures.Result) int { return r.Counts[graph.KindOfficial] }),
			count("reports", "The reports the load wrote.", func(r fixtures.Result) int { return r.Counts[graph.KindReport] }),
			count("claims", "The claims the load wrote.", func(r fixtures.Result) int { return r.Counts[graph.KindClaim] }),
			{Name: "matches", Type: listOf(t.newClaimMatches),
				Description: "With matchThreshold: each claim of the dataset that was not stored before, with the claims stored " +
					"before the import scoring at least matchThreshold against it (as similarClaims scores); claims without any are left out. " +
					"Empty without matchThreshold.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					if m := p.Source.(importAnswer).matches; m != nil {
						return m, nil
					}
					return []graph.NewClaimMatches{}, nil
				}},
		}),
	})
}

// matchingGraph ranks the new claims of a dataset against the stored ones
// just before importing it.
type matchingGraph struct {
	graph.Graph
	threshold float64
	first     int
	found     []graph.NewClaimMatches
}

func (g *matchingGraph) ImportDataset(ctx context.Context, ds *graph.Dataset) (graph.ImportResult, error) {
	var err error
	if g.found, err = graph.MatchNewClaims(ctx, g.Graph, ds.Claims, g.threshold, g.first); err != nil {
		return graph.ImportResult{}, err
	}
	return g.Graph.ImportDataset(ctx, ds)
}

// importDataset loads a dataset, reporting the matches of its new claims
// when a threshold is given.
func (mt *mutations) importDataset(ctx context.Context, a map[string]any) (any, error) {
	var g graph.Graph = mt.g()
	var mg *matchingGraph
	if th, ok := a["matchThreshold"].(float64); ok {
		first, _ := argInt(a, "matchFirst")
		if th < 0 {
			return nil, graph.Errorf(graph.EINVALID, "matchThreshold: must not be negative, got %v", th)
		}
		if first < 1 || first > graph.MaxMatches {
			return nil, graph.Errorf(graph.EINVALID, "matchFirst: must be between 1 and %d, got %d", graph.MaxMatches, first)
		}
		mg = &matchingGraph{Graph: g, threshold: th, first: first}
		g = mg
	}
	data := argString(a, "data")
	load := fixtures.Load
	if claimreview.Detect([]byte(data[:min(len(data), 64<<10)])) {
		load = claimreview.Load
	}
	res, err := load(ctx, g, "data", strings.NewReader(data), fixtures.Options{})
	if err != nil {
		return nil, err
	}
	out := importAnswer{Result: res}
	if mg != nil {
		out.matches = mg.found
	}
	return out, nil
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

// mutations builds the fields of the Mutation type.
type mutations struct {
	s  *Server
	t  *types
	in *inputs
}

func newMutationType(s *Server, t *types) *graphql.Object {
	mt := &mutations{s: s, t: t, in: newInputs(t)}
	var fields fieldList
	for _, f := range []fieldList{mt.outletMutations(), mt.reportMutations(), mt.officialMutations(), mt.claimMutations(), mt.nodeMutations()} {
		fields = append(fields, f...)
	}
	return graphql.NewObject(graphql.ObjectConfig{Name: "Mutation",
		Description: "Writes, each atomic: they need Authorization: Bearer <token>. Each answers the node as written (a delete its ID); a refused write (BAD_USER_INPUT, NOT_FOUND, CONFLICT) changes nothing.",
		Fields:      t.fields("Mutation", fields)})
}

// mutate wraps a write: it runs only for authorised requests (checked
// before execution), converts errors, and makes later fields of the
// request see the write.
func (mt *mutations) mutate(name string, typ graphql.Output, desc string, args []*inputValue, fn func(context.Context, map[string]any) (any, error)) *field {
	return &field{Name: name, Type: typ, Description: desc, Args: args, Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
		l := mt.s.loaderFrom(p.Context)
		l.forget()
		out, err := fn(p.Context, p.Args)
		l.forget()
		return out, err
	})}
}

func (mt *mutations) g() graph.Graph { return mt.s.cfg.Graph }

// idArgDocs describes the ID arguments of the mutations, by name.
var idArgDocs = map[string]string{
	"id":     "The node's ID (kind:slug).",
	"claim":  "The claim's ID (claim:slug).",
	"report": "The report's ID (report:slug).",
	"cites":  "The ID of the report cited.",
	"source": "The ID of the official, report or outlet the claim is attributed to.",
}

// idArg is a required ID argument of a mutation.
func idArg(name string) *inputValue {
	return &inputValue{Name: name, Type: nonNull(graphql.ID), Description: idArgDocs[name]}
}

// inputArg is the required input argument of a mutation.
func inputArg(typ *graphql.InputObject) *inputValue {
	return &inputValue{Name: "input", Type: nonNull(typ), Description: "What to write, as " + typ.Name() + " describes it."}
}

func cascadeArg() *inputValue {
	return &inputValue{Name: "cascade", Type: graphql.Boolean, Default: false,
		Description: "Also remove the edges that refer to the node (and, for an outlet, its reports); without it, a node something refers to is not deleted (CONFLICT)."}
}

// deleted answers a delete with the deleted ID.
func deleted(id string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return id, nil
}

// nodeMutations are the mutations of more than one noun: addRating (outlets and
// officials) and importDataset.
func (mt *mutations) nodeMutations() fieldList {
	return fieldList{
		mt.mutate("addRating", nonNull(mt.t.node), "Adds a rating to an outlet's or official's history.",
			[]*inputValue{idArg("id"), inputArg(mt.in.rating)},
			func(ctx context.Context, a map[string]any) (any, error) {
				r, err := ratingOf(argObject(a, "input"))
				if err != nil {
					return nil, err
				}
				id := argString(a, "id")
				if err := mt.g().AddRating(ctx, id, r); err != nil {
					return nil, err
				}
				return mt.s.loaderFrom(ctx).node(ctx, id)
			}),
		mt.mutate("importDataset", nonNull(mt.t.importResult),
			"Loads a hearsay/v1 dataset (JSON document or NDJSON) or schema.org ClaimReview JSON-LD (one object, an array or @graph; told apart by content) all or nothing, with the same checks and errors as 'hearsay load'.",
			[]*inputValue{
				{Name: "data", Type: nonNull(graphql.String), Description: "The dataset's text, within the request body limit."},
				{Name: "matchThreshold", Type: graphql.Float, Description: fmt.Sprintf("Report in matches, for each new claim (at most %d), "+
					"the claims stored before the import that score at least this much against it, as similarClaims scores. "+
					"Default: null, no matches reported.", graph.MaxMatchedClaims)},
				{Name: "matchFirst", Type: graphql.Int, Default: 3, Description: fmt.Sprintf("At most this many matches a new claim, 1 to %d.", graph.MaxMatches)},
			},
			mt.importDataset),
	}
}
