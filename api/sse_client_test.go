package api_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestGraphQLSSEClient runs the real graphql-sse client from npm
// (testdata/sse-client, installed by `npm ci --prefix
// api/testdata/sse-client`, which .ci/run does) against the handler: it
// subscribes, receives a mutation's change, is cut off by the server,
// reconnects (sending the last seq it got as Last-Event-ID) and receives
// the two changes made while it was away, in order, none twice.
func TestGraphQLSSEClient(t *testing.T) {
	dir := filepath.Join("testdata", "sse-client")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "graphql-sse", "package.json"))
	}
	if err != nil {
		if os.Getenv("HEARSAY_CI") == "1" {
			t.Fatalf("node and the graphql-sse client are needed (npm ci --prefix api/testdata/sse-client): %v", err)
		}
		t.Skipf("node or the graphql-sse client is missing (npm ci --prefix api/testdata/sse-client): %v", err)
	}
	s := MustServer(t)
	cmd := exec.Command(node, "client.mjs", s.URL, "3")
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("client printed %q", sc.Text())
				continue
			}
			lines <- m
		}
	}()
	next := func(what string) map[string]any {
		t.Helper()
		select {
		case m, ok := <-lines:
			if !ok {
				t.Fatalf("the client exited while waiting for %s", what)
			}
			if m["fatal"] != nil || m["errors"] != nil {
				t.Fatalf("the client, waiting for %s: %v", what, m)
			}
			return m
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s from the client in 30 s", what)
		}
		return nil
	}

	if m := next("connection"); m["connected"] != false {
		t.Fatalf("first line %v, want a first connection", m)
	}
	waitSubscribers(t, s.API, 1)
	addReview(t, s, "Seen live")
	first := next("the first change")
	if first["id"] != headline || first["op"] != "UPDATED" {
		t.Fatalf("first change %v", first)
	}
	seq, _ := strconv.ParseUint(first["seq"].(string), 10, 64)

	// The server cuts the stream; two changes are made while the client
	// is away (it retries after 300 ms).
	s.CloseClientConnections()
	// The test's own keep-alive connection went too; its client must not
	// reuse it (a POST on a connection closed under it fails with EOF).
	s.Client().CloseIdleConnections()
	waitSubscribers(t, s.API, 0)
	var out2 any
	s.MustMutate(t, `mutation { createOutlet(input: {id: "outlet:while-away", name: "While Away"}) { id } }`, nil, &out2)
	addReview(t, s, "Made while away")

	if m := next("the reconnection"); m["connected"] != true {
		t.Fatalf("after the cut: %v, want a reconnection", m)
	}
	for i, want := range []string{"outlet:while-away", headline} {
		m := next("a missed change")
		if m["id"] != want || m["seq"] != strconv.FormatUint(seq+uint64(i)+1, 10) {
			t.Errorf("missed change %d: %v, want %s at seq %d", i, m, want, seq+uint64(i)+1)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the client: %v", err)
	}
}
