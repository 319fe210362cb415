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
	"hearsay/graph"
	"hearsay/store"
)

// chainLen is the length of the benchmark chain: reports r0 → r1 → … → r5
// → an official.
const chainLen = 6

const benchClaim = "claim:bench-six-hops"

// chainDataset is a claim carried by six reports of six outlets, each
// citing the next (r0 cites r1, …), the last quoting an official: its chain
// from r0 has six hops.
func chainDataset() *graph.Dataset {
	ds := &graph.Dataset{Info: graph.DatasetInfo{ID: "bench"}}
	ds.Officials = []*graph.Official{{ID: "official:bench-source", Name: "a bench source", Form: graph.FormPerson, Anonymous: true}}
	c := &graph.Claim{ID: benchClaim, Text: "A claim that travelled through six reports."}
	for i := range chainLen {
		outlet := fmt.Sprintf("outlet:bench-%d", i)
		report := fmt.Sprintf("report:bench-r%d", i)
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: outlet, Name: fmt.Sprintf("Outlet %d", i), Country: "GB",
			Ratings: []graph.Rating{{Rating: graph.ReliabilityB, RatedBy: "bench"}}})
		published, err := graph.ParseDate(fmt.Sprintf("2025-04-%02d", 20-i))
		if err != nil {
			panic(err)
		}
		r := &graph.Report{ID: report, Outlet: outlet, Title: fmt.Sprintf("Report %d", i), Published: published, Status: graph.StatusPublished}
		next := graph.Attribution{Source: "official:bench-source", Mode: graph.ModeDirectQuote, Quote: "the source's words"}
		if i < chainLen-1 {
			r.Cites = []string{fmt.Sprintf("report:bench-r%d", i+1)}
			next = graph.Attribution{Source: r.Cites[0], Mode: graph.ModeCitesReport}
		}
		ds.Reports = append(ds.Reports, r)
		c.Appearances = append(c.Appearances, graph.Appearance{Report: report, Quote: fmt.Sprintf("wording %d", i),
			Mode: graph.ModeParaphrase, Hedge: "reportedly", Attributions: []graph.Attribution{next}})
	}
	ds.Claims = []*graph.Claim{c}
	return ds
}

// chainQuery asks for every chain of a claim, hop by hop, with each hop's
// report, outlet and next source: what a dashboard draws.
const chainQuery = `query Chain($id: ID!) {
  claim(id: $id) {
    id
    text
    chains {
      hops {
        report { id title published }
        outlet { name reliability }
        mode
        quote
        inferred
        to { __typename ... on Official { id name anonymous } ... on Report { id } ... on Outlet { id name } }
      }
      terminal
      origin { __typename ... on Official { id name } ... on Outlet { id name } }
      flags
    }
  }
}`

// benchServer returns a server over a store holding the six-hop chain.
func benchServer(b *testing.B, opt store.Options, cfg api.Config) *api.Server {
	b.Helper()
	db, err := store.Open(opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if _, err := db.ImportDataset(context.Background(), chainDataset()); err != nil {
		b.Fatal(err)
	}
	cfg.Graph = db
	cfg.Logger = zerolog.Nop()
	srv, err := api.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

func chainBody(b *testing.B) []byte {
	b.Helper()
	body, err := json.Marshal(Request{Query: chainQuery, Variables: map[string]any{"id": benchClaim}})
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

// BenchmarkChainQuery runs the six-hop chain query in process through the
// whole stack (HTTP handler, document cache, limits, execution, ordered
// encoding) on an in-memory store. Cached is the steady state; Uncached
// parses and validates every time (CacheSize -1), which is what the
// document cache saves.
func BenchmarkChainQuery(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int
	}{{"Cached", 0}, {"Uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := benchServer(b, store.SmallOptions(), api.Config{CacheSize: bc.cache})
			body := chainBody(b)
			serve := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				return rec
			}
			checkChain(b, serve().Body.Bytes()) // and warms the cache
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
		})
	}
}

// BenchmarkChainHTTP runs the same query over loopback HTTP against a store
// on disk: Serial for one connection's latency, Parallel32 with 32
// concurrent clients for throughput (req/s).
func BenchmarkChainHTTP(b *testing.B) {
	setup := func(b *testing.B) (*httptest.Server, *http.Client, []byte) {
		srv := benchServer(b, store.DefaultOptions(b.TempDir()), api.Config{})
		hs := httptest.NewServer(srv)
		b.Cleanup(hs.Close)
		tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
		b.Cleanup(tr.CloseIdleConnections)
		return hs, &http.Client{Transport: tr}, chainBody(b)
	}
	post := func(b *testing.B, c *http.Client, url string, body []byte) []byte {
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
	b.Run("Serial", func(b *testing.B) {
		hs, c, body := setup(b)
		checkChain(b, post(b, c, hs.URL+"/graphql", body))
		lat := make(latencies, 0, b.N)
		b.ResetTimer()
		for b.Loop() {
			start := time.Now()
			post(b, c, hs.URL+"/graphql", body)
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		lat.report(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("Parallel32", func(b *testing.B) {
		hs, c, body := setup(b)
		checkChain(b, post(b, c, hs.URL+"/graphql", body))
		b.SetParallelism((32 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(b, c, hs.URL+"/graphql", body)
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

// TestChainDataset checks the benchmark's dataset and query once, so that a
// broken benchmark fails in ordinary test runs.
func TestChainDataset(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := db.ImportDataset(context.Background(), chainDataset()); err != nil {
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
	r := s.Query(t, chainQuery, map[string]any{"id": benchClaim})
	r.MustData(t, nil)
	if strings.Contains(string(r.Body), "TEMPORAL_ANOMALY") {
		t.Error("the bench chain has a temporal anomaly")
	}
}
