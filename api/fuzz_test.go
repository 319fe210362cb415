package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
