package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// blockingGraph's FindClaimByID says on entered that a request is inside,
// then waits until release is closed (or the request's context ends).
type blockingGraph struct {
	*store.DB
	entered chan struct{}
	release chan struct{}
}

func (g *blockingGraph) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
		return g.DB.FindClaimByID(ctx, id)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *blockingGraph) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	return snapshotWith{claim: func(ctx context.Context, snap graph.Snapshot, id string) (*graph.Claim, error) {
		if _, err := g.FindClaimByID(ctx, id); err != nil {
			return nil, err
		}
		return snap.FindClaimByID(ctx, id)
	}}.take(ctx, g.DB)
}

// waitEntered waits until n requests are inside the blocking graph.
func (g *blockingGraph) waitEntered(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-g.entered:
		case <-time.After(time.Minute): // a guard, not a measurement
			t.Fatal("the requests never reached the graph")
		}
	}
}

// postStatus posts a query without testing.TB, for use from goroutines.
func postStatus(url, query string) (int, error) {
	resp, err := http.Post(url+"/graphql", "application/json", strings.NewReader(`{"query":"`+query+`"}`))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestInFlightLimit(t *testing.T) {
	const limit = 2
	const origin = "https://factcheck.example"
	g := &blockingGraph{entered: make(chan struct{}, 16), release: make(chan struct{})}
	s := MustServer(t,
		WithConfig(func(c *api.Config) { c.MaxInFlight, c.CORSOrigins = limit, []string{origin} }),
		WithGraph(func(db *store.DB) graph.Graph { g.DB = db; return g }))
	const q = `{ claim(id: \"` + headline + `\") { id } }`

	// Fill every slot with a request that waits inside the graph.
	type result struct {
		status int
		err    error
	}
	held := make(chan result, limit)
	for range limit {
		go func() {
			status, err := postStatus(s.URL, q)
			held <- result{status, err}
		}()
	}
	g.waitEntered(t, limit)

	t.Run("ErrOverloaded", func(t *testing.T) {
		// Ensure a request over the limit is answered at once with 503,
		// Retry-After and an OVERLOADED GraphQL error with the request ID,
		// which a browser page of an allowed origin may read.
		hr := mustRequest(t, http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"`+q+`"}`))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Origin", origin)
		r := s.Do(t, hr)
		e := r.MustFail(t, http.StatusServiceUnavailable, api.CodeOverloaded)
		if got := r.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After %q, want 1", got)
		}
		if !strings.Contains(e.Message, "at most 2 ") {
			t.Errorf("message %q does not give the limit", e.Message)
		}
		if id, _ := e.Extensions["requestId"].(string); id == "" || id != r.Header.Get("X-Request-Id") {
			t.Errorf("requestId %q, X-Request-Id %q", id, r.Header.Get("X-Request-Id"))
		}
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("Access-Control-Allow-Origin %q, want %q", got, origin)
		}
		if got := r.Header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "Retry-After") {
			t.Errorf("Access-Control-Expose-Headers %q does not expose Retry-After", got)
		}
	})
	t.Run("OKHealthzNotLimited", func(t *testing.T) {
		// Ensure /healthz and the playground still answer while the limit
		// is full.
		for _, path := range []string{"/healthz", "/"} {
			r := s.Do(t, mustRequest(t, http.MethodGet, s.URL+path, nil))
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: status %d while the limit is full", path, r.Status)
			}
		}
	})

	close(g.release)
	for range limit {
		select {
		case r := <-held:
			if r.err != nil || r.status != http.StatusOK {
				t.Errorf("a held request ended with %d, %v; want 200", r.status, r.err)
			}
		case <-time.After(time.Minute): // a guard, not a measurement
			t.Fatal("the held requests never finished")
		}
	}
	t.Run("OKAfterRelease", func(t *testing.T) {
		// Ensure finished requests give their slots back.
		s.MustQuery(t, `{ claim(id: "`+headline+`") { id } }`, nil, nil)
	})
}

func TestInFlightLimit_RefusalsFreeSlots(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxInFlight = 1 }))
	// Ensure requests that end in errors give their slot back: with one
	// slot, any leak would turn the final query into a 503.
	for _, body := range []string{
		`{"query":"{ nosuchfield }"}`,
		`{"query":"{ claim(id: \"bad\") { id } }"}`,
		`{"query":"mutation { deleteClaim(id: \"claim:x\") }"}`,
		`{"query":"query A { __typename } query B { __typename }"}`,
	} {
		if r := s.PostRaw(t, "", "application/json", []byte(body)); r.Status == http.StatusServiceUnavailable || len(r.Errors) == 0 {
			t.Fatalf("%s: status %d: %s", body, r.Status, r.Short())
		}
	}
	s.MustQuery(t, `{ claims { totalCount } }`, nil, nil)
}
