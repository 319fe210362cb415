package store

import "github.com/dgraph-io/badger/v4"

// This file gives the external tests (package store_test) raw access to
// the keys and values under a DB, so that they can check the stored layout
// without going through the code under test.

// The key family tags, for filtering raw keys.
const (
	TagMeta = tagMeta
	TagNode = tagNode
	TagAdj  = tagAdj
	TagEdge = tagEdge
	TagWord = tagWord
)

// RawKV is one stored key and its value.
type RawKV struct {
	Key   []byte
	Value []byte
}

// RawKVs returns every key that starts with prefix, with its value, in key
// order, from one snapshot.
func RawKVs(db *DB, prefix []byte) ([]RawKV, error) {
	var out []RawKV
	err := db.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, RawKV{Key: item.KeyCopy(nil), Value: v})
		}
		return nil
	})
	return out, err
}

// SetRaw stores a raw value under key.
func SetRaw(db *DB, key, value []byte) error {
	return db.db.Update(func(txn *badger.Txn) error { return txn.Set(key, value) })
}

// DeleteRaw deletes one raw key, bypassing every rule.
func DeleteRaw(db *DB, key []byte) error {
	return db.db.Update(func(txn *badger.Txn) error { return txn.Delete(key) })
}
