package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestCheck_CLI: a loaded database checks clean (exit 0, the counts, the
// JSON report); a damaged one exits 1 naming the damage, and --repair
// fixes it.
func TestCheck_CLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	mustRun(t, "load", "--db", db, seedFile)
	out := mustRun(t, "check", "--db", db)
	if !strings.Contains(out, "no problems") || !strings.Contains(out, "25 claims") {
		t.Errorf("check said:\n%s", out)
	}
	var rep checkOutput
	if err := json.Unmarshal([]byte(mustRun(t, "check", "--db", db, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Found.Total != 0 || rep.Found.Stats.Claims != 25 || rep.After != nil {
		t.Errorf("JSON report: %+v", rep)
	}

	// Damage, under hearsay's feet: drop the first reverse edge key of the
	// live generation.
	//
	// 0x04 (store's edge family tag) and CURRENT (its generation file) are
	// written here by hand: store has no API to damage a database on
	// purpose, and should not grow one for a test. Both are stored formats
	// that never change (store/keys.go's tags are append only and pinned by
	// its golden file), so this cannot drift from the store silently.
	cur, err := os.ReadFile(filepath.Join(db, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := badger.Open(badger.DefaultOptions(filepath.Join(db, strings.TrimSpace(string(cur)))).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{0x04}})
		it.Rewind()
		if !it.Valid() {
			it.Close()
			return errors.New("no edge keys")
		}
		k := it.Item().KeyCopy(nil)
		it.Close()
		return txn.Delete(k)
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("damage: %v", err)
	}
	code, out, _ := hearsay(t, "check", "--db", db)
	if code != exitError || !strings.Contains(out, "is missing") || !strings.Contains(out, "1 problem found") {
		t.Errorf("damaged check: exit %d\n%s", code, out)
	}
	out = mustRun(t, "check", "--db", db, "--repair")
	if !strings.Contains(out, "0 problems left") {
		t.Errorf("repair said:\n%s", out)
	}
	if out := mustRun(t, "check", "--db", db); !strings.Contains(out, "no problems") {
		t.Errorf("after repair:\n%s", out)
	}
}
