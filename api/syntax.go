package api

import (
	"fmt"
	"net/http"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/source"
)

// graphql-go v0.8.1's parser and validator trust their input more than a
// public server can. Its parser only sees queries the recogniser accepted
// (internal/gql/grammar.go), which, for one, leaves no variable without a
// whole type for the validator to dereference. What remains is refused here.

// checkDocument returns an error for what graphql-go's validator would
// crash on or spend unbounded time on, nil when the document is safe to
// validate. The depth limit, checked again before execution, is checked
// here too: validating 1,000 nested fields took 0.4 s, refusing them none.
func (s *Server) checkDocument(doc *ast.Document, src *source.Source) error {
	if err := fragmentCycleError(doc, src); err != nil {
		return err
	}
	if err := fieldCountError(doc, s.cfg.MaxFields); err != nil {
		return err
	}
	if d := depth(doc); d > s.cfg.MaxDepth { // bounded: the field count follows spreads too
		return newClientError(CodeQueryTooComplex, "The query is %d fields deep; the limit is %d.", d, s.cfg.MaxDepth)
	}
	return nil
}

// formatErrors formats a parse or checkDocument error; a clientError keeps
// its code.
func formatErrors(err error) []gqlerrors.FormattedError {
	if ce, ok := err.(*clientError); ok {
		return []gqlerrors.FormattedError{{Message: ce.message, Extensions: ce.Extensions()}}
	}
	return gqlerrors.FormatErrors(err)
}

// refuseOnPanic, deferred by document, turns a panic of graphql-go's parser
// or validator into a refused (and cached) document: a safety net for
// malformed input that the recogniser (internal/gql/grammar.go) does not
// know yet. The query text is never logged; the panic is, for the
// operator, once per distinct query.
func (s *Server) refuseOnPanic(query string, doc **document) {
	r := recover()
	if r == nil {
		return
	}
	s.cfg.Logger.Warn().Str(logFieldError, fmt.Sprint(r)).
		Msg("graphql-go panicked parsing or validating a query; refused it as malformed")
	*doc = &document{status: http.StatusBadRequest, errs: []gqlerrors.FormattedError{{
		Message:    "The query is malformed: it could not be validated. Check its syntax against the schema.",
		Extensions: map[string]any{extensionCode: CodeBadUserInput},
	}}}
	s.cache.Put(query, *doc)
}

// fragmentCycleError returns an error for the first fragment that spreads
// itself, directly or through others, nil when there is none. graphql-go's
// OverlappingFieldsCanBeMerged rule follows spreads without remembering
// them, so a cycle (`fragment F on Claim { ...F }`) recursed until the Go
// stack overflowed: a fatal error no recover catches, which took the whole
// server down. Its own NoFragmentCycles rule runs in the same pass, too
// late.
func fragmentCycleError(doc *ast.Document, src *source.Source) error {
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

// DefaultMaxFields bounds the size of a document before it is validated:
// its fields, fragment spreads and inline fragments, each fragment counted
// wherever it is spread, plus its arguments, directives, variable
// definitions and values (each item of a list, each field of an object).
// graphql-go's validation ignores the request's time limit and costs the
// square of some of these: 2,000 fields took 5 s of CPU on 2 cores, as did
// two fields of 2,000 arguments, and a list of 2,000 values 2 s; a 1 MiB
// query would take hours. GraphiQL's introspection query counts 476, the
// largest golden query (node-kinds) 154.
const DefaultMaxFields = 1000

// fieldCountError refuses a document larger than limit (see
// DefaultMaxFields), before it is validated. Fragments are counted once
// per spread with their counts memoised, so the count takes one pass even
// when fragments spread each other exponentially often. It must run after
// fragmentCycleError.
func fieldCountError(doc *ast.Document, limit int) error {
	frags := make(map[string]*ast.FragmentDefinition)
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok && f.Name != nil {
			frags[f.Name.Value] = f
		}
	}
	add := func(a, b int) int { return min(a+b, limit+1) }
	var value func(v ast.Value) int
	value = func(v ast.Value) int {
		n := 1
		switch v := v.(type) {
		case *ast.ListValue:
			for _, item := range v.Values {
				if n = add(n, value(item)); n > limit {
					break
				}
			}
		case *ast.ObjectValue:
			for _, f := range v.Fields {
				if n = add(n, 1+value(f.Value)); n > limit {
					break
				}
			}
		}
		return n
	}
	arguments := func(args []*ast.Argument, dirs []*ast.Directive) int {
		n := 0
		for _, a := range args {
			n = add(n, 1+value(a.Value))
		}
		for _, d := range dirs {
			n = add(n, 1)
			for _, a := range d.Arguments {
				n = add(n, 1+value(a.Value))
			}
		}
		return n
	}
	memo := make(map[string]int)
	var count func(set *ast.SelectionSet) int
	count = func(set *ast.SelectionSet) int {
		if set == nil {
			return 0
		}
		n := 0
		for _, sel := range set.Selections {
			n = add(n, 1)
			switch s := sel.(type) {
			case *ast.Field:
				n = add(n, arguments(s.Arguments, s.Directives)+count(s.SelectionSet))
			case *ast.InlineFragment:
				n = add(n, arguments(nil, s.Directives)+count(s.SelectionSet))
			case *ast.FragmentSpread:
				name := s.Name.Value
				c, ok := memo[name]
				if f, defined := frags[name]; !ok && defined {
					c = arguments(nil, f.Directives) + count(f.SelectionSet)
					memo[name] = c
				}
				n = add(n, arguments(nil, s.Directives)+c)
			}
			if n > limit {
				return n
			}
		}
		return n
	}
	total := 0
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			for _, v := range d.VariableDefinitions {
				total = add(total, 1)
				if v.DefaultValue != nil {
					total = add(total, value(v.DefaultValue))
				}
			}
			total = add(total, arguments(nil, d.Directives)+count(d.SelectionSet))
		case *ast.FragmentDefinition:
			total = add(total, arguments(nil, d.Directives)+count(d.SelectionSet))
		}
		if total > limit {
			break
		}
	}
	if total > limit {
		return newClientError(CodeQueryTooComplex,
			"The query has more than %d fields, arguments and values (each fragment counted wherever it is spread); ask for less.", limit)
	}
	return nil
}
