package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"hearsay/api"
)

// worstCaseRequests are the requests within the 1 MiB body limit that
// allocate the most that we know of, each with the status it gets.
func worstCaseRequests() []struct {
	name   string
	body   []byte
	status int
} {
	mb := api.DefaultMaxBodyBytes - 200
	q := func(query string, vars map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return b
	}
	var aliases strings.Builder
	for i := 0; aliases.Len() < mb-100; i++ {
		fmt.Fprintf(&aliases, " a%d: __typename", i)
	}
	var ints strings.Builder
	for ints.Len() < mb-100 {
		ints.WriteString("1,")
	}
	return []struct {
		name   string
		body   []byte
		status int
	}{
		{"LongString", q(`{ claims(filter: {search: "`+strings.Repeat("word ", mb/5-40)+`"}) { totalCount } }`, nil), http.StatusOK},
		{"LongComment", q("#"+strings.Repeat("é", mb/2-40)+"\n{ claims { totalCount } }", nil), http.StatusOK},
		{"Tokens", q("{"+aliases.String()+" }", nil), http.StatusBadRequest},
		{"ListValue", q(`{ claims(filter: {topic: [`+ints.String()+`]}) { totalCount } }`, nil), http.StatusBadRequest},
		{"Nesting", q(`{ claim(id:`+strings.Repeat("[", mb-40), nil), http.StatusBadRequest},
		{"VariableList", []byte(`{"query": "query($t: String) { claims(filter: {topic: $t}) { totalCount } }", "variables": {"t": [` + strings.Repeat("1,", mb/2-40) + `1]}}`), http.StatusBadRequest},
		{"LadderChains", q(ladderQuery(), nil), http.StatusBadRequest},
		{"LadderOneTrace", q(`{ claim(id: "claim:ladder") { chains(maxDepth: 13) { hops { quote report { id } outlet { name } } } } }`, nil), http.StatusBadRequest},
		{"LadderOneTraceGraphQLGo", q(`{ claim(id: "claim:ladder") @include(if: true) { chains(maxDepth: 13) { hops { quote report { id } outlet { name } } } } }`, nil), http.StatusBadRequest},
		{"ResponseLimitPlan", q(wideLadder(""), nil), http.StatusBadRequest},
		{"ResponseLimitGraphQLGo", q(wideLadder("@include(if: true)"), nil), http.StatusBadRequest},
		{"Introspection", q(introspectionQuery, nil), http.StatusOK},
		// One endless sentence of reporting clauses, the extractor's worst
		// shape known (its work grows faster than the text), at the limit.
		{"ExtractOneSentence", q(`query($t: String!) { extract(text: $t) { quotes { cue { start } } review { record } document } }`,
			map[string]any{"t": strings.Repeat("officials said that ", api.MaxExtractBytes/20)}), http.StatusOK},
		{"ExtractQuotes", q(`query($t: String!) { extract(text: $t) { quotes { cue { start } } review { record } document } }`,
			map[string]any{"t": strings.Repeat("“We will not move,” she said. ", api.MaxExtractBytes/34)}), http.StatusOK},
		{"ExtractSaid", q(`query($t: String!) { extract(text: $t) { quotes { cue { start } } review { record } document } }`,
			map[string]any{"t": strings.Repeat("Keir Starmer said the taxes on item number 7 would rise. ", api.MaxExtractBytes/58)}), http.StatusOK},
		// Last: it replaces the ladder. (A claim's record must stay under
		// 64 KiB in the test store: 96 quotes of 10,000 bytes are INTERNAL.)
		{"ImportDataset", q(`mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ladder(40, 600)}), http.StatusOK},
	}
}

// BenchmarkWorstCaseRequest measures the memory one request allocates
// through the real handler (B/op, -benchmem), for the largest requests we
// know of within the body limit; maxRequestAlloc, which FuzzHTTP enforces,
// is above the largest. Run it with
//
//	go test ./api -run '^$' -bench WorstCaseRequest -benchmem
func BenchmarkWorstCaseRequest(b *testing.B) {
	s := MustServer(b)
	s.MustMutate(b, `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ladder(24, 200)}, nil)
	for _, tt := range worstCaseRequests() {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(tt.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+testToken)
				rec := httptest.NewRecorder()
				s.API.ServeHTTP(rec, req)
				if rec.Code != tt.status {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func TestWorstCaseRequestMemory(t *testing.T) {
	// Ensure each worst-case request allocates less than the documented
	// bound, maxRequestAlloc.
	s := MustServer(t)
	s.MustMutate(t, `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ladder(24, 200)}, nil)
	for _, tt := range worstCaseRequests() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s.API.ServeHTTP(rec, req)
		runtime.ReadMemStats(&after)
		n := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: status %d, %d bytes of body, %.1f MiB allocated: %.90s", tt.name, rec.Code, len(tt.body), float64(n)/(1<<20), rec.Body)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d: %.300s", tt.name, rec.Code, rec.Body)
		}
		limit := uint64(maxRequestAlloc)
		if raceEnabled {
			limit *= 2 // the race detector's shadow allocations
		}
		if n > limit {
			t.Errorf("%s allocated %d MiB, over %d MiB", tt.name, n>>20, limit>>20)
		}
	}
}

// wideLadder asks for the ladder's chains 3 times over, with every field
// of their hops: one trace (aliases of the same depth share it) and an
// answer past the response limit.
func wideLadder(directive string) string {
	var b strings.Builder
	b.WriteString(`{ claim(id: "claim:ladder") ` + directive + ` {`)
	for i := range 3 {
		fmt.Fprintf(&b, ` a%d: chains(maxDepth: 8) { terminal hops { quote hedge mode inferred published attributionQuote report { id title url published } outlet { id name } } }`, i)
	}
	return b.String() + " } }"
}
