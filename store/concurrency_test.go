package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// TestConcurrentReadersWritersImports runs readers, writers, cascading
// deletes and dataset imports against one database at once (run it with
// -race), then checks every invariant: Check finds nothing, every write
// acknowledged and not undone since is there, every delete acknowledged is.
func TestConcurrentReadersWritersImports(t *testing.T) {
	ctx := context.Background()
	opt := diskOptions(t)
	opt.SyncWrites = false // the test is about interleaving, not the disk
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base := genDataset(t, 800, 11)
	mustImport(t, db, base)
	const ops = 60

	var (
		mu      sync.Mutex
		created = map[string]bool{} // acknowledged creates, minus acknowledged deletes
		deleted = map[string]bool{}
		wg      sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		t.Errorf(format, args...)
	}
	// ok tolerates the refusals concurrency makes legitimate.
	ok := func(err error) bool {
		switch graph.ErrorCode(err) {
		case "":
			return true
		case graph.ECONFLICT, graph.ENOTFOUND, graph.EINVALID:
			return false
		}
		fail("unexpected error: %v", err)
		return false
	}
	run := func(name string, fn func(rng *rand.Rand, i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(len(name)), 1))
			for i := range ops {
				fn(rng, i)
			}
		}()
	}
	for w := range 2 {
		run(fmt.Sprintf("writer %d", w), func(rng *rand.Rand, i int) {
			outlet := fmt.Sprintf("outlet:w%d-%d", w, i)
			report := fmt.Sprintf("report:w%d-%d", w, i)
			claim := fmt.Sprintf("claim:w%d-%d", w, i)
			source := base.Officials[rng.IntN(len(base.Officials))].ID
			cited := base.Reports[rng.IntN(len(base.Reports))].ID
			if !ok(db.CreateOutlet(ctx, &graph.Outlet{ID: outlet, Name: "concurrent"})) {
				return
			}
			note(&mu, created, deleted, outlet)
			if !ok(db.CreateReport(ctx, &graph.Report{ID: report, Outlet: outlet, Status: graph.StatusPublished, Cites: []string{cited}})) {
				return
			}
			note(&mu, created, deleted, report)
			if ok(db.CreateClaim(ctx, &graph.Claim{ID: claim, Text: "concurrent claim words", Appearances: []graph.Appearance{{
				Report: report, Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{{Source: source, Mode: graph.ModeDirectQuote, Quote: "q"}}}}})) {
				note(&mu, created, deleted, claim)
			}
			if i%3 == 0 && ok(db.DeleteClaim(ctx, claim)) {
				unnote(&mu, created, deleted, claim)
			}
		})
	}
	run("deleter", func(rng *rand.Rand, i int) {
		// Cascading deletes of stored reports race the importer, which
		// writes claims appearing in them.
		r := base.Reports[rng.IntN(len(base.Reports))].ID
		if ok(db.DeleteReport(ctx, r, true)) {
			unnote(&mu, created, deleted, r)
		}
	})
	run("importer", func(rng *rand.Rand, i int) {
		ds := &graph.Dataset{}
		for range 5 {
			c := *base.Claims[rng.IntN(len(base.Claims))]
			c.Text = fmt.Sprintf("imported again %d", i)
			ds.Claims = append(ds.Claims, &c)
		}
		id := fmt.Sprintf("outlet:imported-%d", i)
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: id, Name: "imported"})
		if _, err := db.ImportDataset(ctx, ds); ok(err) {
			note(&mu, created, deleted, id)
		}
	})
	for r := range 2 {
		run(fmt.Sprintf("reader %d", r), func(rng *rand.Rand, i int) {
			c := base.Claims[rng.IntN(len(base.Claims))].ID
			if _, err := graph.JudgeClaim(ctx, db, c, graph.TraceOptions{}); err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
				fail("judge %s: %v", c, err)
			}
			if _, _, err := db.FindClaims(ctx, graph.ClaimFilter{Search: "concurrent claim", Page: graph.Page{First: 10}}); err != nil {
				fail("search: %v", err)
			}
			if _, err := db.Stats(ctx); err != nil {
				fail("stats: %v", err)
			}
		})
	}
	wg.Wait()

	if rep := mustCheck(t, db, false); rep.Total != 0 {
		t.Fatalf("after the concurrent run, %d problems: %v", rep.Total, rep.Problems)
	}
	var ids []string
	for id := range created {
		ids = append(ids, id)
	}
	for id := range deleted {
		ids = append(ids, id)
	}
	found, err := db.Exists(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for id := range created {
		// Nothing the writers and the importer create depends on a report
		// the deleter may remove (their claims appear in their own
		// reports; a deleted citation is dropped), so nothing may go.
		if _, there := found[id]; !there {
			lost++
			t.Errorf("acknowledged write lost: %s", id)
		}
	}
	for id := range deleted {
		if _, there := found[id]; there {
			t.Errorf("acknowledged delete undone: %s", id)
		}
	}
	t.Logf("%d nodes created and kept, %d deleted, %d lost", len(created), len(deleted), lost)
}

func note(mu *sync.Mutex, created, deleted map[string]bool, id string) {
	mu.Lock()
	defer mu.Unlock()
	created[id] = true
	delete(deleted, id)
}

func unnote(mu *sync.Mutex, created, deleted map[string]bool, id string) {
	mu.Lock()
	defer mu.Unlock()
	delete(created, id)
	deleted[id] = true
}
