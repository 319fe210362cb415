package textmatch_test

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hearsay/graph/textmatch"
)

// synthetic builds claims and tweet-like queries from a vocabulary of
// made-up words drawn with a Zipf law, so that a few terms are in most
// claims and most terms in few, as in real text.
type synthetic struct {
	vocab []string
	zipf  *rand.Zipf
	rng   *rand.Rand
}

func newSynthetic(seed int64) *synthetic {
	rng := rand.New(rand.NewSource(seed))
	syl := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "po", "gra", "bel", "dor", "fin", "hum", "jax", "qui", "wen", "yor", "cal"}
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < 60000 {
		n := 2 + rng.Intn(3)
		var b strings.Builder
		for range n {
			b.WriteString(syl[rng.Intn(len(syl))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &synthetic{vocab: vocab, rng: rng, zipf: rand.NewZipf(rng, 1.07, 2, uint64(len(vocab)-1))}
}

func (s *synthetic) words(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s.vocab[s.zipf.Uint64()]
	}
	return out
}

// claim is a claim of 8–24 words and a title of 5–10 words.
func (s *synthetic) claim() string {
	return strings.Join(s.words(8+s.rng.Intn(17)), " ") + "\n" + strings.Join(s.words(5+s.rng.Intn(6)), " ")
}

// query keeps about 60% of a claim's words and adds 10 others.
func (s *synthetic) query(claim string) string {
	var q []string
	for _, w := range strings.Fields(claim) {
		if s.rng.Intn(10) < 6 {
			q = append(q, w)
		}
	}
	q = append(q, s.words(10)...)
	s.rng.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
	return strings.Join(q, " ")
}

type benchCorpus struct {
	ix      *textmatch.MemIndex
	queries []string
}

var (
	corpusMu sync.Mutex
	corpora  = map[int]*benchCorpus{}
)

// corpus builds (once per process) a MemIndex of n synthetic claims and
// 256 queries drawn from them.
func corpus(n int) *benchCorpus {
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if c, ok := corpora[n]; ok {
		return c
	}
	s := newSynthetic(1)
	ix := textmatch.NewMemIndex()
	claims := make([]string, 0, 256)
	for i := range n {
		c := s.claim()
		ix.Add(fmt.Sprintf("claim:c%d", i), c)
		if i%(n/256) == 0 && len(claims) < 256 {
			claims = append(claims, c)
		}
	}
	c := &benchCorpus{ix: ix}
	for _, cl := range claims {
		c.queries = append(c.queries, s.query(cl))
	}
	corpora[n] = c
	return c
}

// BenchmarkRank ranks tweet-sized queries over growing synthetic
// collections; p50-ns is the median latency of one query.
func BenchmarkRank(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run("claims="+size.name, func(b *testing.B) {
			c := corpus(size.n)
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t := time.Now()
				ms, err := textmatch.Rank(ctx, c.ix, c.queries[i%len(c.queries)], 5)
				lat = append(lat, time.Since(t))
				if err != nil || len(ms) == 0 {
					b.Fatalf("Rank: %v, %d matches", err, len(ms))
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		})
	}
}

// BenchmarkTerms analyses a tweet.
func BenchmarkTerms(b *testing.B) {
	const tweet = `RT @realDonaldTrump: Breaking: 5G towers did NOT cause the #COVID19 outbreak, says WHO's report of 12,000 cases https://t.co/abc pic.twitter.com/xyz — Jane Doe (@janedoe) March 3, 2020`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(textmatch.Terms(tweet)) == 0 {
			b.Fatal("no terms")
		}
	}
}
