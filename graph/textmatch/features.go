package textmatch

import (
	"math"
	"strings"
)

// The features of a (query, document) pair that the model weighs. A
// document's text is its claim on the first line and its reviews' titles
// on the next ones; "terms" are Terms' terms, "names" terms written with
// a capital, not first on their line, "numbers" terms made of digits.
const (
	fBM25Log     = iota // log(1 + BM25)
	fBM25Rel            // BM25 / the best candidate's BM25
	fQueryCover         // idf of the query's terms found in the document / idf of all the query's terms
	fDocCover           // distinct document terms found in the query / distinct document terms
	fClaimCover         // the same over the claim line
	fTitleCover         // the same over the title lines (0 without a title)
	fBigramDoc          // document bigrams (adjacent terms) found in the query / document bigrams
	fBigramQuery        // query bigrams found in the document / query bigrams
	fChar4              // cosine of character 4-gram counts of the term sequences
	fNumberCover        // document numbers found in the query / document numbers (0 without numbers)
	fNumberMiss         // document numbers absent from the query / document numbers
	fNameCover          // document names found in the query / document names (0 without names)
	fNameMiss           // log(1 + document names absent from the query)
	fMatchedLog         // log(1 + distinct terms shared)
	fDocLenLog          // log(1 + document terms)
	fRarestMatch        // the highest idf among shared terms / the highest idf among query terms
	fAssoc              // summed strength of the document's distinct terms the query lacks but associates with (Associations) / distinct document terms
	// NumFeatures is the number of features.
	NumFeatures
)

// FeatureNames names the features, in order.
var FeatureNames = [NumFeatures]string{
	"bm25_log", "bm25_rel", "query_cover", "doc_cover", "claim_cover",
	"title_cover", "bigram_doc", "bigram_query", "char4_cosine", "number_cover",
	"number_miss", "name_cover", "name_miss", "matched_log", "doc_len_log", "rarest_match",
	"assoc",
}

// query is an analysed query text.
type query struct {
	toks    []token
	terms   []string // distinct, in order, at most MaxQueryTerms: the ones looked up
	set     map[string]bool
	idf     map[string]float64 // of the looked-up terms
	bigrams map[string]bool
	grams   map[uint32]float64
	gnorm   float64
	neg     bool
	assoc   map[string]float64 // terms the query associates with, not in it
}

func newQuery(text string) *query {
	q := &query{set: map[string]bool{}, idf: map[string]float64{}, bigrams: map[string]bool{}}
	analyze(text, func(t token) bool {
		q.toks = append(q.toks, t)
		return len(q.toks) < MaxTerms
	})
	for i, t := range q.toks {
		if !q.set[t.term] {
			q.set[t.term] = true
			if len(q.terms) < MaxQueryTerms {
				q.terms = append(q.terms, t.term)
			}
		}

		if negationTerms[t.term] {
			q.neg = true
		}
		if i > 0 {
			q.bigrams[q.toks[i-1].term+" "+t.term] = true
		}
	}
	q.grams = map[uint32]float64{}
	eachGram(q.toks, func(g uint32) { q.grams[g]++ })
	for _, c := range q.grams {
		q.gnorm += c * c
	}
	q.gnorm = math.Sqrt(q.gnorm)
	return q
}

// eachGram calls fn with each character 4-gram (as 4 bytes) of the terms
// joined by spaces, with a space before and after.
func eachGram(toks []token, fn func(uint32)) {
	var g uint32
	n := 0
	push := func(c byte) {
		g = g<<8 | uint32(c)
		n++
		if n >= 4 {
			fn(g)
		}
	}
	push(' ')
	for _, t := range toks {
		for i := 0; i < len(t.term); i++ {
			push(t.term[i])
		}
		push(' ')
	}
}

// docScratch holds maps reused across the documents of one query.
type docScratch struct {
	terms map[string]uint8 // 1: on the claim line, 2: on a title line
	names map[string]bool
	nums  map[string]bool
	bi    map[string]bool
	grams map[uint32]float64
	toks  []token
}

// features fills f for document text doc, a candidate with BM25 score s
// when the best has best (its rank is no feature: the same text scores the
// same wherever it ranks); it reports whether query and document disagree
// on negation.
func features(f *[NumFeatures]float64, q *query, doc string, s, best float64, sc *docScratch) bool {
	if sc.terms == nil {
		sc.terms = map[string]uint8{}
		sc.names = map[string]bool{}
		sc.nums = map[string]bool{}
		sc.bi = map[string]bool{}
		sc.grams = map[uint32]float64{}
	}
	clear(sc.terms)
	clear(sc.names)
	clear(sc.nums)
	clear(sc.bi)
	clear(sc.grams)
	sc.toks = sc.toks[:0]
	docNeg := false
	line := 0
	for rest := doc; ; line++ {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		start := len(sc.toks)
		analyze(l, func(t token) bool {
			sc.toks = append(sc.toks, t)
			return len(sc.toks) < MaxTerms
		})
		lt := sc.toks[start:]
		flag := uint8(2)
		if line == 0 {
			flag = 1
		}
		for i, t := range lt {
			sc.terms[t.term] |= flag
			if t.num {
				sc.nums[t.term] = true
			} else if t.cap && i > 0 {
				sc.names[t.term] = true
			}
			if line == 0 && negationTerms[t.term] {
				docNeg = true
			}
			if i > 0 {
				sc.bi[lt[i-1].term+" "+t.term] = true
			}
		}
		eachGram(lt, func(g uint32) { sc.grams[g]++ })
		if rest == "" || len(sc.toks) >= MaxTerms {
			break
		}
	}

	*f = [NumFeatures]float64{}
	f[fBM25Log] = math.Log1p(s)
	if best > 0 {
		f[fBM25Rel] = s / best
	}

	var qIDF, qMatchIDF, qMax, qMatchMax float64
	for _, t := range q.terms {
		idf := q.idf[t]
		qIDF += idf
		qMax = max(qMax, idf)
		if sc.terms[t] != 0 {
			qMatchIDF += idf
			qMatchMax = max(qMatchMax, idf)
		}
	}
	if qIDF > 0 {
		f[fQueryCover] = qMatchIDF / qIDF
	}
	if qMax > 0 {
		f[fRarestMatch] = qMatchMax / qMax
	}
	var nDoc, nDocHit, nClaim, nClaimHit, nTitle, nTitleHit int
	for t, fl := range sc.terms {
		hit := q.set[t]
		nDoc++
		if hit {
			nDocHit++
		}
		if fl&1 != 0 {
			nClaim++
			if hit {
				nClaimHit++
			}
		}
		if fl&2 != 0 {
			nTitle++
			if hit {
				nTitleHit++
			}
		}
	}
	if len(q.assoc) > 0 {
		// Summed in text order (bit 4 marks a term counted), as
		// AssocFeature does: a map's order would make the same text score
		// differently by an ulp and break ties between duplicates.
		sum := 0.0
		for _, t := range sc.toks {
			if fl := sc.terms[t.term]; fl&4 == 0 {
				sc.terms[t.term] = fl | 4
				sum += q.assoc[t.term]
			}
		}
		f[fAssoc] = ratio1(sum, nDoc)
	}
	f[fDocCover] = ratio(nDocHit, nDoc)
	f[fClaimCover] = ratio(nClaimHit, nClaim)
	f[fTitleCover] = ratio(nTitleHit, nTitle)
	f[fMatchedLog] = math.Log1p(float64(nDocHit))
	f[fDocLenLog] = math.Log1p(float64(len(sc.toks)))

	nBi := 0
	for b := range sc.bi {
		if q.bigrams[b] {
			nBi++
		}
	}
	f[fBigramDoc] = ratio(nBi, len(sc.bi))
	f[fBigramQuery] = ratio(nBi, len(q.bigrams))

	var dot, dn float64
	for g, c := range sc.grams {
		dn += c * c
		dot += c * q.grams[g]
	}
	if dn > 0 && q.gnorm > 0 {
		f[fChar4] = dot / (math.Sqrt(dn) * q.gnorm)
	}

	nNumHit := 0
	for t := range sc.nums {
		if q.set[t] {
			nNumHit++
		}
	}
	f[fNumberCover] = ratio(nNumHit, len(sc.nums))
	f[fNumberMiss] = ratio(len(sc.nums)-nNumHit, len(sc.nums))
	nNameHit := 0
	for t := range sc.names {
		if q.set[t] {
			nNameHit++
		}
	}
	f[fNameCover] = ratio(nNameHit, len(sc.names))
	f[fNameMiss] = math.Log1p(float64(len(sc.names) - nNameHit))
	return docNeg != q.neg
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
