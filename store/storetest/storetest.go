// Package storetest helps tests of other packages use a real store: an
// empty in-memory database with store.SmallOptions, closed at the end of
// the test.
package storetest

import (
	"testing"

	"hearsay/store"
)

// Open returns an empty in-memory store, closed (and its error reported)
// when the test ends.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(store.SmallOptions())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}
