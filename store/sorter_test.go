package store

import (
	"encoding/binary"
	"path/filepath"
	"testing"
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
