package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
)

// FuzzSubscription sends arbitrary documents and variables through the
// subscription entry point (/graphql with Accept: text/event-stream), over
// a store holding the seed, resuming from Last-Event-ID 1 so that every
// change of the seed's import runs the subscription. For any input the
// server must not panic; it answers either a refusal under 500 in
// GraphQL-shaped JSON, or an event stream whose events are `next` with a
// GraphQL response (every error with a code, none INTERNAL) or `complete`.
// Run it longer with
//
//	go test ./api -run '^$' -fuzz '^FuzzSubscription$' -fuzztime 10m
func FuzzSubscription(f *testing.F) {
	f.Add(`subscription { graphChanged { seq kind id op } }`, ``)
	f.Add(`subscription($k: [Kind!]) { graphChanged(kinds: $k) { kind id } }`, `{"k": ["CLAIM", "REPORT"]}`)
	f.Add(`subscription($id: ID!) { claimChanged(id: $id) { seq op cause { kind id op } claim { id text reviews { verdict } credibility { grade } } } }`,
		`{"id": "`+headline+`"}`)
	f.Add(`subscription S { claimChanged(id: "claim:nowhere") { claim { id } } }`, `{}`)
	f.Add(`subscription { graphChanged { ... on GraphChange { id } } }`, `null`)
	f.Add(`subscription { a: graphChanged { id } b: graphChanged { id } }`, ``)
	f.Add(`{ claims { totalCount } }`, ``)
	f.Add(`subscription { claimChanged(id: 12) { seq } }`, `{"x": 1}`)
	db := openSeeded(f)
	f.Cleanup(func() { db.Close() })
	srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop(), Timeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, variables string) {
		body := map[string]any{"query": query}
		if json.Valid([]byte(variables)) {
			body["variables"] = json.RawMessage(variables)
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Last-Event-ID", "1")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode >= 500 && res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d: %s", res.StatusCode, rec.Body.Bytes())
		}
		if res.StatusCode != http.StatusOK {
			var r Response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) == 0 {
				t.Fatalf("refusal %d is not a GraphQL error response: %s", res.StatusCode, rec.Body.Bytes())
			}
			return
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("200 with Content-Type %q", ct)
		}
		sc := bufio.NewScanner(bytes.NewReader(rec.Body.Bytes()))
		sc.Buffer(make([]byte, 1<<20), 32<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" || strings.HasPrefix(line, ":") || strings.HasPrefix(line, "id: "):
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
				if event != "next" && event != "complete" {
					t.Fatalf("event %q", event)
				}
			case strings.HasPrefix(line, "data:"):
				data := strings.TrimSpace(strings.TrimPrefix(line, "data:"))
				if event == "complete" {
					if data != "" {
						t.Fatalf("complete with data %q", data)
					}
					continue
				}
				var r Response
				if err := json.Unmarshal([]byte(data), &r); err != nil {
					t.Fatalf("next data is not JSON: %q", data)
				}
				if len(r.Errors) == 0 && len(r.Data) == 0 {
					t.Fatalf("next with neither data nor errors: %q", data)
				}
				for _, e := range r.Errors {
					if e.Code() == "" || e.Code() == api.CodeInternal {
						t.Fatalf("error without a code, or INTERNAL, for %q: %s", query, data)
					}
				}
			default:
				t.Fatalf("unexpected line %q", line)
			}
		}
	})
}
