package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// ladder returns a hearsay/v1 dataset of a claim carried by rungs×2
// reports: each report attributes the claim to both reports of the next
// rung, the last rung to an official, every quote quoteLen bytes long. Its
// chains double with every rung.
func ladder(rungs, quoteLen int) string {
	type attr struct {
		Source string `json:"source"`
		Mode   string `json:"mode"`
	}
	type app struct {
		Report       string `json:"report"`
		Quote        string `json:"quote"`
		Mode         string `json:"mode"`
		AttributedTo []attr `json:"attributedTo"`
	}
	rep := func(r, i int) string { return fmt.Sprintf("report:ladder-%02d-%d", r, i) }
	var reports []map[string]any
	var apps []app
	for r := range rungs {
		for i := range 2 {
			reports = append(reports, map[string]any{"id": rep(r, i), "outlet": "outlet:ladder", "title": "rung", "published": "2025-04-25"})
			a := app{Report: rep(r, i), Quote: strings.Repeat("q", quoteLen), Mode: "PARAPHRASE"}
			if r+1 < rungs {
				a.AttributedTo = []attr{{rep(r+1, 0), "CITES_REPORT"}, {rep(r+1, 1), "CITES_REPORT"}}
			} else {
				a.AttributedTo = []attr{{"official:ladder", "PARAPHRASE"}}
			}
			apps = append(apps, a)
		}
	}
	b, _ := json.Marshal(map[string]any{
		"format":    "hearsay/v1",
		"dataset":   map[string]any{"id": "ladder"},
		"outlets":   []any{map[string]any{"id": "outlet:ladder", "name": "Ladder"}},
		"officials": []any{map[string]any{"id": "official:ladder", "name": "someone", "form": "PERSON", "anonymous": true}},
		"reports":   reports,
		"claims":    []any{map[string]any{"id": "claim:ladder", "text": "a claim told by a ladder", "appearances": apps}},
	})
	return string(b)
}

// ladderQuery asks for the ladder's chains at 8 depths, each alias a new
// trace.
func ladderQuery() string {
	var b strings.Builder
	b.WriteString(`{ claim(id: "claim:ladder") {`)
	for n := 9; n <= 16; n++ {
		fmt.Fprintf(&b, " a%d: chains(maxDepth: %d) { hops { quote } }", n, n)
	}
	b.WriteString(" } }")
	return b.String()
}

func TestAnswerSize(t *testing.T) {
	// issue 16, finding 4: after one import of a 23 KB ladder of 48
	// reports, an anonymous query of 8 chains aliases returned 333 MB in
	// 10.6 s.
	s := MustServer(t)
	var imported struct{ ImportDataset struct{ Nodes int } }
	s.MustMutate(t, `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ladder(24, 200)}, &imported)
	if imported.ImportDataset.Nodes != 51 {
		t.Fatalf("imported %d nodes", imported.ImportDataset.Nodes)
	}
	t.Run("ErrLadder", func(t *testing.T) {
		// Ensure the query is refused, 400 with a code, its answer small.
		r := s.Query(t, ladderQuery(), nil)
		e := r.MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
		if !strings.Contains(e.Message, "steps") || len(r.Body) > 2048 {
			t.Errorf("message %q, body of %d bytes", e.Message, len(r.Body))
		}
	})
	t.Run("ErrLadderThroughGraphQLGo", func(t *testing.T) {
		// Ensure graphql-go's executor (mutations, introspection, directives)
		// is bounded the same way.
		q := strings.Replace(ladderQuery(), "{ claim(", "{ __typename claim(", 1)
		q = strings.Replace(q, "hops {", "hops @include(if: true) {", -1)
		r := s.Query(t, q, nil)
		if r.Status != http.StatusBadRequest || len(r.Errors) != 1 ||
			r.Errors[0].Code() != api.CodeQueryTooComplex && r.Errors[0].Code() != api.CodeResponseTooLarge {
			t.Fatalf("%d %s", r.Status, r.Short())
		}
	})
	t.Run("ErrResponseSize", func(t *testing.T) {
		// Ensure an answer over --max-response is refused while it is
		// built, 400 RESPONSE_TOO_LARGE, through plans and graphql-go.
		small := MustServer(t, WithConfig(func(c *api.Config) { c.MaxResponseBytes = 4096 }))
		small.MustMutate(t, `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ladder(4, 200)}, nil)
		q := `{ claim(id: "claim:ladder") { chains { hops { quote } } } }`
		for _, q := range []string{q, strings.Replace(q, "hops {", "hops @skip(if: false) {", 1)} {
			r := small.Query(t, q, nil)
			e := r.MustFail(t, http.StatusBadRequest, api.CodeResponseTooLarge)
			if !strings.Contains(e.Message, "4096") {
				t.Errorf("message %q", e.Message)
			}
		}
		// A mutation's answer over the limit: the write stands, its
		// answer says what could not be sent.
		r := small.Mutate(t, `mutation { updateClaim(id: "claim:ladder", input: {text: "changed"}) { text chains { hops { quote } } } }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) == 0 || r.Errors[0].Code() != api.CodeResponseTooLarge {
			t.Fatalf("mutation: %d %s", r.Status, r.Short())
		}
		var got struct{ Claim struct{ Text string } }
		small.MustQuery(t, `{ claim(id: "claim:ladder") { text } }`, nil, &got)
		if got.Claim.Text != "changed" {
			t.Errorf("the write did not stand: %q", got.Claim.Text)
		}
	})
	t.Run("OKSmallLadder", func(t *testing.T) {
		// Ensure an ordinary trace still answers.
		var got struct {
			Claim struct {
				Chains []struct{ Hops []struct{ Quote string } }
			}
		}
		s.MustQuery(t, `{ claim(id: "claim:ladder") { chains(maxDepth: 3) { hops { quote } } } }`, nil, &got)
		if len(got.Claim.Chains) == 0 {
			t.Fatal("no chains")
		}
		for _, c := range got.Claim.Chains {
			if len(c.Hops) == 0 || len(c.Hops) > 3 || len(c.Hops[0].Quote) != 200 {
				t.Fatalf("a chain of %d hops", len(c.Hops))
			}
		}
	})
}

// FindOutlets counts too, for the echo filter.
func (g *countingGraph) FindOutlets(ctx context.Context, f graph.OutletFilter) ([]*graph.Outlet, int, error) {
	g.reads.Add(1)
	return g.DB.FindOutlets(ctx, f)
}

func TestExpiredContext(t *testing.T) {
	g := &countingGraph{}
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph { g.DB = db; return g }))
	for name, q := range map[string]string{
		"Plan":      `{ claim(id: "` + headline + `") { chains { hops { quote } } origins { __typename } } }`,
		"GraphQLGo": `{ claim(id: "` + headline + `") @include(if: true) { chains { hops { quote } } } }`,
		"Echo":      `{ outlets(filter: {echo: {minAppearances: 1}}) { totalCount } }`,
	} {
		t.Run("Err"+name, func(t *testing.T) {
			// Ensure a request whose context is already cancelled does no
			// work and answers with the cancellation.
			body, _ := json.Marshal(map[string]string{"query": q})
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			before := g.reads.Load()
			s.API.ServeHTTP(rec, req)
			if n := g.reads.Load() - before; n > 0 {
				t.Errorf("%d reads after the cancellation", n)
			}
			var r Response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) == 0 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if !strings.Contains(r.Errors[0].Message, "cancelled") && !strings.Contains(r.Errors[0].Message, "time limit") {
				t.Errorf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestWorkCosts(t *testing.T) {
	counting := &countingGraph{}
	s := MustServer(t, WithGraph(func(db *store.DB) graph.Graph { counting.DB = db; return counting }))
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		return b.String() + " }"
	}
	for name, q := range map[string]string{
		// issue 16: 40 search aliases kept a core busy 10.6 s.
		"Search": aliases(40, `claims(filter: {search: "negotiators"}) { totalCount }`),
		"Topic":  aliases(11, `claims(filter: {topic: "x"}) { totalCount }`),
		// an echo filter judged every outlet: 11 CPU-s.
		"EchoFilter": aliases(5, `outlets(filter: {echo: {minAppearances: 1}}) { totalCount }`),
		"EchoFilterVariable": `query($f: OutletFilter) { a: outlets(filter: $f) { totalCount } b: outlets(filter: $f) { totalCount }
			c: outlets(filter: $f) { totalCount } d: outlets(filter: $f) { totalCount } e: outlets(filter: $f) { totalCount } }`,
		"Echo":        `{ outlets(first: 100) { edges { node { echo { appearances } reports(first: 100) { totalCount } } } } }`,
		"Chains":      `{ claims(first: 100) { edges { node { chains { terminal } origins { __typename } credibility { grade } } } } }`,
		"NestedEdges": `{ outlets(first: 100) { edges { node { reports(first: 100) { totalCount } } } } }`,
	} {
		t.Run("Err"+name, func(t *testing.T) {
			// Ensure work the estimate used to count as one field is
			// refused before anything is read.
			before := counting.reads.Load()
			s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
			if n := counting.reads.Load() - before; n > 0 {
				t.Errorf("%d reads", n)
			}
		})
	}
	t.Run("OKOrdinary", func(t *testing.T) {
		// Ensure ordinary uses still fit: ten searches, a page of claims
		// judged, an echo filter with each outlet's echo.
		s.MustQuery(t, aliases(9, `claims(filter: {search: "negotiators"}) { totalCount }`), nil, nil)
		s.MustQuery(t, `{ claims(first: 20) { edges { node { chains { terminal } origins { __typename } independentOrigins { min } credibility { grade } } } } }`, nil, nil)
		s.MustQuery(t, `{ outlets(filter: {echo: {minAppearances: 1}}) { edges { node { echo { appearances } } } } }`, nil, nil)
	})
}
