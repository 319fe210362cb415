package gql

import (
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// Costs are what a schema's fields cost in Complexity beyond the shape of
// their types.
type Costs struct {
	// ListWeight is how many items a plain GraphQL list is taken to hold.
	ListWeight int
	// DefaultPage and MaxPage bound a connection's `first`.
	DefaultPage, MaxPage int
	// Work is what a field costs beyond 1 for the work its resolver does,
	// whatever it selects; root is true for the operation's own fields,
	// and vars are the operation's variables, defaults included.
	Work func(parent graphql.Type, f *ast.Field, def *graphql.FieldDefinition, root bool, vars map[string]any) int
}

// Complexity estimates the fields an operation may resolve with the
// request's variables: each field costs 1 and its Work, and the cost of a
// field's selection is multiplied by how many items it may return, read
// from its type in the schema: a connection (a field that takes `first`)
// its `first`, a plain list ListWeight. It stops counting once past limit.
func Complexity(schema *graphql.Schema, op *ast.OperationDefinition, frags map[string]*ast.FragmentDefinition, vars map[string]any, limit int, costs *Costs) int {
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
	c := &costing{schema: schema, costs: costs, frags: frags, vars: all, limit: limit, visiting: map[string]bool{}}
	root := schema.QueryType()
	switch op.Operation {
	case ast.OperationTypeMutation:
		root = schema.MutationType()
	case ast.OperationTypeSubscription:
		root = schema.SubscriptionType()
	}
	return c.set(op.SelectionSet, root, true, false)
}

type costing struct {
	schema   *graphql.Schema
	costs    *Costs
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
			total += 1 + c.costs.Work(parent, s, def, root, c.vars) +
				c.multiplier(parent, s, def, paged)*c.set(s.SelectionSet, named(def.Type), false, HasFirst(def))
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

// HasFirst reports whether a field is a connection: it takes `first`.
func HasFirst(def *graphql.FieldDefinition) bool {
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
// (DefaultPage, at most MaxPage), ListWeight for a plain list, 1 for the
// rest.
// A connection's own lists (edges) are its page, counted by its `first`;
// introspection's lists are bounded by the schema.
func (c *costing) multiplier(parent graphql.Type, f *ast.Field, def *graphql.FieldDefinition, paged bool) int {
	if HasFirst(def) {
		return c.first(f)
	}
	if !isList(def.Type) || paged || strings.HasPrefix(parent.Name(), "__") {
		return 1
	}
	return c.costs.ListWeight
}

// first is the page size a connection field asks for.
func (c *costing) first(f *ast.Field) int {
	n := c.costs.DefaultPage
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
	return min(max(n, 1), c.costs.MaxPage)
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
