package textmatch

import (
	"strconv"
	"strings"
	"sync"
)

// Associations maps a term to terms that tend to stand for the same
// thing in other words, each with a strength in (0, 1]: the query term
// "migrant" to the document term "immigr", say. They are learned (see
// weights.go) and feed the assoc feature: how much of a document's
// wording the query says in other words.
type Associations map[string][]Association

// Association is one associated term and its strength.
type Association struct {
	Term     string
	Strength float64
}

// ParseAssociations reads associations written one term a line: the
// term, then space-separated "other:strength" pairs. Malformed pairs are
// skipped.
func ParseAssociations(s string) Associations {
	a := Associations{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, p := range f[1:] {
			t, v, ok := strings.Cut(p, ":")
			x, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil || t == "" || x <= 0 {
				continue
			}
			a[f[0]] = append(a[f[0]], Association{t, min(x, 1)})
		}
	}
	return a
}

var (
	defaultAssocOnce sync.Once
	defaultAssoc     Associations
)

// DefaultAssociations returns the associations Rank uses (weights.go).
func DefaultAssociations() Associations {
	defaultAssocOnce.Do(func() { defaultAssoc = ParseAssociations(associationData) })
	return defaultAssoc
}

// expand returns, for each term associated with one of terms (and not
// among them), its strongest association.
func (a Associations) expand(terms []string, set map[string]bool) map[string]float64 {
	out := map[string]float64{}
	for _, t := range terms {
		for _, x := range a[t] {
			if !set[x.Term] && x.Strength > out[x.Term] {
				out[x.Term] = x.Strength
			}
		}
	}
	return out
}

// AssocFeature is the assoc feature of a query and a document text,
// with associations a: the summed strength of the document's distinct
// terms that the query does not hold but associates with, over the
// document's distinct terms.
func AssocFeature(a Associations, query, doc string) float64 {
	q := newQuery(query)
	exp := a.expand(q.terms, q.set)
	seen := map[string]bool{}
	sum := 0.0
	for _, t := range Terms(doc) {
		if seen[t] {
			continue
		}
		seen[t] = true
		sum += exp[t]
	}
	return ratio1(sum, len(seen))
}

func ratio1(a float64, b int) float64 {
	if b == 0 {
		return 0
	}
	return a / float64(b)
}
