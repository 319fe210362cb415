package graph_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"hearsay/graph"
)

// judgeGraph is a memGraph that also holds outlets and officials, so that
// it implements graph.JudgeReader. Its builder methods chain like memGraph's.
type judgeGraph struct {
	*memGraph
	outlets   map[string]*graph.Outlet
	officials map[string]*graph.Official
}

var _ graph.JudgeReader = (*judgeGraph)(nil)

// newJudgeGraph returns an empty graph that fails tb on invalid nodes.
func newJudgeGraph(tb testing.TB) *judgeGraph {
	tb.Helper()
	return &judgeGraph{
		memGraph:  newMemGraph(tb),
		outlets:   make(map[string]*graph.Outlet),
		officials: make(map[string]*graph.Official),
	}
}

// FindOutletByID implements graph.JudgeReader.
func (g *judgeGraph) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	o, ok := g.outlets[id]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "outlet %q not found", id)
	}
	return o, nil
}

// FindOfficialByID implements graph.JudgeReader.
func (g *judgeGraph) FindOfficialByID(ctx context.Context, id string) (*graph.Official, error) {
	o, ok := g.officials[id]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "official %q not found", id)
	}
	return o, nil
}

// Rep is memGraph.Rep, returning g.
func (g *judgeGraph) Rep(id, outlet, date string, cites ...string) *judgeGraph {
	g.tb.Helper()
	g.memGraph.Rep(id, outlet, date, cites...)
	return g
}

// App is memGraph.App, returning g.
func (g *judgeGraph) App(report string, sources ...string) *judgeGraph {
	g.tb.Helper()
	g.memGraph.App(report, sources...)
	return g
}

// Outlet adds an outlet with the given rating history (see ratings).
func (g *judgeGraph) Outlet(id, name string, history ...string) *judgeGraph {
	g.tb.Helper()
	o := &graph.Outlet{ID: id, Name: name, Type: graph.OutletNewspaper, Ratings: ratings(g.tb, history...)}
	if err := o.Validate(); err != nil {
		g.tb.Fatalf("outlet %s: %v", id, err)
	}
	g.outlets[id] = o
	return g
}

// Named adds a named person with the given rating history.
func (g *judgeGraph) Named(id, name string, history ...string) *judgeGraph {
	g.tb.Helper()
	return g.official(id, name, false, history)
}

// Anon adds an anonymous group with the given rating history.
func (g *judgeGraph) Anon(id, name string, history ...string) *judgeGraph {
	g.tb.Helper()
	return g.official(id, name, true, history)
}

func (g *judgeGraph) official(id, name string, anonymous bool, history []string) *judgeGraph {
	g.tb.Helper()
	o := &graph.Official{ID: id, Name: name, Form: graph.FormPerson, Anonymous: anonymous, Ratings: ratings(g.tb, history...)}
	if anonymous {
		o.Form = graph.FormGroup
	}
	if err := o.Validate(); err != nil {
		g.tb.Fatalf("official %s: %v", id, err)
	}
	g.officials[id] = o
	return g
}

// Same links two officials added before by possibly-same-as, in both
// directions as the store keeps it.
func (g *judgeGraph) Same(a, b string) *judgeGraph {
	g.tb.Helper()
	link := func(from, to string) {
		o, ok := g.officials[from]
		if !ok {
			g.tb.Fatalf("Same(%s, %s): no official %s", a, b, from)
		}
		o.PossiblySameAs = append(o.PossiblySameAs, graph.SameAs{Official: to, Note: "may be the same people"})
		sort.Slice(o.PossiblySameAs, func(i, j int) bool { return o.PossiblySameAs[i].Official < o.PossiblySameAs[j].Official })
		if err := o.Validate(); err != nil {
			g.tb.Fatalf("official %s: %v", from, err)
		}
	}
	link(a, b)
	link(b, a)
	return g
}

// Status sets the editorial status of a report added before.
func (g *judgeGraph) Status(report string, s graph.ReportStatus) *judgeGraph {
	g.tb.Helper()
	r, ok := g.reports[report]
	if !ok {
		g.tb.Fatalf("Status: no report %s", report)
	}
	r.Status = s
	return g
}

// Review appends a fact-checker's review to testClaim.
func (g *judgeGraph) Review(v graph.Verdict, by, date string) *judgeGraph {
	g.tb.Helper()
	c, ok := g.claims[testClaim]
	if !ok {
		g.tb.Fatalf("Review: no claim %s", testClaim)
	}
	c.Reviews = append(c.Reviews, graph.Review{Verdict: v, ReviewedBy: by, ReviewedAt: graph.MustParseDate(date)})
	if err := c.Validate(); err != nil {
		g.tb.Fatalf("claim %s: %v", testClaim, err)
	}
	return g
}

// ratings parses a rating history written as "B 2024-01-01" (rating, then
// the date it was given) or "B" (undated), oldest first.
func ratings(tb testing.TB, history ...string) []graph.Rating {
	tb.Helper()
	var rs []graph.Rating
	for _, h := range history {
		grade, date, _ := strings.Cut(h, " ")
		rel, err := graph.ParseReliability(grade)
		if err != nil {
			tb.Fatalf("rating %q: %v", h, err)
		}
		d, err := graph.ParseDate(date)
		if err != nil {
			tb.Fatalf("rating %q: %v", h, err)
		}
		rs = append(rs, graph.Rating{Rating: rel, RatedBy: "test curators", RatedAt: d})
	}
	return rs
}

// judgeClaim runs JudgeClaim on testClaim and fails t on error.
func judgeClaim(t *testing.T, g *judgeGraph, opt graph.TraceOptions) *graph.Judgement {
	t.Helper()
	j, err := graph.JudgeClaim(context.Background(), g, testClaim, opt)
	if err != nil {
		t.Fatalf("JudgeClaim: %v", err)
	}
	return j
}

// chainLines reduces chains to "from terminal origin flags" lines.
func chainLines(chains []graph.Chain) []string {
	var out []string
	for _, c := range chains {
		out = append(out, fmt.Sprintf("%s %s %q %q", c.From, c.Terminal, c.Origin, c.Flags))
	}
	return out
}

// originIDs lists the IDs of a judgement's origins, in its order.
func originIDs(os []graph.Origin) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

// sameStrings reports whether a and b hold the same strings in order.
func sameStrings(a, b []string) bool {
	return fmt.Sprintf("%q", a) == fmt.Sprintf("%q", b)
}

// checkConfidence fails t unless got is exact, the product of the
// documented factors, rounded to 4 decimals as JudgeChain documents. The
// half-unit margin absorbs the float rounding of products computed in
// another order than JudgeChain's.
func checkConfidence(t *testing.T, got, exact float64) {
	t.Helper()
	if math.Round(got*1e4)/1e4 != got || math.Abs(got-exact) > 0.5e-4+1e-12 {
		t.Errorf("Confidence = %v, want %v rounded to 4 decimals", got, exact)
	}
}

// w is graph.Weight of a grade, for expected confidences.
func w(r graph.Reliability) float64 { return graph.Weight(r) }

const (
	relA = graph.ReliabilityA
	relB = graph.ReliabilityB
	relC = graph.ReliabilityC
	relD = graph.ReliabilityD
	relE = graph.ReliabilityE
	relF = graph.ReliabilityF
)

func TestRatingAt(t *testing.T) {
	crossing := []string{"B 2024-01-01", "D 2025-06-01"}
	tests := []struct {
		name    string
		history []string
		at      string
		want    graph.Reliability
	}{
		// Ensure a report published between two ratings gets the earlier one.
		{"BeforeChange", crossing, "2025-04-25", relB},
		// Ensure a report published after a change gets the new rating.
		{"AfterChange", crossing, "2025-07", relD},
		// Ensure a rating given on the publication day is in force that day.
		{"OnChangeDay", crossing, "2025-06-01", relD},
		// Ensure a rating given later the same day is not in force at the
		// start of a day-precision publication date.
		{"LaterSameDay", []string{"B 2024-01-01", "D 2025-06-01T12:00:00Z"}, "2025-06-01", relB},
		// Ensure a day rating is in force for a date-time later that day.
		{"DayRatingDateTimeReport", crossing, "2025-06-01T10:00:00Z", relD},
		// Ensure a report published before every rating has none in force.
		{"BeforeHistory", crossing, "2023", graph.ReliabilityUnset},
		// Ensure no history means no rating.
		{"NoHistory", nil, "2025-04-25", graph.ReliabilityUnset},
		// Ensure an undated rating counts as given before every date.
		{"UndatedBeforeAll", []string{"C", "A 2025-01-01"}, "2024-03-01", relC},
		// Ensure a dated rating in force overrides an undated one.
		{"DatedOverUndated", []string{"C", "A 2025-01-01"}, "2025-02-01", relA},
		// Ensure an undated rating listed last does not override a dated one.
		{"UndatedListedLast", []string{"A 2025-01-01", "C"}, "2025-02-01", relA},
		// Ensure an undated report gets the latest rating by date.
		{"UndatedReport", crossing, "", relD},
		// Ensure an undated report gets the latest by date, not by list order.
		{"UndatedReportUnsortedHistory", []string{"D 2025-06-01", "B 2024-01-01"}, "", relD},
		// Ensure among undated ratings the later one in the list wins.
		{"AllUndated", []string{"C", "E"}, "", relE},
		// Ensure of two ratings given the same date the later in the list
		// wins, in either order.
		{"SameDate", []string{"B 2025-01-01", "E 2025-01-01"}, "2025-02-01", relE},
		{"SameDateReversed", []string{"E 2025-01-01", "B 2025-01-01"}, "2025-02-01", relB},
		// Ensure a year-precision report is judged at the start of the year:
		// a rating given in June of that year is not yet in force.
		{"YearReport", crossing, "2025", relB},
		// Ensure a month-precision report is judged at the start of the month.
		{"MonthReport", crossing, "2025-06", relD},
		// Ensure a year-precision rating is in force from the start of its year.
		{"YearRating", []string{"E 2024-01-01", "A 2025"}, "2025-03-10", relA},
		// Ensure a month-precision rating is not in force at the start of an
		// earlier-starting year-precision report.
		{"MonthRatingYearReport", []string{"E 2024-01-01", "A 2025-06"}, "2025", relE},
		// Ensure of a month and a day rating starting the same instant, the
		// finer (day) one counts as the later.
		{"MonthAndDaySameStart", []string{"C 2025-06-01", "A 2025-06"}, "2025-07", relC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := graph.ParseDate(tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := graph.RatingAt(ratings(t, tt.history...), at); got != tt.want {
				t.Fatalf("RatingAt(%q, %q) = %q, want %q", tt.history, tt.at, got, tt.want)
			}
		})
	}
}

func TestJudged(t *testing.T) {
	tests := []struct {
		in, want graph.Reliability
	}{
		// Ensure no rating in force is judged F, "cannot be judged".
		{graph.ReliabilityUnset, relF},
		// Ensure known grades are kept.
		{relA, relA}, {relD, relD}, {relF, relF},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := graph.Judged(tt.in); got != tt.want {
				t.Fatalf("Judged(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}

	// Ensure a report of 2023 against a history starting 2024 is judged F.
	t.Run("BeforeHistory", func(t *testing.T) {
		rs := ratings(t, "B 2024-01-01", "D 2025-06-01")
		if got := graph.Judged(graph.RatingAt(rs, graph.MustParseDate("2023"))); got != relF {
			t.Fatalf("Judged(RatingAt(2023)) = %q, want F", got)
		}
	})
}

func TestWeight(t *testing.T) {
	// Ensure each grade has its documented weight; unset weighs like F.
	tests := []struct {
		r    graph.Reliability
		want float64
	}{
		{relA, 1.0}, {relB, 0.85}, {relC, 0.7}, {relD, 0.4}, {relE, 0.2}, {relF, 0.5}, {graph.ReliabilityUnset, 0.5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.r), func(t *testing.T) {
			if got := graph.Weight(tt.r); got != tt.want {
				t.Fatalf("Weight(%q) = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

func TestJudgeClaim_Origins(t *testing.T) {
	tests := []struct {
		name    string
		build   func(g *judgeGraph)
		opt     graph.TraceOptions
		chains  []string // chainLines of the judgement's chains
		origins []string
		indep   graph.Range
	}{
		{
			// Ensure an OFFICIAL chain's origin is that official.
			name: "Official",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Named("official:o", "Olga Ray").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:o")
			},
			chains:  []string{`report:a OFFICIAL "official:o" []`},
			origins: []string{"official:o"},
			indep:   graph.Range{Min: 1, Max: 1},
		},
		{
			// Ensure an UNATTRIBUTED chain's origin is the outlet of its
			// last report, not of the first.
			name: "Unattributed",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:y", "Outlet Y").
					Rep("report:a", "outlet:x", "2025-04-26").
					Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b").
					App("report:b")
			},
			chains:  []string{`report:a UNATTRIBUTED "outlet:y" []`, `report:b UNATTRIBUTED "outlet:y" []`},
			origins: []string{"outlet:y"},
			indep:   graph.Range{Min: 1, Max: 1},
		},
		{
			// Ensure a CITED_REPORT_UNRECORDED chain's origin is the outlet
			// of the cited report that does not carry the claim.
			name: "CitedReportUnrecorded",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:z", "Outlet Z").
					Rep("report:a", "outlet:x", "2025-04-26").
					Rep("report:n", "outlet:z", "2025-04-25").
					App("report:a", "report:n")
			},
			chains:  []string{`report:a CITED_REPORT_UNRECORDED "outlet:z" []`},
			origins: []string{"outlet:z"},
			indep:   graph.Range{Min: 1, Max: 1},
		},
		{
			// Ensure an OUTLET_UNRECORDED chain's origin is the outlet named.
			name: "OutletUnrecorded",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:w", "Outlet W").
					Rep("report:a", "outlet:x", "2025-04-26").
					App("report:a", "outlet:w")
			},
			chains:  []string{`report:a OUTLET_UNRECORDED "outlet:w" []`},
			origins: []string{"outlet:w"},
			indep:   graph.Range{Min: 1, Max: 1},
		},
		{
			// Ensure CIRCULAR chains contribute no origin.
			name: "Circular",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:y", "Outlet Y").
					Rep("report:a", "outlet:x", "2025-04-25").
					Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b").
					App("report:b", "report:a")
			},
			chains:  []string{`report:a CIRCULAR "" []`, `report:b CIRCULAR "" []`},
			origins: nil,
			indep:   graph.Range{Min: 0, Max: 0},
		},
		{
			// Ensure DEPTH_LIMIT chains contribute no origin, even when
			// every chain is cut.
			name: "DepthLimitOnly",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:y", "Outlet Y").
					Rep("report:a", "outlet:x", "2025-04-25").
					Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b").
					App("report:b", "report:a")
			},
			opt:     graph.TraceOptions{MaxDepth: 1},
			chains:  []string{`report:a DEPTH_LIMIT "" []`, `report:b DEPTH_LIMIT "" []`},
			origins: nil,
			indep:   graph.Range{Min: 0, Max: 0},
		},
		{
			// Ensure a cut chain adds nothing beside another chain's origin.
			name: "DepthLimitBesideOfficial",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:y", "Outlet Y").Named("official:o", "Olga Ray").
					Rep("report:a", "outlet:x", "2025-04-26").
					Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b").
					App("report:b", "official:o")
			},
			opt:     graph.TraceOptions{MaxDepth: 1},
			chains:  []string{`report:a DEPTH_LIMIT "" []`, `report:b OFFICIAL "official:o" []`},
			origins: []string{"official:o"},
			indep:   graph.Range{Min: 1, Max: 1},
		},
		{
			// Ensure an origin reached by several chains is counted once, and
			// origins are listed by ID.
			name: "Distinct",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:x", "Outlet X").Outlet("outlet:y", "Outlet Y").
					Named("official:p", "Piet Lund").Named("official:o", "Olga Ray").
					Rep("report:a", "outlet:x", "2025-04-26").
					Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b", "official:p").
					App("report:b", "official:p", "official:o")
			},
			chains: []string{
				`report:a OFFICIAL "official:p" []`,
				`report:a OFFICIAL "official:o" []`,
				`report:a OFFICIAL "official:p" []`,
				`report:b OFFICIAL "official:o" []`,
				`report:b OFFICIAL "official:p" []`,
			},
			origins: []string{"official:o", "official:p"},
			indep:   graph.Range{Min: 2, Max: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newJudgeGraph(t)
			tt.build(g)
			j := judgeClaim(t, g, tt.opt)
			if got := chainLines(j.Chains); !sameStrings(got, tt.chains) {
				t.Errorf("chains = %q, want %q", got, tt.chains)
			}
			if got := originIDs(j.Origins); !sameStrings(got, tt.origins) {
				t.Errorf("origins = %q, want %q", got, tt.origins)
			}
			if j.IndependentOrigins != tt.indep {
				t.Errorf("IndependentOrigins = %+v, want %+v", j.IndependentOrigins, tt.indep)
			}
		})
	}

	// Ensure a claim whose only chain is circular has no origin, cannot be
	// judged, and says why.
	t.Run("CircularCannotBeJudged", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "Outlet X").
			Rep("report:a", "outlet:x", "2025-04-25").
			Rep("report:b", "outlet:x", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "report:a")
		j := judgeClaim(t, g, graph.TraceOptions{})
		if len(j.Origins) != 0 || len(j.Groups) != 0 {
			t.Errorf("Origins, Groups = %v, %v; want none", j.Origins, j.Groups)
		}
		want := graph.Credibility{Grade: 6, Label: "cannot be judged", Why: "2 reports, no chain reaches an origin (circular or cut off): cannot be judged"}
		if j.Credibility != want {
			t.Errorf("Credibility = %+v, want %+v", j.Credibility, want)
		}
	})

	// Ensure an origin carries its name, kind, anonymity and latest rating.
	t.Run("Described", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "Outlet X", "A 2020-01-01", "C 2024-01-01").
			Outlet("outlet:y", "Outlet Y").
			Anon("official:u", "unnamed officials").
			Rep("report:a", "outlet:x", "2023-01-01").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a").
			App("report:b", "official:u")
		j := judgeClaim(t, g, graph.TraceOptions{})
		want := []graph.Origin{
			{ID: "official:u", Name: "unnamed officials", Official: true, Anonymous: true, Rated: false, Reliability: relF},
			{ID: "outlet:x", Name: "Outlet X", Official: false, Anonymous: false, Rated: true, Reliability: relC},
		}
		if fmt.Sprintf("%+v", j.Origins) != fmt.Sprintf("%+v", want) {
			t.Errorf("Origins = %+v\nwant %+v", j.Origins, want)
		}
		if j.Reports != 2 {
			t.Errorf("Reports = %d, want 2", j.Reports)
		}
	})

	// Ensure a judgement reads its claim once: the trace and the
	// judgement share it (a claim of thousands of appearances costs its
	// decoding each time it is read).
	t.Run("ClaimReadOnce", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "Outlet X").
			Named("official:o", "Olga Ray").
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:x", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "official:o")
		g.resetReads()
		j := judgeClaim(t, g, graph.TraceOptions{})
		if got := originIDs(j.Origins); !sameStrings(got, []string{"official:o"}) {
			t.Errorf("origins = %q, want official:o", got)
		}
		if g.claimReads != 1 {
			t.Errorf("the claim was read %d times, want once", g.claimReads)
		}
	})
}

func TestJudgeClaim_IndependentOrigins(t *testing.T) {
	// Each case attributes the claim in report:a, report:b, … (one report
	// per source, each of its own outlet) to the sources listed.
	tests := []struct {
		name    string
		build   func(g *judgeGraph)
		sources []string
		indep   graph.Range
		groups  [][]string
	}{
		{
			// Ensure two anonymous officials linked by possibly-same-as may
			// be one origin.
			name: "PossiblySamePair",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source").Anon("official:s2", "second unnamed source").
					Same("official:s1", "official:s2")
			},
			sources: []string{"official:s1", "official:s2"},
			indep:   graph.Range{Min: 1, Max: 2},
			groups:  [][]string{{"official:s1", "official:s2"}},
		},
		{
			// Ensure a chain of links A~B~C joins origins A and C through an
			// anonymous intermediate B that is no origin.
			name: "GroupOfThroughIntermediate",
			build: func(g *judgeGraph) {
				g.Anon("official:a", "unnamed A").Anon("official:b", "unnamed B").Anon("official:c", "unnamed C").
					Same("official:a", "official:b").Same("official:b", "official:c")
			},
			sources: []string{"official:a", "official:c"},
			indep:   graph.Range{Min: 1, Max: 2},
			groups:  [][]string{{"official:a", "official:c"}},
		},
		{
			// Ensure a group of three origins linked in a chain is one.
			name: "GroupOfThree",
			build: func(g *judgeGraph) {
				g.Anon("official:a", "unnamed A").Anon("official:b", "unnamed B").Anon("official:c", "unnamed C").
					Same("official:a", "official:b").Same("official:b", "official:c")
			},
			sources: []string{"official:c", "official:a", "official:b"},
			indep:   graph.Range{Min: 1, Max: 3},
			groups:  [][]string{{"official:a", "official:b", "official:c"}},
		},
		{
			// Ensure a named official linked to an anonymous one stays apart.
			name: "NamedDoesNotMerge",
			build: func(g *judgeGraph) {
				g.Named("official:n", "Nora Field").Anon("official:u", "unnamed officials").
					Same("official:n", "official:u")
			},
			sources: []string{"official:n", "official:u"},
			indep:   graph.Range{Min: 2, Max: 2},
			groups:  [][]string{{"official:n"}, {"official:u"}},
		},
		{
			// Ensure a named intermediate does not join two anonymous origins.
			name: "NamedIntermediateDoesNotJoin",
			build: func(g *judgeGraph) {
				g.Anon("official:a", "unnamed A").Named("official:n", "Nora Field").Anon("official:c", "unnamed C").
					Same("official:a", "official:n").Same("official:n", "official:c")
			},
			sources: []string{"official:a", "official:c"},
			indep:   graph.Range{Min: 2, Max: 2},
			groups:  [][]string{{"official:a"}, {"official:c"}},
		},
		{
			// Ensure two unlinked anonymous officials are two origins.
			name: "UnlinkedAnonymous",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source").Anon("official:s2", "second unnamed source")
			},
			sources: []string{"official:s1", "official:s2"},
			indep:   graph.Range{Min: 2, Max: 2},
			groups:  [][]string{{"official:s1"}, {"official:s2"}},
		},
		{
			// Ensure outlet origins are groups of their own beside a group
			// of possibly-same officials.
			name: "OutletsOwnGroups",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source").Anon("official:s2", "second unnamed source").
					Same("official:s1", "official:s2")
			},
			sources: []string{"official:s1", "official:s2", "", ""},
			indep:   graph.Range{Min: 3, Max: 4},
			groups:  [][]string{{"official:s1", "official:s2"}, {"outlet:o2"}, {"outlet:o3"}},
		},
		{
			// Ensure two disjoint possibly-same pairs are two origins.
			name: "TwoPairs",
			build: func(g *judgeGraph) {
				g.Anon("official:a", "unnamed A").Anon("official:b", "unnamed B").
					Anon("official:c", "unnamed C").Anon("official:d", "unnamed D").
					Same("official:a", "official:c").Same("official:b", "official:d")
			},
			sources: []string{"official:a", "official:b", "official:c", "official:d"},
			indep:   graph.Range{Min: 2, Max: 4},
			groups:  [][]string{{"official:a", "official:c"}, {"official:b", "official:d"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newJudgeGraph(t)
			tt.build(g)
			for i, s := range tt.sources {
				outlet, report := fmt.Sprintf("outlet:o%d", i), fmt.Sprintf("report:r%d", i)
				g.Outlet(outlet, fmt.Sprintf("Outlet %d", i)).Rep(report, outlet, "2025-04-25")
				if s == "" {
					g.App(report) // the outlet's own reporting
				} else {
					g.App(report, s)
				}
			}
			j := judgeClaim(t, g, graph.TraceOptions{})
			if j.IndependentOrigins != tt.indep {
				t.Errorf("IndependentOrigins = %+v, want %+v", j.IndependentOrigins, tt.indep)
			}
			if fmt.Sprintf("%q", j.Groups) != fmt.Sprintf("%q", tt.groups) {
				t.Errorf("Groups = %q, want %q", j.Groups, tt.groups)
			}
		})
	}
}

func TestJudgeClaim_Credibility(t *testing.T) {
	tests := []struct {
		name    string
		build   func(g *judgeGraph)
		grade   int
		label   string
		reports string // how the why counts the reports
		count   string // how the why counts the independent origins
		why     string
	}{
		{
			// Ensure two independent origins rated A and C confirm a claim.
			name: "Confirmed",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").Named("official:cy", "Cy Brook", "C 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-26").
					App("report:a", "official:ada").App("report:b", "official:cy")
			},
			grade: 1, label: "confirmed", reports: "2 reports", count: "2 independent origins",
			why: "2 reports, 2 independent origins (Ada Stone, named, rated A; Cy Brook, named, rated C): confirmed",
		},
		{
			// Ensure two independent but unrated origins are probably true.
			name: "ProbablyTrueTwoUnrated",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source").Anon("official:s2", "second unnamed source").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-26").
					App("report:a", "official:s1").App("report:b", "official:s2")
			},
			grade: 2, label: "probably true", reports: "2 reports", count: "2 independent origins",
			why: "2 reports, 2 independent origins (first unnamed source, anonymous, unrated; second unnamed source, anonymous, unrated): probably true",
		},
		{
			// Ensure two independent origins of which only one is rated A–C
			// are probably true, not confirmed.
			name: "ProbablyTrueOneStrongOfTwo",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").Named("official:eve", "Eve Marsh", "E 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-26").
					App("report:a", "official:ada").App("report:b", "official:eve")
			},
			grade: 2, label: "probably true", reports: "2 reports", count: "2 independent origins",
			why: "2 reports, 2 independent origins (Ada Stone, named, rated A; Eve Marsh, named, rated E): probably true",
		},
		{
			// Ensure one origin rated B is probably true.
			name: "ProbablyTrueOneRatedB",
			build: func(g *judgeGraph) {
				g.Named("official:ben", "Ben Hale", "B 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:ben")
			},
			grade: 2, label: "probably true", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Ben Hale, named, rated B): probably true",
		},
		{
			// Ensure an outlet's own reporting is judged by the outlet's
			// latest rating.
			name: "ProbablyTrueOutletOwnReporting",
			build: func(g *judgeGraph) {
				g.Outlet("outlet:t", "The Telegraph", "D 2020-01-01", "B 2025-01-01").
					Rep("report:a", "outlet:t", "2024-04-25").
					App("report:a")
			},
			grade: 2, label: "probably true", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (reporting by The Telegraph, rated B): probably true",
		},
		{
			// Ensure a group of possibly-same officials is rated by its best
			// member.
			name: "ProbablyTrueGroupBestRating",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source", "B 2020-01-01").Anon("official:s2", "second unnamed source").
					Same("official:s1", "official:s2").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-26").
					App("report:a", "official:s1").App("report:b", "official:s2")
			},
			grade: 2, label: "probably true", reports: "2 reports", count: "1–2 independent origins",
			why: "2 reports, 1–2 independent origins (first unnamed source and second unnamed source, anonymous and possibly the same people, rated B): probably true",
		},
		{
			// Ensure more than three independent origins are summed up.
			name: "ProbablyTrueManyOrigins",
			build: func(g *judgeGraph) {
				g.Named("official:a", "Al One").Named("official:b", "Bo Two").Named("official:c", "Cy Three").Named("official:d", "Di Four").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:x", "2025-04-25").
					Rep("report:c", "outlet:x", "2025-04-25").Rep("report:d", "outlet:x", "2025-04-25").
					App("report:a", "official:a").App("report:b", "official:b").
					App("report:c", "official:c").App("report:d", "official:d")
			},
			grade: 2, label: "probably true", reports: "4 reports", count: "4 independent origins",
			why: "4 reports, 4 independent origins (Al One, named, unrated; Bo Two, named, unrated; Cy Three, named, unrated; and 1 more): probably true",
		},
		{
			// Ensure one unrated named origin, however many reports repeat it,
			// is possibly true.
			name: "PossiblyTrueOneUnrated",
			build: func(g *judgeGraph) {
				g.Named("official:ingrid-vale", "Ingrid Vale").
					Rep("report:a", "outlet:x", "2025-04-27").Rep("report:b", "outlet:y", "2025-04-26").
					Rep("report:c", "outlet:z", "2025-04-25").
					App("report:a", "report:b").App("report:b", "report:c").App("report:c", "official:ingrid-vale")
			},
			grade: 3, label: "possibly true", reports: "3 reports", count: "1 independent origin",
			why: "3 reports, 1 independent origin (Ingrid Vale, named, unrated): possibly true",
		},
		{
			// Ensure one origin rated C is possibly true.
			name: "PossiblyTrueOneRatedC",
			build: func(g *judgeGraph) {
				g.Named("official:cy", "Cy Brook", "C 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:cy")
			},
			grade: 3, label: "possibly true", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Cy Brook, named, rated C): possibly true",
		},
		{
			// Ensure possibly-same anonymous unrated origins are possibly true
			// and the why gives the range.
			name: "PossiblyTruePossiblySame",
			build: func(g *judgeGraph) {
				g.Anon("official:s1", "first unnamed source").Anon("official:s2", "second unnamed source").
					Same("official:s1", "official:s2").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:s1", "official:s2")
			},
			grade: 3, label: "possibly true", reports: "1 report", count: "1–2 independent origins",
			why: "1 report, 1–2 independent origins (first unnamed source and second unnamed source, anonymous and possibly the same people, unrated): possibly true",
		},
		{
			// Ensure an origin rated D is doubtful.
			name: "DoubtfulRatedD",
			build: func(g *judgeGraph) {
				g.Named("official:dan", "Dan Vole", "D 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:dan")
			},
			grade: 4, label: "doubtful", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Dan Vole, named, rated D): doubtful",
		},
		{
			// Ensure an anonymous origin rated E is doubtful.
			name: "DoubtfulRatedE",
			build: func(g *judgeGraph) {
				g.Anon("official:u", "unnamed insiders", "E 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:u")
			},
			grade: 4, label: "doubtful", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (unnamed insiders, anonymous, rated E): doubtful",
		},
		{
			// Ensure credibility uses an origin's latest rating, not the one
			// in force at publication.
			name: "DoubtfulLatestRating",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01", "D 2025-01-01").
					Rep("report:a", "outlet:x", "2024-04-25").
					App("report:a", "official:ada")
			},
			grade: 4, label: "doubtful", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Ada Stone, named, rated D): doubtful",
		},
		{
			// Ensure a claim every chain of which passes through a retracted
			// report is doubtful, whatever its origin's rating.
			name: "DoubtfulEveryChainRetracted",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-27").Rep("report:b", "outlet:y", "2025-04-26").
					Rep("report:c", "outlet:z", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:ada").App("report:c", "report:b").
					Status("report:b", graph.StatusRetracted)
			},
			grade: 4, label: "doubtful", reports: "3 reports", count: "1 independent origin",
			why: "3 reports, 1 independent origin (Ada Stone, named, rated A); every chain with an origin passes through a retracted report: doubtful",
		},
		{
			// Ensure a latest review of FALSE makes a claim improbable.
			name: "ImprobableFalse",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").Named("official:cy", "Cy Brook", "C 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-26").
					App("report:a", "official:ada").App("report:b", "official:cy").
					Review(graph.VerdictFalse, "AFP Fact Check", "2025-05-01")
			},
			grade: 5, label: "improbable", reports: "2 reports", count: "2 independent origins",
			why: "2 reports, 2 independent origins (Ada Stone, named, rated A; Cy Brook, named, rated C); rated FALSE by AFP Fact Check: improbable",
		},
		{
			// Ensure MOSTLY_FALSE counts too, and goes before a retraction.
			name: "ImprobableMostlyFalseOverRetraction",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:ada").
					Status("report:a", graph.StatusRetracted).
					Review(graph.VerdictTrue, "Full Fact", "2025-05-01").
					Review(graph.VerdictMostlyFalse, "AFP Fact Check", "2025-06-01")
			},
			grade: 5, label: "improbable", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Ada Stone, named, rated A); every chain with an origin passes through a retracted report; rated MOSTLY_FALSE by AFP Fact Check: improbable",
		},
		{
			// Ensure an earlier FALSE review superseded by a TRUE one leaves
			// the grade to the origins.
			name: "LatestReviewNotFalse",
			build: func(g *judgeGraph) {
				g.Named("official:ada", "Ada Stone", "A 2020-01-01").
					Rep("report:a", "outlet:x", "2025-04-25").
					App("report:a", "official:ada").
					Review(graph.VerdictFalse, "AFP Fact Check", "2025-05-01").
					Review(graph.VerdictTrue, "Full Fact", "2025-06-01")
			},
			grade: 2, label: "probably true", reports: "1 report", count: "1 independent origin",
			why: "1 report, 1 independent origin (Ada Stone, named, rated A): probably true",
		},
		{
			// Ensure a claim no chain of which reaches an origin cannot be
			// judged.
			name: "CannotBeJudgedCircular",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-25").
					App("report:a", "report:b").App("report:b", "report:a")
			},
			grade: 6, label: "cannot be judged", reports: "2 reports", count: "no chain reaches an origin",
			why: "2 reports, no chain reaches an origin (circular or cut off): cannot be judged",
		},
		{
			// Ensure a claim without appearances cannot be judged.
			name: "CannotBeJudgedNoAppearances",
			build: func(g *judgeGraph) {
				g.claims[testClaim] = &graph.Claim{ID: testClaim, Text: "text of " + testClaim}
			},
			grade: 6, label: "cannot be judged", reports: "0 reports", count: "no appearance of the claim is recorded",
			why: "0 reports, no appearance of the claim is recorded: cannot be judged",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newJudgeGraph(t).
				Outlet("outlet:x", "Outlet X", "B 2020-01-01").
				Outlet("outlet:y", "Outlet Y", "C 2020-01-01").
				Outlet("outlet:z", "Outlet Z")
			tt.build(g)
			c := judgeClaim(t, g, graph.TraceOptions{}).Credibility
			if c.Grade != tt.grade || c.Label != tt.label {
				t.Errorf("Grade, Label = %d, %q; want %d, %q", c.Grade, c.Label, tt.grade, tt.label)
			}
			checkWhy(t, c.Why, tt.reports, tt.count, tt.label)
			if c.Why != tt.why {
				t.Errorf("Why = %q\nwant  %q", c.Why, tt.why)
			}
		})
	}
}

// checkWhy fails t unless why is one sentence that starts with the report
// count, holds the origin count and ends with the label.
func checkWhy(t *testing.T, why, reports, count, label string) {
	t.Helper()
	if strings.ContainsAny(why, "\n.") {
		t.Errorf("Why %q is not one sentence", why)
	}
	if !strings.HasPrefix(why, reports+", ") {
		t.Errorf("Why %q does not start with %q", why, reports)
	}
	if !strings.Contains(why, count) {
		t.Errorf("Why %q does not hold %q", why, count)
	}
	if !strings.HasSuffix(why, ": "+label) {
		t.Errorf("Why %q does not end with the label %q", why, label)
	}
}

func TestJudgeChain(t *testing.T) {
	// Outlets rated A…E since 2020, one unrated, one whose rating changed.
	base := func(t *testing.T) *judgeGraph {
		return newJudgeGraph(t).
			Outlet("outlet:a", "Outlet A", "A 2020-01-01").
			Outlet("outlet:b", "Outlet B", "B 2020-01-01").
			Outlet("outlet:c", "Outlet C", "C 2020-01-01").
			Outlet("outlet:d", "Outlet D", "D 2020-01-01").
			Outlet("outlet:e", "Outlet E", "E 2020-01-01").
			Outlet("outlet:u", "Outlet U").
			Outlet("outlet:h", "Outlet H", "B 2024-01-01", "D 2025-06-01").
			Named("official:ada", "Ada Stone", "A 2020-01-01").
			Named("official:ben", "Ben Hale", "B 2020-01-01").
			Named("official:ryan", "Ryan Cole", "A 2024-01-01", "E 2025-06-01").
			Anon("official:us-negotiators-unnamed", "unnamed US negotiators")
	}
	tests := []struct {
		name       string
		build      func(g *judgeGraph)
		opt        graph.TraceOptions
		terminal   graph.Terminal
		hops       []graph.Reliability
		origin     graph.Reliability
		confidence float64
		weakest    int
		limitedBy  string
	}{
		{
			// Ensure outlets C and B then an unrated anonymous official are
			// limited by the official, at the last hop.
			name: "LimitedByUnratedOfficial",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:c", "2025-04-26").Rep("report:b", "outlet:b", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:us-negotiators-unnamed")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relC, relB},
			origin:     relF,
			confidence: w(relC) * w(relB) * w(relF),
			weakest:    1,
			limitedBy:  "unnamed US negotiators (F)",
		},
		{
			// Ensure an outlet rated E in the middle is the weakest hop.
			name: "LimitedByMiddleOutlet",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-04-27").Rep("report:b", "outlet:e", "2025-04-26").
					Rep("report:c", "outlet:b", "2025-04-25").
					App("report:a", "report:b").App("report:b", "report:c").App("report:c", "official:ada")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relA, relE, relB},
			origin:     relA,
			confidence: w(relA) * w(relE) * w(relB) * w(relA),
			weakest:    1,
			limitedBy:  "Outlet E (E)",
		},
		{
			// Ensure an unattributed chain counts its origin, the last
			// outlet, once.
			name: "UnattributedOriginOnce",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:b", "2025-04-26").Rep("report:b", "outlet:c", "2025-04-25").
					App("report:a", "report:b").App("report:b")
			},
			terminal:   graph.TerminalUnattributed,
			hops:       []graph.Reliability{relB, relC},
			origin:     relC,
			confidence: w(relB) * w(relC),
			weakest:    1,
			limitedBy:  "Outlet C (C)",
		},
		{
			// Ensure a one-report unattributed chain weighs its outlet once.
			name: "UnattributedOneHop",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:b", "2025-04-26").App("report:a")
			},
			terminal:   graph.TerminalUnattributed,
			hops:       []graph.Reliability{relB},
			origin:     relB,
			confidence: w(relB),
			weakest:    0,
			limitedBy:  "Outlet B (B)",
		},
		{
			// Ensure each hop is rated as of its own publication: the same
			// outlet is D after its rating changed and B before.
			name: "RatingAtPublication",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:h", "2025-07-01").Rep("report:b", "outlet:h", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:ada")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relD, relB},
			origin:     relA,
			confidence: w(relD) * w(relB) * w(relA),
			weakest:    0,
			limitedBy:  "Outlet H (D)",
		},
		{
			// Ensure an outlet not yet rated at publication is judged F.
			name: "OutletRatedLater",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:h", "2023-05-01").App("report:a", "official:ada")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relF},
			origin:     relA,
			confidence: w(relF) * w(relA),
			weakest:    0,
			limitedBy:  "Outlet H (F)",
		},
		{
			// Ensure an unrated outlet is judged F.
			name: "UnratedOutlet",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:u", "2025-04-25").App("report:a", "official:ada")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relF},
			origin:     relA,
			confidence: w(relF) * w(relA),
			weakest:    0,
			limitedBy:  "Outlet U (F)",
		},
		{
			// Ensure the origin is rated as of the last report's publication
			// (A then, though E now), and a tie goes to the origin.
			name: "OriginRatedAtLastPublication",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-07-01").Rep("report:b", "outlet:a", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:ryan")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relA, relA},
			origin:     relA,
			confidence: 1,
			weakest:    1,
			limitedBy:  "Ryan Cole (A)",
		},
		{
			// Ensure of two equally weak hops the later one is the weakest.
			name: "TieGoesToLaterHop",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:d", "2025-04-27").Rep("report:b", "outlet:d", "2025-04-26").
					Rep("report:c", "outlet:a", "2025-04-25").
					App("report:a", "report:b").App("report:b", "report:c").App("report:c", "official:ada")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relD, relD, relA},
			origin:     relA,
			confidence: w(relD) * w(relD) * w(relA) * w(relA),
			weakest:    1,
			limitedBy:  "Outlet D (D)",
		},
		{
			// Ensure an origin as weak as the weakest hop limits the chain.
			name: "TieGoesToOrigin",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:b", "2025-04-26").Rep("report:b", "outlet:a", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:ben")
			},
			terminal:   graph.TerminalOfficial,
			hops:       []graph.Reliability{relB, relA},
			origin:     relB,
			confidence: w(relB) * w(relA) * w(relB),
			weakest:    1,
			limitedBy:  "Ben Hale (B)",
		},
		{
			// Ensure an unrecorded outlet origin is rated as of the report.
			name: "OutletUnrecorded",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-04-25").App("report:a", "outlet:c")
			},
			terminal:   graph.TerminalOutletUnrecorded,
			hops:       []graph.Reliability{relA},
			origin:     relC,
			confidence: w(relA) * w(relC),
			weakest:    0,
			limitedBy:  "Outlet C (C)",
		},
		{
			// Ensure an unrecorded cited report's outlet is the origin.
			name: "CitedReportUnrecorded",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-04-26").Rep("report:n", "outlet:e", "2025-04-25").
					App("report:a", "report:n")
			},
			terminal:   graph.TerminalCitedReportUnrecorded,
			hops:       []graph.Reliability{relA},
			origin:     relE,
			confidence: w(relA) * w(relE),
			weakest:    0,
			limitedBy:  "Outlet E (E)",
		},
		{
			// Ensure a circular chain has no origin, weighed as F.
			name: "Circular",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-04-25").Rep("report:b", "outlet:b", "2025-04-25").
					App("report:a", "report:b").App("report:b", "report:a")
			},
			terminal:   graph.TerminalCircular,
			hops:       []graph.Reliability{relA, relB},
			origin:     relF,
			confidence: w(relA) * w(relB) * w(relF),
			weakest:    1,
			limitedBy:  "an unknown origin (F)",
		},
		{
			// Ensure a depth-limited chain has no origin, weighed as F.
			name: "DepthLimit",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:a", "2025-04-26").Rep("report:b", "outlet:b", "2025-04-25").
					App("report:a", "report:b").App("report:b", "official:ada")
			},
			opt:        graph.TraceOptions{MaxDepth: 1},
			terminal:   graph.TerminalDepthLimit,
			hops:       []graph.Reliability{relA},
			origin:     relF,
			confidence: w(relA) * w(relF),
			weakest:    0,
			limitedBy:  "an unknown origin (F)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := base(t)
			tt.build(g)
			chains := trace(t, g.memGraph, "report:a", tt.opt)
			if len(chains) != 1 || chains[0].Terminal != tt.terminal {
				t.Fatalf("chains = %q, want one %s chain", chainLines(chains), tt.terminal)
			}
			j, err := graph.JudgeChain(context.Background(), g, chains[0])
			if err != nil {
				t.Fatalf("JudgeChain: %v", err)
			}
			if fmt.Sprint(j.HopReliability) != fmt.Sprint(tt.hops) {
				t.Errorf("HopReliability = %v, want %v", j.HopReliability, tt.hops)
			}
			if j.OriginReliability != tt.origin {
				t.Errorf("OriginReliability = %v, want %v", j.OriginReliability, tt.origin)
			}
			checkConfidence(t, j.Confidence, tt.confidence)
			if j.WeakestHop != tt.weakest || j.LimitedBy != tt.limitedBy {
				t.Errorf("WeakestHop, LimitedBy = %d, %q; want %d, %q", j.WeakestHop, j.LimitedBy, tt.weakest, tt.limitedBy)
			}
		})
	}
}

// TestJudgeChain_OutletOriginOnPath reproduces a mismatch between
// ChainJudgement.Confidence's documentation ("an outlet origin already on
// the path is counted once") and JudgeChain, which counts it once only for
// UNATTRIBUTED chains.
func TestJudgeChain_OutletOriginOnPath(t *testing.T) {
	tests := []struct {
		name     string
		build    func(g *judgeGraph)
		terminal graph.Terminal
	}{
		{
			// Ensure a report citing an older report of its own outlet that
			// does not carry the claim weighs that outlet once.
			name: "CitedReportUnrecordedSameOutlet",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:b", "2025-04-26").Rep("report:n", "outlet:b", "2025-04-20").
					App("report:a", "report:n")
			},
			terminal: graph.TerminalCitedReportUnrecorded,
		},
		{
			// Ensure a report attributing the claim to its own outlet ("as we
			// reported") with no earlier report weighs that outlet once.
			name: "OutletUnrecordedOwnOutlet",
			build: func(g *judgeGraph) {
				g.Rep("report:a", "outlet:b", "2025-04-26").App("report:a", "outlet:b")
			},
			terminal: graph.TerminalOutletUnrecorded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newJudgeGraph(t).Outlet("outlet:b", "Outlet B", "B 2020-01-01")
			tt.build(g)
			chains := trace(t, g.memGraph, "report:a", graph.TraceOptions{})
			if len(chains) != 1 || chains[0].Terminal != tt.terminal || chains[0].Origin != "outlet:b" {
				t.Fatalf("chains = %q, want one %s chain with origin outlet:b", chainLines(chains), tt.terminal)
			}
			j, err := graph.JudgeChain(context.Background(), g, chains[0])
			if err != nil {
				t.Fatalf("JudgeChain: %v", err)
			}
			checkConfidence(t, j.Confidence, w(relB))
		})
	}
}

func TestJudge_RetractionCascade(t *testing.T) {
	// report:a cites report:b cites report:c, which quotes Ada Stone;
	// report:d quotes her directly, through none of them.
	build := func(t *testing.T) *judgeGraph {
		return newJudgeGraph(t).
			Outlet("outlet:a", "Outlet A", "A 2020-01-01").
			Outlet("outlet:b", "Outlet B", "B 2020-01-01").
			Outlet("outlet:c", "Outlet C", "C 2020-01-01").
			Named("official:ada", "Ada Stone", "A 2020-01-01").
			Rep("report:a", "outlet:a", "2025-04-27").
			Rep("report:b", "outlet:b", "2025-04-26").
			Rep("report:c", "outlet:c", "2025-04-25").
			Rep("report:d", "outlet:b", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "report:c").
			App("report:c", "official:ada").
			App("report:d", "official:ada")
	}
	published := w(relA) * w(relB) * w(relC) * w(relA) // the chain from report:a, untouched
	tests := []struct {
		name   string
		status map[string]graph.ReportStatus
		flags  []string // flags of the chains from report:a, b, c and d
		factor float64  // status factor of the chain from report:a
	}{
		{
			// Ensure a retraction at the end of a three-hop chain flags every
			// chain through it, and only those, and cuts confidence.
			name:   "RetractedLastHop",
			status: map[string]graph.ReportStatus{"report:c": graph.StatusRetracted},
			flags:  []string{`["RETRACTED"]`, `["RETRACTED"]`, `["RETRACTED"]`, `[]`},
			factor: graph.RetractedFactor,
		},
		{
			// Ensure a correction flags the chains through it as CORRECTED.
			name:   "CorrectedLastHop",
			status: map[string]graph.ReportStatus{"report:c": graph.StatusCorrected},
			flags:  []string{`["CORRECTED"]`, `["CORRECTED"]`, `["CORRECTED"]`, `[]`},
			factor: graph.CorrectedFactor,
		},
		{
			// Ensure a retracted first report flags only chains starting there.
			name:   "RetractedFirstHop",
			status: map[string]graph.ReportStatus{"report:a": graph.StatusRetracted},
			flags:  []string{`["RETRACTED"]`, `[]`, `[]`, `[]`},
			factor: graph.RetractedFactor,
		},
		{
			// Ensure a retraction and a correction on one chain both apply.
			name:   "RetractedAndCorrected",
			status: map[string]graph.ReportStatus{"report:a": graph.StatusCorrected, "report:b": graph.StatusRetracted},
			flags:  []string{`["RETRACTED" "CORRECTED"]`, `["RETRACTED"]`, `[]`, `[]`},
			factor: graph.RetractedFactor * graph.CorrectedFactor,
		},
		{
			// Ensure published reports flag nothing.
			name:   "Published",
			flags:  []string{`[]`, `[]`, `[]`, `[]`},
			factor: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(t)
			for id, s := range tt.status {
				g.Status(id, s)
			}
			j := judgeClaim(t, g, graph.TraceOptions{})
			if len(j.Chains) != 4 {
				t.Fatalf("chains = %q, want 4", chainLines(j.Chains))
			}
			for i, c := range j.Chains {
				if got := fmt.Sprintf("%q", c.Flags); got != tt.flags[i] {
					t.Errorf("chain from %s: Flags = %s, want %s", c.From, got, tt.flags[i])
				}
			}
			if a := j.Chains[0]; a.From != "report:a" || len(a.Hops) != 3 {
				t.Fatalf("first chain = %q with %d hops, want the three-hop chain from report:a", chainLines(j.Chains[:1]), len(a.Hops))
			}
			cj, err := graph.JudgeChain(context.Background(), g, j.Chains[0])
			if err != nil {
				t.Fatalf("JudgeChain: %v", err)
			}
			checkConfidence(t, cj.Confidence, published*tt.factor)
			dj, err := graph.JudgeChain(context.Background(), g, j.Chains[3])
			if err != nil {
				t.Fatalf("JudgeChain: %v", err)
			}
			checkConfidence(t, dj.Confidence, w(relB)*w(relA))
			// The chain from report:d keeps the claim out of rule 4.
			if j.Credibility.Grade != 2 {
				t.Errorf("Credibility = %+v, want grade 2", j.Credibility)
			}
		})
	}

	// Ensure a retracted report cited but not carrying the claim flags the
	// chain and cuts its confidence.
	t.Run("RetractedUnrecordedCited", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:a", "Outlet A", "A 2020-01-01").
			Outlet("outlet:c", "Outlet C", "C 2020-01-01").
			Rep("report:a", "outlet:a", "2025-04-26").
			Rep("report:n", "outlet:c", "2025-04-25").
			App("report:a", "report:n").
			Status("report:n", graph.StatusRetracted)
		j := judgeClaim(t, g, graph.TraceOptions{})
		if got, want := chainLines(j.Chains), []string{`report:a CITED_REPORT_UNRECORDED "outlet:c" ["RETRACTED"]`}; !sameStrings(got, want) {
			t.Fatalf("chains = %q, want %q", got, want)
		}
		cj, err := graph.JudgeChain(context.Background(), g, j.Chains[0])
		if err != nil {
			t.Fatalf("JudgeChain: %v", err)
		}
		checkConfidence(t, cj.Confidence, w(relA)*graph.RetractedFactor*w(relC))
		if j.Credibility.Grade != 4 {
			t.Errorf("Credibility = %+v, want grade 4", j.Credibility)
		}
	})
}

// TestJudgeClaim_WhyMentionsStatus reproduces a gap against issue 4
// ("Every chain passing through a retracted report carries the flag
// RETRACTED, and through a corrected one CORRECTED. The claim's why
// mentions it."): the why mentions a retraction only when every chain is
// retracted, and never a correction.
func TestJudgeClaim_WhyMentionsStatus(t *testing.T) {
	tests := []struct {
		name   string
		status graph.ReportStatus
		word   string
	}{
		// Ensure the why mentions a retracted report on some of the chains.
		{"SomeChainsRetracted", graph.StatusRetracted, "retracted"},
		// Ensure the why mentions a corrected report on the chains.
		{"SomeChainsCorrected", graph.StatusCorrected, "corrected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newJudgeGraph(t).
				Outlet("outlet:x", "Outlet X", "B 2020-01-01").
				Named("official:ada", "Ada Stone", "A 2020-01-01").
				Named("official:cy", "Cy Brook", "B 2020-01-01").
				Rep("report:a", "outlet:x", "2025-04-25").
				Rep("report:b", "outlet:x", "2025-04-26").
				App("report:a", "official:ada").
				App("report:b", "official:cy").
				Status("report:b", tt.status)
			c := judgeClaim(t, g, graph.TraceOptions{}).Credibility
			if !strings.Contains(c.Why, tt.word) {
				t.Errorf("Why = %q, want it to mention the %s report", c.Why, tt.word)
			}
		})
	}
}

func TestJudgeClaim_RetractedOriginNotCounted(t *testing.T) {
	// Ensure an origin that stands behind the claim only through a
	// retracted report is listed but not counted as independent, so it
	// cannot confirm the claim.
	g := newJudgeGraph(t).
		Outlet("outlet:x", "Outlet X", "B 2020-01-01").
		Named("official:ada", "Ada Stone", "A 2020-01-01").
		Named("official:cy", "Cy Brook", "B 2020-01-01").
		Rep("report:a", "outlet:x", "2025-04-25").
		Rep("report:b", "outlet:x", "2025-04-26").
		App("report:a", "official:ada").
		App("report:b", "official:cy").
		Status("report:b", graph.StatusRetracted)
	j := judgeClaim(t, g, graph.TraceOptions{})
	if len(j.Origins) != 2 || j.IndependentOrigins != (graph.Range{Min: 1, Max: 1}) {
		t.Fatalf("origins %d, independent %+v; want 2 listed, {1 1} counted", len(j.Origins), j.IndependentOrigins)
	}
	want := "2 reports, 1 independent origin (Ada Stone, named, rated A); 1 of 2 chains passes through a retracted report: probably true"
	if j.Credibility.Grade != 2 || j.Credibility.Why != want {
		t.Fatalf("credibility %d %q\nwant 2 %q", j.Credibility.Grade, j.Credibility.Why, want)
	}
}

// TestJudgeClaim_VisitBudget reproduces a panic: once originGroups has
// spent opt.MaxVisit on earlier groups, each later anonymous origin gets an
// empty group, and describeGroups indexes g[0] of it.
func TestJudgeClaim_VisitBudget(t *testing.T) {
	// Ensure a small visit budget still puts every origin in exactly one
	// non-empty group, without panicking.
	t.Run("Exhausted", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "Outlet X").
			Anon("official:a", "unnamed A").Anon("official:b", "unnamed B").Anon("official:c", "unnamed C").
			Same("official:a", "official:b").
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:a", "official:b", "official:c")
		var j *graph.Judgement
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("JudgeClaim(MaxVisit: 2) panicked: %v", p)
				}
			}()
			j, err = graph.JudgeClaim(context.Background(), g, testClaim, graph.TraceOptions{MaxVisit: 2})
		}()
		if err != nil {
			t.Fatalf("JudgeClaim: %v", err)
		}
		seen := map[string]int{}
		for _, grp := range j.Groups {
			if len(grp) == 0 {
				t.Errorf("Groups = %q: an empty group", j.Groups)
			}
			for _, id := range grp {
				seen[id]++
			}
		}
		for _, o := range j.Origins {
			if seen[o.ID] != 1 {
				t.Errorf("origin %s is in %d groups, want 1", o.ID, seen[o.ID])
			}
		}
	})
}

func TestJudge_Errors(t *testing.T) {
	g := newJudgeGraph(t).
		Outlet("outlet:x", "Outlet X").
		Rep("report:a", "outlet:x", "2025-04-25").
		Rep("report:b", "outlet:y", "2025-04-25"). // outlet:y is not in the graph
		App("report:a", "official:missing").
		App("report:b")
	tests := []struct {
		name string
		run  func(t *testing.T) error
		code string
	}{
		// Ensure an unknown claim is ENOTFOUND.
		{"ClaimNotFound", func(t *testing.T) error {
			_, err := graph.JudgeClaim(context.Background(), g, "claim:none", graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		// Ensure an invalid depth is EINVALID.
		{"InvalidDepth", func(t *testing.T) error {
			_, err := graph.JudgeClaim(context.Background(), g, testClaim, graph.TraceOptions{MaxDepth: graph.MaxMaxDepth + 1})
			return err
		}, graph.EINVALID},
		// Ensure an origin missing from the graph is ENOTFOUND.
		{"OriginNotFound", func(t *testing.T) error {
			_, err := graph.JudgeClaim(context.Background(), g, testClaim, graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		// Ensure a hop's outlet missing from the graph is ENOTFOUND.
		{"HopOutletNotFound", func(t *testing.T) error {
			chains := trace(t, g.memGraph, "report:b", graph.TraceOptions{})
			_, err := graph.JudgeChain(context.Background(), g, chains[0])
			return err
		}, graph.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(t); graph.ErrorCode(err) != tt.code {
				t.Fatalf("ErrorCode(%v) = %q, want %q", err, graph.ErrorCode(err), tt.code)
			}
		})
	}
}

func TestJudgeClaim_Seed(t *testing.T) {
	// The shape of the seed's headline claim: Euromaidan Press (known only
	// as "2025") relays The Telegraph of 2025-04-25, which attributes the
	// claim to unnamed US officials and unnamed US negotiators who may be
	// the same people.
	const (
		euromaidan = "report:euromaidanpress-2025-us-backstop"
		telegraph  = "report:telegraph-2025-04-25-us-backstop"
		officials  = "official:us-officials-unnamed"
		negotiator = "official:us-negotiators-unnamed"
	)
	g := newJudgeGraph(t).
		Outlet("outlet:euromaidanpress", "Euromaidan Press", "C 2025-01-01").
		Outlet("outlet:telegraph", "The Telegraph", "B 2025-01-01").
		Anon(officials, "unnamed US officials").
		Anon(negotiator, "unnamed US negotiators").
		Same(officials, negotiator).
		Rep(euromaidan, "outlet:euromaidanpress", "2025", telegraph).
		Rep(telegraph, "outlet:telegraph", "2025-04-25").
		App(euromaidan, telegraph).
		App(telegraph, officials, negotiator)
	j := judgeClaim(t, g, graph.TraceOptions{})

	// Ensure both chains of both reports end at the two anonymous groups.
	t.Run("Chains", func(t *testing.T) {
		want := []string{
			`report:euromaidanpress-2025-us-backstop OFFICIAL "official:us-negotiators-unnamed" []`,
			`report:euromaidanpress-2025-us-backstop OFFICIAL "official:us-officials-unnamed" []`,
			`report:telegraph-2025-04-25-us-backstop OFFICIAL "official:us-negotiators-unnamed" []`,
			`report:telegraph-2025-04-25-us-backstop OFFICIAL "official:us-officials-unnamed" []`,
		}
		if got := chainLines(j.Chains); !sameStrings(got, want) {
			t.Errorf("chains = %q\nwant %q", got, want)
		}
	})

	// Ensure the two possibly-same groups are 1 to 2 independent origins.
	t.Run("IndependentOrigins", func(t *testing.T) {
		if want := (graph.Range{Min: 1, Max: 2}); j.IndependentOrigins != want {
			t.Errorf("IndependentOrigins = %+v, want %+v", j.IndependentOrigins, want)
		}
		if got, want := originIDs(j.Origins), []string{negotiator, officials}; !sameStrings(got, want) {
			t.Errorf("origins = %q, want %q", got, want)
		}
		if j.Reports != 2 {
			t.Errorf("Reports = %d, want 2", j.Reports)
		}
	})

	// Ensure the claim is possibly true and the why names both groups as
	// possibly the same people.
	t.Run("Credibility", func(t *testing.T) {
		want := graph.Credibility{
			Grade: 3,
			Label: "possibly true",
			Why:   "2 reports, 1–2 independent origins (unnamed US negotiators and unnamed US officials, anonymous and possibly the same people, unrated): possibly true",
		}
		if j.Credibility != want {
			t.Errorf("Credibility = %+v\nwant %+v", j.Credibility, want)
		}
		for _, s := range []string{"unnamed US negotiators", "unnamed US officials", "possibly the same people", "1–2 independent origins"} {
			if !strings.Contains(j.Credibility.Why, s) {
				t.Errorf("Why %q does not mention %q", j.Credibility.Why, s)
			}
		}
	})

	// Ensure the Euromaidan chain is rated C then B, limited by the
	// unrated negotiators.
	t.Run("Chain", func(t *testing.T) {
		cj, err := graph.JudgeChain(context.Background(), g, j.Chains[0])
		if err != nil {
			t.Fatalf("JudgeChain: %v", err)
		}
		if fmt.Sprint(cj.HopReliability) != fmt.Sprint([]graph.Reliability{relC, relB}) || cj.OriginReliability != relF {
			t.Errorf("HopReliability, OriginReliability = %v, %v; want [C B], F", cj.HopReliability, cj.OriginReliability)
		}
		checkConfidence(t, cj.Confidence, w(relC)*w(relB)*w(relF))
		if cj.WeakestHop != 1 || cj.LimitedBy != "unnamed US negotiators (F)" {
			t.Errorf("WeakestHop, LimitedBy = %d, %q; want 1, %q", cj.WeakestHop, cj.LimitedBy, "unnamed US negotiators (F)")
		}
	})
}
