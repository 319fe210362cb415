package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// FuzzGraphQL posts arbitrary query text, variables and operation names
// through the real handler and schema over a store holding the seed. For
// any input the server must not panic, must answer with a status under 500
// and a GraphQL response in JSON, and must not call its own failure
// (INTERNAL) what is the client's malformed input. Every error carries a
// code.
//
// Requests carry the write token, so mutations reach their resolvers and
// the store. After a mutation has run, the next input gets a fresh copy of
// the seed, so that every input is judged on the same graph and a failure
// reproduces from its input alone.
//
// The corpus starts from real requests: the README's example, the golden
// queries of testdata/queries, the playground's default query, mutations
// of every kind and introspection. Run it longer by hand with
//
//	go test ./api -run '^$' -fuzz '^FuzzGraphQL$' -fuzztime 10m
func FuzzGraphQL(f *testing.F) {
	for _, c := range fuzzSeedCorpus(f) {
		f.Add(c.query, c.variables, c.operationName)
	}
	db := openSeeded(f)
	f.Cleanup(func() { db.Close() })
	g := &swappableGraph{Graph: db}
	srv, err := api.New(api.Config{Graph: g, WriteToken: testToken, Logger: zerolog.Nop()})
	if err != nil {
		f.Fatal(err)
	}
	dirty := false
	f.Fuzz(func(t *testing.T, query, variables, operationName string) {
		if dirty {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = openSeeded(t)
			g.Graph, dirty = db, false
		}
		body := map[string]any{"query": query, "operationName": operationName}
		if json.Valid([]byte(variables)) {
			body["variables"] = json.RawMessage(variables)
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		// A hang has no failing check to report it: after a minute (the
		// server's own time limit is 10 s) crash with every goroutine's
		// stack, and the fuzzer keeps the input.
		watchdog := time.AfterFunc(time.Minute, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("the request has run for a minute:\n%s\n%s", b, buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		srv.ServeHTTP(rec, req)
		// Only a mutation that passed validation and the limits (200) may
		// have written.
		dirty = rec.Code == http.StatusOK && mutationKeyword.MatchString(query)
		checkFuzzAnswer(t, rec, b)
	})
}

// mutationKeyword finds the keyword that starts every mutation operation
// (and sometimes other text, which costs only a needless reset).
var mutationKeyword = regexp.MustCompile(`\bmutation\b`)

// checkFuzzAnswer fails unless the answer is a GraphQL response under 500
// whose errors all carry a code other than INTERNAL.
func checkFuzzAnswer(t *testing.T, rec *httptest.ResponseRecorder, request []byte) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for %s:\n%s", rec.Code, request, rec.Body)
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []GQLError      `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("the answer is not JSON (%v) for %s:\n%s", err, request, rec.Body)
	}
	if resp.Data == nil && len(resp.Errors) == 0 {
		t.Fatalf("the answer has neither data nor errors for %s:\n%s", request, rec.Body)
	}
	for _, e := range resp.Errors {
		switch e.Code() {
		case "":
			t.Fatalf("an error without a code for %s:\n%s", request, rec.Body)
		case api.CodeInternal:
			t.Fatalf("INTERNAL for %s:\n%s", request, rec.Body)
		}
	}
}

// swappableGraph serves the graph it holds, so that one server (and its
// schema) can run over a fresh store. A fuzz worker runs its inputs one at
// a time, so the swap needs no lock.
type swappableGraph struct{ graph.Graph }

// openSeeded opens an in-memory store holding the seed; the caller closes
// it.
func openSeeded(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(store.SmallOptions())
	if err != nil {
		tb.Fatal(err)
	}
	MustLoadSeed(tb, db)
	return db
}

type fuzzCase struct{ query, variables, operationName string }

// fuzzSeedCorpus returns the real requests the fuzzer starts from.
func fuzzSeedCorpus(tb testing.TB) []fuzzCase {
	tb.Helper()
	cases := []fuzzCase{
		{api.DefaultPlaygroundQuery, "", ""},
		{introspectionQuery, "", "IntrospectionQuery"},
		{`{ __type(name: "Claim") { name fields { name } } }`, "", ""},
		{`query($id: ID!, $d: Int) { node(id: $id) { __typename id ... on Claim { chains(maxDepth: $d) { terminal confidence flags weakestHop { outlet { name } } } } } }`, `{"id": "` + headline + `", "d": 3}`, ""},
		{`{ outlets(filter: {country: "GB", echo: {minSecondHand: 1}}) { totalCount edges { node { id echo { appearances firstHand secondHand anonymousOrigin } } } } }`, "", ""},
		{`{ officials(first: 2, filter: {anonymous: true}) { edges { cursor node { name possiblySameAs { id } attributions(first: 1) { totalCount } } } } reports(filter: {status: RETRACTED}) { totalCount } }`, "", ""},
		{`query A { claims { totalCount } } query B { outlets { totalCount } }`, "", "B"},
		{`fragment F on Claim { id text } { claim(id: "` + headline + `") { ...F firstAppearance { report { outlet { name } } } } }`, "", ""},
		{`mutation { createOutlet(input: {id: "outlet:reuters", name: "Reuters", country: "GB", outletType: WIRE_AGENCY}) { id reliability } }`, "", ""},
		{`mutation { updateReport(id: "` + telegraphReport + `", input: {status: RETRACTED}) { status } }`, "", ""},
		{`mutation { deleteOfficial(id: "` + usNegotiators + `", cascade: true) }`, "", ""},
		{`mutation { addRating(id: "outlet:telegraph", input: {rating: D, ratedBy: "desk", ratedAt: "2026-01-01"}) { ... on Outlet { reliability } } }`, "", ""},
		{`mutation($c: ID!) { addCitation(report: "` + telegraphReport + `", cites: $c) { cites { id } } }`, `{"c": "` + euromaidanReport + `"}`, ""},
		{`mutation($data: String!) { importDataset(data: $data) { nodes edges } }`,
			`{"data": "{\"format\": \"hearsay/v1\", \"dataset\": {\"id\": \"fuzz\"}, \"outlets\": [{\"id\": \"outlet:x\", \"name\": \"X\"}]}"}`, ""},
		{`{ extract(text: "The Telegraph reported that US officials have made clear they will “help”. Keir Starmer said so 🙂.", outlet: "outlet:x", published: "2025-04") { quotes { cue { start end text } sources { text } contents { text } confidence } review { record path spans { start end } note } counts { claims } records { id kind } claims { id appearances { report mode attributions { source mode relaying { source } } } } document } }`, "", ""},
		{`query($t: String!, $r: ID) { extract(text: $t, report: $r) { document } }`, `{"t": "“No,” she said.\u0000", "r": "report:x"}`, ""},
		// null literals, null variables, defaults on non-null variables
		{`query($a: String = null, $f: OutletFilter = {country: null}) { outlets(after: $a, first: null, filter: $f) { totalCount } claim(id: null) { id } }`, "", ""},
		{`query($id: ID! = "` + headline + `", $d: Int = 2) { claim(id: $id) { chains(maxDepth: $d, from: null) { terminal } } }`, `{"d": null}`, ""},
		{`mutation { updateOutlet(id: "outlet:telegraph", input: {name: null, outletType: null, country: "GB"}) { id } deleteOutlet(id: "outlet:x", cascade: null) }`, "", ""},
		{`subscription($k: [Kind!] = [null]) { graphChanged(kinds: $k) { id } } { claims(first: 2147483648) { totalCount } }`, `{"k": [null]}`, ""},
	}
	// The README's example request.
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		tb.Fatal(err)
	}
	examples := regexp.MustCompile(`(?s)-d '(\{"query":.*?\})'`).FindAllSubmatch(readme, -1)
	if len(examples) == 0 {
		tb.Fatal("no example request (curl -d '{\"query\": ...}') in README.md")
	}
	for _, m := range examples {
		var req Request
		if err := json.Unmarshal(m[1], &req); err != nil {
			tb.Fatalf("README.md example %s: %v", m[1], err)
		}
		cases = append(cases, fuzzCase{req.Query, "", ""})
	}
	// The golden queries, with their variables.
	queries, err := filepath.Glob(filepath.Join("testdata", "queries", "*.graphql"))
	if err != nil || len(queries) == 0 {
		tb.Fatalf("no golden queries: %v", err)
	}
	for _, path := range queries {
		q, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		vars, err := os.ReadFile(strings.TrimSuffix(path, ".graphql") + ".vars.json")
		if err != nil && !os.IsNotExist(err) {
			tb.Fatal(err)
		}
		cases = append(cases, fuzzCase{string(q), string(vars), ""})
	}
	return cases
}

// maxRequestAlloc is the memory one request may allocate, whatever it
// holds: the bound SECURITY.md documents, measured by
// BenchmarkWorstCaseRequest. FuzzHTTP fails an input past it.
const maxRequestAlloc = 96 << 20

// FuzzHTTP sends whole requests through the real handler (logging, CORS,
// /graphql, /healthz, /admin/backup, the explorer and the playground): the method, the
// target with its query string, the Content-Type, Authorization and
// Origin headers, and the body bytes. For any input the server must not
// panic, must answer under 500, must answer /graphql with a GraphQL
// response in JSON whose errors carry a code, and must allocate at most
// maxRequestAlloc for it (runtime.MemStats.TotalAlloc around the request;
// the fuzzer's own allocations are outside it). Run it by hand with
//
//	go test ./api -run '^$' -fuzz '^FuzzHTTP$' -fuzztime 10m
func FuzzHTTP(f *testing.F) {
	body := func(query string) []byte {
		b, _ := json.Marshal(map[string]string{"query": query})
		return b
	}
	for _, c := range fuzzSeedCorpus(f) {
		b, _ := json.Marshal(map[string]any{"query": c.query, "operationName": c.operationName})
		f.Add("POST", "/graphql", "application/json", "", true, "", b)
	}
	f.Add("GET", "/graphql?query=%7B+claims+%7B+totalCount+%7D+%7D&variables=%7B%7D", "", "", false, "", []byte(nil))
	f.Add("POST", "/graphql", "application/json", "", false, "https://evil.example", body(`{ claim(id:`+strings.Repeat("[", 1000)))
	f.Add("POST", "/graphql", "application/json", "", false, "", body("{"+strings.Repeat("\t", 5000)+")"))
	f.Add("POST", "/graphql", "", "", false, "", body("{ claims { totalCount } }"))
	f.Add("POST", "/graphql", "application/json", "application/graphql-response+json", false, "", body("{ claims(first: ) }"))
	f.Add("POST", "/graphql", "application/json", "application/json", false, "", []byte(`{"query": "query($n: Int) { outlets(first: $n) { totalCount } }", "variables": {"n": "x"}}`))
	f.Add("POST", "/graphql", "application/json", "application/json;q=0, */*;q=0.5, text/html;q=1", false, "", body("{ claims { totalCount } }"))
	f.Add("POST", "/graphql", "application/json", "application/graphql-response+json,application/json;q=0.9", false, "",
		[]byte(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}`))
	f.Add("GET", "/graphql?extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%7D%7D", "", "text/plain", false, "", []byte(nil))
	f.Add("POST", "/graphql", "application/json; charset=utf-8", "", false, "", []byte(`{"query": "query($id: ID!) { claim(id: $id) { id } }", "variables": {"id": {"a": [1, 2]}}}`))
	f.Add("OPTIONS", "/graphql", "", "", false, "https://factcheck.example", []byte(nil))
	f.Add("GET", "/healthz", "", "", false, "", []byte(nil))
	f.Add("POST", "/admin/backup", "", "", true, "", []byte(nil))
	f.Add("GET", "/", "", "", false, "", []byte(nil))
	f.Add("GET", "/claims/claim:us-negotiators-willing-to-support-western-force", "", "", false, "", []byte(nil))
	f.Add("GET", "/?query=%7B+claims+%7B+totalCount+%7D+%7D", "", "", false, "", []byte(nil))
	f.Add("GET", "/explorer/explorer.js?v=0", "", "", false, "", []byte(nil))
	f.Add("GET", "/graphiql", "", "", false, "", []byte(nil))
	db := openSeeded(f)
	f.Cleanup(func() { db.Close() })
	g := &swappableGraph{Graph: db}
	srv, err := api.New(api.Config{Graph: g, WriteToken: testToken, Logger: zerolog.Nop(),
		CORSOrigins: []string{"https://factcheck.example"}, Timeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	dirty := false
	f.Fuzz(func(t *testing.T, method, target, contentType, accept string, auth bool, origin string, body []byte) {
		if dirty {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = openSeeded(t)
			g.Graph, dirty = db, false
		}
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) {
			return // not a request a client can send
		}
		if strings.Contains(strings.ToLower(accept), "text/event-stream") {
			return // a stream runs until the client leaves (FuzzSubscription)
		}
		req := &http.Request{Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: "example.com",
			RemoteAddr: "192.0.2.1:1234"}
		req = req.WithContext(context.Background())
		for k, v := range map[string]string{"Content-Type": contentType, "Accept": accept, "Origin": origin} {
			if v != "" && validHeaderValue(v) {
				req.Header.Set(k, v)
			}
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+testToken)
		}
		rec := httptest.NewRecorder()
		watchdog := time.AfterFunc(time.Minute, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("the request has run for a minute:\n%s %s\n%s\n%s", method, target, body, buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		srv.ServeHTTP(rec, req)
		runtime.ReadMemStats(&after)
		limit := uint64(maxRequestAlloc)
		if raceEnabled {
			limit *= 2 // the race detector's shadow allocations
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > limit {
			t.Fatalf("one request allocated %d MiB, over the bound of %d MiB: %s %s %.300q", n>>20, maxRequestAlloc>>20, method, target, body)
		}
		dirty = rec.Code == http.StatusOK && bytes.Contains(body, []byte("mutation"))
		if rec.Code >= 500 {
			t.Fatalf("status %d for %s %s %q:\n%s", rec.Code, method, target, body, rec.Body)
		}
		if u.Path == "/graphql" && method != http.MethodOptions {
			checkFuzzAnswer(t, rec, body)
		}
	})
}

// validMethod reports whether m is an HTTP method token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range []byte(m) {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, rune(c)) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v can be sent as a header value.
func validHeaderValue(v string) bool {
	for _, c := range []byte(v) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
