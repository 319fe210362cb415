package store

import (
	"bytes"
	"testing"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
)

// BenchmarkEntriesOf measures what the bulk loader's read workers do with
// each record (Validate and entriesOf), on the records of a generated
// file of about 100k edges.
func BenchmarkEntriesOf_100K(b *testing.B) {
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Edges: 100_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var nodes []any
	if _, err := fixtures.Stream("bench.ndjson", &buf, fixtures.Options{}, func(_ int, node any) error {
		nodes = append(nodes, node)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range nodes {
			r := readRec{node: n}
			r.prepare(true)
			if r.err != nil {
				b.Fatal(r.err)
			}
		}
	}
}
