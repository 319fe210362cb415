package main

import (
	"bufio"
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServe_Subscription: through the real wiring, a subscription stream
// outlives the server's read, write and request time limits (each write
// extends its own deadline), gets heartbeats, receives a mutation's change,
// counts against --max-subscribers, and ends when the server drains.
func TestServe_Subscription(t *testing.T) {
	const token = "stream-token"
	t.Setenv("HEARSAY_WRITE_TOKEN", token)
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"), "--read-timeout", "300ms", "--timeout", "200ms",
		"--heartbeat", "100ms", "--max-subscribers", "1")
	body := `{"query":"subscription { graphChanged(kinds: [CLAIM]) { seq kind id op } }"}`
	req, err := http.NewRequest(http.MethodPost, p.url+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Past --read-timeout, --timeout and the write timeout they imply
	// (500ms): the stream stays open and heartbeats keep coming.
	time.Sleep(time.Second)
	heartbeats := 0
	for len(lines) > 0 {
		if <-lines == ":" {
			heartbeats++
		}
	}
	if heartbeats < 5 {
		t.Errorf("%d heartbeats in a second at --heartbeat 100ms", heartbeats)
	}
	if a := p.post(t, "", `subscription { graphChanged { id } }`, nil); a.status != http.StatusBadRequest {
		t.Errorf("a subscription on the JSON path: %d", a.status)
	}
	sreq, _ := http.NewRequest(http.MethodGet, p.url+"/graphql?query="+strings.ReplaceAll("subscription{graphChanged{id}}", " ", ""), nil)
	sreq.Header.Set("Accept", "text/event-stream")
	if over, err := http.DefaultClient.Do(sreq); err != nil {
		t.Fatal(err)
	} else {
		over.Body.Close()
		if over.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("a second subscription with --max-subscribers 1: status %d", over.StatusCode)
		}
	}
	a := p.post(t, token, `mutation { addReview(claim: "claim:us-negotiators-willing-to-support-western-force", input: {verdict: UNPROVEN, reviewedBy: "Live"}) { id } }`, nil)
	if a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("mutation: %d %s", a.status, a.body)
	}
	var got []string
	for timeout := time.After(10 * time.Second); !bytes.Contains([]byte(strings.Join(got, "\n")), []byte(`"op":"UPDATED"`)); {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended: %q", got)
			}
			if l != ":" && l != "" {
				got = append(got, l)
			}
		case <-timeout:
			t.Fatalf("no event within 10 s: %q", got)
		}
	}
	if !strings.HasPrefix(got[0], "id: ") || got[1] != "event: next" ||
		!strings.Contains(got[2], `"id":"claim:us-negotiators-willing-to-support-western-force"`) {
		t.Errorf("event %q", got)
	}
	// The server drains with the stream open: it ends it, without complete.
	if code := p.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	for l := range lines {
		if l == "event: complete" {
			t.Error("the drained stream completed")
		}
	}
}
