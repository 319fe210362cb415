package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"hearsay/graph"
)

// oneByOne hides the store's batch reads, so the judge reads node by node.
type oneByOne struct{ graph.JudgeReader }

// TestBatchReads: batch reads return the stored nodes of the kind asked
// and nothing else, and a judgement read in batches equals one read node
// by node, for every claim of a generated graph.
func TestBatchReads(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ds := genDataset(t, 600, 21)
	mustImport(t, db, ds)
	ids := []string{ds.Reports[0].ID, ds.Reports[1].ID, "report:missing", ds.Outlets[0].ID, "not an id"}
	reports, err := db.FindReportsByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[ds.Reports[1].ID] == nil {
		t.Errorf("FindReportsByID(%q) = %d reports", ids, len(reports))
	}
	one, err := db.FindReportByID(ctx, ds.Reports[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(reports[ds.Reports[1].ID], one) {
		t.Errorf("batch and single reads differ:\n%+v\n%+v", reports[ds.Reports[1].ID], one)
	}
	for _, c := range ds.Claims {
		var want []string
		for _, a := range mustClaim(t, db, c.ID).Appearances {
			want = append(want, a.Report)
			for _, at := range a.Attributions {
				want = append(want, at.Source)
			}
		}
		if got, err := db.OutEdges(ctx, c.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("OutEdges(%s) = %q, %v; want %q", c.ID, got, err, want)
		}
		batched, err := graph.JudgeClaim(ctx, db, c.ID, graph.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		single, err := graph.JudgeClaim(ctx, oneByOne{db}, c.ID, graph.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(batched, single) {
			t.Fatalf("claim %s: judged in batches\n%+v\nnode by node\n%+v", c.ID, batched, single)
		}
	}
}

// onlyTrace hides the store's outlet index and batch reads, so a trace
// reads every report carrying the claim when it follows an attribution to
// an outlet.
type onlyTrace struct{ graph.TraceReader }

// TestReportsOfOutlet: the outlet index answers which of a claim's
// reports an outlet published, as reading them would, and a trace through
// it equals one that reads every report.
func TestReportsOfOutlet(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ds := genDataset(t, 800, 5)
	mustImport(t, db, ds)
	outletOf := make(map[string]string)
	for _, r := range ds.Reports {
		outletOf[r.ID] = r.Outlet
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	// Ensure, for every claim, every outlet of its reports and one of
	// none, the answer is the claim's reports of that outlet, from the
	// database and from a snapshot, twice (the second from its cache).
	asked := 0
	for _, c := range ds.Claims {
		outlets := []string{ds.Outlets[len(ds.Outlets)-1].ID}
		for _, a := range c.Appearances {
			outlets = append(outlets, outletOf[a.Report])
		}
		for _, o := range outlets {
			var want []string
			for _, a := range c.Appearances {
				if outletOf[a.Report] == o {
					want = append(want, a.Report)
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			for _, r := range []graph.OutletIndex{db, snap, snap} {
				got, err := r.ReportsOfOutlet(ctx, o, c.ID)
				if err != nil || !slices.Equal(got, want) {
					t.Fatalf("ReportsOfOutlet(%s, %s) = %q, %v; want %q", o, c.ID, got, err, want)
				}
			}
			asked++
		}
	}
	if asked < 100 {
		t.Fatalf("only %d answers checked", asked)
	}
	// Ensure an unknown claim or outlet has none, and bad IDs are
	// refused.
	for _, r := range []graph.OutletIndex{db, snap} {
		if got, err := r.ReportsOfOutlet(ctx, "outlet:missing", ds.Claims[0].ID); err != nil || len(got) != 0 {
			t.Errorf("ReportsOfOutlet(outlet:missing) = %q, %v", got, err)
		}
		if got, err := r.ReportsOfOutlet(ctx, ds.Outlets[0].ID, "claim:missing"); err != nil || len(got) != 0 {
			t.Errorf("ReportsOfOutlet(claim:missing) = %q, %v", got, err)
		}
		if _, err := r.ReportsOfOutlet(ctx, "report:x", ds.Claims[0].ID); graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("bad outlet: err %v, want EINVALID", err)
		}
		if _, err := r.ReportsOfOutlet(ctx, ds.Outlets[0].ID, "outlet:x"); graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("bad claim: err %v, want EINVALID", err)
		}
	}
	// Ensure every appearance of every claim traces the same with the
	// index as without it.
	outletHops := 0
	for _, c := range ds.Claims {
		for _, a := range mustClaim(t, db, c.ID).Appearances {
			indexed, err := graph.TraceAppearance(ctx, db, c.ID, a.Report, graph.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			read, err := graph.TraceAppearance(ctx, onlyTrace{db}, c.ID, a.Report, graph.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(indexed, read) {
				t.Fatalf("chains of %s from %s: with the index\n%+v\nreading every report\n%+v", c.ID, a.Report, indexed, read)
			}
			for _, ch := range indexed {
				for _, h := range ch.Hops {
					if graph.KindOf(h.To) == graph.KindOutlet {
						outletHops++
					}
				}
			}
		}
	}
	if outletHops == 0 {
		t.Error("no chain of the generated graph follows an attribution to an outlet")
	}
}
