package main

import (
	"bytes"
	"context"
	"testing"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/store"
)

// TestSplitDataset: every part of a split dataset imports on its own, in
// order, and together they make the graph the whole dataset makes.
func TestSplitDataset(t *testing.T) {
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Edges: 4_000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	open := func() *store.DB {
		opt := store.SmallOptions()
		opt.MemTableSize = 128 << 20 // the whole dataset in one transaction
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	ds, err := fixtures.Parse("synth.ndjson", bytes.NewReader(buf.Bytes()), fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := open()
	if _, err := whole.ImportDataset(ctx, ds); err != nil {
		t.Fatal(err)
	}
	ds, _ = fixtures.Parse("synth.ndjson", bytes.NewReader(buf.Bytes()), fixtures.Options{})
	parts := splitDataset(ds, 40)
	if len(parts) < 10 {
		t.Fatalf("%d parts", len(parts))
	}
	// Ensure the dataset has references into later parts: some nodes
	// go in twice, first without them.
	total := 0
	for _, p := range parts {
		total += len(p.Nodes())
	}
	if total <= len(ds.Nodes()) {
		t.Fatalf("%d nodes in the parts, %d in the dataset: no reference crossed a part", total, len(ds.Nodes()))
	}
	split := open()
	for i, p := range parts {
		if _, err := split.ImportDataset(ctx, p); err != nil {
			t.Fatalf("part %d of %d: %v", i, len(parts), err)
		}
	}
	a, err := whole.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := split.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.Stats != b.Stats || a.Keys != b.Keys || a.SHA256 != b.SHA256 {
		t.Fatalf("whole %+v, split %+v", a, b)
	}
}
