package api

import (
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/graph"
)

// The query limits, checked after validation and before execution.
// graphql-go has none built in.
//
// Depth is the deepest nesting of fields, following fragments.
//
// Complexity estimates the fields a query may resolve: each field costs 1,
// and the cost of a list field's selection is multiplied by how many items
// it may return, read from the field's type in the schema: its `first`
// argument for connections, the fields that take one (default 20, at most
// 100), and listWeight for plain GraphQL lists (chains, hops, appearances,
// ...). A new list field is costed without being named here.
//
// Fields that do work of their own cost more than 1, the weights below
// (workWeights), whatever they select. A filtered list scans (its totalCount counts every
// match, so the scan is paid whether or not totalCount is asked for, and
// totalCount itself costs 1). These bound what runs before anything does;
// the run's own limits (meter.go) stop what the estimate cannot foresee,
// such as how many chains a trace returns.
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
)

// filterWeights are the weights of the filter keys.
var filterWeights = map[string]int{
	"search": scanWeight, "topic": scanWeight, "country": scanWeight, "outletType": scanWeight,
	"status": scanWeight, "anonymous": scanWeight, "form": scanWeight,
	"echo":   scanWeight + echoFilterWeight,
	"report": edgeWeight, "source": edgeWeight, "outlet": edgeWeight, "cites": edgeWeight,
}

// workWeights are the fields that do work of their own, by type and
// field. The items a field returns are costed from its type (multiplier);
// these are about its resolver. TestWorkWeightsNameFields keeps them on
// fields the schema has.
var workWeights = map[string]int{
	"Claim.chains":             traceWeight,
	"Claim.origins":            traceWeight,
	"Claim.independentOrigins": traceWeight,
	"Claim.credibility":        traceWeight,
	"Claim.firstAppearance":    firstAppearanceWeight,
	"Outlet.echo":              echoWeight,
}

// complexity estimates the cost of one operation with the request's
// variables. It stops counting once past limit.
func complexity(schema *graphql.Schema, op *ast.OperationDefinition, frags map[string]*ast.FragmentDefinition, vars map[string]any, limit int) int {
	// A variable the request leaves out takes its default from the
	// operation.
	all := make(map[string]any, len(vars))
	for _, def := range op.VariableDefinitions {
		if v, ok := def.DefaultValue.(*ast.IntValue); ok && def.Variable != nil {
			n, _ := strconv.Atoi(v.Value)
			all[def.Variable.Name.Value] = n
		}
	}
	for k, v := range vars {
		all[k] = v
	}
	c := &costing{schema: schema, frags: frags, vars: all, limit: limit, visiting: map[string]bool{}}
	root := schema.QueryType()
	if op.Operation == ast.OperationTypeMutation {
		root = schema.MutationType()
	}
	return c.set(op.SelectionSet, root, true, false)
}

type costing struct {
	schema   *graphql.Schema
	frags    map[string]*ast.FragmentDefinition
	vars     map[string]any
	limit    int
	visiting map[string]bool
}

// set costs a selection set on the type parent; root is true for the
// operation's own, paged for a connection's, whose lists its `first`
// already counts.
func (c *costing) set(set *ast.SelectionSet, parent graphql.Type, root, paged bool) int {
	if set == nil {
		return 0
	}
	total := 0
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			def := c.field(parent, s.Name.Value)
			if def == nil { // __typename, or nothing validation would pass
				total++
				break
			}
			total += 1 + c.work(parent, s, def, root) +
				c.multiplier(parent, s, def, paged)*c.set(s.SelectionSet, named(def.Type), false, hasFirst(def))
		case *ast.InlineFragment:
			total += c.set(s.SelectionSet, c.condition(s.TypeCondition, parent), root, paged)
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := c.frags[name]; ok && !c.visiting[name] {
				c.visiting[name] = true
				total += c.set(f.SelectionSet, c.condition(f.TypeCondition, parent), root, paged)
				delete(c.visiting, name)
			}
		}
		if total > c.limit {
			return total // past the limit: the exact figure no longer matters
		}
	}
	return total
}

// condition is the type a fragment's fields are on.
func (c *costing) condition(cond *ast.Named, parent graphql.Type) graphql.Type {
	if cond == nil || cond.Name == nil {
		return parent
	}
	if t := c.schema.Type(cond.Name.Value); t != nil {
		return t
	}
	return parent
}

// field is the definition of a field of parent, with the introspection
// fields of the query type; nil when it has none.
func (c *costing) field(parent graphql.Type, name string) *graphql.FieldDefinition {
	if parent == c.schema.QueryType() {
		switch name {
		case "__schema":
			return graphql.SchemaMetaFieldDef
		case "__type":
			return graphql.TypeMetaFieldDef
		}
	}
	var fields graphql.FieldDefinitionMap
	switch t := parent.(type) {
	case *graphql.Object:
		fields = t.Fields()
	case *graphql.Interface:
		fields = t.Fields()
	}
	return fields[name]
}

// hasFirst reports whether a field is a connection: it takes `first`.
func hasFirst(def *graphql.FieldDefinition) bool {
	for _, arg := range def.Args {
		if arg.Name() == "first" {
			return true
		}
	}
	return false
}

// isList reports whether a field's type is a GraphQL list.
func isList(t graphql.Type) bool {
	if nn, ok := t.(*graphql.NonNull); ok {
		t = nn.OfType
	}
	_, ok := t.(*graphql.List)
	return ok
}

// multiplier is how many items a field may return: a connection's `first`
// (default 20, at most 100), listWeight for a plain list, 1 for the rest.
// A connection's own lists (edges) are its page, counted by its `first`;
// introspection's lists are bounded by the schema.
func (c *costing) multiplier(parent graphql.Type, f *ast.Field, def *graphql.FieldDefinition, paged bool) int {
	if hasFirst(def) {
		return c.first(f)
	}
	if !isList(def.Type) || paged || strings.HasPrefix(parent.Name(), "__") {
		return 1
	}
	return listWeight
}

// first is the page size a connection field asks for.
func (c *costing) first(f *ast.Field) int {
	n := graph.DefaultPageSize
	for _, arg := range f.Arguments {
		if arg.Name.Value != "first" {
			continue
		}
		switch v := arg.Value.(type) {
		case *ast.IntValue:
			n, _ = strconv.Atoi(v.Value)
		case *ast.Variable:
			switch x := c.vars[v.Name.Value].(type) {
			case float64:
				n = int(x)
			case int:
				n = x
			}
		}
	}
	return min(max(n, 1), graph.MaxPageSize)
}

// work is what a field costs beyond 1 for the work it does itself; root
// is true for the operation's own fields.
func (c *costing) work(parent graphql.Type, f *ast.Field, def *graphql.FieldDefinition, root bool) int {
	if w, ok := workWeights[parent.Name()+"."+def.Name]; ok {
		return w
	}
	if !hasFirst(def) {
		return 0
	}
	for _, arg := range f.Arguments {
		if arg.Name.Value == "filter" {
			return c.filterWork(arg.Value)
		}
	}
	if root {
		return 0 // a page of a kind, its total a counter
	}
	return edgeWeight // a node's edges, counted whole
}

// filterWork is the weight of a filter: the heaviest of its keys.
func (c *costing) filterWork(v ast.Value) int {
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
		m, ok := c.vars[v.Name.Value].(map[string]any)
		if !ok {
			return scanWeight + echoFilterWeight // unknown: the worst
		}
		for k := range m {
			key(k)
		}
	}
	return max(w, edgeWeight)
}

// named is a type with its lists and non-nulls taken off.
func named(t graphql.Type) graphql.Type {
	for {
		switch w := t.(type) {
		case *graphql.NonNull:
			t = w.OfType
		case *graphql.List:
			t = w.OfType
		default:
			return t
		}
	}
}
