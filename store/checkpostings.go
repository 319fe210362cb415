package store

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"

	"hearsay/graph"
)

// The checker's part for posting lists (posting.go): the claim search
// index and the claim match index.

// postingSum is an order-free digest of a set of postings: the sums of two
// independently seeded 64-bit hashes of each. Two sets of the same size
// with the same sums are the same set, but for a chance of about 2^-128
// that no input can aim at: the seeds are new for every check.
type postingSum struct{ a, b uint64 }

// add adds one posting: a claim (its slug) in the list of word or term,
// with its term frequency and length in the match index.
func (s *postingSum) add(seeds *[2]maphash.Seed, family byte, list string, slug string, tf, n int) {
	var buf [2*graph.MaxWordLen + graph.MaxIDLen + 24]byte
	b := append(buf[:0], family)
	b = append(b, list...)
	b = append(b, 0x00)
	b = append(b, slug...)
	b = append(b, 0x00)
	b = binary.AppendUvarint(b, uint64(tf))
	b = binary.AppendUvarint(b, uint64(n))
	s.a += maphash.Bytes(seeds[0], b)
	s.b += maphash.Bytes(seeds[1], b)
}

// postings reads a block met in the walk into its index's sum and count,
// and returns how many postings it holds. A claim in two blocks of a list
// (blocks may overlap, posting.go) counts twice, against once: the sets
// differ, and wordProblems or termProblems say where.
func (c *checker) postings(raw, v []byte) int64 {
	plen, _ := isPosting(raw)
	list := string(raw[1 : plen-1])
	sum, stored := &c.haveWords, &c.storedWords
	if raw[0] == tagTerm {
		sum, stored = &c.haveTerms, &c.storedTerms
	}
	n := int64(0)
	err := eachPosting(raw, plen, v, func(slug []byte, tf, m int) bool {
		sum.add(&c.seeds, raw[0], list, string(slug), tf, m)
		n++
		return true
	})
	*stored += n
	if err != nil {
		c.listProblem(raw[0], fmt.Sprintf("key %q", raw), "the block does not decode: %v", err)
	}
	return n
}

// listProblem notes a problem of a posting list, which a rebuild of its
// index fixes.
func (c *checker) listProblem(family byte, where, format string, args ...any) {
	if family == tagTerm {
		if !c.matchStale {
			c.matchProblem(where, format, args...)
		}
		return
	}
	c.wordBad++
	c.problem(where, true, format, args...)
}

// wordProblems names what differs between the search index's postings and
// the words of the claims: postings of claims that do not use the word,
// and words of claims with no posting.
func (c *checker) wordProblems() error {
	before := c.total
	if err := c.eachStored(tagWord, func(list, id string, _, _ int) error {
		n, err := readStored(c.txn, id)
		if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		if n == nil || !entriesOf(n).hasWord(list) {
			c.listProblem(tagWord, fmt.Sprintf("index %q→%s", list, id), "the claim does not use the word, or is not stored")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := c.eachClaim(func(id string, e *nodeEntries) error {
		for _, x := range e.index {
			ok, _, _, err := hasPosting(c.txn, wordPrefix(x.word), id)
			if err != nil {
				return err
			}
			if !ok {
				c.listProblem(tagWord, id, "%s is missing", x.name())
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if c.total == before {
		c.listProblem(tagWord, "claim search index", "holds %d postings; the claims' words call for %d", c.storedWords, c.expectWords)
	}
	return nil
}

// termProblems names what differs between the match index's postings and
// the claims' match texts.
func (c *checker) termProblems() error {
	before := c.total
	if err := c.eachStored(tagTerm, func(term, id string, tf, n int) error {
		node, err := readStored(c.txn, id)
		if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		var doc *matchDoc
		if node != nil {
			doc = entriesOf(node).match
		}
		if !doc.has(term) {
			c.matchProblem(fmt.Sprintf("claim match index %q→%s", term, id), "the claim's text does not hold the term, or the claim is not stored")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := c.eachClaim(func(id string, e *nodeEntries) error {
		if e.match == nil {
			return nil
		}
		for _, t := range e.match.terms {
			ok, tf, n, err := hasPosting(c.txn, termPrefix(t.term), id)
			switch {
			case err != nil:
				return err
			case !ok:
				c.matchProblem(id, "the claim match index has no posting of the term %q for it", t.term)
			case tf != t.tf || n != e.match.len:
				c.matchProblem(id, "its posting of the term %q in the claim match index says %d occurrences in %d terms; its text has %d in %d",
					t.term, tf, n, t.tf, e.match.len)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if c.total == before {
		c.matchProblem("claim match index", "holds %d postings; the claims' texts call for %d", c.storedTerms, c.expectTerms)
	}
	return nil
}

// eachStored calls fn with every posting of an index that decodes: its
// list's word or term, the claim, and the match index's figures.
func (c *checker) eachStored(family byte, fn func(list, id string, tf, n int) error) error {
	it := c.txn.iterate([]byte{family}, true)
	defer it.close()
	for it.seek(nil); it.valid(); it.next() {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		raw := it.key()
		plen, ok := isPosting(raw)
		if !ok {
			continue // a term's count
		}
		list := string(raw[1 : plen-1])
		var ids []posting
		_ = it.value(func(v []byte) error {
			// A block that does not decode was reported by the walk.
			return eachPosting(raw, plen, v, func(slug []byte, tf, n int) bool {
				ids = append(ids, posting{slug: string(slug), tf: tf, n: n})
				return true
			})
		})
		for _, p := range ids {
			if err := fn(list, claimIDPrefix+p.slug, p.tf, p.n); err != nil {
				return err
			}
		}
	}
	return nil
}

// eachClaim calls fn with what every stored claim that decodes writes.
func (c *checker) eachClaim(fn func(id string, e *nodeEntries) error) error {
	it := c.txn.iterate(nodePrefix(graph.KindClaim), true)
	defer it.close()
	for it.seek(nil); it.valid(); it.next() {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		k, err := parseKey(it.key())
		if err != nil {
			continue // reported by the walk
		}
		var cl *graph.Claim
		if err := it.value(func(v []byte) (err error) {
			cl, err = loadClaim(c.txn, k.Node, v)
			return err
		}); err != nil {
			continue // reported by the walk
		}
		if err := fn(k.Node, entriesOf(cl)); err != nil {
			return err
		}
	}
	return nil
}
