package api

import (
	"fmt"
	"net/http"

	"github.com/graphql-go/graphql/gqlerrors"
)

// graphql-go v0.8.1's parser and validator trust their input more than a
// public server can. Its parser only sees queries the recogniser accepted
// (internal/gql/grammar.go), which, for one, leaves no variable without a
// whole type for the validator to dereference. What remains is refused by
// gql.Prepare's checks (internal/gql/check.go) and, should graphql-go panic
// all the same, here.

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
	*doc = &document{Status: http.StatusBadRequest, Errs: []gqlerrors.FormattedError{{
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
// query would take hours. GraphiQL's introspection query counts 476,
// graphql-js's getIntrospectionQuery with every option 546, the largest
// golden query (node-kinds) 154.
const DefaultMaxFields = 1000
