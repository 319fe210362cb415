// Package bench is 'hearsay bench': it generates a graph, bulk loads it
// into a new database and measures the figures of DESIGN.md section 5
// (ingest, lookups, the 6-hop chain in process and over HTTP, origins, a
// fresh process's start and memory). It is hearsay's measuring kit, not
// part of the product; cmd/hearsay only parses its flags.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/api/apibench"
	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
)

// processStart is when this process started, as near as Go lets us see:
// open_first_query_ms counts from here.
var processStart = time.Now()

// Report is what 'hearsay bench' measures. Latencies are medians
// (p50) and 99th percentiles of many runs; rates are totals over a fixed
// time.
type Report struct {
	Edges int64  `json:"edges"`
	Seed  uint64 `json:"seed"`

	IngestEdgesPerS  float64 `json:"ingest_edges_per_s"`
	IngestSeconds    float64 `json:"ingest_s"`
	DiskBytesPerEdge float64 `json:"disk_bytes_per_edge"`

	OutEdgesP50Us float64 `json:"out_edges_p50_us"`
	OutEdgesP99Us float64 `json:"out_edges_p99_us"`

	Chain6P50Us          float64 `json:"chain6_p50_us"`
	Chain6P99Us          float64 `json:"chain6_p99_us"`
	Chain6StockP50Us     float64 `json:"chain6_stock_p50_us"`
	Chain6VsStockGraphql float64 `json:"chain6_vs_stock_graphql"`

	HTTPChainRps    float64 `json:"http_chain_rps"`
	HTTPChainP50Us  float64 `json:"http_chain_p50_us"`
	HTTPChainErrors int64   `json:"http_chain_errors"`

	Origins10kMs    float64 `json:"origins_10k_ms"`
	Origins10kNodes int     `json:"origins_10k_nodes"`

	RSSMbPerMillionEdges float64 `json:"rss_mb_per_million_edges"`
	ServerRSSMb          float64 `json:"server_rss_mb"`
	ServerAnonMb         float64 `json:"server_anon_mb"`
	ServerFileMb         float64 `json:"server_file_mb"`
	BaseRSSMb            float64 `json:"base_rss_mb"`
	// The same without the pages of table files the OS has mapped in (its
	// page cache, reclaimable): the memory the process itself holds.
	AnonMbPerMillionEdges float64 `json:"anon_mb_per_million_edges"`
	OpenFirstQueryMs      float64 `json:"open_first_query_ms"`

	Method map[string]string `json:"method"`
}

var benchMethods = map[string]string{
	"ingest_edges_per_s": "hearsay gen's NDJSON for the seed, bulk loaded (parse, validate, both edge directions, " +
		"sort, StreamWriter, switch of generation) into a new database: edges / wall time",
	"out_edges_p50_us": "store.OutEdges of claims sampled from the file (one read transaction, one Get of the claim's " +
		"packed appearances and attributions, decoded to their targets), warm, one at a time",
	"chain6_p50_us": "the 6-hop chain query of apibench.Query through the HTTP handler in process " +
		"(routing, document cache warm, limits, execution, encoding), on the loaded database",
	"chain6_stock_p50_us":     "the same query and schema through stock graphql.Do (parse, validate, execute every time) and encoding/json",
	"chain6_vs_stock_graphql": "chain6_stock_p50_us / chain6_p50_us",
	"http_chain_rps": "the same query over loopback HTTP from 32 keep-alive connections for a fixed time, " +
		"a built-in load generator on 127.0.0.1",
	"origins_10k_ms": "graph.JudgeClaim (trace every chain, origins, independentOrigins) of a claim with about " +
		"10,000 reachable reports, outlets and officials, loaded beside the graph",
	"open_first_query_ms": "a fresh hearsay process: from its start to opening the database and answering the chain query",
	"rss_mb_per_million_edges": "(server_rss_mb - base_rss_mb) / million edges; server_rss_mb is VmRSS of that fresh " +
		"process after 2,000 chain and lookup queries over random claims; base_rss_mb the same on an empty graph; " +
		"anon_mb_per_million_edges counts RssAnon only, leaving out table pages the OS maps in (server_file_mb)",
}

// Options tunes Run.
type Options struct {
	Edges    int           // about how many edges to generate, at least 1000
	Seed     uint64        // the generator's seed
	Work     string        // the directory to work in; it must exist
	HTTPTime time.Duration // how long the HTTP load generator runs
	// Progress, if set, is told what is being measured, a line a step.
	Progress io.Writer
	// Log is the bulk loader's logger.
	Log zerolog.Logger
	// WriteFile writes the generated dataset to the file name, calling
	// write with the file (cmd/hearsay writes it atomically and stops at
	// the next buffer once the context is done).
	WriteFile func(name string, write func(io.Writer) error) error
}

// ChildArgs are the arguments, before the database directory, that make
// this program run Child: Run starts os.Executable() with them to measure
// a fresh process.
var ChildArgs = []string{"bench", "--child"}

type bench struct {
	ctx    context.Context
	opt    Options
	claims []string // sampled claim IDs
}

func (b *bench) say(format string, args ...any) {
	if b.opt.Progress != nil {
		fmt.Fprintf(b.opt.Progress, "bench: "+format+"\n", args...)
	}
}

// Run generates opt.Edges edges, loads them into a new database under
// opt.Work and measures it.
func Run(ctx context.Context, opt Options) (*Report, error) {
	b := &bench{ctx: ctx, opt: opt}
	return b.run()
}

func (b *bench) run() (*Report, error) {
	rep := &Report{Seed: b.opt.Seed, Method: benchMethods}
	data := filepath.Join(b.opt.Work, "bench.ndjson")
	b.say("generating about %d edges (seed %d)", b.opt.Edges, b.opt.Seed)
	if err := b.opt.WriteFile(data, func(w io.Writer) error {
		_, err := synth.Generate(w, synth.Options{Edges: b.opt.Edges, Seed: b.opt.Seed})
		return err
	}); err != nil {
		return nil, err
	}
	dbDir := filepath.Join(b.opt.Work, "db")
	if err := os.RemoveAll(dbDir); err != nil {
		return nil, err
	}
	b.say("bulk loading")
	if err := b.ingest(rep, data, dbDir); err != nil {
		return nil, err
	}
	if err := os.Remove(data); err != nil {
		return nil, err
	}
	opt := store.DefaultOptions(dbDir)
	db, err := store.Open(opt)
	if err != nil {
		return nil, err
	}
	if err := b.inProcess(rep, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	b.say("fresh process: open and first query, then memory")
	srv, err := b.runChild(dbDir)
	if err != nil {
		return nil, err
	}
	rep.OpenFirstQueryMs = srv.OpenFirstQueryMs
	rep.ServerRSSMb, rep.ServerAnonMb, rep.ServerFileMb = srv.RSSMb, srv.AnonMb, srv.FileMb
	base, err := b.emptyChild()
	if err != nil {
		return nil, err
	}
	rep.BaseRSSMb = base.RSSMb
	rep.RSSMbPerMillionEdges = round2(max(srv.RSSMb-base.RSSMb, 0) / (float64(rep.Edges) / 1e6))
	rep.AnonMbPerMillionEdges = round2(max(srv.AnonMb-base.AnonMb, 0) / (float64(rep.Edges) / 1e6))
	return rep, nil
}

// ingest bulk loads the file, sampling claim IDs on the way.
func (b *bench) ingest(rep *Report, data, dbDir string) error {
	f, err := os.Open(data)
	if err != nil {
		return err
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(b.opt.Seed, 7))
	seen := 0
	const sample = 4096
	src := func(emit func(int, any) error) error {
		_, err := fixtures.Stream(data, bufio.NewReaderSize(f, 1<<20), fixtures.Options{}, func(line int, node any) error {
			if c, ok := node.(*graph.Claim); ok {
				// Reservoir sampling: every claim equally likely.
				if seen++; len(b.claims) < sample {
					b.claims = append(b.claims, c.ID)
				} else if i := rng.IntN(seen); i < sample {
					b.claims[i] = c.ID
				}
			}
			return emit(line, node)
		})
		return err
	}
	opt := store.DefaultOptions(dbDir)
	opt.Logger = b.opt.Log
	start := time.Now()
	res, err := store.BulkLoad(b.ctx, opt, src, store.BulkOptions{Name: data, Validated: true})
	if err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	rep.Edges = res.Stats.Edges
	rep.IngestSeconds = round2(el)
	rep.IngestEdgesPerS = float64(int64(float64(res.Stats.Edges) / el))
	size, err := dirSize(dbDir)
	if err != nil {
		return err
	}
	rep.DiskBytesPerEdge = round2(float64(size) / float64(res.Stats.Edges))
	if len(b.claims) == 0 {
		return errors.New("bench: the generated file has no claims")
	}
	return nil
}

// inProcess measures everything that runs against an open database.
func (b *bench) inProcess(rep *Report, db *store.DB) error {
	ctx := b.ctx
	if _, err := db.ImportDataset(ctx, apibench.Dataset()); err != nil {
		return fmt.Errorf("import the chain: %w", err)
	}
	ods, nodes := originsDataset()
	if _, err := db.ImportDataset(ctx, ods); err != nil {
		return fmt.Errorf("import the origins claim: %w", err)
	}
	rep.Origins10kNodes = nodes

	b.say("out-edges")
	lat := make([]time.Duration, 0, 20000)
	for i := range 20000 {
		id := b.claims[i%len(b.claims)]
		start := time.Now()
		if _, err := db.OutEdges(ctx, id); err != nil {
			return err
		}
		if i >= len(b.claims) { // the first pass warms
			lat = append(lat, time.Since(start))
		}
	}
	rep.OutEdgesP50Us, rep.OutEdgesP99Us = micros(lat, 50), micros(lat, 99)

	b.say("origins of a claim with %d reachable nodes", nodes)
	lat = lat[:0]
	for range 30 {
		start := time.Now()
		j, err := graph.JudgeClaim(ctx, db, originsClaim, graph.TraceOptions{})
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(start))
		if j.IndependentOrigins.Min < 2 {
			return fmt.Errorf("bench: the origins claim has %d independent origins", j.IndependentOrigins.Min)
		}
	}
	rep.Origins10kMs = round2(float64(percentile(lat, 50).Microseconds()) / 1000)

	srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop()})
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"query": apibench.Query, "variables": apibench.Variables()})
	if err != nil {
		return err
	}
	b.say("chain6 in process")
	serve := func() ([]byte, error) { return postInProcess(srv, body) }
	if out, err := serve(); err != nil {
		return err
	} else if err := apibench.CheckAnswer(out); err != nil {
		return err
	}
	if lat, err = timeRuns(3*time.Second, 20000, func() error { _, err := serve(); return err }); err != nil {
		return err
	}
	rep.Chain6P50Us, rep.Chain6P99Us = micros(lat, 50), micros(lat, 99)

	b.say("chain6 through stock graphql.Do")
	stock := func() error {
		out, err := json.Marshal(srv.ExecuteStock(ctx, apibench.Query, apibench.Variables()))
		if err != nil {
			return err
		}
		return apibench.CheckAnswer(out)
	}
	if err := stock(); err != nil {
		return err
	}
	if lat, err = timeRuns(3*time.Second, 5000, stock); err != nil {
		return err
	}
	rep.Chain6StockP50Us = micros(lat, 50)
	rep.Chain6VsStockGraphql = round2(rep.Chain6StockP50Us / rep.Chain6P50Us)

	b.say("chain6 over loopback HTTP, 32 connections, %s", b.opt.HTTPTime)
	return b.loadHTTP(rep, srv, body)
}

// loadHTTP serves srv on 127.0.0.1 and posts body from 32 keep-alive
// connections for b.opt.HTTPTime.
func (b *bench) loadHTTP(rep *Report, srv http.Handler, body []byte) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/graphql"
	const conns = 32
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	post := func() error {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		return err
	}
	var (
		ok, failed atomic.Int64
		mu         sync.Mutex
		lat        []time.Duration
		wg         sync.WaitGroup
	)
	warm := time.Now().Add(b.opt.HTTPTime / 5)
	stop := warm.Add(b.opt.HTTPTime)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				start := time.Now()
				if start.After(stop) || b.ctx.Err() != nil {
					break
				}
				err := post()
				if start.Before(warm) {
					continue
				}
				if err != nil {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := b.ctx.Err(); err != nil {
		return err
	}
	rep.HTTPChainRps = float64(int64(float64(ok.Load()) / b.opt.HTTPTime.Seconds()))
	rep.HTTPChainErrors = failed.Load()
	rep.HTTPChainP50Us = micros(lat, 50)
	return nil
}

// postInProcess sends one GraphQL request body through the server's
// handler, without a network, and returns the answer.
func postInProcess(srv http.Handler, body []byte) ([]byte, error) {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("bench: status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), nil
}

// childReport is what the fresh process measures.
type childReport struct {
	OpenFirstQueryMs float64 `json:"open_first_query_ms"`
	RSSMb            float64 `json:"rss_mb"`
	AnonMb           float64 `json:"anon_mb"` // the process's own memory
	FileMb           float64 `json:"file_mb"` // pages of mapped table files: the OS page cache
}

// runChild runs this program again to open dbDir, answer the chain query
// and report its memory after a mixed warm-up.
func (b *bench) runChild(dbDir string) (*childReport, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(b.ctx, self, append(slices.Clone(ChildArgs), dbDir)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: fresh process: %v: %s", err, errOut.String())
	}
	var r childReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("bench: fresh process said %q: %w", out.String(), err)
	}
	return &r, nil
}

// emptyChild measures the fresh process on a graph holding only the
// benchmark chain: the memory every database costs.
func (b *bench) emptyChild() (*childReport, error) {
	dir := filepath.Join(b.opt.Work, "empty")
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	db, err := store.Open(store.DefaultOptions(dir))
	if err != nil {
		return nil, err
	}
	_, err = db.ImportDataset(b.ctx, apibench.Dataset())
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return b.runChild(dir)
}

// Child is the fresh process Run starts (see ChildArgs): it opens the
// database in dir as the server does, answers the chain query, then runs
// lookups and chain queries over random claims and writes its resident
// memory to w, as JSON.
func Child(ctx context.Context, dir string, w io.Writer) error {
	db, err := store.Open(store.DefaultOptions(dir))
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop()})
	if err != nil {
		return err
	}
	post := func(query string, vars map[string]any) ([]byte, error) {
		body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			return nil, err
		}
		return postInProcess(srv, body)
	}
	out, err := post(apibench.Query, apibench.Variables())
	if err != nil {
		return err
	}
	first := time.Since(processStart)
	if err := apibench.CheckAnswer(out); err != nil {
		return err
	}
	// Warm up as a server would be: claims from every part of the graph,
	// their chains and their origins.
	claims, _, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: graph.MaxPageSize}})
	if err != nil {
		return err
	}
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const warm = `query W($id: ID!) { claim(id: $id) { text chains { hops { report { title } outlet { name } } terminal }
	  independentOrigins { min max } credibility { grade } } }`
	for i := range 2000 {
		var id string
		if len(claims) > 0 && i%2 == 0 {
			id = claims[rng.IntN(len(claims))].ID
		} else {
			page, _, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: 1, After: fmt.Sprintf("claim:c%07d", rng.Int64N(max(st.Claims, 1)))}})
			if err != nil {
				return err
			}
			if len(page) == 0 {
				continue
			}
			id = page[0].ID
		}
		if _, err := post(warm, map[string]any{"id": id}); err != nil {
			return err
		}
	}
	mem, err := residentMB("VmRSS", "RssAnon", "RssFile")
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(childReport{
		OpenFirstQueryMs: round2(float64(first.Microseconds()) / 1000),
		RSSMb:            round2(mem[0]),
		AnonMb:           round2(mem[1]),
		FileMb:           round2(mem[2]),
	})
}

// residentMB reads fields of this process's memory from /proc, in MB.
func residentMB(fields ...string) ([]float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, fmt.Errorf("bench: memory is read from /proc (Linux): %w", err)
	}
	out := make([]float64, len(fields))
	for i, f := range fields {
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, f+":"); ok {
				kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				if err != nil {
					return nil, err
				}
				out[i], found = kb/1024, true
			}
		}
		if !found {
			return nil, fmt.Errorf("bench: no %s in /proc/self/status", f)
		}
	}
	return out, nil
}

// originsClaim is the claim of origins_10k_ms.
const originsClaim = "claim:bench-origins"

// originsDataset returns a claim reachable to about 10,000 nodes: it
// appears in 5,000 reports of 2,500 outlets; every fifth report cites and
// attributes the claim to the next report, the others quote one of 2,500
// officials, anonymous ones linked in possibly-same-as pairs. It returns
// how many nodes the claim reaches.
func originsDataset() (*graph.Dataset, int) {
	const reports, outlets, officials = 5000, 2500, 2500
	ds := &graph.Dataset{Info: graph.DatasetInfo{ID: "bench-origins"}}
	for i := range outlets {
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: fmt.Sprintf("outlet:bench-o%d", i), Name: fmt.Sprintf("Outlet %d", i),
			Ratings: []graph.Rating{{Rating: graph.Reliability(1 + i%6), RatedBy: "bench"}}})
	}
	for i := range officials {
		o := &graph.Official{ID: fmt.Sprintf("official:bench-p%d", i), Name: fmt.Sprintf("Official %d", i),
			Form: graph.FormPerson, Anonymous: i%2 == 0}
		if i%4 == 0 && i+2 < officials {
			o.PossiblySameAs = []graph.SameAs{{Official: fmt.Sprintf("official:bench-p%d", i+2)}}
		}
		ds.Officials = append(ds.Officials, o)
	}
	c := &graph.Claim{ID: originsClaim, Text: "A claim repeated by thousands of reports."}
	for i := range reports {
		r := &graph.Report{ID: fmt.Sprintf("report:bench-q%d", i), Outlet: fmt.Sprintf("outlet:bench-o%d", i%outlets),
			Status: graph.StatusPublished}
		at := graph.Attribution{Source: fmt.Sprintf("official:bench-p%d", i%officials), Mode: graph.ModeDirectQuote, Quote: "words"}
		if i%5 == 0 && i+1 < reports {
			r.Cites = []string{fmt.Sprintf("report:bench-q%d", i+1)}
			at = graph.Attribution{Source: r.Cites[0], Mode: graph.ModeCitesReport}
		}
		ds.Reports = append(ds.Reports, r)
		c.Appearances = append(c.Appearances, graph.Appearance{Report: r.ID, Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{at}})
	}
	ds.Claims = []*graph.Claim{c}
	return ds, reports + outlets + officials
}

// timeRuns runs fn at least 200 times and until either d has passed or n
// runs are done, and returns each run's duration.
func timeRuns(d time.Duration, n int, fn func() error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	deadline := time.Now().Add(d)
	for len(lat) < n && (len(lat) < 200 || time.Now().Before(deadline)) {
		start := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(start))
	}
	return lat, nil
}

func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)*p/100, len(s)-1)]
}

func micros(lat []time.Duration, p int) float64 {
	return round2(float64(percentile(lat, p).Nanoseconds()) / 1000)
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// benchTargets are DESIGN.md section 5's numbers, by key.
var benchTargets = []struct {
	key, what, target string
	value             func(*Report) string
	met               func(*Report) bool
}{
	{"ingest_edges_per_s", "bulk load", "≥ 250,000 edges/s",
		func(r *Report) string { return fmt.Sprintf("%.0f edges/s", r.IngestEdgesPerS) },
		func(r *Report) bool { return r.IngestEdgesPerS >= 250_000 }},
	{"out_edges_p50_us", "a node's out-edges, warm", "p50 ≤ 3 µs",
		func(r *Report) string {
			return fmt.Sprintf("p50 %.1f µs, p99 %.1f µs", r.OutEdgesP50Us, r.OutEdgesP99Us)
		},
		func(r *Report) bool { return r.OutEdgesP50Us <= 3 }},
	{"chain6_p50_us", "6-hop chain, GraphQL in process", "p50 ≤ 150 µs, p99 ≤ 1 ms",
		func(r *Report) string {
			return fmt.Sprintf("p50 %.0f µs, p99 %.0f µs", r.Chain6P50Us, r.Chain6P99Us)
		},
		func(r *Report) bool { return r.Chain6P50Us <= 150 && r.Chain6P99Us <= 1000 }},
	{"chain6_vs_stock_graphql", "… against stock graphql.Do", "faster",
		func(r *Report) string {
			return fmt.Sprintf("%.1f× (stock p50 %.0f µs)", r.Chain6VsStockGraphql, r.Chain6StockP50Us)
		},
		func(r *Report) bool { return r.Chain6VsStockGraphql > 1 }},
	{"http_chain_rps", "same over loopback HTTP, 32 connections", "≥ 5,000 req/s",
		func(r *Report) string {
			return fmt.Sprintf("%.0f req/s, %d errors", r.HTTPChainRps, r.HTTPChainErrors)
		},
		func(r *Report) bool { return r.HTTPChainRps >= 5000 && r.HTTPChainErrors == 0 }},
	{"origins_10k_ms", "independent origins, 10,000 reachable nodes", "≤ 20 ms",
		func(r *Report) string { return fmt.Sprintf("%.1f ms", r.Origins10kMs) },
		func(r *Report) bool { return r.Origins10kMs <= 20 }},
	{"rss_mb_per_million_edges", "memory", "≤ 300 MB base + ≤ 40 MB per million edges",
		func(r *Report) string {
			return fmt.Sprintf("%.0f MB base + %.1f MB per million edges (%.0f MB: %.0f MB own, %.0f MB mapped table pages)",
				r.BaseRSSMb, r.RSSMbPerMillionEdges, r.ServerRSSMb, r.ServerAnonMb, r.ServerFileMb)
		},
		func(r *Report) bool { return r.BaseRSSMb <= 300 && r.RSSMbPerMillionEdges <= 40 }},
	{"open_first_query_ms", "open and answer the first query", "≤ 300 ms",
		func(r *Report) string { return fmt.Sprintf("%.0f ms", r.OpenFirstQueryMs) },
		func(r *Report) bool { return r.OpenFirstQueryMs <= 300 }},
}

// Print writes the report as a table of figures against their targets.
func Print(w io.Writer, r *Report) {
	fmt.Fprintf(w, "hearsay bench: %d edges (seed %d), %.1f bytes per edge on disk\n\n", r.Edges, r.Seed, r.DiskBytesPerEdge)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "what\tmeasured\ttarget\t")
	for _, t := range benchTargets {
		mark := "met"
		if !t.met(r) {
			mark = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.what, t.value(r), t.target, mark)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nhow each is measured:")
	for _, k := range slices.Sorted(maps.Keys(r.Method)) {
		fmt.Fprintf(w, "  %s: %s\n", k, r.Method[k])
	}
}
