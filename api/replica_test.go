package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// replicated is a store that numbers its writes as a replicated log would
// and applies them when told to: enough to drive read-your-writes.
type replicated struct {
	*store.DB
	mu      sync.Mutex
	seq     uint64 // the last write's position
	applied uint64
	moved   chan struct{}
}

func (r *replicated) CreateOutlet(ctx context.Context, o *graph.Outlet) error {
	if err := r.DB.CreateOutlet(ctx, o); err != nil {
		return err
	}
	r.mu.Lock()
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	graph.NoteWriteSeq(ctx, seq)
	return nil
}

func (r *replicated) Applied() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}

func (r *replicated) apply(seq uint64) {
	r.mu.Lock()
	r.applied = seq
	close(r.moved)
	r.moved = make(chan struct{})
	r.mu.Unlock()
}

func (r *replicated) WaitApplied(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		ok, moved := r.applied >= seq, r.moved
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TestReadYourWrites: a write on a replicated graph answers with its log
// position (header and extensions); a request with Hearsay-Min-Seq waits
// for the node to apply that far, or is refused NOT_CAUGHT_UP.
func TestReadYourWrites(t *testing.T) {
	var rg *replicated
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph {
		rg = &replicated{DB: db, moved: make(chan struct{})}
		return rg
	}), WithConfig(func(c *api.Config) { c.CatchUpWait = 200 * time.Millisecond }))
	post := func(minSeq string, query string) (*Response, map[string]any) {
		body, _ := json.Marshal(Request{Query: query})
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		if minSeq != "" {
			req.Header.Set("Hearsay-Min-Seq", minSeq)
		}
		r := s.Do(t, req)
		var raw map[string]any
		_ = json.Unmarshal(r.Body, &raw)
		return r, raw
	}

	t.Run("WriteSeq", func(t *testing.T) {
		// Ensure a write's answer carries its position, twice.
		r, raw := post("", `mutation { createOutlet(input: {id: "outlet:ryw", name: "R"}) { id } }`)
		if r.Status != 200 || len(r.Errors) != 0 || r.Header.Get("Hearsay-Seq") != "1" {
			t.Fatalf("%d %s, Hearsay-Seq %q", r.Status, r.Short(), r.Header.Get("Hearsay-Seq"))
		}
		ext, _ := raw["extensions"].(map[string]any)
		if h, _ := ext["hearsay"].(map[string]any); h == nil || h["seq"] != float64(1) {
			t.Fatalf("extensions %v", raw["extensions"])
		}
		// Ensure a read carries none.
		if r, _ := post("", `{ outlet(id: "outlet:ryw") { id } }`); r.Header.Get("Hearsay-Seq") != "" {
			t.Fatalf("a read has Hearsay-Seq %q", r.Header.Get("Hearsay-Seq"))
		}
	})
	t.Run("ErrNotCaughtUp", func(t *testing.T) {
		// Ensure a node that has not applied the position refuses, 503.
		r, _ := post("1", `{ outlet(id: "outlet:ryw") { id } }`)
		if r.Status != http.StatusServiceUnavailable || len(r.Errors) != 1 || r.Errors[0].Code() != api.CodeNotCaughtUp || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%d %s", r.Status, r.Short())
		}
	})
	t.Run("OK", func(t *testing.T) {
		// Ensure a request waits for the position, then runs.
		go func() { time.Sleep(20 * time.Millisecond); rg.apply(1) }()
		if r, _ := post("1", `{ outlet(id: "outlet:ryw") { id } }`); r.Status != 200 || len(r.Errors) != 0 {
			t.Fatalf("%d %s", r.Status, r.Short())
		}
	})
	t.Run("Stream", func(t *testing.T) {
		// Ensure a request over Server-Sent Events waits for the
		// position too: refused NOT_CAUGHT_UP before the node has it,
		// answered once it has.
		stream := func(minSeq string) *Response {
			body, _ := json.Marshal(Request{Query: `{ outlet(id: "outlet:ryw2") { id } }`})
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "text/event-stream")
			req.Header.Set("Hearsay-Min-Seq", minSeq)
			return s.Do(t, req)
		}
		if r, _ := post("", `mutation { createOutlet(input: {id: "outlet:ryw2", name: "R2"}) { id } }`); r.Header.Get("Hearsay-Seq") != "2" {
			t.Fatalf("the second write is at %q", r.Header.Get("Hearsay-Seq"))
		}
		if r := stream("2"); r.Status != http.StatusServiceUnavailable || !bytes.Contains(r.Body, []byte(api.CodeNotCaughtUp)) {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		go func() { time.Sleep(20 * time.Millisecond); rg.apply(2) }()
		if r := stream("2"); r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte(`"outlet:ryw2"`)) {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("ErrBadHeader", func(t *testing.T) {
		// Ensure a header that is not a number is the client's error.
		r, _ := post("soon", `{ outlet(id: "outlet:ryw") { id } }`)
		if r.Status != http.StatusBadRequest || len(r.Errors) != 1 || r.Errors[0].Code() != api.CodeBadUserInput {
			t.Fatalf("%d %s", r.Status, r.Short())
		}
	})
}

// TestReadYourWrites_NotReplicated: one node applies every write at
// once, so Hearsay-Min-Seq is ignored and writes carry no position.
func TestReadYourWrites_NotReplicated(t *testing.T) {
	s := MustServer(t)
	body, _ := json.Marshal(Request{Query: `mutation { createOutlet(input: {id: "outlet:one", name: "R"}) { id } }`})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Hearsay-Min-Seq", "99")
	r := s.Do(t, req)
	if r.Status != 200 || len(r.Errors) != 0 || r.Header.Get("Hearsay-Seq") != "" || bytes.Contains(r.Body, []byte(`"extensions"`)) {
		t.Fatalf("%d %s, Hearsay-Seq %q", r.Status, r.Short(), r.Header.Get("Hearsay-Seq"))
	}
}
