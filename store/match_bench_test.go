package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// matchVocab is a vocabulary of 20,000 made-up words; texts draw from it
// with a Zipf law (s = 1.1), as words of real text are distributed.
var matchVocab = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	out := make([]string, 20_000)
	for i := range out {
		b := make([]byte, 3+r.IntN(7))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		out[i] = string(b)
	}
	return out
}()

func matchText(z *rand.Zipf, words int) string {
	w := make([]string, words)
	for i := range w {
		w[i] = matchVocab[z.Uint64()]
	}
	return strings.Join(w, " ")
}

// matchDB bulk loads n claims of 10 to 30 words into a database on disk.
func matchDB(b *testing.B, n int) *store.DB {
	b.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	z := rand.NewZipf(r, 1.1, 1, uint64(len(matchVocab)-1))
	src := func(emit func(int, any) error) error {
		for i := range n {
			c := &graph.Claim{ID: fmt.Sprintf("claim:c%07d", i), Text: matchText(z, 10+r.IntN(21))}
			if err := emit(i+1, c); err != nil {
				return err
			}
		}
		return nil
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
	return db
}

// BenchmarkSimilarClaims ranks the claims of a database against a query of
// 25 words (a tweet) through the Badger index, one snapshot a query.
//
//	go test ./store -run '^$' -bench '^BenchmarkSimilarClaims' -benchtime 200x
func BenchmarkSimilarClaims(b *testing.B) {
	for _, n := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run("claims="+n.name, func(b *testing.B) {
			if n.n > 100_000 && testing.Short() {
				b.Skip("-short")
			}
			db := matchDB(b, n.n)
			r := rand.New(rand.NewPCG(5, 6))
			z := rand.NewZipf(r, 1.1, 1, uint64(len(matchVocab)-1))
			queries := make([]string, 256)
			for i := range queries {
				queries[i] = matchText(z, 25)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := db.SimilarClaims(ctx, queries[i%len(queries)], 5); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClaimWrite creates a claim of 25 words in a database of 100,000
// claims, then deletes it: each write changes the search and match index
// postings of every word and term of the claim (posting.go), and commits
// with fsync, as a server's writes do.
//
//	go test ./store -run '^$' -bench '^BenchmarkClaimWrite' -benchtime 400x
func BenchmarkClaimWrite(b *testing.B) {
	db := matchDB(b, 100_000)
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 1, uint64(len(matchVocab)-1))
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// Between the stored claims' IDs, so that changes fall inside blocks.
		id := fmt.Sprintf("claim:c%07d-%d", r.IntN(100_000), i)
		if err := db.CreateClaim(ctx, &graph.Claim{ID: id, Text: matchText(z, 25)}); err != nil {
			b.Fatal(err)
		}
		if err := db.DeleteClaim(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
