package store

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unsafe"
)

// The bulk loader turns records into key-value entries in input order and
// needs them in key order. sorter is an external merge sort: entries fill
// an in-memory buffer; a full buffer is sorted and written to a run file by
// a background goroutine while the next one fills; the runs and the last
// buffer are then merged. Memory stays at two buffers whatever the input's
// size.

// Entry operations, in the order the merge applies them.
const (
	opDel    byte = iota + 1 // delete the key (an old derived key no longer wanted)
	opPut                    // set the key to the value
	opSameAs                 // merge one possibly-same-as entry into the list at the key
	opCheck                  // the node whose key is the entry's key minus its last byte must exist
)

// entry is one operation on one key. seq orders the operations on a key:
// 0 is what the live generation holds, then records in input order.
type entry struct {
	key  []byte
	val  []byte
	seq  uint32
	line uint32
	op   byte
}

func compareEntries(a, b *entry) int {
	if c := bytes.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// sortBuf holds entries in one arena. What is sorted is order: small
// items holding each key's first 16 bytes, radix sorted (sort); tmp is the
// radix sort's second buffer, as long as order.
type sortBuf struct {
	arena []byte
	ents  []bufEntry
	order []sortItem
	tmp   []sortItem
}

type bufEntry struct {
	off, klen, vlen uint32
	seq, line       uint32
	op              byte
}

type sortItem struct {
	pfx [2]uint64 // the key's first 16 bytes, big-endian, zero-padded
	i   uint32    // the entry's index in ents
}

// keyPrefix returns the first 16 bytes of key as two big-endian numbers.
func keyPrefix(key []byte) [2]uint64 {
	if len(key) >= 16 {
		return [2]uint64{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
	}
	var b [16]byte
	copy(b[:], key)
	return [2]uint64{binary.BigEndian.Uint64(b[:]), binary.BigEndian.Uint64(b[8:])}
}

// digit returns byte d of an item's prefix, counting from its last.
func (it *sortItem) digit(d int) byte {
	if d < 8 {
		return byte(it.pfx[1] >> (8 * d))
	}
	return byte(it.pfx[0] >> (8 * (d - 8)))
}

func (b *sortBuf) key(e *bufEntry) []byte { return b.arena[e.off : e.off+e.klen] }

// sort orders the entries by key, then by the order they were added in,
// which is their seq order. It radix sorts the 16-byte prefixes, least
// significant byte first (a stable sort; a byte every prefix shares
// costs no pass: most of the first ones are family tags and kinds), and
// then sorts each run of equal prefixes by the rest of the key.
func (b *sortBuf) sort() {
	n := len(b.order)
	if n < 2 {
		return
	}
	var counts [16][256]int
	for i := range b.order {
		it := &b.order[i]
		for d := range 16 {
			counts[d][it.digit(d)]++
		}
	}
	src, dst := b.order, b.tmp[:n]
	for d := range 16 {
		c := &counts[d]
		if c[src[0].digit(d)] == n {
			continue
		}
		var next [256]int
		sum := 0
		for v := range 256 {
			next[v] = sum
			sum += c[v]
		}
		for i := range src {
			v := src[i].digit(d)
			dst[next[v]] = src[i]
			next[v]++
		}
		src, dst = dst, src
	}
	b.order, b.tmp = src, dst[:0]
	for i := 0; i < n; {
		j := i + 1
		for j < n && b.order[j].pfx == b.order[i].pfx {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(b.order[i:j], b.compareRest)
		}
		i = j
	}
}

// compareRest compares two items of equal prefixes by the rest of their
// keys, then by the order they were added in.
func (b *sortBuf) compareRest(x, y sortItem) int {
	// The first min(16, len) bytes of both keys are equal (a shorter
	// key's zero padding compared equal to the other's bytes, which the
	// rest of the comparison sees).
	ex, ey := &b.ents[x.i], &b.ents[y.i]
	o := min(16, ex.klen, ey.klen)
	if c := bytes.Compare(b.arena[ex.off+o:ex.off+ex.klen], b.arena[ey.off+o:ey.off+ey.klen]); c != 0 {
		return c
	}
	return cmp.Compare(x.i, y.i)
}

func (b *sortBuf) reset() {
	b.arena = b.arena[:0]
	b.ents = b.ents[:0]
	b.order = b.order[:0]
}

type sorter struct {
	dir   string
	limit int
	cur   *sortBuf
	free  chan *sortBuf
	full  chan *sortBuf
	done  chan error
	runs  []string // written by the spiller; read after done
	n     int64    // entries added
}

// entrySize is the memory of one entry's bookkeeping.
const entrySize = int(unsafe.Sizeof(bufEntry{}) + 2*unsafe.Sizeof(sortItem{}))

// newSorter returns a sorter spilling runs into dir (created when the
// first run is written) once a buffer's keys, values and bookkeeping
// take limit bytes.
func newSorter(dir string, limit int) *sorter {
	s := &sorter{dir: dir, limit: limit, free: make(chan *sortBuf, 1), full: make(chan *sortBuf), done: make(chan error, 1)}
	s.cur = newSortBuf(limit)
	s.free <- newSortBuf(limit)
	go s.spiller()
	return s
}

// newSortBuf sizes a buffer for entries of about 32 bytes of key and
// value, so that neither slice grows in the common case.
func newSortBuf(limit int) *sortBuf {
	n := limit / (32 + entrySize)
	return &sortBuf{arena: make([]byte, 0, limit-n*entrySize+64<<10), ents: make([]bufEntry, 0, n),
		order: make([]sortItem, 0, n), tmp: make([]sortItem, 0, n)}
}

// add appends one entry. It fails only when a run could not be written.
func (s *sorter) add(key []byte, op byte, seq, line uint32, val []byte) error {
	b := s.cur
	// Spill rather than grow a slice: growing would copy it into one of
	// twice the size and leave the old one to the collector.
	if len(b.ents) > 0 && (len(b.ents) == cap(b.ents) || len(b.arena)+len(key)+len(val) > cap(b.arena)) {
		if err := s.spill(); err != nil {
			return err
		}
		b = s.cur
	}
	off := len(b.arena)
	b.arena = append(append(b.arena, key...), val...)
	b.order = append(b.order, sortItem{pfx: keyPrefix(key), i: uint32(len(b.ents))})
	b.ents = append(b.ents, bufEntry{off: uint32(off), klen: uint32(len(key)), vlen: uint32(len(val)), seq: seq, line: line, op: op})
	s.n++
	if len(b.arena)+len(b.ents)*entrySize < s.limit {
		return nil
	}
	return s.spill()
}

// spill hands the current buffer to the spiller and takes the free one.
func (s *sorter) spill() error {
	b := s.cur
	select {
	case s.full <- b:
	case err := <-s.done:
		s.done <- err
		return err
	}
	select {
	case s.cur = <-s.free:
		return nil
	case err := <-s.done:
		s.done <- err
		return err
	}
}

// spiller sorts full buffers and writes them as runs.
func (s *sorter) spiller() {
	for b := range s.full {
		if err := s.writeRun(b); err != nil {
			s.done <- err
			for range s.full {
			}
			return
		}
		b.reset()
		s.free <- b
	}
	s.done <- nil
}

func (s *sorter) writeRun(b *sortBuf) (err error) {
	b.sort()
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(s.dir, fmt.Sprintf("run%05d", len(s.runs)))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [5 * binary.MaxVarintLen32]byte
	for _, o := range b.order {
		e := &b.ents[o.i]
		h := binary.AppendUvarint(hdr[:0], uint64(e.klen))
		h = binary.AppendUvarint(h, uint64(e.vlen))
		h = binary.AppendUvarint(h, uint64(e.seq))
		h = binary.AppendUvarint(h, uint64(e.line))
		h = append(h, e.op)
		if _, err := w.Write(h); err != nil {
			return err
		}
		if _, err := w.Write(b.arena[e.off : e.off+e.klen+e.vlen]); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	s.runs = append(s.runs, path)
	return nil
}

// finish stops spilling and returns the merged sources: every run and the
// last buffer, sorted in memory.
func (s *sorter) finish() (*merger, error) {
	close(s.full)
	if err := <-s.done; err != nil {
		return nil, err
	}
	// The spiller's buffer is free: let the collector have it while the
	// runs are merged (a sort buffer's worth of heap the table builders
	// use instead).
	select {
	case <-s.free:
	default:
	}
	s.cur.sort()
	s.cur.tmp = nil
	m := &merger{}
	m.add(&bufSource{b: s.cur})
	size := runReadSize(len(s.runs))
	for _, path := range s.runs {
		f, err := os.Open(path)
		if err != nil {
			m.close()
			return nil, err
		}
		m.add(&runSource{f: f, r: bufio.NewReaderSize(f, size)})
	}
	return m, nil
}

// runReadSize shares 16 MB of read buffers among the runs merged, each
// between 64 KB (reads stay sequential enough) and 1 MB: 10M edges make
// ~100 runs, whose fixed 256 KB buffers held 25 MB of heap through the
// whole merge.
func runReadSize(runs int) int {
	const total, least, most = 16 << 20, 64 << 10, 1 << 20
	if runs < 1 {
		return most
	}
	return min(max(total/runs, least), most)
}

// abort stops the spiller after a failed read phase.
func (s *sorter) abort() {
	close(s.full)
	<-s.done
}

// source yields entries in (key, seq) order; next returns io.EOF at the
// end. The entry is valid until the next call.
type source interface {
	next() (*entry, error)
	close()
}

type bufSource struct {
	b *sortBuf
	i int
	e entry
}

func (s *bufSource) next() (*entry, error) {
	if s.i >= len(s.b.order) {
		return nil, io.EOF
	}
	be := &s.b.ents[s.b.order[s.i].i]
	s.i++
	s.e = entry{key: s.b.key(be), val: s.b.arena[be.off+be.klen : be.off+be.klen+be.vlen], seq: be.seq, line: be.line, op: be.op}
	return &s.e, nil
}

func (s *bufSource) close() {}

type runSource struct {
	f   *os.File
	r   *bufio.Reader
	buf []byte
	e   entry
}

var errBadRun = errors.New("bulk load: corrupt sort run")

func (s *runSource) next() (*entry, error) {
	klen, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return nil, io.EOF
	}
	var n [4]uint64
	n[0] = klen
	for i := 1; i < 4 && err == nil; i++ {
		n[i], err = binary.ReadUvarint(s.r)
	}
	if err != nil {
		return nil, errBadRun
	}
	op, err := s.r.ReadByte()
	if err != nil {
		return nil, errBadRun
	}
	size := int(n[0] + n[1])
	if cap(s.buf) < size {
		s.buf = make([]byte, size, size*2)
	}
	s.buf = s.buf[:size]
	if _, err := io.ReadFull(s.r, s.buf); err != nil {
		return nil, errBadRun
	}
	s.e = entry{key: s.buf[:n[0]], val: s.buf[n[0]:], seq: uint32(n[2]), line: uint32(n[3]), op: op}
	return &s.e, nil
}

func (s *runSource) close() { _ = s.f.Close() }

// merger merges sources into one (key, seq) ordered stream.
type merger struct {
	all  []source
	heap mergeHeap
}

type mergeItem struct {
	src source
	cur *entry
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return compareEntries(h[i].cur, h[j].cur) < 0 }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func (m *merger) add(s source) { m.all = append(m.all, s) }

// start reads the first entry of every source.
func (m *merger) start() error {
	for _, s := range m.all {
		e, err := s.next()
		if err == io.EOF {
			continue
		}
		if err != nil {
			return err
		}
		m.heap = append(m.heap, mergeItem{s, e})
	}
	heap.Init(&m.heap)
	return nil
}

// peek returns the smallest entry, or nil at the end.
func (m *merger) peek() *entry {
	if len(m.heap) == 0 {
		return nil
	}
	return m.heap[0].cur
}

// advance moves past the smallest entry. The entry peek returned is
// invalid afterwards.
func (m *merger) advance() error {
	top := &m.heap[0]
	e, err := top.src.next()
	switch {
	case err == io.EOF:
		heap.Pop(&m.heap)
	case err != nil:
		return err
	default:
		top.cur = e
		heap.Fix(&m.heap, 0)
	}
	return nil
}

func (m *merger) close() {
	for _, s := range m.all {
		s.close()
	}
}
