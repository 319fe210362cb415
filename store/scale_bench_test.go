package store_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// scaleDB bulk loads a generated graph of about n edges into a database
// on disk and returns it with the claims it holds.
func scaleDB(b *testing.B, n int) (*store.DB, []string) {
	b.Helper()
	data := genNDJSON(b, n)
	var claims []string
	src := func(emit func(int, any) error) error {
		_, err := fixtures.Stream("scale.ndjson", bytes.NewReader(data), fixtures.Options{}, func(line int, node any) error {
			if c, ok := node.(*graph.Claim); ok && len(claims) < 4096 {
				claims = append(claims, c.ID)
			}
			return emit(line, node)
		})
		return err
	}
	opt := store.DefaultOptions(b.TempDir())
	if _, err := store.BulkLoad(context.Background(), opt, src, store.BulkOptions{}); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db, claims
}

// BenchmarkScale measures, on generated graphs of growing size, reading a
// claim with its out-edges (the store), tracing all its chains (the
// tracer) and judging it (the analytics), over claims picked at random.
//
//	go test ./store -run '^$' -bench '^BenchmarkScale' -benchtime 2s
func BenchmarkScale_1K(b *testing.B)   { benchScale(b, 1_000) }
func BenchmarkScale_100K(b *testing.B) { benchScale(b, 100_000) }
func BenchmarkScale_1M(b *testing.B)   { benchScale(b, 1_000_000) }

func benchScale(b *testing.B, n int) {
	ctx := context.Background()
	db, claims := scaleDB(b, n)
	each := func(b *testing.B, fn func(id string) error) {
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			if err := fn(claims[rng.IntN(len(claims))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("OutEdges", func(b *testing.B) {
		each(b, func(id string) error { _, err := db.FindClaimByID(ctx, id); return err })
	})
	b.Run("Trace", func(b *testing.B) {
		each(b, func(id string) error { _, err := graph.TraceClaim(ctx, db, id, graph.TraceOptions{}); return err })
	})
	b.Run("Judge", func(b *testing.B) {
		each(b, func(id string) error { _, err := graph.JudgeClaim(ctx, db, id, graph.TraceOptions{}); return err })
	})
}
