package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// withRelays gives a third of ds's claims relayed speech: in the first
// appearance attributed to an official, that official relays another
// official not named there, who, every other time, relays a third. It
// returns how many relays it added.
func withRelays(ds *graph.Dataset) int {
	added := 0
	for i, c := range ds.Claims {
		if i%3 != 0 {
			continue
		}
		for k := range c.Appearances {
			a := &c.Appearances[k]
			j := slices.IndexFunc(a.Attributions, func(at graph.Attribution) bool { return graph.KindOf(at.Source) == graph.KindOfficial })
			if j < 0 {
				continue
			}
			named := map[string]bool{}
			for _, at := range a.Attributions {
				named[at.Source] = true
			}
			var free []string
			for _, o := range ds.Officials {
				if !named[o.ID] && len(free) < 2 {
					free = append(free, o.ID)
				}
			}
			if len(free) < 2 {
				break
			}
			r := graph.Attribution{Source: free[0], Mode: graph.ModeParaphrase, Quote: fmt.Sprintf("relayed %d", i)}
			added++
			if i%2 == 0 {
				r.Relaying = []graph.Attribution{{Source: free[1], Mode: graph.ModeDirectQuote, Quote: "told them"}}
				added++
			}
			a.Attributions[j].Relaying = []graph.Attribution{r}
			break
		}
	}
	return added
}

// relayGraph stores report:a of outlet:x, in which claim:c is attributed
// to official:starmer, who relays official:trump, who relays
// official:witkoff; and claim:d, attributed to official:trump directly.
func relayGraph(t *testing.T) *store.DB {
	t.Helper()
	db := MustOpenDB(t)
	ds := &graph.Dataset{
		Outlets: []*graph.Outlet{{ID: "outlet:x", Name: "X"}},
		Officials: []*graph.Official{
			{ID: "official:starmer", Name: "Keir Starmer", Form: graph.FormPerson},
			{ID: "official:trump", Name: "Donald Trump", Form: graph.FormPerson},
			{ID: "official:witkoff", Name: "Steve Witkoff", Form: graph.FormPerson},
		},
		Reports: []*graph.Report{{ID: "report:a", Outlet: "outlet:x", Status: graph.StatusPublished, Published: graph.MustParseDate("2025-04-25")}},
		Claims: []*graph.Claim{
			{ID: "claim:c", Text: "The US will back a European force.", Appearances: []graph.Appearance{{
				Report: "report:a", Mode: graph.ModeParaphrase,
				Attributions: []graph.Attribution{{Source: "official:starmer", Mode: graph.ModeParaphrase, Quote: "Starmer said",
					Relaying: []graph.Attribution{{Source: "official:trump", Mode: graph.ModeParaphrase, Quote: "he'd have our back",
						Relaying: []graph.Attribution{{Source: "official:witkoff", Mode: graph.ModeDirectQuote, Quote: "we are in"}}}}}},
			}}},
			{ID: "claim:d", Text: "Talks go on.", Appearances: []graph.Appearance{{
				Report: "report:a", Mode: graph.ModeParaphrase,
				Attributions: []graph.Attribution{{Source: "official:trump", Mode: graph.ModeDirectQuote}},
			}}},
		},
	}
	mustImport(t, db, ds)
	return db
}

func checkClean(t *testing.T, db *store.DB) {
	t.Helper()
	if rep := mustCheck(t, db, false); rep.Total != 0 {
		t.Fatalf("Check: %d problems: %v", rep.Total, rep.Problems)
	}
}

func TestDB_Relayed(t *testing.T) {
	ctx := context.Background()
	// Ensure relayed speech is stored and read back whole, and traced.
	t.Run("OK", func(t *testing.T) {
		db := relayGraph(t)
		c, err := db.FindClaimByID(ctx, "claim:c")
		if err != nil {
			t.Fatal(err)
		}
		at := c.Appearances[0].Attributions[0]
		if len(at.Relaying) != 1 || at.Relaying[0].Quote != "he'd have our back" ||
			len(at.Relaying[0].Relaying) != 1 || at.Relaying[0].Relaying[0].Source != "official:witkoff" {
			t.Fatalf("stored attribution = %+v", at)
		}
		chains, err := graph.TraceClaim(ctx, db, "claim:c", graph.TraceOptions{})
		if err != nil || len(chains) != 1 || len(chains[0].Relays) != 2 || chains[0].Origin != "official:witkoff" {
			t.Fatalf("TraceClaim = %+v, %v", chains, err)
		}
		checkClean(t, db)
	})

	// Ensure a relayed official's attributions list the relayed one, with
	// who relayed it, beside its direct one; and the claim filter by
	// source finds both claims.
	t.Run("FindAttributions", func(t *testing.T) {
		db := relayGraph(t)
		refs, n, err := db.FindAttributions(ctx, graph.AttributionFilter{Source: "official:trump"})
		if err != nil || n != 2 || len(refs) != 2 {
			t.Fatalf("FindAttributions = %+v, %d, %v", refs, n, err)
		}
		if refs[0].Claim != "claim:c" || refs[0].RelayedBy != "official:starmer" || refs[0].Attribution.Quote != "he'd have our back" {
			t.Errorf("relayed ref = %+v", refs[0])
		}
		if refs[1].Claim != "claim:d" || refs[1].RelayedBy != "" {
			t.Errorf("direct ref = %+v", refs[1])
		}
		claims, n, err := db.FindClaims(ctx, graph.ClaimFilter{Source: "official:witkoff"})
		if err != nil || n != 1 || claims[0].ID != "claim:c" {
			t.Errorf("FindClaims(source witkoff) = %d, %v", n, err)
		}
	})

	// Ensure a relayed official cannot be deleted without cascade (its
	// relayed attribution refers to it), and with cascade the relay goes,
	// with what it relayed, and the graph checks clean.
	t.Run("DeleteRelayed", func(t *testing.T) {
		db := relayGraph(t)
		err := db.DeleteOfficial(ctx, "official:witkoff", false)
		if graph.ErrorCode(err) != graph.ECONFLICT {
			t.Fatalf("DeleteOfficial without cascade: %v, want ECONFLICT", err)
		}
		if err := db.DeleteOfficial(ctx, "official:trump", true); err != nil {
			t.Fatal(err)
		}
		c, err := db.FindClaimByID(ctx, "claim:c")
		if err != nil {
			t.Fatal(err)
		}
		if at := c.Appearances[0].Attributions; len(at) != 1 || len(at[0].Relaying) != 0 {
			t.Errorf("after cascade: %+v", at)
		}
		if _, n, _ := db.FindAttributions(ctx, graph.AttributionFilter{Source: "official:witkoff"}); n != 0 {
			t.Errorf("witkoff still has %d attributions", n)
		}
		checkClean(t, db)
	})

	// Ensure deleting the relaying official with cascade removes its
	// attribution and the relayed ones under it.
	t.Run("DeleteRelaying", func(t *testing.T) {
		db := relayGraph(t)
		if err := db.DeleteOfficial(ctx, "official:starmer", true); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := db.FindAttributions(ctx, graph.AttributionFilter{Source: "official:witkoff"}); n != 0 {
			t.Errorf("witkoff still has %d attributions", n)
		}
		checkClean(t, db)
	})

	// Ensure attributing the claim directly to an official it already
	// relays, in the same report, is a conflict naming the relayer.
	t.Run("AddAttributionRelayed", func(t *testing.T) {
		db := relayGraph(t)
		_, err := db.AddAttribution(ctx, "claim:c", "report:a", graph.Attribution{Source: "official:trump", Mode: graph.ModeParaphrase})
		if graph.ErrorCode(err) != graph.ECONFLICT || !strings.Contains(err.Error(), "relayed by") {
			t.Fatalf("AddAttribution: %v, want ECONFLICT relayed by", err)
		}
		_, err = db.AddAttribution(ctx, "claim:d", "report:a", graph.Attribution{Source: "official:starmer", Mode: graph.ModeParaphrase,
			Relaying: []graph.Attribution{{Source: "official:trump", Mode: graph.ModeParaphrase}}})
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Fatalf("AddAttribution relaying an official already named: %v, want EINVALID", err)
		}
		c, err := db.AddAttribution(ctx, "claim:d", "report:a", graph.Attribution{Source: "official:starmer", Mode: graph.ModeParaphrase,
			Relaying: []graph.Attribution{{Source: "official:witkoff", Mode: graph.ModeParaphrase}}})
		if err != nil || len(c.Appearances[0].Attributions) != 2 {
			t.Fatalf("AddAttribution with relaying: %+v, %v", c, err)
		}
		if _, n, _ := db.FindAttributions(ctx, graph.AttributionFilter{Source: "official:witkoff"}); n != 2 {
			t.Errorf("witkoff has %d attributions, want 2", n)
		}
		checkClean(t, db)
	})

	// Ensure removing a relayed attribution removes it and what it relays.
	t.Run("RemoveAttributionRelayed", func(t *testing.T) {
		db := relayGraph(t)
		c, err := db.RemoveAttribution(ctx, "claim:c", "report:a", "official:trump")
		if err != nil || len(c.Appearances[0].Attributions[0].Relaying) != 0 {
			t.Fatalf("RemoveAttribution: %+v, %v", c, err)
		}
		checkClean(t, db)
	})

	// Ensure the checker names a relayed attribution's missing reverse
	// key, and repair restores it.
	t.Run("CheckMissingRelayKey", func(t *testing.T) {
		db := relayGraph(t)
		if err := store.DeleteRaw(db, store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, "official:witkoff", "claim:c", "report:a")); err != nil {
			t.Fatal(err)
		}
		rep := mustCheck(t, db, false)
		var all []string
		for _, p := range rep.Problems {
			all = append(all, p.String())
		}
		if text := strings.Join(all, "\n"); !strings.Contains(text, "the reverse key of its relayed attribution to official:witkoff is missing") {
			t.Fatalf("problems: %s", text)
		}
		mustCheck(t, db, true)
		checkClean(t, db)
	})
}
