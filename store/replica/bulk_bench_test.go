package replica_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hearsay/store"
	"hearsay/store/replica"
)

// BenchmarkNode_BulkImport publishes HEARSAY_BENCH_DATASET (an NDJSON file,
// e.g. 'hearsay gen --edges 1000000') as one bulk import to a one-server
// NATS (in process, one copy, 1 MB messages) and measures until a node on
// an empty database on disk (DefaultOptions) reports it applied: publish-s
// is the loader's part (chunks acknowledged), total-s publish and apply.
func BenchmarkNode_BulkImport(b *testing.B) {
	file := os.Getenv("HEARSAY_BENCH_DATASET")
	if file == "" {
		b.Fatal("set HEARSAY_BENCH_DATASET to an NDJSON dataset (hearsay gen --edges 1000000 --out g1m.ndjson)")
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		url := runNATS(b)
		opt := replica.Options{URLs: []string{url}, Stream: "BENCH", Node: "n", Replicas: 1}
		db, err := store.Open(store.DefaultOptions(filepath.Join(b.TempDir(), "db")))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		n, err := replica.Open(ctx, db, opt)
		if err != nil {
			b.Fatal(err)
		}
		p, err := replica.NewPublisher(ctx, opt)
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		st, _ := f.Stat()
		b.StartTimer()
		start := time.Now()
		w, err := p.PublishBulk(ctx, filepath.Base(file), f, st.Size())
		if err != nil {
			b.Fatal(err)
		}
		published := time.Since(start)
		out, err := w.Wait(ctx)
		if err != nil || out.Error != "" {
			b.Fatalf("%+v %v", out, err)
		}
		b.StopTimer()
		b.ReportMetric(published.Seconds(), "publish-s")
		b.ReportMetric(time.Since(start).Seconds(), "total-s")
		b.Logf("%d chunks, %d bytes: %d nodes, %d edges", w.Chunks, w.Size, out.Nodes, out.Edges)
		w.Close()
		f.Close()
		p.Close()
		n.Close()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
