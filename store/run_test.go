package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestRunTxn: a run reads what the transaction reads, whatever the order
// and distance of its keys, across families, missing keys included.
func TestRunTxn(t *testing.T) {
	bdb, err := badger.Open(badgerOptions(SmallOptions(), ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bdb.Close() })
	s := badgerKV{bdb}
	// Node keys of reports r000…r299 (every third missing), adjacency
	// keys of every other, and a key of another family between them.
	var keys [][]byte
	want := make(map[string]string)
	if err := s.update(func(txn kvTxn) error {
		for i := range 300 {
			id := fmt.Sprintf("report:r%03d", i)
			k := nodeKey(id)
			keys = append(keys, k, adjKey(4, id))
			if i%3 == 0 {
				continue
			}
			want[string(k)] = "node " + id
			if err := txn.set(k, []byte(want[string(k)])); err != nil {
				return err
			}
			if i%2 == 0 {
				a := adjKey(4, id)
				want[string(a)] = "adj " + id
				if err := txn.set(a, []byte(want[string(a)])); err != nil {
					return err
				}
			}
		}
		return txn.set(metaKey("x"), []byte("meta"))
	}); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, metaKey("x"), metaKey("y"))
	want[string(metaKey("x"))] = "meta"
	check := func(t *testing.T, order [][]byte) {
		t.Helper()
		if err := s.view(func(txn kvTxn) error {
			run := newRunTxn(txn)
			defer run.close()
			for _, k := range order {
				var got string
				err := run.get(k, func(v []byte) error { got = string(v); return nil })
				w, ok := want[string(k)]
				switch {
				case !ok && !errors.Is(err, errNoKey):
					t.Fatalf("get %q = %q, %v; want errNoKey", k, got, err)
				case ok && (err != nil || got != w):
					t.Fatalf("get %q = %q, %v; want %q", k, got, err, w)
				}
				if has, err := run.has(k); err != nil || has != ok {
					t.Fatalf("has %q = %v, %v; want %v", k, has, err, ok)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Ensure reads in key order within each family, near and far apart
	// (past maxSteps), and in any order, all read the stored values.
	check(t, keys)
	var sparse [][]byte
	for i := 0; i < len(keys); i += 2*maxSteps + 3 {
		sparse = append(sparse, keys[i])
	}
	check(t, sparse)
	shuffled := append([][]byte(nil), keys...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	check(t, shuffled)
	// Ensure a run refuses writes.
	if err := s.view(func(txn kvTxn) error {
		run := newRunTxn(txn)
		defer run.close()
		if run.set([]byte("a"), nil) == nil || run.delete([]byte("a")) == nil {
			t.Error("a run took a write")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
