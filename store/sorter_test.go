package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// TestSorterBuffersDoNotGrow checks that a sort buffer spills rather than
// grows past the slices it was made with, whatever the size of entries
// (growing copies a slice into one twice its size: the bulk load's memory
// was not its two sort buffers), and that every entry comes out sorted.
func TestSorterBuffersDoNotGrow(t *testing.T) {
	const limit = 64 << 10
	s := newSorter(filepath.Join(t.TempDir(), "sort"), limit)
	arenaCap, entsCap := cap(s.cur.arena), cap(s.cur.order)
	val := make([]byte, 1000)
	const n = 20_000
	for i := range n {
		key := binary.BigEndian.AppendUint32(nil, uint32(n-i))
		v := val[:0]
		if i%100 == 0 {
			v = val // a few large values among tiny keys
		}
		if err := s.add(key, opPut, uint32(i+1), 0, v); err != nil {
			t.Fatal(err)
		}
		if cap(s.cur.arena) > arenaCap || cap(s.cur.order) > entsCap {
			t.Fatalf("after %d entries a buffer grew from %d+%d to %d+%d entries and bytes", i+1,
				entsCap, arenaCap, cap(s.cur.order), cap(s.cur.arena))
		}
	}
	m, err := s.finish()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	if err := m.start(); err != nil {
		t.Fatal(err)
	}
	count := 0
	var last uint32
	for e := m.peek(); e != nil; e = m.peek() {
		k := binary.BigEndian.Uint32(e.key)
		if k <= last {
			t.Fatalf("key %d after %d", k, last)
		}
		last = k
		count++
		if err := m.advance(); err != nil {
			t.Fatal(err)
		}
	}
	if count != n {
		t.Fatalf("%d entries out, %d in", count, n)
	}
}

// Ensure the merged runs and last buffer yield every entry in (key, seq)
// order, and entries of one key and seq in the order they were added:
// keys sharing their first 8 or 16 bytes, keys that are prefixes of
// others, keys shorter than 16 bytes ending in zero bytes.
func TestSorterOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type want struct {
		key  string
		seq  uint32
		line uint32 // the order added
	}
	for _, limit := range []int{1 << 10, 64 << 10, 16 << 20} {
		s := newSorter(t.TempDir(), limit)
		var all []want
		seq := uint32(1)
		for i := range 20000 {
			n := rng.IntN(40)
			k := make([]byte, n)
			for j := range k {
				k[j] = "\x00\x01ab"[rng.IntN(4)]
			}
			if rng.IntN(4) == 0 { // many keys share 16 bytes
				k = append([]byte("0123456789abcdef"), k...)
			}
			if rng.IntN(3) == 0 {
				seq++
			}
			if err := s.add(k, opPut, seq, uint32(i), []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
			all = append(all, want{string(k), seq, uint32(i)})
		}
		m, err := s.finish()
		if err != nil {
			t.Fatal(err)
		}
		if limit < 1<<20 && len(s.runs) < 2 {
			t.Fatalf("limit %d: %d runs, want several", limit, len(s.runs))
		}
		slices.SortStableFunc(all, func(a, b want) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		if err := m.start(); err != nil {
			t.Fatal(err)
		}
		for i, w := range all {
			e := m.peek()
			if e == nil {
				t.Fatalf("limit %d: %d entries, want %d", limit, i, len(all))
			}
			if string(e.key) != w.key || e.seq != w.seq || (limit >= 1<<20 && e.line != w.line) || e.val[0] != byte(e.line) {
				t.Fatalf("limit %d: entry %d is %q seq %d (added %d), want %q seq %d (added %d)",
					limit, i, e.key, e.seq, e.line, w.key, w.seq, w.line)
			}
			if err := m.advance(); err != nil {
				t.Fatal(err)
			}
		}
		if m.peek() != nil {
			t.Fatalf("limit %d: more entries than added", limit)
		}
		m.close()
	}
}

// Ensure appendKV writes the bytes badger.KVToBuffer writes: keys and
// values empty, short and longer than a one-byte length, stream IDs 0, 1
// and large.
func TestAppendKV(t *testing.T) {
	long := bytes.Repeat([]byte{0xab}, 300)
	for _, key := range [][]byte{nil, {0x02}, long} {
		for _, val := range [][]byte{nil, {}, {0x00}, long, bytes.Repeat([]byte{1}, 70_000)} {
			for _, stream := range []uint32{0, 1, 1 << 30} {
				got, want := z.NewBuffer(1<<10, "test"), z.NewBuffer(1<<10, "test")
				appendKV(got, stream, key, val)
				badger.KVToBuffer(&pb.KV{Key: key, Value: val, Version: 1, StreamId: stream}, want)
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("key %d bytes, value %d bytes, stream %d: wrote %x, want %x",
						len(key), len(val), stream, got.Bytes()[:min(64, len(got.Bytes()))], want.Bytes()[:min(64, len(want.Bytes()))])
				}
				_ = got.Release()
				_ = want.Release()
			}
		}
	}
}

func TestRunReadSize(t *testing.T) {
	// The merge's read buffers share 16 MB, each within [64 KB, 1 MB].
	for _, c := range []struct{ runs, want int }{
		{0, 1 << 20}, {1, 1 << 20}, {16, 1 << 20}, {17, 16 << 20 / 17}, {100, 16 << 20 / 100}, {256, 64 << 10}, {5000, 64 << 10},
	} {
		if got := runReadSize(c.runs); got != c.want {
			t.Errorf("runReadSize(%d) = %d, want %d", c.runs, got, c.want)
		}
	}
}

// BenchmarkSorter adds a million entries shaped like a bulk load's (most
// are postings: a tag, a term, a claim's ID; small values) to a sorter of
// 16 MB buffers, and merges the runs: the sort's part of a bulk load.
func BenchmarkSorter(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "t%s\x00claim:c%07d", []string{"negotiators", "security", "guarantees", "telegraph", "privately"}[rng.IntN(5)]+strconv.Itoa(rng.IntN(2000)), i/40)
	}
	val := []byte{1, 2, 3, 4}
	b.ReportAllocs()
	for b.Loop() {
		s := newSorter(filepath.Join(b.TempDir(), "sort"), 16<<20)
		for i, k := range keys {
			if err := s.add(k, opPut, uint32(i/40+1), uint32(i), val); err != nil {
				b.Fatal(err)
			}
		}
		m, err := s.finish()
		if err != nil {
			b.Fatal(err)
		}
		if err := m.start(); err != nil {
			b.Fatal(err)
		}
		count := 0
		for e := m.peek(); e != nil; e = m.peek() {
			count++
			if err := m.advance(); err != nil {
				b.Fatal(err)
			}
		}
		m.close()
		if count != n {
			b.Fatalf("%d entries out, %d in", count, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// Ensure entries larger than a run's read buffer (runReadSize's most)
// merge whole, among small ones, from runs and from the last buffer.
func TestSorterLargeValues(t *testing.T) {
	s := newSorter(filepath.Join(t.TempDir(), "sort"), 64<<10)
	big := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 3<<20+i) }
	const n = 40
	for i := range n {
		val := []byte{byte(i)}
		if i%10 == 3 {
			val = big(i)
		}
		if err := s.add(fmt.Appendf(nil, "k%03d", n-i), opPut, uint32(i+1), uint32(i), val); err != nil {
			t.Fatal(err)
		}
	}
	m, err := s.finish()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	if len(s.runs) < 2 {
		t.Fatalf("%d runs, want several", len(s.runs))
	}
	if err := m.start(); err != nil {
		t.Fatal(err)
	}
	for i := n - 1; i >= 0; i-- {
		e := m.peek()
		if e == nil {
			t.Fatalf("the entry added %dth is missing", i)
		}
		want := []byte{byte(i)}
		if i%10 == 3 {
			want = big(i)
		}
		if string(e.key) != fmt.Sprintf("k%03d", n-i) || e.seq != uint32(i+1) || e.line != uint32(i) || !bytes.Equal(e.val, want) {
			t.Fatalf("got %q seq %d line %d and %d bytes, want the entry added %dth (%d bytes)", e.key, e.seq, e.line, len(e.val), i, len(want))
		}
		if err := m.advance(); err != nil {
			t.Fatal(err)
		}
	}
	if m.peek() != nil {
		t.Fatal("more entries than added")
	}
}

// Ensure a sort buffer's arena stays addressable by its 32-bit offsets
// whatever the sort memory (--sort-memory goes to 16 GB), and that its
// entries and arena fill the limit.
func TestSortBufSizes(t *testing.T) {
	for _, limit := range []int{1 << 20, DefaultSortMemory, 1 << 30, 16 << 30} {
		n, arena := sortBufSizes(limit)
		if arena > maxArena || arena <= 0 || n <= 0 {
			t.Errorf("limit %d: %d entries and an arena of %d bytes", limit, n, arena)
		}
		if limit < 4<<30 && (n*entrySize+arena < limit || n*entrySize+arena > limit+64<<10) {
			t.Errorf("limit %d: %d entries and an arena of %d bytes hold %d", limit, n, arena, n*entrySize+arena)
		}
	}
}

// Ensure a key longer than Badger takes is an error, not a truncated
// length.
func TestSorterKeyTooLong(t *testing.T) {
	s := newSorter(filepath.Join(t.TempDir(), "sort"), 64<<10)
	defer s.abort()
	if err := s.add(make([]byte, 1<<16), opPut, 1, 1, nil); err == nil {
		t.Fatal("a key of 65536 bytes was taken")
	}
}

// Ensure a run cut short, in a record's header or in its bytes, is
// errBadRun rather than a short entry.
func TestSorterTruncatedRun(t *testing.T) {
	for _, inHeader := range []bool{false, true} {
		s := newSorter(filepath.Join(t.TempDir(), "sort"), 1<<10)
		for i := range 200 {
			if err := s.add(fmt.Appendf(nil, "key%05d-%s", i, strings.Repeat("x", 20)), opPut, uint32(i+1), 0, []byte("value")); err != nil {
				t.Fatal(err)
			}
		}
		m, err := s.finish()
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(s.runs[0])
		if err != nil {
			t.Fatal(err)
		}
		keep := fi.Size() - 1 // the last record's value cut short
		if inHeader {
			keep = 2 // the first record's lengths, no more
		}
		if err := os.Truncate(s.runs[0], keep); err != nil {
			t.Fatal(err)
		}
		err = m.start()
		for err == nil && m.peek() != nil {
			err = m.advance()
		}
		m.close()
		if !errors.Is(err, errBadRun) {
			t.Fatalf("a run cut to %d bytes: %v, want errBadRun", keep, err)
		}
	}
}
