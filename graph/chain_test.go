package graph_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"hearsay/graph"
)

func TestTraceAppearance_Official(t *testing.T) {
	// Ensure an attribution to an official ends the chain there, with the
	// official as its origin and every hop field filled in.
	t.Run("OK", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25T10:30:00+02:00").
			App("report:a", "official:o")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "official:o")},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
		})
		h := chains[0].Hops[0]
		if h.Outlet != "outlet:x" {
			t.Errorf("Outlet = %q, want outlet:x", h.Outlet)
		}
		if got := h.Published.String(); got != "2025-04-25T08:30:00Z" {
			t.Errorf("Published = %q, want 2025-04-25T08:30:00Z", got)
		}
		if h.Quote != "quote in report:a" || h.Hedge != "reportedly" || h.AttributionQuote != "q official:o" {
			t.Errorf("Quote, Hedge, AttributionQuote = %q, %q, %q", h.Quote, h.Hedge, h.AttributionQuote)
		}
	})

	// Ensure the chain's hops reach the official through a report that
	// carries the claim, and that each hop names its own report's outlet.
	t.Run("ThroughReport", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "official:o")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "official:o")},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
		})
		if o0, o1 := chains[0].Hops[0].Outlet, chains[0].Hops[1].Outlet; o0 != "outlet:x" || o1 != "outlet:y" {
			t.Errorf("hop outlets = %q, %q, want outlet:x, outlet:y", o0, o1)
		}
		if q := chains[0].Hops[0].AttributionQuote; q != "q report:b" {
			t.Errorf("AttributionQuote = %q, want the attribution's quote", q)
		}
	})
}

func TestTraceAppearance_CitedReportUnrecorded(t *testing.T) {
	// Ensure an attribution to a report that does not carry the claim ends
	// the chain at that report, with its outlet as the origin.
	t.Run("OK", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-26").
			Rep("report:n", "outlet:z", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "report:n")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "report:n")},
			terminal: graph.TerminalCitedReportUnrecorded,
			origin:   "outlet:z",
		})
	})

	// Ensure the last hop is flagged when the unrecorded report was
	// published after the report relying on it.
	t.Run("TemporalAnomaly", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-20").
			Rep("report:n", "outlet:z", "2025-04-25").
			App("report:a", "report:n")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:n").late()},
			terminal: graph.TerminalCitedReportUnrecorded,
			origin:   "outlet:z",
			flags:    []string{graph.FlagTemporalAnomaly},
		})
	})

	// Ensure a cited report missing from the graph is reported as not found,
	// not turned into a terminal.
	t.Run("ErrNotFound", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-20").
			App("report:a", "report:missing")
		_, err := graph.TraceAppearance(context.Background(), g, testClaim, "report:a", graph.TraceOptions{})
		if code := graph.ErrorCode(err); code != graph.ENOTFOUND {
			t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.ENOTFOUND)
		}
	})
}

func TestTraceAppearance_Outlet(t *testing.T) {
	// Each case: report:a of outlet:x, dated cite, attributes the claim to
	// outlet:y. The candidates are reports carrying the claim, each
	// attributing it to official:<its slug>, so the origin names the pick.
	type cand struct{ id, outlet, date string }
	tests := []struct {
		name  string
		cite  string
		cands []cand
		pick  string // "" for OUTLET_UNRECORDED
	}{
		// Ensure the latest earlier report of the outlet is picked, not a
		// later one nor one of another outlet.
		{"EarlierNotLaterNorOtherOutlet", "2025-04-25", []cand{
			{"report:y-early", "outlet:y", "2025-04-20"},
			{"report:y-mid", "outlet:y", "2025-04-22"},
			{"report:y-late", "outlet:y", "2025-04-28"},
			{"report:z-near", "outlet:z", "2025-04-24"},
		}, "report:y-mid"},
		// Ensure a report of the same day counts as no later.
		{"SameDay", "2025-04-25", []cand{
			{"report:y-early", "outlet:y", "2025-04-20"},
			{"report:y-same", "outlet:y", "2025-04-25"},
		}, "report:y-same"},
		// Ensure a report dated only by year may be no later than one dated
		// by day in that year.
		{"CitingYearOnly", "2025", []cand{
			{"report:y-day", "outlet:y", "2025-04-25"},
			{"report:y-next-year", "outlet:y", "2026-01-01"},
		}, "report:y-day"},
		// Ensure a candidate dated by month qualifies for a citing report
		// dated by a day of that month.
		{"CandidateMonthOnly", "2025-04-01", []cand{
			{"report:y-month", "outlet:y", "2025-04"},
		}, "report:y-month"},
		// Ensure a dated earlier report is preferred over an undated one.
		{"DatedOverUndated", "2025-04-25", []cand{
			{"report:y-undated", "outlet:y", ""},
			{"report:y-early", "outlet:y", "2025-04-20"},
		}, "report:y-early"},
		// Ensure an undated report qualifies when it is the only one.
		{"UndatedCandidate", "2025-04-25", []cand{
			{"report:y-undated", "outlet:y", ""},
			{"report:y-late", "outlet:y", "2025-04-28"},
		}, "report:y-undated"},
		// Ensure every candidate qualifies when the citing report is
		// undated, and the latest is picked.
		{"UndatedCiting", "", []cand{
			{"report:y-early", "outlet:y", "2025-04-20"},
			{"report:y-late", "outlet:y", "2025-04-28"},
		}, "report:y-late"},
		// Ensure ties on the date go to the greater ID.
		{"TieGreaterID", "2025-04-25", []cand{
			{"report:y-2", "outlet:y", "2025-04-20"},
			{"report:y-1", "outlet:y", "2025-04-20"},
		}, "report:y-2"},
		// Ensure only later reports of the outlet mean OUTLET_UNRECORDED.
		{"OnlyLater", "2025-04-25", []cand{
			{"report:y-late", "outlet:y", "2025-04-26"},
			{"report:z-near", "outlet:z", "2025-04-24"},
		}, ""},
		// Ensure no report of the outlet means OUTLET_UNRECORDED.
		{"None", "2025-04-25", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newMemGraph(t).
				Rep("report:a", "outlet:x", tt.cite).
				App("report:a", "outlet:y").
				// A report of the outlet that does not carry the claim
				// never qualifies.
				Rep("report:y-silent", "outlet:y", "2025-04-24")
			for _, c := range tt.cands {
				g.Rep(c.id, c.outlet, c.date).App(c.id, "official:"+c.id[len("report:"):])
			}
			want := chainWant{
				hops:     []hopWant{hop("report:a", "outlet:y")},
				terminal: graph.TerminalOutletUnrecorded,
				origin:   "outlet:y",
			}
			if tt.pick != "" {
				o := "official:" + tt.pick[len("report:"):]
				want = chainWant{
					hops:     []hopWant{hop("report:a", "outlet:y"), hop(tt.pick, o)},
					terminal: graph.TerminalOfficial,
					origin:   o,
				}
			}
			// Ensure the pick is the same whether the trace reads every
			// report carrying the claim or asks an outlet index, and that
			// with the index it reads no report of another outlet.
			for _, r := range []graph.TraceReader{g, indexed{g}} {
				g.resetReads()
				chains, err := graph.TraceAppearance(context.Background(), r, testClaim, "report:a", graph.TraceOptions{})
				if err != nil {
					t.Fatal(err)
				}
				checkChains(t, testClaim, chains, want)
				if _, ok := r.(indexed); !ok {
					continue
				}
				for _, c := range tt.cands {
					if n := g.reads[c.id]; c.outlet != "outlet:y" && n > 0 {
						t.Errorf("with an outlet index, %s of %s was read %d times", c.id, c.outlet, n)
					}
				}
			}
		})
	}
}

func TestTraceAppearance_Unattributed(t *testing.T) {
	// Ensure a report without attributions that cites a report carrying
	// the claim is followed there as an inferred hop, and that cited
	// reports not carrying the claim are skipped.
	t.Run("InferredFromCites", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26", "report:b", "report:n").
			Rep("report:b", "outlet:y", "2025-04-25").
			Rep("report:n", "outlet:z", "2025-04-25").
			App("report:a").
			App("report:b", "official:o")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{inferredHop("report:a", "report:b"), hop("report:b", "official:o")},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
		})
	})

	// Ensure every cited report carrying the claim becomes a branch, in ID
	// order.
	t.Run("InferredBranches", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26", "report:c", "report:b").
			Rep("report:b", "outlet:y", "2025-04-25").
			Rep("report:c", "outlet:z", "2025-04-25").
			App("report:a").
			App("report:b", "official:o").
			App("report:c")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}),
			chainWant{
				hops:     []hopWant{inferredHop("report:a", "report:b"), hop("report:b", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{inferredHop("report:a", "report:c"), hop("report:c", "")},
				terminal: graph.TerminalUnattributed,
				origin:   "outlet:z",
			})
	})

	// Ensure a report with attributions is not also followed through its
	// citations.
	t.Run("AttributionWinsOverCites", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26", "report:b").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "official:o").
			App("report:b", "official:p")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "official:o")},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
		})
	})

	// Ensure a report that cites only reports without the claim ends the
	// chain as UNATTRIBUTED, with its own outlet as the origin.
	t.Run("CitesNotCarrying", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26", "report:n").
			Rep("report:n", "outlet:z", "2025-04-25").
			App("report:a")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "")},
			terminal: graph.TerminalUnattributed,
			origin:   "outlet:x",
		})
	})

	// Ensure the origin is the outlet of the last report, not the first.
	t.Run("AtEndOfChain", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "")},
			terminal: graph.TerminalUnattributed,
			origin:   "outlet:y",
		})
		if q := chains[0].Hops[1].AttributionQuote; q != "" {
			t.Errorf("AttributionQuote of the unattributed hop = %q, want empty", q)
		}
	})
}

func TestTraceAppearance_Circular(t *testing.T) {
	// Ensure A→B→A ends with CIRCULAR, no origin, and the last hop
	// pointing back at A.
	t.Run("TwoReports", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "report:a")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "report:a")},
			terminal: graph.TerminalCircular,
		})
	})

	// Ensure the hop that closes a loop onto a later report is flagged:
	// citogenesis is circular reporting whose loop runs back in time.
	t.Run("Citogenesis", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "report:a")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "report:a").late()},
			terminal: graph.TerminalCircular,
			flags:    []string{graph.FlagTemporalAnomaly},
		})
	})

	// Ensure a loop that does not pass through the start is caught too.
	t.Run("LoopAfterStart", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "").
			Rep("report:b", "outlet:y", "").
			Rep("report:c", "outlet:z", "").
			App("report:a", "report:b").
			App("report:b", "report:c").
			App("report:c", "report:b")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "report:c"), hop("report:c", "report:b")},
			terminal: graph.TerminalCircular,
		})
	})

	// Ensure a report attributing the claim to itself is circular at once.
	t.Run("SelfAttribution", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "report:a")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "report:a")},
			terminal: graph.TerminalCircular,
		})
	})

	// Ensure a loop through an inferred citation is circular.
	t.Run("ThroughCites", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "", "report:b").
			Rep("report:b", "outlet:y", "", "report:a").
			App("report:a").
			App("report:b")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{inferredHop("report:a", "report:b"), inferredHop("report:b", "report:a")},
			terminal: graph.TerminalCircular,
		})
	})

	// Ensure two same-day reports of one outlet, each attributing the claim
	// to that outlet, end in CIRCULAR rather than looping.
	t.Run("ThroughOwnOutlet", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			Rep("report:b", "outlet:x", "2025-04-25").
			App("report:a", "outlet:x").
			App("report:b", "outlet:x")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "outlet:x"), hop("report:b", "outlet:x")},
			terminal: graph.TerminalCircular,
		})
	})

	// Ensure a report attributing the claim to its own outlet is never its
	// own candidate: with no other report of the outlet the chain ends as
	// OUTLET_UNRECORDED.
	t.Run("OwnOutletAlone", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "outlet:x")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{hop("report:a", "outlet:x")},
			terminal: graph.TerminalOutletUnrecorded,
			origin:   "outlet:x",
		})
	})

	// Ensure an appearance reached twice on different branches, without a
	// loop, is not taken for circular reporting.
	t.Run("DiamondIsNotCircular", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			Rep("report:c", "outlet:z", "2025-04-25").
			Rep("report:d", "outlet:w", "2025-04-24").
			App("report:a", "report:b", "report:c").
			App("report:b", "report:d").
			App("report:c", "report:d").
			App("report:d", "official:o")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}),
			chainWant{
				hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "report:d"), hop("report:d", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{hop("report:a", "report:c"), hop("report:c", "report:d"), hop("report:d", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			})
	})
}

func TestTraceAppearance_TemporalAnomaly(t *testing.T) {
	// Ensure a hop to a later report is flagged, on the hop and once on the
	// chain, and the chain still reaches its real terminal.
	t.Run("KeepsGoing", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-20").
			Rep("report:b", "outlet:y", "2025-04-25").
			Rep("report:c", "outlet:z", "2025-04-10").
			Rep("report:d", "outlet:w", "2025-04-30").
			App("report:a", "report:b").
			App("report:b", "report:c").
			App("report:c", "report:d").
			App("report:d", "official:o")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops: []hopWant{
				hop("report:a", "report:b").late(),
				hop("report:b", "report:c"),
				hop("report:c", "report:d").late(),
				hop("report:d", "official:o"),
			},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
			flags:    []string{graph.FlagTemporalAnomaly},
		})
	})

	// Ensure an inferred hop to a later report is flagged too.
	t.Run("Inferred", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-20", "report:b").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a").
			App("report:b")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), chainWant{
			hops:     []hopWant{inferredHop("report:a", "report:b").late(), hop("report:b", "")},
			terminal: graph.TerminalUnattributed,
			origin:   "outlet:y",
			flags:    []string{graph.FlagTemporalAnomaly},
		})
	})

	// Ensure only a target certainly published after the citing report is
	// an anomaly, whatever the two precisions.
	tests := []struct {
		name, citing, cited string
		late                bool
	}{
		{"DayAfterDay", "2025-04-20", "2025-04-21", true},
		{"SameDay", "2025-04-20", "2025-04-20", false},
		{"DayBeforeDay", "2025-04-21", "2025-04-20", false},
		{"MonthThenDayInIt", "2025-04", "2025-04-25", false},
		{"MonthThenNextMonth", "2025-03", "2025-04-25", true},
		{"YearThenDayInIt", "2025", "2025-12-31", false},
		{"DayThenYear", "2025-04-25", "2025", false},
		{"SecondThenSecondAfter", "2025-04-25T10:00:00Z", "2025-04-25T10:00:01Z", true},
		{"SecondThenSameDay", "2025-04-25T10:00:00Z", "2025-04-25", false},
		{"UndatedCiting", "", "2025-04-25", false},
		{"UndatedCited", "2025-04-25", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newMemGraph(t).
				Rep("report:a", "outlet:x", tt.citing).
				Rep("report:b", "outlet:y", tt.cited).
				App("report:a", "report:b").
				App("report:b", "official:o")
			want := chainWant{
				hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			}
			if tt.late {
				want.hops[0] = want.hops[0].late()
				want.flags = []string{graph.FlagTemporalAnomaly}
			}
			checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}), want)
		})
	}
}

// lineGraph returns a graph of n reports report:r00 … where each attributes
// the claim to the next and the last to official:o.
func lineGraph(t *testing.T, n int) *memGraph {
	g := newMemGraph(t)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("report:r%02d", i)
		next := fmt.Sprintf("report:r%02d", i+1)
		if i == n-1 {
			next = "official:o"
		}
		g.Rep(id, "outlet:x", "2025-04-25").App(id, next)
	}
	return g
}

func TestTraceAppearance_Depth(t *testing.T) {
	g := lineGraph(t, 20)
	tests := []struct {
		name     string
		maxDepth int
		hops     int
		terminal graph.Terminal
	}{
		// Ensure the default depth is 16 hops.
		{"Default", 0, graph.DefaultMaxDepth, graph.TerminalDepthLimit},
		{"Three", 3, 3, graph.TerminalDepthLimit},
		{"One", 1, 1, graph.TerminalDepthLimit},
		// Ensure a chain exactly as long as the depth is not cut.
		{"ExactFit", 20, 20, graph.TerminalOfficial},
		{"OneShort", 19, 19, graph.TerminalDepthLimit},
		{"Ceiling", graph.MaxMaxDepth, 20, graph.TerminalOfficial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := chainWant{terminal: tt.terminal}
			for i := 0; i < tt.hops; i++ {
				next := fmt.Sprintf("report:r%02d", i+1)
				if i == 19 {
					next = "official:o"
				}
				w.hops = append(w.hops, hop(fmt.Sprintf("report:r%02d", i), next))
			}
			if tt.terminal == graph.TerminalOfficial {
				w.origin = "official:o"
			}
			checkChains(t, testClaim, trace(t, g, "report:r00", graph.TraceOptions{MaxDepth: tt.maxDepth}), w)
		})
	}

	// Ensure a depth outside 1…MaxMaxDepth is rejected as invalid.
	for _, d := range []int{-1, graph.MaxMaxDepth + 1, 1000} {
		t.Run(fmt.Sprintf("ErrInvalid%d", d), func(t *testing.T) {
			_, err := graph.TraceAppearance(context.Background(), g, testClaim, "report:r00", graph.TraceOptions{MaxDepth: d})
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.EINVALID)
			}
			_, err = graph.TraceClaim(context.Background(), g, testClaim, graph.TraceOptions{MaxDepth: d})
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("TraceClaim: ErrorCode(%v) = %q, want %q", err, code, graph.EINVALID)
			}
		})
	}
}

// fanGraph returns a graph of layers × width reports in which report:a
// attributes the claim to every report of the first layer, every report to
// every report of the next layer, and the last layer to official:o. It has
// width^layers paths.
func fanGraph(t *testing.T, layers, width int) *memGraph {
	g := newMemGraph(t)
	layer := func(l int) []string {
		var ids []string
		for i := 0; i < width; i++ {
			ids = append(ids, fmt.Sprintf("report:l%d-%d", l, i))
		}
		return ids
	}
	g.Rep("report:a", "outlet:x", "2025-04-25").App("report:a", layer(0)...)
	for l := 0; l < layers; l++ {
		next := []string{"official:o"}
		if l < layers-1 {
			next = layer(l + 1)
		}
		for _, id := range layer(l) {
			g.Rep(id, "outlet:x", "2025-04-25").App(id, next...)
		}
	}
	return g
}

func TestTraceAppearance_VisitLimit(t *testing.T) {
	const layers, width = 5, 4 // 4^5 = 1024 paths

	// Ensure the fan's paths are all traced under the default budget.
	t.Run("Unbounded", func(t *testing.T) {
		chains := trace(t, fanGraph(t, layers, width), "report:a", graph.TraceOptions{})
		if len(chains) != 1024 {
			t.Fatalf("got %d chains, want 1024", len(chains))
		}
		for i, c := range chains {
			if c.Terminal != graph.TerminalOfficial || len(c.Hops) != layers+1 || len(c.Flags) != 0 {
				t.Fatalf("chain %d: %s", i, summarize(c))
			}
		}
	})

	// Ensure a small budget cuts the trace: the chain count is bounded by
	// the budget, cut chains end with DEPTH_LIMIT and VISIT_LIMIT, and
	// every chain still is a prefix of a real path.
	for _, visit := range []int{1, 3, 10} {
		t.Run(fmt.Sprintf("MaxVisit%d", visit), func(t *testing.T) {
			g := fanGraph(t, layers, width)
			chains := trace(t, g, "report:a", graph.TraceOptions{MaxVisit: visit})
			if len(chains) == 0 || len(chains) > visit*width {
				t.Fatalf("got %d chains, want 1…%d", len(chains), visit*width)
			}
			cut := 0
			for i, c := range chains {
				switch c.Terminal {
				case graph.TerminalDepthLimit:
					cut++
					if c.Origin != "" || len(c.Flags) != 1 || c.Flags[0] != graph.FlagVisitLimit {
						t.Errorf("chain %d: %s", i, summarize(c))
					}
					if last := c.Hops[len(c.Hops)-1]; graph.KindOf(last.To) != graph.KindReport {
						t.Errorf("chain %d: cut after a hop to %q, want a report", i, last.To)
					}
				case graph.TerminalOfficial:
					if len(c.Hops) != layers+1 || len(c.Flags) != 0 {
						t.Errorf("chain %d: %s", i, summarize(c))
					}
				default:
					t.Errorf("chain %d: terminal %s", i, c.Terminal)
				}
			}
			if cut == 0 {
				t.Fatalf("no chain was cut by the visit budget")
			}
		})
	}

	// Ensure the budget is shared by all the appearances TraceClaim traces.
	t.Run("SharedByTraceClaim", func(t *testing.T) {
		g := fanGraph(t, layers, width)
		chains, err := graph.TraceClaim(context.Background(), g, testClaim, graph.TraceOptions{MaxVisit: 10})
		if err != nil {
			t.Fatal(err)
		}
		// 21 appearances: each start is one visit past the budget, so at
		// most (10 + 21) visits of width chains each.
		if max := (10 + 21) * width; len(chains) > max {
			t.Fatalf("got %d chains, want at most %d", len(chains), max)
		}
	})
}

func TestTraceAppearance_Branching(t *testing.T) {
	// Ensure an appearance with several attributions yields one chain per
	// leaf, ordered by source ID whatever the order of the attributions.
	t.Run("OK", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b", "official:p", "official:o").
			App("report:b", "official:q", "outlet:z")
		checkChains(t, testClaim, trace(t, g, "report:a", graph.TraceOptions{}),
			chainWant{
				hops:     []hopWant{hop("report:a", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{hop("report:a", "official:p")},
				terminal: graph.TerminalOfficial,
				origin:   "official:p",
			},
			chainWant{
				hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "official:q")},
				terminal: graph.TerminalOfficial,
				origin:   "official:q",
			},
			chainWant{
				hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "outlet:z")},
				terminal: graph.TerminalOutletUnrecorded,
				origin:   "outlet:z",
			})
	})

	// Ensure chains sharing a prefix do not share hop storage: changing one
	// chain's hop leaves its sibling intact.
	t.Run("HopsNotAliased", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "official:o", "official:p")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		if len(chains) != 2 {
			t.Fatalf("got %d chains, want 2", len(chains))
		}
		chains[0].Hops[0].Report = "changed"
		chains[0].Hops[1].To = "changed"
		if chains[1].Hops[0].Report != "report:a" || chains[1].Hops[1].To != "official:p" {
			t.Fatalf("sibling chain changed: %s", summarize(chains[1]))
		}
	})
}

func TestTraceClaim(t *testing.T) {
	// Ensure every appearance is traced, in report ID order, and each
	// report is read at most once.
	t.Run("OK", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:c", "outlet:z", "2025-04-27").
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:c").
			App("report:a", "report:b", "outlet:y").
			App("report:b", "official:o")
		g.resetReads()
		chains, err := graph.TraceClaim(context.Background(), g, testClaim, graph.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkChains(t, testClaim, chains,
			chainWant{
				hops:     []hopWant{hop("report:a", "outlet:y"), hop("report:b", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{hop("report:b", "official:o")},
				terminal: graph.TerminalOfficial,
				origin:   "official:o",
			},
			chainWant{
				hops:     []hopWant{hop("report:c", "")},
				terminal: graph.TerminalUnattributed,
				origin:   "outlet:z",
			})
		for id, n := range g.reads {
			if n > 1 {
				t.Errorf("report %s read %d times, want at most once", id, n)
			}
		}
		// The chains' hops share allocations: each chain's must end at
		// its length, so that appending to one cannot overwrite the next.
		want := make([][]graph.Hop, len(chains))
		for i, c := range chains {
			if cap(c.Hops) != len(c.Hops) {
				t.Errorf("chain %d: hops have capacity %d, length %d", i, cap(c.Hops), len(c.Hops))
			}
			want[i] = slices.Clone(c.Hops)
		}
		for i := range chains {
			_ = append(chains[i].Hops, graph.Hop{Report: "report:overwritten"})
		}
		for i, c := range chains {
			if !slices.Equal(c.Hops, want[i]) {
				t.Errorf("chain %d changed by an append to another: %+v", i, c.Hops)
			}
		}
	})

	// Ensure other claims' appearances in the same reports are ignored.
	t.Run("OtherClaim", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26", "report:b").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a").
			AppOf("claim:other", "report:b", "official:o")
		chains, err := graph.TraceClaim(context.Background(), g, testClaim, graph.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "")},
			terminal: graph.TerminalUnattributed,
			origin:   "outlet:x",
		})
		chains, err = graph.TraceClaim(context.Background(), g, "claim:other", graph.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkChains(t, "claim:other", chains, chainWant{
			hops:     []hopWant{hop("report:b", "official:o")},
			terminal: graph.TerminalOfficial,
			origin:   "official:o",
		})
	})

	// Ensure a claim without appearances has no chains.
	t.Run("NoAppearances", func(t *testing.T) {
		g := newMemGraph(t)
		g.claims["claim:empty"] = &graph.Claim{ID: "claim:empty", Text: "nothing"}
		chains, err := graph.TraceClaim(context.Background(), g, "claim:empty", graph.TraceOptions{})
		if err != nil || len(chains) != 0 {
			t.Fatalf("TraceClaim = %d chains, %v; want none, nil", len(chains), err)
		}
	})
}

func TestTrace_Errors(t *testing.T) {
	g := newMemGraph(t).
		Rep("report:a", "outlet:x", "2025-04-26").
		Rep("report:b", "outlet:y", "2025-04-25").
		App("report:a", "official:o")
	ctx := context.Background()
	tests := []struct {
		name  string
		trace func() error
		code  string
	}{
		// Ensure an unknown claim is not found.
		{"ClaimErrNotFound", func() error {
			_, err := graph.TraceClaim(ctx, g, "claim:unknown", graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		{"AppearanceClaimErrNotFound", func() error {
			_, err := graph.TraceAppearance(ctx, g, "claim:unknown", "report:a", graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		// Ensure a report where the claim does not appear is not found.
		{"NoAppearanceErrNotFound", func() error {
			_, err := graph.TraceAppearance(ctx, g, testClaim, "report:b", graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		{"UnknownReportErrNotFound", func() error {
			_, err := graph.TraceAppearance(ctx, g, testClaim, "report:unknown", graph.TraceOptions{})
			return err
		}, graph.ENOTFOUND},
		// Ensure malformed claim IDs are invalid, not merely not found.
		{"BadClaimIDErrInvalid", func() error {
			_, err := graph.TraceClaim(ctx, g, "claim:Bad", graph.TraceOptions{})
			return err
		}, graph.EINVALID},
		{"WrongKindErrInvalid", func() error {
			_, err := graph.TraceAppearance(ctx, g, "report:a", "report:a", graph.TraceOptions{})
			return err
		}, graph.EINVALID},
		{"EmptyClaimIDErrInvalid", func() error {
			_, err := graph.TraceClaim(ctx, g, "", graph.TraceOptions{})
			return err
		}, graph.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.trace()
			if code := graph.ErrorCode(err); code != tt.code {
				t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, tt.code)
			}
		})
	}

	// Ensure a cancelled context stops both traces with its error.
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := graph.TraceClaim(ctx, g, testClaim, graph.TraceOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("TraceClaim: err = %v, want context.Canceled", err)
		}
		if _, err := graph.TraceAppearance(ctx, g, testClaim, "report:a", graph.TraceOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("TraceAppearance: err = %v, want context.Canceled", err)
		}
	})

	// Ensure a reader error stops the trace and reaches the caller as is.
	t.Run("ReaderError", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "official:o")
		delete(g.reports, "report:b")
		_, err := graph.TraceAppearance(context.Background(), g, testClaim, "report:a", graph.TraceOptions{})
		if code := graph.ErrorCode(err); code != graph.ENOTFOUND {
			t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.ENOTFOUND)
		}
	})
}
