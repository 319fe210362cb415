package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// TestBulkLoadBoundsRecordsInFlight checks that the records read but not
// yet turned into entries are bounded by their size, not only by their
// number: with records of 1 MB (a record may be 16 MiB), 512 of them in
// each of 10 batches would hold gigabytes.
func TestBulkLoadBoundsRecordsInFlight(t *testing.T) {
	topics := make([]string, graph.MaxListLen)
	for i := range topics {
		topics[i] = fmt.Sprintf("%0100d", i)
	}
	const n = 40
	var processed atomic.Int64
	maxInFlight := int64(0)
	src := func(emit func(int, any) error) error {
		for i := range n {
			c := &graph.Claim{ID: fmt.Sprintf("claim:c%d", i), Text: "c", Topics: topics} // about 1.2 MB
			if err := emit(i+2, c); err != nil {
				return err
			}
			maxInFlight = max(maxInFlight, int64(i+1)-processed.Load())
		}
		return nil
	}
	bo := store.BulkOptions{Name: "big.ndjson", ProgressEvery: 1, Progress: func(p store.BulkProgress) {
		if p.Phase == "read" {
			processed.Store(p.Records)
		}
	}}
	opt := diskOptions(t)
	res, err := store.BulkLoad(context.Background(), opt, src, bo)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[graph.KindClaim] != n {
		t.Fatalf("loaded %v", res.Counts)
	}
	// 8 batches queued, one filling, one being read, of one record each.
	if maxInFlight > 10 {
		t.Fatalf("up to %d records of 1.2 MB were in flight, want at most 10", maxInFlight)
	}
}
