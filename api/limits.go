package api

import (
	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
	"hearsay/graph"
)

// The query limits, checked after validation and before execution.
// graphql-go has none built in.
//
// Depth is the deepest nesting of fields, following fragments (gql.Depth).
//
// Complexity estimates the fields a query may resolve (gql.Complexity):
// each field costs 1, and the cost of a list field's selection is
// multiplied by how many items it may return, read from the field's type
// in the schema: its `first` argument for connections, the fields that
// take one (default 20, at most 100), and listWeight for plain GraphQL
// lists (chains, hops, appearances, ...). A new list field is costed
// without being named here.
//
// Fields that do work of their own cost more than 1, the weights below
// (workWeights, filterWeights), whatever they select. A filtered list
// scans (its totalCount counts every match, so the scan is paid whether or
// not totalCount is asked for, and totalCount itself costs 1). These bound
// what runs before anything does; the run's own limits (meter.go) stop
// what the estimate cannot foresee, such as how many chains a trace
// returns.
const (
	DefaultMaxDepth      = 20
	DefaultMaxComplexity = 20_000
	listWeight           = 10
	// traceWeight: chains, origins, independentOrigins and credibility
	// trace the claim (up to 10,000 appearances visited).
	traceWeight = 100
	// echoWeight: an outlet's echo traces every appearance it carries.
	echoWeight = 100
	// scanWeight: a filter that reads every candidate (search, topic,
	// country, outletType, status, anonymous, form). Ten such lists fit
	// the default limit; forty search aliases took 10.6 s of CPU.
	scanWeight = 2_000
	// echoFilterWeight: outlets(filter: {echo: …}) judges the echo of
	// every outlet it scans, on top of the scan.
	echoFilterWeight = 2_000
	// edgeWeight: a list of one node's edges (Outlet.reports,
	// Official.attributions, filters by report, source, outlet or cites),
	// counted whole for its totalCount.
	edgeWeight = 100
	// firstAppearanceWeight: reads every report the claim appears in.
	firstAppearanceWeight = 10
	// extractWeight: Query.extract reads a text of up to MaxExtractBytes
	// (twice: nested attributions are read again) and proposes records
	// for it, looking sources up in the graph (two scans: up to 5,000
	// outlets and 5,000 officials). Four fit the default limit.
	extractWeight = 5_000
	// matchWeight: Query.similarClaims reads the postings of every term
	// of a text of up to graph.MaxMatchRunes characters (a few hundred
	// terms; a common term's postings are a good part of the claims).
	matchWeight = 500
)

// filterWeights are the weights of the filter keys.
var filterWeights = map[string]int{
	"search": scanWeight, "topic": scanWeight, "country": scanWeight, "outletType": scanWeight,
	"status": scanWeight, "anonymous": scanWeight, "form": scanWeight,
	"echo":   scanWeight + echoFilterWeight,
	"report": edgeWeight, "source": edgeWeight, "outlet": edgeWeight, "cites": edgeWeight,
}

// workWeights are the fields that do work of their own, by type and
// field. The items a field returns are costed from its type (gql.Complexity);
// these are about its resolver. TestWorkWeightsNameFields keeps them on
// fields the schema has.
var workWeights = map[string]int{
	"Claim.chains":             traceWeight,
	"Claim.origins":            traceWeight,
	"Claim.independentOrigins": traceWeight,
	"Claim.credibility":        traceWeight,
	"Claim.firstAppearance":    firstAppearanceWeight,
	"Outlet.echo":              echoWeight,
	"Query.extract":            extractWeight,
	"Query.similarClaims":      matchWeight,
}

// costs are the schema's for gql.Complexity.
var costs = &gql.Costs{ListWeight: listWeight, DefaultPage: graph.DefaultPageSize, MaxPage: graph.MaxPageSize, Work: work}

// complexity estimates the cost of one operation with the request's
// variables (gql.Complexity). It stops counting once past limit.
// costArgs are the arguments whose values complexity reads: an operation
// without a variable in any of them costs the same on every request.
var costArgs = []string{"first", "filter"}

func complexity(schema *graphql.Schema, op *ast.OperationDefinition, frags map[string]*ast.FragmentDefinition, vars map[string]any, limit int) int {
	return gql.Complexity(schema, op, frags, vars, limit, costs)
}

// work is what a field costs beyond 1 for the work it does itself; root
// is true for the operation's own fields.
func work(parent graphql.Type, f *ast.Field, def *graphql.FieldDefinition, root bool, vars map[string]any) int {
	if w, ok := workWeights[parent.Name()+"."+def.Name]; ok {
		return w
	}
	if !gql.HasFirst(def) {
		return 0
	}
	for _, arg := range f.Arguments {
		if arg.Name.Value == "filter" {
			return filterWork(arg.Value, vars)
		}
	}
	if root {
		return 0 // a page of a kind, its total a counter
	}
	return edgeWeight // a node's edges, counted whole
}

// filterWork is the weight of a filter: the heaviest of its keys.
func filterWork(v ast.Value, vars map[string]any) int {
	w := 0
	key := func(k string) {
		if filterWeights[k] > w {
			w = filterWeights[k]
		}
	}
	switch v := v.(type) {
	case *ast.ObjectValue:
		for _, f := range v.Fields {
			key(f.Name.Value)
		}
	case *ast.Variable:
		m, ok := vars[v.Name.Value].(map[string]any)
		if !ok {
			return scanWeight + echoFilterWeight // unknown: the worst
		}
		for k := range m {
			key(k)
		}
	}
	return max(w, edgeWeight)
}
