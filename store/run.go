package store

import (
	"bytes"
	"errors"
)

// runTxn is a read transaction for a run of reads in ascending key order
// within each family (runPrefix): a batch read of nodes sorted by ID, each
// with its adjacency values. It serves them with one iterator per family,
// stepping forward to keys near the last one instead of looking each up
// from the top of the tree: a point lookup binary-searches every level's
// tables and a block's index, where the next key is usually in the same
// block. Reads out of order still work (a seek). Writes are refused.
type runTxn struct {
	kvTxn
	runs map[string]*run
}

// run is one family's iterator, at the first key at or after last, the
// key asked for last.
type run struct {
	it     kvIter
	sought bool
	last   []byte
}

// maxSteps is how far a run steps forward before it seeks instead.
const maxSteps = 16

func newRunTxn(txn kvTxn) *runTxn { return &runTxn{kvTxn: txn, runs: make(map[string]*run, 4)} }

var errReadOnlyRun = errors.New("store: a write in a read run")

func (t *runTxn) get(key []byte, fn func(v []byte) error) error {
	p := runPrefix(key)
	r := t.runs[string(p)]
	if r == nil {
		r = &run{it: t.kvTxn.iterate(p, false)}
		t.runs[string(p)] = r
	}
	it := r.it
	if !r.sought || bytes.Compare(key, r.last) < 0 {
		it.seek(key)
		r.sought = true
	} else {
		// The iterator is at the first key at or after the last one
		// asked for: a key before it is missing, one after it is near.
		for steps := 0; it.valid() && bytes.Compare(it.key(), key) < 0; steps++ {
			if steps == maxSteps {
				it.seek(key)
				break
			}
			it.next()
		}
	}
	r.last = append(r.last[:0], key...)
	if !it.valid() || !bytes.Equal(it.key(), key) {
		return errNoKey
	}
	return it.value(fn)
}

func (t *runTxn) has(key []byte) (bool, error) {
	err := t.get(key, func([]byte) error { return nil })
	if errors.Is(err, errNoKey) {
		return false, nil
	}
	return err == nil, err
}

func (t *runTxn) set([]byte, []byte) error { return errReadOnlyRun }
func (t *runTxn) delete([]byte) error      { return errReadOnlyRun }

// close closes the run's iterators.
func (t *runTxn) close() {
	for _, r := range t.runs {
		r.it.close()
	}
}
