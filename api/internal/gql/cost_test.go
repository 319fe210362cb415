package gql

import (
	"testing"

	"github.com/graphql-go/graphql/language/ast"
)

// TestCostMemo: Document.Cost computes once an operation whose variables
// no cost argument reads, and at every call one whose page size or
// filter is a variable, through fragments too.
func TestCostMemo(t *testing.T) {
	args := []string{"first", "filter"}
	for _, c := range []struct {
		query string
		memo  bool
	}{
		{`{ claims(first: 5) { totalCount } }`, true},
		{`query($id: ID!) { claim(id: $id) { id } }`, true},
		{`query($n: Int) { claims(first: $n) { totalCount } }`, false},
		{`query($s: String) { claims(filter: {text: $s}) { totalCount } }`, false},
		{`query($s: [String]) { claims(filter: {any: [{text: $s}]}) { totalCount } }`, false},
		{`query($n: Int) { ...F } fragment F on Query { claims(first: $n) { totalCount } }`, false},
		{`query($n: Int) { ... on Query { claims(first: $n) { totalCount } } }`, false},
		{`query($id: ID!) { ...F } fragment F on Query { claim(id: $id) { id } }`, true},
	} {
		doc, _ := parseNulls(t, c.query)
		d := &Document{AST: doc}
		var op *ast.OperationDefinition
		for _, def := range doc.Definitions {
			if o, ok := def.(*ast.OperationDefinition); ok {
				op = o
			}
		}
		calls := 0
		for range 3 {
			if got := d.Cost(op, args, func() int { calls++; return 7 }); got != 7 {
				t.Fatalf("%s: cost %d, want 7", c.query, got)
			}
		}
		if want := map[bool]int{true: 1, false: 3}[c.memo]; calls != want {
			t.Errorf("%s: computed %d times in 3 calls, want %d", c.query, calls, want)
		}
	}
}
