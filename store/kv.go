package store

import (
	"errors"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// The KV seam: the small ordered, transactional key-value store the graph
// is kept in. Everything above it (the write model, the writer, the
// readers, the checker) takes a kvTxn; Badger (badgerKV) is its one
// implementation, and kv_test.go is the conformance suite another one
// must pass. The bulk loader and backups build Badger generations
// directly (generation.go): they are part of the Badger implementation.

// kvTxn is one transaction: a snapshot to read, and for a write
// transaction changes that commit atomically.
type kvTxn interface {
	// get calls fn with the value of key, valid only inside fn; a
	// missing key is errNoKey.
	get(key []byte, fn func(v []byte) error) error
	// has reports whether key is present, without reading its value.
	has(key []byte) (bool, error)
	// iterate returns an iterator over the keys with prefix, in order;
	// values says whether values will be read (a hint).
	iterate(prefix []byte, values bool) kvIter
	// iterateBack returns an iterator over the keys with prefix from the
	// last to the first: its seek moves to the last key at or before key.
	iterateBack(prefix []byte) kvIter
	set(key, val []byte) error
	delete(key []byte) error
}

// kvIter walks keys in order. Call close when done.
type kvIter interface {
	// seek moves to the first key at or after key (nil: the first key).
	seek(key []byte)
	valid() bool
	next()
	// key is the current key, valid until next.
	key() []byte
	// value calls fn with the current value, valid only inside fn.
	value(fn func(v []byte) error) error
	close()
}

// kvStore opens transactions.
type kvStore interface {
	// view runs fn on a read-only snapshot.
	view(fn func(kvTxn) error) error
	// snapshot opens a read-only snapshot for many reads, until release
	// is called; it must be.
	snapshot() (txn kvTxn, release func())
	// update runs fn in a write transaction and commits it: all of it or
	// nothing. An error of fn is returned as is; a failed commit as a
	// commitError. A write too large for one transaction is errTxnTooBig,
	// from set, delete or the commit.
	update(fn func(kvTxn) error) error
	// batch sets keys (empty values) and deletes others, not atomically,
	// however many they are.
	batch(set, del [][]byte) error
}

var (
	errNoKey     = errors.New("key not found")
	errTxnTooBig = errors.New("transaction too big")
)

// commitError is a commit that failed.
type commitError struct{ err error }

func (e commitError) Error() string { return "commit: " + e.err.Error() }
func (e commitError) Unwrap() error { return e.err }

// badgerKV is the KV seam on Badger.
type badgerKV struct{ db *badger.DB }

func (s badgerKV) view(fn func(kvTxn) error) error {
	return s.db.View(func(txn *badger.Txn) error { return fn(badgerTxn{txn}) })
}

func (s badgerKV) snapshot() (kvTxn, func()) {
	txn := s.db.NewTransaction(false)
	return badgerTxn{txn}, txn.Discard
}

func (s badgerKV) update(fn func(kvTxn) error) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(badgerTxn{txn}); err != nil {
		return err
	}
	err := txn.Commit()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrTxnTooBig):
		return commitError{errTxnTooBig}
	}
	return commitError{err}
}

func (s badgerKV) batch(set, del [][]byte) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range set {
		if err := wb.Set(k, nil); err != nil {
			return err
		}
	}
	for _, k := range del {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// badgerTxn is a kvTxn on a Badger transaction.
type badgerTxn struct{ txn *badger.Txn }

func (t badgerTxn) get(key []byte, fn func(v []byte) error) error {
	item, err := t.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return errNoKey
	}
	if err != nil {
		return err
	}
	return item.Value(fn)
}

func (t badgerTxn) has(key []byte) (bool, error) {
	_, err := t.txn.Get(key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return false, nil
	}
	return false, err
}

func (t badgerTxn) iterate(prefix []byte, values bool) kvIter {
	o := badger.IteratorOptions{Prefix: slices.Clone(prefix), PrefetchValues: values}
	if values {
		o.PrefetchSize = 256
	}
	return &badgerIter{it: t.txn.NewIterator(o)}
}

func (t badgerTxn) iterateBack(prefix []byte) kvIter {
	return &badgerIter{it: t.txn.NewIterator(badger.IteratorOptions{Prefix: slices.Clone(prefix), Reverse: true})}
}

func (t badgerTxn) set(key, val []byte) error { return tooBig(t.txn.Set(key, val)) }
func (t badgerTxn) delete(key []byte) error   { return tooBig(t.txn.Delete(key)) }

// tooBig translates Badger's "transaction too big", which a set or a
// delete may return before the commit.
func tooBig(err error) error {
	if errors.Is(err, badger.ErrTxnTooBig) {
		return errTxnTooBig
	}
	return err
}

type badgerIter struct{ it *badger.Iterator }

func (i *badgerIter) seek(key []byte) {
	if key == nil {
		i.it.Rewind()
		return
	}
	i.it.Seek(key)
}
func (i *badgerIter) valid() bool                         { return i.it.Valid() }
func (i *badgerIter) next()                               { i.it.Next() }
func (i *badgerIter) key() []byte                         { return i.it.Item().Key() }
func (i *badgerIter) value(fn func(v []byte) error) error { return i.it.Item().Value(fn) }
func (i *badgerIter) close()                              { i.it.Close() }
