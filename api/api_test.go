package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/storetest"
)

// testToken is the write token of the servers MustServer starts.
const testToken = "test-token"

// headline is the seed's headline claim: Euromaidan Press → The Telegraph →
// unnamed US negotiators.
const headline = fixtures.SeedClaim

// Seed IDs the tests refer to.
const (
	euromaidanReport = "report:euromaidanpress-2025-us-backstop"
	telegraphReport  = "report:telegraph-2025-04-25-us-backstop"
	usNegotiators    = "official:us-negotiators-unnamed"
	usOfficials      = "official:us-officials-unnamed"
)

// MustLoadSeed loads the embedded seed dataset into g.
func MustLoadSeed(tb testing.TB, g graph.Graph) {
	tb.Helper()
	if _, err := fixtures.LoadSeed(context.Background(), g); err != nil {
		tb.Fatal(err)
	}
}

// MustLoad loads a hearsay/v1 dataset into g.
func MustLoad(tb testing.TB, g graph.Graph, data string) {
	tb.Helper()
	if _, err := fixtures.Load(context.Background(), g, "test.json", strings.NewReader(data), fixtures.Options{}); err != nil {
		tb.Fatal(err)
	}
}

// LogBuffer is a zerolog destination the server writes to from its request
// goroutines while the test reads it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Wait returns the log once ok accepts it. Access-log lines are written
// after the response has gone out, so a test that just got its answer may
// have to wait for them; the deadline is a guard, not a measurement.
func (b *LogBuffer) Wait(tb testing.TB, ok func(log string) bool) string {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log := b.String()
		if ok(log) || time.Now().After(deadline) {
			return log
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Server is an api.Server over a seeded in-memory store behind httptest.
type Server struct {
	*httptest.Server
	API *api.Server
	DB  *store.DB
	Log *LogBuffer
}

// ServerOption changes the configuration MustServer builds.
type ServerOption func(*serverSetup)

type serverSetup struct {
	cfg    api.Config
	noSeed bool
	graph  func(*store.DB) graph.Graph
}

// WithConfig lets a test change the api.Config.
func WithConfig(fn func(*api.Config)) ServerOption {
	return func(s *serverSetup) { fn(&s.cfg) }
}

// WithoutToken starts a server with writes disabled.
func WithoutToken() ServerOption {
	return func(s *serverSetup) { s.cfg.WriteToken = "" }
}

// WithoutSeed starts a server on an empty store.
func WithoutSeed() ServerOption {
	return func(s *serverSetup) { s.noSeed = true }
}

// WithGraph serves the graph wrap returns around the store.
func WithGraph(wrap func(*store.DB) graph.Graph) ServerOption {
	return func(s *serverSetup) { s.graph = wrap }
}

// MustServer starts a server over a fresh store holding the seed, with the
// write token testToken and a logger writing JSON lines to Server.Log.
func MustServer(tb testing.TB, opts ...ServerOption) *Server {
	tb.Helper()
	db := storetest.Open(tb)
	logs := &LogBuffer{}
	setup := &serverSetup{cfg: api.Config{
		WriteToken: testToken,
		Logger:     zerolog.New(logs).Level(zerolog.DebugLevel),
	}}
	for _, o := range opts {
		o(setup)
	}
	if !setup.noSeed {
		MustLoadSeed(tb, db)
	}
	setup.cfg.Graph = db
	if setup.graph != nil {
		setup.cfg.Graph = setup.graph(db)
	}
	srv, err := api.New(setup.cfg)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	return &Server{Server: hs, API: srv, DB: db, Log: logs}
}

// Response is a /graphql answer: the raw body and its decoded parts.
type Response struct {
	Status int             `json:"-"`
	Header http.Header     `json:"-"`
	Body   []byte          `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
}

// GQLError is one GraphQL error of a response.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the error's extensions.code.
func (e GQLError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// Codes lists the codes of the response's errors.
func (r *Response) Codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Code())
	}
	return out
}

// Short returns the body, cut to a length that reads well in a failure.
func (r *Response) Short() string {
	const max = 600
	if len(r.Body) > max {
		return string(r.Body[:max]) + "…"
	}
	return string(r.Body)
}

// Request is one request to /graphql.
type Request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName,omitempty"`
	Variables     map[string]any `json:"variables,omitempty"`
}

// Do sends an HTTP request and decodes the answer as a GraphQL response.
func (s *Server) Do(tb testing.TB, req *http.Request) *Response {
	tb.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") ||
		strings.HasPrefix(ct, "application/graphql-response+json") {
		if err := json.Unmarshal(body, r); err != nil {
			tb.Fatalf("response is not JSON: %v\n%s", err, body)
		}
	}
	return r
}

// Post sends a GraphQL request as a JSON POST with the bearer token
// (none when token is "").
func (s *Server) Post(tb testing.TB, token string, req Request) *Response {
	tb.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	return s.PostRaw(tb, token, "application/json", body)
}

// PostRaw posts a raw body to /graphql.
func (s *Server) PostRaw(tb testing.TB, token, contentType string, body []byte) *Response {
	tb.Helper()
	hr, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Do(tb, hr)
}

// Get sends a GraphQL request as GET /graphql?query=...
func (s *Server) Get(tb testing.TB, req Request) *Response {
	tb.Helper()
	q := url.Values{"query": {req.Query}}
	if req.OperationName != "" {
		q.Set("operationName", req.OperationName)
	}
	if req.Variables != nil {
		v, err := json.Marshal(req.Variables)
		if err != nil {
			tb.Fatal(err)
		}
		q.Set("variables", string(v))
	}
	hr, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?"+q.Encode(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s.Do(tb, hr)
}

// Query posts a query without a token.
func (s *Server) Query(tb testing.TB, query string, vars map[string]any) *Response {
	tb.Helper()
	return s.Post(tb, "", Request{Query: query, Variables: vars})
}

// Mutate posts a request with the write token.
func (s *Server) Mutate(tb testing.TB, query string, vars map[string]any) *Response {
	tb.Helper()
	return s.Post(tb, testToken, Request{Query: query, Variables: vars})
}

// MustData fails the test unless the response is a 200 without errors, and
// decodes its data into v.
func (r *Response) MustData(tb testing.TB, v any) {
	tb.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		tb.Fatalf("status %d, want 200 without errors:\n%s", r.Status, r.Short())
	}
	if v == nil {
		return
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		tb.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// MustFail fails the test unless the response has exactly one error, with
// the code and HTTP status, and returns that error.
func (r *Response) MustFail(tb testing.TB, status int, code string) GQLError {
	tb.Helper()
	if r.Status != status {
		tb.Errorf("status %d, want %d", r.Status, status)
	}
	if len(r.Errors) != 1 {
		tb.Fatalf("%d errors, want 1 with code %s:\n%s", len(r.Errors), code, r.Short())
	}
	if got := r.Errors[0].Code(); got != code {
		tb.Errorf("code %q, want %q:\n%s", got, code, r.Short())
	}
	return r.Errors[0]
}

// MustQuery posts a query and decodes its data, failing on any error.
func (s *Server) MustQuery(tb testing.TB, query string, vars map[string]any, v any) {
	tb.Helper()
	s.Query(tb, query, vars).MustData(tb, v)
}

// MustMutate posts a mutation with the token and decodes its data.
func (s *Server) MustMutate(tb testing.TB, query string, vars map[string]any, v any) {
	tb.Helper()
	s.Mutate(tb, query, vars).MustData(tb, v)
}

// objectKeys lists the keys of every JSON object of body, one entry per
// object joined by commas, in the order the objects open (pre-order). It
// reads the raw bytes, so it sees the order the server wrote.
func objectKeys(tb testing.TB, body []byte) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		slot   int  // index in out, for objects
		key    bool // the next string token of an object is a key
	}
	var out []string
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("%v in %s", err, body)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, ok := tok.(string); ok && top != nil && top.object && top.key {
			if out[top.slot] == "" {
				out[top.slot] = k
			} else {
				out[top.slot] += "," + k
			}
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, slot: len(out), key: true})
			out = append(out, "")
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the enclosing object expects a key next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
	return out
}

func TestHealthz(t *testing.T) {
	s := MustServer(t)
	t.Run("OK", func(t *testing.T) {
		// Ensure /healthz answers 200 with the graph's counts and a request ID.
		r := s.Do(t, mustRequest(t, http.MethodGet, s.URL+"/healthz", nil))
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		var h struct {
			Status string
			Claims int
		}
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		if h.Status != "ok" || h.Claims != 25 {
			t.Errorf("healthz %s, want status ok and 25 claims", r.Body)
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id header")
		}
	})
}

func TestRequestID(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxBodyBytes = 64 }))
	// Ensure every answer carries its own X-Request-Id, refusals included,
	// and the access log names it.
	seen := map[string]bool{}
	for _, r := range []*Response{
		s.Query(t, `{ claims { totalCount } }`, nil),
		s.Query(t, `{ claims { totalCount } }`, nil),
		s.Query(t, `{ nope }`, nil),
		s.PostRaw(t, "", "application/json", []byte(`{"query": "`+strings.Repeat(" ", 100)+`{ claims { totalCount } }"}`)),
		s.Mutate(t, `mutation { deleteClaim(id: "claim:nope") }`, nil),
		s.Do(t, mustRequest(t, http.MethodGet, s.URL+"/healthz", nil)),
	} {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			t.Errorf("status %d without X-Request-Id: %s", r.Status, r.Body)
			continue
		}
		if seen[id] {
			t.Errorf("request ID %q given twice", id)
		}
		seen[id] = true
		if log := s.Log.Wait(t, func(log string) bool { return strings.Contains(log, `"req_id":"`+id+`"`) }); !strings.Contains(log, `"req_id":"`+id+`"`) {
			t.Errorf("the access log does not name request %s", id)
		}
	}
}

func TestAccessLog(t *testing.T) {
	s := MustServer(t)
	// Ensure the access log names the operation and never holds the token,
	// the query or the variables.
	s.MustQuery(t, `query TraceHeadline($id: ID!) { claim(id: $id) { id } }`, map[string]any{"id": headline}, nil)
	s.MustMutate(t, `mutation AddOutlet { createOutlet(input: {id: "outlet:logged", name: "Logged"}) { id } }`, nil, nil)
	log := s.Log.Wait(t, func(log string) bool { return strings.Count(log, `"message":"request"`) >= 2 })
	var ops []string
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var e struct {
			Message   string
			Operation string
			Status    int
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e.Message == "request" {
			ops = append(ops, e.Operation)
			if e.Status != http.StatusOK {
				t.Errorf("logged status %d: %s", e.Status, line)
			}
		}
	}
	if strings.Join(ops, ",") != "TraceHeadline,AddOutlet" {
		t.Errorf("logged operations %q, want TraceHeadline,AddOutlet", ops)
	}
	for _, secret := range []string{testToken, headline, "outlet:logged"} {
		if strings.Contains(s.Log.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, s.Log)
		}
	}
}

func mustRequest(tb testing.TB, method, url string, body io.Reader) *http.Request {
	tb.Helper()
	r, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestGET(t *testing.T) {
	s := MustServer(t)
	t.Run("OK", func(t *testing.T) {
		// Ensure GET /graphql?query= runs a query.
		r := s.Get(t, Request{Query: `{ claims { totalCount } }`})
		if r.Status != http.StatusOK || string(r.Body) != `{"data":{"claims":{"totalCount":25}}}` {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	})
	t.Run("OKVariables", func(t *testing.T) {
		// Ensure GET takes variables and operationName as parameters.
		r := s.Get(t, Request{
			Query:         `query A { outlets { totalCount } } query B($id: ID!) { claim(id: $id) { id } }`,
			OperationName: "B",
			Variables:     map[string]any{"id": headline},
		})
		var data struct{ Claim struct{ ID string } }
		r.MustData(t, &data)
		if data.Claim.ID != headline {
			t.Errorf("claim %q, want %q", data.Claim.ID, headline)
		}
	})
	t.Run("ErrMutation", func(t *testing.T) {
		// Ensure a mutation over GET is 405, writes nothing, and names the methods.
		hr := mustRequest(t, http.MethodGet, s.URL+"/graphql?"+url.Values{
			"query": {`mutation { createOutlet(input: {id: "outlet:by-get", name: "G"}) { id } }`},
		}.Encode(), nil)
		hr.Header.Set("Authorization", "Bearer "+testToken)
		r := s.Do(t, hr)
		r.MustFail(t, http.StatusMethodNotAllowed, api.CodeBadUserInput)
		if got := r.Header.Get("Allow"); !strings.Contains(got, "POST") {
			t.Errorf("Allow %q, want POST in it", got)
		}
		var data struct{ Outlet *struct{ ID string } }
		s.MustQuery(t, `{ outlet(id: "outlet:by-get") { id } }`, nil, &data)
		if data.Outlet != nil {
			t.Error("the mutation sent over GET wrote the outlet")
		}
	})
	t.Run("ErrBadVariables", func(t *testing.T) {
		// Ensure variables that are not a JSON object are a 400.
		r := s.Do(t, mustRequest(t, http.MethodGet, s.URL+"/graphql?"+url.Values{
			"query": {`query($id: ID!) { claim(id: $id) { id } }`}, "variables": {`{"id": `},
		}.Encode(), nil))
		r.MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
	})
	t.Run("ErrNoQuery", func(t *testing.T) {
		// Ensure a GET without a query is a 400.
		r := s.Do(t, mustRequest(t, http.MethodGet, s.URL+"/graphql", nil))
		r.MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
	})
}

// TestBadRequests covers requests refused before execution.
// goInternals finds Go's renderings of types and values in a message.
var goInternals = regexp.MustCompile(`api\.|map\[|interface \{\}|Go (value|struct)|\[\]`)

func TestBadRequests(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct {
		name        string
		method      string
		contentType string
		body        string
		status      int
	}{
		{"ErrMalformedJSON", "POST", "application/json", `{"query": "{ claims { totalCount } }"`, http.StatusBadRequest},
		{"ErrNotAnObject", "POST", "application/json", `["{ claims { totalCount } }"]`, http.StatusBadRequest},
		{"ErrQueryNotAString", "POST", "application/json", `{"query": 5}`, http.StatusBadRequest},
		{"ErrTwoValues", "POST", "application/json", `{"query": "{ claims { totalCount } }"} {}`, http.StatusBadRequest},
		{"ErrVariablesNotObject", "POST", "application/json", `{"query": "{ claims { totalCount } }", "variables": [1]}`, http.StatusBadRequest},
		{"ErrVariableNotObjectInGET", "GET", "", ``, http.StatusBadRequest},
		{"ErrOperationNameNotString", "POST", "application/json", `{"query": "{ claims { totalCount } }", "operationName": {"a": [1, 2]}}`, http.StatusBadRequest},
		{"ErrBadVariableValue", "POST", "application/json", `{"query": "query($id: ID!) { claim(id: $id) { id } }", "variables": {"id": {"a": [1, 2]}}}`, http.StatusBadRequest},
		{"ErrBadVariableInList", "POST", "application/json", `{"query": "query($t: [String!]) { claims(filter: {topic: \"x\"}) { totalCount } t: claims { totalCount } }", "variables": {"t": [{"a": 1}]}}`, http.StatusBadRequest},
		{"ErrEmptyBody", "POST", "application/json", ``, http.StatusBadRequest},
		{"ErrEmptyQuery", "POST", "application/json", `{"query": "  "}`, http.StatusBadRequest},
		{"ErrNoQuery", "POST", "application/json", `{"variables": {}}`, http.StatusBadRequest},
		{"ErrSyntax", "POST", "application/json", `{"query": "{ claim(id: "}`, http.StatusBadRequest},
		{"ErrUnknownField", "POST", "application/json", `{"query": "{ claims { totalCount bogus } }"}`, http.StatusBadRequest},
		{"ErrUnknownFilterKey", "POST", "application/json", `{"query": "{ claims(filter: {bogus: 1}) { totalCount } }"}`, http.StatusBadRequest},
		{"ErrSubscription", "POST", "application/json", `{"query": "subscription { claims { totalCount } }"}`, http.StatusBadRequest},
		{"ErrTwoOperationsUnnamed", "POST", "application/json", `{"query": "query A { claims { totalCount } } query B { outlets { totalCount } }"}`, http.StatusBadRequest},
		{"ErrUnknownOperation", "POST", "application/json", `{"query": "query A { claims { totalCount } }", "operationName": "B"}`, http.StatusBadRequest},
		{"ErrContentType", "POST", "text/plain", `{"query": "{ claims { totalCount } }"}`, http.StatusUnsupportedMediaType},
		{"ErrFormContentType", "POST", "application/x-www-form-urlencoded", `query=%7B%7D`, http.StatusUnsupportedMediaType},
		{"ErrMethod", "PUT", "application/json", `{"query": "{ claims { totalCount } }"}`, http.StatusMethodNotAllowed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the request is refused with its HTTP status and BAD_USER_INPUT.
			target := s.URL + "/graphql"
			if tt.method == "GET" {
				target += "?query=%7B%20claims%20%7B%20totalCount%20%7D%20%7D&variables=%5B%7B%22a%22%3A%5B1%2C2%5D%7D%5D"
			}
			hr := mustRequest(t, tt.method, target, strings.NewReader(tt.body))
			hr.Header.Set("Content-Type", tt.contentType)
			r := s.Do(t, hr)
			e := r.MustFail(t, tt.status, api.CodeBadUserInput)
			if e.Message == "" {
				t.Error("no message")
			}
			if len(r.Data) != 0 {
				t.Errorf("a refused request has data: %s", r.Body)
			}
			// Ensure the message is written for the client: no Go types or
			// values (issue 16: "api.request", "map[a:[1 2]]").
			if goInternals.MatchString(e.Message) {
				t.Errorf("message %q shows Go internals", e.Message)
			}
		})
	}
	t.Run("OKNamedOperation", func(t *testing.T) {
		// Ensure operationName picks one of several operations.
		r := s.Post(t, "", Request{Query: `query A { claims { totalCount } } query B { outlets { totalCount } }`, OperationName: "B"})
		if r.Status != http.StatusOK || string(r.Body) != `{"data":{"outlets":{"totalCount":2}}}` {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	})
	t.Run("ErrNoContentType", func(t *testing.T) {
		// Ensure a POST without a Content-Type is refused with 415 (GraphQL
		// over HTTP: the client must say its body is JSON).
		r := s.PostRaw(t, "", "", []byte(`{"query": "{ claims { totalCount } }"}`))
		e := r.MustFail(t, http.StatusUnsupportedMediaType, api.CodeBadUserInput)
		if !strings.Contains(e.Message, "Content-Type") {
			t.Errorf("message %q does not name the header", e.Message)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	t.Run("ErrConfigured", func(t *testing.T) {
		// Ensure a body over a configured MaxBodyBytes is a 413 naming the limit.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxBodyBytes = 512 }))
		body, _ := json.Marshal(Request{Query: "{ claims { totalCount } }" + strings.Repeat(" ", 600)})
		e := s.PostRaw(t, "", "application/json", body).MustFail(t, http.StatusRequestEntityTooLarge, api.CodeBadUserInput)
		if !strings.Contains(e.Message, "512") {
			t.Errorf("message %q does not name the limit", e.Message)
		}
		// A body under the limit is served.
		body, _ = json.Marshal(Request{Query: "{ claims { totalCount } }" + strings.Repeat(" ", 400)})
		s.PostRaw(t, "", "application/json", body).MustData(t, nil)
	})
	t.Run("ErrDefault", func(t *testing.T) {
		// Ensure the default limit is 1 MiB: a larger body is a 413.
		s := MustServer(t)
		body, _ := json.Marshal(Request{Query: "{ claims { totalCount } }" + strings.Repeat(" ", api.DefaultMaxBodyBytes)})
		e := s.PostRaw(t, "", "application/json", body).MustFail(t, http.StatusRequestEntityTooLarge, api.CodeBadUserInput)
		if !strings.Contains(e.Message, "1048576") {
			t.Errorf("message %q does not name the limit", e.Message)
		}
		body, _ = json.Marshal(Request{Query: "{ claims { totalCount } }" + strings.Repeat(" ", api.DefaultMaxBodyBytes-100)})
		s.PostRaw(t, "", "application/json", body).MustData(t, nil)
	})
}

// TestKeyOrder checks the raw bytes of answers: objects list their keys in
// the order the query selected them, not sorted.
func TestKeyOrder(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct {
		name  string
		query string
		want  []string
	}{
		{"OKFields", `{ claim(id: "` + headline + `") { text id } }`,
			[]string{"data", "claim", "text,id"}},
		{"OKAliases", `{ z: claim(id: "` + headline + `") { b: id a: text } a: outlet(id: "outlet:telegraph") { name } }`,
			[]string{"data", "z,a", "b,a", "name"}},
		{"OKFragments", `{ claim(id: "` + headline + `") { topics ...F id } } fragment F on Claim { text appearances { mode report { id } } }`,
			[]string{"data", "claim", "topics,text,appearances,id", "mode,report", "id", "mode,report", "id"}},
		{"OKMergedFields", `{ claim(id: "` + headline + `") { text } claim(id: "` + headline + `") { id text } }`,
			[]string{"data", "claim", "text,id"}},
		{"OKNestedLists", `{ claims(first: 2) { totalCount edges { node { text id } cursor } pageInfo { hasNextPage endCursor } } }`,
			[]string{"data", "claims", "totalCount,edges,pageInfo", "node,cursor", "text,id", "node,cursor", "text,id", "hasNextPage,endCursor"}},
		{"OKChains", `{ claim(id: "` + headline + `") { chains { terminal hops { to { ... on Report { id } } mode } } } }`,
			[]string{"data", "claim", "chains", "terminal,hops", "to,mode", "id", "to,mode", "", "terminal,hops", "to,mode", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure each object's keys come in the query's order.
			r := s.Query(t, tt.query, nil)
			r.MustData(t, nil)
			if got := objectKeys(t, r.Body); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("keys\n got %q\nwant %q\nin %s", got, tt.want, r.Body)
			}
		})
	}
	t.Run("OKDirectives", func(t *testing.T) {
		// Ensure @include and @skip drop their fields and keep the others' order.
		const q = `query($t: Boolean!) { claim(id: "` + headline + `") { text @include(if: $t) topics @skip(if: $t) id } }`
		for _, tt := range []struct {
			include bool
			want    string
		}{{true, "text,id"}, {false, "topics,id"}} {
			r := s.Query(t, q, map[string]any{"t": tt.include})
			r.MustData(t, nil)
			if got := objectKeys(t, r.Body); got[len(got)-1] != tt.want {
				t.Errorf("include %v: keys %q, want %s last", tt.include, got, tt.want)
			}
		}
	})
	t.Run("OKMutation", func(t *testing.T) {
		// Ensure a mutation's answer follows its selection too.
		r := s.Mutate(t, `mutation { createOutlet(input: {id: "outlet:order", name: "Order", country: "FR"}) { name id country } }`, nil)
		r.MustData(t, nil)
		if got, want := string(r.Body), `{"data":{"createOutlet":{"name":"Order","id":"outlet:order","country":"FR"}}}`; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
	t.Run("OKRawBytes", func(t *testing.T) {
		// Ensure the simplest case byte for byte: "text" before "id".
		r := s.Query(t, `{ claim(id: "`+headline+`") { text id } }`, nil)
		if i, j := bytes.Index(r.Body, []byte(`"text"`)), bytes.Index(r.Body, []byte(`"id"`)); i < 0 || j < 0 || i > j {
			t.Errorf("want \"text\" before \"id\": %s", r.Body)
		}
	})
}

// TestKeyOrder_TypeConditions checks key order where fragments on
// different types name the same fields in different orders. The GraphQL
// spec (CollectFields, DoesFragmentTypeApply) keeps only the fragments that
// apply to the object's type, so the order is that of the applying
// fragment.
func TestKeyOrder_TypeConditions(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct {
		name  string
		query string
		want  []string
	}{
		{"OKUnion", `{ claim(id: "` + headline + `") { chains { hops { to { ... on Report { id } ... on Official { name id } } } } } }`,
			[]string{"data", "claim", "chains", "hops", "to", "id", "to", "name,id", "hops", "to", "name,id"}},
		{"OKInterface", `{ node(id: "` + headline + `") { ... on Outlet { id name } ... on Claim { text id } } }`,
			[]string{"data", "node", "text,id"}},
		{"OKNamedFragments", `{ node(id: "official:downing-street") { ...O ...F } } fragment O on Outlet { country name } fragment F on Official { name country }`,
			[]string{"data", "node", "name,country"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure only the fragments that apply to the type order its keys.
			r := s.Query(t, tt.query, nil)
			r.MustData(t, nil)
			if got := objectKeys(t, r.Body); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("keys\n got %q\nwant %q\nin %s", got, tt.want, r.Body)
			}
		})
	}
}

func TestDocumentCache(t *testing.T) {
	s := MustServer(t)
	const q = `query Chain($id: ID!) { claim(id: $id) { chains { hops { report { id } mode to { ... on Official { name } ... on Report { id } } } terminal } } }`
	t.Run("OK", func(t *testing.T) {
		// Ensure the same query twice gives the same bytes.
		a := s.Query(t, q, map[string]any{"id": headline})
		b := s.Query(t, q, map[string]any{"id": headline})
		a.MustData(t, nil)
		if !bytes.Equal(a.Body, b.Body) {
			t.Errorf("first  %s\nsecond %s", a.Body, b.Body)
		}
	})
	t.Run("OKVariables", func(t *testing.T) {
		// Ensure a cached document runs with each request's own variables.
		a := s.Query(t, q, map[string]any{"id": headline})
		b := s.Query(t, q, map[string]any{"id": "claim:uk-officials-forces-inadequate"})
		b.MustData(t, nil)
		if bytes.Equal(a.Body, b.Body) || !bytes.Contains(b.Body, []byte("unnamed UK officials")) {
			t.Errorf("the second claim's answer is %s", b.Body)
		}
	})
	t.Run("ErrCachedInvalid", func(t *testing.T) {
		// Ensure an invalid query stays refused when sent again.
		for range 2 {
			s.Query(t, `{ claims { bogus } }`, nil).MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
		}
	})
	t.Run("OKSmallCache", func(t *testing.T) {
		// Ensure a cache of one document serves alternating queries right.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.CacheSize = 1 }))
		for range 3 {
			if r := s.Query(t, `{ claims { totalCount } }`, nil); string(r.Body) != `{"data":{"claims":{"totalCount":25}}}` {
				t.Fatalf("claims: %s", r.Body)
			}
			if r := s.Query(t, `{ outlets { totalCount } }`, nil); string(r.Body) != `{"data":{"outlets":{"totalCount":2}}}` {
				t.Fatalf("outlets: %s", r.Body)
			}
		}
	})
}

func TestConcurrentQueries(t *testing.T) {
	s := MustServer(t)
	const q = `{ claim(id: "` + headline + `") { chains { hops { report { id } outlet { name } } terminal origin { ... on Official { name } } } origins { ... on Official { id } } } }`
	want := s.Query(t, q, nil)
	want.MustData(t, nil)
	// Ensure concurrent requests of one cached document all get the same
	// answer (and, under -race, share nothing unsafely).
	var wg sync.WaitGroup
	bodies := make([][]byte, 32)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hr, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query": `+strconvQuote(q)+`}`))
			hr.Header.Set("Content-Type", "application/json")
			resp, err := s.Client().Do(hr)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			bodies[i], _ = io.ReadAll(resp.Body)
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if !bytes.Equal(b, want.Body) {
			t.Errorf("request %d: %s", i, b)
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestConcurrentFirstRequests sends the first requests of a fresh server
// all at once, each a different document with enum literals and enum
// results, so that they are validated and executed concurrently. Under
// -race it finds unsynchronised lazy initialisation in the schema.
func TestConcurrentFirstRequests(t *testing.T) {
	// Ensure concurrent first requests of fresh servers all succeed (and
	// race on nothing).
	for round := range 4 {
		s := MustServer(t)
		const n = 16
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := fmt.Sprintf(`{ r%d: reports(filter: {status: PUBLISHED}) { totalCount edges { node { status } } }
					o%d: outlets(filter: {outletType: NEWSPAPER}) { edges { node { outletType reliability } } } }`, i, i)
				body, _ := json.Marshal(Request{Query: q})
				<-start
				resp, err := s.Client().Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					errs[i] = err.Error()
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"totalCount":2`)) || !bytes.Contains(b, []byte(`"NEWSPAPER"`)) {
					errs[i] = fmt.Sprintf("status %d: %s", resp.StatusCode, b)
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, e := range errs {
			if e != "" {
				t.Errorf("round %d, request %d: %s", round, i, e)
			}
		}
	}
}

// TestUnicodeComments sends valid documents whose comments hold non-ASCII
// characters. graphql-go v0.8.1's lexer skips a comment by runes but counts
// positions in bytes, so the rest of the document is read shifted: a
// syntax error, or (OKAccent) "claims" read as other fields.
func TestUnicodeComments(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct{ name, query string }{
		{"OKArrow", "# Euromaidan Press → The Telegraph\nquery X { claims { totalCount } }"},
		{"OKAccent", "query X {\n  # café\n  claims { totalCount }\n}"},
		{"OKTrailing", "query X { claims { totalCount } } # – the end"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a comment's characters do not change how the rest is read.
			r := s.Query(t, tt.query, nil)
			if r.Status != http.StatusOK || string(r.Body) != `{"data":{"claims":{"totalCount":25}}}` {
				t.Errorf("status %d: %s", r.Status, r.Short())
			}
		})
	}
}
