package api

import (
	"strconv"

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
// it may return: its `first` argument for connections (default 20, at most
// 100), and listWeight for the plain lists of the schema (chains, hops,
// appearances, ...).
const (
	DefaultMaxDepth      = 20
	DefaultMaxComplexity = 20_000
	listWeight           = 10
)

// plainLists are the schema's list fields without a `first` argument.
var plainLists = map[string]bool{
	"chains": true, "hops": true, "appearances": true, "attributions": true, "origins": true,
	"cites": true, "citedBy": true, "ratings": true, "reviews": true, "possiblySameAs": true,
	"flags": true, "topics": true,
}

// depth returns the deepest field nesting of the document's operations.
func depth(doc *ast.Document) int {
	frags := fragments(doc)
	max := 0
	for _, def := range doc.Definitions {
		if op, ok := def.(*ast.OperationDefinition); ok {
			if d := selectionDepth(op.SelectionSet, frags, map[string]bool{}); d > max {
				max = d
			}
		}
	}
	return max
}

func selectionDepth(set *ast.SelectionSet, frags map[string]*ast.FragmentDefinition, visiting map[string]bool) int {
	if set == nil {
		return 0
	}
	max := 0
	for _, sel := range set.Selections {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + selectionDepth(s.SelectionSet, frags, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, visiting)
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := frags[name]; ok && !visiting[name] {
				visiting[name] = true
				d = selectionDepth(f.SelectionSet, frags, visiting)
				delete(visiting, name)
			}
		}
		if d > max {
			max = d
		}
	}
	return max
}

func fragments(doc *ast.Document) map[string]*ast.FragmentDefinition {
	frags := make(map[string]*ast.FragmentDefinition)
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok {
			frags[f.Name.Value] = f
		}
	}
	return frags
}

// complexity estimates the cost of one operation with the request's
// variables. It stops counting once past limit.
func complexity(op *ast.OperationDefinition, frags map[string]*ast.FragmentDefinition, vars map[string]any, limit int) int {
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
	c := &costing{frags: frags, vars: all, limit: limit, visiting: map[string]bool{}}
	return c.set(op.SelectionSet)
}

type costing struct {
	frags    map[string]*ast.FragmentDefinition
	vars     map[string]any
	limit    int
	visiting map[string]bool
}

func (c *costing) set(set *ast.SelectionSet) int {
	if set == nil {
		return 0
	}
	total := 0
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			total += 1 + c.multiplier(s)*c.set(s.SelectionSet)
		case *ast.InlineFragment:
			total += c.set(s.SelectionSet)
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := c.frags[name]; ok && !c.visiting[name] {
				c.visiting[name] = true
				total += c.set(f.SelectionSet)
				delete(c.visiting, name)
			}
		}
		if total > c.limit {
			return total // past the limit: the exact figure no longer matters
		}
	}
	return total
}

// multiplier is how many items a field may return.
func (c *costing) multiplier(f *ast.Field) int {
	for _, arg := range f.Arguments {
		if arg.Name.Value != "first" {
			continue
		}
		n := graph.DefaultPageSize
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
		if n < 1 {
			n = 1
		}
		if n > graph.MaxPageSize {
			n = graph.MaxPageSize
		}
		return n
	}
	switch f.Name.Value {
	case "edges", "node", "pageInfo":
		return 1
	}
	if isConnection(f.Name.Value) {
		return graph.DefaultPageSize
	}
	if plainLists[f.Name.Value] {
		return listWeight
	}
	return 1
}

// isConnection reports whether a field is one of the schema's connections,
// which take `first` and default to a page of 20.
func isConnection(name string) bool {
	switch name {
	case "outlets", "reports", "officials", "claims", "attributions":
		return true
	}
	return false
}
