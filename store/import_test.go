package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// withoutApplied drops the applied sequence from a dump: the one key a
// replicated import writes that a plain bulk load does not.
func withoutApplied(kvs []store.RawKV) []store.RawKV {
	var out []store.RawKV
	for _, kv := range kvs {
		if !bytes.Equal(kv.Key, store.AppliedKey()) {
			out = append(out, kv)
		}
	}
	return out
}

func bulkImport(tb testing.TB, db *store.DB, seq uint64, ds *graph.Dataset) store.BulkResult {
	tb.Helper()
	res, err := db.BulkImport(context.Background(), seq, datasetSource(ds), store.BulkOptions{Name: "test.ndjson", SortMemory: 64 << 10})
	if err != nil {
		tb.Fatalf("BulkImport: %v", err)
	}
	return res
}

func mustApplied(tb testing.TB, db *store.DB) uint64 {
	tb.Helper()
	n, err := db.Applied(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestBulkImport: an online bulk import into an open database writes the
// keys a bulk load of the closed database writes, with the applied
// sequence, and the database goes on from the new generation: its check is
// clean, it takes writes, and it opens again on the new generation alone.
func TestBulkImport(t *testing.T) {
	base, more := genDataset(t, 500, 1), genDataset(t, 3000, 2)
	offline := diskOptions(t)
	bulkLoad(t, offline, base)
	bulkLoad(t, offline, more)

	opt := diskOptions(t)
	bulkLoad(t, opt, base)
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	head := db.ChangesAfter(0, 1).Head
	res := bulkImport(t, db, 7, more)
	if res.Nodes != len(more.Nodes()) {
		t.Errorf("imported %d nodes, want %d", res.Nodes, len(more.Nodes()))
	}
	if got := mustApplied(t, db); got != 7 {
		t.Errorf("applied = %d, want 7", got)
	}
	if st := mustStats(t, db); st != res.Stats {
		t.Errorf("stats = %+v, the import said %+v", st, res.Stats)
	}
	// Ensure a change-feed reader is told it missed the import.
	if w := db.ChangesAfter(head, 10); !w.Missed || w.Head <= head {
		t.Errorf("feed after the import: missed %v, head %d (was %d); want missed, head moved", w.Missed, w.Head, head)
	}
	rep, err := db.Check(context.Background(), false)
	if err != nil || rep.Total != 0 {
		t.Fatalf("check: %v %+v", err, rep)
	}
	onlyLive(t, opt.Dir)
	// Ensure the same applied sequence again is refused.
	if _, err := db.BulkImport(context.Background(), 7, datasetSource(more), store.BulkOptions{}); !errors.Is(err, store.ErrApplied) {
		t.Errorf("import at 7 again: %v, want ErrApplied", err)
	}
	mustImport(t, db, &graph.Dataset{Outlets: []*graph.Outlet{{ID: "outlet:after", Name: "after"}}})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	bulkLoad(t, offline, &graph.Dataset{Outlets: []*graph.Outlet{{ID: "outlet:after", Name: "after"}}})
	sameKVs(t, withoutApplied(dump(t, opt)), withoutApplied(dump(t, offline)))
}

// TestBulkImportReadersSeeAllOrNothing: readers running through an online
// bulk import see the graph before it or after it in every read
// transaction, never part of it.
func TestBulkImportReadersSeeAllOrNothing(t *testing.T) {
	base, more := genDataset(t, 500, 1), genDataset(t, 4000, 3)
	opt := diskOptions(t)
	bulkLoad(t, opt, base)
	db := mustOpenDBWith(t, opt)
	ctx := context.Background()
	stored := make(map[string]bool)
	for _, c := range base.Claims {
		stored[c.ID] = true
	}
	var fresh []string // claims of the import not stored before it
	for _, c := range more.Claims {
		if !stored[c.ID] {
			fresh = append(fresh, c.ID)
		}
	}
	if len(fresh) < 2 {
		t.Fatalf("the import adds %d claims; the test needs two", len(fresh))
	}
	first, last := fresh[0], fresh[len(fresh)-1]
	_, before, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var mu sync.Mutex
	counts := make(map[int]int) // claims counted → reads
	seen := make(map[[2]bool]int)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for !stop.Load() {
				_, n, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: 1}})
				if err != nil {
					t.Error(err)
					return
				}
				s, err := db.Snapshot(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				_, e1 := s.FindClaimByID(ctx, first)
				_, e2 := s.FindClaimByID(ctx, last)
				s.Close()
				for _, e := range []error{e1, e2} {
					if e != nil && graph.ErrorCode(e) != graph.ENOTFOUND {
						t.Error(e)
						return
					}
				}
				mu.Lock()
				counts[n]++
				seen[[2]bool{e1 == nil, e2 == nil}]++
				mu.Unlock()
			}
		})
	}
	bulkImport(t, db, 0, more)
	// A few more reads after the switch.
	for range 20 {
		if _, _, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	_, after, err := db.FindClaims(ctx, graph.ClaimFilter{Page: graph.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("claims before %d, after %d: the import added none", before, after)
	}
	for n, reads := range counts {
		if n != before && n != after {
			t.Errorf("%d reads counted %d claims: neither %d (before) nor %d (after)", reads, n, before, after)
		}
	}
	for pair, reads := range seen {
		if pair[0] != pair[1] {
			t.Errorf("%d snapshots saw %s found %v and %s found %v: half of the import", reads, first, pair[0], last, pair[1])
		}
	}
	t.Logf("reads: %v; snapshots: %v", counts, seen)
	onlyLive(t, opt.Dir)
}

// TestBulkImportRefused: an import the graph refuses (a dangling reference
// in its last record) changes nothing but the applied sequence, which it
// stores, and leaves no generation behind.
func TestBulkImportRefused(t *testing.T) {
	base := genDataset(t, 500, 1)
	opt := diskOptions(t)
	bulkLoad(t, opt, base)
	db := mustOpenDBWith(t, opt)
	mustImport(t, db, &graph.Dataset{Outlets: []*graph.Outlet{{ID: "outlet:before", Name: "before"}}})
	before, err := store.RawKVs(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := genDataset(t, 2000, 5)
	bad.Claims[len(bad.Claims)-1].Appearances[0].Report = "report:nowhere"
	_, err = db.BulkImport(context.Background(), 9, datasetSource(bad), store.BulkOptions{Name: "bad.ndjson", SortMemory: 64 << 10})
	if graph.ErrorCode(err) != graph.EINVALID || !bytes.Contains([]byte(err.Error()), []byte(`unknown report "report:nowhere"`)) {
		t.Fatalf("err = %v, want EINVALID naming report:nowhere", err)
	}
	if got := mustApplied(t, db); got != 9 {
		t.Errorf("applied = %d, want 9 (a refusal is applied)", got)
	}
	after, err := store.RawKVs(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameKVs(t, withoutApplied(after), withoutApplied(before))
	onlyLive(t, opt.Dir)
}

// TestBulkImportCrashBeforeSwitch: a bulk import that stops after building
// its generation and before CURRENT names it (a crash, simulated by the
// hook) leaves the live generation as it was, in the open database and
// after a reopen, which removes what the crash left.
func TestBulkImportCrashBeforeSwitch(t *testing.T) {
	base, more := genDataset(t, 500, 1), genDataset(t, 2000, 6)
	opt := diskOptions(t)
	bulkLoad(t, opt, base)
	want := dump(t, opt)
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash")
	ran := false
	restore := store.SetBeforeSwitch(func(gen string) error {
		// What a crash leaves: the built generation, not named.
		ran = true
		if err := os.CopyFS(filepath.Join(opt.Dir, "g999999"), os.DirFS(filepath.Join(opt.Dir, gen))); err != nil {
			return err
		}
		return crash
	})
	_, err = db.BulkImport(context.Background(), 3, datasetSource(more), store.BulkOptions{SortMemory: 64 << 10})
	restore()
	if !errors.Is(err, crash) {
		t.Fatalf("err = %v, want the crash", err)
	}
	if !ran {
		t.Fatal("the hook did not run")
	}
	if got := mustApplied(t, db); got != 0 {
		t.Errorf("applied = %d after a crash, want 0", got)
	}
	got, err := store.RawKVs(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameKVs(t, got, want)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(opt.Dir, "g999999")); err != nil {
		t.Fatalf("the crash's generation: %v", err)
	}
	// The reopen removes the crash's generation and serves the old one.
	db = mustOpenDBWith(t, opt)
	onlyLive(t, opt.Dir)
	got, err = store.RawKVs(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameKVs(t, got, want)
}

// TestBulkImportInMemory: in memory, a bulk import is one transaction,
// with the applied sequence.
func TestBulkImportInMemory(t *testing.T) {
	db := MustOpenDB(t)
	ds := genDataset(t, 200, 1)
	res := bulkImport(t, db, 4, ds)
	if res.Nodes != len(ds.Nodes()) || mustApplied(t, db) != 4 {
		t.Errorf("nodes %d (want %d), applied %d (want 4)", res.Nodes, len(ds.Nodes()), mustApplied(t, db))
	}
	bad := &graph.Dataset{Reports: []*graph.Report{{ID: "report:x", Outlet: "outlet:nowhere", Status: graph.StatusPublished}}}
	if _, err := db.BulkImport(context.Background(), 5, datasetSource(bad), store.BulkOptions{}); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
	if mustApplied(t, db) != 5 {
		t.Errorf("applied %d after a refusal, want 5", mustApplied(t, db))
	}
}

// TestBulkImportTryTxn: with TryTxn a small import is one transaction on
// the live generation, and one too large for a transaction is bulk
// imported into a new one; both store the applied sequence.
func TestBulkImportTryTxn(t *testing.T) {
	opt := diskOptions(t)
	opt.MemTableSize = 4 << 20 // a transaction holds ~600 KB
	db := mustOpenDBWith(t, opt)
	current := func() string {
		b, err := os.ReadFile(filepath.Join(opt.Dir, "CURRENT"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	gen := current()
	small, big := genDataset(t, 300, 1), genDataset(t, 20_000, 2)
	try := store.BulkOptions{Name: "t.ndjson", TryTxn: true}
	if _, err := db.BulkImport(context.Background(), 2, datasetSource(small), try); err != nil {
		t.Fatal(err)
	}
	if current() != gen || mustApplied(t, db) != 2 {
		t.Fatalf("small: generation %q (was %q), applied %d; want one transaction at 2", current(), gen, mustApplied(t, db))
	}
	res, err := db.BulkImport(context.Background(), 3, datasetSource(big), try)
	if err != nil {
		t.Fatal(err)
	}
	if current() == gen || mustApplied(t, db) != 3 || res.Nodes != len(big.Nodes()) {
		t.Fatalf("big: generation %q (was %q), applied %d, %d nodes; want a new generation at 3", current(), gen, mustApplied(t, db), res.Nodes)
	}
	if rep, err := db.Check(context.Background(), false); err != nil || rep.Total != 0 {
		t.Fatalf("check: %v %+v", err, rep.Problems)
	}
}
