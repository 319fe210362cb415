package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// sseEvent is one event of a stream; comments (heartbeats) have Comment set.
type sseEvent struct {
	ID, Event, Data string
	Comment         bool
}

// sseStream reads a subscription's events as they come.
type sseStream struct {
	Status int
	Header http.Header
	Events chan sseEvent // closed at the end of the stream
	cancel context.CancelFunc
}

// openStream posts a GraphQL request with Accept: text/event-stream and
// reads its answer's events; lastID, when set, is sent as Last-Event-ID.
func openStream(tb testing.TB, url, query string, vars map[string]any, lastID string) *sseStream {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	st := &sseStream{Status: res.StatusCode, Header: res.Header, Events: make(chan sseEvent, 4096), cancel: cancel}
	tb.Cleanup(st.Close)
	go func() {
		defer close(st.Events)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					st.Events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.Comment = true
			default:
				field, value, _ := strings.Cut(line, ":")
				value = strings.TrimPrefix(value, " ")
				switch field {
				case "id":
					ev.ID = value
				case "event":
					ev.Event = value
				case "data":
					ev.Data += value
				}
			}
		}
	}()
	return st
}

// Close ends the stream from the client's side.
func (st *sseStream) Close() { st.cancel() }

// Next returns the next event that is not a comment, failing after 10 s.
func (st *sseStream) Next(tb testing.TB) sseEvent {
	tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-st.Events:
			if !ok {
				tb.Fatal("the stream ended")
			}
			if !ev.Comment {
				return ev
			}
		case <-timeout:
			tb.Fatal("no event within 10 s")
		}
	}
}

// graphEvent decodes a graphChanged event.
type graphEvent struct {
	Data struct {
		GraphChanged struct{ Seq, Kind, ID, Op string }
	}
	Errors []GQLError
}

func decodeEvent(tb testing.TB, ev sseEvent, v any) {
	tb.Helper()
	if ev.Event != "next" {
		tb.Fatalf("event %q (%s), want next", ev.Event, ev.Data)
	}
	if err := json.Unmarshal([]byte(ev.Data), v); err != nil {
		tb.Fatalf("event data %q: %v", ev.Data, err)
	}
}

// waitSubscribers waits until the server has n streams open.
func waitSubscribers(tb testing.TB, srv *api.Server, n int) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); srv.Subscribers() != n; {
		if time.Now().After(deadline) {
			tb.Fatalf("%d subscribers, want %d", srv.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const graphChangedQuery = `subscription { graphChanged { seq kind id op } }`

func addReview(tb testing.TB, s *Server, by string) {
	tb.Helper()
	var out any
	s.MustMutate(tb, `mutation($by: String!) { addReview(claim: "`+headline+`", input: {verdict: UNPROVEN, reviewedBy: $by}) { id } }`,
		map[string]any{"by": by}, &out)
}

func TestSubscription(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Ensure a mutation reaches a graphChanged subscriber, with its sequence number as the event's id.
		s := MustServer(t)
		st := openStream(t, s.URL, graphChangedQuery, nil, "")
		if st.Status != http.StatusOK || !strings.HasPrefix(st.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("status %d, Content-Type %q", st.Status, st.Header.Get("Content-Type"))
		}
		waitSubscribers(t, s.API, 1)
		head := s.DB.ChangesAfter(0, 0).Head
		addReview(t, s, "A Checker")
		ev := st.Next(t)
		var got graphEvent
		decodeEvent(t, ev, &got)
		want := strconv.FormatUint(head+1, 10)
		c := got.Data.GraphChanged
		if ev.ID != want || c.Seq != want || c.Kind != "CLAIM" || c.ID != headline || c.Op != "UPDATED" {
			t.Errorf("event id %q: %+v, want seq %s, CLAIM %s UPDATED", ev.ID, c, want, headline)
		}
	})

	t.Run("OKKinds", func(t *testing.T) {
		// Ensure graphChanged(kinds:) delivers only changes of those kinds.
		s := MustServer(t)
		st := openStream(t, s.URL, `subscription { graphChanged(kinds: [OUTLET]) { kind id op } }`, nil, "")
		waitSubscribers(t, s.API, 1)
		addReview(t, s, "Not an outlet")
		var out any
		s.MustMutate(t, `mutation { createOutlet(input: {id: "outlet:new-one", name: "New One"}) { id } }`, nil, &out)
		var got graphEvent
		decodeEvent(t, st.Next(t), &got)
		if c := got.Data.GraphChanged; c.Kind != "OUTLET" || c.ID != "outlet:new-one" || c.Op != "CREATED" {
			t.Errorf("first event %+v, want the outlet created", c)
		}
	})

	t.Run("OKClaimChanged", func(t *testing.T) {
		// Ensure claimChanged delivers the claim's new state after a change to a report it appears in, and not after unrelated changes.
		s := MustServer(t)
		st := openStream(t, s.URL, `subscription($id: ID!) { claimChanged(id: $id) { seq op cause { kind id op } claim { id reviews { reviewedBy } } } }`,
			map[string]any{"id": headline}, "")
		waitSubscribers(t, s.API, 1)
		var out any
		s.MustMutate(t, `mutation { createOutlet(input: {id: "outlet:unrelated", name: "Unrelated"}) { id } }`, nil, &out)
		s.MustMutate(t, `mutation { updateReport(id: "report:telegraph-2025-04-25-us-backstop", input: {status: RETRACTED}) { id } }`, nil, &out)
		addReview(t, s, "Live Checker")
		var got struct {
			Data struct {
				ClaimChanged struct {
					Seq, Op string
					Cause   struct{ Kind, ID, Op string }
					Claim   struct {
						ID      string
						Reviews []struct{ ReviewedBy string }
					}
				}
			}
		}
		decodeEvent(t, st.Next(t), &got)
		cc := got.Data.ClaimChanged
		if cc.Op != "UPDATED" || cc.Cause.ID != "report:telegraph-2025-04-25-us-backstop" || cc.Cause.Kind != "REPORT" || cc.Claim.ID != headline {
			t.Errorf("first event %+v, want the retraction of the Telegraph's report", cc)
		}
		decodeEvent(t, st.Next(t), &got)
		cc = got.Data.ClaimChanged
		if cc.Cause.ID != headline || len(cc.Claim.Reviews) == 0 || cc.Claim.Reviews[len(cc.Claim.Reviews)-1].ReviewedBy != "Live Checker" {
			t.Errorf("second event %+v, want the claim with its new review", cc)
		}
		// A new rating of the outlet publishing a report the claim appears in affects it too.
		s.MustMutate(t, `mutation { addRating(id: "outlet:telegraph", input: {rating: D, ratedBy: "desk", ratedAt: "2026-01-01"}) { id } }`, nil, &out)
		decodeEvent(t, st.Next(t), &got)
		if cc := got.Data.ClaimChanged; cc.Cause.ID != "outlet:telegraph" || cc.Cause.Kind != "OUTLET" || cc.Op != "UPDATED" {
			t.Errorf("third event %+v, want the Telegraph's new rating", cc)
		}
	})

	t.Run("OKResume", func(t *testing.T) {
		// Ensure a client reconnecting with Last-Event-ID gets the changes it missed, in order.
		s := MustServer(t)
		st := openStream(t, s.URL, graphChangedQuery, nil, "")
		waitSubscribers(t, s.API, 1)
		addReview(t, s, "First")
		last := st.Next(t).ID
		st.Close()
		waitSubscribers(t, s.API, 0)
		addReview(t, s, "Second")
		var out any
		s.MustMutate(t, `mutation { createOutlet(input: {id: "outlet:while-away", name: "While Away"}) { id } }`, nil, &out)
		st = openStream(t, s.URL, graphChangedQuery, nil, last)
		n, _ := strconv.ParseUint(last, 10, 64)
		for i, want := range []string{headline, "outlet:while-away"} {
			ev := st.Next(t)
			var got graphEvent
			decodeEvent(t, ev, &got)
			if got.Data.GraphChanged.ID != want || ev.ID != strconv.FormatUint(n+uint64(i)+1, 10) {
				t.Errorf("resumed event %d: id %s %+v, want %s", i, ev.ID, got.Data.GraphChanged, want)
			}
		}
	})

	t.Run("ErrEventsMissed", func(t *testing.T) {
		// Ensure a Last-Event-ID older than the feed's window, or not of its sequence, starts with EVENTS_MISSED and goes on.
		db, err := store.Open(func() store.Options { o := store.SmallOptions(); o.FeedSize = 8; return o }())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if _, err := fixtures.LoadSeed(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		srv, err := api.New(api.Config{Graph: db, WriteToken: testToken, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		s := &Server{Server: hs, API: srv, DB: db}
		head := db.ChangesAfter(0, 0).Head
		if head < 20 {
			t.Fatalf("the seed made %d changes; the test needs more than the window of 8", head)
		}
		for _, lastID := range []string{"1", strconv.FormatUint(head+100, 10), "not-a-number"} {
			st := openStream(t, hs.URL, graphChangedQuery, nil, lastID)
			ev := st.Next(t)
			var got graphEvent
			decodeEvent(t, ev, &got)
			if len(got.Errors) != 1 || got.Errors[0].Code() != api.CodeEventsMissed ||
				got.Errors[0].Extensions["lastEventId"] != strconv.FormatUint(head, 10) || ev.ID != strconv.FormatUint(head, 10) {
				t.Errorf("Last-Event-ID %s: first event id %q %s, want EVENTS_MISSED at %d", lastID, ev.ID, ev.Data, head)
			}
			waitSubscribers(t, srv, 1)
			addReview(t, s, "After "+lastID)
			head++
			decodeEvent(t, st.Next(t), &got)
			if got.Data.GraphChanged.ID != headline || got.Data.GraphChanged.Seq != strconv.FormatUint(head, 10) {
				t.Errorf("Last-Event-ID %s: the next change %+v", lastID, got.Data.GraphChanged)
			}
			st.Close()
			waitSubscribers(t, srv, 0)
		}
	})

	t.Run("ErrMaxSubscribers", func(t *testing.T) {
		// Ensure a subscription over the limit is refused 503 OVERLOADED with Retry-After, and one is taken again once a stream ends.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxSubscribers = 2 }))
		a := openStream(t, s.URL, graphChangedQuery, nil, "")
		openStream(t, s.URL, graphChangedQuery, nil, "")
		waitSubscribers(t, s.API, 2)
		res := s.PostRawAccept(t, graphChangedQuery, "text/event-stream")
		if res.Status != http.StatusServiceUnavailable || len(res.Errors) != 1 || res.Errors[0].Code() != api.CodeOverloaded ||
			res.Header.Get("Retry-After") == "" {
			t.Errorf("third subscription: %d %s", res.Status, res.Body)
		}
		a.Close()
		waitSubscribers(t, s.API, 1)
		if c := openStream(t, s.URL, graphChangedQuery, nil, ""); c.Status != http.StatusOK {
			t.Errorf("after one ended: status %d", c.Status)
		}
	})

	t.Run("OKHeartbeat", func(t *testing.T) {
		// Ensure an idle stream gets comment lines every Heartbeat.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.Heartbeat = 20 * time.Millisecond }))
		st := openStream(t, s.URL, graphChangedQuery, nil, "")
		comments := 0
		for timeout := time.After(10 * time.Second); comments < 3; {
			select {
			case ev := <-st.Events:
				if !ev.Comment || ev.Event != "" {
					t.Fatalf("idle stream sent %+v", ev)
				}
				comments++
			case <-timeout:
				t.Fatalf("%d comments in 10 s", comments)
			}
		}
	})

	t.Run("OKShutdown", func(t *testing.T) {
		// Ensure CloseStreams ends every stream without complete, so that clients reconnect.
		s := MustServer(t)
		st := openStream(t, s.URL, graphChangedQuery, nil, "")
		waitSubscribers(t, s.API, 1)
		s.API.CloseStreams()
		for ev := range st.Events {
			if ev.Event == "complete" {
				t.Errorf("a stream closed by the server's shutdown completed")
			}
		}
		waitSubscribers(t, s.API, 0)
	})
}

// PostRawAccept posts a query with an Accept header and reads the whole answer.
func (s *Server) PostRawAccept(tb testing.TB, query, accept string) *Response {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := mustRequest(tb, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	return s.Do(tb, req)
}

func TestSubscription_SlowConsumer(t *testing.T) {
	// Ensure a client that does not read is dropped, while writers go on and
	// another subscriber gets every change.
	db := func() *store.DB {
		db, err := store.Open(store.SmallOptions())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}()
	srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop(), SubscriberQueue: 4, StreamWriteTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener = smallBuffers{hs.Listener}
	hs.Start()
	t.Cleanup(hs.Close)

	// The slow client sends its request and never reads.
	slow, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	_ = slow.(*net.TCPConn).SetReadBuffer(4096)
	body := `{"query":"subscription { graphChanged { seq kind id op } }"}`
	fmt.Fprintf(slow, "POST /graphql HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	waitSubscribers(t, srv, 1)
	fast := openStream(t, hs.URL, graphChangedQuery, nil, "")
	waitSubscribers(t, srv, 2)

	// Writers: 6 imports of 500 outlets each, far more than the slow
	// client's socket and queue take. Each returns while the slow client
	// is still connected: no write waits for it.
	const imports, per = 6, 500
	for i := range imports {
		ds := &graph.Dataset{}
		for j := range per {
			ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: fmt.Sprintf("outlet:o-%d-%d", i, j), Name: fmt.Sprintf("Outlet %d %d with a longer name to fill buffers", i, j)})
		}
		if _, err := db.ImportDataset(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Subscribers(); n != 2 {
		t.Errorf("%d subscribers after the writes, want both still connected (writes do not wait for the drop)", n)
	}
	// The other subscriber gets every change, in order.
	for i := 1; i <= imports*per; i++ {
		ev := fast.Next(t)
		if ev.ID != strconv.Itoa(i) {
			t.Fatalf("fast subscriber: event %d has id %q", i, ev.ID)
		}
	}
	// The slow one is dropped: its connection is closed by the server.
	waitSubscribers(t, srv, 1)
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(slow)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the slow client's connection was not closed (read %d bytes)", len(got))
	}
	if bytes.Contains(got, []byte("event: complete")) {
		t.Errorf("the dropped stream completed; it must not, so that the client reconnects")
	}
	t.Logf("the slow client read %d bytes after it was dropped; SLOW_CONSUMER event: %v", len(got), bytes.Contains(got, []byte(api.CodeSlowConsumer)))
}

// smallBuffers gives accepted connections a small send buffer, so that a
// client that does not read fills it quickly.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

func TestSubscription_BadDocuments(t *testing.T) {
	s := MustServer(t)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"ErrSyntax", `subscription { graphChanged {`, nil, api.CodeBadUserInput},
		{"ErrUnknownField", `subscription { claims { totalCount } }`, nil, api.CodeBadUserInput},
		{"ErrTwoRootFields", `subscription { graphChanged { id } claimChanged(id: "` + headline + `") { seq } }`, nil, api.CodeBadUserInput},
		{"ErrTypename", `subscription { __typename }`, nil, api.CodeBadUserInput},
		{"ErrNotAClaim", `subscription { claimChanged(id: "outlet:telegraph") { seq } }`, nil, api.CodeBadUserInput},
		{"ErrBadID", `subscription($id: ID!) { claimChanged(id: $id) { seq } }`, map[string]any{"id": "no prefix"}, api.CodeBadUserInput},
		{"ErrMissingVariable", `subscription($id: ID!) { claimChanged(id: $id) { seq } }`, nil, api.CodeBadUserInput},
		{"ErrBadKind", `subscription { graphChanged(kinds: [PLANET]) { id } }`, nil, api.CodeBadUserInput},
		{"ErrTooComplex", `subscription { claimChanged(id: "` + headline + `") { claim { appearances { report { outlet { reports(first: 100) { edges { node { outlet { reports(first: 100) { edges { node { outlet { reports(first: 100) { edges { node { id } } } } } } } } } } } } } } } } }`, nil, api.CodeQueryTooComplex},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Ensure a refused subscription is a next event with the errors and a complete, status 200, as graphql-sse expects.
			st := openStream(t, s.URL, tc.query, tc.vars, "")
			if st.Status != http.StatusOK {
				t.Fatalf("status %d", st.Status)
			}
			ev := st.Next(t)
			var got graphEvent
			decodeEvent(t, ev, &got)
			if len(got.Errors) == 0 || got.Errors[0].Code() != tc.code {
				t.Errorf("errors %+v, want %s", got.Errors, tc.code)
			}
			if ev := st.Next(t); ev.Event != "complete" {
				t.Errorf("then %+v, want complete", ev)
			}
		})
	}

	t.Run("ErrJSONPath", func(t *testing.T) {
		// Ensure a subscription sent without Accept: text/event-stream is
		// refused with a hint: 400 in application/graphql-response+json, and
		// 200 when the client asks for application/json by name (GraphQL
		// over HTTP: a well-formed request's errors come with 200 there).
		if res := s.PostRawAccept(t, graphChangedQuery, "application/json"); res.Status != http.StatusOK || len(res.Errors) != 1 || res.Errors[0].Code() != api.CodeBadUserInput {
			t.Errorf("with Accept: application/json: %d %s", res.Status, res.Short())
		}
		res := s.PostRawAccept(t, graphChangedQuery, "application/graphql-response+json")
		g := res.MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
		if !strings.Contains(g.Message, "text/event-stream") {
			t.Errorf("message %q does not say how to subscribe", g.Message)
		}
	})

	t.Run("OKQueryAsStream", func(t *testing.T) {
		// Ensure a query sent for an event stream is one next with its answer, then complete.
		st := openStream(t, s.URL, `{ claim(id: "`+headline+`") { id } }`, nil, "")
		var got struct {
			Data struct{ Claim struct{ ID string } }
		}
		decodeEvent(t, st.Next(t), &got)
		if got.Data.Claim.ID != headline {
			t.Errorf("answer %+v", got)
		}
		if ev := st.Next(t); ev.Event != "complete" {
			t.Errorf("then %+v, want complete", ev)
		}
	})

	t.Run("ErrBadJSON", func(t *testing.T) {
		// Ensure a body that is not JSON is refused 400 with a GraphQL-shaped body, not a stream.
		req := mustRequest(t, http.MethodPost, s.URL+"/graphql", strings.NewReader("{"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		s.Do(t, req).MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
	})
}

// stallWriter is a ResponseWriter whose writes after the first wait until
// released: a client that stops reading after the stream opened.
type stallWriter struct {
	*httptest.ResponseRecorder
	writes  int
	release chan struct{}
}

func (w *stallWriter) Write(p []byte) (int, error) {
	if w.writes++; w.writes > 1 {
		<-w.release
	}
	return w.ResponseRecorder.Write(p)
}

func TestSubscription_SlowConsumerEvent(t *testing.T) {
	// Ensure a stream whose queue stays full gets a last SLOW_CONSUMER event, without complete, when its connection takes it.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.SubscriberQueue = 1; c.StreamWriteTimeout = 50 * time.Millisecond }))
	w := &stallWriter{ResponseRecorder: httptest.NewRecorder(), release: make(chan struct{})}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"subscription { graphChanged { seq id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	done := make(chan struct{})
	go func() { defer close(done); s.API.ServeHTTP(w, req) }()
	waitSubscribers(t, s.API, 1)
	for i := range 4 { // one written (stalled), one queued, one that waits and drops the stream
		addReview(t, s, "Review "+strconv.Itoa(i))
	}
	time.Sleep(500 * time.Millisecond) // 10 times the queue's time limit
	close(w.release)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the dropped stream's handler did not return")
	}
	body := w.Body.String()
	if !strings.Contains(body, `"code":"`+api.CodeSlowConsumer+`"`) || strings.Contains(body, "event: complete") {
		t.Errorf("the dropped stream wrote:\n%s", body)
	}
	if !strings.Contains(body, "id: ") {
		t.Errorf("the events before the drop are missing:\n%s", body)
	}
}

func TestSubscription_GET(t *testing.T) {
	// Ensure a GET with the query in the URL and Last-Event-ID streams the changes after it, as a browser's EventSource resumes.
	s := MustServer(t)
	head := s.DB.ChangesAfter(0, 0).Head
	addReview(t, s, "Before the GET")
	q := url.Values{"query": {`subscription($k: [Kind!]) { graphChanged(kinds: $k) { seq id } }`}, "variables": {`{"k": ["CLAIM"]}`}}
	req := mustRequest(t, http.MethodGet, s.URL+"/graphql?"+q.Encode(), nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", strconv.FormatUint(head, 10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	var got []string
	for sc.Scan() && len(got) < 3 {
		if l := sc.Text(); l != "" && l != ":" {
			got = append(got, l)
		}
	}
	want := []string{"id: " + strconv.FormatUint(head+1, 10), "event: next",
		`data: {"data":{"graphChanged":{"seq":"` + strconv.FormatUint(head+1, 10) + `","id":"` + headline + `"}}}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("GET stream:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
