package store_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/storetest"
)

// commands is one command of every op, in an order that applies cleanly
// to the seed graph, with a refusal in the middle.
func commands() []*store.Command {
	d := graph.MustParseDate("2025-05-01")
	return []*store.Command{
		{Op: store.OpCreateOutlet, Outlet: &graph.Outlet{ID: "outlet:cmd", Name: "Cmd Wire", Country: "GB", Type: graph.OutletType(1),
			Ratings: []graph.Rating{{Rating: graph.ReliabilityB, RatedBy: "desk", RatedAt: graph.MustParseDate("2024"), Note: "n"}}}},
		{Op: store.OpUpdateOutlet, ID: "outlet:cmd", OutletUpdate: graph.OutletUpdate{Name: ptr("Cmd Wire 2"), Type: ptr(graph.OutletType(2))}},
		{Op: store.OpCreateReport, Report: &graph.Report{ID: "report:cmd", Outlet: "outlet:cmd", Title: "T", Published: d, Status: graph.ReportStatus(1)}},
		{Op: store.OpCreateReport, Report: &graph.Report{ID: "report:cmd2", Outlet: "outlet:cmd", Title: "T2", Published: d, Status: graph.ReportStatus(1), Cites: []string{"report:cmd"}}},
		{Op: store.OpUpdateReport, ID: "report:cmd", ReportUpdate: graph.ReportUpdate{Title: ptr("T1"), Published: &d, Status: ptr(graph.ReportStatus(2))}},
		{Op: store.OpRemoveCitation, ID: "report:cmd2", Ref: "report:cmd"},
		{Op: store.OpAddCitation, ID: "report:cmd2", Ref: "report:cmd"},
		{Op: store.OpCreateOfficial, Official: &graph.Official{ID: "official:cmd", Name: "A", Form: graph.OfficialForm(1)}},
		{Op: store.OpCreateOfficial, Official: &graph.Official{ID: "official:cmd2", Name: "B", Form: graph.OfficialForm(2), Anonymous: true,
			PossiblySameAs: []graph.SameAs{{Official: "official:cmd", Note: "maybe"}}}},
		{Op: store.OpUpdateOfficial, ID: "official:cmd", OfficialUpdate: graph.OfficialUpdate{Role: ptr("minister"), Anonymous: ptr(false), Form: ptr(graph.OfficialForm(1))}},
		{Op: store.OpAddRating, ID: "official:cmd", Rating: graph.Rating{Rating: graph.ReliabilityC, RatedBy: "x", RatedAt: d}},
		{Op: store.OpCreateClaim, Claim: &graph.Claim{ID: "claim:cmd", Text: "The sky is green.", Topics: []string{"sky"},
			Appearances: []graph.Appearance{{Report: "report:cmd", Quote: "green", Mode: graph.Mode(1),
				Attributions: []graph.Attribution{{Source: "official:cmd", Mode: graph.Mode(1), Quote: "q",
					Relaying: []graph.Attribution{{Source: "official:cmd2", Mode: graph.Mode(2)}}}}}}}},
		// Refused: the claim exists (ECONFLICT), on every node alike.
		{Op: store.OpCreateClaim, Claim: &graph.Claim{ID: "claim:cmd", Text: "Again."}},
		{Op: store.OpUpdateClaim, ID: "claim:cmd", ClaimUpdate: graph.ClaimUpdate{Text: ptr("The sky is very green."), Topics: ptr([]string{"a", "b"})}},
		{Op: store.OpAddAppearance, ID: "claim:cmd", Appearance: graph.Appearance{Report: "report:cmd2", Mode: graph.Mode(2), Hedge: "reportedly"}},
		{Op: store.OpAddAttribution, ID: "claim:cmd", Ref: "report:cmd2", Attribution: graph.Attribution{Source: "outlet:cmd", Mode: graph.Mode(2)}},
		{Op: store.OpRemoveAttribution, ID: "claim:cmd", Ref: "report:cmd2", Source: "outlet:cmd"},
		{Op: store.OpAddReview, ID: "claim:cmd", Review: graph.Review{Verdict: graph.Verdict(1), ReviewedBy: "fc", ReviewedAt: d, Title: "t", RatingText: "Pants"}},
		{Op: store.OpRemoveAppearance, ID: "claim:cmd", Ref: "report:cmd2"},
		{Op: store.OpImportDataset, Dataset: &graph.Dataset{Info: graph.DatasetInfo{ID: "ds", Title: "t"},
			Outlets:   []*graph.Outlet{{ID: "outlet:imp", Name: "Imp"}},
			Officials: []*graph.Official{{ID: "official:imp", Name: "I", Form: graph.OfficialForm(1)}},
			Reports:   []*graph.Report{{ID: "report:imp", Outlet: "outlet:imp", Status: graph.ReportStatus(1), Published: d}},
			Claims:    []*graph.Claim{{ID: "claim:imp", Text: "Imported.", Appearances: []graph.Appearance{{Report: "report:imp", Mode: graph.Mode(1)}}}}}},
		{Op: store.OpDeleteClaim, ID: "claim:imp"},
		{Op: store.OpDeleteReport, ID: "report:imp", Cascade: false},
		{Op: store.OpDeleteOfficial, ID: "official:imp", Cascade: true},
		{Op: store.OpDeleteOutlet, ID: "outlet:imp", Cascade: true},
		// Refused: no such outlet (ENOTFOUND).
		{Op: store.OpDeleteOutlet, ID: "outlet:none"},
	}
}

func seeded(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	if _, err := fixtures.LoadSeed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestCommand_RoundTrip(t *testing.T) {
	// Ensure every op decodes to what was encoded.
	for _, c := range commands() {
		b, err := store.EncodeCommand(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Op, err)
		}
		got, err := store.DecodeCommand(b)
		if err != nil {
			t.Fatalf("%s: %v", c.Op, err)
		}
		b2, err := store.EncodeCommand(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: re-encoded differently", c.Op)
		}
		if got.Op != c.Op || got.ID != c.ID || got.Ref != c.Ref || got.Source != c.Source || got.Cascade != c.Cascade {
			t.Errorf("%s: decoded %+v", c.Op, got)
		}
	}
	// Ensure truncations and a trailing byte are refused, never a panic.
	b, _ := store.EncodeCommand(commands()[11])
	for i := range len(b) {
		if _, err := store.DecodeCommand(b[:i]); err == nil {
			t.Fatalf("truncated at %d: decoded", i)
		}
	}
	if _, err := store.DecodeCommand(append(b, 0)); err == nil {
		t.Fatal("trailing byte: decoded")
	}
}

// TestDB_Apply applies every command through the log path on one database
// and through the write methods on another, and compares their digests.
func TestDB_Apply(t *testing.T) {
	ctx := context.Background()
	replica, direct := seeded(t), seeded(t)
	var seq uint64
	for _, c := range commands() {
		seq++
		b, err := store.EncodeCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		dc, err := store.DecodeCommand(b)
		if err != nil {
			t.Fatal(err)
		}
		_, aerr := replica.Apply(ctx, seq, dc)
		_, derr := applyDirect(ctx, direct, c)
		if graph.ErrorCode(aerr) != graph.ErrorCode(derr) || graph.ErrorMessage(aerr) != graph.ErrorMessage(derr) {
			t.Fatalf("%d %s: applied %v, direct %v", seq, c.Op, aerr, derr)
		}
		if aerr != nil && !store.Refusal(aerr) {
			t.Fatalf("%d %s: %v", seq, c.Op, aerr)
		}
		// Ensure the sequence moved, refused or not.
		if a, err := replica.Applied(ctx); err != nil || a != seq {
			t.Fatalf("%d %s: applied %d, %v", seq, c.Op, a, err)
		}
	}
	// Ensure a sequence already applied changes nothing.
	if _, err := replica.Apply(ctx, seq, commands()[0]); !errors.Is(err, store.ErrApplied) {
		t.Fatalf("re-apply: %v", err)
	}
	a, err := replica.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := direct.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != d.SHA256 || a.Keys != d.Keys || a.Stats != d.Stats {
		t.Fatalf("digests differ: %+v, %+v", a, d)
	}
	if a.Applied != seq || d.Applied != 0 {
		t.Fatalf("applied %d and %d", a.Applied, d.Applied)
	}
	rep, err := replica.Check(ctx, false)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
	if !reflect.DeepEqual(mustFind(t, replica, "claim:cmd"), mustFind(t, direct, "claim:cmd")) {
		t.Fatal("claim differs")
	}
}

func mustFind(t *testing.T, db *store.DB, id string) *graph.Claim {
	t.Helper()
	c, err := db.FindClaimByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func applyDirect(ctx context.Context, db *store.DB, c *store.Command) (any, error) {
	switch c.Op {
	case store.OpCreateOutlet:
		return nil, db.CreateOutlet(ctx, c.Outlet)
	case store.OpUpdateOutlet:
		return db.UpdateOutlet(ctx, c.ID, c.OutletUpdate)
	case store.OpDeleteOutlet:
		return nil, db.DeleteOutlet(ctx, c.ID, c.Cascade)
	case store.OpCreateReport:
		return nil, db.CreateReport(ctx, c.Report)
	case store.OpUpdateReport:
		return db.UpdateReport(ctx, c.ID, c.ReportUpdate)
	case store.OpDeleteReport:
		return nil, db.DeleteReport(ctx, c.ID, c.Cascade)
	case store.OpAddCitation:
		return db.AddCitation(ctx, c.ID, c.Ref)
	case store.OpRemoveCitation:
		return db.RemoveCitation(ctx, c.ID, c.Ref)
	case store.OpCreateOfficial:
		return nil, db.CreateOfficial(ctx, c.Official)
	case store.OpUpdateOfficial:
		return db.UpdateOfficial(ctx, c.ID, c.OfficialUpdate)
	case store.OpDeleteOfficial:
		return nil, db.DeleteOfficial(ctx, c.ID, c.Cascade)
	case store.OpCreateClaim:
		return nil, db.CreateClaim(ctx, c.Claim)
	case store.OpUpdateClaim:
		return db.UpdateClaim(ctx, c.ID, c.ClaimUpdate)
	case store.OpDeleteClaim:
		return nil, db.DeleteClaim(ctx, c.ID)
	case store.OpAddAppearance:
		return db.AddAppearance(ctx, c.ID, c.Appearance)
	case store.OpRemoveAppearance:
		return db.RemoveAppearance(ctx, c.ID, c.Ref)
	case store.OpAddAttribution:
		return db.AddAttribution(ctx, c.ID, c.Ref, c.Attribution)
	case store.OpRemoveAttribution:
		return db.RemoveAttribution(ctx, c.ID, c.Ref, c.Source)
	case store.OpAddReview:
		return db.AddReview(ctx, c.ID, c.Review)
	case store.OpAddRating:
		return nil, db.AddRating(ctx, c.ID, c.Rating)
	case store.OpImportDataset:
		return db.ImportDataset(ctx, c.Dataset)
	}
	return nil, errors.New("unknown op")
}

func FuzzDecodeCommand(f *testing.F) {
	for _, c := range commands() {
		b, err := store.EncodeCommand(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := store.DecodeCommand(b)
		if err != nil {
			return
		}
		// Ensure what decodes encodes back to the same bytes.
		b2, err := store.EncodeCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := store.DecodeCommand(b2)
		if err != nil {
			t.Fatalf("re-encoded command does not decode: %v", err)
		}
		if c2.Op != c.Op {
			t.Fatal("op changed")
		}
	})
}
