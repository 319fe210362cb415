package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestKVBadger runs the KV conformance suite on Badger.
func TestKVBadger(t *testing.T) {
	testKV(t, func(t *testing.T) kvStore {
		bdb, err := badger.Open(badgerOptions(SmallOptions(), ""))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bdb.Close() })
		return badgerKV{bdb}
	})
}

// testKV is the conformance suite of the KV seam (kv.go): every
// implementation must pass it. open returns an empty store.
func testKV(t *testing.T, open func(t *testing.T) kvStore) {
	put := func(t *testing.T, s kvStore, kvs ...string) {
		t.Helper()
		if err := s.update(func(txn kvTxn) error {
			for i := 0; i < len(kvs); i += 2 {
				if err := txn.set([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	value := func(t *testing.T, txn kvTxn, key string) (string, error) {
		t.Helper()
		var out string
		err := txn.get([]byte(key), func(v []byte) error { out = string(v); return nil })
		return out, err
	}
	// scan lists "key=value" from seek within prefix.
	scan := func(t *testing.T, txn kvTxn, prefix, seek string, values bool) []string {
		t.Helper()
		it := txn.iterate([]byte(prefix), values)
		defer it.close()
		var start []byte
		if seek != "" {
			start = []byte(seek)
		}
		var out []string
		for it.seek(start); it.valid(); it.next() {
			s := string(it.key())
			if values {
				if err := it.value(func(v []byte) error { s += "=" + string(v); return nil }); err != nil {
					t.Fatal(err)
				}
			}
			out = append(out, s)
		}
		return out
	}

	t.Run("get and has", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1", "b", "")
		err := s.view(func(txn kvTxn) error {
			if v, err := value(t, txn, "a"); err != nil || v != "1" {
				t.Errorf("get a = %q, %v", v, err)
			}
			if v, err := value(t, txn, "b"); err != nil || v != "" {
				t.Errorf("get b = %q, %v; want an empty value", v, err)
			}
			if _, err := value(t, txn, "c"); !errors.Is(err, errNoKey) {
				t.Errorf("get c: %v, want errNoKey", err)
			}
			for key, want := range map[string]bool{"a": true, "b": true, "c": false} {
				if ok, err := txn.has([]byte(key)); err != nil || ok != want {
					t.Errorf("has %s = %v, %v", key, ok, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("prefix iteration is ordered and bounded", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/b", "2", "p/a", "1", "q/a", "x", "p", "0", "p/c", "3", "o", "y")
		err := s.view(func(txn kvTxn) error {
			if got, want := fmt.Sprint(scan(t, txn, "p/", "", true)), "[p/a=1 p/b=2 p/c=3]"; got != want {
				t.Errorf("scan p/ = %s, want %s", got, want)
			}
			if got, want := fmt.Sprint(scan(t, txn, "p/", "p/b", false)), "[p/b p/c]"; got != want {
				t.Errorf("scan p/ from p/b = %s, want %s", got, want)
			}
			if got, want := fmt.Sprint(scan(t, txn, "p/", "p/bb", false)), "[p/c]"; got != want {
				t.Errorf("scan p/ from p/bb = %s, want %s", got, want)
			}
			if got, want := fmt.Sprint(scan(t, txn, "", "", false)), "[o p p/a p/b p/c q/a]"; got != want {
				t.Errorf("scan all = %s, want %s", got, want)
			}
			if got := scan(t, txn, "z", "", false); len(got) != 0 {
				t.Errorf("scan z = %v, want nothing", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("backward iteration finds the last key at or before", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/b", "2", "p/a", "1", "q/a", "x", "p", "0", "p/d", "4", "o", "y")
		back := func(txn kvTxn, prefix, seek string) []string {
			it := txn.iterateBack([]byte(prefix))
			defer it.close()
			var out []string
			for it.seek([]byte(seek)); it.valid(); it.next() {
				s := string(it.key())
				if err := it.value(func(v []byte) error { s += "=" + string(v); return nil }); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		check := func(txn kvTxn, prefix, seek, want string) {
			t.Helper()
			if got := fmt.Sprint(back(txn, prefix, seek)); got != want {
				t.Errorf("back %s from %s = %s, want %s", prefix, seek, got, want)
			}
		}
		if err := s.view(func(txn kvTxn) error {
			check(txn, "p/", "p/c", "[p/b=2 p/a=1]")
			check(txn, "p/", "p/b", "[p/b=2 p/a=1]")
			check(txn, "p/", "p/z", "[p/d=4 p/b=2 p/a=1]")
			check(txn, "p/", "p/", "[]")
			check(txn, "q/", "q/b", "[q/a=x]")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// In a write, its own changes are seen too.
		if err := s.update(func(txn kvTxn) error {
			if err := txn.set([]byte("p/c"), []byte("3")); err != nil {
				return err
			}
			if err := txn.delete([]byte("p/b")); err != nil {
				return err
			}
			check(txn, "p/", "p/cc", "[p/c=3 p/a=1]")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a write sees its own changes and commits all or nothing", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1", "b", "2")
		boom := errors.New("boom")
		err := s.update(func(txn kvTxn) error {
			if err := txn.set([]byte("c"), []byte("3")); err != nil {
				return err
			}
			if err := txn.delete([]byte("a")); err != nil {
				return err
			}
			if v, err := value(t, txn, "c"); err != nil || v != "3" {
				t.Errorf("own write: get c = %q, %v", v, err)
			}
			if ok, _ := txn.has([]byte("a")); ok {
				t.Error("own delete: a still there")
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("update = %v, want fn's error", err)
		}
		var ce commitError
		if errors.As(err, &ce) {
			t.Errorf("fn's error came back as a commit error")
		}
		err = s.view(func(txn kvTxn) error {
			if got, want := fmt.Sprint(scan(t, txn, "", "", true)), "[a=1 b=2]"; got != want {
				t.Errorf("after a failed write: %s, want %s", got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.update(func(txn kvTxn) error { return txn.delete([]byte("a")) }); err != nil {
			t.Fatal(err)
		}
		if err := s.view(func(txn kvTxn) error {
			if got, want := fmt.Sprint(scan(t, txn, "", "", true)), "[b=2]"; got != want {
				t.Errorf("after a delete: %s, want %s", got, want)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a view is a snapshot", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1")
		err := s.view(func(txn kvTxn) error {
			put(t, s, "a", "2", "b", "2")
			if got, want := fmt.Sprint(scan(t, txn, "", "", true)), "[a=1]"; got != want {
				t.Errorf("the snapshot saw a later write: %s, want %s", got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a snapshot is a snapshot until released", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1")
		txn, release := s.snapshot()
		put(t, s, "a", "2", "b", "2")
		if got, want := fmt.Sprint(scan(t, txn, "", "", true)), "[a=1]"; got != want {
			t.Errorf("the snapshot saw a later write: %s, want %s", got, want)
		}
		if v, err := value(t, txn, "a"); err != nil || v != "1" {
			t.Errorf("get a = %q, %v; want the value at the snapshot", v, err)
		}
		release()
		if err := s.view(func(txn kvTxn) error {
			if got, want := fmt.Sprint(scan(t, txn, "", "", true)), "[a=2 b=2]"; got != want {
				t.Errorf("after the snapshot: %s, want %s", got, want)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("batch", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1", "b", "2")
		var set [][]byte
		for i := range 1000 {
			set = append(set, fmt.Appendf(nil, "k%04d", i))
		}
		if err := s.batch(set, [][]byte{[]byte("a")}); err != nil {
			t.Fatal(err)
		}
		if err := s.view(func(txn kvTxn) error {
			keys := scan(t, txn, "k", "", true)
			if len(keys) != 1000 || keys[0] != "k0000=" {
				t.Errorf("batch set %d keys, first %v", len(keys), keys[:min(1, len(keys))])
			}
			if got := scan(t, txn, "a", "", false); len(got) != 0 {
				t.Errorf("batch did not delete a: %v", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("values are copied out", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "value")
		var kept []byte
		if err := s.view(func(txn kvTxn) error {
			return txn.get([]byte("a"), func(v []byte) error { kept = bytes.Clone(v); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		if string(kept) != "value" {
			t.Errorf("kept %q", kept)
		}
	})
}
