package api

import (
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
)

// document is a parsed and validated query, ready to execute.
type document struct {
	query  string     // the text
	lines  *gql.Lines // relocates graphql-go's errors into the text's lines
	ast    *ast.Document
	errs   []gqlerrors.FormattedError             // parse or validation errors; nil when valid
	status int                                    // HTTP status for errs
	depth  int                                    // deepest field nesting, fragments followed
	plans  map[*ast.OperationDefinition]*gql.Plan // the query operations that have one (exec.go)
}

// newDocument returns the document of query, not yet parsed.
func newDocument(query string) *document {
	return &document{query: query, lines: gql.NewLines(query)}
}

// relocate turns the locations of graphql-go's errors, byte offsets as
// line 1 and column offset+1 (the tree holds no source, see document),
// into lines and byte columns of the query (gql.Lines).
func (d *document) relocate(errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	if d.lines == nil { // a refusal's: its errors have their lines
		return errs
	}
	return d.lines.Relocate(errs)
}

// docCache keeps the server's documents by query text (gql.Cache).
type docCache = gql.Cache[*document]

func newDocCache(max int) *docCache { return gql.NewCache[*document](max) }
