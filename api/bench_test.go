package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/api/apibench"
	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/storetest"
)

// chainLen is the length of the benchmark chain: reports r0 → r1 → … → r5
// → an official.
const chainLen = apibench.Hops

const benchClaim = apibench.Claim

// chainQuery asks for every chain of a claim (six chains, 21 hops), hop by
// hop, with each hop's report, outlet and next source. apibench.Query asks
// for the one six-hop chain of DESIGN.md section 5.
var chainQuery = strings.NewReplacer("query Chain6($id: ID!, $from: ID!)", "query Chain($id: ID!)",
	"chains(from: $from)", "chains").Replace(apibench.Query)

// benchServer returns a server over a store holding the six-hop chain.
func benchServer(b *testing.B, opt store.Options, cfg api.Config) *api.Server {
	b.Helper()
	db, err := store.Open(opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if _, err := db.ImportDataset(context.Background(), apibench.Dataset()); err != nil {
		b.Fatal(err)
	}
	return benchServerOn(b, db, cfg)
}

func benchServerOn(b *testing.B, db *store.DB, cfg api.Config) *api.Server {
	b.Helper()
	cfg.Graph = db
	cfg.Logger = zerolog.Nop()
	srv, err := api.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// benchQuery is a query the benchmarks run, with the check of its answer.
type benchQuery struct {
	query string
	vars  map[string]any
	check func(*testing.B, []byte)
}

// allChains is every chain of the bench claim; chain6 the one chain of six
// hops that DESIGN.md section 5 sets targets for.
var (
	allChains = benchQuery{chainQuery, map[string]any{"id": benchClaim}, checkChain}
	chain6    = benchQuery{apibench.Query, apibench.Variables(), func(b *testing.B, body []byte) {
		b.Helper()
		if err := apibench.CheckAnswer(body); err != nil {
			b.Fatal(err)
		}
	}}
)

func (q benchQuery) body(b *testing.B) []byte {
	b.Helper()
	body, err := json.Marshal(Request{Query: q.query, Variables: q.vars})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// checkChain fails the benchmark unless body is a six-hop chain answer.
func checkChain(b *testing.B, body []byte) {
	b.Helper()
	var r struct {
		Data struct {
			Claim struct {
				Chains []struct {
					Hops     []json.RawMessage
					Terminal string
				}
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) > 0 {
		b.Fatalf("bad answer (%v): %s", err, body)
	}
	if c := r.Data.Claim.Chains; len(c) != chainLen || len(c[0].Hops) != chainLen || c[0].Terminal != "OFFICIAL" {
		b.Fatalf("want %d chains, the first of %d hops ending OFFICIAL: %s", chainLen, chainLen, body)
	}
}

// latencies records one duration per operation and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkChainQuery runs the query of all six chains in process through
// the whole stack (HTTP handler, document cache, limits, execution, ordered
// encoding) on an in-memory store. Cached is the steady state; Uncached
// parses and validates every time (CacheSize -1), which is what the
// document cache saves.
func BenchmarkChainQuery(b *testing.B) { benchInProcess(b, allChains) }

// BenchmarkChain6Query is BenchmarkChainQuery for the six-hop chain of
// DESIGN.md section 5 (apibench.Query).
func BenchmarkChain6Query(b *testing.B) { benchInProcess(b, chain6) }

// BenchmarkTypenameQuery is the fixed cost of a request through the whole
// stack (access log, request ID, metrics, limits, execution, encoding):
// { __typename } reads nothing.
func BenchmarkTypenameQuery(b *testing.B) {
	runInProcess(b, benchServer(b, store.SmallOptions(), api.Config{}), benchQuery{query: "{ __typename }",
		check: func(b *testing.B, body []byte) {
			b.Helper()
			if want := `{"data":{"__typename":"Query"}}`; string(body) != want {
				b.Fatalf("answer %s, want %s", body, want)
			}
		}})
}

func benchInProcess(b *testing.B, q benchQuery) {
	for _, bc := range []struct {
		name  string
		cache int
	}{{"Cached", 0}, {"Uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			runInProcess(b, benchServer(b, store.SmallOptions(), api.Config{CacheSize: bc.cache}), q)
		})
	}
}

// runInProcess measures q through srv's handler, without a network.
func runInProcess(b *testing.B, srv *api.Server, q benchQuery) {
	body := q.body(b)
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	q.check(b, serve().Body.Bytes()) // and warms the cache
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := serve()
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkChainHTTP runs the query of all chains over loopback HTTP
// against a store on disk: Serial for one connection's latency, Parallel32
// with 32 concurrent clients for throughput (req/s).
func BenchmarkChainHTTP(b *testing.B) { benchHTTP(b, allChains) }

// BenchmarkChain6HTTP is BenchmarkChainHTTP for the six-hop chain.
func BenchmarkChain6HTTP(b *testing.B) { benchHTTP(b, chain6) }

func benchHTTP(b *testing.B, q benchQuery) {
	b.Run("Serial", func(b *testing.B) {
		runSerial(b, benchServer(b, store.DefaultOptions(b.TempDir()), api.Config{}), q)
	})
	b.Run("Parallel32", func(b *testing.B) {
		runParallel32(b, benchServer(b, store.DefaultOptions(b.TempDir()), api.Config{}), q)
	})
}

// serveLoopback serves srv on 127.0.0.1 and returns its /graphql URL and
// a client keeping up to 64 connections open.
func serveLoopback(b *testing.B, srv *api.Server) (string, *http.Client) {
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	return hs.URL + "/graphql", &http.Client{Transport: tr}
}

func post(b *testing.B, c *http.Client, url string, body []byte) []byte {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return nil
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Errorf("status %d, %v", resp.StatusCode, err)
	}
	return out
}

// runSerial measures q over one loopback connection: latency and req/s.
func runSerial(b *testing.B, srv *api.Server, q benchQuery) {
	url, c := serveLoopback(b, srv)
	body := q.body(b)
	q.check(b, post(b, c, url, body))
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		post(b, c, url, body)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	lat.report(b)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// runParallel32 measures q's throughput over loopback with 32 concurrent
// clients.
func runParallel32(b *testing.B, srv *api.Server, q benchQuery) {
	url, c := serveLoopback(b, srv)
	body := q.body(b)
	q.check(b, post(b, c, url, body))
	b.SetParallelism((32 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, url, body)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkChain6Scale_100K and _1M run the six-hop chain query against a
// store on disk that also holds a generated graph (hearsay gen) of about
// 100,000 or 1,000,000 edges, reopened with store.DefaultOptions after the
// load: InProcess for latency, Parallel32 over loopback HTTP for
// throughput. The load takes most of their time.
func BenchmarkChain6Scale_1K(b *testing.B)   { benchScale(b, 1_000) }
func BenchmarkChain6Scale_100K(b *testing.B) { benchScale(b, 100_000) }
func BenchmarkChain6Scale_1M(b *testing.B)   { benchScale(b, 1_000_000) }

func benchScale(b *testing.B, edges int) {
	ctx := context.Background()
	dir := b.TempDir()
	var data bytes.Buffer
	if _, err := synth.Generate(&data, synth.Options{Edges: edges, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	// Loaded the way 'hearsay load' loads it: bulk, already compacted.
	src := func(emit func(int, any) error) error {
		_, err := fixtures.Stream("gen.ndjson", bytes.NewReader(data.Bytes()), fixtures.Options{}, emit)
		return err
	}
	if _, err := store.BulkLoad(ctx, store.DefaultOptions(dir), src, store.BulkOptions{}); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(store.DefaultOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ImportDataset(ctx, apibench.Dataset()); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if db, err = store.Open(store.DefaultOptions(dir)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	srv := benchServerOn(b, db, api.Config{})
	b.Run("InProcess", func(b *testing.B) { runInProcess(b, srv, chain6) })
	b.Run("Parallel32", func(b *testing.B) { runParallel32(b, srv, chain6) })
}

// TestChainDataset checks the benchmark's dataset and query once, so that a
// broken benchmark fails in ordinary test runs.
func TestChainDataset(t *testing.T) {
	db := storetest.Open(t)
	if _, err := db.ImportDataset(context.Background(), apibench.Dataset()); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Graph: db})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	s := &Server{Server: hs, API: srv, DB: db, Log: &LogBuffer{}}
	// Ensure the chain from r0 has six hops and ends at the official.
	got := s.chains(t, benchClaim)
	want := "Outlet 0 -CITES_REPORT-> Outlet 1 -CITES_REPORT-> Outlet 2 -CITES_REPORT-> Outlet 3 -CITES_REPORT-> Outlet 4 -CITES_REPORT-> Outlet 5 -DIRECT_QUOTE-> a bench source [OFFICIAL]"
	if len(got) != chainLen || got[0] != want {
		t.Errorf("chains %q, want %d starting with %q", got, chainLen, want)
	}
	// Ensure chainQuery asks for every chain.
	if strings.Contains(chainQuery, "from") {
		t.Fatalf("chainQuery still selects one appearance: %s", chainQuery)
	}
	r := s.Query(t, chainQuery, map[string]any{"id": benchClaim})
	r.MustData(t, nil)
	if strings.Contains(string(r.Body), "TEMPORAL_ANOMALY") {
		t.Error("the bench chain has a temporal anomaly")
	}
	// Ensure apibench.Query answers the one six-hop chain from r0.
	r = s.Query(t, apibench.Query, apibench.Variables())
	if err := apibench.CheckAnswer(r.Body); err != nil {
		t.Error(err)
	}
	// Ensure the stock baseline answers it too.
	stock, err := json.Marshal(srv.ExecuteStock(context.Background(), apibench.Query, apibench.Variables()))
	if err != nil {
		t.Fatal(err)
	}
	if err := apibench.CheckAnswer(stock); err != nil {
		t.Error(err)
	}
}

// BenchmarkChainManyAppearances runs apibench.Query, the chain from one
// appearance, with the chain's third hop attributing the claim to the
// next report's outlet rather than the report, on claims that also
// appear in 0, 100 or 1,000 other reports (of another outlet, unattributed):
// the chain asked for should cost the same whatever else the claim
// carries (issue 14: within 1.2x). In process, on an in-memory store.
func BenchmarkChainManyAppearances(b *testing.B) {
	for _, extra := range []int{0, 100, 1000} {
		b.Run(fmt.Sprintf("Apps_%d", apibench.Hops+extra), func(b *testing.B) {
			runInProcess(b, benchServerOn(b, manyAppearances(b, extra), api.Config{}), chain6)
		})
	}
}

// manyAppearances is a store holding apibench.Dataset, its third report
// attributing the claim to the fourth's outlet, and the claim's
// appearances in extra more reports.
func manyAppearances(b *testing.B, extra int) *store.DB {
	b.Helper()
	db, err := store.Open(store.SmallOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	ds := apibench.Dataset()
	c := ds.Claims[0]
	c.Appearances[2].Attributions = []graph.Attribution{{Source: ds.Reports[3].Outlet, Mode: graph.ModeParaphrase}}
	ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: "outlet:bench-extra", Name: "Extra"})
	for i := range extra {
		r := &graph.Report{ID: fmt.Sprintf("report:bench-x%04d", i), Outlet: "outlet:bench-extra", Status: graph.StatusPublished}
		ds.Reports = append(ds.Reports, r)
		c.Appearances = append(c.Appearances, graph.Appearance{Report: r.ID, Mode: graph.ModeParaphrase})
	}
	if _, err := db.ImportDataset(context.Background(), ds); err != nil {
		b.Fatal(err)
	}
	return db
}
