package store_test

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/graph/textmatch"
	"hearsay/store"
)

func mustCheck(tb testing.TB, db *store.DB, repair bool) store.CheckReport {
	tb.Helper()
	rep, err := db.Check(context.Background(), repair)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	return rep
}

// TestCheckClean: every way of writing a graph leaves it consistent, and
// Check counts what Stats counts.
func TestCheckClean(t *testing.T) {
	ctx := context.Background()
	seed := MustOpenDB(t)
	if _, err := fixtures.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	imported, err := store.Open(diskOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer imported.Close()
	mustImport(t, imported, genDataset(t, 3000, 5))
	opt := diskOptions(t)
	bulkLoad(t, opt, genDataset(t, 3000, 5))
	bulkLoad(t, opt, changed(genDataset(t, 3000, 5)))
	bulked, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer bulked.Close()
	for name, db := range map[string]*store.DB{"seed": seed, "imported": imported, "bulk loaded and updated": bulked} {
		t.Run(name, func(t *testing.T) {
			rep := mustCheck(t, db, false)
			if rep.Total != 0 {
				t.Fatalf("%d problems: %v", rep.Total, rep.Problems)
			}
			st, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Stats != st || st.Edges == 0 {
				t.Errorf("Check counted %+v, Stats says %+v", rep.Stats, st)
			}
		})
	}
}

// TestCheckFindsAndRepairs damages a graph one way at a time, bypassing
// every rule, and checks that Check names the damage and repair leaves a
// graph that checks clean.
func TestCheckFindsAndRepairs(t *testing.T) {
	ctx := context.Background()
	ds := genDataset(t, 600, 9)
	var report *graph.Report
	for _, r := range ds.Reports {
		if len(r.Cites) > 0 {
			report = r
			break
		}
	}
	var claim *graph.Claim
	for _, c := range ds.Claims {
		if len(c.Appearances) > 1 && len(c.Appearances[0].Attributions) > 0 {
			claim = c
			break
		}
	}
	var linked *graph.Official
	for _, o := range ds.Officials {
		if len(o.PossiblySameAs) > 0 {
			linked = o
			break
		}
	}
	if report == nil || claim == nil || linked == nil {
		t.Fatal("the generated dataset lacks a citing report, a quoted claim or a linked official")
	}
	var uncited string
	for _, r := range ds.Reports {
		if r.ID != report.ID && !slices.Contains(report.Cites, r.ID) {
			uncited = r.ID
			break
		}
	}
	cases := []struct {
		name   string
		damage func(db *store.DB) error
		want   string
	}{
		{"reverse key missing", func(db *store.DB) error {
			return store.DeleteRaw(db, store.EdgeKey(graph.EdgePublishedBy, store.DirReverse, report.Outlet, report.ID, ""))
		}, "the reverse key of its outlet is missing"},
		{"stray reverse key", func(db *store.DB) error {
			return store.SetRaw(db, store.EdgeKey(graph.EdgeCites, store.DirReverse, uncited, report.ID, ""), nil)
		}, "does not cite"},
		{"index key missing", func(db *store.DB) error {
			return store.DropPosting(db, store.TagWord, graph.ClaimWords(claim)[0], claim.ID)
		}, "the index key of"},
		{"stray index key", func(db *store.DB) error {
			return store.SetPosting(db, store.TagWord, "zzzunused", claim.ID, 0, 0)
		}, "does not use the word"},
		{"search index block garbled", func(db *store.DB) error {
			return store.SetRaw(db, store.WordKey("zzzgarbled", claim.ID), []byte{0x01, 0x05, 0x01})
		}, "the block does not decode"},
		{"referenced node gone", func(db *store.DB) error {
			return store.DeleteRaw(db, store.NodeKey(claim.Appearances[0].Report))
		}, "which is not stored"},
		{"one-sided link", func(db *store.DB) error {
			return store.DeleteRaw(db, store.AdjKey(graph.EdgePossiblySameAs, linked.PossiblySameAs[0].Official))
		}, "possibly-same-as link"},
		{"wrong counter", func(db *store.DB) error {
			return store.SetRaw(db, store.MetaKey("count/edges"), binary.AppendVarint(nil, 999999))
		}, "counter count/edges"},
		{"match posting missing", func(db *store.DB) error {
			return store.DropPosting(db, store.TagTerm, textmatch.Terms(claim.MatchText())[0], claim.ID)
		}, "the claim match index has no posting of the term"},
		{"match posting altered", func(db *store.DB) error {
			return store.SetPosting(db, store.TagTerm, textmatch.Terms(claim.MatchText())[0], claim.ID, 7, 99)
		}, "in the claim match index says 7 occurrences in 99 terms"},
		{"stray match posting", func(db *store.DB) error {
			return store.SetPosting(db, store.TagTerm, "zzzunused", claim.ID, 1, 1)
		}, "the claim's text does not hold the term"},
		{"match entry missing", func(db *store.DB) error {
			return store.DeleteRaw(db, store.DocKey(claim.ID))
		}, "its entry in the claim match index is missing"},
		{"match entry for no claim", func(db *store.DB) error {
			return store.SetRaw(db, store.DocKey("claim:zzz-gone"), store.MatchDocValue(map[string]int{"gone": 1}))
		}, "an entry for a claim that is not stored"},
		{"term count wrong", func(db *store.DB) error {
			return store.SetRaw(db, store.TermCount(textmatch.Terms(claim.MatchText())[0]), binary.AppendVarint(nil, 12345))
		}, "says 12345 claims, the index holds"},
		{"term count missing", func(db *store.DB) error {
			return store.DeleteRaw(db, store.TermCount(textmatch.Terms(claim.MatchText())[0]))
		}, "is missing ("},
		{"term count for no claim", func(db *store.DB) error {
			return store.SetRaw(db, store.TermCount("zzzunused"), binary.AppendVarint(nil, 1))
		}, "no claim holds the term"},
		{"match length counter", func(db *store.DB) error {
			return store.SetRaw(db, store.MetaKey(store.MatchTerms), binary.AppendVarint(nil, 3))
		}, "counter match/terms"},
		{"match index of another version", func(db *store.DB) error {
			return store.SetRaw(db, store.MetaKey(store.MatchVersion), []byte("format 0"))
		}, "built by another version of hearsay"},
		{"malformed key", func(db *store.DB) error {
			return store.SetRaw(db, []byte{store.TagNode, 0xee}, []byte("x"))
		}, "malformed key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := MustOpenDB(t)
			mustImport(t, db, ds)
			if err := c.damage(db); err != nil {
				t.Fatal(err)
			}
			rep := mustCheck(t, db, false)
			if rep.Total == 0 {
				t.Fatal("Check found nothing")
			}
			var all []string
			for _, p := range rep.Problems {
				all = append(all, p.String())
			}
			if text := strings.Join(all, "\n"); !strings.Contains(text, c.want) {
				t.Errorf("problems do not mention %q:\n%s", c.want, text)
			}
			rep = mustCheck(t, db, true)
			if rep.Repaired == 0 {
				t.Errorf("repair fixed nothing")
			}
			if after := mustCheck(t, db, false); after.Total != 0 {
				t.Errorf("after repair, %d problems: %v", after.Total, after.Problems)
			}
		})
	}
	t.Run("undecodable value", func(t *testing.T) {
		db := MustOpenDB(t)
		mustImport(t, db, ds)
		if err := store.SetRaw(db, store.NodeKey(ds.Outlets[0].ID), []byte{0xff, 0xff}); err != nil {
			t.Fatal(err)
		}
		rep := mustCheck(t, db, true)
		if rep.Total != 1 || rep.Problems[0].Repairable || !strings.Contains(rep.Problems[0].String(), "cannot be repaired") {
			t.Errorf("problems: %v", rep.Problems)
		}
		if _, err := db.Stats(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
