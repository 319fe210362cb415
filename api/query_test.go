package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/graph"
)

// seed returns the seed dataset as parsed from its file.
func seed(tb testing.TB) *graph.Dataset {
	tb.Helper()
	ds, err := fixtures.Parse(fixtures.SeedName, bytes.NewReader(fixtures.Seed()), fixtures.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// Source is a decoded Source union value (or any node).
type Source struct {
	Typename string `json:"__typename"`
	ID       string `json:"id"`
	Name     string `json:"name"`
}

// ChainsData is the answer to chainsQuery.
type ChainsData struct {
	Claim *struct {
		Chains []Chain `json:"chains"`
	} `json:"claim"`
}

// Chain is one decoded chain.
type Chain struct {
	Hops []struct {
		Report   struct{ ID string } `json:"report"`
		Outlet   struct{ Name string }
		Mode     string  `json:"mode"`
		Inferred bool    `json:"inferred"`
		To       *Source `json:"to"`
	} `json:"hops"`
	Terminal string  `json:"terminal"`
	Origin   *Source `json:"origin"`
	Flags    []string
}

// Path is the chain as "Outlet -MODE-> Outlet -MODE-> origin [TERMINAL]".
func (c Chain) Path() string {
	var b strings.Builder
	for _, h := range c.Hops {
		fmt.Fprintf(&b, "%s -%s", h.Outlet.Name, h.Mode)
		if h.Inferred {
			b.WriteString("(inferred)")
		}
		b.WriteString("-> ")
	}
	if c.Origin != nil {
		b.WriteString(c.Origin.Name)
	} else {
		b.WriteString("nothing")
	}
	return b.String() + " [" + c.Terminal + "]"
}

const sourceFields = `__typename ... on Official { id name } ... on Report { id } ... on Outlet { id name }`

// chainFields are the fields of a Chain that Chain decodes.
const chainFields = `hops { report { id } outlet { name } mode inferred to { ` + sourceFields + ` } }
	terminal origin { ` + sourceFields + ` } flags`

const chainsQuery = `query Chains($id: ID!) { claim(id: $id) { chains { ` + chainFields + ` } } }`

// chains returns the paths of a claim's chains.
func (s *Server) chains(tb testing.TB, claim string) []string {
	tb.Helper()
	var data ChainsData
	s.MustQuery(tb, chainsQuery, map[string]any{"id": claim}, &data)
	if data.Claim == nil {
		tb.Fatalf("no claim %q", claim)
	}
	var out []string
	for _, c := range data.Claim.Chains {
		out = append(out, c.Path())
	}
	return out
}

func TestHeadlineChain(t *testing.T) {
	s := MustServer(t)
	t.Run("OK", func(t *testing.T) {
		// Ensure the headline claim traces Euromaidan Press → The Telegraph →
		// unnamed US negotiators, hop by hop.
		var data ChainsData
		s.MustQuery(t, chainsQuery, map[string]any{"id": headline}, &data)
		if data.Claim == nil || len(data.Claim.Chains) != 2 {
			t.Fatalf("want 2 chains (one per appearance), got %+v", data.Claim)
		}
		c := data.Claim.Chains[0]
		if len(c.Hops) != 2 {
			t.Fatalf("first chain has %d hops, want 2: %s", len(c.Hops), c.Path())
		}
		h0, h1 := c.Hops[0], c.Hops[1]
		if h0.Outlet.Name != "Euromaidan Press" || h0.Report.ID != euromaidanReport || h0.Mode != "CITES_REPORT" ||
			h0.To == nil || h0.To.Typename != "Report" || h0.To.ID != telegraphReport {
			t.Errorf("hop 0 = %+v, want Euromaidan Press citing the Telegraph report", h0)
		}
		if h1.Outlet.Name != "The Telegraph" || h1.Report.ID != telegraphReport || h1.Mode != "PARAPHRASE" ||
			h1.To == nil || h1.To.Typename != "Official" || h1.To.ID != usNegotiators || h1.To.Name != "unnamed US negotiators" {
			t.Errorf("hop 1 = %+v, want The Telegraph paraphrasing unnamed US negotiators", h1)
		}
		if c.Terminal != "OFFICIAL" || c.Origin == nil || c.Origin.ID != usNegotiators || len(c.Flags) != 0 {
			t.Errorf("chain ends %s at %+v with flags %v, want OFFICIAL at %s", c.Terminal, c.Origin, c.Flags, usNegotiators)
		}
		if got, want := data.Claim.Chains[1].Path(), "The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]"; got != want {
			t.Errorf("second chain %q, want %q", got, want)
		}
	})
	t.Run("OKOrigins", func(t *testing.T) {
		// Ensure two chains through one official are one origin, and the first
		// appearance is the dated Telegraph report.
		var data struct {
			Claim struct {
				Origins         []Source
				FirstAppearance struct {
					Report struct{ ID string }
				}
			}
		}
		s.MustQuery(t, `{ claim(id: "`+headline+`") { origins { `+sourceFields+` } firstAppearance { report { id } } } }`, nil, &data)
		if len(data.Claim.Origins) != 1 || data.Claim.Origins[0].ID != usNegotiators {
			t.Errorf("origins %+v, want only %s", data.Claim.Origins, usNegotiators)
		}
		if data.Claim.FirstAppearance.Report.ID != telegraphReport {
			t.Errorf("first appearance in %s, want %s", data.Claim.FirstAppearance.Report.ID, telegraphReport)
		}
	})
	t.Run("OKMaxDepth", func(t *testing.T) {
		// Ensure maxDepth: 1 cuts the two-hop chain with DEPTH_LIMIT.
		var data ChainsData
		s.MustQuery(t, `{ claim(id: "`+headline+`") { chains(maxDepth: 1) { hops { outlet { name } mode } terminal origin { `+sourceFields+` } } } }`, nil, &data)
		if got := data.Claim.Chains[0]; got.Terminal != "DEPTH_LIMIT" || got.Origin != nil || len(got.Hops) != 1 {
			t.Errorf("chain %s, want one hop and DEPTH_LIMIT without origin", got.Path())
		}
	})
	for _, depth := range []int{-1, 65} {
		t.Run(fmt.Sprintf("ErrMaxDepth%d", depth), func(t *testing.T) {
			// Ensure a maxDepth outside 1…64 is BAD_USER_INPUT.
			r := s.Query(t, fmt.Sprintf(`{ claim(id: %q) { chains(maxDepth: %d) { terminal } } }`, headline, depth), nil)
			r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
		})
	}
	t.Run("ErrMaxDepth0", func(t *testing.T) {
		// Ensure maxDepth: 0 is refused like -1 and 65: the argument is
		// documented as "Hops to follow, 1 to 64", yet 0 silently traces 16.
		r := s.Query(t, fmt.Sprintf(`{ claim(id: %q) { chains(maxDepth: 0) { terminal } } }`, headline), nil)
		r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
	})
	t.Run("OKFrom", func(t *testing.T) {
		// Ensure from selects the chains of one appearance.
		var data ChainsData
		s.MustQuery(t, `query($id: ID!, $from: ID) { claim(id: $id) { chains(from: $from) { `+chainFields+` } } }`,
			map[string]any{"id": headline, "from": telegraphReport}, &data)
		if len(data.Claim.Chains) != 1 || data.Claim.Chains[0].Path() != "The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]" {
			t.Errorf("chains from %s: %+v", telegraphReport, data.Claim.Chains)
		}
	})
	t.Run("OKFromNull", func(t *testing.T) {
		// Ensure a null from is the chains of every appearance.
		var data ChainsData
		s.MustQuery(t, `query($id: ID!, $from: ID) { claim(id: $id) { chains(from: $from) { `+chainFields+` } } }`,
			map[string]any{"id": headline, "from": nil}, &data)
		if len(data.Claim.Chains) != 2 {
			t.Errorf("chains: %+v", data.Claim.Chains)
		}
	})
	t.Run("OKFromElsewhere", func(t *testing.T) {
		// Ensure a report the claim does not appear in, or that does not
		// exist, has no chains from it: an empty list, not an error.
		const claim = "claim:uk-officials-forces-inadequate" // only in Euromaidan Press
		for _, from := range []string{"report:no-such-report", telegraphReport} {
			r := s.Query(t, fmt.Sprintf(`{ claim(id: %q) { chains(from: %q) { terminal } } }`, claim, from), nil)
			if r.Status != http.StatusOK || string(r.Body) != `{"data":{"claim":{"chains":[]}}}` {
				t.Errorf("from %s: status %d: %s", from, r.Status, r.Body)
			}
		}
	})
	for _, tt := range []struct{ name, from string }{{"Empty", ""}, {"Outlet", "outlet:telegraph"}, {"BadSlug", "report:Bad Slug"}} {
		t.Run("ErrFrom"+tt.name, func(t *testing.T) {
			// Ensure a from that is not a report ID is BAD_USER_INPUT.
			r := s.Query(t, fmt.Sprintf(`{ claim(id: %q) { chains(from: %q) { terminal } } }`, headline, tt.from), nil)
			r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
		})
	}
	t.Run("OKMissing", func(t *testing.T) {
		// Ensure a missing claim is null without an error.
		r := s.Query(t, `{ claim(id: "claim:no-such-claim") { chains { terminal } } }`, nil)
		if r.Status != http.StatusOK || string(r.Body) != `{"data":{"claim":null}}` {
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
	})
}

// connection is a decoded page of any connection.
type connection struct {
	TotalCount int
	Edges      []struct {
		Cursor string
		Node   struct {
			ID    string
			Claim struct{ ID string }
		}
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

// walk follows a connection from its first page to its last, first items at
// a time. query has $first and $after; path names the connection in the
// data ("outlet", "reports"). It returns the item keys in order and checks,
// on every page, that totalCount is total.
func (s *Server) walk(tb testing.TB, query string, vars map[string]any, first, total int, path ...string) []string {
	tb.Helper()
	var keys []string
	var after any
	for page := 0; ; page++ {
		if page > total+1 {
			tb.Fatalf("still paging after %d pages", page)
		}
		v := map[string]any{"first": first, "after": after}
		for k, x := range vars {
			v[k] = x
		}
		var raw json.RawMessage
		s.MustQuery(tb, query, v, &raw)
		for _, k := range path {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				tb.Fatal(err)
			}
			raw = m[k]
		}
		var c connection
		if err := json.Unmarshal(raw, &c); err != nil {
			tb.Fatalf("%v: %s", err, raw)
		}
		if c.TotalCount != total {
			tb.Errorf("page %d: totalCount %d, want %d", page, c.TotalCount, total)
		}
		if len(c.Edges) > first {
			tb.Fatalf("page %d has %d items, asked for %d", page, len(c.Edges), first)
		}
		for _, e := range c.Edges {
			k := e.Node.ID
			if k == "" {
				k = e.Node.Claim.ID
			}
			keys = append(keys, k)
		}
		if len(c.Edges) > 0 && (c.PageInfo.EndCursor == nil || *c.PageInfo.EndCursor != c.Edges[len(c.Edges)-1].Cursor) {
			tb.Errorf("page %d: endCursor %v is not the last edge's cursor", page, c.PageInfo.EndCursor)
		}
		if !c.PageInfo.HasNextPage {
			if len(c.Edges) == first && len(keys) < total {
				tb.Errorf("page %d: hasNextPage false with %d of %d items read", page, len(keys), total)
			}
			return keys
		}
		if len(c.Edges) < first {
			tb.Errorf("page %d: hasNextPage true on a short page of %d", page, len(c.Edges))
		}
		after = *c.PageInfo.EndCursor
	}
}

// mustBeSortedOnce fails unless keys are want, each once, in ascending
// order.
func mustBeSortedOnce(tb testing.TB, keys, want []string) {
	tb.Helper()
	if !slices.IsSorted(keys) {
		tb.Errorf("items not in order: %q", keys)
	}
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(keys, want) {
		tb.Errorf("walked\n  %q\nwant every item once:\n  %q", keys, want)
	}
}

func TestPagination(t *testing.T) {
	s := MustServer(t)
	ds := seed(t)
	// More reports of The Telegraph, so that its reports connection has pages.
	var extra []string
	var reports []string
	for i := range 12 {
		id := fmt.Sprintf("report:telegraph-extra-%02d", i)
		extra = append(extra, fmt.Sprintf(`{"id": %q, "outlet": "outlet:telegraph", "published": "2025-05-%02d"}`, id, i+1))
		reports = append(reports, id)
	}
	MustLoad(t, s.DB, `{"format": "hearsay/v1", "dataset": {"id": "extra"}, "reports": [`+strings.Join(extra, ",")+`]}`)
	reports = append(reports, telegraphReport)

	ids := func(n int, id func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		query string
		vars  map[string]any
		first int
		want  []string
		path  []string
	}{
		{"OKClaims", `query($first: Int, $after: String) { claims(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			nil, 7, ids(len(ds.Claims), func(i int) string { return ds.Claims[i].ID }),
			[]string{"claims"}},
		{"OKOfficials", `query($first: Int, $after: String) { officials(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			nil, 3, ids(len(ds.Officials), func(i int) string { return ds.Officials[i].ID }),
			[]string{"officials"}},
		{"OKOutlets", `query($first: Int, $after: String) { outlets(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			nil, 1, ids(len(ds.Outlets), func(i int) string { return ds.Outlets[i].ID }),
			[]string{"outlets"}},
		{"OKReports", `query($first: Int, $after: String) { reports(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			nil, 4, append(slices.Clone(reports), euromaidanReport),
			[]string{"reports"}},
		{"OKOutletReports", `query($first: Int, $after: String) { outlet(id: "outlet:telegraph") { reports(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`,
			nil, 5, reports,
			[]string{"outlet", "reports"}},
		{"OKOfficialAttributions", `query($first: Int, $after: String) { official(id: "official:uk-officials-unnamed") { attributions(first: $first, after: $after) { totalCount edges { cursor node { claim { id } } } pageInfo { hasNextPage endCursor } } } }`,
			nil, 2, []string{"claim:uk-officials-forces-inadequate", "claim:uk-officials-ground-force-risks-too-high", "claim:uk-officials-reconsider-troop-plans"},
			[]string{"official", "attributions"}},
		{"OKSearch", `query($first: Int, $after: String, $q: String) { claims(first: $first, after: $after, filter: {search: $q}) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"q": "security guarantees"}, 4, []string{
				"claim:downing-street-significant-breakthrough", "claim:starmer-pressing-trump-two-months",
				"claim:starmer-trump-would-have-our-back", "claim:trump-publicly-avoided-guarantees",
				"claim:ukraine-seeking-guarantees-peacekeepers-option", "claim:us-offers-security-guarantees"},
			[]string{"claims"}},
		{"OKReportFilter", `query($first: Int, $after: String) { claims(first: $first, after: $after, filter: {report: "` + telegraphReport + `"}) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
			nil, 3, claimsIn(ds, telegraphReport),
			[]string{"claims"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure walking the pages to the end yields every item exactly
			// once, in order, with the exact totalCount on every page.
			keys := s.walk(t, tt.query, tt.vars, tt.first, len(tt.want), tt.path...)
			mustBeSortedOnce(t, keys, tt.want)
		})
	}
}

// claimsIn lists the seed's claims that appear in a report.
func claimsIn(ds *graph.Dataset, report string) []string {
	var out []string
	for _, c := range ds.Claims {
		if _, ok := c.Appearance(report); ok {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestPagination_Bounds(t *testing.T) {
	s := MustServer(t)
	var outlets []string
	for i := range 110 {
		outlets = append(outlets, fmt.Sprintf(`{"id": "outlet:extra-%03d", "name": "Extra %d"}`, i, i))
	}
	MustLoad(t, s.DB, `{"format": "hearsay/v1", "dataset": {"id": "extra"}, "outlets": [`+strings.Join(outlets, ",")+`]}`)

	page := func(t *testing.T, query string) connection {
		t.Helper()
		var data struct{ Outlets, Claims connection }
		s.MustQuery(t, query, nil, &data)
		if data.Claims.Edges != nil || data.Claims.TotalCount != 0 {
			return data.Claims
		}
		return data.Outlets
	}
	t.Run("OKDefault", func(t *testing.T) {
		// Ensure first defaults to 20.
		c := page(t, `{ outlets { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`)
		if len(c.Edges) != 20 || c.TotalCount != 112 || !c.PageInfo.HasNextPage {
			t.Errorf("%d items of %d, next %v; want 20 of 112 and a next page", len(c.Edges), c.TotalCount, c.PageInfo.HasNextPage)
		}
	})
	t.Run("OKCapped", func(t *testing.T) {
		// Ensure first over 100 is capped at 100.
		c := page(t, `{ outlets(first: 500) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`)
		if len(c.Edges) != 100 || c.TotalCount != 112 || !c.PageInfo.HasNextPage {
			t.Errorf("%d items of %d, next %v; want 100 of 112 and a next page", len(c.Edges), c.TotalCount, c.PageInfo.HasNextPage)
		}
	})
	t.Run("OKExactly100", func(t *testing.T) {
		// Ensure first: 100 is served whole.
		c := page(t, `{ outlets(first: 100) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`)
		if len(c.Edges) != 100 {
			t.Errorf("%d items, want 100", len(c.Edges))
		}
	})
	t.Run("OKZero", func(t *testing.T) {
		// Ensure first: 0 gives no items but the exact count.
		c := page(t, `{ claims(first: 0) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`)
		if len(c.Edges) != 0 || c.TotalCount != 25 || c.PageInfo.EndCursor != nil {
			t.Errorf("%+v, want no items, totalCount 25 and no endCursor", c)
		}
	})
	t.Run("OKPastTheEnd", func(t *testing.T) {
		// Ensure a page after the last item is empty, without a next page.
		last := base64.RawURLEncoding.EncodeToString([]byte("v1:claim:zzz"))
		c := page(t, `{ claims(after: "`+last+`") { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`)
		if len(c.Edges) != 0 || c.PageInfo.HasNextPage || c.TotalCount != 25 {
			t.Errorf("%+v, want an empty last page of 25", c)
		}
	})
	t.Run("ErrNegative", func(t *testing.T) {
		// Ensure a negative first is BAD_USER_INPUT, from a literal or a variable.
		s.Query(t, `{ claims(first: -1) { totalCount } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
		s.Query(t, `query($n: Int) { outlet(id: "outlet:telegraph") { reports(first: $n) { totalCount } } }`, map[string]any{"n": -5}).
			MustFail(t, http.StatusOK, api.CodeBadUserInput)
	})
	garbage := []struct{ name, cursor string }{
		{"NotBase64", "garbage!"},
		{"NoVersion", base64.RawURLEncoding.EncodeToString([]byte("claim:assistance-could-include-intel-logistics"))},
		{"Empty", base64.RawURLEncoding.EncodeToString([]byte("v1:"))},
		{"NotAnID", base64.RawURLEncoding.EncodeToString([]byte("v1:Hello World"))},
	}
	for _, conn := range []struct{ name, query, otherKind string }{
		{"Claims", `query($after: String) { claims(after: $after) { totalCount } }`, "outlet:telegraph"},
		{"Outlets", `query($after: String) { outlets(after: $after) { totalCount } }`, "claim:" + headline[len("claim:"):]},
		{"Officials", `query($after: String) { officials(after: $after) { totalCount } }`, "outlet:telegraph"},
		{"OutletReports", `query($after: String) { outlet(id: "outlet:telegraph") { reports(after: $after) { totalCount } } }`, "outlet:telegraph"},
		{"OfficialAttributions", `query($after: String) { official(id: "` + usNegotiators + `") { attributions(after: $after) { totalCount edges { cursor } } } }`, "outlet:telegraph"},
	} {
		// A cursor of another connection: an ID of the wrong kind.
		wrongKind := struct{ name, cursor string }{"WrongKind", base64.RawURLEncoding.EncodeToString([]byte("v1:" + conn.otherKind))}
		for _, g := range append(slices.Clone(garbage), wrongKind) {
			t.Run("ErrCursor"+conn.name+g.name, func(t *testing.T) {
				// Ensure a cursor this server did not make is BAD_USER_INPUT.
				r := s.Query(t, conn.query, map[string]any{"after": g.cursor})
				r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
			})
		}
	}
}

// words splits text the way a reader would: lowercased runs of letters and
// digits. It is the test's own tokenizer, independent of graph.Words.
func words(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[w] = true
	}
	return out
}

// seedMatches lists the seed claims whose text or quotes hold every word.
func seedMatches(ds *graph.Dataset, query string, textOnly bool) []string {
	var out []string
	for _, c := range ds.Claims {
		parts := []string{c.Text}
		if !textOnly {
			for _, a := range c.Appearances {
				parts = append(parts, a.Quote)
				for _, at := range a.Attributions {
					parts = append(parts, at.Quote)
				}
			}
		}
		have := words(strings.Join(parts, "\n"))
		ok := true
		for w := range words(query) {
			ok = ok && have[w]
		}
		if ok {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out
}

// search returns the IDs of the claims a search finds and its totalCount.
func (s *Server) search(tb testing.TB, q string) ([]string, int) {
	tb.Helper()
	var data struct{ Claims connection }
	s.MustQuery(tb, `query($q: String) { claims(first: 100, filter: {search: $q}) { totalCount edges { node { id } } } }`, map[string]any{"q": q}, &data)
	var ids []string
	for _, e := range data.Claims.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids, data.Claims.TotalCount
}

func TestSearch(t *testing.T) {
	s := MustServer(t)
	ds := seed(t)
	for _, tt := range []struct {
		name, q string
		want    []string
	}{
		{"OKOneWord", "negotiators", []string{headline}},
		{"OKCase", "NEGOTIATORS!", []string{headline}},
		{"OKTwoWords", "security guarantees", seedMatches(ds, "security guarantees", false)},
		{"OKAndNotOr", "negotiators security", nil},
		{"OKQuoteOnly", "whitehall", []string{"claim:mod-reluctance-french-proposals"}},
		{"OKQuoteOnlyTwoClaims", "telegraph", []string{"claim:downing-street-significant-breakthrough", "claim:us-offers-security-guarantees"}},
		{"OKQuoteAndText", "reluctance whitehall", []string{"claim:mod-reluctance-french-proposals"}},
		{"OKCurlyQuotes", "“too high”", []string{"claim:uk-officials-ground-force-risks-too-high"}},
		{"OKUnknown", "zeppelin", nil},
		{"OKUnknownWithKnown", "negotiators zeppelin", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the search finds exactly the claims whose text or quotes
			// hold every word, as read from the seed file.
			got, total := s.search(t, tt.q)
			if !slices.Equal(got, tt.want) || total != len(tt.want) {
				t.Errorf("search %q found %q (totalCount %d), want %q", tt.q, got, total, tt.want)
			}
			if want := seedMatches(ds, tt.q, false); !slices.Equal(want, tt.want) {
				t.Errorf("the seed says search %q should find %q; the table says %q", tt.q, want, tt.want)
			}
		})
	}
	t.Run("OKQuoteNotText", func(t *testing.T) {
		// Ensure the quote-only cases really are words absent from the texts.
		for _, w := range []string{"whitehall", "telegraph"} {
			if m := seedMatches(ds, w, true); len(m) != 0 {
				t.Errorf("%q is in the text of %q", w, m)
			}
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		// Ensure an empty search is no filter.
		if got, n := s.search(t, ""); n != len(ds.Claims) || len(got) != n {
			t.Errorf("empty search found %d of %d", len(got), n)
		}
	})
	for _, q := range []string{"  ", ",;!", "a"} {
		t.Run(fmt.Sprintf("ErrNoWords%q", q), func(t *testing.T) {
			// Ensure a search without a word is BAD_USER_INPUT.
			r := s.Query(t, `query($q: String) { claims(filter: {search: $q}) { totalCount } }`, map[string]any{"q": q})
			r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
		})
	}
	t.Run("OKWithOtherFilters", func(t *testing.T) {
		// Ensure search combines with the report filter.
		var data struct{ Claims connection }
		s.MustQuery(t, `{ claims(filter: {search: "security guarantees", report: "`+telegraphReport+`"}) { totalCount edges { node { id } } } }`, nil, &data)
		var want []string
		for _, id := range seedMatches(ds, "security guarantees", false) {
			if slices.Contains(claimsIn(ds, telegraphReport), id) {
				want = append(want, id)
			}
		}
		var got []string
		for _, e := range data.Claims.Edges {
			got = append(got, e.Node.ID)
		}
		if !slices.Equal(got, want) || data.Claims.TotalCount != len(want) || len(want) == 0 {
			t.Errorf("got %q (%d), want %q", got, data.Claims.TotalCount, want)
		}
	})
}

func TestSearch_FollowsWrites(t *testing.T) {
	s := MustServer(t)
	const claim = "claim:starmer-hopes-ceasefire-by-summer"
	if got, _ := s.search(t, "hopes"); !slices.Equal(got, []string{claim}) {
		t.Fatalf("before: hopes finds %q", got)
	}
	t.Run("OKUpdateClaim", func(t *testing.T) {
		// Ensure after updateClaim the old word is gone and the new one found.
		s.MustMutate(t, `mutation($id: ID!) { updateClaim(id: $id, input: {text: "Keir Starmer expects a ceasefire in Ukraine by autumn."}) { id } }`,
			map[string]any{"id": claim}, nil)
		if got, n := s.search(t, "hopes"); len(got) != 0 || n != 0 {
			t.Errorf("hopes still finds %q", got)
		}
		if got, _ := s.search(t, "autumn expects"); !slices.Equal(got, []string{claim}) {
			t.Errorf("autumn expects finds %q", got)
		}
		// Words of the quotes stay.
		if got, _ := s.search(t, "expressed hope summer"); !slices.Equal(got, []string{claim}) {
			t.Errorf("the quote's words find %q", got)
		}
	})
	t.Run("OKAppearanceQuote", func(t *testing.T) {
		// Ensure a new appearance's quote is searchable, and gone with it.
		s.MustMutate(t, `mutation { addAppearance(claim: "`+claim+`", input: {report: "`+telegraphReport+`", quote: "a truce by midsummer", mode: PARAPHRASE}) { id } }`, nil, nil)
		if got, _ := s.search(t, "midsummer truce"); !slices.Equal(got, []string{claim}) {
			t.Errorf("midsummer truce finds %q", got)
		}
		s.MustMutate(t, `mutation { removeAppearance(claim: "`+claim+`", report: "`+telegraphReport+`") { id } }`, nil, nil)
		if got, _ := s.search(t, "midsummer"); len(got) != 0 {
			t.Errorf("midsummer still finds %q", got)
		}
	})
	t.Run("OKDeleteClaim", func(t *testing.T) {
		// Ensure a deleted claim is no longer found.
		s.MustMutate(t, `mutation { deleteClaim(id: "`+claim+`") }`, nil, nil)
		if got, _ := s.search(t, "autumn"); len(got) != 0 {
			t.Errorf("autumn still finds %q", got)
		}
	})
}

func TestNode(t *testing.T) {
	s := MustServer(t)
	for _, tt := range []struct{ id, typename string }{
		{"outlet:telegraph", "Outlet"},
		{telegraphReport, "Report"},
		{usNegotiators, "Official"},
		{headline, "Claim"},
	} {
		t.Run("OK"+tt.typename, func(t *testing.T) {
			// Ensure node(id:) resolves the kind to its type.
			var data struct{ Node *Source }
			s.MustQuery(t, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": tt.id}, &data)
			if data.Node == nil || data.Node.Typename != tt.typename || data.Node.ID != tt.id {
				t.Errorf("node %+v, want %s %s", data.Node, tt.typename, tt.id)
			}
		})
	}
	t.Run("OKMissing", func(t *testing.T) {
		// Ensure a missing node is null without an error.
		r := s.Query(t, `{ node(id: "report:no-such-report") { id } }`, nil)
		if string(r.Body) != `{"data":{"node":null}}` {
			t.Errorf("got %s", r.Body)
		}
	})
	t.Run("ErrBadID", func(t *testing.T) {
		// Ensure a malformed ID is BAD_USER_INPUT at the field's path.
		e := s.Query(t, `{ node(id: "widget:x") { id } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
		if len(e.Path) != 1 || e.Path[0] != "node" {
			t.Errorf("path %v, want [node]", e.Path)
		}
	})
}

func TestFilters(t *testing.T) {
	s := MustServer(t)
	ds := seed(t)
	count := func(t *testing.T, q string) int {
		t.Helper()
		var data map[string]connection
		s.MustQuery(t, q, nil, &data)
		for _, c := range data {
			return c.TotalCount
		}
		return -1
	}
	anonymous := 0
	for _, o := range ds.Officials {
		if o.Anonymous {
			anonymous++
		}
	}
	for _, tt := range []struct {
		name, query string
		want        int
	}{
		{"OKAnonymousOfficials", `{ officials(filter: {anonymous: true}) { totalCount } }`, anonymous},
		{"OKNamedOfficials", `{ officials(filter: {anonymous: false}) { totalCount } }`, len(ds.Officials) - anonymous},
		{"OKOutletsByCountry", `{ outlets(filter: {country: "GB"}) { totalCount } }`, 1},
		{"OKReportsByStatus", `{ reports(filter: {status: RETRACTED}) { totalCount } }`, 0},
		{"OKReportsCiting", `{ reports(filter: {cites: "` + telegraphReport + `"}) { totalCount } }`, 1},
		{"OKClaimsBySource", `{ claims(filter: {source: "` + usNegotiators + `"}) { totalCount } }`, 2},
		{"OKClaimsByTopic", `{ claims(filter: {topic: "relayed-speech"}) { totalCount } }`, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the filter counts what the seed holds.
			if got := count(t, tt.query); got != tt.want {
				t.Errorf("totalCount %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("ErrBadSource", func(t *testing.T) {
		// Ensure a filter ID of the wrong kind is BAD_USER_INPUT.
		s.Query(t, `{ claims(filter: {source: "claim:x"}) { totalCount } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
	})
}
