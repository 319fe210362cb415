package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"hearsay/graph"
	"hearsay/graph/textmatch"
)

// The claim match index: what graph.ClaimService.SimilarClaims ranks with
// (package textmatch), kept beside the graph and exact in the transaction
// of every write that changes a claim's match text (graph.Claim.MatchText).
//
//	termKey(term, first)   a term's posting list (posting.go): a posting
//	                       per claim holding the term, with the term's
//	                       frequency in it and the claim's length
//	termCountKey(term)     how many claims hold the term (no key for none),
//	                       so a query passes over a common term unread
//	docKey(claim)          the claim's length and terms (its matchDoc), so
//	                       that a change removes exactly what was written
//	metaKey(matchTerms)    the total length of every claim, in terms
//	metaKey(matchVersion)  the analyzer the index was built with
//
// The number of documents is the claim counter: every claim has a doc key,
// even one with no term. The total length is one counter like the node
// and edge counters, updated by the transaction that changes it; writes
// run one at a time (DB.writeMu), so it never makes two writes conflict.
//
// An index built with another analyzer (textmatch.Terms) or match text
// (graph.MatchTextVersion) is not exact: a database opened for writing
// rebuilds it then (buildMatchIndex), once; a read-only one refuses to
// rank with it until then. A query never rebuilds anything.

// Meta names of the claim match index.
const (
	matchTerms   = "match/terms"
	matchVersion = "match/version"
)

// matchFormat numbers the layout of the index's keys and values; it is part
// of matchIndexVersion. Packed posting lists (posting.go) kept it: a
// posting of format 2 is a block of one claim.
const matchFormat = 2

// matchProbe is analysed to fingerprint textmatch.Terms: any change of the
// analyzer that shows on it changes the version, and the index is rebuilt.
const matchProbe = "The Prime Minister's 3.5% tax-cut: 'We WON'T raise it', said Boris Johnson in 2019 — " +
	"«Président Macron» a dit que l'économie allait croître; Київ, 東京, naïve café, co-operate, e-mail, " +
	"U.S. officials reportedly claimed 10,000 jobs were lost (not gained); vaccines cause autism? No. " +
	"#COVID19 @WHO https://example.org/a?b=c is isn't was were the an and or of to in on"

// matchIndexVersion names the analyzer, the match text and the layout the
// index is built with. It is computed once.
var matchIndexVersion = func() string {
	h := fnv.New64a()
	for _, t := range textmatch.Terms(matchProbe) {
		h.Write([]byte(t))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("format %d, match text %d, terms %016x", matchFormat, graph.MatchTextVersion, h.Sum64())
}()

// termFreq is one distinct term of a claim and how often it occurs.
type termFreq struct {
	term string
	tf   int
}

// matchDoc is what a claim writes into the match index.
type matchDoc struct {
	len   int        // the sum of the terms' frequencies
	terms []termFreq // sorted by term, distinct
}

// matchDocOf analyses a claim's match text. Terms that cannot be a key
// (validTerm) are left out, of the length too.
func matchDocOf(c *graph.Claim) *matchDoc {
	// Sorted, equal terms are runs: counted without a map.
	terms := slices.DeleteFunc(textmatch.Terms(c.MatchText()), func(t string) bool { return !validTerm(t) })
	slices.Sort(terms)
	doc := &matchDoc{len: len(terms), terms: make([]termFreq, 0, len(terms))}
	for i := 0; i < len(terms); {
		j := i + 1
		for j < len(terms) && terms[j] == terms[i] {
			j++
		}
		doc.terms = append(doc.terms, termFreq{terms[i], j - i})
		i = j
	}
	return doc
}

// has reports whether the document holds term.
func (d *matchDoc) has(term string) bool {
	_, ok := d.freq(term)
	return ok
}

// freq returns the term's frequency in the document, and whether it holds
// it.
func (d *matchDoc) freq(term string) (int, bool) {
	if d == nil {
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(d.terms, term, func(t termFreq, s string) int { return strings.Compare(t.term, s) })
	if !ok {
		return 0, false
	}
	return d.terms[i].tf, true
}

// readMatchDoc reads a claim's entry in the index; nil when it has none.
func readMatchDoc(txn kvTxn, claim string) (*matchDoc, error) {
	var doc *matchDoc
	err := txn.get(docKey(claim), func(v []byte) (err error) {
		doc, err = decodeMatchDoc(v)
		return err
	})
	if errors.Is(err, errNoKey) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the match index entry of %q: %w", claim, err)
	}
	return doc, nil
}

// reindex replaces a claim's entries in the match index with doc (nil: the
// claim is deleted), writing only what changes.
func (w *writer) reindex(claim string, doc *matchDoc) error {
	old, err := readMatchDoc(w.txn, claim)
	if err != nil {
		return err
	}
	if old != nil && doc != nil && slices.Equal(old.terms, doc.terms) {
		return nil // the same length too: it is the sum
	}
	if old != nil {
		for _, t := range old.terms {
			if !doc.has(t.term) {
				w.delPosting(termPrefix(t.term), claim)
				w.termCounts[t.term]--
			}
		}
		w.matchTerms -= int64(old.len)
	}
	if doc == nil {
		return w.txn.delete(docKey(claim))
	}
	for _, t := range doc.terms {
		switch was, ok := old.freq(t.term); {
		case !ok:
			w.addPosting(termPrefix(t.term), claim, t.tf, doc.len)
			w.termCounts[t.term]++
		case was != t.tf || old.len != doc.len:
			w.setPosting(termPrefix(t.term), claim, t.tf, doc.len)
		}
	}
	w.matchTerms += int64(doc.len)
	return w.txn.set(docKey(claim), encodeMatchDoc(doc))
}

// addTermCount changes a term's claim count by delta; a count of zero is
// no key, as a bulk load writes it.
func addTermCount(txn kvTxn, term string, delta int64) error {
	if delta == 0 {
		return nil
	}
	key := termCountKey(term)
	n, err := readCount(txn, key)
	if err != nil {
		return err
	}
	switch {
	case n+delta < 0:
		return fmt.Errorf("claim match index: the count of the term %q would go below zero (%d%+d)", term, n, delta)
	case n+delta == 0:
		return txn.delete(key)
	}
	return txn.set(key, encodeCount(n+delta))
}

// indexVersion reads the version the index was built with; "" when none.
func indexVersion(txn kvTxn) (string, error) {
	var v string
	err := txn.get(metaKey(matchVersion), func(b []byte) error { v = string(b); return nil })
	if errors.Is(err, errNoKey) {
		return "", nil
	}
	return v, err
}

// errStaleIndex is what a query on a database whose index is not current
// answers.
func errStaleIndex(have string) error {
	if have == "" {
		return graph.Errorf(graph.EUNAVAILABLE, "this database has no claim match index yet: "+
			"open it for writing once (for example 'hearsay check --repair') and it is built")
	}
	return graph.Errorf(graph.EUNAVAILABLE, "this database's claim match index was built by another version of hearsay (%s, not %s): "+
		"open it for writing once (for example 'hearsay check --repair') and it is rebuilt", have, matchIndexVersion)
}

// matchBatch is how many claims (or index keys to delete) one transaction
// of a rebuild takes: far below a transaction's limit for claims of any
// size allowed (graph.MaxTextLen of text, 10 terms a posting's worth).
const matchBatch = 256

// buildMatchIndex makes the claim match index current: when it was built
// with another version, or never, every key of it is deleted and it is
// built again from the claims, in transactions of matchBatch claims. The
// version is written last, so a rebuild cut short is started again at the
// next open. It returns whether it rebuilt.
func (db *DB) buildMatchIndex(ctx context.Context) (bool, error) {
	var have string
	var claims int64
	if err := db.view(ctx, func(txn kvTxn) (err error) {
		if have, err = indexVersion(txn); err != nil {
			return err
		}
		claims, err = readCount(txn, countKey(graph.KindClaim))
		return err
	}); err != nil {
		return false, err
	}
	if have == matchIndexVersion {
		return false, nil
	}
	if have != "" || claims > 0 {
		db.log.Info().Str("was", have).Str("now", matchIndexVersion).Int64("claims", claims).Msg("building the claim match index")
	}
	if err := db.update(ctx, func(txn kvTxn) error {
		if err := txn.delete(metaKey(matchVersion)); err != nil {
			return err
		}
		return txn.delete(metaKey(matchTerms))
	}); err != nil {
		return false, err
	}
	for _, family := range []byte{tagTerm, tagDoc} {
		if err := db.dropFamily(ctx, family); err != nil {
			return false, err
		}
	}
	if err := db.eachClaimBatch(ctx, func(w *writer, c *graph.Claim) error {
		return w.reindex(c.ID, matchDocOf(c))
	}); err != nil {
		return false, err
	}
	return true, db.update(ctx, func(txn kvTxn) error {
		return txn.set(metaKey(matchVersion), []byte(matchIndexVersion))
	})
}

// eachClaimBatch calls fn with every stored claim, in ID order, in write
// transactions of matchBatch claims.
func (db *DB) eachClaimBatch(ctx context.Context, fn func(w *writer, c *graph.Claim) error) error {
	var after []byte
	for {
		var ids []string
		if err := db.view(ctx, func(txn kvTxn) error {
			ids = ids[:0]
			it := txn.iterate(nodePrefix(graph.KindClaim), false)
			defer it.close()
			for it.seek(after); it.valid() && len(ids) < matchBatch; it.next() {
				if after != nil && string(it.key()) == string(after) {
					continue
				}
				k, err := parseKey(it.key())
				if err != nil {
					return fmt.Errorf("read the claims: %w", err)
				}
				ids = append(ids, k.Node)
			}
			return nil
		}); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		after = nodeKey(ids[len(ids)-1])
		if err := db.write(ctx, func(w *writer) error {
			for _, id := range ids {
				c, err := readNode(w.txn, id, loadClaim)
				if err != nil {
					return err
				}
				if err := fn(w, c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// rebuildSearchIndex builds the claim search index again from the claims:
// what a repair does with one that is not exact.
func (db *DB) rebuildSearchIndex(ctx context.Context) error {
	if err := db.dropFamily(ctx, tagWord); err != nil {
		return err
	}
	return db.eachClaimBatch(ctx, func(w *writer, c *graph.Claim) error {
		w.swapWords(c.ID, nil, entriesOf(c))
		return nil
	})
}

// rebuildMatchIndex builds the claim match index again, whatever version
// it says it is: what a repair does with one that is not exact.
func (db *DB) rebuildMatchIndex(ctx context.Context) error {
	if err := db.update(ctx, func(txn kvTxn) error { return txn.delete(metaKey(matchVersion)) }); err != nil {
		return err
	}
	_, err := db.buildMatchIndex(ctx)
	return err
}

// dropFamily deletes every key of a family, matchBatch×16 keys a
// transaction.
func (db *DB) dropFamily(ctx context.Context, family byte) error {
	for {
		var keys [][]byte
		if err := db.view(ctx, func(txn kvTxn) error {
			it := txn.iterate([]byte{family}, false)
			defer it.close()
			for it.seek(nil); it.valid() && len(keys) < matchBatch*16; it.next() {
				keys = append(keys, slices.Clone(it.key()))
			}
			return nil
		}); err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		if err := db.update(ctx, func(txn kvTxn) error {
			for _, k := range keys {
				if err := txn.delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// matchIndex is the claim match index on one read snapshot: the
// textmatch.Index a query ranks with.
type matchIndex struct{ txn kvTxn }

var _ textmatch.DocFreqIndex = matchIndex{}

// Stats returns the number of claims and their total length in terms.
func (ix matchIndex) Stats(context.Context) (docs, terms int64, err error) {
	if docs, err = readCount(ix.txn, countKey(graph.KindClaim)); err != nil {
		return 0, 0, err
	}
	terms, err = readCount(ix.txn, metaKey(matchTerms))
	return docs, terms, err
}

// Postings calls fn with every claim holding term, in ID order.
func (ix matchIndex) Postings(ctx context.Context, term string, fn func(textmatch.Posting) bool) error {
	if !validTerm(term) {
		return nil // never indexed (matchDocOf)
	}
	prefix := termPrefix(term)
	it := ix.txn.iterate(prefix, true)
	defer it.close()
	n := 0
	var cerr error
	if err := eachListPosting(it, prefix, func(slug string, tf, docLen int) bool {
		if n++; n%4096 == 0 {
			if cerr = ctx.Err(); cerr != nil {
				return false
			}
		}
		return fn(textmatch.Posting{ID: claimIDPrefix + slug, TF: tf, DocLen: docLen})
	}); err != nil {
		return fmt.Errorf("match index postings of %q: %w", term, err)
	}
	return cerr
}

// claimIDPrefix starts every claim ID.
var claimIDPrefix = graph.KindClaim.String() + ":"

// Document returns a claim's match text.
func (ix matchIndex) Document(_ context.Context, id string) (string, error) {
	if err := graph.CheckID(id, graph.KindClaim); err != nil {
		return "", err
	}
	c, err := readNode(ix.txn, id, func(_ kvTxn, id string, v []byte) (*graph.Claim, error) { return decodeClaim(id, v) })
	if err != nil {
		return "", err
	}
	return c.MatchText(), nil
}

// SimilarClaims ranks the stored claims against text with the claim match
// index, from one snapshot.
func (db *DB) SimilarClaims(ctx context.Context, text string, first int) ([]graph.ClaimMatch, error) {
	first, err := graph.CheckMatchQuery(text, first)
	if err != nil {
		return nil, err
	}
	var out []graph.ClaimMatch
	err = db.view(ctx, func(txn kvTxn) error {
		have, err := indexVersion(txn)
		if err != nil {
			return err
		}
		if have != matchIndexVersion {
			return errStaleIndex(have)
		}
		ms, err := textmatch.Rank(ctx, matchIndex{txn}, text, first)
		if err != nil {
			return err
		}
		out = make([]graph.ClaimMatch, 0, len(ms))
		for _, m := range ms {
			c, err := readNode(txn, m.ID, loadClaim)
			if err != nil {
				return fmt.Errorf("claim match index names %s: %w", m.ID, err)
			}
			c.Appearances = canonicalAppearances(c.Appearances)
			out = append(out, graph.ClaimMatch{Claim: c, Score: m.Score})
		}
		return nil
	})
	return out, err
}

// DocFreq returns how many claims hold term, from its count key: a query
// passes over a term held by too many claims without reading them.
func (ix matchIndex) DocFreq(_ context.Context, term string) (int, error) {
	if !validTerm(term) {
		return 0, nil
	}
	n, err := readCount(ix.txn, termCountKey(term))
	return int(n), err
}
