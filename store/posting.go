package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"hearsay/graph"
)

// Posting lists: the claim search index (a word's claims) and the claim
// match index (a term's claims, each with the term's frequency in it and
// its length) keep their postings packed, many claims to a key.
//
//	wordKey(word, first)   a block of the word's claims, from first on
//	termKey(term, first)   the same for a match term, with tf and length
//
// A list is one or more blocks. A block's key names its first claim and
// it holds claims in ascending ID order; a claim is in one block of its
// list. The bulk loader packs each list into blocks of postingBlock claims
// that do not overlap. A write adds a claim as a block of its own, blind,
// with no read, as one key per posting was written before blocks, so such
// a block can fall inside a packed block's range; it changes or deletes a
// claim where it is (locate), rewriting that block. Readers merge a list's
// blocks in ID order (eachListPosting); the next bulk load packs the list
// again.
//
// A block's value:
//
//	search index:  ""  (the key's claim alone), or
//	               codecV1 { further claim }
//	match index:   codecV1 uvarint(tf) uvarint(length)  (the key's claim)
//	               { further claim uvarint(tf) uvarint(length) }
//
//	further claim: uvarint(bytes shared with the previous claim's slug)
//	               uvarint(length of the rest) rest
//
// A block of one claim is what this layout was before blocks (one key per
// posting), so databases written before it read as they are.
//
// One key per posting made the two indexes 4 of every 5 keys of a graph,
// and a bulk load paid for each key in its sort, its merge and Badger's
// table building. Writes do not grow packed blocks: a block rewritten on
// every write piles up versions in the memtable, and Badger walks every
// version of a key to iterate past it (a first design that inserted into
// packed blocks made writes 3-5x slower, worse as they went on).
const postingBlock = 128

// maxClaimSlug bounds a claim's slug: its ID is at most graph.MaxIDLen.
const maxClaimSlug = graph.MaxIDLen - len("claim:")

// isPosting reports whether key is a block of a posting list, and returns
// the length of its list's prefix (wordPrefix or termPrefix) in key.
func isPosting(key []byte) (int, bool) {
	if len(key) < 2 || key[0] != tagWord && key[0] != tagTerm {
		return 0, false
	}
	end := bytes.IndexByte(key[1:], 0x00)
	if end < 1 {
		return 0, false
	}
	if key[0] == tagTerm && bytes.IndexByte(key[1:1+end], 0x01) >= 0 {
		return 0, false // a term's count: its term ends with 0x01
	}
	return 2 + end, true
}

// blockSlug returns the slug of a block's first claim: the ref after the
// list's prefix of plen bytes.
func blockSlug(key []byte, plen int) ([]byte, error) {
	ref := key[plen:]
	if len(ref) < 3 || graph.Kind(ref[0]) != graph.KindClaim || ref[len(ref)-1] != 0x00 ||
		bytes.IndexByte(ref[1:len(ref)-1], 0x00) >= 0 {
		return nil, fmt.Errorf("posting key %q: %w", key, errBadKey)
	}
	return ref[1 : len(ref)-1], nil
}

// eachPosting calls fn with every posting of the block at key, in ID
// order: the claim's slug (valid only inside fn), and in the match index
// the term's frequency and the claim's length (0 in the search index).
// plen is the list's prefix length (isPosting). fn returning false stops.
// A block that does not decode, or whose claims are out of order, is
// errCorrupt.
func eachPosting(key []byte, plen int, v []byte, fn func(slug []byte, tf, n int) bool) error {
	var it blockIter
	if err := it.reset(key, plen, v); err != nil {
		return err
	}
	for {
		if !fn(it.slug, it.tf, it.n) {
			return nil
		}
		if ok, err := it.next(); !ok || err != nil {
			return err
		}
	}
}

// blockIter reads a block's postings one at a time: reset positions it
// at the first, next moves on. slug, tf and n are the posting's (tf and n
// 0 in the search index); slug is valid until the next call. It keeps
// key and v, and the slug in an array of its own: use it by pointer.
type blockIter struct {
	key  []byte
	rest []byte // the block's value after the current posting
	term bool
	slug []byte
	tf   int
	n    int
	k    int                   // which of bufs slug is in
	bufs [2][maxClaimSlug]byte // the posting before and the posting read
}

// reset positions it at the first posting of the block at key, whose
// list's prefix is plen bytes long, with value v.
func (it *blockIter) reset(key []byte, plen int, v []byte) error {
	first, err := blockSlug(key, plen)
	if err != nil {
		return err
	}
	if len(first) > maxClaimSlug {
		return it.bad("claim too long")
	}
	it.key, it.term, it.tf, it.n = key, key[0] == tagTerm, 0, 0
	it.rest = v
	if it.term {
		if len(v) < 3 || v[0] != codecV1 {
			return it.bad("no first posting")
		}
		var m int
		if it.tf, it.n, m = readPosting(v[1:]); m <= 0 {
			return it.bad("bad first posting")
		}
		it.rest = v[1+m:]
	} else if len(v) > 0 {
		if v[0] != codecV1 {
			return it.bad("unknown codec")
		}
		if it.rest = v[1:]; len(it.rest) == 0 {
			return it.bad("a codec and no claims")
		}
	}
	it.slug, it.k = append(it.bufs[0][:0], first...), 1
	return nil
}

// next moves to the next posting; false at the end of the block.
func (it *blockIter) next() (bool, error) {
	rest := it.rest
	if len(rest) == 0 {
		return false, nil
	}
	shared, a := binary.Uvarint(rest)
	if a <= 0 || shared > uint64(len(it.slug)) {
		return false, it.bad("bad shared length")
	}
	size, b := binary.Uvarint(rest[a:])
	if b <= 0 || size == 0 || size > uint64(len(rest)-a-b) || shared+size > uint64(maxClaimSlug) {
		return false, it.bad("bad claim length")
	}
	next := append(append(it.bufs[it.k][:0], it.slug[:shared]...), rest[a+b:a+b+int(size)]...)
	it.k ^= 1
	rest = rest[a+b+int(size):]
	if bytes.Compare(next, it.slug) <= 0 || bytes.IndexByte(next[shared:], 0x00) >= 0 {
		return false, it.bad("claims out of order")
	}
	it.slug = next
	if it.term {
		var m int
		if it.tf, it.n, m = readPosting(rest); m <= 0 {
			return false, it.bad("bad posting")
		}
		rest = rest[m:]
	}
	it.rest = rest
	return true, nil
}

func (it *blockIter) bad(what string) error {
	return fmt.Errorf("%w: posting block %q: %s", errCorrupt, it.key, what)
}

// readPosting reads a term frequency and a claim length, as
// decodePosting's checks want them, and how many bytes they took (0: not
// a posting).
func readPosting(b []byte) (tf, n, size int) {
	t, i := binary.Uvarint(b)
	if i <= 0 || t == 0 || t > 1<<31 {
		return 0, 0, 0
	}
	l, j := binary.Uvarint(b[i:])
	if j <= 0 || l < t || l > 1<<31 {
		return 0, 0, 0
	}
	return int(t), int(l), i + j
}

// block builds one block of a posting list.
type block struct {
	key  []byte // the list's prefix and the first claim's ref
	val  []byte
	prev []byte // the slug of the last claim added
	n    int    // claims added
}

// start begins a block of the list at prefix with its first claim.
func (b *block) start(prefix, slug []byte, tf, n int) {
	b.key = append(append(append(append(b.key[:0], prefix...), byte(graph.KindClaim)), slug...), 0x00)
	b.val = b.val[:0]
	if prefix[0] == tagTerm {
		b.val = binary.AppendUvarint(binary.AppendUvarint(append(b.val, codecV1), uint64(tf)), uint64(n))
	}
	b.prev = append(b.prev[:0], slug...)
	b.n = 1
}

// add appends a claim after every claim added: its slug is greater.
func (b *block) add(slug []byte, tf, n int) {
	if b.n == 1 && b.key[0] == tagWord {
		b.val = append(b.val, codecV1)
	}
	shared := 0
	for shared < len(slug) && shared < len(b.prev) && slug[shared] == b.prev[shared] {
		shared++
	}
	b.val = binary.AppendUvarint(b.val, uint64(shared))
	b.val = binary.AppendUvarint(b.val, uint64(len(slug)-shared))
	b.val = append(b.val, slug[shared:]...)
	if b.key[0] == tagTerm {
		b.val = binary.AppendUvarint(binary.AppendUvarint(b.val, uint64(tf)), uint64(n))
	}
	b.prev = append(b.prev[:0], slug...)
	b.n++
}

// posting is one claim of a posting list, as a write changes it.
type posting struct {
	slug  string
	tf, n int  // the match index's; 0 in the search index
	del   bool // a change that takes the claim out of the list
	// locate says the claim may be in the list already: its block is
	// found and changed. Without it the claim is known not to be, and is
	// written as a block of its own without reading anything.
	locate bool
}

// addPosting puts claim, known not to be in it, into the list at prefix
// (wordPrefix, termPrefix), with its term frequency and length in the
// match index. Changes are written by flushPostings; the last change of a
// claim in a list wins.
func (w *writer) addPosting(prefix []byte, claim string, tf, n int) {
	w.posting(prefix, posting{slug: claimSlug(claim), tf: tf, n: n})
}

// setPosting puts claim into the list at prefix, or changes its figures
// there.
func (w *writer) setPosting(prefix []byte, claim string, tf, n int) {
	w.posting(prefix, posting{slug: claimSlug(claim), tf: tf, n: n, locate: true})
}

// delPosting takes claim out of the list at prefix.
func (w *writer) delPosting(prefix []byte, claim string) {
	w.posting(prefix, posting{slug: claimSlug(claim), del: true, locate: true})
}

func (w *writer) posting(prefix []byte, p posting) {
	if w.postings == nil {
		w.postings = make(map[string]map[string]posting)
	}
	list := w.postings[string(prefix)]
	if list == nil {
		list = make(map[string]posting)
		w.postings[string(prefix)] = list
	}
	if _, ok := list[p.slug]; ok {
		p.locate = true // an add after a deletion in this write: the claim may be stored
	}
	list[p.slug] = p
}

// claimSlug returns a claim ID's slug. id must be a claim's ID.
func claimSlug(id string) string {
	slug, ok := strings.CutPrefix(id, claimIDPrefix)
	if !ok || slug == "" {
		panic(fmt.Sprintf("store: posting of %q, not a claim", id))
	}
	return slug
}

// flushPostings writes the buffered changes. A claim added is a block of
// its own, written blind. A claim changed or deleted is found (locate)
// and its block rewritten once for all the changes that fall in it; one
// not found is added, or was not there to delete.
func (w *writer) flushPostings() error {
	if len(w.postings) == 0 {
		return nil
	}
	type found struct {
		prefix  []byte
		stored  []posting // the block's postings
		changes []posting
	}
	blocks := make(map[string]*found) // by block key
	var order []string
	back := make(map[byte]kvIter, 2) // a reverse iterator by index, made when first needed
	defer func() {
		for _, it := range back {
			if it != nil {
				it.close()
			}
		}
	}()
	for _, ps := range slices.Sorted(maps.Keys(w.postings)) {
		prefix := []byte(ps)
		changes := w.postings[ps]
		for _, slug := range slices.Sorted(maps.Keys(changes)) {
			c := changes[slug]
			if !c.locate {
				if err := w.writeBlock(prefix, []posting{c}, nil); err != nil {
					return err
				}
				continue
			}
			if f := blocks[string(appendSlugKey(nil, prefix, slug))]; f != nil {
				f.changes = append(f.changes, c) // its own block, found already
				continue
			}
			iter := func() kvIter {
				if back[prefix[0]] == nil {
					back[prefix[0]] = w.txn.iterateBack([]byte{prefix[0]})
				}
				return back[prefix[0]]
			}
			key, stored, err := locate(w.txn, iter, prefix, slug)
			if err != nil {
				return err
			}
			if key == nil {
				if !c.del {
					if err := w.writeBlock(prefix, []posting{c}, nil); err != nil {
						return err
					}
				}
				continue
			}
			f := blocks[string(key)]
			if f == nil {
				f = &found{prefix: prefix, stored: stored}
				blocks[string(key)] = f
				order = append(order, string(key))
			}
			f.changes = append(f.changes, c)
		}
	}
	w.postings = nil
	for _, key := range order {
		f := blocks[key]
		// stored and the changes are both in ID order.
		out := f.stored[:0:0]
		i := 0
		for _, s := range f.stored {
			for i < len(f.changes) && f.changes[i].slug < s.slug {
				i++ // not in the block (locate found it was): no change
			}
			switch {
			case i < len(f.changes) && f.changes[i].slug == s.slug && f.changes[i].del:
			case i < len(f.changes) && f.changes[i].slug == s.slug:
				out = append(out, posting{slug: s.slug, tf: f.changes[i].tf, n: f.changes[i].n})
			default:
				out = append(out, s)
			}
		}
		if err := w.writeBlock(f.prefix, out, []byte(key)); err != nil {
			return err
		}
	}
	return nil
}

// writeBlock writes postings (in ID order) as one block of the list at
// prefix in place of the block at old (nil: none); no postings deletes it.
func (w *writer) writeBlock(prefix []byte, ps []posting, old []byte) error {
	if len(ps) == 0 {
		return w.txn.delete(old)
	}
	var b block
	b.start(prefix, []byte(ps[0].slug), ps[0].tf, ps[0].n)
	for _, p := range ps[1:] {
		b.add([]byte(p.slug), p.tf, p.n)
	}
	if old != nil && !bytes.Equal(old, b.key) {
		if err := w.txn.delete(old); err != nil {
			return err
		}
	}
	return w.txn.set(b.key, b.val)
}

// appendSlugKey appends the key of the list at prefix for the claim slug.
func appendSlugKey(b, prefix []byte, slug string) []byte {
	return append(append(append(append(b, prefix...), byte(graph.KindClaim)), slug...), 0x00)
}

// locate returns the key and postings of the block of the list at prefix
// that holds the claim slug; no key when none does. The claim's own key is
// read first: a claim a write added is a block of its own. Else the blocks
// before it are read backwards (iter, over the list's index), past blocks
// of one other claim, up to the first that holds more: blocks of several
// claims never overlap, so no earlier one can hold it.
func locate(txn kvTxn, iter func() kvIter, prefix []byte, slug string) ([]byte, []posting, error) {
	var ps []posting
	decode := func(key []byte) func(v []byte) error {
		return func(v []byte) error {
			ps = ps[:0]
			return eachPosting(key, len(prefix), v, func(s []byte, tf, n int) bool {
				ps = append(ps, posting{slug: string(s), tf: tf, n: n})
				return true
			})
		}
	}
	key := appendSlugKey(nil, prefix, slug)
	switch err := txn.get(key, decode(key)); {
	case err == nil:
		return key, ps, nil
	case !errors.Is(err, errNoKey):
		return nil, nil, err
	}
	it := iter()
	for it.seek(key); it.valid() && bytes.HasPrefix(it.key(), prefix); it.next() {
		k := slices.Clone(it.key())
		if err := it.value(decode(k)); err != nil {
			return nil, nil, err
		}
		if _, has := slices.BinarySearchFunc(ps, slug, func(p posting, s string) int { return strings.Compare(p.slug, s) }); has {
			return k, ps, nil
		}
		if len(ps) > 1 {
			break
		}
	}
	return nil, nil, nil
}

// eachListPosting calls fn with every posting of the list at prefix, in ID
// order, from an iterator over its keys. Blocks may overlap (a claim a
// write added is a block of its own, maybe inside a packed block's
// range): postings are held until the next block's first claim is past
// them, at most a packed block's and the blocks of one claim inside it.
func eachListPosting(it kvIter, prefix []byte, fn func(slug string, tf, n int) bool) error {
	var pending, merged []posting
	give := func(below string, all bool) bool {
		i := 0
		for ; i < len(pending) && (all || pending[i].slug < below); i++ {
			if !fn(pending[i].slug, pending[i].tf, pending[i].n) {
				return false
			}
		}
		pending = pending[i:]
		return true
	}
	for it.seek(nil); it.valid(); it.next() {
		key := it.key()
		first, err := blockSlug(key, len(prefix))
		if err != nil {
			return err
		}
		if !give(string(first), false) {
			return nil
		}
		merged = merged[:0]
		i := 0
		if err := it.value(func(v []byte) error {
			return eachPosting(key, len(prefix), v, func(slug []byte, tf, n int) bool {
				for ; i < len(pending) && pending[i].slug < string(slug); i++ {
					merged = append(merged, pending[i])
				}
				merged = append(merged, posting{slug: string(slug), tf: tf, n: n})
				return true
			})
		}); err != nil {
			return err
		}
		merged = append(merged, pending[i:]...)
		pending, merged = merged, pending[:0]
	}
	give("", true)
	return nil
}

// hasPosting reports whether claim is in the list at prefix, and its term
// frequency and length there.
func hasPosting(txn kvTxn, prefix []byte, claim string) (ok bool, tf, n int, err error) {
	slug := claimSlug(claim)
	var it kvIter
	defer func() {
		if it != nil {
			it.close()
		}
	}()
	key, ps, err := locate(txn, func() kvIter { it = txn.iterateBack(prefix); return it }, prefix, slug)
	if err != nil || key == nil {
		return false, 0, 0, err
	}
	for _, p := range ps {
		if p.slug == slug {
			return true, p.tf, p.n, nil
		}
	}
	return false, 0, 0, nil
}
