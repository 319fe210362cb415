package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"hearsay/fixtures"
	"hearsay/store"
)

// TestLoad_MixedReadsAndWrites runs the real server (hearsay serve, on
// 127.0.0.1) under 16 clients mixing reads (chains, origins, search,
// lists) and writes (new claims with attributions, new outlets, updates of
// the same claim from every client) for a fixed time, then stops it and
// checks: no answer was a 5xx other than a deliberate overload (503 with
// Retry-After), no acknowledged write is missing, the database checks
// clean. It logs the throughput. Set HEARSAY_LOADTEST=30s to run it longer.
func TestLoad_MixedReadsAndWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server under load")
	}
	dur := 3 * time.Second
	if s := os.Getenv("HEARSAY_LOADTEST"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("HEARSAY_LOADTEST: %v", err)
		}
		dur = d
	}
	work := t.TempDir()
	db := filepath.Join(work, "db")
	tokenFile := filepath.Join(work, "token")
	const token = "load-test-token"
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--db", db, "--write-token-file", tokenFile, "--log-level", "warn")

	const clients = 16
	const report = "report:telegraph-2025-04-25-us-backstop"
	reads := []struct {
		q    string
		vars map[string]any
	}{
		{`query($id: ID!) { claim(id: $id) { chains { hops { report { title } outlet { name reliability } mode } terminal origin { __typename } } } }`,
			map[string]any{"id": fixtures.SeedClaim}},
		{`query($id: ID!) { claim(id: $id) { independentOrigins { min max } credibility { grade why } } }`,
			map[string]any{"id": "claim:us-offers-security-guarantees"}},
		{`{ claims(first: 20, filter: {search: "security guarantees"}) { totalCount edges { node { id text } } } }`, nil},
		{`{ outlets(first: 50) { totalCount edges { node { name reliability } } } }`, nil},
	}
	type tally struct {
		ops, reads, writes, overload, clientErr int
		fivexx                                  []string
		lat                                     []time.Duration
		acked                                   []string
	}
	var (
		mu    sync.Mutex
		total tally
		wg    sync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	send := func(q string, vars map[string]any, auth bool) (int, []byte, http.Header, error) {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req, err := http.NewRequest(http.MethodPost, p.url+"/graphql", bytes.NewReader(body))
		if err != nil {
			return 0, nil, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		_, err = out.ReadFrom(resp.Body)
		return resp.StatusCode, out.Bytes(), resp.Header, err
	}
	deadline := time.Now().Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine tally
			for i := 0; time.Now().Before(deadline); i++ {
				var q string
				var vars map[string]any
				write := i%4 == 3
				var id string
				switch {
				case !write:
					r := reads[(c+i)%len(reads)]
					q, vars = r.q, r.vars
				case i%8 == 3:
					id = fmt.Sprintf("outlet:load-c%d-%d", c, i)
					q = `mutation($id: ID!) { createOutlet(input: {id: $id, name: "Load Test Outlet", country: "GB"}) { id } }`
					vars = map[string]any{"id": id}
				default:
					id = fmt.Sprintf("claim:load-c%d-%d", c, i)
					q = `mutation($id: ID!, $r: ID!) { createClaim(input: {id: $id, text: "A load test claim about guarantees",
						appearances: [{report: $r, mode: PARAPHRASE, attributedTo: [{source: "official:keir-starmer", mode: PARAPHRASE}]}]}) { id } }`
					vars = map[string]any{"id": id, "r": report}
				}
				start := time.Now()
				status, body, hdr, err := send(q, vars, write)
				mine.lat = append(mine.lat, time.Since(start))
				mine.ops++
				switch {
				case err != nil:
					mine.fivexx = append(mine.fivexx, err.Error())
				case status == http.StatusServiceUnavailable && hdr.Get("Retry-After") != "":
					mine.overload++
				case status >= 500:
					mine.fivexx = append(mine.fivexx, fmt.Sprintf("%d %s", status, body))
				case status != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)):
					mine.clientErr++
					t.Errorf("%d %s", status, body)
				case write:
					mine.writes++
					mine.acked = append(mine.acked, id)
				default:
					mine.reads++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.ops += mine.ops
			total.reads += mine.reads
			total.writes += mine.writes
			total.overload += mine.overload
			total.clientErr += mine.clientErr
			total.fivexx = append(total.fivexx, mine.fivexx...)
			total.lat = append(total.lat, mine.lat...)
			total.acked = append(total.acked, mine.acked...)
		}()
	}
	wg.Wait()
	if code := p.stop(t); code != exitOK {
		t.Fatalf("the server exited with %d", code)
	}
	if len(total.fivexx) > 0 {
		t.Errorf("%d answers were 5xx (not overload) or failed: first %q", len(total.fivexx), total.fivexx[0])
	}

	opt := store.DefaultOptions(db)
	opt.ReadOnly = true
	d, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	found, err := d.Exists(context.Background(), total.acked)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, id := range total.acked {
		if _, ok := found[id]; !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged writes lost", lost)
	}
	rep, err := d.Check(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 0 {
		t.Errorf("after the load, %d problems: %v", rep.Total, rep.Problems)
	}
	slices.Sort(total.lat)
	p50, p99 := total.lat[len(total.lat)/2], total.lat[len(total.lat)*99/100]
	t.Logf("%s, %d clients: %d requests (%.0f/s): %d reads, %d writes acknowledged (%.0f/s), %d overloaded (503), %d 5xx, %d lost; p50 %s, p99 %s",
		dur, clients, total.ops, float64(total.ops)/dur.Seconds(), total.reads, total.writes, float64(total.writes)/dur.Seconds(),
		total.overload, len(total.fivexx), lost, p50.Round(time.Microsecond), p99.Round(time.Microsecond))
}
