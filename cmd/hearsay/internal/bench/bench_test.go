package bench

import (
	"context"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// BenchmarkOrigins10k is origins_10k_ms of 'hearsay bench' as a Go
// benchmark: graph.JudgeClaim (every chain, origins, independent origins)
// of the claim of originsDataset, about 10,000 reachable reports, outlets
// and officials, in a database on disk, reopened after the import as
// 'hearsay serve' finds it. Store reads it straight from the database;
// Snapshot through one snapshot, as a query of the API does, with the
// node cache the queries before it filled; Cold is the first such query
// after the database is opened, its caches empty (the operating system's
// page cache is not emptied).
//
//	go test ./cmd/hearsay/internal/bench -run '^$' -bench Origins10k -count 5
func BenchmarkOrigins10k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(store.DefaultOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	ds, nodes := originsDataset()
	if _, err := db.ImportDataset(ctx, ds); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if db, err = store.Open(store.DefaultOptions(dir)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	reopen := func(b *testing.B) {
		b.StopTimer()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		if db, err = store.Open(store.DefaultOptions(dir)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	judge := func(b *testing.B, r graph.JudgeReader) {
		j, err := graph.JudgeClaim(ctx, r, originsClaim, graph.TraceOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if j.IndependentOrigins.Min < 2 {
			b.Fatalf("%d independent origins", j.IndependentOrigins.Min)
		}
	}
	b.Run("Store", func(b *testing.B) {
		for b.Loop() {
			judge(b, db)
		}
		b.ReportMetric(float64(nodes), "nodes")
	})
	snapshot := func(b *testing.B) {
		snap, err := db.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		judge(b, snap)
		snap.Close()
	}
	b.Run("Snapshot", func(b *testing.B) {
		for b.Loop() {
			snapshot(b)
		}
		b.ReportMetric(float64(nodes), "nodes")
	})
	b.Run("Cold", func(b *testing.B) {
		for b.Loop() {
			reopen(b)
			snapshot(b)
		}
		b.ReportMetric(float64(nodes), "nodes")
	})
}
