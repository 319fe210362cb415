// Package gql is hearsay's GraphQL engine around graphql-go, apart from
// the schema: it knows GraphQL, not claims. It recognises a query before
// graphql-go parses it (grammar.go), keeps parsed documents (cache.go),
// and writes a response in the order the query selected its fields
// (response.go). Package api holds the schema and HTTP.
package gql

// The extensions.code values the engine's own errors carry; package api
// answers with the same codes.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeQueryTooComplex = "QUERY_TOO_COMPLEX"
	// ExtensionCode is the key of an error's code in its extensions.
	ExtensionCode = "code"
)
