package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"hearsay/api"
	"hearsay/graph"
)

// scrape reads /metrics and parses it with Prometheus's own text parser.
func scrape(tb testing.TB, h http.Handler) map[string]*dto.MetricFamily {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("/metrics Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		tb.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample returns the value of the family's metric with exactly labels
// (name=value pairs), and whether there is one. Counters, gauges and
// untyped metrics give their value, histograms their count.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func mustSample(tb testing.TB, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	tb.Helper()
	v, ok := sample(fams, name, labels...)
	if !ok {
		tb.Fatalf("/metrics has no %s%v", name, labels)
	}
	return v
}

// labelValues returns the distinct values of a label over a family.
func labelValues(fams map[string]*dto.MetricFamily, name, label string) map[string]bool {
	out := map[string]bool{}
	if f := fams[name]; f != nil {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] = true
				}
			}
		}
	}
	return out
}

func TestMetrics(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxComplexity = 50; c.MaxBodyBytes = 4096 }))
	before := scrape(t, s.API)
	misses0 := mustSample(t, before, "hearsay_document_cache_misses_total")
	waits0 := mustSample(t, before, "hearsay_store_write_wait_seconds")

	const text = `query ClaimText { claim(id: "claim:us-negotiators-willing-to-support-western-force") { text } }`
	for range 2 {
		s.Query(t, text, nil).MustData(t, &struct{}{})
	}
	s.Query(t, `query Big { outlets(first: 100) { edges { node { name reports(first: 100) { totalCount } } } } }`, nil).
		MustFail(t, http.StatusBadRequest, "QUERY_TOO_COMPLEX")
	deep := "query Deep { " + strings.Repeat("a { ", 25) + "b " + strings.Repeat("} ", 25) + "}"
	s.Query(t, deep, nil).MustFail(t, http.StatusBadRequest, "QUERY_TOO_COMPLEX")
	if r := s.PostRaw(t, "", "application/json", []byte(`{"query":"`+strings.Repeat(" ", 5000)+`{ __typename }"}`)); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("large body: %d", r.Status)
	}
	s.Mutate(t, `mutation AddOutlet { createOutlet(input: {id: "outlet:kyiv-independent", name: "The Kyiv Independent", country: "UA", outletType: ONLINE}) { id } }`, nil).
		MustData(t, &struct{}{})

	fams := scrape(t, s.API)
	t.Run("Requests", func(t *testing.T) {
		// Ensure requests are counted by operation name and status.
		for _, c := range []struct {
			op, status string
			want       float64
		}{{"ClaimText", "200", 2}, {"Big", "400", 1}, {"AddOutlet", "200", 1}} {
			if got := mustSample(t, fams, "hearsay_graphql_requests_total", "operation", c.op, "status", c.status); got != c.want {
				t.Errorf("requests %s %s = %v, want %v", c.op, c.status, got, c.want)
			}
		}
		// The deep query is refused before validation, and the large
		// body before parsing: neither has a cached document's name.
		if got := mustSample(t, fams, "hearsay_graphql_requests_total", "operation", "other", "status", "400"); got != 1 {
			t.Errorf("other 400 = %v, want 1 (the deep query)", got)
		}
		if got := mustSample(t, fams, "hearsay_graphql_requests_total", "operation", "other", "status", "413"); got != 1 {
			t.Errorf("other 413 = %v, want 1", got)
		}
		if got := mustSample(t, fams, "hearsay_graphql_request_duration_seconds", "operation", "ClaimText"); got != 2 {
			t.Errorf("latency count of ClaimText = %v, want 2", got)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		// Ensure each refusal is counted under its limit, and limits that
		// refused nothing show 0.
		for limit, want := range map[string]float64{"complexity": 1, "depth": 1, "body": 1, "inflight": 0, "timeout": 0} {
			if got := mustSample(t, fams, "hearsay_graphql_refusals_total", "limit", limit); got != want {
				t.Errorf("refusals %s = %v, want %v", limit, got, want)
			}
		}
	})
	t.Run("Cache", func(t *testing.T) {
		// Ensure the second ClaimText hit the cache and the others missed.
		if got := mustSample(t, fams, "hearsay_document_cache_hits_total"); got < 1 {
			t.Errorf("cache hits = %v, want ≥ 1", got)
		}
		if got := mustSample(t, fams, "hearsay_document_cache_misses_total") - misses0; got != 4 {
			t.Errorf("cache misses = %v, want 4 (ClaimText, Big, Deep, AddOutlet)", got)
		}
	})
	t.Run("README", func(t *testing.T) {
		// Ensure the README lists every hearsay metric served, and serves
		// every one it lists.
		readme, err := os.ReadFile(filepath.Join("..", "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		_, sec, _ := strings.Cut(string(readme), "## Operations: metrics")
		sec, _, _ = strings.Cut(sec, "\n## ")
		listed := map[string]bool{}
		for _, m := range regexp.MustCompile("`(hearsay_[a-z_]+)").FindAllStringSubmatch(sec, -1) {
			listed[m[1]] = true
		}
		for name := range fams {
			if strings.HasPrefix(name, "hearsay_") && !listed[name] {
				t.Errorf("README's Operations: metrics does not list %s", name)
			}
		}
		for name := range listed {
			if fams[name] == nil {
				t.Errorf("README lists %s, which /metrics does not serve", name)
			}
		}
	})
	t.Run("Store", func(t *testing.T) {
		// Ensure the mutation's wait for the write lock was counted and
		// the storage's figures are there.
		if got := mustSample(t, fams, "hearsay_store_write_wait_seconds") - waits0; got < 1 {
			t.Errorf("write waits grew by %v, want ≥ 1", got)
		}
		for _, name := range []string{"hearsay_badger_lsm_bytes", "hearsay_badger_vlog_bytes", "hearsay_store_generation",
			"hearsay_graphql_in_flight", "hearsay_graphql_subscribers", "go_goroutines", "process_resident_memory_bytes"} {
			mustSample(t, fams, name)
		}
		if got := mustSample(t, fams, "hearsay_graphql_in_flight"); got != 0 {
			t.Errorf("in flight = %v, want 0 once every request is answered", got)
		}
	})
}

func TestMetrics_Timeout(t *testing.T) {
	// Ensure a request stopped by its time limit counts as a timeout
	// refusal once, whichever of its resolvers saw the deadline.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.Timeout = time.Nanosecond }))
	r := s.Query(t, `query Slow { a: claims { totalCount } b: outlets { totalCount } }`, nil)
	if len(r.Errors) == 0 {
		t.Fatalf("no error past the time limit: %s", r.Body)
	}
	fams := scrape(t, s.API)
	if got := mustSample(t, fams, "hearsay_graphql_refusals_total", "limit", "timeout"); got != 1 {
		t.Errorf("timeout refusals = %v, want 1", got)
	}
}

func TestMetrics_RunLimits(t *testing.T) {
	// Ensure the limits enforced while a query runs count under their own
	// names: trace steps and response size.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxTraceSteps = 1; c.MaxResponseBytes = 2000 }))
	s.Query(t, `{ claim(id: "claim:us-negotiators-willing-to-support-western-force") { chains { terminal } } }`, nil).
		MustFail(t, http.StatusBadRequest, "QUERY_TOO_COMPLEX")
	s.Query(t, `{ claims(first: 100) { edges { node { id text } } } }`, nil).
		MustFail(t, http.StatusBadRequest, "RESPONSE_TOO_LARGE")
	fams := scrape(t, s.API)
	for _, limit := range []string{"trace_steps", "response_size"} {
		if got := mustSample(t, fams, "hearsay_graphql_refusals_total", "limit", limit); got != 1 {
			t.Errorf("%s refusals = %v, want 1", limit, got)
		}
	}
}

func TestMetrics_Cardinality(t *testing.T) {
	// Ensure 10,000 requests with distinct operation names make at most
	// the cache's size + 1 operation label values.
	const cacheSize = 64
	s := MustServer(t, WithConfig(func(c *api.Config) { c.CacheSize = cacheSize }))
	for i := range 10_000 {
		body := fmt.Sprintf(`{"query":"query Op%d { __typename }"}`, i)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		s.API.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	s.Query(t, `{ __typename }`, nil).MustData(t, &struct{}{}) // anonymous
	fams := scrape(t, s.API)
	for _, name := range []string{"hearsay_graphql_requests_total", "hearsay_graphql_request_duration_seconds"} {
		ops := labelValues(fams, name, "operation")
		if len(ops) > cacheSize+1 {
			t.Errorf("%s has %d operation values, want at most %d", name, len(ops), cacheSize+1)
		}
		if !ops["Op9999"] || !ops["other"] || ops["Op0"] {
			t.Errorf("%s: want the last name and other, and not the first; got %d values", name, len(ops))
		}
	}
	if got := mustSample(t, fams, "hearsay_graphql_requests_total", "operation", "Op9999", "status", "200"); got != 1 {
		t.Errorf("Op9999 = %v, want 1", got)
	}
}

func TestMetrics_Concurrent(t *testing.T) {
	// Ensure concurrent requests, cache evictions and scrapes keep the
	// bound at every scrape (run with -race).
	const cacheSize = 8
	s := MustServer(t, WithConfig(func(c *api.Config) { c.CacheSize = cacheSize }))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 300 {
				body := fmt.Sprintf(`{"query":"query W%dOp%d { __typename }"}`, w, i%50)
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				s.API.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for scrapes := 0; ; scrapes++ {
		fams := scrape(t, s.API)
		if n := len(labelValues(fams, "hearsay_graphql_requests_total", "operation")); n > cacheSize+1 {
			t.Fatalf("scrape %d: %d operation values, want at most %d", scrapes, n, cacheSize+1)
		}
		select {
		case <-done:
			return
		default:
		}
	}
}

// statsOnly is a graph whose only working method is StorageStats: any
// read panics (its Graph is nil).
type statsOnly struct {
	graph.Graph
	st graph.StorageStats
}

func (g statsOnly) StorageStats() graph.StorageStats { return g.st }

func TestMetrics_Storage(t *testing.T) {
	// Ensure a scrape reads the storage's figures and nothing else of the
	// graph, and reports them as they are.
	st := graph.StorageStats{LSMBytes: 1234, ValueLogBytes: 5678, Generation: 3, WriteWait: graph.WaitHistogram{
		Count: 3, Sum: 30 * time.Millisecond, Buckets: make([]uint64, len(graph.WaitBounds))}}
	for i, b := range graph.WaitBounds {
		if b >= 0.001 {
			st.WriteWait.Buckets[i] = 2
		}
		if b >= 0.025 {
			st.WriteWait.Buckets[i] = 3
		}
	}
	srv, err := api.New(api.Config{Graph: statsOnly{st: st}})
	if err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, srv)
	for name, want := range map[string]float64{"hearsay_badger_lsm_bytes": 1234, "hearsay_badger_vlog_bytes": 5678, "hearsay_store_generation": 3} {
		if got := mustSample(t, fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	h := fams["hearsay_store_write_wait_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 3 || h.GetSampleSum() != 0.03 {
		t.Errorf("write wait count %d sum %v, want 3 and 0.03", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, b := range h.GetBucket() {
		want := uint64(0)
		switch {
		case b.GetUpperBound() >= 0.025:
			want = 3
		case b.GetUpperBound() >= 0.001:
			want = 2
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
}

func TestMetrics_Off(t *testing.T) {
	// Ensure NoMetrics leaves /metrics unserved.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.NoMetrics = true }))
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("hearsay_graphql_requests_total")) {
		t.Fatalf("/metrics served with NoMetrics: %d", resp.StatusCode)
	}
}

// BenchmarkMetricsScrape measures one scrape of a server that answered
// 512 distinct named queries (a full document cache's label values).
func BenchmarkMetricsScrape(b *testing.B) {
	s := MustServer(b)
	for i := range api.DefaultCacheSize {
		body := fmt.Sprintf(`{"query":"query Op%d { __typename }"}`, i)
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		s.API.ServeHTTP(httptest.NewRecorder(), req)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.API.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
		b.SetBytes(int64(rec.Body.Len()))
	}
}
