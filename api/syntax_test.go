package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
)

func TestMalformedVariableTypes(t *testing.T) {
	s := MustServer(t)
	// The first is FuzzGraphQL's first finding (testdata/fuzz/FuzzGraphQL/
	// f54da0353f2922e7): graphql-go's parser took `$id: $d` for a variable
	// with no type, and its validator panicked on it.
	for _, tt := range []struct{ query, want string }{
		{`query($id: $d: Int) { node(id: $id) { id } }`, "variable $id"},
		{`query($a: ]) { __typename }`, "variable $a"},
		{`query($a: !) { __typename }`, "variable $a"},
		{`query($a: [!]) { __typename }`, "variable $a"},
		{`query Q($ok: ID, $a: ]!) { __typename }`, "variable $a"},
		// The parser itself catches these.
		{`query($a: $b) { __typename }`, "Expected"},
		{`query($a: 1) { __typename }`, "Expected"},
	} {
		// Ensure a variable without a whole type is a syntax error, 400
		// BAD_USER_INPUT naming the variable, never a panic.
		e := s.Query(t, tt.query, nil).MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
		if !strings.Contains(e.Message, "Syntax Error") || !strings.Contains(e.Message, tt.want) {
			t.Errorf("%s: message %q, want a syntax error with %q", tt.query, e.Message, tt.want)
		}
	}
	// Ensure whole types still pass.
	s.MustQuery(t, `query($b: Int = 3, $c: String!) { claims(first: $b, filter: {search: $c}) { totalCount } }`, map[string]any{"c": "negotiators"}, nil)
}

func TestFragmentCycles(t *testing.T) {
	s := MustServer(t)
	const use = `{ claim(id: "` + headline + `") { ...A } } `
	for _, tt := range []struct{ name, query string }{
		// FuzzGraphQL's second finding (testdata/fuzz/FuzzGraphQL/
		// 53ddf37ad443b716): a fragment spreading itself overflowed the
		// stack in graphql-go's validator and killed the process.
		{"Self", use + `fragment A on Claim { id ...A }`},
		{"Through", use + `fragment A on Claim { id ...B } fragment B on Claim { text ...A }`},
		{"Nested", use + `fragment A on Claim { appearances { claim { ... on Claim { ...A } } } }`},
		{"Unused", `{ __typename } fragment X on Claim { ...Y } fragment Y on Claim { ...X }`},
		{"Duplicate", use + `fragment A on Claim { id } fragment A on Claim { ...A }`},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			// Ensure a fragment cycle is 400 BAD_USER_INPUT naming it, and the
			// server lives on.
			e := s.Query(t, tt.query, nil).MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
			if !strings.Contains(e.Message, "Cannot spread fragment") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
	t.Run("OKDiamond", func(t *testing.T) {
		// Ensure fragments that share a fragment without a cycle still run.
		s.MustQuery(t, use+`fragment A on Claim { ...B ...C } fragment B on Claim { id ...D } fragment C on Claim { text ...D } fragment D on Claim { topics }`, nil, nil)
	})
}

func TestFieldLimit(t *testing.T) {
	s := MustServer(t)
	t.Run("ErrWide", func(t *testing.T) {
		// Ensure a query of more fields than the limit is refused before
		// validation, whose cost grows with the square of the fields.
		q := "{ " + strings.Repeat(`claim(id: "x") { id } `, api.DefaultMaxFields/2+1) + "}"
		e := s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, fmt.Sprint(api.DefaultMaxFields)) {
			t.Errorf("message %q does not give the limit", e.Message)
		}
	})
	for name, q := range map[string]string{
		"ErrArguments":  `{ a: claim(` + strings.Repeat(`id: "x" `, 300) + `) { id } a: claim(` + strings.Repeat(`id: "x" `, 300) + `) { id } }`,
		"ErrDirectives": `{ claims ` + strings.Repeat(`@include(if: true) `, 400) + `{ totalCount } }`,
		"ErrList":       `{ claims(filter: {topic: [` + strings.Repeat(`"x", `, 1000) + `]}) { totalCount } }`,
		"ErrVariables":  `query(` + strings.Repeat(`$v: Int `, 1001) + `) { __typename }`,
	} {
		t.Run(name, func(t *testing.T) {
			// Ensure arguments, directives, values and variables count
			// toward the limit: graphql-go validates some of them in
			// quadratic time too.
			e := s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
			if !strings.Contains(e.Message, "arguments and values") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
	t.Run("ErrDeepBeforeValidation", func(t *testing.T) {
		// Ensure a query deeper than the limit is refused for its depth
		// before validation, which would have reported its unknown fields
		// after quadratic work.
		// (Deeper than api.MaxNesting, the recogniser refuses it first.)
		q := "{ " + strings.Repeat("a { ", 50) + "b" + strings.Repeat(" }", 50) + " }"
		e := s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "51 fields deep") {
			t.Errorf("message %q", e.Message)
		}
		q = "{ " + strings.Repeat("a { ", 900) + "b" + strings.Repeat(" }", 900) + " }"
		e = s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "more than 64 deep") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("ErrFragmentsDoubling", func(t *testing.T) {
		// Ensure fragments counted where they are spread: 30 fragments each
		// spreading the next twice stand for 2^30 fields, and are counted
		// in one pass.
		var b strings.Builder
		b.WriteString(`{ claim(id: "` + headline + `") { ...F0 } }`)
		for i := range 30 {
			fmt.Fprintf(&b, " fragment F%d on Claim { ...F%d ...F%d }", i, i+1, i+1)
		}
		b.WriteString(" fragment F30 on Claim { id }")
		s.Query(t, b.String(), nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("OKIntrospection", func(t *testing.T) {
		// Ensure the playground's introspection query fits the default
		// limits.
		var data struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		s.MustQuery(t, introspectionQuery, nil, &data)
		if len(data.Schema.Types) < 10 {
			t.Errorf("%d types", len(data.Schema.Types))
		}
	})
	t.Run("Configured", func(t *testing.T) {
		// Ensure the limit is the configured one: claims, totalCount and
		// pageInfo { hasNextPage } are 4 fields.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxFields = 4 }))
		s.MustQuery(t, `{ claims { totalCount pageInfo { hasNextPage } } }`, nil, nil)
		s.Query(t, `{ claims { totalCount pageInfo { hasNextPage endCursor } } }`, nil).
			MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
}
