package store_test

import (
	"context"
	"reflect"
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
