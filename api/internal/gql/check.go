package gql

import (
	"fmt"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/source"
)

// The checks a document passes before graphql-go validates it, and its
// depth: graphql-go's validator trusts its input more than a public server
// can, and spends time on it that the request's time limit does not bound.

// FragmentCycleError returns an error for the first fragment that spreads
// itself, directly or through others, nil when there is none. graphql-go's
// OverlappingFieldsCanBeMerged rule follows spreads without remembering
// them, so a cycle (`fragment F on Claim { ...F }`) recursed until the Go
// stack overflowed: a fatal error no recover catches, which took the whole
// server down. Its own NoFragmentCycles rule runs in the same pass, too
// late.
func FragmentCycleError(doc *ast.Document, src *source.Source) error {
	// Fragments of the same name (an error the validator reports) are
	// merged, so that no cycle hides behind a duplicate.
	spreads := make(map[string][]*ast.FragmentSpread)
	var defs []*ast.FragmentDefinition
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok && f.Name != nil {
			defs = append(defs, f)
			spreads[f.Name.Value] = append(spreads[f.Name.Value], collectSpreads(f.SelectionSet, nil)...)
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := make(map[string]int, len(spreads))
	var cycle *ast.FragmentSpread
	var visit func(name string) bool
	visit = func(name string) bool {
		switch state[name] {
		case visiting:
			return true
		case done:
			return false
		}
		state[name] = visiting
		for _, sp := range spreads[name] {
			if _, defined := spreads[sp.Name.Value]; defined && visit(sp.Name.Value) {
				if cycle == nil {
					cycle = sp
				}
				return true
			}
		}
		state[name] = done
		return false
	}
	for _, f := range defs {
		if visit(f.Name.Value) {
			pos := 0
			if cycle.Loc != nil {
				pos = cycle.Loc.Start
			}
			return gqlerrors.NewError(fmt.Sprintf("Cannot spread fragment %q within itself, directly or through other fragments.", cycle.Name.Value),
				nil, "", src, []int{pos}, nil)
		}
	}
	return nil
}

// collectSpreads appends the fragment spreads of a selection set, at any
// depth, to out.
func collectSpreads(set *ast.SelectionSet, out []*ast.FragmentSpread) []*ast.FragmentSpread {
	if set == nil {
		return out
	}
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			out = collectSpreads(s.SelectionSet, out)
		case *ast.InlineFragment:
			out = collectSpreads(s.SelectionSet, out)
		case *ast.FragmentSpread:
			if s.Name != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// CountFields counts a document's fields, fragment spreads and inline
// fragments, each fragment counted wherever it is spread, plus its
// arguments, directives, variable definitions and values (each item of a
// list, each field of an object); past limit it stops, and returns more
// than limit. Fragments are counted once per spread with their counts
// memoised, so the count takes one pass even when fragments spread each
// other exponentially often. It must run after FragmentCycleError.
func CountFields(doc *ast.Document, limit int) int {
	c := &fieldCounter{limit: limit, frags: make(map[string]*ast.FragmentDefinition), memo: make(map[string]int)}
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok && f.Name != nil {
			c.frags[f.Name.Value] = f
		}
	}
	total := 0
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			for _, v := range d.VariableDefinitions {
				total = c.add(total, 1)
				if v.DefaultValue != nil {
					total = c.add(total, c.value(v.DefaultValue))
				}
			}
			total = c.add(total, c.arguments(nil, d.Directives)+c.set(d.SelectionSet))
		case *ast.FragmentDefinition:
			total = c.add(total, c.arguments(nil, d.Directives)+c.set(d.SelectionSet))
		}
		if total > limit {
			break
		}
	}
	return total
}

// fieldCounter is one count of CountFields.
type fieldCounter struct {
	limit int
	frags map[string]*ast.FragmentDefinition
	memo  map[string]int // a fragment's count, by name
}

// add adds, up to limit+1.
func (c *fieldCounter) add(a, b int) int { return min(a+b, c.limit+1) }

func (c *fieldCounter) value(v ast.Value) int {
	n := 1
	switch v := v.(type) {
	case *ast.ListValue:
		for _, item := range v.Values {
			if n = c.add(n, c.value(item)); n > c.limit {
				break
			}
		}
	case *ast.ObjectValue:
		for _, f := range v.Fields {
			if n = c.add(n, 1+c.value(f.Value)); n > c.limit {
				break
			}
		}
	}
	return n
}

func (c *fieldCounter) arguments(args []*ast.Argument, dirs []*ast.Directive) int {
	n := 0
	for _, a := range args {
		n = c.add(n, 1+c.value(a.Value))
	}
	for _, d := range dirs {
		n = c.add(n, 1)
		for _, a := range d.Arguments {
			n = c.add(n, 1+c.value(a.Value))
		}
	}
	return n
}

func (c *fieldCounter) set(set *ast.SelectionSet) int {
	if set == nil {
		return 0
	}
	n := 0
	for _, sel := range set.Selections {
		n = c.add(n, 1)
		switch s := sel.(type) {
		case *ast.Field:
			n = c.add(n, c.arguments(s.Arguments, s.Directives)+c.set(s.SelectionSet))
		case *ast.InlineFragment:
			n = c.add(n, c.arguments(nil, s.Directives)+c.set(s.SelectionSet))
		case *ast.FragmentSpread:
			name := s.Name.Value
			m, ok := c.memo[name]
			if f, defined := c.frags[name]; !ok && defined {
				m = c.arguments(nil, f.Directives) + c.set(f.SelectionSet)
				c.memo[name] = m
			}
			n = c.add(n, c.arguments(nil, s.Directives)+m)
		}
		if n > c.limit {
			return n
		}
	}
	return n
}

// Depth returns the deepest field nesting of the document's operations.
func Depth(doc *ast.Document) int {
	frags := Fragments(doc)
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
