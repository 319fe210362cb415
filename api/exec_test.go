package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hearsay/api"
	"hearsay/api/apibench"
	"hearsay/graph"
	"hearsay/store"
)

// planned are queries that plans answer: each must get the same bytes as
// through graphql-go.
var planned = []struct {
	name string
	req  Request
}{
	{"Bench", Request{Query: apibench.Query, Variables: map[string]any{"id": headline, "from": euromaidanReport}}},
	{"Chains", Request{Query: `query($id: ID!) { claim(id: $id) { id chains { from { report { id } quote mode hedge language }
		hops { report { id title published status } outlet { id name reliability } reliabilityAtPublication published mode quote hedge
		attributionQuote inferred temporalAnomaly to { __typename ... on Node { id } ... on Official { name } } }
		terminal origin { __typename ... on Official { id name } ... on Outlet { id name } } confidence weakestHop { report { id } } limitedBy flags } } }`,
		Variables: map[string]any{"id": headline}}},
	{"AliasesAndFragments", Request{Query: `{ a: claim(id: "` + headline + `") { id ...C } b: claim(id: "claim:no-such-claim") { id } }
		fragment C on Claim { text t2: text appearances { quote attributions { source { __typename ... on Node { id } ...S } mode inferred quote } } }
		fragment S on Source { ... on Official { name anonymous } ... on Outlet { name } }`}},
	{"Node", Request{Query: `{ node(id: "` + usNegotiators + `") { __typename id ... on Official { name form anonymous role affiliation country
		description reliability ratings { rating ratedBy ratedAt note } possiblySameAs { id name } } ... on Outlet { name } } }`}},
	{"MergedFields", Request{Query: `{ claim(id: "` + headline + `") { chains { hops { report { id } } } chains { hops { report { title } } terminal } } }`}},
	{"VariableDefault", Request{Query: `query($d: Int = 1) { claim(id: "` + headline + `") { chains(maxDepth: $d) { terminal hops { mode } } } }`}},
	{"VariableGiven", Request{Query: `query($d: Int = 1) { claim(id: "` + headline + `") { chains(maxDepth: $d) { terminal hops { mode } } } }`,
		Variables: map[string]any{"d": 2}}},
	{"VariableNull", Request{Query: `query($from: ID) { claim(id: "` + headline + `") { chains(from: $from) { terminal } } }`,
		Variables: map[string]any{"from": nil}}},
	{"Connections", Request{Query: `{ claims(first: 3) { totalCount edges { cursor node { id topics } } pageInfo { hasNextPage endCursor } }
		outlets { edges { node { name reliability outletType echo { appearances firstHand secondHand anonymousOrigin partial } } } } }`}},
	{"Judgement", Request{Query: `{ claim(id: "claim:us-offers-security-guarantees") { origins { __typename ... on Official { id } }
		independentOrigins { min max } credibility { grade label why } firstAppearance { report { id } } reviews { verdict reviewedBy url } } }`}},
	{"Report", Request{Query: `{ report(id: "` + telegraphReport + `") { id title url published language status
		outlet { id domain country language } cites { id } citedBy { id } appearances { claim { id } quote } } }`}},
	{"Attributions", Request{Query: `query($first: Int, $after: String) { official(id: "` + usNegotiators + `") {
		attributions(first: $first, after: $after) { totalCount edges { cursor node { claim { id } report { id } mode quote inferred } } } } }`,
		Variables: map[string]any{"first": 2}}},
	{"Typename", Request{Query: `{ __typename claim(id: "` + headline + `") { __typename } }`}},
	{"OperationName", Request{Query: `query A { claim(id: "` + headline + `") { id } } query B { outlets { totalCount } }`, OperationName: "B"}},
	{"NullLiterals", Request{Query: `query($a: String = null) { outlets(after: $a, first: null) { edges { node { id } } } claim(id: "` + headline + `") { chains(maxDepth: null, from: null) { terminal } } }`}},
	{"NullVariableOverDefault", Request{Query: `query($n: Int = 1) { outlets(first: $n) { edges { node { id } } } }`, Variables: map[string]any{"n": nil}}},
	{"NonNullVariableDefault", Request{Query: `query($id: ID! = "` + headline + `") { claim(id: $id) { id } }`}},
	{"SimilarClaims", Request{Query: `query($t: String!, $n: Int) { similarClaims(text: $t, first: $n) { score claim { id text topics reviews { verdict } } }
		d: similarClaims(text: "security guarantees Starmer") { claim { id } } }`,
		Variables: map[string]any{"t": "US security guarantees for the coalition", "n": 3}}},
}

// unplanned are queries that graphql-go answers: no plan, or a plan that
// stops at an error.
var unplanned = []struct {
	name string
	req  Request
}{
	{"ErrBadID", Request{Query: `{ claim(id: "bad") { id } }`}},
	{"ErrMaxDepth", Request{Query: `{ claim(id: "` + headline + `") { chains(maxDepth: 0) { terminal } } }`}},
	{"ErrFrom", Request{Query: `{ claim(id: "` + headline + `") { text chains(from: "outlet:telegraph") { terminal } } }`}},
	{"ErrMissingVariable", Request{Query: `query($id: ID!) { claim(id: $id) { id } }`}},
	{"ErrBadVariable", Request{Query: `query($n: Int) { claims(first: $n) { totalCount } }`, Variables: map[string]any{"n": "x"}}},
	{"Introspection", Request{Query: `{ __schema { queryType { name } } }`}},
	{"Directive", Request{Query: `{ claim(id: "` + headline + `") { id @skip(if: true) text } }`}},
	{"InputObject", Request{Query: `query($f: ClaimFilter) { claims(filter: $f) { totalCount } }`,
		Variables: map[string]any{"f": map[string]any{"search": "troops"}}}},
	{"InputObjectLiteral", Request{Query: `{ reports(filter: {status: PUBLISHED}) { totalCount } }`}},
	{"ErrNullArgument", Request{Query: `{ claim(id: null) { id } }`}},
	{"ErrNullVariable", Request{Query: `query($id: ID! = "` + headline + `") { claim(id: $id) { id } }`, Variables: map[string]any{"id": nil}}},
	{"ErrIntLiteral", Request{Query: `{ claims(first: 2147483648) { totalCount } }`}},
	{"NullInInputObject", Request{Query: `{ reports(filter: {status: null, outlet: null}) { totalCount } }`}},
	{"ErrSimilarClaims", Request{Query: `{ similarClaims(text: "", first: 0) { score } }`}},
}

// TestPlans compares the answers of plans (exec.go) with graphql-go's,
// byte for byte: the queries above and every golden query.
func TestPlans(t *testing.T) {
	fast := MustServer(t)
	stock := MustServer(t)
	api.NoPlans(stock.API)
	compare := func(t *testing.T, req Request) {
		t.Helper()
		got, want := fast.Post(t, "", req), stock.Post(t, "", req)
		if got.Status != want.Status || !bytes.Equal(got.Body, want.Body) {
			t.Errorf("with plans, status %d:\n%s\nthrough graphql-go, status %d:\n%s", got.Status, got.Body, want.Status, want.Body)
		}
	}
	for _, tt := range planned {
		t.Run("OK"+tt.name, func(t *testing.T) {
			// Ensure the plan answers, without errors, as graphql-go does.
			if !api.Planned(fast.API, tt.req.Query, tt.req.OperationName) {
				t.Fatal("no plan")
			}
			before := api.Fallbacks(fast.API)
			compare(t, tt.req)
			if api.Fallbacks(fast.API) != before {
				t.Error("the plan fell back to graphql-go")
			}
			if r := fast.Post(t, "", tt.req); len(r.Errors) > 0 || !bytes.HasPrefix(r.Body, []byte(`{"data":{`)) {
				t.Errorf("not an answer: %s", r.Short())
			}
		})
	}
	for _, tt := range unplanned {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure graphql-go's answer, errors included, is unchanged.
			compare(t, tt.req)
		})
	}
	queries, err := filepath.Glob(filepath.Join("testdata", "queries", "*.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range queries {
		t.Run("Golden"+strings.TrimSuffix(filepath.Base(path), ".graphql"), func(t *testing.T) {
			// Ensure the golden queries get the same bytes either way.
			query, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			req := Request{Query: string(query)}
			if vars, err := os.ReadFile(strings.TrimSuffix(path, ".graphql") + ".vars.json"); err == nil {
				if err := json.Unmarshal(vars, &req.Variables); err != nil {
					t.Fatal(err)
				}
			}
			compare(t, req)
		})
	}
}

// TestPlansLogOnce checks that an internal error met by a plan is logged
// once, by the graphql-go run that answers, not also by the plan.
func TestPlansLogOnce(t *testing.T) {
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph { return burningGraph{db} }))
	r := s.Query(t, `{ claim(id: "`+headline+`") { id } }`, nil)
	r.MustFail(t, http.StatusOK, api.CodeInternal)
	if api.Fallbacks(s.API) != 1 {
		t.Errorf("%d fallbacks, want 1", api.Fallbacks(s.API))
	}
	log := s.Log.Wait(t, func(log string) bool { return strings.Contains(log, `"message":"request"`) })
	if n := strings.Count(log, "disk on fire"); n != 1 {
		t.Errorf("internal error logged %d times, want once:\n%s", n, log)
	}
}

// FuzzPlans sends any query, with any variables, to a server with plans
// and to one without, and fails unless both answer the same bytes (request
// IDs aside, which differ per request).
func FuzzPlans(f *testing.F) {
	for _, tt := range planned {
		vars, _ := json.Marshal(tt.req.Variables)
		f.Add(tt.req.Query, string(vars))
	}
	for _, tt := range unplanned {
		vars, _ := json.Marshal(tt.req.Variables)
		f.Add(tt.req.Query, string(vars))
	}
	fast, stock := MustServer(f, WithoutToken()), MustServer(f, WithoutToken())
	api.NoPlans(stock.API)
	requestID := regexp.MustCompile(`"requestId":"[^"]*"`)
	answer := func(s *Server, body []byte) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.API.ServeHTTP(rec, req)
		return rec.Code, requestID.ReplaceAll(rec.Body.Bytes(), []byte(`"requestId":"-"`))
	}
	f.Fuzz(func(t *testing.T, query, variables string) {
		var vars map[string]any
		if json.Unmarshal([]byte(variables), &vars) != nil {
			vars = nil
		}
		body, err := json.Marshal(Request{Query: query, Variables: vars})
		if err != nil {
			t.Skip()
		}
		gotStatus, got := answer(fast, body)
		wantStatus, want := answer(stock, body)
		if gotStatus != wantStatus || !bytes.Equal(got, want) {
			t.Errorf("query %q variables %s\nwith plans, status %d:\n%s\nthrough graphql-go, status %d:\n%s",
				query, variables, gotStatus, got, wantStatus, want)
		}
	})
}
