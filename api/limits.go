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
//
// Fields that do work of their own cost more than 1, the weights below,
// whatever they select. A filtered list scans (its totalCount counts every
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

// plainLists are the schema's list fields without a `first` argument.
// attributions is not one here: by name it is Official.attributions, a
// connection (isConnection), although Appearance.attributions is a list.
var plainLists = map[string]bool{
	"chains": true, "hops": true, "appearances": true, "origins": true,
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
	return c.set(op.SelectionSet, true)
}

type costing struct {
	frags    map[string]*ast.FragmentDefinition
	vars     map[string]any
	limit    int
	visiting map[string]bool
}

// set costs a selection set; root is true for the operation's own.
func (c *costing) set(set *ast.SelectionSet, root bool) int {
	if set == nil {
		return 0
	}
	total := 0
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			total += 1 + c.work(s, root) + c.multiplier(s)*c.set(s.SelectionSet, false)
		case *ast.InlineFragment:
			total += c.set(s.SelectionSet, root)
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := c.frags[name]; ok && !c.visiting[name] {
				c.visiting[name] = true
				total += c.set(f.SelectionSet, root)
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

// work is what a field costs beyond 1 for the work it does itself; root
// is true for the operation's own fields.
func (c *costing) work(f *ast.Field, root bool) int {
	switch f.Name.Value {
	case "chains", "origins", "independentOrigins", "credibility":
		return traceWeight
	case "echo":
		return echoWeight
	case "firstAppearance":
		return firstAppearanceWeight
	}
	if !isConnection(f.Name.Value) {
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
