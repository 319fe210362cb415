package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"hearsay/graph"
)

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ds := genDataset(t, 800, 9)
	mustImport(t, db, ds)

	t.Run("OK", func(t *testing.T) {
		// Ensure a snapshot reads every node as the database does.
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		for _, c := range ds.Claims {
			got, err := snap.FindClaimByID(ctx, c.ID)
			if err != nil || !reflect.DeepEqual(got, mustClaim(t, db, c.ID)) {
				t.Fatalf("FindClaimByID(%s) = %+v, %v", c.ID, got, err)
			}
		}
		var reports, outlets, officials []string
		for _, r := range ds.Reports {
			got, err := snap.FindReportByID(ctx, r.ID)
			if err != nil || !reflect.DeepEqual(got, mustReport(t, db, r.ID)) {
				t.Fatalf("FindReportByID(%s) = %+v, %v", r.ID, got, err)
			}
			reports = append(reports, r.ID)
		}
		for _, o := range ds.Outlets {
			got, err := snap.FindOutletByID(ctx, o.ID)
			if err != nil || !reflect.DeepEqual(got, mustOutlet(t, db, o.ID)) {
				t.Fatalf("FindOutletByID(%s) = %+v, %v", o.ID, got, err)
			}
			outlets = append(outlets, o.ID)
			c := ds.Claims[len(outlets)%len(ds.Claims)].ID
			want, err := db.ReportsOfOutlet(ctx, o.ID, c)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := snap.ReportsOfOutlet(ctx, o.ID, c); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("ReportsOfOutlet(%s, %s) = %q, %v; want %q", o.ID, c, got, err, want)
			}
		}
		for _, o := range ds.Officials {
			got, err := snap.FindOfficialByID(ctx, o.ID)
			if err != nil || !reflect.DeepEqual(got, mustOfficial(t, db, o.ID)) {
				t.Fatalf("FindOfficialByID(%s) = %+v, %v", o.ID, got, err)
			}
			officials = append(officials, o.ID)
		}
		for name, pair := range map[string][2]func() (any, error){
			"FindReportsByID": {func() (any, error) { return snap.FindReportsByID(ctx, reports) }, func() (any, error) { return db.FindReportsByID(ctx, reports) }},
			"FindOutletsByID": {func() (any, error) { return snap.FindOutletsByID(ctx, outlets) }, func() (any, error) { return db.FindOutletsByID(ctx, outlets) }},
			"FindOfficialsByID": {func() (any, error) { return snap.FindOfficialsByID(ctx, officials) },
				func() (any, error) { return db.FindOfficialsByID(ctx, officials) }},
		} {
			got, err := pair[0]()
			want, werr := pair[1]()
			if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s in a snapshot differs from the database's (%v, %v)", name, err, werr)
			}
		}
		// Ensure a judgement read through the snapshot equals one read
		// from the database.
		for _, c := range ds.Claims[:20] {
			want, err := graph.JudgeClaim(ctx, db, c.ID, graph.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := graph.JudgeClaim(ctx, snap, c.ID, graph.TraceOptions{}); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("JudgeClaim(%s) in a snapshot = %+v, %v; want %+v", c.ID, got, err, want)
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure a missing node is ENOTFOUND, naming it, and a malformed
		// ID EINVALID, as from the database.
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		_, err = snap.FindReportByID(ctx, "report:missing")
		if graph.ErrorCode(err) != graph.ENOTFOUND || graph.ErrorMessage(err) != `no report "report:missing"` {
			t.Errorf("FindReportByID(report:missing) = %v, want ENOTFOUND naming it", err)
		}
		if _, err := snap.FindOutletByID(ctx, "report:x"); graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("FindOutletByID(report:x) = %v, want EINVALID", err)
		}
	})

	t.Run("Isolated", func(t *testing.T) {
		// Ensure a snapshot that has read from storage does not see
		// writes made after, and a new one does; and that one that has
		// read nothing yet reads the database as it is at its first read.
		rename := func(t *testing.T, id, name string) {
			t.Helper()
			if _, err := db.UpdateOutlet(ctx, id, graph.OutletUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		a, b := ds.Outlets[0], ds.Outlets[1]
		rename(t, a.ID, "A before") // a write: nothing cached is of use now
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		if got, err := snap.FindOutletByID(ctx, a.ID); err != nil || got.Name != "A before" {
			t.Fatalf("read %+v, %v", got, err)
		}
		rename(t, b.ID, "B after")
		if got, err := snap.FindOutletByID(ctx, b.ID); err != nil || got.Name != b.Name {
			t.Errorf("the snapshot read %+v, %v; want the name %q before the update", got, err, b.Name)
		}
		later, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer later.Close()
		rename(t, a.ID, "A after")
		if got, err := later.FindOutletByID(ctx, a.ID); err != nil || got.Name != "A after" {
			t.Errorf("a snapshot that had read nothing read %+v, %v; want the name at its first read", got, err)
		}
		if got, err := later.FindOutletByID(ctx, b.ID); err != nil || got.Name != "B after" {
			t.Errorf("a later snapshot read %+v, %v; want %q", got, err, "B after")
		}
	})

	t.Run("Closed", func(t *testing.T) {
		// Ensure reads after Close fail, Close twice is harmless, and a
		// cancelled context fails reads with its error.
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := snap.FindOutletByID(cancelled, ds.Outlets[0].ID); !errors.Is(err, context.Canceled) {
			t.Errorf("read with a cancelled context = %v, want context.Canceled", err)
		}
		snap.Close()
		snap.Close()
		if _, err := snap.FindOutletByID(ctx, ds.Outlets[0].ID); graph.ErrorCode(err) != graph.EINTERNAL {
			t.Errorf("read after Close = %v, want EINTERNAL", err)
		}
		if _, err := db.Snapshot(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("Snapshot with a cancelled context = %v, want context.Canceled", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Ensure concurrent reads of one snapshot agree (run with -race).
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				for _, c := range ds.Claims[i*10 : i*10+10] {
					if _, err := graph.TraceClaim(ctx, snap, c.ID, graph.TraceOptions{}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	})
}

func TestSnapshot_Cache(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ds := genDataset(t, 400, 3)
	mustImport(t, db, ds)
	o := ds.Outlets[0]
	read := func(t *testing.T) *graph.Outlet {
		t.Helper()
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		got, err := snap.FindOutletByID(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("OK", func(t *testing.T) {
		// Ensure snapshots with no write between them share the node
		// read by the first, and a snapshot after a write reads the
		// write, singly and in batches.
		first := read(t)
		if read(t) != first {
			t.Error("a second snapshot read the outlet again instead of taking it from the cache")
		}
		name := "Renamed"
		if _, err := db.UpdateOutlet(ctx, o.ID, graph.OutletUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if got := read(t); got == first || got.Name != name {
			t.Errorf("after the update a snapshot read %q (the cached node: %v)", got.Name, got == first)
		}
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		got, err := snap.FindOutletsByID(ctx, []string{o.ID, ds.Outlets[1].ID, "outlet:missing"})
		if err != nil || len(got) != 2 || got[o.ID].Name != name || !reflect.DeepEqual(got[ds.Outlets[1].ID], mustOutlet(t, db, ds.Outlets[1].ID)) {
			t.Errorf("FindOutletsByID through the cache = %+v, %v", got, err)
		}
		// Ensure the outlet index's answers, kept in the cache, follow a
		// report moved to another outlet.
		moved := ds.Reports[0]
		var claim string
		for _, c := range ds.Claims {
			if _, ok := c.Appearance(moved.ID); ok {
				claim = c.ID
			}
		}
		if claim == "" {
			t.Fatalf("no claim carries %s", moved.ID)
		}
		to := ds.Outlets[1].ID
		if moved.Outlet == to {
			to = ds.Outlets[2].ID
		}
		ofTo := func(t *testing.T) []string {
			t.Helper()
			snap, err := db.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Close()
			var got []string
			for range 2 { // the second from the cache
				got, err = snap.ReportsOfOutlet(ctx, to, claim)
				want, werr := db.ReportsOfOutlet(ctx, to, claim)
				if err != nil || werr != nil || !slices.Equal(got, want) {
					t.Fatalf("ReportsOfOutlet(%s, %s) in a snapshot = %q, %v; want %q, %v", to, claim, got, err, want, werr)
				}
			}
			return got
		}
		before := ofTo(t)
		if _, err := db.UpdateReport(ctx, moved.ID, graph.ReportUpdate{Outlet: &to}); err != nil {
			t.Fatal(err)
		}
		if after := ofTo(t); !slices.Contains(after, moved.ID) || len(after) != len(before)+1 {
			t.Errorf("after moving %s to %s: %q, before %q", moved.ID, to, after, before)
		}
		// Ensure a cached node of one kind is not returned for another
		// kind's read.
		if _, err := snap.FindReportByID(ctx, o.ID); graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("FindReportByID(%s) = %v, want EINVALID", o.ID, err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Ensure that, while a writer renames an outlet again and again,
		// every snapshot reads one name throughout, no reader ever sees
		// an older name after a newer one, and a snapshot taken after
		// the last write reads it (run with -race).
		const writes = 200
		names := make(map[string]int, writes)
		for i := range writes {
			names[fmt.Sprintf("name %03d", i)] = i
		}
		var wg sync.WaitGroup
		done := make(chan struct{})
		wg.Go(func() {
			defer close(done)
			for i := range writes {
				name := fmt.Sprintf("name %03d", i)
				if _, err := db.UpdateOutlet(ctx, o.ID, graph.OutletUpdate{Name: &name}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		for range 3 {
			wg.Go(func() {
				last := -1
				for {
					select {
					case <-done:
						return
					default:
					}
					snap, err := db.Snapshot(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					a, err1 := snap.FindOutletByID(ctx, o.ID)
					b, err2 := snap.FindOutletsByID(ctx, []string{o.ID, ds.Outlets[1].ID})
					c, err3 := snap.FindOutletByID(ctx, o.ID)
					snap.Close()
					if err1 != nil || err2 != nil || err3 != nil {
						t.Error(err1, err2, err3)
						return
					}
					if a.Name != b[o.ID].Name || a.Name != c.Name {
						t.Errorf("one snapshot read %q, %q and %q", a.Name, b[o.ID].Name, c.Name)
						return
					}
					if n, ok := names[a.Name]; ok {
						if n < last {
							t.Errorf("read %q after name %03d", a.Name, last)
							return
						}
						last = n
					}
				}
			})
		}
		wg.Wait()
		if got := read(t); got.Name != fmt.Sprintf("name %03d", writes-1) {
			t.Errorf("after the writes a snapshot read %q", got.Name)
		}
	})
}
