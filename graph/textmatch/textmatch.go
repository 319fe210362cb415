// Package textmatch ranks stored claims by how likely they say the same
// thing as a query text: a tweet, a sentence of an article, a new claim.
//
// It owns the analyzer (text → terms) and the ranking; where the postings
// live is the Index's business (store keeps them in Badger beside the
// graph, tests keep them in memory). It imports the standard library only.
package textmatch

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"
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

// Match is one ranked document.
type Match struct {
	ID    string
	Score float64
}

// MaxQueryRunes bounds the text a query analyses; the rest is ignored.
const MaxQueryRunes = 4096

// Terms analyses text into index terms, in order, repeats kept.
func Terms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if stop[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

var stop = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "to": true,
	"in": true, "on": true, "for": true, "is": true, "are": true, "was": true, "were": true,
	"it": true, "that": true, "this": true, "with": true, "as": true, "at": true, "by": true,
}

// Rank returns the k documents of ix that best match text, best first,
// scored by BM25.
func Rank(ctx context.Context, ix Index, text string, k int) ([]Match, error) {
	if k <= 0 {
		return nil, nil
	}
	if r := []rune(text); len(r) > MaxQueryRunes {
		text = string(r[:MaxQueryRunes])
	}
	docs, total, err := ix.Stats(ctx)
	if err != nil || docs == 0 {
		return nil, err
	}
	avg := float64(total) / float64(docs)
	const k1, b = 1.2, 0.75
	scores := map[string]float64{}
	seen := map[string]bool{}
	for _, t := range Terms(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		var ps []Posting
		if err := ix.Postings(ctx, t, func(p Posting) bool { ps = append(ps, p); return true }); err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (float64(docs)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := float64(p.TF)
			scores[p.ID] += idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(p.DocLen)/avg))
		}
	}
	out := make([]Match, 0, len(scores))
	for id, s := range scores {
		out = append(out, Match{ID: id, Score: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}
