package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
)

// The null literal and input values as the current GraphQL spec reads
// them (issue 14): null in every place a value may be, explicit null
// variables, defaults on non-null variables, 32-bit Ints. Each case runs
// on a server with plans and on one without (every request through
// graphql-go's executor), and in both media types.

const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// nullServers are a server with plans and one that answers every request
// through graphql-go.
func nullServers(t *testing.T) map[string]*Server {
	plans, stock := MustServer(t), MustServer(t)
	api.NoPlans(stock.API)
	return map[string]*Server{"Plans": plans, "GraphQLGo": stock}
}

// post sends a JSON request body with an Accept header and the token.
func (s *Server) post(tb testing.TB, accept, body string) *Response {
	tb.Helper()
	return s.postAccept(tb, accept, testToken, body)
}

func requestBody(tb testing.TB, query string, vars map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestNullLiterals(t *testing.T) {
	// Ensure null is read wherever the spec allows a value, and means what
	// leaving the argument or field out means: each query answers as the
	// same query without its nulls does.
	claimQ := `claim(id: "` + headline + `")`
	for _, tt := range []struct{ name, query, same string }{
		{"Argument", `{ outlets(after: null) { edges { node { id } } } }`, `{ outlets { edges { node { id } } } }`},
		{"Arguments", `{ outlets(first: null, after: null, filter: null) { totalCount edges { cursor } } }`, `{ outlets { totalCount edges { cursor } } }`},
		{"ArgumentWithDefault", `{ ` + claimQ + ` { chains(maxDepth: null) { terminal hops { report { id } } } } }`,
			`{ ` + claimQ + ` { chains { terminal hops { report { id } } } } }`},
		{"ArgumentFrom", `{ ` + claimQ + ` { chains(from: null) { terminal } } }`, `{ ` + claimQ + ` { chains { terminal } } }`},
		{"InputObjectField", `{ outlets(filter: {country: null, outletType: null}) { totalCount } }`, `{ outlets(filter: {}) { totalCount } }`},
		{"NestedInputObject", `{ outlets(filter: {echo: null}) { totalCount } officials(filter: {anonymous: null, form: null}) { totalCount } }`,
			`{ outlets { totalCount } officials { totalCount } }`},
		{"InputObjectInNestedObject", `{ outlets(filter: {echo: {minAppearances: null, minSecondHand: 1}}) { totalCount } }`,
			`{ outlets(filter: {echo: {minSecondHand: 1}}) { totalCount } }`},
		{"VariableDefault", `query($after: String = null, $n: Int = null) { outlets(after: $after, first: $n) { edges { node { id } } } }`,
			`{ outlets { edges { node { id } } } }`},
		{"VariableDefaultInObject", `query($f: ReportFilter = {outlet: null, status: null}) { reports(filter: $f) { totalCount } }`,
			`{ reports { totalCount } }`},
		{"Fragment", `{ ...F } fragment F on Query { claims(filter: {search: null, topic: null}) { totalCount } }`, `{ claims { totalCount } }`},
		{"NamedNull", `{ null: outlets(after: null) { totalCount } }`, `{ null: outlets { totalCount } }`},
		{"SpacedAndCommented", "{ outlets(after:\n\tnull # nothing\n, first: null) { totalCount } }", `{ outlets { totalCount } }`},
	} {
		for name, s := range nullServers(t) {
			t.Run("OK"+tt.name+name, func(t *testing.T) {
				want := s.Query(t, tt.same, nil)
				want.MustData(t, nil)
				for _, accept := range []string{mediaGraphQLResponse, mediaJSON} {
					got := s.post(t, accept, requestBody(t, tt.query, nil))
					if got.Status != http.StatusOK || string(got.Body) != string(want.Body) {
						t.Errorf("%s: status %d:\n%s\nwant 200:\n%s", accept, got.Status, got.Short(), want.Short())
					}
				}
			})
		}
	}
}

func TestNullLiterals_Errors(t *testing.T) {
	// Ensure null where the type is non-null is refused before execution,
	// 400 under application/graphql-response+json and 200 under
	// application/json, BAD_USER_INPUT, with a message naming the argument,
	// field or variable and its type, located at the null itself.
	for _, tt := range []struct {
		name, query, msg string
		at               string // the null's text, located by its last occurrence before "#"
	}{
		{"Argument", `{ claim(id: null) { id } }`, `Argument "id" of type "ID!" must not be null.`, ""},
		{"InputObjectField", `mutation { createOutlet(input: {id: "outlet:x", name: null}) { id } }`,
			`Argument "input" of type "OutletInput!": input.name of type "String!" must not be null.`, ""},
		{"ListItem", `subscription { graphChanged(kinds: [OUTLET, null]) { id } }`,
			`Argument "kinds" of type "[Kind!]": kinds[1] of type "Kind!" must not be null.`, ""},
		{"ListItemInInputObject", `mutation { createClaim(input: {id: "claim:x", text: "t", topics: ["a", null]}) { id } }`,
			`Argument "input" of type "ClaimInput!": input.topics[1] of type "String!" must not be null.`, ""},
		{"VariableDefault", `query($id: ID! = null) { claim(id: $id) { id } }`,
			`The default value of variable $id of type "ID!" must not be null.`, ""},
		{"VariableDefaultListItem", `subscription($k: [Kind!] = [null]) { graphChanged(kinds: $k) { id } }`,
			`The default value of variable $k of type "[Kind!]": $k[0] of type "Kind!" must not be null.`, ""},
		{"DirectiveArgument", `{ claim(id: "` + headline + `") { id @include(if: null) } }`, `Argument "if" of type "Boolean!" must not be null.`, ""},
		{"DirectiveOnFragment", "{ ...F @skip(if:\n  null) }\nfragment F on Query { claims { totalCount } }", `Argument "if" of type "Boolean!" must not be null.`, ""},
		{"NullForObject", `{ outlets(filter: {echo: {minAppearances: null}}) { totalCount } claims(first: null, filter: {search: [null]}) { totalCount } }`,
			`Argument "filter" of type "ClaimFilter": filter.search of type "String" cannot be a list: expected a String, like "text".`, "[null]"},
	} {
		for name, s := range nullServers(t) {
			t.Run("Err"+tt.name+name, func(t *testing.T) {
				at := tt.at
				if at == "" {
					at = "null"
				}
				off := strings.LastIndex(tt.query, at)
				line := strings.Count(tt.query[:off], "\n") + 1
				col := off - strings.LastIndex(tt.query[:off], "\n")
				for _, m := range []struct {
					accept string
					status int
				}{{mediaGraphQLResponse, http.StatusBadRequest}, {mediaJSON, http.StatusOK}} {
					r := s.post(t, m.accept, requestBody(t, tt.query, nil))
					e := r.MustFail(t, m.status, api.CodeBadUserInput)
					if e.Message != tt.msg {
						t.Errorf("%s: message %q, want %q", m.accept, e.Message, tt.msg)
					}
					var loc struct {
						Errors []struct{ Locations []struct{ Line, Column int } }
					}
					if err := json.Unmarshal(r.Body, &loc); err != nil || len(loc.Errors[0].Locations) != 1 ||
						loc.Errors[0].Locations[0].Line != line || loc.Errors[0].Locations[0].Column != col {
						t.Errorf("%s: locations %+v, want line %d, column %d", m.accept, loc.Errors[0].Locations, line, col)
					}
					if r.Data != nil && string(r.Data) != "null" {
						t.Errorf("%s: data %s, want none", m.accept, r.Data)
					}
				}
			})
		}
	}
}

func TestNullLiterals_Mutations(t *testing.T) {
	// Ensure null in a mutation's input means what leaving the field out
	// means: an update keeps the fields given as null (mutations always
	// run through graphql-go's executor).
	s := MustServer(t)
	var before, after struct {
		Claim struct {
			Text   string
			Topics []string
		}
	}
	q := `{ claim(id: "` + headline + `") { text topics } }`
	s.MustQuery(t, q, nil, &before)
	if len(before.Claim.Topics) == 0 {
		t.Fatal("the seed's headline claim has no topics")
	}
	var out any
	s.MustMutate(t, `mutation { updateClaim(id: "`+headline+`", input: {text: "Changed.", topics: null}) { id } }`, nil, &out)
	s.MustQuery(t, q, nil, &after)
	if after.Claim.Text != "Changed." || strings.Join(after.Claim.Topics, ",") != strings.Join(before.Claim.Topics, ",") {
		t.Errorf("after topics: null, %+v; want the text changed and the topics %v kept", after.Claim, before.Claim.Topics)
	}
	s.MustMutate(t, `mutation($t: [String!]) { updateClaim(id: "`+headline+`", input: {text: null, topics: $t}) { id } }`,
		map[string]any{"t": nil}, &out)
	s.MustQuery(t, q, nil, &after)
	if after.Claim.Text != "Changed." || len(after.Claim.Topics) != len(before.Claim.Topics) {
		t.Errorf("after text: null and a null variable, %+v; want nothing changed", after.Claim)
	}
	r := s.Mutate(t, `mutation { deleteOutlet(id: "outlet:telegraph", cascade: null) }`, nil)
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Code() != api.CodeConflict {
		t.Errorf("deleteOutlet(cascade: null) of a referenced outlet: %s; want CONFLICT, as without cascade", r.Short())
	}
}

func TestVariables_ExplicitNull(t *testing.T) {
	// Ensure a variable the request gives as null is null, not its
	// default, and one it leaves out takes its default, on both paths.
	const q = `query($first: Int = 1) { outlets(first: $first) { edges { node { id } } } }`
	count := func(t *testing.T, s *Server, body string) int {
		t.Helper()
		r := s.post(t, mediaGraphQLResponse, body)
		var out struct{ Outlets struct{ Edges []any } }
		r.MustData(t, &out)
		return len(out.Outlets.Edges)
	}
	for name, s := range nullServers(t) {
		t.Run("OK"+name, func(t *testing.T) {
			if n := count(t, s, `{"query": "`+q+`"}`); n != 1 {
				t.Errorf("left out: %d outlets, want the default's 1", n)
			}
			if n := count(t, s, `{"query": "`+q+`", "variables": {"first": null}}`); n != 2 {
				t.Errorf("given as null: %d outlets, want both (first: null is the page size's default)", n)
			}
			if n := count(t, s, `{"query": "`+q+`", "variables": {"first": 2}}`); n != 2 {
				t.Errorf("given as 2: %d outlets, want 2", n)
			}
		})
		t.Run("OKArgumentDefault"+name, func(t *testing.T) {
			// A null variable for an argument with a default: the argument's default.
			const chains = `query($d: Int = 1) { claim(id: "` + headline + `") { chains(maxDepth: $d) { hops { report { id } } } } }`
			var one, null, none struct {
				Claim struct{ Chains []struct{ Hops []any } }
			}
			s.post(t, mediaGraphQLResponse, requestBody(t, chains, nil)).MustData(t, &one)
			s.post(t, mediaGraphQLResponse, requestBody(t, chains, map[string]any{"d": nil})).MustData(t, &null)
			s.post(t, mediaGraphQLResponse, requestBody(t, `{ claim(id: "`+headline+`") { chains { hops { report { id } } } } }`, nil)).MustData(t, &none)
			if len(one.Claim.Chains) == 0 || len(one.Claim.Chains[0].Hops) != 1 {
				t.Fatalf("maxDepth 1: %+v, want chains of one hop", one)
			}
			a, _ := json.Marshal(null)
			b, _ := json.Marshal(none)
			if string(a) != string(b) {
				t.Errorf("maxDepth: $d with d null:\n%s\nwant as without maxDepth:\n%s", a, b)
			}
		})
	}
}

func TestVariables_NonNullDefault(t *testing.T) {
	// Ensure a non-null variable may have a default, used when the request
	// leaves the variable out; given as null it is refused.
	const q = `query($id: ID! = "outlet:telegraph") { outlet(id: $id) { id } }`
	for name, s := range nullServers(t) {
		t.Run("OK"+name, func(t *testing.T) {
			var out struct{ Outlet struct{ ID string } }
			s.post(t, mediaGraphQLResponse, requestBody(t, q, nil)).MustData(t, &out)
			if out.Outlet.ID != "outlet:telegraph" {
				t.Errorf("left out: %+v, want the default", out)
			}
			s.post(t, mediaGraphQLResponse, requestBody(t, q, map[string]any{"id": "outlet:euromaidanpress"})).MustData(t, &out)
			if out.Outlet.ID != "outlet:euromaidanpress" {
				t.Errorf("given: %+v, want the given outlet", out)
			}
		})
		t.Run("ErrNull"+name, func(t *testing.T) {
			for _, m := range []struct {
				accept string
				status int
			}{{mediaGraphQLResponse, http.StatusBadRequest}, {mediaJSON, http.StatusOK}} {
				e := s.post(t, m.accept, requestBody(t, q, map[string]any{"id": nil})).MustFail(t, m.status, api.CodeBadUserInput)
				if want := `Variable $id of type ID! must not be null.`; e.Message != want {
					t.Errorf("message %q, want %q", e.Message, want)
				}
			}
		})
	}
}

func TestInt32(t *testing.T) {
	// Ensure an Int outside 32 bits, as a literal anywhere or as a
	// variable, and a fractional number for an Int, are refused, never
	// clamped or truncated; a JSON number with a zero fraction (3.0) is
	// the integer 3, as in graphql-js: JSON has one kind of number.
	tooBig := `cannot be the Int %s: an Int is a 32-bit signed integer, from -2147483648 to 2147483647.`
	for name, s := range nullServers(t) {
		for _, tt := range []struct{ name, body, msg string }{
			{"Literal", `{"query": "{ outlets(first: 2147483648) { totalCount } }"}`, `Argument "first" of type "Int" ` + strings.Replace(tooBig, "%s", "2147483648", 1)},
			{"NegativeLiteral", `{"query": "{ outlets(first: -2147483649) { totalCount } }"}`, `Argument "first" of type "Int" ` + strings.Replace(tooBig, "%s", "-2147483649", 1)},
			{"HugeLiteral", `{"query": "{ outlets(first: 123456789012345678901234567890) { totalCount } }"}`,
				`Argument "first" of type "Int" ` + strings.Replace(tooBig, "%s", "123456789012345678901234567890", 1)},
			{"InInputObject", `{"query": "{ outlets(filter: {echo: {minAppearances: 4294967296}}) { totalCount } }"}`,
				`Argument "filter" of type "OutletFilter": filter.echo.minAppearances of type "Int" ` + strings.Replace(tooBig, "%s", "4294967296", 1)},
			{"VariableDefault", `{"query": "query($n: Int = 2147483648) { outlets(first: $n) { totalCount } }"}`,
				`The default value of variable $n of type "Int" ` + strings.Replace(tooBig, "%s", "2147483648", 1)},
			{"Variable", `{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 2147483648}}`,
				`Variable $n: expected Int (an integer of 32 bits), found a number.`},
			{"FloatVariable", `{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 2.5}}`,
				`Variable $n: expected Int (an integer of 32 bits), found a number.`},
			{"HugeFloatVariable", `{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 1e40}}`,
				`Variable $n: expected Int (an integer of 32 bits), found a number.`},
			{"FloatInInputObjectVariable", `{"query": "query($f: OutletFilter) { outlets(filter: $f) { totalCount } }", "variables": {"f": {"echo": {"minAppearances": 0.5}}}}`,
				`Variable $f: field echo: field minAppearances: expected Int (an integer of 32 bits), found a number.`},
		} {
			t.Run("Err"+tt.name+name, func(t *testing.T) {
				for _, m := range []struct {
					accept string
					status int
				}{{mediaGraphQLResponse, http.StatusBadRequest}, {mediaJSON, http.StatusOK}} {
					e := s.post(t, m.accept, tt.body).MustFail(t, m.status, api.CodeBadUserInput)
					if e.Message != tt.msg {
						t.Errorf("%s: message %q, want %q", m.accept, e.Message, tt.msg)
					}
				}
			})
		}
		t.Run("OK"+name, func(t *testing.T) {
			for _, body := range []string{
				`{"query": "{ outlets(first: 2147483647) { totalCount } }"}`,
				`{"query": "{ outlets(first: -0, filter: {echo: {minAppearances: -2147483648}}) { totalCount } }"}`,
				`{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 3.0}}`,
				`{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 2147483647}}`,
			} {
				s.post(t, mediaGraphQLResponse, body).MustData(t, nil)
			}
		})
	}
}

func TestNullLiterals_Subscription(t *testing.T) {
	// Ensure a subscription reads null too (subscriptions run through
	// graphql-go): graphChanged(kinds: null) and a null variable over a
	// default both deliver every kind.
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"Literal", `subscription { graphChanged(kinds: null) { kind id } }`, nil},
		{"NullVariableOverDefault", `subscription($k: [Kind!] = [CLAIM]) { graphChanged(kinds: $k) { kind id } }`, map[string]any{"k": nil}},
	} {
		t.Run("OK"+tt.name, func(t *testing.T) {
			s := MustServer(t)
			st := openStream(t, s.URL, tt.query, tt.vars, "")
			if st.Status != http.StatusOK {
				t.Fatalf("status %d", st.Status)
			}
			waitSubscribers(t, s.API, 1)
			var out any
			s.MustMutate(t, `mutation { createOutlet(input: {id: "outlet:new-one", name: "New One"}) { id } }`, nil, &out)
			var got graphEvent
			decodeEvent(t, st.Next(t), &got)
			if c := got.Data.GraphChanged; c.Kind != "OUTLET" || c.ID != "outlet:new-one" {
				t.Errorf("event %+v, want the outlet created", c)
			}
		})
	}
}
