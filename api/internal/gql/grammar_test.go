package gql

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
)

// parsesInGraphQLGo reports whether graphql-go's parser accepts body, and
// finds in its tree the nulls the recogniser recorded.
func parsesInGraphQLGo(body []byte, nulls []int) error {
	doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: body, Name: "GraphQL request"})})
	if err != nil {
		return err
	}
	if n := MarkNulls(doc, nulls); n != len(nulls) {
		return fmt.Errorf("the recogniser found %d null literals, graphql-go's tree holds %d", len(nulls), n)
	}
	return nil
}

// recogniserSeeds are queries at the edges of the grammar.
var recogniserSeeds = []string{
	`{ a }`, `query { a }`, `query Q($a: [Int!]! = [1, 2], $b: String = "x") @d(x: 1) { a(x: $a) @skip(if: true) { b } }`,
	`fragment F on T @d { a ...G ... on U { b } ... @d { c } ... { d } }`, `mutation { a(x: {b: [1.5e3, -0, "s", """block \""" q""", E, true]}) }`,
	`subscription S { a }`, "\ufeff{ a } # comment → with non-ASCII\n", "{ a(x: \"\\u00e9 é \\n\") }", `{ a(x: 0.5) b(y: -12e-3) }`,
	"# only a comment", `{}`, `{ a(x: null) }`, `{ a(x: 01) }`, `{ a(x: 1.) }`, `{ a(x: 1a) }`, `{ a(x: .5) }`, `{ a(x: "\q") }`,
	`type T { a: Int }`, `"desc" type T { a: Int }`, `{ ...on }`, `fragment on on T { a }`, `query ($a: Int!!) { a }`,
	`{ a(x: $v) }`, `query ($a: Int = $b) { a }`, `{ a: b: c }`, `{ a() }`, `query () { a }`, `{ a @ }`, "{ a(x: \"\x01\") }",
	"{ a(x: \"\"\"\r\n\"\"\") }", `{ a(x: """"""") }`, `{ a(x: """") }`, `{ a(x: [[[[1]]]]) }`, `query Q($a: [[Int]]) { a }`,
	`{ a } { b }`, `query { a } fragment F on T { a } query Q2 { b }`, `{ a(x: {}) b(y: []) }`, `{ a(x: {b: $c}) }`,
	"{ a(x: \"\\u12\") }", `{ a(x: "\u0000") }`, `{ __typename ... @include(if: true) { a } }`, `... { a }`, `{ ...F @d(x: 1) }`,
	`{ a(x: -) }`, `{ a(x: --1) }`, `{ a(x: 1e) }`, `{ a(x: 1e+) }`, `{ a(x: 0x1) }`, `{ a(x: 1.5.5) }`, `{ a(x: truex) }`,
	// null in every place a value may be, and names spelled null that are not values
	`query Q($a: String = null, $b: [Int] = [1, null], $c: In = {a: null, b: [null, {c: null}]}) @d(x: null) { a(x: null, y: [null]) @skip(if: null) }`,
	`fragment F on T @d(x: null) { a(x: {y: null}) ... @d(x: null) { b } ...G @d(x: null) }`, `{ null(null: null) { null: null } }`,
	`{ a(x: nullx) b(x: nul) c(x: NULL) }`, `query ($null: Int = null) { a(x: $null) }`, `{ a(x: null null) }`, `{ a(x: [nullnull]) }`,
}

// FuzzRecogniser checks the recogniser against graphql-go's parser: any
// query the recogniser accepts, graphql-go must parse, so that graphql-go
// never meets a query that could overflow its recursive parser or reach
// its quadratic error formatting. (The converse does not hold: the
// recogniser is stricter, e.g. about numbers running into names.) Run it
// longer by hand with
//
//	go test ./api/internal/gql -run '^$' -fuzz '^FuzzRecogniser$' -fuzztime 5m
func FuzzRecogniser(f *testing.F) {
	for _, q := range recogniserSeeds {
		f.Add(q)
	}
	queries, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "queries", "*.graphql"))
	for _, path := range queries {
		if q, err := os.ReadFile(path); err == nil {
			f.Add(string(q))
		}
	}
	f.Fuzz(func(t *testing.T, query string) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hung on %q", query)) })
		defer watchdog.Stop()
		body, nulls, gerr := Recognise(query, 1<<20)
		if gerr != nil {
			e := gerr.Formatted(query)
			if len(e.Message) > 400 {
				t.Fatalf("a %d-byte error message: %q", len(e.Message), e.Message)
			}
			if len(e.Locations) != 1 || e.Locations[0].Line < 1 || e.Locations[0].Column < 1 {
				t.Fatalf("bad location %+v", e.Locations)
			}
			return
		}
		if len(body) != len(query) {
			t.Fatalf("the text for graphql-go is %d bytes, the query %d", len(body), len(query))
		}
		if err := parsesInGraphQLGo(body, nulls); err != nil {
			t.Fatalf("the recogniser accepted %q, graphql-go refused it: %v", query, err)
		}
	})
}

func TestRecogniserSeeds(t *testing.T) {
	// Ensure every seed the recogniser accepts parses in graphql-go, and
	// the refusals are the expected ones.
	accept := map[string]bool{}
	for _, q := range recogniserSeeds {
		body, nulls, gerr := Recognise(q, 1<<20)
		if gerr != nil {
			continue
		}
		accept[q] = true
		if err := parsesInGraphQLGo(body, nulls); err != nil {
			t.Errorf("accepted %q, graphql-go refused: %v", q, err)
		}
	}
	n := len(recogniserSeeds)
	for _, q := range []string{recogniserSeeds[0], recogniserSeeds[2], recogniserSeeds[3], recogniserSeeds[4], recogniserSeeds[6], recogniserSeeds[7],
		`{ a(x: null) }`, recogniserSeeds[n-7], recogniserSeeds[n-6], recogniserSeeds[n-5], recogniserSeeds[n-4], recogniserSeeds[n-3]} {
		if !accept[q] {
			_, _, gerr := Recognise(q, 1<<20)
			t.Errorf("refused %q: %v", q, gerr)
		}
	}
	for _, tt := range []struct{ query, want string }{
		{`{ a(x: 1a) }`, `Syntax Error: Invalid number, unexpected "a" after it at line 1, column 9`},
		{"{\n  a(\r\n\tb: ) }", `Syntax Error: Expected a value, found ")" at line 3, column 5`},
		{`type T { a: Int }`, `Syntax Error: Unexpected Name "type": a query holds operations and fragments only, not type system definitions at line 1, column 1`},
		{`{ a(x: "` + strings.Repeat("é", 10_000) + `) }`, `Syntax Error: Unterminated string at line 1, column 8`},
		{"{ a\x00 }", `Syntax Error: Unexpected character U+0000 at line 1, column 4`},
		{`{ a(x: null null) }`, `Syntax Error: Expected ":", found ")" at line 1, column 17`},
		{`query ($a: Int = $b) { a(x: null) }`, `Syntax Error: Expected a value, found "$" at line 1, column 18`},
		{"{ a(x: \"\xff\") }", `Syntax Error: The query is not valid UTF-8 at line 1, column 9`},
		{`{ ` + strings.Repeat("a ", 40) + `}`, `The query has more than 32 tokens (names, values and punctuation marks; 16 per field allowed) at line 1, column 65`},
	} {
		_, _, gerr := Recognise(tt.query, 32)
		if gerr == nil {
			t.Errorf("%.40q accepted", tt.query)
			continue
		}
		if got := gerr.Formatted(tt.query).Message; got != tt.want {
			t.Errorf("%.40q:\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
}
