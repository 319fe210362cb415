package api

import (
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"

	"hearsay/api/internal/gql"
)

// TestWorkWeightsNameFields ensures every work weight names a field the
// schema has, so that renaming one cannot silently drop its weight.
func TestWorkWeightsNameFields(t *testing.T) {
	schema, _, err := newSchema(&Server{})
	if err != nil {
		t.Fatal(err)
	}
	for name := range workWeights {
		typ, field, _ := strings.Cut(name, ".")
		if obj, ok := schema.Type(typ).(*graphql.Object); !ok || obj.Fields()[field] == nil {
			t.Errorf("workWeights: %s is not a field of the schema", name)
		}
	}
}

// TestComplexityFromTypes pins the cost of fields read from their types:
// a connection costs its `first` per item, a plain list listWeight, and
// the two attributions fields are each costed as what they are.
func TestComplexityFromTypes(t *testing.T) {
	schema, _, err := newSchema(&Server{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  int
	}{
		// Official.attributions is a connection: 1 + edgeWeight + 20 × (edges 1 + node 1 + mode 1).
		{`{ official(id: "x") { attributions { edges { node { mode } } } } }`, 1 + 1 + edgeWeight + 20*3},
		{`{ official(id: "x") { attributions(first: 5) { totalCount } } }`, 1 + 1 + edgeWeight + 5},
		// Appearance.attributions is a plain list: listWeight per item, no edge work.
		{`{ claim(id: "x") { appearances { attributions { mode } } } }`, 1 + 1 + listWeight*(1+listWeight*1)},
		// A page of a kind at the root: its total is a counter.
		{`{ claims(first: 100) { totalCount } }`, 1 + 100},
		// Work weights, and lists of scalars cost nothing per item.
		{`{ claim(id: "x") { chains { flags } topics } }`, 1 + 1 + traceWeight + listWeight + 1},
		{`{ node(id: "x") { ... on Outlet { echo { appearances } } } }`, 1 + 1 + echoWeight + 1},
		// Introspection's lists are bounded by the schema.
		{`{ __schema { types { name fields { name } } } }`, 1 + 1 + 1 + 1 + 1},
	} {
		doc, err := parser.Parse(parser.ParseParams{Source: c.query})
		if err != nil {
			t.Fatal(err)
		}
		op := doc.Definitions[0].(*ast.OperationDefinition)
		if got := complexity(&schema, op, gql.Fragments(doc), nil, DefaultMaxComplexity); got != c.want {
			t.Errorf("%s: complexity %d, want %d", c.query, got, c.want)
		}
	}
}

// TestSchemaOrderDeclared ensures the schema declares the order of every
// member of its types (t.fields, t.inputObject, enumOf), so that none is
// listed by name instead (gql.Introspection.Undeclared): a field, an
// argument, an enum value or an input field added to a graphql-go map
// directly would be.
func TestSchemaOrderDeclared(t *testing.T) {
	_, intro, err := newSchema(&Server{})
	if err != nil {
		t.Fatal(err)
	}
	if u := intro.Undeclared(); len(u) > 0 {
		t.Errorf("members of %q are not declared in order", u)
	}
	if n := len(intro.Types()); n < 60 {
		t.Errorf("introspection lists %d types, want every type of the schema", n)
	}
}
