package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/store"
)

// BenchmarkBulkImport_ReadPause measures what a reader sees of an online
// bulk import: a database of 100,000 edges serving point reads (a
// snapshot and one claim, as a request does) takes a 100,000-edge import.
// It reports the reads' latency while the import builds (p50, max) and
// the longest read that spanned the switch (switch-max).
func BenchmarkBulkImport_ReadPause(b *testing.B) {
	base, more := genNDJSON(b, 100_000), genNDJSON2(b, 100_000, 2)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		opt := store.DefaultOptions(filepath.Join(b.TempDir(), "db"))
		src := func(data []byte) store.RecordStream {
			return func(emit func(int, any) error) error {
				_, err := fixtures.Stream("g.ndjson", bytes.NewReader(data), fixtures.Options{}, emit)
				return err
			}
		}
		if _, err := store.BulkLoad(ctx, opt, src(base), store.BulkOptions{}); err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(opt)
		if err != nil {
			b.Fatal(err)
		}
		ds, err := fixtures.Parse("g.ndjson", bytes.NewReader(base), fixtures.Options{})
		if err != nil {
			b.Fatal(err)
		}
		type read struct {
			start time.Time
			took  time.Duration
		}
		var reads []read
		var switched time.Time
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				s, err := db.Snapshot(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := s.FindClaimByID(ctx, ds.Claims[i%len(ds.Claims)].ID); err != nil {
					b.Error(err)
				}
				s.Close()
				reads = append(reads, read{t0, time.Since(t0)})
			}
		})
		b.StartTimer()
		if _, err := db.BulkImport(ctx, 0, src(more), store.BulkOptions{}); err != nil {
			b.Fatal(err)
		}
		switched = time.Now()
		time.Sleep(50 * time.Millisecond)
		b.StopTimer()
		close(stop)
		wg.Wait()
		var lat []time.Duration
		var across, longest time.Duration
		var longestAt time.Time
		for _, r := range reads {
			if r.took > longest {
				longest, longestAt = r.took, r.start
			}
			lat = append(lat, r.took)
			// A read that ended within 100 ms before the import
			// returned, or after it, may have met the switch.
			if r.start.Add(r.took).After(switched.Add(-100 * time.Millisecond)) {
				across = max(across, r.took)
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(lat)), "reads")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
		b.ReportMetric(float64(across.Microseconds()), "switch-max-µs")
		// When the longest read started, before the switch (negative).
		b.ReportMetric(float64(longestAt.Sub(switched).Milliseconds()), "max-at-ms")
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// genNDJSON2 is genNDJSON with another seed.
func genNDJSON2(b *testing.B, n int, seed uint64) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Edges: n, Seed: seed}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
