package store_test

import (
	"context"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

func TestFeed(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure each write publishes its nodes after the commit, numbered in commit order.
		db := openTestDB(t)
		w0 := db.ChangesAfter(0, 100)
		if w0.Missed || w0.Head != uint64(len(w0.Changes)) || len(w0.Changes) != 11 {
			t.Fatalf("after the import: head %d, %d changes, missed %v; want 11 created nodes", w0.Head, len(w0.Changes), w0.Missed)
		}
		for i, c := range w0.Changes {
			if c.Seq != uint64(i+1) || c.Op != graph.OpCreated || c.Kind != graph.KindOf(c.ID) {
				t.Errorf("import change %d = %+v", i, c)
			}
		}
		head := w0.Head
		more := w0.More
		if _, err := db.AddReview(ctx, cCoalition, graph.Review{Verdict: graph.VerdictFalse, ReviewedBy: "x"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-more:
		default:
			t.Fatal("More was not closed by a write")
		}
		w := db.ChangesAfter(head, 100)
		want := []graph.Change{{Seq: head + 1, Kind: graph.KindClaim, ID: cCoalition, Op: graph.OpUpdated}}
		if len(w.Changes) != 1 || w.Changes[0] != want[0] || w.Head != head+1 {
			t.Errorf("after AddReview: %+v head %d, want %+v", w.Changes, w.Head, want)
		}
		// A failed write publishes nothing.
		if err := db.CreateOutlet(ctx, &graph.Outlet{ID: telegraph, Name: "again"}); graph.ErrorCode(err) != graph.ECONFLICT {
			t.Fatalf("CreateOutlet of an existing ID: %v", err)
		}
		if w := db.ChangesAfter(head+1, 100); len(w.Changes) != 0 || w.Head != head+1 {
			t.Errorf("a failed write published %+v", w.Changes)
		}
		// A cascading delete is one change per node it touched.
		if err := db.DeleteReport(ctx, rTelegraph, true); err != nil {
			t.Fatal(err)
		}
		got := map[string]graph.Op{}
		for _, c := range db.ChangesAfter(head+1, 100).Changes {
			got[c.ID] = c.Op
		}
		if got[rTelegraph] != graph.OpDeleted || got[cBackstop] != graph.OpUpdated || got[cCoalition] != graph.OpUpdated ||
			got["report:kyiv-post-2025-04-27"] != graph.OpUpdated {
			t.Errorf("cascading delete published %v", got)
		}
	})

	t.Run("Missed", func(t *testing.T) {
		// Ensure a reader behind the ring, or ahead of the head, is told it missed changes.
		opt := store.SmallOptions()
		opt.FeedSize = 4
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		mustImport(t, db, testDataset()) // 11 changes, 4 kept
		if w := db.ChangesAfter(7, 100); w.Missed || len(w.Changes) != 4 || w.Changes[3].Seq != 11 {
			t.Errorf("after 7: %+v, want changes 8..11", w)
		}
		if w := db.ChangesAfter(7, 2); w.Missed || len(w.Changes) != 2 || w.Changes[0].Seq != 8 {
			t.Errorf("after 7, max 2: %+v", w)
		}
		if w := db.ChangesAfter(6, 100); !w.Missed {
			t.Errorf("after 6 with a ring of 4 (8 is the oldest held after 11): not missed")
		}
		if w := db.ChangesAfter(12, 100); !w.Missed || w.Head != 11 {
			t.Errorf("after 12 (ahead of the head): %+v", w)
		}
	})

	t.Run("Restart", func(t *testing.T) {
		// Ensure the sequence survives a restart, and a reader from before it is told it missed changes.
		opt := diskOptions(t)
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, db, testDataset())
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		w := db.ChangesAfter(11, 100)
		if w.Head != 11 || w.Missed || len(w.Changes) != 0 {
			t.Errorf("after a restart, from the head: %+v", w)
		}
		if w := db.ChangesAfter(5, 100); !w.Missed {
			t.Errorf("after a restart, from before it: not missed")
		}
		if _, err := db.AddReview(ctx, cCoalition, graph.Review{Verdict: graph.VerdictFalse, ReviewedBy: "x"}); err != nil {
			t.Fatal(err)
		}
		if w := db.ChangesAfter(11, 100); len(w.Changes) != 1 || w.Changes[0].Seq != 12 {
			t.Errorf("the first write after a restart: %+v, want seq 12", w.Changes)
		}
	})

	t.Run("BulkLoad", func(t *testing.T) {
		// Ensure a bulk load moves the sequence on by one, so that a reader from before it is told it missed changes.
		opt := diskOptions(t)
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, db, testDataset())
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		bulkLoad(t, opt, testDataset())
		db, err = store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if w := db.ChangesAfter(11, 100); !w.Missed || w.Head != 12 {
			t.Errorf("after a bulk load, from the head before it: %+v, want missed at head 12", w)
		}
	})
}
