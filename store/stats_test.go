package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

func TestStorageStats(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Ensure the stats name the open generation and count every
		// write's wait for its turn, in cumulative buckets.
		opt := store.SmallOptions()
		opt.InMemory, opt.Dir = false, t.TempDir()
		db := mustOpenDBWith(t, opt)
		before := db.StorageStats()
		if before.Generation != 1 {
			t.Errorf("generation = %d, want 1 for a new directory", before.Generation)
		}
		const writers, each = 4, 10
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					if err := db.CreateOutlet(context.Background(), &graph.Outlet{ID: fmt.Sprintf("outlet:w%d-%d", w, i), Name: "x"}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		st := db.StorageStats()
		if got := st.WriteWait.Count - before.WriteWait.Count; got != writers*each {
			t.Errorf("write waits grew by %d, want %d", got, writers*each)
		}
		if len(st.WriteWait.Buckets) != len(graph.WaitBounds) {
			t.Fatalf("%d buckets, want %d", len(st.WriteWait.Buckets), len(graph.WaitBounds))
		}
		for i := 1; i < len(st.WriteWait.Buckets); i++ {
			if st.WriteWait.Buckets[i] < st.WriteWait.Buckets[i-1] {
				t.Errorf("bucket %d (%d) below bucket %d (%d): not cumulative", i, st.WriteWait.Buckets[i], i-1, st.WriteWait.Buckets[i-1])
			}
		}
		if last := st.WriteWait.Buckets[len(st.WriteWait.Buckets)-1]; last > st.WriteWait.Count {
			t.Errorf("last bucket %d over count %d", last, st.WriteWait.Count)
		}
		if st.LSMBytes < 0 || st.ValueLogBytes < 0 {
			t.Errorf("sizes %d, %d", st.LSMBytes, st.ValueLogBytes)
		}
	})
	t.Run("InMemory", func(t *testing.T) {
		// Ensure an in-memory database has generation 0.
		if g := MustOpenDB(t).StorageStats().Generation; g != 0 {
			t.Errorf("generation = %d, want 0", g)
		}
	})
}
