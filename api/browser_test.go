package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/store/storetest"
)

// The browser check drives headless Chromium over the DevTools protocol
// (CDP), spoken through --remote-debugging-pipe: Chromium reads JSON
// messages, each ending in a NUL byte, from its fd 3 and writes its replies
// and events to its fd 4. The client below is the few lines of CDP the
// check needs, so the module takes no browser-automation dependency.

const (
	// browserTimeout bounds the whole check, Chromium's start included.
	// Generous: CI may run it on 2 cores beside the race detector.
	browserTimeout = 60 * time.Second
	// browserPoll is how often the page is polled.
	browserPoll = 100 * time.Millisecond
)

// DOM of GraphiQL 3.8.3 that the check relies on. Its editors are
// CodeMirror 5 instances, each reachable as the .CodeMirror property of its
// div.CodeMirror; CodeMirror renders only the lines in view, so the check
// reads a whole editor through getValue() rather than the DOM's text.
const (
	browserQueryEditor  = ".graphiql-query-editor .CodeMirror"
	browserExecute      = "button.graphiql-execute-button"
	browserResultWindow = ".graphiql-response .result-window"
)

func TestBrowser_Playground(t *testing.T) {
	// Ensure the playground, in a real browser, opens on the ready query,
	// runs it, and shows its answer with The Telegraph's hop, loading
	// nothing from any host but the server.
	t.Run("OK", func(t *testing.T) {
		if testing.Short() {
			t.Skip("browser check skipped in -short mode")
		}
		bin := browserFindChromium(t)
		srv := browserMustServe(t)

		ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
		defer cancel()
		b := browserStart(t, ctx, bin)
		page := b.mustOpenPage(t, ctx, srv.URL+"/graphiql")

		// Wait for GraphiQL to mount with the ready query in its editor.
		var query string
		want := strings.TrimSpace(api.DefaultPlaygroundQuery)
		if err := page.poll(ctx, `(() => {
			const el = document.querySelector(`+browserJS(browserQueryEditor)+`);
			return el && el.CodeMirror && document.querySelector(`+browserJS(browserExecute)+`)
				? el.CodeMirror.getValue() : null;
		})()`, func(v json.RawMessage) bool {
			return json.Unmarshal(v, &query) == nil && strings.TrimSpace(query) == want
		}); err != nil {
			t.Fatalf("GraphiQL did not open with the ready query: %v\nquery editor holds:\n%s\nwant:\n%s", err, query, want)
		}

		// Click the execute button as a user would, at its centre, and
		// again if no query went out: on a loaded machine CI once saw a
		// click land while GraphiQL was still settling after fetching the
		// schema (the page's only /graphql request was that fetch).
		page.mustClickUntilRequest(t, ctx, browserExecute, "/graphql")

		// Wait for the answer in the result pane.
		var answer string
		if err := page.poll(ctx, `(() => {
			const w = document.querySelector(`+browserJS(browserResultWindow)+`);
			if (!w) return "";
			const el = w.querySelector(".CodeMirror");
			return el && el.CodeMirror ? el.CodeMirror.getValue() : w.innerText;
		})()`, func(v json.RawMessage) bool {
			if json.Unmarshal(v, &answer) != nil {
				return false
			}
			return strings.Contains(answer, "The Telegraph") && strings.Contains(answer, "unnamed US negotiators") ||
				strings.Contains(answer, `"errors"`) // browserCheckAnswer says which
		}); err != nil {
			t.Fatalf("result pane never showed The Telegraph's hop: %v", err)
		}
		browserCheckAnswer(t, answer)

		// Every request of the page went to the server itself. A request
		// the page's Content-Security-Policy blocks may never reach the
		// network, so the CSP's complaints count too.
		host := strings.TrimPrefix(srv.URL, "http://")
		for _, u := range page.requests() {
			if p, err := url.Parse(u); err != nil || !browserSameHost(p, host) {
				t.Errorf("page requested %s; want requests to %s only", browserClip(u, 200), host)
			}
		}
		for _, msg := range page.blocked() {
			t.Errorf("page broke its security policy: %s", msg)
		}
	})
}

// browserCheckAnswer fails t unless answer, the result pane's JSON, holds no
// errors and a hop by The Telegraph to the unnamed US negotiators.
func browserCheckAnswer(tb testing.TB, answer string) {
	tb.Helper()
	type named struct {
		Name string `json:"name"`
	}
	var resp struct {
		Errors []json.RawMessage `json:"errors"`
		Data   struct {
			Claim struct {
				Chains []struct {
					Hops []struct {
						Outlet named `json:"outlet"`
						To     named `json:"to"`
					} `json:"hops"`
				} `json:"chains"`
			} `json:"claim"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(answer), &resp); err != nil {
		tb.Fatalf("result pane is not JSON: %v\n%s", err, answer)
	}
	if len(resp.Errors) > 0 {
		tb.Fatalf("answer has errors:\n%s", answer)
	}
	for _, c := range resp.Data.Claim.Chains {
		for _, h := range c.Hops {
			if h.Outlet.Name == "The Telegraph" && h.To.Name == "unnamed US negotiators" {
				return
			}
		}
	}
	tb.Fatalf("answer has no hop by The Telegraph to the unnamed US negotiators:\n%s", answer)
}

// browserSameHost reports whether u went to host, or needed no network at
// all (data:, blob:, about:).
func browserSameHost(u *url.URL, host string) bool {
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
		return u.Host == host
	}
	return false
}

// browserJS quotes s as a JavaScript string literal.
func browserJS(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// browserFindChromium returns the path of a Chromium or Chrome binary, or
// skips the test.
func browserFindChromium(tb testing.TB) string {
	tb.Helper()
	if runtime.GOOS == "windows" {
		tb.Skip("browser check needs --remote-debugging-pipe over inherited fds; not on Windows")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HEARSAY_CI") == "1" {
		tb.Fatal("headless Chromium not found, and .ci/run (HEARSAY_CI=1) installs it: apt-get install -y chromium")
	}
	tb.Skip("headless Chromium not found; install it with: apt-get install -y chromium")
	return ""
}

// browserMustServe serves the real API over the seed dataset on an
// in-memory store, and closes both at cleanup.
func browserMustServe(tb testing.TB) *httptest.Server {
	tb.Helper()
	db := storetest.Open(tb)
	if _, err := fixtures.LoadSeed(context.Background(), db); err != nil {
		tb.Fatal(err)
	}
	s, err := api.New(api.Config{Graph: db})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return srv
}

// browser is a running Chromium and its CDP connection.
type browser struct {
	cmd    *exec.Cmd
	w      *os.File      // Chromium's fd 3
	exited chan struct{} // closed when the process has been waited for
	stderr *browserTail

	mu       sync.Mutex
	writeMu  sync.Mutex
	nextID   int64
	pending  map[int64]chan browserMessage
	closed   chan struct{} // closed when the reader stops
	readErr  error
	reqURLs  map[string][]string // by session: Network.requestWillBeSent URLs
	blocked  map[string][]string // by session: security log entries, such as CSP violations
	problems map[string][]string // by session: console errors, exceptions, log errors
}

// browserMessage is one CDP message: a reply (ID set) or an event.
type browserMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// browserStart starts Chromium and stops it at cleanup.
func browserStart(t *testing.T, ctx context.Context, bin string) *browser {
	t.Helper()
	in, w, err := os.Pipe() // Chromium reads in as fd 3
	if err != nil {
		t.Fatal(err)
	}
	r, out, err := os.Pipe() // Chromium writes out as fd 4
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1024",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	b := &browser{
		cmd:      cmd,
		w:        w,
		exited:   make(chan struct{}),
		stderr:   &browserTail{max: 16 << 10},
		pending:  map[int64]chan browserMessage{},
		closed:   make(chan struct{}),
		reqURLs:  map[string][]string{},
		blocked:  map[string][]string{},
		problems: map[string][]string{},
	}
	cmd.ExtraFiles = []*os.File{in, out}
	cmd.Stderr = b.stderr
	cmd.WaitDelay = 5 * time.Second // do not hang on a child holding stderr
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{in, w, r, out} {
			f.Close()
		}
		t.Fatalf("start %s: %v", bin, err)
	}
	in.Close()
	out.Close()
	go func() {
		_ = cmd.Wait()
		close(b.exited)
	}()
	go b.read(r)

	t.Cleanup(func() {
		// Ask Chromium to close, then kill it if it has not.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.call(cctx, "", "Browser.close", nil, nil)
		cancel()
		select {
		case <-b.exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-b.exited
		}
		w.Close()
		select { // the reader ends when the last holder of fd 4 exits
		case <-b.closed:
		case <-time.After(5 * time.Second):
		}
		r.Close()
		<-b.closed
		if t.Failed() {
			t.Logf("Chromium's stderr, less D-Bus noise (tail):\n%s", b.stderr)
		}
	})
	var v struct {
		Product string `json:"product"`
	}
	if err := b.call(ctx, "", "Browser.getVersion", nil, &v); err != nil {
		t.Fatalf("Chromium does not answer on its DevTools pipe: %v\nstderr:\n%s", err, b.stderr)
	}
	t.Logf("browser: %s (%s)", v.Product, bin)
	return b
}

// read delivers Chromium's messages until its pipe closes.
func (b *browser) read(r io.Reader) {
	br := bufio.NewReader(r)
	var err error
	for {
		var line []byte
		if line, err = br.ReadBytes(0); err != nil {
			break
		}
		var m browserMessage
		if err = json.Unmarshal(line[:len(line)-1], &m); err != nil {
			break
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				delete(b.pending, m.ID)
				ch <- m
			}
		} else {
			b.event(m)
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.readErr = err
	b.mu.Unlock()
	close(b.closed)
}

// event records the events the check needs; b.mu is held.
func (b *browser) event(m browserMessage) {
	switch m.Method {
	case "Network.requestWillBeSent":
		var p struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(m.Params, &p) == nil {
			b.reqURLs[m.SessionID] = append(b.reqURLs[m.SessionID], p.Request.URL)
		}
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string            `json:"type"`
			Args []json.RawMessage `json:"args"`
		}
		if json.Unmarshal(m.Params, &p) == nil && (p.Type == "error" || p.Type == "warning" || p.Type == "assert") {
			var args []string
			for _, a := range p.Args {
				var o struct {
					Value       any    `json:"value"`
					Description string `json:"description"`
				}
				if json.Unmarshal(a, &o) == nil && o.Value != nil {
					args = append(args, fmt.Sprint(o.Value))
				} else {
					args = append(args, o.Description)
				}
			}
			b.problems[m.SessionID] = append(b.problems[m.SessionID], "console."+p.Type+": "+strings.Join(args, " "))
		}
	case "Runtime.exceptionThrown":
		var p struct {
			Details struct {
				Text      string `json:"text"`
				URL       string `json:"url"`
				Line      int    `json:"lineNumber"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		if json.Unmarshal(m.Params, &p) == nil {
			d := p.Details
			b.problems[m.SessionID] = append(b.problems[m.SessionID],
				fmt.Sprintf("exception at %s:%d: %s %s", d.URL, d.Line+1, d.Text, d.Exception.Description))
		}
	case "Log.entryAdded":
		var p struct {
			Entry struct {
				Level  string `json:"level"`
				Source string `json:"source"`
				Text   string `json:"text"`
				URL    string `json:"url"`
			} `json:"entry"`
		}
		if json.Unmarshal(m.Params, &p) == nil && (p.Entry.Level == "error" || p.Entry.Level == "warning") {
			e := p.Entry
			if e.Source == "security" {
				b.blocked[m.SessionID] = append(b.blocked[m.SessionID], e.Text)
			}
			b.problems[m.SessionID] = append(b.problems[m.SessionID],
				fmt.Sprintf("log %s (%s): %s %s", e.Level, e.Source, e.Text, e.URL))
		}
	}
}

// call sends method with params in session ("" for the browser itself)
// and decodes the reply's result into result, if not nil.
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan browserMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
	}()

	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	b.writeMu.Lock()
	_, err = b.w.Write(append(data, 0))
	b.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}

	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		}
		return nil
	case <-b.closed:
		b.mu.Lock()
		err := b.readErr
		b.mu.Unlock()
		return fmt.Errorf("%s: Chromium closed its DevTools pipe: %v", method, err)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// browserPage is one tab, attached through a flat session.
type browserPage struct {
	b       *browser
	session string
}

// mustOpenPage opens a tab, enables the domains the check watches, then
// navigates it to u, so that the page's first request is seen too. If the
// test fails, it logs the page's problems and result pane and saves a
// screenshot.
func (b *browser) mustOpenPage(t *testing.T, ctx context.Context, u string) *browserPage {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget",
		map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	p := &browserPage{b: b, session: attached.SessionID}
	for _, m := range []string{"Runtime.enable", "Network.enable", "Log.enable", "Page.enable"} {
		if err := b.call(ctx, p.session, m, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	artifacts := t.ArtifactDir()
	t.Cleanup(func() {
		if t.Failed() {
			p.logFailure(t, artifacts)
		}
	})
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := b.call(ctx, p.session, "Page.navigate", map[string]any{"url": u}, &nav); err != nil {
		t.Fatal(err)
	}
	if nav.ErrorText != "" {
		t.Fatalf("navigate to %s: %s", u, nav.ErrorText)
	}
	return p
}

// eval evaluates expr in the page and returns its value as JSON.
func (p *browserPage) eval(ctx context.Context, expr string) (json.RawMessage, error) {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.call(ctx, p.session, "Runtime.evaluate",
		map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		return nil, err
	}
	if d := r.ExceptionDetails; d != nil {
		return nil, fmt.Errorf("evaluate: %s %s", d.Text, d.Exception.Description)
	}
	return r.Result.Value, nil
}

// poll evaluates expr every browserPoll until ok accepts its value or ctx
// ends. A page still loading may fail to evaluate; poll keeps trying.
func (p *browserPage) poll(ctx context.Context, expr string, ok func(json.RawMessage) bool) error {
	tick := time.NewTicker(browserPoll)
	defer tick.Stop()
	var last error
	for {
		v, err := p.eval(ctx, expr)
		if err == nil && ok(v) {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// mustClick clicks the centre of the element matching selector with the
// mouse, through Input.dispatchMouseEvent.
func (p *browserPage) mustClick(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	v, err := p.eval(ctx, `(() => {
		const el = document.querySelector(`+browserJS(selector)+`);
		if (!el) return null;
		el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2};
	})()`)
	if err != nil {
		t.Fatalf("find %s: %v", selector, err)
	}
	var pt *struct{ X, Y float64 }
	if err := json.Unmarshal(v, &pt); err != nil || pt == nil {
		t.Fatalf("no element %s to click (%s)", selector, v)
	}
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		ev := map[string]any{"type": typ, "x": pt.X, "y": pt.Y}
		if typ != "mouseMoved" {
			ev["button"] = "left"
			ev["clickCount"] = 1
		}
		if err := p.b.call(ctx, p.session, "Input.dispatchMouseEvent", ev, nil); err != nil {
			t.Fatalf("click %s: %v", selector, err)
		}
	}
}

// mustClickUntilRequest clicks selector until the page requests a URL
// containing path, up to three clicks a few seconds apart, as a user
// clicks again when nothing happened; it fails if none brings one.
func (p *browserPage) mustClickUntilRequest(t *testing.T, ctx context.Context, selector, path string) {
	t.Helper()
	count := func() int {
		n := 0
		for _, u := range p.requests() {
			if strings.Contains(u, path) {
				n++
			}
		}
		return n
	}
	before := count()
	for range 3 {
		p.mustClick(t, ctx, selector)
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		for count() == before && wait.Err() == nil {
			time.Sleep(browserPoll)
		}
		cancel()
		if count() > before {
			return
		}
	}
	t.Fatalf("three clicks on %s made no request to %s", selector, path)
}

// requests returns the URLs the page has requested so far.
func (p *browserPage) requests() []string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return append([]string(nil), p.b.reqURLs[p.session]...)
}

// blocked returns the security errors the page has logged so far, such as
// a load its Content-Security-Policy refused.
func (p *browserPage) blocked() []string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return append([]string(nil), p.b.blocked[p.session]...)
}

// logFailure logs what a failed check needs for a diagnosis: the page's
// console errors and exceptions, its requests, the result pane's text, and
// the path of a screenshot saved in dir (kept with go test -artifacts).
func (p *browserPage) logFailure(t *testing.T, dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.b.mu.Lock()
	problems := append([]string(nil), p.b.problems[p.session]...)
	p.b.mu.Unlock()
	if len(problems) == 0 {
		t.Log("page reported no console errors or exceptions")
	} else {
		t.Logf("page's console errors and exceptions:\n  %s", strings.Join(problems, "\n  "))
	}
	reqs := p.requests()
	for i, u := range reqs {
		reqs[i] = browserClip(u, 120)
	}
	t.Logf("page's requests:\n  %s", strings.Join(reqs, "\n  "))
	if v, err := p.eval(ctx, `(() => {
		const w = document.querySelector(`+browserJS(browserResultWindow)+`);
		if (!w) return "no result pane; page text:\n" + (document.body ? document.body.innerText : "");
		const el = w.querySelector(".CodeMirror");
		return "result pane:\n" + (el && el.CodeMirror ? el.CodeMirror.getValue() : w.innerText);
	})()`); err != nil {
		t.Logf("read page: %v", err)
	} else {
		var s string
		_ = json.Unmarshal(v, &s)
		t.Log(browserClip(s, 4<<10))
	}
	var shot struct {
		Data string `json:"data"`
	}
	if err := p.b.call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err == nil {
		name := filepath.Join(dir, "playground.png")
		if err = os.WriteFile(name, png, 0o644); err == nil {
			t.Logf("screenshot: %s (kept only by go test -artifacts)", name)
			return
		}
	}
	t.Logf("screenshot: %v", err)
}

// browserTail keeps the last max bytes written to it.
type browserTail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *browserTail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if n := len(w.buf) - w.max; n > 0 {
		w.buf = append(w.buf[:0], w.buf[n:]...)
	}
	return len(p), nil
}

// String returns the kept bytes less the lines about D-Bus, which a
// container does not run and Chromium complains of at length.
func (w *browserTail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, line := range strings.Split(string(bytes.TrimSpace(w.buf)), "\n") {
		if !strings.Contains(line, "dbus") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// browserClip shortens s to about n bytes.
func browserClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes more)", len(s)-n)
}
