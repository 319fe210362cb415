package textmatch

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Posting is one indexed document holding a term.
type Posting struct {
	ID     string // the claim's ID
	TF     int    // how often the term occurs in the document
	DocLen int    // the document's length in terms
}

// Index is what Rank reads: collection statistics and postings.
type Index interface {
	// Stats returns the number of indexed documents and their total
	// length in terms.
	Stats(ctx context.Context) (docs, terms int64, err error)
	// Postings calls fn for each document holding term, in any order,
	// and stops early when fn returns false.
	Postings(ctx context.Context, term string, fn func(Posting) bool) error
	// Document returns the indexed text of a document, for re-ranking
	// the best candidates.
	Document(ctx context.Context, id string) (string, error)
}

// DocFreqIndex is an Index that tells how many documents hold a term
// without reading their postings. Rank passes over a term held by more
// documents than it reads (MaxPostings, MaxDocShare) at the cost of one
// lookup instead of MaxPostings+1 postings; the ranking is the same.
type DocFreqIndex interface {
	Index
	DocFreq(ctx context.Context, term string) (int, error)
}

// Match is one ranked document.
type Match struct {
	ID    string
	Score float64
}

// Bounds of the work one query does; see the package documentation.
const (
	// MaxQueryRunes bounds the text a query analyses; the rest is ignored.
	MaxQueryRunes = 4096
	// MaxQueryTerms bounds the distinct terms of a query that are looked
	// up, the first ones in the text.
	MaxQueryTerms = 48
	// MaxPostings bounds the postings read for one term: a term held by
	// more documents is too common to tell them apart and is skipped, like
	// a stop word, after reading at most MaxPostings+1 of its postings.
	MaxPostings = 10000
	// MaxDocShare skips, the same way, a term held by more than this share
	// of the documents (but never one held by MinTermLimit documents or
	// fewer): at 10,000 claims, a term in more than 1,000 of them.
	MaxDocShare = 0.1
	// MinTermLimit keeps the share from skipping terms of small indexes.
	MinTermLimit = 200
	// MaxCandidates bounds the documents that collect a BM25 score. Terms
	// are scored rarest first; once MaxCandidates documents hold a score,
	// the commoner terms only add to those.
	MaxCandidates = 20000
	// Depth is the number of best BM25 candidates whose text is read and
	// re-ranked with the model.
	Depth = 50
	// MaxResults bounds k: Rank returns at most this many matches.
	MaxResults = 100
)

// BM25 parameters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Rank returns the k documents of ix that best match text, best first,
// ties by ID (CompareIDs). Score is the model's estimate, in (0, 1), that the document
// states the same claim as text (see the package documentation). k is
// capped at MaxResults; k ≤ 0 or an empty index gives no matches.
func Rank(ctx context.Context, ix Index, text string, k int) ([]Match, error) {
	return DefaultModel.Rank(ctx, ix, text, k)
}

// Model is a logistic model over the features of FeatureNames: a
// document's score is σ(Bias + Σ Weights[i]·feature[i] − NegationPenalty·
// [exactly one of query and document is negated]).
type Model struct {
	Bias    float64
	Weights [NumFeatures]float64
	// NegationPenalty is subtracted from the logit when the query and the
	// document disagree on negation, so that "X did not happen" ranks
	// "X happened" below its paraphrases.
	NegationPenalty float64
}

// Rank is Rank with model m.
func (m *Model) Rank(ctx context.Context, ix Index, text string, k int) ([]Match, error) {
	if k <= 0 {
		return nil, nil
	}
	k = min(k, MaxResults)
	cs, err := Candidates(ctx, ix, text, max(k, Depth))
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	out := make([]Match, len(cs))
	for i, c := range cs {
		out[i] = Match{ID: c.ID, Score: m.Score(c)}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return CompareIDs(out[i].ID, out[j].ID) < 0
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

// Logit is the model's log-odds for candidate c.
func (m *Model) Logit(c Candidate) float64 {
	z := m.Bias
	for i, x := range c.Features {
		z += m.Weights[i] * x
	}
	if c.NegationDiffers {
		z -= m.NegationPenalty
	}
	return z
}

// Score is σ(Logit(c)).
func (m *Model) Score(c Candidate) float64 {
	return 1 / (1 + math.Exp(-m.Logit(c)))
}

// Candidate is one of the best BM25 documents for a query, with the
// features the model scores.
type Candidate struct {
	ID       string
	BM25     float64
	Features [NumFeatures]float64
	// NegationDiffers is true when exactly one of query and document
	// holds a negation (not, n't, no, never, …).
	NegationDiffers bool
}

// Candidates returns the n best documents of ix for text by BM25 (at
// most MaxResults), best first, ties by ID, each with its features; it
// reads their text with Document.
func Candidates(ctx context.Context, ix Index, text string, n int) ([]Candidate, error) {
	if n <= 0 {
		return nil, nil
	}
	n = min(n, MaxResults)
	if len(text) > MaxQueryRunes*utf8.UTFMax || utf8.RuneCountInString(text) > MaxQueryRunes {
		r := []rune(text)
		if len(r) > MaxQueryRunes {
			r = r[:MaxQueryRunes]
		}
		text = string(r)
	}
	docs, total, err := ix.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("textmatch: index stats: %w", err)
	}
	if docs <= 0 {
		return nil, nil
	}
	q := newQuery(text)
	q.assoc = DefaultAssociations().expand(q.terms, q.set)
	top, err := bm25(ctx, ix, q, docs, total, n)
	if err != nil || len(top) == 0 {
		return nil, err
	}
	out := make([]Candidate, len(top))
	var scratch docScratch
	best := top[0].Score
	for i, m := range top {
		doc, err := ix.Document(ctx, m.ID)
		if err != nil {
			return nil, fmt.Errorf("textmatch: document %q: %w", m.ID, err)
		}
		out[i] = Candidate{ID: m.ID, BM25: m.Score}
		out[i].NegationDiffers = features(&out[i].Features, q, doc, m.Score, best, &scratch)
	}
	return out, nil
}

// bm25 scores the documents holding q's terms and returns the n best,
// best first, ties by ID. It records each looked-up term's idf in q.
func bm25(ctx context.Context, ix Index, q *query, docs, total int64, n int) ([]Match, error) {
	avg := float64(total) / float64(docs)
	if avg <= 0 {
		avg = 1
	}
	limit := termLimit(docs)
	// Read each term's postings (at most limit of them), then score the
	// rarest terms first: once MaxCandidates documents hold a score, the
	// commoner terms only add to those.
	bp := postingPool.Get().(*[]Posting)
	defer func() {
		if cap(*bp) <= 1<<20 {
			postingPool.Put(bp)
		}
	}()
	all := (*bp)[:0]
	type span struct {
		term       string
		start, end int
	}
	spans := make([]span, 0, len(q.terms))
	dfx, _ := ix.(DocFreqIndex)
	for _, t := range q.terms {
		start := len(all)
		over := false
		if dfx != nil {
			n, err := dfx.DocFreq(ctx, t)
			if err != nil {
				*bp = all
				return nil, fmt.Errorf("textmatch: document frequency of %q: %w", t, err)
			}
			if n == 0 || n > limit {
				// Nothing to read, or too common to read: the same idf as
				// reading would give (below).
				df := float64(min(n, limit))
				if n > limit {
					df = max(df, float64(docs)/2)
				}
				q.idf[t] = math.Log(1 + (float64(docs)-df+0.5)/(df+0.5))
				continue
			}
		}
		err := ix.Postings(ctx, t, func(p Posting) bool {
			if len(all)-start >= limit {
				over = true
				return false
			}
			all = append(all, p)
			return true
		})
		if err != nil {
			*bp = all
			return nil, fmt.Errorf("textmatch: postings of %q: %w", t, err)
		}
		df := float64(len(all) - start)
		if over {
			// Too common: skipped like a stop word; its idf, for the
			// features, as if half the documents held it.
			df = max(df, float64(docs)/2)
			all = all[:start]
		}
		q.idf[t] = math.Log(1 + (float64(docs)-df+0.5)/(df+0.5))
		if len(all) > start {
			spans = append(spans, span{t, start, len(all)})
		}
	}
	*bp = all
	sort.Slice(spans, func(i, j int) bool {
		a, b := spans[i], spans[j]
		if a.end-a.start != b.end-b.start {
			return a.end-a.start < b.end-b.start
		}
		return a.term < b.term
	})
	scores := make(map[string]float64, min(len(all), MaxCandidates))
	for _, sp := range spans {
		idf := q.idf[sp.term]
		for _, p := range all[sp.start:sp.end] {
			tf := float64(p.TF)
			s := idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(p.DocLen)/avg))
			if old, ok := scores[p.ID]; ok {
				scores[p.ID] = old + s
			} else if len(scores) < MaxCandidates {
				scores[p.ID] = s
			}
		}
	}
	// The n best by a bounded min-heap.
	h := make(matchHeap, 0, n+1)
	for id, s := range scores {
		m := Match{ID: id, Score: s}
		if len(h) < n {
			heap.Push(&h, m)
			continue
		}
		if better(m, h[0]) {
			h[0] = m
			heap.Fix(&h, 0)
		}
	}
	out := make([]Match, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(Match)
	}
	return out, nil
}

// termLimit is the most documents a term may be held by and still be
// scored: MaxDocShare of the documents, at least MinTermLimit and at most
// MaxPostings.
func termLimit(docs int64) int {
	return int(min(MaxPostings, max(MinTermLimit, float64(docs)*MaxDocShare)))
}

var postingPool = sync.Pool{New: func() any { b := make([]Posting, 0, 4096); return &b }}

// better orders matches best first: higher score, then lower ID.
func better(a, b Match) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return CompareIDs(a.ID, b.ID) < 0
}

// CompareIDs orders document IDs for ties: in natural order, runs of
// digits by their value (claim:vclaim-9 before claim:vclaim-10), the rest
// byte by byte; IDs equal that way by their bytes. It returns −1, 0 or +1.
// Two documents of the same text tie; natural order puts the one stored
// first (by a numbered ID) first.
func CompareIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			da := strings.TrimLeft(a[si:i], "0")
			db := strings.TrimLeft(b[sj:j], "0")
			if len(da) != len(db) {
				return cmpInt(len(da), len(db))
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			continue
		}
		if ca != cb {
			return cmpInt(int(ca), int(cb))
		}
		i++
		j++
	}
	if c := cmpInt(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// matchHeap is a min-heap: the worst match on top.
type matchHeap []Match

func (h matchHeap) Len() int           { return len(h) }
func (h matchHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h matchHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *matchHeap) Push(x any)        { *h = append(*h, x.(Match)) }
func (h *matchHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
