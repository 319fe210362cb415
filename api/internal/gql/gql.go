// Package gql is hearsay's GraphQL engine around graphql-go, apart from
// the schema: it knows GraphQL, not claims. It recognises a query before
// graphql-go parses it (grammar.go), prepares documents (prepare.go) with
// the checks graphql-go's validator needs first (check.go) and rules that
// read null literals and 32-bit Ints (null.go), keeps them (cache.go),
// estimates an operation's cost from the schema's types (cost.go),
// compiles and runs plans (exec.go), writes a response in the order the
// query selected its fields (response.go), and brings graphql-go's
// introspection to the current specification, in the order the schema
// declares its members (introspection.go). Package api holds the schema
// and HTTP.
//
// Its API: Prepare a query (recognised, parsed, checked, validated, with
// a Plan for each query operation that can have one), keep it in a Cache;
// Run its plan, or graphql-go's executor where there is none or the plan
// falls back; WriteResponse the result in the query's field order.
package gql

import "github.com/graphql-go/graphql/language/ast"

// The extensions.code values the engine's own errors carry; package api
// answers with the same codes.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeQueryTooComplex = "QUERY_TOO_COMPLEX"
	// ExtensionCode is the key of an error's code in its extensions.
	ExtensionCode = "code"
)

// Fragments returns the fragment definitions of a document by name.
func Fragments(doc *ast.Document) map[string]*ast.FragmentDefinition {
	frags := make(map[string]*ast.FragmentDefinition)
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok {
			frags[f.Name.Value] = f
		}
	}
	return frags
}
