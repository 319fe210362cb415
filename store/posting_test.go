package store

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// readBlock decodes a block into postings.
func readBlock(tb testing.TB, key, v []byte) ([]posting, error) {
	tb.Helper()
	plen, ok := isPosting(key)
	if !ok {
		tb.Fatalf("isPosting(%q) = false", key)
	}
	var out []posting
	err := eachPosting(key, plen, v, func(slug []byte, tf, n int) bool {
		out = append(out, posting{slug: string(slug), tf: tf, n: n})
		return true
	})
	return out, err
}

// buildBlock encodes postings (sorted) as one block of the list at prefix.
func buildBlock(prefix []byte, ps []posting) ([]byte, []byte) {
	var b block
	b.start(prefix, []byte(ps[0].slug), ps[0].tf, ps[0].n)
	for _, p := range ps[1:] {
		b.add([]byte(p.slug), p.tf, p.n)
	}
	return b.key, b.val
}

// randomSlugs returns n distinct sorted claim slugs sharing prefixes, as
// generated and human IDs do.
func randomSlugs(r *rand.Rand, n int) []string {
	seen := make(map[string]bool)
	for len(seen) < n {
		var s string
		switch r.IntN(3) {
		case 0:
			s = fmt.Sprintf("c%07d", r.IntN(10_000_000))
		case 1:
			s = fmt.Sprintf("us-offers-%d", r.IntN(1000))
		default:
			s = string(rune('a'+r.IntN(26))) + fmt.Sprint(r.IntN(50))
		}
		seen[s] = true
	}
	return slices.Sorted(func(yield func(string) bool) {
		for s := range seen {
			if !yield(s) {
				return
			}
		}
	})
}

// TestBlock_RoundTrip: a block of either index decodes to the postings it
// was built from, in order, with their figures.
func TestBlock_RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, family := range []byte{tagWord, tagTerm} {
		for _, n := range []int{1, 2, 3, postingBlock, 2*postingBlock + 1} {
			t.Run(fmt.Sprintf("%c/%d", "?????wt"[family], n), func(t *testing.T) {
				ps := make([]posting, n)
				for i, s := range randomSlugs(r, n) {
					ps[i] = posting{slug: s}
					if family == tagTerm {
						ps[i].tf = 1 + r.IntN(5)
						ps[i].n = ps[i].tf + r.IntN(1<<20)
					}
				}
				key, val := buildBlock([]byte{family, 'w', 0x00}, ps)
				got, err := readBlock(t, key, val)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, ps) {
					t.Fatalf("decoded %v, want %v", got, ps)
				}
			})
		}
	}
}

// TestBlock_OneKeyPerPosting: the layout before blocks, one key per
// posting, reads as blocks of one claim.
func TestBlock_OneKeyPerPosting(t *testing.T) {
	got, err := readBlock(t, wordKey("ceasefire", "claim:c1"), nil)
	if err != nil || !slices.Equal(got, []posting{{slug: "c1"}}) {
		t.Errorf("word key: %v, %v", got, err)
	}
	got, err = readBlock(t, termKey("ceasefir", "claim:c1"), encodePosting(2, 9))
	if err != nil || !slices.Equal(got, []posting{{slug: "c1", tf: 2, n: 9}}) {
		t.Errorf("term key: %v, %v", got, err)
	}
	if _, ok := isPosting(termCountKey("ceasefir")); ok {
		t.Error("a term's count key is taken for a posting block")
	}
}

// TestBlock_Refused: blocks that do not decode, or whose claims are out
// of order, are errCorrupt, never a panic or a wrong list.
func TestBlock_Refused(t *testing.T) {
	word := wordKey("ab", "claim:c5")
	term := termKey("ab", "claim:c5")
	for _, tt := range []struct {
		name string
		key  []byte
		val  []byte
	}{
		{"WordUnknownCodec", word, []byte{9, 0, 1, 'd'}},
		{"WordCodecOnly", word, []byte{codecV1}},
		{"WordBefore", word, []byte{codecV1, 0, 2, 'c', '4'}},
		{"WordSame", word, []byte{codecV1, 2, 0}},
		{"WordSharedTooLong", word, []byte{codecV1, 3, 1, 'x'}},
		{"WordRestPastEnd", word, []byte{codecV1, 1, 9, '6'}},
		{"WordTruncated", word, []byte{codecV1, 1}},
		{"WordZeroByte", word, []byte{codecV1, 2, 1, 0x00}},
		{"WordTooLong", word, append([]byte{codecV1, 0, 200, 1}, bytes.Repeat([]byte{'z'}, 200)...)},
		{"TermEmpty", term, nil},
		{"TermNoFreq", term, []byte{codecV1, 0, 3}},
		{"TermFreqOverLen", term, []byte{codecV1, 5, 3}},
		{"TermSecondNoFreq", term, []byte{codecV1, 1, 3, 1, 1, '6'}},
		{"TermSecondBefore", term, []byte{codecV1, 1, 3, 1, 1, '1', 1, 3}},
		{"KeyNotClaim", append(wordPrefix("ab"), nodeKey("outlet:x")[1:]...), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBlock(t, tt.key, tt.val)
			if err == nil {
				t.Fatalf("decoded %v, want an error", got)
			}
		})
	}
}

// FuzzEachPosting: any value under a posting key either decodes to claims
// in strictly increasing order, which encode again to a block decoding to
// the same, or is refused; never a panic.
func FuzzEachPosting(f *testing.F) {
	f.Add(false, "c5", []byte{})
	f.Add(true, "c5", encodePosting(1, 2))
	_, v := buildBlock([]byte{tagTerm, 'a', 'b', 0x00}, []posting{{slug: "c1", tf: 1, n: 2}, {slug: "c12", tf: 2, n: 3}, {slug: "d", tf: 1, n: 1}})
	f.Add(true, "c1", v)
	_, v = buildBlock([]byte{tagWord, 'a', 'b', 0x00}, []posting{{slug: "c1"}, {slug: "c12"}, {slug: "d"}})
	f.Add(false, "c1", v)
	f.Fuzz(func(t *testing.T, term bool, first string, v []byte) {
		if graph.CheckID("claim:"+first, graph.KindClaim) != nil {
			return
		}
		prefix := wordPrefix("ab")
		if term {
			prefix = termPrefix("ab")
		}
		key := appendRef(slices.Clone(prefix), "claim:"+first)
		got, err := readBlock(t, key, v)
		if err != nil {
			return
		}
		if got[0].slug != first {
			t.Fatalf("first claim %q, key's %q", got[0].slug, first)
		}
		for i := 1; i < len(got); i++ {
			if got[i].slug <= got[i-1].slug {
				t.Fatalf("claims out of order: %v", got)
			}
		}
		k2, v2 := buildBlock(prefix, got)
		again, err := readBlock(t, k2, v2)
		if err != nil || !slices.Equal(again, got) || !bytes.Equal(k2, key) {
			t.Fatalf("re-encoded: %v, %v; want %v", again, err, got)
		}
	})
}

// TestFlushPostings_Model: lists packed as a bulk load packs them, then
// changed at random in transactions of several changes (claims added as
// blocks of their own inside and around the packed blocks, changed and
// deleted wherever they are), hold what a plain map holds, read through
// the merging reader and found by hasPosting.
func TestFlushPostings_Model(t *testing.T) {
	bdb, err := badger.Open(badgerOptions(SmallOptions(), ""))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	kv := badgerKV{bdb}
	r := rand.New(rand.NewPCG(3, 4))
	lists := [][]byte{wordPrefix("a"), wordPrefix("ab"), termPrefix("a"), termPrefix("b")}
	model := make(map[string]map[string]posting)
	pool := randomSlugs(r, 1500)
	figures := func(l []byte, slug string) posting {
		p := posting{slug: slug}
		if l[0] == tagTerm {
			p.tf = 1 + r.IntN(3)
			p.n = p.tf + r.IntN(100)
		}
		return p
	}
	// Each list starts as packed blocks of every third claim of the pool.
	if err := kv.update(func(txn kvTxn) error {
		for _, l := range lists {
			model[string(l)] = make(map[string]posting)
			var ps []posting
			for i := 0; i < len(pool); i += 3 {
				p := figures(l, pool[i])
				ps = append(ps, p)
				model[string(l)][p.slug] = p
			}
			for i := 0; i < len(ps); i += postingBlock {
				key, val := buildBlock(l, ps[i:min(i+postingBlock, len(ps))])
				if err := txn.set(key, val); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkLists(t, kv, lists, model)
	for round := range 300 {
		grow := round < 150 // then mostly deletions, down to empty lists
		if err := kv.update(func(txn kvTxn) error {
			w := newWriter(txn)
			for range 1 + r.IntN(40) {
				l := lists[r.IntN(len(lists))]
				slug := pool[r.IntN(len(pool))]
				_, present := model[string(l)][slug]
				switch p := figures(l, slug); {
				case r.IntN(10) < 7 != grow:
					w.delPosting(l, "claim:"+slug)
					delete(model[string(l)], slug)
				case present:
					w.setPosting(l, "claim:"+slug, p.tf, p.n)
					model[string(l)][slug] = p
				default:
					w.addPosting(l, "claim:"+slug, p.tf, p.n)
					model[string(l)][slug] = p
				}
			}
			return w.flushPostings()
		}); err != nil {
			t.Fatal(err)
		}
		if round%10 == 9 {
			checkLists(t, kv, lists, model)
		}
	}
	for _, l := range lists {
		if len(model[string(l)]) != 0 {
			continue
		}
		// An emptied list has no key left.
		if err := kv.view(func(txn kvTxn) error {
			it := txn.iterate(l, false)
			defer it.close()
			if it.seek(nil); it.valid() {
				t.Errorf("emptied list %q still has key %q", l, it.key())
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkLists compares the stored lists with the model.
func checkLists(t *testing.T, kv kvStore, lists [][]byte, model map[string]map[string]posting) {
	t.Helper()
	if err := kv.view(func(txn kvTxn) error {
		for _, l := range lists {
			var got []posting
			it := txn.iterate(l, true)
			err := eachListPosting(it, l, func(slug string, tf, n int) bool {
				got = append(got, posting{slug: slug, tf: tf, n: n})
				return true
			})
			it.close()
			if err != nil {
				t.Fatalf("list %q: %v", l, err)
			}
			want := slices.SortedFunc(maps.Values(model[string(l)]), func(a, b posting) int { return strings.Compare(a.slug, b.slug) })
			if !slices.Equal(got, want) {
				t.Fatalf("list %q holds %d postings, the model %d", l, len(got), len(want))
			}
			for _, p := range want {
				ok, tf, n, err := hasPosting(txn, l, "claim:"+p.slug)
				if err != nil || !ok || tf != p.tf || n != p.n {
					t.Fatalf("hasPosting(%q, %s) = %v %d %d %v", l, p.slug, ok, tf, n, err)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
