package graph_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"hearsay/graph"
)

// testClaim is the claim every builder case traces unless it names another.
const testClaim = "claim:c"

// memGraph is an in-memory graph.TraceReader. Tests build it with the
// chainable methods below; every node it holds passes Validate.
type memGraph struct {
	tb      testing.TB
	reports map[string]*graph.Report
	claims  map[string]*graph.Claim

	mu         sync.Mutex
	reads      map[string]int // FindReportByID calls per ID
	claimReads int            // FindClaimByID calls
}

var _ graph.TraceReader = (*memGraph)(nil)

// newMemGraph returns an empty graph that fails tb on invalid nodes.
func newMemGraph(tb testing.TB) *memGraph {
	tb.Helper()
	return &memGraph{
		tb:      tb,
		reports: make(map[string]*graph.Report),
		claims:  make(map[string]*graph.Claim),
		reads:   make(map[string]int),
	}
}

// FindClaimByID implements graph.TraceReader.
func (g *memGraph) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	g.mu.Lock()
	g.claimReads++
	g.mu.Unlock()
	c, ok := g.claims[id]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "claim %q not found", id)
	}
	return c, nil
}

// FindReportByID implements graph.TraceReader.
func (g *memGraph) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	g.mu.Lock()
	g.reads[id]++
	g.mu.Unlock()
	r, ok := g.reports[id]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "report %q not found", id)
	}
	return r, nil
}

// indexed is a memGraph with an outlet index.
type indexed struct{ *memGraph }

var _ graph.OutletIndex = indexed{}

// ReportsOfOutlet implements graph.OutletIndex without counting reads.
func (g indexed) ReportsOfOutlet(ctx context.Context, outlet, claim string) ([]string, error) {
	c, ok := g.claims[claim]
	if !ok {
		return nil, nil
	}
	var out []string
	for _, a := range c.Appearances {
		if r, ok := g.reports[a.Report]; ok && r.Outlet == outlet {
			out = append(out, a.Report)
		}
	}
	sort.Strings(out)
	return out, nil
}

// resetReads forgets the counted report reads.
func (g *memGraph) resetReads() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reads = make(map[string]int)
	g.claimReads = 0
}

// Rep adds a report of outlet published on date ("" for undated) that cites
// the given reports.
func (g *memGraph) Rep(id, outlet, date string, cites ...string) *memGraph {
	g.tb.Helper()
	d, err := graph.ParseDate(date)
	if err != nil {
		g.tb.Fatalf("report %s: %v", id, err)
	}
	cites = append([]string(nil), cites...)
	sort.Strings(cites)
	r := &graph.Report{
		ID:        id,
		Outlet:    outlet,
		Title:     "title of " + id,
		Published: d,
		Language:  "en",
		Status:    graph.StatusPublished,
		Cites:     cites,
	}
	if err := r.Validate(); err != nil {
		g.tb.Fatalf("report %s: %v", id, err)
	}
	g.reports[id] = r
	return g
}

// App adds testClaim's appearance in report, attributed to the sources in
// the order given. See AppOf.
func (g *memGraph) App(report string, sources ...string) *memGraph {
	g.tb.Helper()
	return g.AppOf(testClaim, report, sources...)
}

// AppOf adds claim's appearance in report, attributed to the sources in the
// order given. The attribution's mode follows the source's kind (official:
// DIRECT_QUOTE, report: CITES_REPORT, outlet: PARAPHRASE) and its quote is
// "q " + source.
func (g *memGraph) AppOf(claim, report string, sources ...string) *memGraph {
	g.tb.Helper()
	c, ok := g.claims[claim]
	if !ok {
		c = &graph.Claim{ID: claim, Text: "text of " + claim}
		g.claims[claim] = c
	}
	a := graph.Appearance{
		Report:   report,
		Quote:    "quote in " + report,
		Mode:     graph.ModeParaphrase,
		Language: "en",
		Hedge:    "reportedly",
	}
	for _, s := range sources {
		a.Attributions = append(a.Attributions, graph.Attribution{Source: s, Mode: modeFor(s), Quote: "q " + s})
	}
	c.Appearances = append(c.Appearances, a)
	sort.SliceStable(c.Appearances, func(i, j int) bool { return c.Appearances[i].Report < c.Appearances[j].Report })
	if err := c.Validate(); err != nil {
		g.tb.Fatalf("claim %s: %v", claim, err)
	}
	return g
}

// modeFor is the attribution mode the builder gives a source.
func modeFor(source string) graph.Mode {
	switch graph.KindOf(source) {
	case graph.KindOfficial:
		return graph.ModeDirectQuote
	case graph.KindReport:
		return graph.ModeCitesReport
	case graph.KindOutlet:
		return graph.ModeParaphrase
	}
	return graph.ModeUnset
}

// hopWant is what a test expects of one hop.
type hopWant struct {
	report   string
	mode     graph.Mode
	to       string
	inferred bool
	anomaly  bool
}

// hop expects a hop out of report along an attribution to to, with the
// builder's mode for to (UNATTRIBUTED when to is "").
func hop(report, to string) hopWant {
	m := graph.ModeUnattributed
	if to != "" {
		m = modeFor(to)
	}
	return hopWant{report: report, mode: m, to: to}
}

// inferredHop expects a hop out of report along its citation of to.
func inferredHop(report, to string) hopWant {
	return hopWant{report: report, mode: graph.ModeCitesReport, to: to, inferred: true}
}

// late marks the hop as a temporal anomaly.
func (h hopWant) late() hopWant { h.anomaly = true; return h }

func (h hopWant) String() string {
	s := fmt.Sprintf("%s -%s-> %q", h.report, h.mode, h.to)
	if h.inferred {
		s += " inferred"
	}
	if h.anomaly {
		s += " late"
	}
	return s
}

// chainWant is what a test expects of one chain.
type chainWant struct {
	hops     []hopWant
	terminal graph.Terminal
	origin   string
	flags    []string
}

func (c chainWant) String() string {
	var b strings.Builder
	for _, h := range c.hops {
		b.WriteString("\n\t\t" + h.String())
	}
	fmt.Fprintf(&b, "\n\t\t%s origin=%q flags=%q", c.terminal, c.origin, c.flags)
	return b.String()
}

// summarize reduces a chain to what chainWant holds.
func summarize(c graph.Chain) chainWant {
	w := chainWant{terminal: c.Terminal, origin: c.Origin, flags: c.Flags}
	for _, h := range c.Hops {
		w.hops = append(w.hops, hopWant{report: h.Report, mode: h.Mode, to: h.To, inferred: h.Inferred, anomaly: h.TemporalAnomaly})
	}
	return w
}

// checkChains fails t unless got holds exactly the wanted chains, in order,
// each of claim and starting at its first hop's report.
func checkChains(t *testing.T, claim string, got []graph.Chain, want ...chainWant) {
	t.Helper()
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = summarize(got[i]).String() == want[i].String()
	}
	if !same {
		var g, w strings.Builder
		for i, c := range got {
			fmt.Fprintf(&g, "\n\tchain %d:%s", i, summarize(c))
		}
		for i, c := range want {
			fmt.Fprintf(&w, "\n\tchain %d:%s", i, c)
		}
		t.Fatalf("chains differ\ngot %d:%s\nwant %d:%s", len(got), g.String(), len(want), w.String())
	}
	for i, c := range got {
		if c.Claim != claim {
			t.Errorf("chain %d: Claim = %q, want %q", i, c.Claim, claim)
		}
		if len(c.Hops) == 0 || c.From != c.Hops[0].Report {
			t.Errorf("chain %d: From = %q, want the first hop's report", i, c.From)
		}
	}
}

// trace runs TraceAppearance on testClaim and fails t on error.
func trace(t *testing.T, g *memGraph, report string, opt graph.TraceOptions) []graph.Chain {
	t.Helper()
	chains, err := graph.TraceAppearance(context.Background(), g, testClaim, report, opt)
	if err != nil {
		t.Fatalf("TraceAppearance(%s): %v", report, err)
	}
	return chains
}
