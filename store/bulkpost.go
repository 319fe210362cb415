package store

import (
	"bytes"
	"container/heap"
	"fmt"
	"slices"
)

// A bulk load's postings (posting.go) are most of what it writes: 3.7M of
// the 5.4M entries of a 1M-edge load, every claim in the list of each of
// its words and terms. One sort entry a posting paid for each of them in
// the sort, the runs and the merge's heap, about a quarter of the load's
// CPU. Instead, postingAgg gathers a window of them in memory, list by
// list, and hands each list's postings to the sorter as blocks: one sort
// entry for up to aggChunk postings. The merge (listMerge) merges a
// list's blocks, the load's and the live generation's, posting by
// posting, and packs the list again.

// aggChunk and aggChunkBytes bound the block a window gives the sorter
// for one list: a merge holds one such block of each run at once.
const (
	aggChunk      = 4096
	aggChunkBytes = 64 << 10
)

// aggItemSize is what a posting in a window costs besides its slug: its
// item, and its place in the copy flush sorts into. aggListSize is about
// what a list costs besides its prefix (held twice): its map entry, its
// counters and flush's.
const (
	aggItemSize = 2 * 20
	aggListSize = 64
)

// postingAgg gathers postings by list until its window is full (limit
// bytes), then flushes them into the sorter, each list's as blocks of
// the postings the window puts and blocks of those it deletes. A
// window's blocks carry the sequence of its last record: windows follow
// each other in input order, so the merge tells which of a claim's
// postings is the latest as it tells entries apart, by seq. In a window,
// the later of two postings of one claim in one list wins.
type postingAgg struct {
	s     *sorter
	limit int
	lists map[string]uint32 // the window's lists: a prefix's index in prefixes
	// prefixes holds the window's lists' prefixes in the order they came,
	// used how many postings each has.
	prefixes []string
	used     []uint32
	items    []aggItem
	slugs    []byte
	size     int    // the window's bytes: items, slugs and lists
	seq      uint32 // the last posting's record
	// scratch of flush
	sorted   []aggItem
	put, del block
}

// aggItem is one posting of a window: its list, its claim's slug in
// slugs, its figures and whether it is put or deleted.
type aggItem struct {
	list uint32
	off  uint32
	tf   uint32
	n    uint32
	slen uint8
	op   byte
}

func newPostingAgg(s *sorter, limit int) *postingAgg {
	// Slugs are found by 32-bit offsets: a window stays under 1 GB.
	return &postingAgg{s: s, limit: min(max(limit, 4<<10), 1<<30), lists: make(map[string]uint32)}
}

// addKey adds the posting at key, a posting list's key (isPosting) whose
// prefix is plen bytes, with value val as the sorter would have had it:
// encodePosting's for a put in the match index, none otherwise.
func (a *postingAgg) addKey(key []byte, plen int, op byte, seq uint32, val []byte) error {
	slug, err := blockSlug(key, plen)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	tf, n := 0, 0
	if key[0] == tagTerm && op == opPut {
		if tf, n, err = decodePosting(val); err != nil {
			return fmt.Errorf("bulk load: posting %q: %w", key, err)
		}
	}
	return a.add(key[:plen], slug, op, seq, tf, n)
}

// add adds the claim slug to the list at prefix (op opPut, with the
// match index's figures tf and n) or takes it out (opDel).
func (a *postingAgg) add(prefix, slug []byte, op byte, seq uint32, tf, n int) error {
	if len(slug) > maxClaimSlug || len(slug) == 0 {
		return fmt.Errorf("bulk load: posting of a claim slug of %d bytes", len(slug))
	}
	if op == opDel || prefix[0] == tagWord {
		tf, n = 1, 1 // a block's figures must decode; these are not read
	}
	li, ok := a.lists[string(prefix)]
	if !ok {
		li = uint32(len(a.prefixes))
		p := string(prefix)
		a.lists[p] = li
		a.prefixes = append(a.prefixes, p)
		a.used = append(a.used, 0)
		a.size += aggListSize + 2*len(p)
	}
	a.used[li]++
	a.items = append(a.items, aggItem{list: li, off: uint32(len(a.slugs)), tf: uint32(tf), n: uint32(n), slen: uint8(len(slug)), op: op})
	a.slugs = append(a.slugs, slug...)
	a.size += aggItemSize + len(slug)
	a.seq = seq
	if a.size < a.limit {
		return nil
	}
	return a.flush()
}

func (a *postingAgg) slug(it *aggItem) []byte {
	return a.slugs[it.off : it.off+uint32(it.slen)]
}

// flush hands the window's postings to the sorter and empties it. Items
// are grouped by list stably (a counting sort: input order kept), then
// each list's sorted by slug when the input did not give them in ID
// order.
func (a *postingAgg) flush() error {
	if len(a.items) == 0 {
		return nil
	}
	// starts[li] is where list li's postings begin in sorted.
	starts := make([]int, len(a.prefixes)+1)
	for li, u := range a.used {
		starts[li+1] = starts[li] + int(u)
	}
	a.sorted = slices.Grow(a.sorted[:0], len(a.items))[:len(a.items)]
	at := slices.Clone(starts[:len(a.prefixes)])
	for _, it := range a.items {
		a.sorted[at[it.list]] = it
		at[it.list]++
	}
	bySlug := func(x, y aggItem) int { return bytes.Compare(a.slug(&x), a.slug(&y)) }
	for li := range a.prefixes {
		ps := a.sorted[starts[li]:starts[li+1]]
		if len(ps) == 0 {
			continue
		}
		if !slices.IsSortedFunc(ps, bySlug) {
			slices.SortStableFunc(ps, bySlug)
		}
		if err := a.flushList([]byte(a.prefixes[li]), ps); err != nil {
			return err
		}
	}
	clear(a.lists)
	a.prefixes, a.used = a.prefixes[:0], a.used[:0]
	a.items, a.slugs, a.size = a.items[:0], a.slugs[:0], 0
	return nil
}

// flushList writes one list's postings, in slug order (a claim's last
// winning), as blocks of puts and blocks of deletions.
func (a *postingAgg) flushList(prefix []byte, ps []aggItem) error {
	a.put.n, a.del.n = 0, 0
	for i := range ps {
		if i+1 < len(ps) && bytes.Equal(a.slug(&ps[i]), a.slug(&ps[i+1])) {
			continue // a later posting of the same claim replaces it
		}
		it := &ps[i]
		b := &a.put
		if it.op == opDel {
			b = &a.del
		}
		if b.n == 0 {
			b.start(prefix, a.slug(it), int(it.tf), int(it.n))
		} else {
			b.add(a.slug(it), int(it.tf), int(it.n))
		}
		if b.n >= aggChunk || len(b.val) >= aggChunkBytes {
			if err := a.emit(b, it.op); err != nil {
				return err
			}
		}
	}
	if err := a.emit(&a.put, opPut); err != nil {
		return err
	}
	return a.emit(&a.del, opDel)
}

// emit gives the sorter the block b, if it holds any posting.
func (a *postingAgg) emit(b *block, op byte) error {
	if b.n == 0 {
		return nil
	}
	b.n = 0
	return a.s.add(b.key, op, a.seq, 0, b.val)
}

// listMerge merges the blocks of one posting list, from every source,
// into the list's postings in ID order: the sources' blocks come in the
// order of their first claims, and may overlap (the load's windows, the
// live generation's blocks a write added), so each is read by a cursor,
// and a claim's posting is taken from the cursor of the latest
// sequence. A block is read once the postings before its first claim
// are given, so the cursors open at once are at most the blocks that
// overlap one claim: a few per window and run.
type listMerge struct {
	cursors cursorHeap
	free    []*listCursor
	slug    []byte // the posting given last
}

// listCursor reads one block, whose key and value it owns.
type listCursor struct {
	it       blockIter
	seq      uint32
	op       byte
	key, val []byte
}

// cursorHeap orders cursors by their posting's claim, then latest first.
type cursorHeap []*listCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].it.slug, h[j].it.slug); c != 0 {
		return c < 0
	}
	return h[i].seq > h[j].seq
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*listCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// open reads the block e of the list whose prefix is plen bytes.
func (l *listMerge) open(e *entry, plen int) error {
	if e.op != opPut && e.op != opDel {
		return fmt.Errorf("bulk load: posting block %q: operation %d", e.key, e.op)
	}
	var c *listCursor
	if n := len(l.free); n > 0 {
		c, l.free = l.free[n-1], l.free[:n-1]
	} else {
		c = new(listCursor)
	}
	c.key = append(c.key[:0], e.key...)
	c.val = append(c.val[:0], e.val...)
	c.seq, c.op = e.seq, e.op
	if err := c.it.reset(c.key, plen, c.val); err != nil {
		l.free = append(l.free, c)
		return fmt.Errorf("bulk load: %w", err)
	}
	heap.Push(&l.cursors, c)
	return nil
}

// before reports whether the block at key (its list's prefix plen bytes)
// starts at or before the claim the merge gives next: it must be open
// before that claim is given. A key that names no claim is opened, to
// fail there.
func (l *listMerge) before(key []byte, plen int) bool {
	if len(l.cursors) == 0 {
		return true
	}
	slug, err := blockSlug(key, plen)
	return err != nil || bytes.Compare(slug, l.cursors[0].it.slug) <= 0
}

// merge takes every block of the list at prefix from m, whose smallest
// entry is one, and gives the list's postings in ID order: the claim
// (valid only inside give) and its figures. step is called for each
// block taken.
func (l *listMerge) merge(m *merger, prefix []byte, step func() error, give func(slug []byte, tf, n int) error) error {
	plen := len(prefix)
	for {
		for e := m.peek(); e != nil && bytes.HasPrefix(e.key, prefix) && l.before(e.key, plen); e = m.peek() {
			if err := l.open(e, plen); err != nil {
				return err
			}
			if err := m.advance(); err != nil {
				return err
			}
			if err := step(); err != nil {
				return err
			}
		}
		slug, tf, n, put, ok, err := l.take()
		if err != nil || !ok {
			return err
		}
		if !put {
			continue
		}
		if err := give(slug, tf, n); err != nil {
			return err
		}
	}
}

// take gives the next posting of the list: its claim (valid until the
// next call), its figures (a deletion's mean nothing) and whether it is
// put; ok is false when no
// cursor is open. Every cursor at that claim moves on.
func (l *listMerge) take() (slug []byte, tf, n int, put, ok bool, err error) {
	if len(l.cursors) == 0 {
		return nil, 0, 0, false, false, nil
	}
	top := l.cursors[0]
	l.slug = append(l.slug[:0], top.it.slug...)
	tf, n, put = top.it.tf, top.it.n, top.op == opPut
	for len(l.cursors) > 0 && bytes.Equal(l.cursors[0].it.slug, l.slug) {
		c := l.cursors[0]
		more, err := c.it.next()
		if err != nil {
			return nil, 0, 0, false, false, fmt.Errorf("bulk load: %w", err)
		}
		if more {
			heap.Fix(&l.cursors, 0)
			continue
		}
		heap.Pop(&l.cursors)
		l.free = append(l.free, c)
	}
	return l.slug, tf, n, put, true, nil
}
