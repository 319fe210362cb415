package store

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// sliceSource yields entries given in (key, seq) order, as the live
// generation's source does.
type sliceSource struct {
	es []entry
	i  int
}

func (s *sliceSource) next() (*entry, error) {
	if s.i >= len(s.es) {
		return nil, io.EOF
	}
	s.i++
	return &s.es[s.i-1], nil
}

func (s *sliceSource) close() {}

// aggPosting is a posting as the model holds it.
type aggPosting struct {
	tf, n int
	put   bool
}

// TestPostingAggModel: postings added to a postingAgg in input order,
// across windows, sort buffers and runs, merged with a live generation's
// blocks (packed blocks and blocks of one claim inside their ranges) by
// listMerge, give each list's postings in ID order, each claim's the
// latest: the last record's change, else the live one. Claims come in
// ID order and not, some changed twice in a window, some deleted.
func TestPostingAggModel(t *testing.T) {
	for _, tc := range []struct {
		name           string
		aggLimit, sort int
		shuffle        bool
		again          int // claims given again at the end
	}{
		{"one window", 1 << 20, 1 << 20, false, 200},
		{"many windows and runs", 4 << 10, 16 << 10, false, 200},
		{"in order, once each", 4 << 10, 16 << 10, false, 0},
		{"unordered claims", 4 << 10, 16 << 10, true, 200},
		{"unordered, one window", 1 << 20, 1 << 20, true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.name))))
			lists := [][]byte{wordPrefix("ceasefire"), wordPrefix("talks"), termPrefix("ceasefir"), termPrefix("talk"), termPrefix("talk gas")}
			model := make(map[string]map[string]aggPosting) // list: slug: posting
			for _, p := range lists {
				model[string(p)] = make(map[string]aggPosting)
			}
			// The live generation: each list packed into blocks of up to
			// postingBlock claims, plus claims written one to a block
			// inside the packed ranges.
			var live []entry
			for _, p := range lists {
				var slugs []string
				for i := 0; i < 600; i += 1 + rng.IntN(3) {
					slugs = append(slugs, fmt.Sprintf("c%05d", i*10))
				}
				var b block
				for i, s := range slugs {
					tf, n := 1+rng.IntN(3), 5+rng.IntN(9)
					model[string(p)][s] = aggPosting{tf, n, true}
					if i%postingBlock == 0 {
						if b.n > 0 {
							live = append(live, entry{key: slices.Clone(b.key), val: slices.Clone(b.val), op: opPut})
						}
						b.start(p, []byte(s), tf, n)
					} else {
						b.add([]byte(s), tf, n)
					}
				}
				live = append(live, entry{key: slices.Clone(b.key), val: slices.Clone(b.val), op: opPut})
				for i := 5; i < 6000; i += 97 {
					s := fmt.Sprintf("c%05d", i)
					if _, ok := model[string(p)][s]; ok {
						continue // a claim is in one block of its list
					}
					tf, n := 1+rng.IntN(3), 5+rng.IntN(9)
					model[string(p)][s] = aggPosting{tf, n, true}
					b.start(p, []byte(s), tf, n)
					live = append(live, entry{key: slices.Clone(b.key), val: slices.Clone(b.val), op: opPut})
				}
			}
			slices.SortFunc(live, func(a, b entry) int { return bytes.Compare(a.key, b.key) })

			// The load: records of claims, each putting or deleting its
			// posting in some lists.
			claims := make([]int, 3000)
			for i := range claims {
				claims[i] = i * 2
			}
			if tc.shuffle {
				rng.Shuffle(len(claims), func(i, j int) { claims[i], claims[j] = claims[j], claims[i] })
			}
			for range tc.again {
				claims = append(claims, claims[rng.IntN(len(claims))])
			}
			s := newSorter(filepath.Join(t.TempDir(), "sort"), tc.sort)
			a := newPostingAgg(s, tc.aggLimit)
			for i, c := range claims {
				seq := uint32(i + 1)
				slug := fmt.Sprintf("c%05d", c)
				for _, p := range lists {
					if rng.IntN(3) == 0 {
						continue
					}
					put := rng.IntN(4) != 0
					tf, n := 1+rng.IntN(3), 5+rng.IntN(9)
					op := opPut
					if !put {
						op, tf, n = opDel, 0, 0
					}
					if err := a.add(p, []byte(slug), op, seq, tf, n); err != nil {
						t.Fatal(err)
					}
					if put {
						model[string(p)][slug] = aggPosting{tf, n, true}
					} else {
						delete(model[string(p)], slug)
					}
				}
			}
			if err := a.flush(); err != nil {
				t.Fatal(err)
			}
			m, err := s.finish()
			if err != nil {
				t.Fatal(err)
			}
			defer m.close()
			if tc.aggLimit < 1<<20 && len(s.runs) < 2 {
				t.Errorf("%d runs, want several", len(s.runs))
			}
			if s.n > int64(len(claims)) {
				t.Errorf("%d sort entries for %d claims' postings: not gathered by list", s.n, len(claims))
			}
			m.add(&sliceSource{es: live})
			if err := m.start(); err != nil {
				t.Fatal(err)
			}
			var lm listMerge
			steps := 0
			for e := m.peek(); e != nil; e = m.peek() {
				plen, ok := isPosting(e.key)
				if !ok {
					t.Fatalf("key %q is not a posting", e.key)
				}
				prefix := slices.Clone(e.key[:plen])
				want := model[string(prefix)]
				if want == nil {
					t.Fatalf("list %q twice, or unknown", prefix)
				}
				delete(model, string(prefix))
				var got []string
				if err := lm.merge(m, prefix, func() error { steps++; return nil }, func(slug []byte, tf, n int) error {
					got = append(got, string(slug))
					w, ok := want[string(slug)]
					switch {
					case !ok:
						t.Errorf("%q: claim %s, deleted or never added", prefix, slug)
					case prefix[0] == tagTerm && (w.tf != tf || w.n != n):
						t.Errorf("%q: claim %s: figures %d, %d, want %d, %d", prefix, slug, tf, n, w.tf, w.n)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Errorf("%q: postings out of order or repeated", prefix)
				}
				if len(got) != len(want) {
					t.Errorf("%q: %d postings, want %d", prefix, len(got), len(want))
				}
			}
			if len(model) != 0 {
				t.Errorf("lists never merged: %d", len(model))
			}
			if steps == 0 {
				t.Error("step never called")
			}
			// Claims in ID order, once each: a window's blocks follow the
			// last window's, and a block of one live claim is in a
			// packed block's range; a few cursors are open at once.
			if n := len(lm.free) + len(lm.cursors); len(lm.cursors) != 0 || !tc.shuffle && tc.again == 0 && n > 8 {
				t.Errorf("%d cursors open at the end, %d made: want none, and few", len(lm.cursors), n)
			}
		})
	}
}

// TestListMergeRefusesBadBlock: a block that does not decode, or an
// entry of another operation, fails the merge with an error.
func TestListMergeRefusesBadBlock(t *testing.T) {
	p := termPrefix("talk")
	var b block
	b.start(p, []byte("c1"), 1, 3)
	b.add([]byte("c2"), 1, 3)
	for _, e := range []entry{
		{key: b.key, val: b.val[:len(b.val)-1], op: opPut},
		{key: b.key, val: append([]byte{9}, b.val[1:]...), op: opPut},
		{key: b.key, val: b.val, op: opCheck},
		{key: append(slices.Clone(p), 'x'), val: b.val, op: opPut},
	} {
		m := &merger{}
		m.add(&sliceSource{es: []entry{e}})
		if err := m.start(); err != nil {
			t.Fatal(err)
		}
		var lm listMerge
		err := lm.merge(m, p, func() error { return nil }, func([]byte, int, int) error { return nil })
		if err == nil {
			t.Errorf("entry %q %x op %d: merged", e.key, e.val, e.op)
		}
	}
}

// TestPostingAggRefusesBadPosting: a posting's key or value that is not
// one fails the load instead of being packed.
func TestPostingAggRefusesBadPosting(t *testing.T) {
	s := newSorter(filepath.Join(t.TempDir(), "sort"), 1<<20)
	defer s.abort()
	a := newPostingAgg(s, 1<<20)
	good := termKey("talk", "claim:c1")
	plen, _ := isPosting(good)
	if err := a.addKey(good, plen, opPut, 1, encodePosting(1, 3)); err != nil {
		t.Fatalf("a good posting: %v", err)
	}
	if err := a.addKey(good, plen, opPut, 1, []byte{codecV1, 0, 0}); err == nil {
		t.Error("a posting of term frequency 0 was taken")
	}
	if err := a.addKey(termKey("talk", "report:r1"), plen, opPut, 1, encodePosting(1, 3)); err == nil {
		t.Error("a report's posting was taken")
	}
}
