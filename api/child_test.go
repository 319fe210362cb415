package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/store/storetest"
)

// The requests that once killed or starved the whole server are sent to a
// real server in a child process: the test binary itself, run again as
// TestHelperProcessServer. A regression then takes down the child, which
// the test reports, and not the test binary.

// helperEnv marks the test binary run as a child server.
const helperEnv = "HEARSAY_TEST_HELPER_SERVER"

// TestHelperProcessServer is not a test: run by a child started with
// helperEnv set, it serves the seed on 127.0.0.1:0, prints "ADDR host:port"
// and serves until its standard input closes. In an ordinary run it
// returns at once.
func TestHelperProcessServer(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	db := storetest.Open(t)
	MustLoadSeed(t, db)
	srv, err := api.New(api.Config{Graph: db, WriteToken: testToken, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = http.Serve(ln, srv) }()
	fmt.Printf("ADDR %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // the parent holds the pipe open
	os.Exit(0)
}

// child is a server running in a child process.
type child struct {
	cmd  *exec.Cmd
	addr string
	done chan error // receives the child's exit
}

// startChild starts TestHelperProcessServer in a child process.
func startChild(t *testing.T) *child {
	t.Helper()
	if testing.Short() {
		t.Log("-short: the child server runs anyway, these tests guard a crash")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "GOTRACEBACK=single")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "ADDR "); ok {
			c.addr = a
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("child stderr (last 2 KB): %s", tail(stderr.Bytes(), 2048))
		}
	})
	if c.addr == "" {
		t.Fatalf("the child server did not start: %s", tail(stderr.Bytes(), 2048))
	}
	return c
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// alive reports whether the child still runs.
func (c *child) alive() bool {
	select {
	case err := <-c.done:
		c.done <- err
		return false
	default:
		return true
	}
}

// post sends a raw body to the child's /graphql as application/json and
// returns status and body.
func (c *child) post(t *testing.T, body []byte) (int, []byte, error) {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Post("http://"+c.addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// cpuTime returns the user plus system CPU time the child has used, from
// /proc/<pid>/stat (utime and stime, in clock ticks of 1/100 s).
func (c *child) cpuTime(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read the child's CPU time: %v", err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, err1 := strconv.Atoi(fields[11])
	stime, err2 := strconv.Atoi(fields[12])
	if err1 != nil || err2 != nil {
		t.Fatalf("parse /proc/%d/stat: %q", c.cmd.Process.Pid, b)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// mustStillServe fails unless the child is alive and answers a real query.
func (c *child) mustStillServe(t *testing.T) {
	t.Helper()
	if !c.alive() {
		t.Fatal("the child server died")
	}
	status, body, err := c.post(t, []byte(`{"query":"{ claims { totalCount } }"}`))
	if err != nil || status != http.StatusOK || string(body) != `{"data":{"claims":{"totalCount":25}}}` {
		t.Fatalf("after the attack the server answers %d %s (%v)", status, body, err)
	}
}

// refusal decodes a GraphQL error answer and fails unless it has one error
// with the code.
func refusal(t *testing.T, status int, body []byte, wantStatus int, wantCode string) GQLError {
	t.Helper()
	var r Response
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) != 1 {
		t.Fatalf("status %d, body %.300s: not one GraphQL error (%v)", status, body, err)
	}
	if status != wantStatus || r.Errors[0].Code() != wantCode {
		t.Fatalf("status %d code %s, want %d %s: %.300s", status, r.Errors[0].Code(), wantStatus, wantCode, body)
	}
	return r.Errors[0]
}

func TestChildDeepNesting(t *testing.T) {
	c := startChild(t)
	for _, tt := range []struct {
		name, query string
	}{
		// issue 16, finding 1: 600,000 `[` overflowed graphql-go's
		// recursive parser, a fatal error no recover catches.
		{"Brackets", `{ claim(id:` + strings.Repeat("[", 600_000)},
		// finding 3: a balanced 1 MB query of 499,000 nested lists took
		// 570 MB in the parser.
		{"BalancedLists", `{ claim(id:` + strings.Repeat("[", 249_000) + strings.Repeat("]", 249_000) + `) { id } }`},
		{"Braces", strings.Repeat("{ a ", 200_000)},
		{"Objects", `{ claim(id: ` + strings.Repeat("{a:", 200_000)},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			// Ensure deep nesting is refused 400 QUERY_TOO_COMPLEX before
			// graphql-go parses it, and the server lives on.
			body, _ := json.Marshal(map[string]string{"query": tt.query})
			status, b, err := c.post(t, body)
			if err != nil {
				t.Fatalf("post: %v (child alive: %v)", err, c.alive())
			}
			e := refusal(t, status, b, http.StatusBadRequest, api.CodeQueryTooComplex)
			if !strings.Contains(e.Message, strconv.Itoa(api.MaxNesting)) {
				t.Errorf("message %q does not give the limit", e.Message)
			}
			c.mustStillServe(t)
		})
	}
}

func TestChildLongLineSyntaxError(t *testing.T) {
	c := startChild(t)
	// issue 16, finding 2: graphql-go formats a syntax error with a caret
	// line built one column at a time (quadratic) and the whole line: 80,000
	// tabs took 4 s of CPU, 520,000 hours. 300,000 would take about a minute.
	const tabs = 300_000
	query := "{" + strings.Repeat("\t", tabs) + ")"
	body, _ := json.Marshal(map[string]string{"query": query})
	before := c.cpuTime(t)
	status, b, err := c.post(t, body)
	if err != nil {
		t.Fatalf("post: %v (child alive: %v)", err, c.alive())
	}
	used := c.cpuTime(t) - before
	t.Logf("the child used %v of CPU for the request", used)
	e := refusal(t, status, b, http.StatusBadRequest, api.CodeBadUserInput)
	want := fmt.Sprintf(`Syntax Error: Expected Name, found ")" at line 1, column %d`, tabs+2)
	if e.Message != want {
		t.Errorf("message %q, want %q", e.Message, want)
	}
	// Ensure the answer does not echo the query.
	if len(b) > 1024 {
		t.Errorf("the answer is %d bytes: it echoes the query", len(b))
	}
	// A generous CPU bound, not a timing of the test: the linear check takes
	// milliseconds, the quadratic formatting a minute. It guards against a
	// return of the quadratic path, not against slowness.
	if used > 3*time.Second {
		t.Errorf("the child used %v of CPU for one syntax error", used)
	}
	c.mustStillServe(t)
}

func TestChildManyValidationErrors(t *testing.T) {
	c := startChild(t)
	// graphql-go located each validation error by scanning the whole query:
	// 990 unknown fields after a 900 KB comment took 76 s of CPU.
	query := "#" + strings.Repeat("x", 900_000) + "\n{ " + strings.Repeat("bogus ", 990) + "}"
	body, _ := json.Marshal(map[string]string{"query": query})
	before := c.cpuTime(t)
	status, b, err := c.post(t, body)
	if err != nil {
		t.Fatalf("post: %v (child alive: %v)", err, c.alive())
	}
	used := c.cpuTime(t) - before
	t.Logf("the child used %v of CPU for the request", used)
	var r struct {
		Errors []struct {
			Locations []struct{ Line, Column int }
		}
	}
	if err := json.Unmarshal(b, &r); err != nil || status != http.StatusBadRequest || len(r.Errors) != 990 {
		t.Fatalf("status %d, %d errors (%v): %.300s", status, len(r.Errors), err, b)
	}
	// Ensure the locations are right: line 2, the n-th "bogus".
	for i, e := range r.Errors {
		if len(e.Locations) != 1 || e.Locations[0].Line != 2 || (e.Locations[0].Column-3)%6 != 0 {
			t.Fatalf("error %d at %+v", i, e.Locations)
		}
	}
	// A generous CPU bound, as in TestChildLongLineSyntaxError: it guards
	// against the return of the quadratic path, not against slowness.
	if used > 3*time.Second {
		t.Errorf("the child used %v of CPU for one query", used)
	}
	c.mustStillServe(t)
}
