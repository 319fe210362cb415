package gql

import (
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
)

// Document is a query prepared to execute: recognised, parsed, checked and
// validated, with a plan for each query operation that can have one; or
// refused, with the errors to answer and their HTTP status.
type Document struct {
	Query  string
	AST    *ast.Document                      // nil when refused before validation
	Errs   []gqlerrors.FormattedError         // parse or validation errors; nil when valid
	Status int                                // HTTP status for Errs
	Depth  int                                // deepest field nesting, fragments followed
	Plans  map[*ast.OperationDefinition]*Plan // the query operations that have one
	Limit  string                             // the limit that refused it: LimitFields, LimitDepth; "" for none
	lines  *Lines                             // nil for a refusal whose errors have their lines
	cheap  bool                               // refused by the recogniser: cheaper to refuse again than to keep
	costs  sync.Map                           // *ast.OperationDefinition → int: Cost's memo
}

// Options are the limits a document is prepared under.
type Options struct {
	// MaxFields bounds the fields, arguments and values of a document
	// (CountFields), and its tokens: TokensPerField per field.
	MaxFields int
	// MaxDepth bounds its field nesting (Depth).
	MaxDepth int
	// Warn, when set, is told what the operator should know: graphql-go
	// refused a query the recogniser accepted.
	Warn func(msg string)
}

// Prepare prepares a query against schema. graphql-go's parser and
// validator may panic on input the recogniser does not know yet: the
// caller recovers (package api turns the panic into a refusal).
func Prepare(schema *graphql.Schema, query string, opt Options) *Document {
	body, nulls, gerr := Recognise(query, TokensPerField*opt.MaxFields)
	if gerr != nil {
		return &Document{Query: query, Status: http.StatusBadRequest, Errs: []gqlerrors.FormattedError{gerr.Formatted(query)}, cheap: true}
	}
	doc := &Document{Query: query, lines: NewLines(query)}
	src := source.NewSource(&source.Source{Body: body, Name: "GraphQL request"})
	// Without the source in the tree's locations, graphql-go's errors
	// carry byte offsets (line 1, column offset+1) instead of scanning
	// the whole query once per error (990 validation errors after a
	// 900 KB comment took 76 s); Relocate turns them into lines.
	tree, err := parser.Parse(parser.ParseParams{Source: src, Options: parser.ParseOptions{NoSource: true}})
	if err != nil {
		// graphql-go refused what the recogniser accepted: a bug of the
		// recogniser, which FuzzRecogniser looks for. graphql-go's message
		// echoes the query's line, so it is not sent.
		if opt.Warn != nil {
			opt.Warn("graphql-go refused a query the recogniser accepted; refused it as malformed")
		}
		err = Errorf(CodeBadUserInput, "Syntax Error: the query could not be parsed.")
	} else if MarkNulls(tree, nulls) != len(nulls) {
		if opt.Warn != nil {
			opt.Warn("graphql-go's tree lost a null literal the recogniser found; refused it as malformed")
		}
		err = Errorf(CodeBadUserInput, "Syntax Error: the query could not be parsed.")
	}
	if err == nil {
		err = checkDocument(tree, src, opt)
	}
	if err != nil {
		doc.Errs, doc.Status = formatErrors(err), http.StatusBadRequest
		if e, ok := err.(*Error); ok {
			doc.Limit = e.limit
		}
	} else {
		doc.AST = tree
		if res := graphql.ValidateDocument(schema, tree, Rules); !res.IsValid {
			doc.Errs, doc.Status = res.Errors, http.StatusBadRequest
			StableSuggestions(schema, doc.Errs)
		}
		doc.Depth = Depth(tree)
		if len(doc.Errs) == 0 {
			StripNulls(tree)
			AddTypenames(tree)
			doc.Plans = compilePlans(schema, tree)
		}
	}
	doc.Relocate(doc.Errs)
	for i := range doc.Errs {
		if doc.Errs[i].Extensions == nil {
			doc.Errs[i].Extensions = map[string]any{ExtensionCode: CodeBadUserInput}
		}
	}
	return doc
}

// Cacheable reports whether the document is worth keeping: all are but
// the recogniser's refusals, cheaper to make again.
func (d *Document) Cacheable() bool { return !d.cheap }

// Cost returns the complexity of op, computed by compute: once for an
// operation whose variables appear in none of the arguments named in
// args (those whose values the complexity reads: page sizes, filters),
// so that no request can change it, and at every call for the others.
// compute must give the same answer for the same operation and variables.
func (d *Document) Cost(op *ast.OperationDefinition, args []string, compute func() int) int {
	if c, ok := d.costs.Load(op); ok {
		return c.(int)
	}
	c := compute()
	if len(op.VariableDefinitions) == 0 || !variablesIn(op.SelectionSet, Fragments(d.AST), args, map[string]bool{}) {
		d.costs.Store(op, c)
	}
	return c
}

// variablesIn reports whether a variable appears in the value of an
// argument named in args of a field of set, its fragments followed.
func variablesIn(set *ast.SelectionSet, frags map[string]*ast.FragmentDefinition, args []string, seen map[string]bool) bool {
	if set == nil {
		return false
	}
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if slices.Contains(args, a.Name.Value) && hasVariable(a.Value) {
					return true
				}
			}
			if variablesIn(s.SelectionSet, frags, args, seen) {
				return true
			}
		case *ast.InlineFragment:
			if variablesIn(s.SelectionSet, frags, args, seen) {
				return true
			}
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := frags[name]; ok && !seen[name] {
				seen[name] = true
				if variablesIn(f.SelectionSet, frags, args, seen) {
					return true
				}
			}
		}
	}
	return false
}

// hasVariable reports whether a value is or holds a variable.
func hasVariable(v ast.Value) bool {
	switch v := v.(type) {
	case *ast.Variable:
		return true
	case *ast.ListValue:
		return slices.ContainsFunc(v.Values, hasVariable)
	case *ast.ObjectValue:
		return slices.ContainsFunc(v.Fields, func(f *ast.ObjectField) bool { return hasVariable(f.Value) })
	}
	return false
}

// Relocate turns the locations of graphql-go's errors for this document,
// byte offsets as line 1 and column offset+1 (the tree holds no source),
// into lines and byte columns of the query (see Lines).
func (d *Document) Relocate(errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	if d.lines == nil {
		return errs
	}
	return d.lines.Relocate(errs)
}

// checkDocument returns an error for what graphql-go's validator would
// crash on or spend unbounded time on, nil when the document is safe to
// validate. The depth limit, checked again before execution, is checked
// here too: validating 1,000 nested fields took 0.4 s, refusing them none.
func checkDocument(doc *ast.Document, src *source.Source, opt Options) error {
	if err := FragmentCycleError(doc, src); err != nil {
		return err
	}
	if CountFields(doc, opt.MaxFields) > opt.MaxFields {
		e := Errorf(CodeQueryTooComplex,
			"The query has more than %d fields, arguments and values (each fragment counted wherever it is spread); ask for less.", opt.MaxFields)
		e.limit = LimitFields
		return e
	}
	if d := Depth(doc); d > opt.MaxDepth { // bounded: the field count follows spreads too
		e := Errorf(CodeQueryTooComplex, "The query is %d fields deep; the limit is %d.", d, opt.MaxDepth)
		e.limit = LimitDepth
		return e
	}
	return nil
}

// compilePlans compiles the query operations of a valid document.
func compilePlans(schema *graphql.Schema, doc *ast.Document) map[*ast.OperationDefinition]*Plan {
	plans := make(map[*ast.OperationDefinition]*Plan)
	for _, def := range doc.Definitions {
		if op, ok := def.(*ast.OperationDefinition); ok {
			if p := Compile(schema, doc, op); p != nil {
				plans[op] = p
			}
		}
	}
	return plans
}

// The limits a document may be refused by (Document.Limit).
const (
	LimitFields = "fields"
	LimitDepth  = "depth"
)

// Error is an error the engine answers with its code.
type Error struct {
	Code, Message string
	limit         string // the limit that refused the document, if one did
}

// Errorf returns an Error with its message formatted.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Message }

// Extensions implements gqlerrors.ExtendedError.
func (e *Error) Extensions() map[string]any { return map[string]any{ExtensionCode: e.Code} }

// formatErrors formats a parse or checkDocument error; an Error keeps its
// code.
func formatErrors(err error) []gqlerrors.FormattedError {
	if e, ok := err.(*Error); ok {
		return []gqlerrors.FormattedError{{Message: e.Message, Extensions: e.Extensions()}}
	}
	return gqlerrors.FormatErrors(err)
}
