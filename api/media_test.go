package api_test

import (
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
)

// postAccept sends body to /graphql as JSON with the given Accept header (none
// when accept is "") and bearer token.
func (s *Server) postAccept(tb testing.TB, accept, token, body string) *Response {
	tb.Helper()
	hr := mustRequest(tb, http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
	hr.Header.Set("Content-Type", "application/json")
	if accept != "" {
		hr.Header.Set("Accept", accept)
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Do(tb, hr)
}

// TestMediaTypes checks the answer's media type and status code for each
// Accept header, as GraphQL over HTTP says: application/graphql-response+json
// with 4xx for a request that fails to parse or validate (a variable of
// the wrong type too) and 200 once it executes; application/json asked
// for by name with 200 for every well-formed request; no Accept, or a
// wildcard, with application/json and hearsay's earlier status codes; and
// 406 for an Accept naming nothing /graphql serves.
func TestMediaTypes(t *testing.T) {
	s := MustServer(t)
	const (
		gqlResp = "application/graphql-response+json"
		json    = "application/json"
		apollo  = "application/graphql-response+json,application/json;q=0.9" // Apollo Client 4's Accept
	)
	ok := `{"query": "{ claims { totalCount } }"}`
	syntax := `{"query": "{ claims { totalCount "}`
	unknownField := `{"query": "{ claims { bogus } }"}`
	wrongVarType := `{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": "ten"}}`
	missingVar := `{"query": "query($id: ID!) { claim(id: $id) { id } }", "variables": {}}`
	mutation := `{"query": "mutation { createOutlet(input: {id: \"outlet:x\", name: \"X\", country: \"UA\", outletType: ONLINE}) { id } }"}`
	tooDeep := `{"query": "{ __schema { types { fields { type { ` + strings.Repeat("ofType { ", 30) + `name` + strings.Repeat(" }", 34) + ` }"}`
	for _, tt := range []struct {
		name, accept, body string
		status             int
		media              string
		code               string // of the first error; "" for none
	}{
		{"GraphQLResponseOK", gqlResp, ok, 200, gqlResp, ""},
		{"GraphQLResponseSyntax", gqlResp, syntax, 400, gqlResp, "?"},
		{"GraphQLResponseValidation", gqlResp, unknownField, 400, gqlResp, "?"},
		{"GraphQLResponseVariableType", gqlResp, wrongVarType, 400, gqlResp, api.CodeBadUserInput},
		{"GraphQLResponseFloatForInt", gqlResp, `{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": 1.5}}`, 400, gqlResp, api.CodeBadUserInput},
		{"GraphQLResponseInputObjectField", gqlResp, `{"query": "query($f: ClaimFilter) { claims(filter: $f) { totalCount } }", "variables": {"f": {"topic": 5}}}`, 400, gqlResp, api.CodeBadUserInput},
		{"GraphQLResponseMissingVariable", gqlResp, missingVar, 400, gqlResp, api.CodeBadUserInput},
		{"GraphQLResponseTooComplex", gqlResp, tooDeep, 400, gqlResp, api.CodeQueryTooComplex},
		{"GraphQLResponseUnauthenticated", gqlResp, mutation, 401, gqlResp, api.CodeUnauthenticated},
		{"ApolloClient4OK", apollo, ok, 200, gqlResp, ""},
		{"ApolloClient4VariableType", apollo, wrongVarType, 400, gqlResp, api.CodeBadUserInput},
		{"JSONOK", json, ok, 200, json, ""},
		{"JSONSyntax", json, syntax, 200, json, "?"},
		{"JSONValidation", json, unknownField, 200, json, "?"},
		{"JSONVariableType", json, wrongVarType, 200, json, api.CodeBadUserInput},
		{"JSONUnauthenticated", json, mutation, 401, json, api.CodeUnauthenticated},
		{"JSONPreferred", "application/json, application/graphql-response+json;q=0.5", syntax, 200, json, "?"},
		{"GraphQLResponsePreferred", "application/json;q=0.5, application/graphql-response+json", syntax, 400, gqlResp, "?"},
		{"NoAcceptOK", "", ok, 200, json, ""},
		{"NoAcceptSyntax", "", syntax, 400, json, "?"},
		{"WildcardSyntax", "*/*", syntax, 400, json, "?"},
		{"BrowserNavigation", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ok, 200, json, ""},
		{"ErrNotServed", "text/html", ok, 406, json, api.CodeBadUserInput},
		{"ErrNotServedXML", "application/xml, text/plain", ok, 406, json, api.CodeBadUserInput},
		{"ErrRefusedByQZero", "application/json;q=0, application/graphql-response+json;q=0", ok, 406, json, api.CodeBadUserInput},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.postAccept(t, tt.accept, "", tt.body)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d: %s", r.Status, tt.status, r.Short())
			}
			ct := r.Header.Get("Content-Type")
			if want := tt.media + "; charset=utf-8"; ct != want {
				t.Errorf("Content-Type %q, want %q", ct, want)
			}
			switch {
			case tt.code == "" && len(r.Errors) > 0:
				t.Errorf("errors: %s", r.Short())
			case tt.code == "" && len(r.Data) == 0:
				t.Errorf("no data: %s", r.Short())
			case tt.code != "" && len(r.Errors) == 0:
				t.Errorf("no errors: %s", r.Short())
			case tt.code != "" && tt.code != "?" && r.Errors[0].Code() != tt.code:
				t.Errorf("code %q, want %q: %s", r.Errors[0].Code(), tt.code, r.Short())
			}
			if tt.code != "" && string(r.Data) != "" && string(r.Data) != "null" && tt.status != 200 {
				t.Errorf("a refused request has data: %s", r.Short())
			}
		})
	}
}
