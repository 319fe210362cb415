package gql

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/printer"
	"github.com/graphql-go/graphql/language/source"
)

// parseNulls recognises and parses query, and marks its nulls.
func parseNulls(t *testing.T, query string) (*ast.Document, int) {
	t.Helper()
	body, nulls, gerr := Recognise(query, 1<<20)
	if gerr != nil {
		t.Fatalf("refused %q: %v", query, gerr)
	}
	if len(body) != len(query) {
		t.Fatalf("body of %d bytes for a query of %d", len(body), len(query))
	}
	doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: body}), Options: parser.ParseOptions{NoSource: true}})
	if err != nil {
		t.Fatal(err)
	}
	if n := MarkNulls(doc, nulls); n != len(nulls) {
		t.Fatalf("marked %d nulls of %d", n, len(nulls))
	}
	return doc, len(nulls)
}

// collectNulls lists the offsets of the NullValue nodes of doc's values.
func collectNulls(doc *ast.Document) []int {
	var out []int
	var value func(v ast.Value)
	value = func(v ast.Value) {
		switch v := v.(type) {
		case *NullValue:
			out = append(out, v.Loc.Start)
		case *ast.ListValue:
			for _, item := range v.Values {
				value(item)
			}
		case *ast.ObjectValue:
			for _, f := range v.Fields {
				value(f.Value)
			}
		}
	}
	args := func(args []*ast.Argument) {
		for _, a := range args {
			value(a.Value)
		}
	}
	dirs := func(ds []*ast.Directive) {
		for _, d := range ds {
			args(d.Arguments)
		}
	}
	var set func(s *ast.SelectionSet)
	set = func(s *ast.SelectionSet) {
		if s == nil {
			return
		}
		for _, sel := range s.Selections {
			switch x := sel.(type) {
			case *ast.Field:
				args(x.Arguments)
				dirs(x.Directives)
				set(x.SelectionSet)
			case *ast.InlineFragment:
				dirs(x.Directives)
				set(x.SelectionSet)
			case *ast.FragmentSpread:
				dirs(x.Directives)
			}
		}
	}
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			for _, vd := range d.VariableDefinitions {
				if vd.DefaultValue != nil {
					value(vd.DefaultValue)
				}
			}
			dirs(d.Directives)
			set(d.SelectionSet)
		case *ast.FragmentDefinition:
			dirs(d.Directives)
			set(d.SelectionSet)
		}
	}
	return out
}

func TestMarkNulls(t *testing.T) {
	// Ensure every null literal, in every place a value may be, becomes a
	// NullValue at the offset of its text, and names spelled null stay
	// names.
	q := `query Q($a: String! = null, $b: [Int] = [1, null], $c: In = {a: null, b: [null, {c: null}]}) @d(x: null) {
  null: a(x: null, y: [null], z: nullx) @skip(if: null) { ...F @d(x: null) ... @d(x: null) { b } }
}
fragment F on T @d(x: null) { a(x: {y: null}) }`
	doc, n := parseNulls(t, q)
	got := collectNulls(doc)
	var want []int
	for i := 0; ; {
		j := strings.Index(q[i:], "null")
		if j < 0 {
			break
		}
		at := i + j
		i = at + 4
		if q[at-1] != ' ' && q[at-1] != '[' || q[at+4] == ':' || q[at+4] == 'x' {
			continue // the alias null, the name nullx
		}
		want = append(want, at)
	}
	if len(got) != n || len(want) != n || n != 13 {
		t.Fatalf("%d nulls marked at %v, %d in the query at %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("null %d at %d, want %d", i, got[i], want[i])
		}
	}
	if f := doc.Definitions[0].(*ast.OperationDefinition).SelectionSet.Selections[0].(*ast.Field); f.Alias.Value != "null" || f.Arguments[2].Value.(*ast.EnumValue).Value != "nullx" {
		t.Errorf("alias %q, z %v: want the names kept", f.Alias.Value, f.Arguments[2].Value)
	}
	if d := doc.Definitions[0].(*ast.OperationDefinition).VariableDefinitions; d[0].DefaultValue == nil || d[1].DefaultValue == nil {
		t.Error("the non-null variable's null default, or a list default, was dropped before validation")
	}
}

func TestStripNulls(t *testing.T) {
	// Ensure a validated document loses its null arguments, input fields
	// and defaults, and keeps null list items.
	doc, _ := parseNulls(t, `query($a: Int = null, $b: [Int] = [null]) { a(x: null, y: 1, z: {p: null, q: 2}) @d(x: null, y: 2) { b(x: [null]) } }`)
	StripNulls(doc)
	got := printer.Print(doc).(string)
	want := "query ($a: Int, $b: [Int] = []) {\n  a(y: 1, z: {q: 2}) @d(y: 2) {\n    b(x: [])\n  }\n}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n := len(collectNulls(doc)); n != 2 {
		t.Errorf("%d nulls left, want the 2 list items (graphql-go's printer leaves them out)", n)
	}
}

func TestRules(t *testing.T) {
	// Ensure Rules are graphql-go's less the two it replaces, and judge
	// null, Ints and defaults on non-null variables as the spec does.
	if len(Rules) != len(graphql.SpecifiedRules) {
		t.Errorf("%d rules, graphql-go has %d", len(Rules), len(graphql.SpecifiedRules))
	}
	in := graphql.NewInputObject(graphql.InputObjectConfig{Name: "In", Fields: graphql.InputObjectConfigFieldMap{
		"req": {Type: graphql.NewNonNull(graphql.Int)}, "opt": {Type: graphql.String},
	}})
	schema, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
		"f": {Type: graphql.String, Args: graphql.FieldConfigArgument{
			"s": {Type: graphql.String}, "n": {Type: graphql.NewNonNull(graphql.Int)}, "in": {Type: in},
			"l": {Type: graphql.NewList(graphql.NewNonNull(graphql.Int))}, "ln": {Type: graphql.NewList(graphql.Int)},
		}},
	}})})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ query, err string }{
		{`{ f(n: 1, s: null, in: null, l: null, ln: [null, 1]) }`, ""},
		{`{ f(n: 1, in: {req: 2, opt: null}) }`, ""},
		{`query($n: Int! = 3) { f(n: $n) }`, ""},
		{`query($n: Int = 3) { f(n: $n) }`, ""},
		{`query($s: String = null) { f(n: 1, s: $s) }`, ""},
		{`query($n: Int = null) { f(n: $n) }`, `Variable "$n" of type "Int" used in position expecting type "Int!".`},
		{`{ f(n: 2147483647, l: [-2147483648]) }`, ""},
		{`{ f(n: null) }`, `Argument "n" of type "Int!" must not be null. at 1:8`},
		{`{ f(n: 2147483648) }`, `Argument "n" of type "Int!" cannot be the Int 2147483648: an Int is a 32-bit signed integer, from -2147483648 to 2147483647. at 1:8`},
		{`{ f(n: 1, l: [1, null]) }`, `Argument "l" of type "[Int!]": l[1] of type "Int!" must not be null. at 1:18`},
		{`{ f(n: 1, l: 1.5) }`, `Argument "l" of type "[Int!]" cannot be the Float 1.5: expected an Int, like 20. at 1:14`},
		{`{ f(n: 1, in: {req: null}) }`, `Argument "in" of type "In": in.req of type "Int!" must not be null. at 1:21`},
		{`{ f(n: 1, in: {opt: "x"}) }`, `Argument "in" of type "In": in.req of type "Int!" is required, and the value does not give it. at 1:15`},
		{`{ f(n: 1, in: {bad: 1, req: 1}) }`, `Argument "in" of type "In": in.bad is not a field of In. at 1:16`},
		{`{ f(n: 1, in: 5) }`, `Argument "in" of type "In" cannot be the Int 5: In is an input object. at 1:15`},
		{`{ f(n: 1, s: "` + strings.Repeat("x", 50) + `") { a } }`, `Field "f" of type "String" must not have a sub selection.`},
		{`{ f(n: 1, s: 5) }`, `Argument "s" of type "String" cannot be the Int 5: expected a String, like "text". at 1:14`},
		{`{ f(n: 1, s: ["` + strings.Repeat("x", 50) + `"]) }`, `Argument "s" of type "String" cannot be a list: expected a String, like "text". at 1:14`},
		{`{ f(n: 1, s: {a: 1}) }`, `Argument "s" of type "String" cannot be an input object: expected a String, like "text". at 1:14`},
		{`{ f(n: ` + strings.Repeat("9", 50) + `) }`, `Argument "n" of type "Int!" cannot be a Int of 50 bytes: an Int is a 32-bit signed integer, from -2147483648 to 2147483647. at 1:8`},
		{`query($n: Int! = null) { f(n: $n) }`, `The default value of variable $n of type "Int!" must not be null. at 1:18`},
		{`query($i: In = {req: null}) { f(n: 1, in: $i) }`, `The default value of variable $i of type "In": $i.req of type "Int!" must not be null. at 1:22`},
	} {
		doc := Prepare(&schema, tt.query, Options{MaxFields: 1000, MaxDepth: 20})
		got := ""
		if len(doc.Errs) > 0 {
			e := doc.Errs[0]
			got = e.Message
			if strings.HasPrefix(tt.err, "Argument") || strings.HasPrefix(tt.err, "The default") {
				got += fmt.Sprintf(" at %d:%d", e.Locations[0].Line, e.Locations[0].Column)
			}
			if doc.Status != http.StatusBadRequest || e.Extensions[ExtensionCode] != CodeBadUserInput {
				t.Errorf("%s: status %d, extensions %v", tt.query, doc.Status, e.Extensions)
			}
		}
		if got != tt.err {
			t.Errorf("%s:\n got %q\nwant %q", tt.query, got, tt.err)
		}
		if tt.err == "" && len(collectNulls(doc.AST)) != strings.Count(tt.query, "[null") {
			t.Errorf("%s: nulls left outside lists after StripNulls", tt.query)
		}
	}
}

func TestExecutableAST(t *testing.T) {
	// Ensure graphql-go gets, for a request that needs it, a copy of the
	// operation in which a variable given as null has no default and a
	// non-null variable with a default is nullable; the shared document
	// never changes, and a request that needs no copy gets the document.
	doc, _ := parseNulls(t, `query A($a: Int = 1, $b: ID! = "x", $c: Int) { f } query B($d: Int = 2) { g }`)
	a, b := doc.Definitions[0].(*ast.OperationDefinition), doc.Definitions[1].(*ast.OperationDefinition)
	before := printer.Print(doc).(string)
	if got := ExecutableAST(doc, b, map[string]any{"d": 3}); got != doc {
		t.Error("a copy where none was needed")
	}
	if got := ExecutableAST(doc, b, map[string]any{"x": nil}); got != doc {
		t.Error("a copy for a null given for no variable of the operation")
	}
	got := ExecutableAST(doc, a, map[string]any{"a": nil, "c": nil})
	if got == doc {
		t.Fatal("no copy")
	}
	if after := printer.Print(doc).(string); after != before {
		t.Errorf("the shared document changed:\n%s\nwas\n%s", after, before)
	}
	want := "query A($a: Int, $b: ID = \"x\", $c: Int) {\n  f\n}\n\nquery B($d: Int = 2) {\n  g\n}\n"
	if p := printer.Print(got).(string); p != want {
		t.Errorf("copy:\n%s\nwant\n%s", p, want)
	}
	if got.Definitions[1] != ast.Definition(b) {
		t.Error("the other operation was copied")
	}
}
