package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"slices"
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
	arenaCap, entsCap := cap(s.cur.arena), cap(s.cur.ents)
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
		if cap(s.cur.arena) > arenaCap || cap(s.cur.ents) > entsCap {
			t.Fatalf("after %d entries a buffer grew from %d+%d to %d+%d entries and bytes", i+1,
				entsCap, arenaCap, cap(s.cur.ents), cap(s.cur.arena))
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
