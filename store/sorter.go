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
	"math"
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

// sortBuf holds entries in one arena, each as the record a run holds
// (appendRecord), so that writing a run copies each record once from one
// place. What is sorted is order: small items holding each key's first 16
// bytes and where its record starts, radix sorted (sort); tmp is the radix
// sort's second buffer, as long as order.
type sortBuf struct {
	arena []byte
	order []sortItem
	tmp   []sortItem
}

type sortItem struct {
	pfx  [2]uint64 // the key's first 16 bytes, big-endian, zero-padded
	off  uint32    // where the entry's record starts in the arena
	klen uint16    // the key's length (Badger's keys are shorter)
	hlen uint8     // the record's header's
}

// key returns the key of an item's entry.
func (b *sortBuf) key(it *sortItem) []byte {
	start := it.off + uint32(it.hlen)
	return b.arena[start : start+uint32(it.klen)]
}

// maxArena bounds an arena: offsets are 32 bits.
const maxArena = math.MaxUint32

// A record is an entry as a run holds it: the uvarints len(key),
// len(val), seq and line, the op, the key and the value.
const maxRecordHeader = 4*binary.MaxVarintLen32 + 1

func appendRecord(b, key []byte, op byte, seq, line uint32, val []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = binary.AppendUvarint(b, uint64(len(val)))
	b = binary.AppendUvarint(b, uint64(seq))
	b = binary.AppendUvarint(b, uint64(line))
	b = append(b, op)
	return append(append(b, key...), val...)
}

// decodeHeader decodes the header of the record p starts with: the
// entry's fields but its key and value, their lengths and the header's.
// ok is false when p holds no whole header of 32-bit numbers.
func decodeHeader(p []byte) (e entry, klen, vlen, hlen int, ok bool) {
	var n [4]uint64
	for i := range n {
		v, w := binary.Uvarint(p[hlen:])
		if w <= 0 || v > math.MaxUint32 {
			return entry{}, 0, 0, 0, false
		}
		n[i], hlen = v, hlen+w
	}
	if hlen >= len(p) {
		return entry{}, 0, 0, 0, false
	}
	e = entry{seq: uint32(n[2]), line: uint32(n[3]), op: p[hlen]}
	return e, int(n[0]), int(n[1]), hlen + 1, true
}

// at returns the entry whose record starts at off, and the record's size.
func (b *sortBuf) at(off uint32) (entry, int) {
	p := b.arena[off:]
	e, klen, vlen, hlen, _ := decodeHeader(p) // the arena's records are whole
	e.key = p[hlen : hlen+klen : hlen+klen]
	e.val = p[hlen+klen : hlen+klen+vlen : hlen+klen+vlen]
	return e, hlen + klen + vlen
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
	kx, ky := b.key(&x), b.key(&y)
	o := min(16, len(kx), len(ky))
	if c := bytes.Compare(kx[o:], ky[o:]); c != 0 {
		return c
	}
	return cmp.Compare(x.off, y.off) // records are appended in the order added
}

func (b *sortBuf) reset() {
	b.arena = b.arena[:0]
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

// entrySize is the memory of one entry's bookkeeping: its items in order
// and tmp.
const entrySize = int(2 * unsafe.Sizeof(sortItem{}))

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

// newSortBuf sizes a buffer for records of about 40 bytes (32 of key and
// value), so that neither slice grows in the common case.
func newSortBuf(limit int) *sortBuf {
	n, arena := sortBufSizes(limit)
	return &sortBuf{arena: make([]byte, 0, arena), order: make([]sortItem, 0, n), tmp: make([]sortItem, 0, n)}
}

// sortBufSizes returns how many entries and arena bytes a buffer of limit
// bytes holds: the arena is at most maxArena, whatever the limit.
func sortBufSizes(limit int) (entries, arena int) {
	entries = limit / (40 + entrySize)
	return entries, min(limit-entries*entrySize+64<<10, maxArena)
}

// add appends one entry. It fails only when a run could not be written.
func (s *sorter) add(key []byte, op byte, seq, line uint32, val []byte) error {
	if len(key) > math.MaxUint16 {
		return fmt.Errorf("bulk load: a key of %d bytes: longer than a key may be", len(key))
	}
	b := s.cur
	// Spill rather than grow a slice: growing would copy it into one of
	// twice the size and leave the old one to the collector.
	if len(b.order) > 0 && (len(b.order) == cap(b.order) || len(b.arena)+maxRecordHeader+len(key)+len(val) > cap(b.arena)) {
		if err := s.spill(); err != nil {
			return err
		}
		b = s.cur
	}
	off := len(b.arena)
	b.arena = appendRecord(b.arena, key, op, seq, line, val)
	hlen := len(b.arena) - off - len(key) - len(val)
	b.order = append(b.order, sortItem{pfx: keyPrefix(key), off: uint32(off), klen: uint16(len(key)), hlen: uint8(hlen)})
	s.n++
	if len(b.arena)+len(b.order)*entrySize < s.limit {
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
	for _, o := range b.order {
		_, size := b.at(o.off)
		if _, err := w.Write(b.arena[o.off : int(o.off)+size]); err != nil {
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
	s.e, _ = s.b.at(s.b.order[s.i].off)
	s.i++
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

// next decodes the next record where the reader buffers it, and copies
// its key and value only when they are larger than what it buffers.
func (s *runSource) next() (*entry, error) {
	p, err := s.r.Peek(maxRecordHeader)
	if len(p) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	e, klen, vlen, hlen, ok := decodeHeader(p)
	if !ok {
		return nil, errBadRun
	}
	_, _ = s.r.Discard(hlen) // buffered: Peek returned them
	size := klen + vlen
	if size <= s.r.Size() {
		if p, err = s.r.Peek(size); err != nil {
			return nil, errBadRun
		}
		_, _ = s.r.Discard(size) // p stays valid until the next read
	} else {
		if cap(s.buf) < size {
			s.buf = make([]byte, size, size*2)
		}
		p = s.buf[:size]
		if _, err := io.ReadFull(s.r, p); err != nil {
			return nil, errBadRun
		}
	}
	e.key, e.val = p[:klen:klen], p[klen:size:size]
	s.e = e
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
