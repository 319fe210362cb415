package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
)

// genNDJSON returns a generated NDJSON file of about n edges.
func genNDJSON(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Edges: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchLoad reports edges/s of loading a file into a new database on disk,
// including closing it (which makes the write durable).
func benchLoad(b *testing.B, load func(dir string) (int64, error)) {
	var edges int64
	for i := 0; b.Loop(); i++ {
		n, err := load(filepath.Join(b.TempDir(), strconv.Itoa(i)))
		if err != nil {
			b.Fatal(err)
		}
		edges += n
	}
	b.ReportMetric(float64(edges)/b.Elapsed().Seconds(), "edges/s")
}

// streamLoad bulk loads an NDJSON file: parse, validate, sort, StreamWriter.
func streamLoad(data []byte) func(string) (int64, error) {
	return func(dir string) (int64, error) {
		src := func(emit func(int, any) error) error {
			_, err := fixtures.Stream("bench.ndjson", bytes.NewReader(data), fixtures.Options{}, emit)
			return err
		}
		res, err := store.BulkLoad(context.Background(), store.DefaultOptions(dir), src, store.BulkOptions{})
		return res.Stats.Edges, err
	}
}

// txnLoad parses the whole file and imports it in one large transaction
// (a memtable sized to take it), the other way DESIGN.md section 9 names.
func txnLoad(data []byte) func(string) (int64, error) {
	return func(dir string) (int64, error) {
		ds, err := fixtures.Parse("bench.ndjson", bytes.NewReader(data), fixtures.Options{})
		if err != nil {
			return 0, err
		}
		// A memtable just big enough for the transaction (it may hold 15 %
		// of one): Badger allocates it whole on open.
		opt := store.DefaultOptions(dir)
		opt.MemTableSize = max(64<<20, int64(len(data))*32)
		db, err := store.Open(opt)
		if err != nil {
			return 0, err
		}
		_, err = db.ImportDataset(context.Background(), ds)
		var st graph.Stats
		if err == nil {
			st, err = db.Stats(context.Background())
		}
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		return st.Edges, err
	}
}

// BenchmarkBulkLoad measures loading a generated NDJSON file into an empty
// database two ways: Stream (store.BulkLoad: external sort and
// StreamWriter, any size) and Txn (one transaction: everything in memory,
// bounded by the memtable, which is sized to the file).
//
//	go test ./store -run '^$' -bench '^BenchmarkBulkLoad' -benchtime 3x
func BenchmarkBulkLoad_1K(b *testing.B) { benchBothLoads(b, 1_000) }

func BenchmarkBulkLoad_100K(b *testing.B) { benchBothLoads(b, 100_000) }

func BenchmarkBulkLoad_1M(b *testing.B) {
	data := genNDJSON(b, 1_000_000)
	b.Run("Stream", func(b *testing.B) { benchLoad(b, streamLoad(data)) })
}

func benchBothLoads(b *testing.B, n int) {
	data := genNDJSON(b, n)
	b.Run("Stream", func(b *testing.B) { benchLoad(b, streamLoad(data)) })
	b.Run("Txn", func(b *testing.B) { benchLoad(b, txnLoad(data)) })
}
