package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// The test graphs below wrap the store and change some of its reads. A
// query reads from a snapshot of the graph (graph.Snapshotter), so each
// also changes the same reads of its snapshots, through snapshotWith.

// snapshotWith is a snapshot of the store whose claim and report reads,
// when set, go through claim and report, which get the snapshot.
type snapshotWith struct {
	graph.Snapshot
	claim  func(ctx context.Context, snap graph.Snapshot, id string) (*graph.Claim, error)
	report func(ctx context.Context, snap graph.Snapshot, id string) (*graph.Report, error)
}

func (s snapshotWith) take(ctx context.Context, db *store.DB) (graph.Snapshot, error) {
	snap, err := db.Snapshot(ctx)
	s.Snapshot = snap
	return s, err
}

func (s snapshotWith) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	if s.claim == nil {
		return s.Snapshot.FindClaimByID(ctx, id)
	}
	return s.claim(ctx, s.Snapshot, id)
}

func (s snapshotWith) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	if s.report == nil {
		return s.Snapshot.FindReportByID(ctx, id)
	}
	return s.report(ctx, s.Snapshot, id)
}

// burningGraph is the store with a FindClaimByID that always fails with an
// internal error.
type burningGraph struct{ *store.DB }

func (burningGraph) FindClaimByID(context.Context, string) (*graph.Claim, error) {
	return nil, errors.New("disk on fire")
}

func (g burningGraph) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	return snapshotWith{claim: func(ctx context.Context, _ graph.Snapshot, id string) (*graph.Claim, error) {
		return g.FindClaimByID(ctx, id)
	}}.take(ctx, g.DB)
}

// countingGraph counts the node reads that reach the store.
type countingGraph struct {
	*store.DB
	reads atomic.Int64
}

func (g *countingGraph) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	g.reads.Add(1)
	return g.DB.FindClaimByID(ctx, id)
}

func (g *countingGraph) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	g.reads.Add(1)
	return g.DB.FindReportByID(ctx, id)
}

func (g *countingGraph) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	return snapshotWith{
		claim: func(ctx context.Context, snap graph.Snapshot, id string) (*graph.Claim, error) {
			g.reads.Add(1)
			return snap.FindClaimByID(ctx, id)
		},
		report: func(ctx context.Context, snap graph.Snapshot, id string) (*graph.Report, error) {
			g.reads.Add(1)
			return snap.FindReportByID(ctx, id)
		},
	}.take(ctx, g.DB)
}

// stallingGraph's FindClaimByID waits until the request's context ends and
// returns its error, as a slow store honouring the context would.
type stallingGraph struct{ *store.DB }

func (stallingGraph) FindClaimByID(ctx context.Context, _ string) (*graph.Claim, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Minute): // a guard, should the context never end
		return nil, errors.New("the request context was never cancelled")
	}
}

func (g stallingGraph) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	return snapshotWith{claim: func(ctx context.Context, _ graph.Snapshot, id string) (*graph.Claim, error) {
		return g.FindClaimByID(ctx, id)
	}}.take(ctx, g.DB)
}

// TestErrorCodes produces every extensions.code over HTTP.
func TestErrorCodes(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct {
		name   string
		token  string
		query  string
		vars   map[string]any
		status int
		code   string
	}{
		{"ErrBadID", "", `{ claim(id: "not an id") { id } }`, nil, http.StatusOK, api.CodeBadUserInput},
		{"ErrBadIDKind", "", `{ report(id: "outlet:telegraph") { id } }`, nil, http.StatusOK, api.CodeBadUserInput},
		{"ErrUnknownField", "", `{ claim(id: "` + headline + `") { id credibility } }`, nil, http.StatusBadRequest, api.CodeBadUserInput},
		{"ErrBadEnumLiteral", testToken, `mutation { createOutlet(input: {id: "outlet:x", name: "X", outletType: TABLOID}) { id } }`, nil, http.StatusBadRequest, api.CodeBadUserInput},
		{"ErrBadEnumVariable", testToken, `mutation($m: AttributionMode!) { addAttribution(claim: "` + headline + `", report: "` + telegraphReport + `", input: {source: "official:keir-starmer", mode: $m}) { id } }`,
			map[string]any{"m": "SHOUTED"}, http.StatusBadRequest, api.CodeBadUserInput},
		{"ErrBadVariableType", "", `query($id: ID!) { claim(id: $id) { id } }`, map[string]any{"id": map[string]any{"x": 1}}, http.StatusBadRequest, api.CodeBadUserInput},
		{"ErrMissingVariable", "", `query($id: ID!) { claim(id: $id) { id } }`, nil, http.StatusBadRequest, api.CodeBadUserInput},
		{"ErrBadDate", testToken, `mutation { createReport(input: {id: "report:x", outlet: "outlet:telegraph", published: "2025-13-45"}) { id } }`, nil, http.StatusOK, api.CodeBadUserInput},
		{"ErrBadCountry", testToken, `mutation { createOutlet(input: {id: "outlet:x", name: "X", country: "gb"}) { id } }`, nil, http.StatusOK, api.CodeBadUserInput},
		{"ErrUnknownReference", testToken, `mutation { createReport(input: {id: "report:x", outlet: "outlet:nowhere"}) { id } }`, nil, http.StatusOK, api.CodeBadUserInput},
		{"ErrUpdateMissing", testToken, `mutation { updateOutlet(id: "outlet:nowhere", input: {name: "X"}) { id } }`, nil, http.StatusOK, api.CodeNotFound},
		{"ErrUpdateMissingClaim", testToken, `mutation { updateClaim(id: "claim:nowhere", input: {text: "X"}) { id } }`, nil, http.StatusOK, api.CodeNotFound},
		{"ErrDeleteMissing", testToken, `mutation { deleteClaim(id: "claim:nowhere") }`, nil, http.StatusOK, api.CodeNotFound},
		{"ErrDeleteMissingReport", testToken, `mutation { deleteReport(id: "report:nowhere") }`, nil, http.StatusOK, api.CodeNotFound},
		{"ErrRemoveMissingAttribution", testToken, `mutation { removeAttribution(claim: "` + headline + `", report: "` + telegraphReport + `", source: "official:keir-starmer") { id } }`, nil, http.StatusOK, api.CodeNotFound},
		{"ErrCreateExisting", testToken, `mutation { createOutlet(input: {id: "outlet:telegraph", name: "The Other Telegraph"}) { id } }`, nil, http.StatusOK, api.CodeConflict},
		{"ErrDeleteReferenced", testToken, `mutation { deleteReport(id: "` + telegraphReport + `") }`, nil, http.StatusOK, api.CodeConflict},
		{"ErrNoToken", "", `mutation { deleteClaim(id: "` + headline + `") }`, nil, http.StatusUnauthorized, api.CodeUnauthenticated},
		{"ErrWrongToken", "wrong-token", `mutation { deleteClaim(id: "` + headline + `") }`, nil, http.StatusUnauthorized, api.CodeUnauthenticated},
		{"ErrTooDeep", "", deepQuery(30, "appearances"), nil, http.StatusBadRequest, api.CodeQueryTooComplex},
		{"ErrTooComplex", "", `{ claims(first: 100) { edges { node { chains { hops { report { id } } } } } } }`, nil, http.StatusBadRequest, api.CodeQueryTooComplex},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the request fails with the code and status, and a message.
			r := s.Post(t, tt.token, Request{Query: tt.query, Variables: tt.vars})
			e := r.MustFail(t, tt.status, tt.code)
			if e.Message == "" || strings.Contains(e.Message, "hearsay: ") {
				t.Errorf("message %q, want a client sentence without the domain prefix", e.Message)
			}
			if _, ok := e.Extensions["requestId"]; ok {
				t.Errorf("a %s error carries a requestId: %s", tt.code, r.Body)
			}
		})
	}
	// The graph is unchanged by all of the above.
	t.Run("OKNothingWritten", func(t *testing.T) {
		// Ensure the refused writes wrote nothing.
		var data struct {
			Outlets, Reports, Claims connection
		}
		s.MustQuery(t, `{ outlets { totalCount } reports { totalCount } claims { totalCount } }`, nil, &data)
		if data.Outlets.TotalCount != 2 || data.Reports.TotalCount != 2 || data.Claims.TotalCount != 25 {
			t.Errorf("counts %+v after refused writes", data)
		}
	})
}

func TestErrorCodes_Forbidden(t *testing.T) {
	s := MustServer(t, WithoutToken())
	t.Run("ErrForbidden", func(t *testing.T) {
		// Ensure with writes off a write is FORBIDDEN, 403, with a message
		// that says how to enable writes, whatever token it carries.
		for _, token := range []string{"", testToken} {
			r := s.Post(t, token, Request{Query: `mutation { createOutlet(input: {id: "outlet:x", name: "X"}) { id } }`})
			e := r.MustFail(t, http.StatusForbidden, api.CodeForbidden)
			for _, how := range []string{"HEARSAY_WRITE_TOKEN", "--write-token-file", "Authorization: Bearer"} {
				if !strings.Contains(e.Message, how) {
					t.Errorf("message %q does not mention %s", e.Message, how)
				}
			}
		}
		if s.API.WritesEnabled() {
			t.Error("WritesEnabled() is true without a token")
		}
	})
	t.Run("OKQueries", func(t *testing.T) {
		// Ensure queries need no token.
		s.MustQuery(t, `{ claims { totalCount } }`, nil, nil)
	})
}

func TestErrorCodes_Internal(t *testing.T) {
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph { return burningGraph{db} }))
	r := s.Query(t, `query Burn { claim(id: "`+headline+`") { id } outlet(id: "outlet:telegraph") { name } }`, nil)
	var e GQLError
	t.Run("ErrInternal", func(t *testing.T) {
		// Ensure a store failure is INTERNAL at its path, and the other
		// fields still resolve.
		e = r.MustFail(t, http.StatusOK, api.CodeInternal)
		if len(e.Path) != 1 || e.Path[0] != "claim" {
			t.Errorf("path %v, want [claim]", e.Path)
		}
		var data struct {
			Claim  *Source
			Outlet *Source
		}
		if err := json.Unmarshal(r.Data, &data); err != nil || data.Claim != nil || data.Outlet == nil || data.Outlet.Name != "The Telegraph" {
			t.Errorf("data %s, want a null claim beside the outlet", r.Data)
		}
	})
	t.Run("OKHidden", func(t *testing.T) {
		// Ensure the internal error's text never reaches the client.
		if strings.Contains(string(r.Body), "disk on fire") || strings.Contains(string(r.Body), "fire") {
			t.Errorf("the response leaks the internal error: %s", r.Body)
		}
	})
	t.Run("OKRequestID", func(t *testing.T) {
		// Ensure the client gets the request ID, the same as X-Request-Id.
		id, _ := e.Extensions["requestId"].(string)
		if id == "" || id != r.Header.Get("X-Request-Id") {
			t.Errorf("extensions.requestId %q, X-Request-Id %q: want the same, non-empty", id, r.Header.Get("X-Request-Id"))
		}
	})
	t.Run("OKLogged", func(t *testing.T) {
		// Ensure the server's log holds the error's text with the request ID.
		id := r.Header.Get("X-Request-Id")
		found := false
		for _, line := range strings.Split(s.Log.String(), "\n") {
			if strings.Contains(line, "disk on fire") && strings.Contains(line, id) {
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				found = entry["level"] == "error"
			}
		}
		if !found {
			t.Errorf("no error log line with \"disk on fire\" and %q:\n%s", id, s.Log)
		}
	})
	t.Run("ErrInternalInChain", func(t *testing.T) {
		// Ensure an internal error deep in a traversal is INTERNAL too.
		r := s.Query(t, `{ report(id: "`+telegraphReport+`") { appearances { claim { id } } } claims(first: 1) { edges { node { chains { terminal } } } } }`, nil)
		if len(r.Errors) == 0 {
			t.Fatalf("no error: %s", r.Body)
		}
		for _, e := range r.Errors {
			if e.Code() != api.CodeInternal || strings.Contains(e.Message, "fire") {
				t.Errorf("error %+v, want INTERNAL without the text", e)
			}
		}
	})
}

// deepQuery nests claim { via { claim { via ... } } } to the given depth of
// fields, via being appearances (a list) or firstAppearance (one object).
func deepQuery(depth int, via string) string {
	var b strings.Builder
	b.WriteString(`{ claim(id: "` + headline + `") { `)
	for i := 1; i <= depth-2; i++ {
		if i%2 == 1 {
			b.WriteString(via + " { ")
		} else {
			b.WriteString("claim { ")
		}
	}
	if depth%2 == 1 { // the innermost selection is an Appearance's
		b.WriteString("mode ")
	} else {
		b.WriteString("id ")
	}
	b.WriteString(strings.Repeat("} ", depth-1))
	b.WriteString("}")
	return b.String()
}

var atLeast = regexp.MustCompile(`at least (\d+)`)

func TestLimits(t *testing.T) {
	counting := &countingGraph{}
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph { counting.DB = db; return counting }))
	t.Run("OKControl", func(t *testing.T) {
		// Ensure the counter sees the reads of a query that runs.
		before := counting.reads.Load()
		s.MustQuery(t, `{ claim(id: "`+headline+`") { id } }`, nil, nil)
		if counting.reads.Load() == before {
			t.Fatal("a query that ran read nothing through the graph")
		}
	})
	t.Run("ErrDepth60", func(t *testing.T) {
		// Ensure a 60-level nested query is refused as QUERY_TOO_COMPLEX,
		// with the figures, before anything is executed.
		q := deepQuery(60, "appearances")
		if n := strings.Count(q, "{"); n != 60 {
			t.Fatalf("the query nests %d selection sets, want 60", n)
		}
		before := counting.reads.Load()
		e := s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "60") || !strings.Contains(e.Message, strconv.Itoa(api.DefaultMaxDepth)) {
			t.Errorf("message %q does not give the depth 60 and the limit %d", e.Message, api.DefaultMaxDepth)
		}
		if counting.reads.Load() != before {
			t.Errorf("the refused query read %d nodes", counting.reads.Load()-before)
		}
	})
	t.Run("OKDepthAtLimit", func(t *testing.T) {
		// Ensure a query exactly at the depth limit runs.
		s.MustQuery(t, deepQuery(api.DefaultMaxDepth, "firstAppearance"), nil, nil)
		s.Query(t, deepQuery(api.DefaultMaxDepth+1, "firstAppearance"), nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrDepthThroughFragments", func(t *testing.T) {
		// Ensure fragments count toward the depth.
		q := `{ claim(id: "` + headline + `") { ...A } }
fragment A on Claim { appearances { claim { ...B } } }
fragment B on Claim { appearances { claim { ...C } } }
fragment C on Claim { appearances { claim { ...D } } }
fragment D on Claim { appearances { claim { ...E } } }
fragment E on Claim { appearances { claim { ...F } } }
fragment F on Claim { appearances { claim { ...G } } }
fragment G on Claim { appearances { claim { ...H } } }
fragment H on Claim { appearances { claim { ...I } } }
fragment I on Claim { appearances { claim { ...J } } }
fragment J on Claim { appearances { claim { ...K } } }
fragment K on Claim { appearances { claim { id } } }`
		s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrDepthIntrospection", func(t *testing.T) {
		// Ensure introspection is bounded too.
		q := `{ __schema { types { ` + strings.Repeat("ofType { ", 25) + `name` + strings.Repeat(" }", 25) + ` } } }`
		s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrComplexity", func(t *testing.T) {
		// Ensure an over-complex query is refused with the limit and its
		// estimate, before execution.
		before := counting.reads.Load()
		e := s.Query(t, `{ claims(first: 100) { edges { node { chains { hops { report { id } } } } } } }`, nil).
			MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, strconv.Itoa(api.DefaultMaxComplexity)) {
			t.Errorf("message %q does not name the limit %d", e.Message, api.DefaultMaxComplexity)
		}
		m := atLeast.FindStringSubmatch(e.Message)
		if n, _ := strconv.Atoi(m[len(m)-1]); m == nil || n <= api.DefaultMaxComplexity {
			t.Errorf("message %q does not give an estimate over the limit", e.Message)
		}
		if counting.reads.Load() != before {
			t.Error("the refused query read the graph")
		}
	})
	t.Run("OKComplexityUnderLimit", func(t *testing.T) {
		// Ensure the same shape with fewer items runs.
		s.MustQuery(t, `{ claims(first: 5) { edges { node { chains { hops { report { id } } } } } } }`, nil, nil)
	})
	t.Run("ErrComplexityVariable", func(t *testing.T) {
		// Ensure first given as a variable counts like a literal.
		s.Query(t, `query($n: Int) { claims(first: $n) { edges { node { chains { hops { report { id } } } } } } }`, map[string]any{"n": 100}).
			MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrComplexityVariableDefault", func(t *testing.T) {
		// Ensure first given by a variable's default value counts too: the
		// same query as ErrComplexityVariable, with the 100 as the default.
		r := s.Query(t, `query($n: Int = 100) { claims(first: $n) { edges { node { chains { hops { report { id } } } } } } }`, nil)
		r.MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrComplexityAliases", func(t *testing.T) {
		// Ensure aliased copies of a field add up.
		var b strings.Builder
		b.WriteString("{ ")
		for i := range 30 {
			fmt.Fprintf(&b, "c%d: claims(first: 100) { edges { node { appearances { report { id } } } } } ", i)
		}
		b.WriteString("}")
		s.Query(t, b.String(), nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
}

func TestLimits_Configured(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxDepth, c.MaxComplexity = 4, 50 }))
	t.Run("ErrDepth", func(t *testing.T) {
		// Ensure the message gives the query's depth and the configured limit.
		e := s.Query(t, `{ claim(id: "`+headline+`") { appearances { report { outlet { id } } } } }`, nil).
			MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "5") || !strings.Contains(e.Message, "4") {
			t.Errorf("message %q, want the depth 5 and the limit 4", e.Message)
		}
	})
	t.Run("ErrComplexity", func(t *testing.T) {
		// Ensure the message gives the configured limit and the estimate:
		// claims 1 + 20 × (edges 1 + node 1 + id 1 + text 1) = 81.
		e := s.Query(t, `{ claims { edges { node { id text } } } }`, nil).
			MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "50") || !strings.Contains(e.Message, "81") {
			t.Errorf("message %q, want the limit 50 and the estimate 81", e.Message)
		}
	})
	t.Run("OK", func(t *testing.T) {
		// Ensure a query within both limits runs: 1 + 10 × 4 = 41.
		s.MustQuery(t, `{ claims(first: 10) { edges { node { id text } } } }`, nil, nil)
	})
}

func TestTimeout(t *testing.T) {
	const q = `{ claim(id: "` + headline + `") { chains { hops { report { id } } terminal } } }`
	check := func(t *testing.T, r *Response) {
		t.Helper()
		e := r.MustFail(t, http.StatusOK, api.CodeInternal)
		if !strings.Contains(e.Message, "time limit") {
			t.Errorf("message %q does not say the request ran out of time", e.Message)
		}
		if id, _ := e.Extensions["requestId"].(string); id == "" || id != r.Header.Get("X-Request-Id") {
			t.Errorf("requestId %q, X-Request-Id %q", id, r.Header.Get("X-Request-Id"))
		}
	}
	t.Run("ErrTinyTimeout", func(t *testing.T) {
		// Ensure with a 1ns time limit a chain query fails as INTERNAL with a
		// message about the time limit, rather than hanging or blaming the
		// client.
		s := MustServer(t, WithConfig(func(c *api.Config) { c.Timeout = time.Nanosecond }))
		check(t, s.Query(t, q, nil))
	})
	t.Run("ErrSlowStore", func(t *testing.T) {
		// Ensure a resolver waiting on a slow store is stopped by the time
		// limit through its context, and the answer says so.
		s := MustServer(t,
			WithConfig(func(c *api.Config) { c.Timeout = 50 * time.Millisecond }),
			WithGraph(func(db *store.DB) graph.Graph { return stallingGraph{db} }))
		check(t, s.Query(t, q, nil))
	})
	t.Run("OKDefault", func(t *testing.T) {
		// Ensure the default time limit lets the chain query run.
		s := MustServer(t)
		s.MustQuery(t, q, nil, nil)
	})
}
