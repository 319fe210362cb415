package api

import (
	"fmt"
	"net/http"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/source"

	"hearsay/api/internal/gql"
)

// graphql-go v0.8.1's parser and validator trust their input more than a
// public server can. Its parser only sees queries the recogniser accepted
// (internal/gql/grammar.go), which, for one, leaves no variable without a
// whole type for the validator to dereference. What remains is refused here,
// with the checks of internal/gql/check.go.

// checkDocument returns an error for what graphql-go's validator would
// crash on or spend unbounded time on, nil when the document is safe to
// validate. The depth limit, checked again before execution, is checked
// here too: validating 1,000 nested fields took 0.4 s, refusing them none.
func (s *Server) checkDocument(doc *ast.Document, src *source.Source) error {
	if err := gql.FragmentCycleError(doc, src); err != nil {
		return err
	}
	if err := fieldCountError(doc, s.cfg.MaxFields); err != nil {
		return err
	}
	if d := gql.Depth(doc); d > s.cfg.MaxDepth { // bounded: the field count follows spreads too
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
// DefaultMaxFields, gql.CountFields), before it is validated.
func fieldCountError(doc *ast.Document, limit int) error {
	if gql.CountFields(doc, limit) > limit {
		return newClientError(CodeQueryTooComplex,
			"The query has more than %d fields, arguments and values (each fragment counted wherever it is spread); ask for less.", limit)
	}
	return nil
}
