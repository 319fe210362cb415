package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hearsay/fixtures"
	"hearsay/store"
)

// serveOutput is a writer the server writes to from its goroutines while
// the test reads it.
type serveOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *serveOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *serveOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// servedProcess is 'hearsay serve' running in process.
type servedProcess struct {
	url            string
	stdout, stderr *serveOutput
	cancel         context.CancelFunc
	done           chan int
}

// startServe runs 'hearsay serve' with args on 127.0.0.1:0 and waits until
// it listens. The server is stopped at the end of the test if the test has
// not stopped it.
func startServe(t *testing.T, args ...string) *servedProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &servedProcess{stdout: &serveOutput{}, stderr: &serveOutput{}, cancel: cancel, done: make(chan int, 1)}
	addr := make(chan string, 1)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)
	go func() {
		p.done <- runWith(ctx, args, strings.NewReader(""), p.stdout, p.stderr, func(a string) { addr <- a })
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case code := <-p.done:
		cancel()
		t.Fatalf("hearsay serve exited with %d before listening:\n%s", code, p.stderr)
	case <-time.After(time.Minute): // a guard, not a measurement
		cancel()
		t.Fatal("hearsay serve did not start listening")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(time.Minute):
		}
	})
	return p
}

// stop cancels the server's context, as SIGINT does, and returns its exit
// code.
func (p *servedProcess) stop(t *testing.T) int {
	t.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		p.done <- code // for the cleanup
		return code
	case <-time.After(time.Minute): // a guard, not a measurement
		t.Fatal("hearsay serve did not stop after its context was cancelled")
		return -1
	}
}

// gqlAnswer is a decoded GraphQL response.
type gqlAnswer struct {
	status int
	header http.Header
	body   []byte
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// post sends one GraphQL request to the served process.
func (p *servedProcess) post(t *testing.T, token, query string, vars map[string]any) *gqlAnswer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, p.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := &gqlAnswer{status: resp.StatusCode, header: resp.Header}
	if a.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a.body, a); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	return a
}

// code returns the extensions.code of the answer's only error, "" without
// errors.
func (a *gqlAnswer) code(t *testing.T) string {
	t.Helper()
	switch len(a.Errors) {
	case 0:
		return ""
	case 1:
		c, _ := a.Errors[0].Extensions["code"].(string)
		return c
	}
	t.Fatalf("%d errors: %s", len(a.Errors), a.body)
	return ""
}

// mustData fails unless the answer is a 200 without errors and decodes its
// data into v.
func (a *gqlAnswer) mustData(t *testing.T, v any) {
	t.Helper()
	if a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if v != nil {
		if err := json.Unmarshal(a.Data, v); err != nil {
			t.Fatal(err)
		}
	}
}

// logLines decodes the JSON log lines of the server's stderr.
func logLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// seedLoadedLogged reports whether the log says the seed was loaded.
func seedLoadedLogged(t *testing.T, stderr string) bool {
	t.Helper()
	for _, l := range logLines(t, stderr) {
		if msg, _ := l["message"].(string); strings.Contains(msg, "seed") && l["dataset"] == "coalition-of-the-willing" {
			return true
		}
	}
	return false
}

// headlineChainQuery traces the seed's headline claim.
const headlineChainQuery = `query Headline($id: ID!) { claim(id: $id) { chains {
	hops { outlet { name } mode to { ... on Official { name } ... on Report { id } } }
	terminal origin { ... on Official { name } } } } }`

type headlineChains struct {
	Claim struct {
		Chains []struct {
			Hops []struct {
				Outlet struct{ Name string }
				Mode   string
				To     struct{ Name, ID string }
			}
			Terminal string
			Origin   struct{ Name string }
		}
	}
}

func TestServe_EndToEnd(t *testing.T) {
	const token = "e2e-secret-token"
	t.Setenv("HEARSAY_WRITE_TOKEN", token)
	dir := filepath.Join(t.TempDir(), "db")
	p := startServe(t, "--db", dir)

	t.Run("OKSeedLoaded", func(t *testing.T) {
		// Ensure the empty database got the seed, and the log says so.
		if !seedLoadedLogged(t, p.stderr.String()) {
			t.Errorf("the log does not say the seed was loaded:\n%s", p.stderr)
		}
		if !strings.Contains(p.stdout.String(), p.url+"/graphql") {
			t.Errorf("stdout %q does not give the GraphQL URL %s/graphql", p.stdout, p.url)
		}
	})
	t.Run("OKHealthz", func(t *testing.T) {
		// Ensure /healthz answers 200.
		resp, err := http.Get(p.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("healthz status %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
	})
	t.Run("OKHeadlineChain", func(t *testing.T) {
		// Ensure the seed chain Euromaidan Press → The Telegraph → unnamed US
		// negotiators answers over real HTTP.
		var data headlineChains
		p.post(t, "", headlineChainQuery, map[string]any{"id": fixtures.SeedClaim}).mustData(t, &data)
		if len(data.Claim.Chains) == 0 {
			t.Fatal("no chains")
		}
		c := data.Claim.Chains[0]
		if len(c.Hops) != 2 || c.Hops[0].Outlet.Name != "Euromaidan Press" || c.Hops[0].Mode != "CITES_REPORT" ||
			c.Hops[1].Outlet.Name != "The Telegraph" || c.Hops[1].To.Name != "unnamed US negotiators" ||
			c.Terminal != "OFFICIAL" || c.Origin.Name != "unnamed US negotiators" {
			t.Errorf("first chain %+v", c)
		}
	})
	t.Run("ErrWriteWithoutToken", func(t *testing.T) {
		// Ensure a write without the token is refused with 401.
		a := p.post(t, "", `mutation { createOutlet(input: {id: "outlet:e2e", name: "E2E"}) { id } }`, nil)
		if a.status != http.StatusUnauthorized || a.code(t) != "UNAUTHENTICATED" {
			t.Errorf("status %d: %s", a.status, a.body)
		}
	})
	t.Run("OKWriteWithToken", func(t *testing.T) {
		// Ensure a write with the environment's token is accepted and reads back.
		p.post(t, token, `mutation { createOutlet(input: {id: "outlet:e2e", name: "E2E"}) { id } }`, nil).mustData(t, nil)
		var data struct{ Outlet struct{ Name string } }
		p.post(t, "", `{ outlet(id: "outlet:e2e") { name } }`, nil).mustData(t, &data)
		if data.Outlet.Name != "E2E" {
			t.Errorf("outlet %+v", data.Outlet)
		}
	})
	t.Run("OKAccessLog", func(t *testing.T) {
		// Ensure requests are logged with their ID, status and operation, and
		// the token never is.
		found := false
		// Access-log lines follow their responses; the deadline is a guard.
		for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			for _, l := range logLines(t, p.stderr.String()) {
				if l["message"] == "request" && l["operation"] == "Headline" && l["req_id"] != nil && l["status"] == float64(200) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no access log line for the Headline query:\n%s", p.stderr)
		}
		if strings.Contains(p.stderr.String(), token) || strings.Contains(p.stdout.String(), token) {
			t.Error("the write token was logged")
		}
	})

	// Ensure cancelling the context (SIGINT) drains, exits 0, and closes
	// Badger cleanly: the database then opens read-only, with the write.
	if code := p.stop(t); code != exitOK {
		t.Fatalf("exit code %d after stop, want 0:\n%s", code, p.stderr)
	}
	opt := store.DefaultOptions(dir)
	opt.ReadOnly = true
	db, err := store.Open(opt)
	if err != nil {
		t.Fatalf("read-only open after stop: %v (Badger was not closed cleanly)", err)
	}
	stats, err := db.Stats(context.Background())
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if stats.Outlets != 3 || stats.Claims != 25 {
		t.Errorf("after stop the database holds %+v, want the seed plus the written outlet", stats)
	}

	t.Run("OKRestartKeepsData", func(t *testing.T) {
		// Ensure a second start on the same database does not reload the
		// seed and still has the write.
		p := startServe(t, "--db", dir)
		if seedLoadedLogged(t, p.stderr.String()) {
			t.Error("the seed was loaded into a database that was not empty")
		}
		var data struct{ Outlets struct{ TotalCount int } }
		p.post(t, "", `{ outlets { totalCount } }`, nil).mustData(t, &data)
		if data.Outlets.TotalCount != 3 {
			t.Errorf("%d outlets after restart, want 3", data.Outlets.TotalCount)
		}
		if code := p.stop(t); code != exitOK {
			t.Errorf("exit code %d", code)
		}
	})
}

func TestServe_WriteTokenFile(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "env-token")
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"), "--write-token-file", file)
	const write = `mutation { createOutlet(input: {id: "outlet:by-file", name: "By file"}) { id } }`
	t.Run("OK", func(t *testing.T) {
		// Ensure the file's token, trimmed, authorises writes.
		p.post(t, "file-token", write, nil).mustData(t, nil)
	})
	t.Run("ErrEnvToken", func(t *testing.T) {
		// Ensure --write-token-file takes the place of $HEARSAY_WRITE_TOKEN.
		a := p.post(t, "env-token", `mutation { deleteOutlet(id: "outlet:by-file") }`, nil)
		if a.status != http.StatusUnauthorized || a.code(t) != "UNAUTHENTICATED" {
			t.Errorf("status %d: %s", a.status, a.body)
		}
	})
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(p.stderr.String(), "file-token") {
		t.Error("the token was logged")
	}
}

func TestServe_TokenErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file, want string
	}{
		{"ErrEmptyFile", empty, "is empty"},
		{"ErrMissingFile", filepath.Join(dir, "missing"), "write-token-file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a bad token file stops the server before it listens.
			var stdout, stderr serveOutput
			listened := false
			code := runWith(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "db"), "--addr", "127.0.0.1:0",
				"--log-format", "json", "--write-token-file", tt.file}, strings.NewReader(""), &stdout, &stderr, func(string) { listened = true })
			if code != exitError || listened {
				t.Errorf("exit %d, listened %v; want exit %d without listening", code, listened, exitError)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestServe_WritesDisabled(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"))
	// Ensure without a token writes are FORBIDDEN with a message that says
	// how to enable them, and queries still run.
	a := p.post(t, "anything", `mutation { deleteClaim(id: "claim:x") }`, nil)
	if a.status != http.StatusForbidden || a.code(t) != "FORBIDDEN" || !strings.Contains(a.Errors[0].Message, "HEARSAY_WRITE_TOKEN") {
		t.Errorf("status %d: %s", a.status, a.body)
	}
	p.post(t, "", `{ claims { totalCount } }`, nil).mustData(t, nil)
	writes := true
	for _, l := range logLines(t, p.stderr.String()) {
		if l["message"] == "serving" {
			writes, _ = l["writes"].(bool)
		}
	}
	if writes {
		t.Error("the serving log line does not say writes are off")
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}

func TestServe_NoSeed(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"), "--no-seed")
	// Ensure --no-seed leaves an empty database empty.
	var data struct{ Claims struct{ TotalCount int } }
	p.post(t, "", `{ claims { totalCount } }`, nil).mustData(t, &data)
	if data.Claims.TotalCount != 0 || seedLoadedLogged(t, p.stderr.String()) {
		t.Errorf("%d claims with --no-seed", data.Claims.TotalCount)
	}
	p.stop(t)
}

func TestServe_Usage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"ErrLogFormat", []string{"--log-format", "xml"}},
		{"ErrArgument", []string{"extra"}},
		{"ErrLogLevel", []string{"--log-level", "loud"}},
		{"ErrMaxInflight", []string{"--max-inflight", "0"}},
		{"ErrMaxFields", []string{"--max-fields", "-1"}},
		{"ErrReadTimeout", []string{"--read-timeout", "0s"}},
		{"ErrIdleTimeout", []string{"--idle-timeout", "-1s"}},
		{"ErrTimeout", []string{"--timeout", "0s"}},
		{"ErrWriteTimeoutShort", []string{"--timeout", "20s", "--write-timeout", "15s"}},
		{"ErrCORSOrigin", []string{"--cors-origin", "factcheck.example"}},
		{"ErrCORSOriginPath", []string{"--cors-origin", "https://ok.example,https://factcheck.example/api"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a bad command line is a usage error, before listening.
			var stdout, stderr serveOutput
			code := runWith(context.Background(), append([]string{"serve", "--db", filepath.Join(t.TempDir(), "db"), "--addr", "127.0.0.1:0"}, tt.args...),
				strings.NewReader(""), &stdout, &stderr, func(string) { t.Error("listened") })
			if code != exitUsage {
				t.Errorf("exit %d, want %d: %s", code, exitUsage, stderr.String())
			}
		})
	}
}

// trickle writes data to conn a byte at a time, every few milliseconds,
// until the server answers or closes the connection (answered is closed),
// a write fails, or data runs out. It returns how many bytes it wrote.
func trickle(t *testing.T, conn net.Conn, data string, answered <-chan struct{}) int {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for i := range len(data) {
		select {
		case <-answered:
			return i
		case <-tick.C:
		}
		if _, err := conn.Write([]byte{data[i]}); err != nil {
			return i
		}
	}
	return len(data)
}

func TestServe_SlowClients(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"), "--read-header-timeout", "200ms", "--read-timeout", "400ms",
		"--max-inflight", "3")
	host := strings.TrimPrefix(p.url, "http://")
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	// The data a slow client never finishes sending: at 5 ms a byte it
	// would take minutes, so only the server's timeouts can end the test.
	const endless = 30_000

	t.Run("ErrSlowHeaders", func(t *testing.T) {
		// Ensure a client sending its headers a byte at a time (slow loris)
		// is cut off: the server closes the connection without serving it.
		conn := dial(t)
		closed := make(chan struct{})
		var got []byte
		go func() {
			got, _ = io.ReadAll(conn) // returns when the server closes
			close(closed)
		}()
		headers := "GET /healthz HTTP/1.1\r\nHost: hearsay\r\n" + strings.Repeat("X-Slow: a\r\n", endless/11)
		if sent := trickle(t, conn, headers, closed); sent == len(headers) {
			conn.Close()
			t.Fatalf("the server kept the connection open while all %d header bytes trickled in", sent)
		}
		<-closed
		// net/http closes silently, or with a 400 when the deadline cuts a
		// header line in two; it never serves the request.
		if len(got) != 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 400 ")) {
			t.Errorf("the server answered a request whose headers never ended: %q", got)
		}
	})
	t.Run("ErrSlowBody", func(t *testing.T) {
		// Ensure a client whose body trickles in is cut off at the read
		// timeout and told so with 408 and a GraphQL error.
		conn := dial(t)
		answered := make(chan struct{})
		var resp *http.Response
		var rerr error
		go func() {
			resp, rerr = http.ReadResponse(bufio.NewReader(conn), nil)
			close(answered)
		}()
		body := `{"query": "{ claims { totalCount } }"` + strings.Repeat(" ", endless)
		head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: hearsay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body)+1)
		if _, err := conn.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		if sent := trickle(t, conn, body, answered); sent == len(body) {
			conn.Close()
			t.Fatalf("the server kept reading while all %d body bytes but the last trickled in", sent)
		}
		<-answered
		if rerr != nil {
			t.Fatalf("no answer: %v", rerr)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), `"code":"BAD_USER_INPUT"`) ||
			!strings.Contains(string(b), "time limit") {
			t.Errorf("status %d: %s; want 408 with a BAD_USER_INPUT error about the time limit", resp.StatusCode, b)
		}
	})
	t.Run("OKPromptClient", func(t *testing.T) {
		// Ensure a client that sends promptly is served by the same server,
		// without CORS headers, as none were configured.
		a := p.post(t, "", `{ claims { totalCount } }`, nil)
		a.mustData(t, nil)
		for k := range a.header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("header %s without --cors-origin", k)
			}
		}
	})
	t.Run("OKServingLog", func(t *testing.T) {
		// Ensure the serving log line gives the in-flight limit.
		found := false
		for _, l := range logLines(t, p.stderr.String()) {
			found = found || l["message"] == "serving" && l["max_inflight"] == float64(3)
		}
		if !found {
			t.Errorf("no serving line with max_inflight 3:\n%s", p.stderr)
		}
	})
}

func TestServe_CORS(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"),
		"--cors-origin", "https://a.example, https://b.example", "--cors-origin", "http://localhost:3000")
	for origin, allowed := range map[string]bool{
		"https://a.example": true, "https://b.example": true, "http://localhost:3000": true,
		"https://c.example": false, "http://localhost:3001": false,
	} {
		// Ensure every origin of the repeated, comma-separated flag is
		// allowed, and no other.
		req, err := http.NewRequest(http.MethodOptions, p.url+"/graphql", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Access-Control-Allow-Origin")
		if allowed && (resp.StatusCode != http.StatusNoContent || got != origin) {
			t.Errorf("%s: status %d, Access-Control-Allow-Origin %q; want 204 and the origin", origin, resp.StatusCode, got)
		}
		if !allowed && (resp.StatusCode == http.StatusNoContent || got != "") {
			t.Errorf("%s: status %d, Access-Control-Allow-Origin %q; want no approval", origin, resp.StatusCode, got)
		}
	}
}

func TestServe_Metrics(t *testing.T) {
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	get := func(t *testing.T, p *servedProcess) (int, string) {
		t.Helper()
		resp, err := http.Get(p.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	t.Run("OK", func(t *testing.T) {
		// Ensure the real wiring serves the store's figures: the open
		// generation of the directory, and the seed's writes' waits.
		p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"))
		p.post(t, "", `query Count { claims { totalCount } }`, nil).mustData(t, &struct{}{})
		status, body := get(t, p)
		for _, want := range []string{"hearsay_store_generation 1\n", "hearsay_badger_lsm_bytes ", "hearsay_store_write_wait_seconds_count ",
			`hearsay_graphql_requests_total{operation="Count",status="200"} 1` + "\n"} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("/metrics %d lacks %q", status, want)
			}
		}
		p.stop(t)
	})
	t.Run("Off", func(t *testing.T) {
		// Ensure --metrics=false turns /metrics off.
		p := startServe(t, "--db", filepath.Join(t.TempDir(), "db"), "--no-seed", "--metrics=false")
		if status, body := get(t, p); strings.Contains(body, "hearsay_graphql_requests_total") {
			t.Errorf("/metrics served with --metrics=false: %d", status)
		}
		p.stop(t)
	})
}
