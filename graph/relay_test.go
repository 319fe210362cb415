package graph_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"hearsay/graph"
)

// Relayed speech (DESIGN.md section 2.1): an official the claim is
// attributed to may relay other officials; the chain goes on through them.

// Relay makes official, named in testClaim's appearance in report (at any
// level), relay the given officials, each in PARAPHRASE with the quote
// "r " + official.
func (g *memGraph) Relay(report, official string, relayed ...string) *memGraph {
	g.tb.Helper()
	c, ok := g.claims[testClaim]
	if !ok {
		g.tb.Fatalf("Relay: no claim %s", testClaim)
	}
	app, ok := c.Appearance(report)
	if !ok {
		g.tb.Fatalf("Relay: no appearance in %s", report)
	}
	var at *graph.Attribution
	for i := range app.Attributions {
		if app.Attributions[i].Source == official {
			at = &app.Attributions[i]
		}
		app.Attributions[i].EachRelayed(func(_ string, r *graph.Attribution, _ string) {
			if r.Source == official {
				at = r
			}
		})
	}
	if at == nil {
		g.tb.Fatalf("Relay: %s is not named in %s", official, report)
	}
	for _, r := range relayed {
		at.Relaying = append(at.Relaying, graph.Attribution{Source: r, Mode: graph.ModeParaphrase, Quote: "r " + r})
	}
	if err := c.Validate(); err != nil {
		g.tb.Fatalf("claim %s: %v", testClaim, err)
	}
	return g
}

// Relay is memGraph.Relay, returning g.
func (g *judgeGraph) Relay(report, official string, relayed ...string) *judgeGraph {
	g.tb.Helper()
	g.memGraph.Relay(report, official, relayed...)
	return g
}

// relayLine writes a chain's relays as "a>b a>b".
func relayLine(c graph.Chain) string {
	var parts []string
	for _, r := range c.Relays {
		parts = append(parts, strings.TrimPrefix(r.Official, "official:")+">"+strings.TrimPrefix(r.To, "official:"))
	}
	return strings.Join(parts, " ")
}

// checkRelays fails t unless the chains' relays are want, in order.
func checkRelays(t *testing.T, chains []graph.Chain, want ...string) {
	t.Helper()
	var got []string
	for _, c := range chains {
		got = append(got, relayLine(c))
	}
	if !sameStrings(got, want) {
		t.Fatalf("relays = %q, want %q", got, want)
	}
}

func TestTraceAppearance_Relayed(t *testing.T) {
	// Ensure an official who relays another continues the chain: the last
	// hop names the relaying official, the relay names whom they relayed
	// with its mode and quote, and the relayed official is the origin.
	t.Run("OK", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:starmer").
			Relay("report:a", "official:starmer", "official:trump")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "official:starmer")},
			terminal: graph.TerminalOfficial,
			origin:   "official:trump",
		})
		want := []graph.Relay{{Official: "official:starmer", To: "official:trump", Mode: graph.ModeParaphrase, Quote: "r official:trump"}}
		if fmt.Sprint(chains[0].Relays) != fmt.Sprint(want) {
			t.Fatalf("Relays = %+v, want %+v", chains[0].Relays, want)
		}
		if n := chains[0].Steps(); n != 2 {
			t.Errorf("Steps() = %d, want 2", n)
		}
	})

	// Ensure an official relaying two others makes a tree: one chain per
	// relayed official, in source order, each with its own origin.
	t.Run("Tree", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:starmer").
			Relay("report:a", "official:starmer", "official:trump", "official:macron")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		official := chainWant{hops: []hopWant{hop("report:a", "official:starmer")}, terminal: graph.TerminalOfficial}
		macron, trump := official, official
		macron.origin, trump.origin = "official:macron", "official:trump"
		checkChains(t, testClaim, chains, macron, trump)
		checkRelays(t, chains, "starmer>macron", "starmer>trump")
	})

	// Ensure nested relayed speech (A relays B, who relays C) gives one
	// chain through both relays, whose origin is the innermost official.
	t.Run("Nested", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:a").
			Relay("report:a", "official:a", "official:b").
			Relay("report:a", "official:b", "official:c")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "official:a")},
			terminal: graph.TerminalOfficial,
			origin:   "official:c",
		})
		checkRelays(t, chains, "a>b b>c")
	})

	// Ensure relays follow the report hops: a report citing a report whose
	// official relays another gives hops, then the relay.
	t.Run("ThroughReport", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-26").
			Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "report:b").
			App("report:b", "official:starmer").
			Relay("report:b", "official:starmer", "official:trump")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains, chainWant{
			hops:     []hopWant{hop("report:a", "report:b"), hop("report:b", "official:starmer")},
			terminal: graph.TerminalOfficial,
			origin:   "official:trump",
		})
		checkRelays(t, chains, "starmer>trump")
	})

	// Ensure a relaying official beside a direct attribution keeps both:
	// the tree has the relayed chain and the plain one.
	t.Run("BesideDirect", func(t *testing.T) {
		g := newMemGraph(t).
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:starmer", "official:zelensky").
			Relay("report:a", "official:starmer", "official:trump")
		chains := trace(t, g, "report:a", graph.TraceOptions{})
		checkChains(t, testClaim, chains,
			chainWant{hops: []hopWant{hop("report:a", "official:starmer")}, terminal: graph.TerminalOfficial, origin: "official:trump"},
			chainWant{hops: []hopWant{hop("report:a", "official:zelensky")}, terminal: graph.TerminalOfficial, origin: "official:zelensky"})
		checkRelays(t, chains, "starmer>trump", "")
	})
}

func TestTraceAppearance_RelayDepth(t *testing.T) {
	// report:a → report:b → official:a, who relays b, who relays c: two
	// hops and two relays, four steps.
	g := newMemGraph(t).
		Rep("report:a", "outlet:x", "2025-04-26").
		Rep("report:b", "outlet:y", "2025-04-25").
		App("report:a", "report:b").
		App("report:b", "official:a").
		Relay("report:b", "official:a", "official:b").
		Relay("report:b", "official:b", "official:c")
	hops := []hopWant{hop("report:a", "report:b"), hop("report:b", "official:a")}
	tests := []struct {
		name     string
		depth    int
		terminal graph.Terminal
		origin   string
		relays   string
	}{
		// Ensure relays count against the depth like hops: cut where the
		// next relay would pass it, the last To naming who would follow.
		{"CutBeforeFirstRelay", 2, graph.TerminalDepthLimit, "", ""},
		{"CutAfterFirstRelay", 3, graph.TerminalDepthLimit, "", "a>b"},
		// Ensure a chain that reaches its innermost official within the
		// depth ends there, as a hop to an official does.
		{"Reached", 4, graph.TerminalOfficial, "official:c", "a>b b>c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chains := trace(t, g, "report:a", graph.TraceOptions{MaxDepth: tt.depth})
			checkChains(t, testClaim, chains, chainWant{hops: hops, terminal: tt.terminal, origin: tt.origin})
			checkRelays(t, chains, tt.relays)
		})
	}
}

func TestTraceAppearance_RelayVisitLimit(t *testing.T) {
	g := newMemGraph(t).
		Rep("report:a", "outlet:x", "2025-04-25").
		App("report:a", "official:a").
		Relay("report:a", "official:a", "official:b").
		Relay("report:a", "official:b", "official:c")
	hops := []hopWant{hop("report:a", "official:a")}
	// Ensure each relay step counts as a visit: with one visit (the
	// appearance) the trace stops before relaying, with two after the
	// first relay, and with three it reaches the innermost official.
	for visits, want := range map[int]struct {
		term   graph.Terminal
		origin string
		flags  []string
		relays string
	}{
		1: {graph.TerminalDepthLimit, "", []string{graph.FlagVisitLimit}, ""},
		2: {graph.TerminalDepthLimit, "", []string{graph.FlagVisitLimit}, "a>b"},
		3: {graph.TerminalOfficial, "official:c", nil, "a>b b>c"},
	} {
		t.Run(fmt.Sprint(visits), func(t *testing.T) {
			chains := trace(t, g, "report:a", graph.TraceOptions{MaxVisit: visits})
			checkChains(t, testClaim, chains, chainWant{hops: hops, terminal: want.term, origin: want.origin, flags: want.flags})
			checkRelays(t, chains, want.relays)
		})
	}
}

func TestTraceAppearance_RelayBudget(t *testing.T) {
	g := newMemGraph(t).
		Rep("report:a", "outlet:x", "2025-04-25").
		App("report:a", "official:a").
		Relay("report:a", "official:a", "official:b").
		Relay("report:a", "official:b", "official:c")
	// The trace costs 1 (the appearance) + 2 (the relay steps) + 3 (the
	// chain's one hop and two relays) = 6 steps.
	errSpent := errors.New("budget spent")
	// Ensure the request budget is charged for relay steps and for the
	// relays of a returned chain: 6 steps suffice, 5 do not.
	t.Run("OK", func(t *testing.T) {
		b := graph.NewBudget(6, errSpent)
		_, err := graph.TraceAppearance(graph.WithBudget(context.Background(), b), g, testClaim, "report:a", graph.TraceOptions{})
		if err != nil || b.Spent() {
			t.Fatalf("TraceAppearance with 6 steps: %v (spent %v)", err, b.Spent())
		}
	})
	t.Run("ErrSpent", func(t *testing.T) {
		b := graph.NewBudget(5, errSpent)
		_, err := graph.TraceAppearance(graph.WithBudget(context.Background(), b), g, testClaim, "report:a", graph.TraceOptions{})
		if !errors.Is(err, errSpent) {
			t.Fatalf("TraceAppearance with 5 steps: err = %v, want %v", err, errSpent)
		}
	})
}

// relayClaim is a valid claim whose first appearance has official:starmer
// relaying official:trump, who relays official:witkoff.
func relayClaim() *graph.Claim {
	return &graph.Claim{
		ID:   "claim:backstop",
		Text: "The US will back a European force.",
		Appearances: []graph.Appearance{{
			Report: "report:a",
			Mode:   graph.ModeParaphrase,
			Attributions: []graph.Attribution{
				{Source: "official:starmer", Mode: graph.ModeParaphrase, Quote: "Trump told me", Relaying: []graph.Attribution{
					{Source: "official:trump", Mode: graph.ModeParaphrase, Quote: "he'd have our back", Relaying: []graph.Attribution{
						{Source: "official:witkoff", Mode: graph.ModeDirectQuote, Quote: "we are in"},
					}},
				}},
				{Source: "report:b", Mode: graph.ModeCitesReport},
			},
		}},
	}
}

func TestClaim_ValidateRelaying(t *testing.T) {
	// Ensure relayed speech, nested, beside a report attribution, is valid.
	t.Run("OK", func(t *testing.T) {
		if err := relayClaim().Validate(); err != nil {
			t.Fatal(err)
		}
	})

	// nest returns an attribution of official:l0 relaying l1 … ln.
	nest := func(n int) graph.Attribution {
		at := graph.Attribution{Source: fmt.Sprintf("official:l%d", n), Mode: graph.ModeParaphrase}
		for i := n - 1; i >= 0; i-- {
			at = graph.Attribution{Source: fmt.Sprintf("official:l%d", i), Mode: graph.ModeParaphrase, Relaying: []graph.Attribution{at}}
		}
		return at
	}
	// Ensure MaxRelayDepth levels of relaying are valid.
	t.Run("MaxDepth", func(t *testing.T) {
		c := relayClaim()
		c.Appearances[0].Attributions = []graph.Attribution{nest(graph.MaxRelayDepth)}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})

	at0 := "appearances[0].attributedTo[0]"
	rel := at0 + ".relaying[0]"
	tests := []badCase[graph.Claim]{
		{"RelayedReport", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Relaying[0].Source = "report:c" },
			rel + ".source", `"report:c" is of kind report where kind official is wanted`},
		{"RelayedOutlet", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Relaying[0].Relaying[0].Source = "outlet:x" },
			rel + ".relaying[0].source", "kind official is wanted"},
		{"RelayingUnderReport", func(c *graph.Claim) {
			c.Appearances[0].Attributions[1].Relaying = []graph.Attribution{{Source: "official:x", Mode: graph.ModeParaphrase}}
		}, "appearances[0].attributedTo[1].relaying", `only when the source is an official; "report:b"`},
		{"RelayedSelf", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Relaying[0].Source = "official:starmer" },
			rel + ".source", `"official:starmer" is already named in this appearance`},
		{"RelayCycle", func(c *graph.Claim) {
			c.Appearances[0].Attributions[0].Relaying[0].Relaying[0].Source = "official:starmer"
		},
			rel + ".relaying[0].source", "already named"},
		{"RelayedTwice", func(c *graph.Claim) {
			r := &c.Appearances[0].Attributions[0].Relaying[0]
			r.Relaying = append(r.Relaying, graph.Attribution{Source: "official:witkoff", Mode: graph.ModeParaphrase})
		}, rel + ".relaying[1].source", "already named"},
		{"DirectAfterRelayed", func(c *graph.Claim) {
			c.Appearances[0].Attributions = append(c.Appearances[0].Attributions, graph.Attribution{Source: "official:trump", Mode: graph.ModeParaphrase})
		}, "appearances[0].attributedTo[2].source", "given twice"},
		{"RelayNoMode", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Relaying[0].Mode = graph.ModeUnset },
			rel + ".mode", "is required"},
		{"RelayLongQuote", func(c *graph.Claim) {
			c.Appearances[0].Attributions[0].Relaying[0].Quote = strings.Repeat("x", graph.MaxTextLen+1)
		}, rel + ".quote", "over the limit"},
		{"TooDeep", func(c *graph.Claim) {
			c.Appearances[0].Attributions = []graph.Attribution{nest(graph.MaxRelayDepth + 1)}
		},
			at0 + strings.Repeat(".relaying[0]", graph.MaxRelayDepth) + ".relaying", "over 8 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the broken relay is invalid, naming its JSON path.
			c := relayClaim()
			tt.edit(c)
			checkInvalid(t, c.Validate(), tt.path, tt.msg)
		})
	}
}

func TestSortedAttributions(t *testing.T) {
	// Ensure attributions and their relaying are sorted by source at every
	// level, in a copy that leaves the input as it was.
	in := []graph.Attribution{
		{Source: "official:z", Relaying: []graph.Attribution{
			{Source: "official:y", Relaying: []graph.Attribution{{Source: "official:x"}, {Source: "official:w"}}},
			{Source: "official:b"},
		}},
		{Source: "official:a"},
	}
	got := graph.SortedAttributions(in)
	var order []string
	var walk func(as []graph.Attribution)
	walk = func(as []graph.Attribution) {
		for _, a := range as {
			order = append(order, strings.TrimPrefix(a.Source, "official:"))
			walk(a.Relaying)
		}
	}
	walk(got)
	if s := strings.Join(order, ""); s != "azbywx" {
		t.Errorf("sorted order = %s, want azbywx", s)
	}
	if in[0].Source != "official:z" || in[0].Relaying[0].Relaying[0].Source != "official:x" {
		t.Errorf("input was reordered: %+v", in)
	}
}

func TestFindAttribution(t *testing.T) {
	c := relayClaim()
	app := &c.Appearances[0]
	// Ensure a direct attribution is found with no relayer, and relayed
	// ones at every level with the official who relayed them.
	for _, tt := range []struct{ source, by, quote string }{
		{"official:starmer", "", "Trump told me"},
		{"official:trump", "official:starmer", "he'd have our back"},
		{"official:witkoff", "official:trump", "we are in"},
	} {
		at, by, ok := graph.FindAttribution(app, tt.source)
		if !ok || by != tt.by || at.Quote != tt.quote {
			t.Errorf("FindAttribution(%s) = %q by %q, %v; want %q by %q", tt.source, at.Quote, by, ok, tt.quote, tt.by)
		}
	}
	// Ensure a source named nowhere is not found.
	if _, _, ok := graph.FindAttribution(app, "official:nobody"); ok {
		t.Errorf("FindAttribution(official:nobody) found")
	}
	// Ensure the claim filter and the search words see relayed speech.
	if !(graph.ClaimFilter{Source: "official:witkoff"}).Match(c) {
		t.Errorf("ClaimFilter{Source: official:witkoff} does not match")
	}
	if !(graph.ClaimFilter{Search: "back"}).Match(c) {
		t.Errorf("ClaimFilter{Search: back} does not match a relayed quote")
	}
}

func TestJudgeChain_Relayed(t *testing.T) {
	// report:a of outlet:b (B) attributes the claim to official:starmer,
	// who relays official:trump (unrated: F).
	base := func(t *testing.T, starmer ...string) *judgeGraph {
		return newJudgeGraph(t).
			Outlet("outlet:b", "Outlet B", "B 2020-01-01").
			Named("official:starmer", "Keir Starmer", starmer...).
			Named("official:trump", "Donald Trump").
			Rep("report:a", "outlet:b", "2025-04-25").
			App("report:a", "official:starmer").
			Relay("report:a", "official:starmer", "official:trump")
	}
	judge := func(t *testing.T, g *judgeGraph) graph.ChainJudgement {
		t.Helper()
		chains := trace(t, g.memGraph, "report:a", graph.TraceOptions{})
		if len(chains) != 1 {
			t.Fatalf("%d chains, want 1", len(chains))
		}
		j, err := graph.JudgeChain(context.Background(), g, chains[0])
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	// Ensure the relaying official's rating in force at the report's
	// publication (C, not the later A) multiplies the confidence, and the
	// unrated origin, weighing least, limits the chain.
	t.Run("RatedRelayer", func(t *testing.T) {
		j := judge(t, base(t, "C 2020-01-01", "A 2026-01-01"))
		checkConfidence(t, j.Confidence, w(relB)*w(relC)*w(relF))
		if fmt.Sprint(j.RelayReliability) != fmt.Sprint([]graph.Reliability{relC}) || j.OriginReliability != relF {
			t.Errorf("RelayReliability, OriginReliability = %v, %v; want [C], F", j.RelayReliability, j.OriginReliability)
		}
		if j.WeakestHop != 0 || j.WeakestRelay != -1 || j.LimitedBy != "Donald Trump (F)" {
			t.Errorf("WeakestHop, WeakestRelay, LimitedBy = %d, %d, %q; want 0, -1, Donald Trump (F)", j.WeakestHop, j.WeakestRelay, j.LimitedBy)
		}
	})
	// Ensure a relaying official weighing least (D) is named as the
	// weakest link, with the relay's index.
	t.Run("LimitedByRelayer", func(t *testing.T) {
		j := judge(t, base(t, "D 2020-01-01"))
		checkConfidence(t, j.Confidence, w(relB)*w(relD)*w(relF))
		if j.WeakestHop != 0 || j.WeakestRelay != 0 || j.LimitedBy != "Keir Starmer (D)" {
			t.Errorf("WeakestHop, WeakestRelay, LimitedBy = %d, %d, %q; want 0, 0, Keir Starmer (D)", j.WeakestHop, j.WeakestRelay, j.LimitedBy)
		}
	})
	// Ensure an unrated relaying official counts as F, like an unrated
	// origin, and a tie goes to the later link, the origin.
	t.Run("UnratedRelayer", func(t *testing.T) {
		j := judge(t, base(t))
		checkConfidence(t, j.Confidence, w(relB)*w(relF)*w(relF))
		if j.RelayReliability[0] != relF || j.WeakestRelay != -1 || j.LimitedBy != "Donald Trump (F)" {
			t.Errorf("RelayReliability, WeakestRelay, LimitedBy = %v, %d, %q", j.RelayReliability, j.WeakestRelay, j.LimitedBy)
		}
	})
}

func TestJudgeClaim_RelayedOrigins(t *testing.T) {
	// Ensure Starmer relaying Trump in one report and Trump quoted directly
	// in another are one origin, Trump: the relaying official is no origin.
	t.Run("RelayAndDirectOneOrigin", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "X", "B").Outlet("outlet:y", "Y", "B").
			Named("official:starmer", "Keir Starmer", "B").Named("official:trump", "Donald Trump", "C").
			Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "official:starmer").Relay("report:a", "official:starmer", "official:trump").
			App("report:b", "official:trump")
		j := judgeClaim(t, g, graph.TraceOptions{})
		if got := originIDs(j.Origins); !sameStrings(got, []string{"official:trump"}) {
			t.Fatalf("Origins = %q, want [official:trump]", got)
		}
		if j.IndependentOrigins != (graph.Range{Min: 1, Max: 1}) {
			t.Errorf("IndependentOrigins = %+v, want 1–1", j.IndependentOrigins)
		}
		if j.Credibility.Grade != 3 || !strings.Contains(j.Credibility.Why, "Donald Trump, named, rated C") {
			t.Errorf("Credibility = %+v, want 3 naming Donald Trump", j.Credibility)
		}
	})
	// Ensure a relayed anonymous origin joins its possibly-same-as group:
	// Starmer relaying one unnamed source and a report quoting another,
	// possibly the same people, are 1–2 independent origins.
	t.Run("RelayedAnonymousGroup", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "X", "B").Outlet("outlet:y", "Y", "B").
			Named("official:starmer", "Keir Starmer", "B").
			Anon("official:s1", "a White House source").Anon("official:s2", "US officials").
			Same("official:s1", "official:s2").
			Rep("report:a", "outlet:x", "2025-04-25").Rep("report:b", "outlet:y", "2025-04-25").
			App("report:a", "official:starmer").Relay("report:a", "official:starmer", "official:s1").
			App("report:b", "official:s2")
		j := judgeClaim(t, g, graph.TraceOptions{})
		if got := originIDs(j.Origins); !sameStrings(got, []string{"official:s1", "official:s2"}) {
			t.Fatalf("Origins = %q, want s1, s2", got)
		}
		if j.IndependentOrigins != (graph.Range{Min: 1, Max: 2}) {
			t.Errorf("IndependentOrigins = %+v, want 1–2", j.IndependentOrigins)
		}
	})
	// Ensure two officials relayed by one are two origins.
	t.Run("TwoRelayedTwoOrigins", func(t *testing.T) {
		g := newJudgeGraph(t).
			Outlet("outlet:x", "X", "B").
			Named("official:starmer", "Keir Starmer", "B").
			Named("official:trump", "Donald Trump", "B").Named("official:macron", "Emmanuel Macron", "B").
			Rep("report:a", "outlet:x", "2025-04-25").
			App("report:a", "official:starmer").Relay("report:a", "official:starmer", "official:trump", "official:macron")
		j := judgeClaim(t, g, graph.TraceOptions{})
		if got := originIDs(j.Origins); !sameStrings(got, []string{"official:macron", "official:trump"}) {
			t.Fatalf("Origins = %q, want macron, trump", got)
		}
		if j.IndependentOrigins != (graph.Range{Min: 2, Max: 2}) || j.Credibility.Grade != 1 {
			t.Errorf("IndependentOrigins, grade = %+v, %d; want 2–2, 1", j.IndependentOrigins, j.Credibility.Grade)
		}
	})
}

// echoGraph is a judgeGraph that also lists reports and claims, so that it
// implements graph.EchoReader.
type echoGraph struct{ *judgeGraph }

func (g echoGraph) FindReports(ctx context.Context, f graph.ReportFilter) ([]*graph.Report, int, error) {
	var out []*graph.Report
	for _, r := range g.reports {
		if f.Match(r) && (f.After == "" || r.ID > f.After) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *graph.Report) int { return strings.Compare(a.ID, b.ID) })
	return out, len(out), nil
}

func (g echoGraph) FindClaims(ctx context.Context, f graph.ClaimFilter) ([]*graph.Claim, int, error) {
	var out []*graph.Claim
	for _, c := range g.claims {
		if f.Match(c) && (f.After == "" || c.ID > f.After) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *graph.Claim) int { return strings.Compare(a.ID, b.ID) })
	return out, len(out), nil
}

func TestOutletEcho_Relayed(t *testing.T) {
	// Ensure an appearance attributed to a named official who relays an
	// anonymous one is first-hand but ends at an anonymous origin, while
	// the same official relaying a named one ends at no anonymous origin.
	for _, tt := range []struct {
		relayed   string
		anonymous int
	}{{"official:unnamed", 1}, {"official:trump", 0}} {
		t.Run(tt.relayed, func(t *testing.T) {
			g := newJudgeGraph(t).
				Outlet("outlet:x", "X").
				Named("official:starmer", "Keir Starmer").Named("official:trump", "Donald Trump").
				Anon("official:unnamed", "a White House source").
				Rep("report:a", "outlet:x", "2025-04-25").
				App("report:a", "official:starmer").Relay("report:a", "official:starmer", tt.relayed)
			e, err := graph.OutletEcho(context.Background(), echoGraph{g}, "outlet:x")
			if err != nil {
				t.Fatal(err)
			}
			if e != (graph.Echo{Appearances: 1, AnonymousOrigin: tt.anonymous}) {
				t.Errorf("Echo = %+v, want 1 appearance, first-hand, %d anonymous-ended", e, tt.anonymous)
			}
		})
	}
}
