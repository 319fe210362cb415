package store_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// checkWrite checks everything checkStored checks and, in addition, that
// no reference dangles: every outlet, cited report, appearance report,
// attribution source and possibly-same-as official named by a stored node
// is itself stored.
func checkWrite(tb testing.TB, db *store.DB) snapshot {
	tb.Helper()
	s := checkStored(tb, db)
	ids := make(map[string]bool, len(s.Order))
	for _, id := range s.Order {
		ids[id] = true
	}
	ref := func(from, what, id string) {
		if !ids[id] {
			tb.Errorf("%s: %s %q names no stored node", from, what, id)
		}
	}
	for _, o := range s.Officials {
		for _, l := range o.PossiblySameAs {
			ref(o.ID, "possiblySameAs", l.Official)
		}
	}
	for _, r := range s.Reports {
		ref(r.ID, "outlet", r.Outlet)
		for _, c := range r.Cites {
			ref(r.ID, "cites", c)
		}
	}
	for _, c := range s.Claims {
		for _, a := range c.Appearances {
			ref(c.ID, "appearance report", a.Report)
			for _, at := range a.Attributions {
				ref(c.ID, "attribution source in "+a.Report, at.Source)
			}
		}
	}
	return s
}

// wantCode fails tb unless err has the code ("" for no error).
func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if got := graph.ErrorCode(err); got != code {
		tb.Fatalf("%s = %v (code %q), want code %q", what, err, got, code)
	}
}

// checkUnchanged fails tb unless the stored keys and values are exactly
// those of before.
func checkUnchanged(tb testing.TB, db *store.DB, before []store.RawKV) {
	tb.Helper()
	after := mustRaw(tb, db, nil)
	if reflect.DeepEqual(after, before) {
		return
	}
	old := make(map[string][]byte, len(before))
	for _, kv := range before {
		old[string(kv.Key)] = kv.Value
	}
	for _, kv := range after {
		v, ok := old[string(kv.Key)]
		delete(old, string(kv.Key))
		if !ok || !bytes.Equal(v, kv.Value) {
			k, _ := store.ParseKey(kv.Key)
			tb.Errorf("key %+v was written", k)
		}
	}
	for key := range old {
		k, _ := store.ParseKey([]byte(key))
		tb.Errorf("key %+v was deleted", k)
	}
}

// wantStats fails tb unless Stats is want.
func wantStats(tb testing.TB, db *store.DB, want graph.Stats) {
	tb.Helper()
	if got := mustStats(tb, db); got != want {
		tb.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// plus returns testStats changed by the given node and edge deltas.
func plus(outlets, officials, reports, claims, edges int64) graph.Stats {
	s := testStats
	s.Outlets += outlets
	s.Officials += officials
	s.Reports += reports
	s.Claims += claims
	s.Edges += edges
	return s
}

// openTestDB returns a database holding testDataset.
func openTestDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := MustOpenDB(tb)
	mustImport(tb, db, testDataset())
	return db
}

func ptr[T any](v T) *T { return &v }

func mustClaim(tb testing.TB, db *store.DB, id string) *graph.Claim {
	tb.Helper()
	c, err := db.FindClaimByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("FindClaimByID(%q): %v", id, err)
	}
	return c
}

func mustReport(tb testing.TB, db *store.DB, id string) *graph.Report {
	tb.Helper()
	r, err := db.FindReportByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("FindReportByID(%q): %v", id, err)
	}
	return r
}

func mustOfficial(tb testing.TB, db *store.DB, id string) *graph.Official {
	tb.Helper()
	o, err := db.FindOfficialByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("FindOfficialByID(%q): %v", id, err)
	}
	return o
}

func mustOutlet(tb testing.TB, db *store.DB, id string) *graph.Outlet {
	tb.Helper()
	o, err := db.FindOutletByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("FindOutletByID(%q): %v", id, err)
	}
	return o
}

// wantEqual fails tb unless got and want are deeply equal.
func wantEqual(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// searchIDs returns the IDs of every claim a search finds.
func searchIDs(tb testing.TB, db *store.DB, search string) []string {
	tb.Helper()
	cs, n, err := db.FindClaims(context.Background(), graph.ClaimFilter{Search: search, Page: graph.Page{First: graph.MaxPageSize}})
	if err != nil {
		tb.Fatalf("FindClaims(search %q): %v", search, err)
	}
	ids := claimIDs(cs)
	if n != len(ids) {
		tb.Errorf("FindClaims(search %q): total %d for %d claims", search, n, len(ids))
	}
	return ids
}

func claimIDs(cs []*graph.Claim) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestDB_CreateOutlet(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a new outlet reads back as given, its ratings oldest first, and is counted.
		db := openTestDB(t)
		o := &graph.Outlet{ID: "outlet:bbc", Name: "BBC", Domain: "bbc.co.uk", Country: "GB", Language: "en-GB",
			Type: graph.OutletBroadcaster, Ratings: []graph.Rating{
				{Rating: graph.ReliabilityA, RatedBy: "desk", RatedAt: graph.MustParseDate("2025-02")},
				{Rating: graph.ReliabilityB, RatedBy: "desk", RatedAt: graph.MustParseDate("2024")},
			}}
		want := *o
		want.Ratings = []graph.Rating{o.Ratings[1], o.Ratings[0]}
		wantCode(t, "CreateOutlet", db.CreateOutlet(ctx, o), "")
		wantEqual(t, "FindOutletByID", mustOutlet(t, db, o.ID), &want)
		wantStats(t, db, plus(1, 0, 0, 0, 0))
		checkWrite(t, db)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure an ID in use is ECONFLICT and the stored outlet is left as it was.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateOutlet(ctx, &graph.Outlet{ID: telegraph, Name: "Another Telegraph"})
		wantCode(t, "CreateOutlet of a stored ID", err, graph.ECONFLICT)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		o    graph.Outlet
	}{
		{"ErrBadCountry", graph.Outlet{ID: "outlet:x", Name: "X", Country: "gb"}},
		{"ErrBadLanguage", graph.Outlet{ID: "outlet:x", Name: "X", Language: "English"}},
		{"ErrNoName", graph.Outlet{ID: "outlet:x", Name: " "}},
		{"ErrBadID", graph.Outlet{ID: "outlet:X", Name: "X"}},
		{"ErrWrongKind", graph.Outlet{ID: "report:x", Name: "X"}},
		{"ErrBadType", graph.Outlet{ID: "outlet:x", Name: "X", Type: graph.OutletType(99)}},
		{"ErrBadRating", graph.Outlet{ID: "outlet:x", Name: "X", Ratings: []graph.Rating{{RatedBy: "desk"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an invalid outlet is EINVALID and nothing is written.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			wantCode(t, "CreateOutlet", db.CreateOutlet(ctx, &tt.o), graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_UpdateOutlet(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure only the non-nil fields change, an empty string clears an optional field, and ratings are kept.
		db := openTestDB(t)
		want := testDataset().Outlets[0]
		want.Name = "The Daily Telegraph"
		want.Domain = ""
		want.Type = graph.OutletOnline
		got, err := db.UpdateOutlet(ctx, telegraph, graph.OutletUpdate{Name: ptr("The Daily Telegraph"), Domain: ptr(""), Type: ptr(graph.OutletOnline)})
		wantCode(t, "UpdateOutlet", err, "")
		wantEqual(t, "UpdateOutlet result", got, want)
		wantEqual(t, "FindOutletByID", mustOutlet(t, db, telegraph), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	t.Run("OKEmpty", func(t *testing.T) {
		// Ensure an update without fields changes nothing stored.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		got, err := db.UpdateOutlet(ctx, kyivPost, graph.OutletUpdate{})
		wantCode(t, "UpdateOutlet", err, "")
		wantEqual(t, "UpdateOutlet result", got, testDataset().Outlets[2])
		checkUnchanged(t, db, raw)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure updating a missing outlet is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.UpdateOutlet(ctx, "outlet:missing", graph.OutletUpdate{Name: ptr("x")})
		wantCode(t, "UpdateOutlet", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		id   string
		upd  graph.OutletUpdate
	}{
		{"ErrBadCountry", telegraph, graph.OutletUpdate{Name: ptr("T"), Country: ptr("GBR")}},
		{"ErrNoName", telegraph, graph.OutletUpdate{Name: ptr("")}},
		{"ErrBadType", telegraph, graph.OutletUpdate{Type: ptr(graph.OutletType(42))}},
		{"ErrBadID", "report:telegraph", graph.OutletUpdate{Name: ptr("x")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an update that would make the outlet invalid is EINVALID and writes nothing, not even the valid fields.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.UpdateOutlet(ctx, tt.id, tt.upd)
			wantCode(t, "UpdateOutlet", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_DeleteOutlet(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an unreferenced outlet is deleted and the store is byte for byte as before it was created.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		wantCode(t, "CreateOutlet", db.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:new", Name: "New"}), "")
		wantCode(t, "DeleteOutlet", db.DeleteOutlet(ctx, "outlet:new", false), "")
		checkUnchanged(t, db, raw)
		_, err := db.FindOutletByID(ctx, "outlet:new")
		wantCode(t, "FindOutletByID after delete", err, graph.ENOTFOUND)
		checkWrite(t, db)
	})

	for _, tt := range []struct {
		name         string
		id           string
		want, absent []string
	}{
		// telegraph published one report and is named by one attribution.
		{"ErrConflictReportsAndAttributions", telegraph, []string{"1 published-by", "1 attributed-to"}, nil},
		// euromaidan published one report and is named by none.
		{"ErrConflictReports", euromaidan, []string{"1 published-by"}, []string{"attributed-to"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure deleting a referenced outlet without cascade is ECONFLICT naming the counts, and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			err := db.DeleteOutlet(ctx, tt.id, false)
			wantCode(t, "DeleteOutlet", err, graph.ECONFLICT)
			msg := graph.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("DeleteOutlet message %q does not name %q", msg, w)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(msg, w) {
					t.Errorf("DeleteOutlet message %q names %q, which has no edges", msg, w)
				}
			}
			checkUnchanged(t, db, raw)
		})
	}

	t.Run("ErrConflictAttributionsOnly", func(t *testing.T) {
		// Ensure an outlet with no reports but named by an attribution is refused too.
		db := openTestDB(t)
		wantCode(t, "CreateOutlet", db.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:wire", Name: "Wire"}), "")
		_, err := db.AddAttribution(ctx, cCoalition, rTelegraph, graph.Attribution{Source: "outlet:wire", Mode: graph.ModeCitesReport})
		wantCode(t, "AddAttribution", err, "")
		raw := mustRaw(t, db, nil)
		err = db.DeleteOutlet(ctx, "outlet:wire", false)
		wantCode(t, "DeleteOutlet", err, graph.ECONFLICT)
		if msg := graph.ErrorMessage(err); !strings.Contains(msg, "1 attributed-to") || strings.Contains(msg, "published-by") {
			t.Errorf("DeleteOutlet message %q, want it to name 1 attributed-to edge only", msg)
		}
		checkUnchanged(t, db, raw)
	})

	t.Run("OKCascade", func(t *testing.T) {
		// Ensure a cascade deletes the outlet's reports with their edges and
		// removes attributions naming the outlet or its reports, with exact counts.
		db := openTestDB(t)
		wantCode(t, "DeleteOutlet", db.DeleteOutlet(ctx, telegraph, true), "")
		// Gone: published-by of rTelegraph (1), citations of rTelegraph (2),
		// backstop and coalition in rTelegraph with their attributions (2+2),
		// backstop's attribution to rTelegraph in rEuromaidan (1) and to
		// telegraph in rKyivPost (1): 9 edges, 1 outlet, 1 report.
		wantStats(t, db, plus(-1, 0, -1, 0, -9))
		s := checkWrite(t, db)
		if want := []string{euromaidan, kyivPost}; !reflect.DeepEqual(outletIDs(s.Outlets), want) {
			t.Errorf("outlets = %q, want %q", outletIDs(s.Outlets), want)
		}
		ds := testDataset()
		wantR := map[string]*graph.Report{rEuromaidan: ds.Reports[2], rKyivPost: ds.Reports[0]}
		wantR[rEuromaidan].Cites = nil
		wantR[rKyivPost].Cites = []string{rEuromaidan}
		for id, want := range wantR {
			wantEqual(t, "FindReportByID("+id+")", mustReport(t, db, id), want)
		}
		_, err := db.FindReportByID(ctx, rTelegraph)
		wantCode(t, "FindReportByID of the outlet's report", err, graph.ENOTFOUND)
		b := wantBackstop()
		b.Appearances = b.Appearances[:2]
		b.Appearances[0].Attributions = nil
		b.Appearances[1].Attributions = b.Appearances[1].Attributions[1:]
		wantEqual(t, "backstop", mustClaim(t, db, cBackstop), b)
		c := ds.Claims[1]
		c.Appearances = nil
		wantEqual(t, "coalition", mustClaim(t, db, cCoalition), c)
	})

	t.Run("OKCascadeCycle", func(t *testing.T) {
		// Ensure a cascade through reports of the outlet that cite each
		// other and are named by attributions alongside the outlet itself
		// leaves exactly the edges that name none of them.
		db := MustOpenDB(t)
		par := func(src string) graph.Attribution { return graph.Attribution{Source: src, Mode: graph.ModeParaphrase} }
		mustImport(t, db, &graph.Dataset{
			Outlets:   []*graph.Outlet{{ID: "outlet:o", Name: "O"}, {ID: "outlet:p", Name: "P"}},
			Officials: []*graph.Official{{ID: "official:s", Name: "S", Form: graph.FormPerson}},
			Reports: []*graph.Report{
				{ID: "report:a", Outlet: "outlet:o", Status: graph.StatusPublished, Cites: []string{"report:b"}},
				{ID: "report:b", Outlet: "outlet:o", Status: graph.StatusPublished, Cites: []string{"report:a"}},
				{ID: "report:c", Outlet: "outlet:p", Status: graph.StatusPublished, Cites: []string{"report:a", "report:b"}},
			},
			Claims: []*graph.Claim{{ID: "claim:x", Text: "x", Appearances: []graph.Appearance{
				{Report: "report:a", Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{par("report:b"), par("outlet:o")}},
				{Report: "report:b", Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{par("report:a")}},
				{Report: "report:c", Mode: graph.ModeParaphrase, Quote: "c quote",
					Attributions: []graph.Attribution{par("report:a"), par("report:b"), par("outlet:o"), par("official:s")}},
			}}},
		})
		// 3 published-by, 4 cites, 3 appearances, 7 attributions.
		if got, want := mustStats(t, db), (graph.Stats{Outlets: 2, Officials: 1, Reports: 3, Claims: 1, Edges: 17}); got != want {
			t.Fatalf("Stats before = %+v, want %+v", got, want)
		}
		wantCode(t, "DeleteOutlet", db.DeleteOutlet(ctx, "outlet:o", true), "")
		// Left: c's published-by, x in c and its attribution to s.
		if got, want := mustStats(t, db), (graph.Stats{Outlets: 1, Officials: 1, Reports: 1, Claims: 1, Edges: 3}); got != want {
			t.Errorf("Stats after = %+v, want %+v", got, want)
		}
		checkWrite(t, db)
		wantEqual(t, "report c", mustReport(t, db, "report:c"), &graph.Report{ID: "report:c", Outlet: "outlet:p", Status: graph.StatusPublished})
		wantEqual(t, "claim x", mustClaim(t, db, "claim:x"), &graph.Claim{ID: "claim:x", Text: "x", Appearances: []graph.Appearance{
			{Report: "report:c", Mode: graph.ModeParaphrase, Quote: "c quote", Attributions: []graph.Attribution{par("official:s")}}}})
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure deleting a missing outlet is ENOTFOUND, with or without cascade.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		for _, cascade := range []bool{false, true} {
			wantCode(t, fmt.Sprintf("DeleteOutlet(cascade %v)", cascade), db.DeleteOutlet(ctx, "outlet:missing", cascade), graph.ENOTFOUND)
		}
		wantCode(t, "DeleteOutlet of a report ID", db.DeleteOutlet(ctx, rTelegraph, true), graph.EINVALID)
		checkUnchanged(t, db, raw)
	})
}

func outletIDs(os []*graph.Outlet) []string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestDB_CreateReport(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a new report is stored with its citations sorted, PUBLISHED by default, and both edge directions written.
		db := openTestDB(t)
		r := &graph.Report{ID: "report:new", Outlet: euromaidan, Title: "New", Published: graph.MustParseDate("2025-05-01"),
			Cites: []string{rTelegraph, rKyivPost}}
		wantCode(t, "CreateReport", db.CreateReport(ctx, r), "")
		want := &graph.Report{ID: "report:new", Outlet: euromaidan, Title: "New", Published: graph.MustParseDate("2025-05-01"),
			Status: graph.StatusPublished, Cites: []string{rKyivPost, rTelegraph}}
		wantEqual(t, "FindReportByID", mustReport(t, db, "report:new"), want)
		wantStats(t, db, plus(0, 0, 1, 0, 3))
		for _, key := range [][]byte{
			store.EdgeKey(graph.EdgePublishedBy, store.DirReverse, euromaidan, "report:new", ""),
			store.EdgeKey(graph.EdgeCites, store.DirReverse, rKyivPost, "report:new", ""),
			store.EdgeKey(graph.EdgeCites, store.DirReverse, rTelegraph, "report:new", ""),
		} {
			if kvs := mustRaw(t, db, key); len(kvs) != 1 || !bytes.Equal(kvs[0].Key, key) {
				k, _ := store.ParseKey(key)
				t.Errorf("reverse key %+v not stored", k)
			}
		}
		checkWrite(t, db)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure an ID in use is ECONFLICT and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateReport(ctx, &graph.Report{ID: rTelegraph, Outlet: kyivPost, Status: graph.StatusPublished})
		wantCode(t, "CreateReport of a stored ID", err, graph.ECONFLICT)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		r    graph.Report
	}{
		{"ErrMissingOutlet", graph.Report{ID: "report:new", Outlet: "outlet:missing"}},
		{"ErrMissingCited", graph.Report{ID: "report:new", Outlet: telegraph, Cites: []string{rTelegraph, "report:missing"}}},
		{"ErrSelfCite", graph.Report{ID: "report:new", Outlet: telegraph, Cites: []string{"report:new"}}},
		{"ErrCitedTwice", graph.Report{ID: "report:new", Outlet: telegraph, Cites: []string{rTelegraph, rTelegraph}}},
		{"ErrOutletOfWrongKind", graph.Report{ID: "report:new", Outlet: negotiators}},
		{"ErrNoOutlet", graph.Report{ID: "report:new"}},
		{"ErrBadStatus", graph.Report{ID: "report:new", Outlet: telegraph, Status: graph.ReportStatus(9)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a report with a missing reference or an invalid field is EINVALID and nothing is written.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			wantCode(t, "CreateReport", db.CreateReport(ctx, &tt.r), graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_UpdateReport(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure only the non-nil fields change and the citations are kept.
		db := openTestDB(t)
		want := testDataset().Reports[0]
		want.Cites = []string{rEuromaidan, rTelegraph}
		want.Title = "Coalition round-up (updated)"
		want.Status = graph.StatusRetracted
		want.URL = "https://kyivpost.com/x"
		got, err := db.UpdateReport(ctx, rKyivPost, graph.ReportUpdate{Title: ptr(want.Title), Status: ptr(graph.StatusRetracted), URL: ptr(want.URL)})
		wantCode(t, "UpdateReport", err, "")
		wantEqual(t, "UpdateReport result", got, want)
		wantEqual(t, "FindReportByID", mustReport(t, db, rKyivPost), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	t.Run("OKMoved", func(t *testing.T) {
		// Ensure moving a report to another outlet moves its reverse published-by key and keeps the edge count.
		db := openTestDB(t)
		got, err := db.UpdateReport(ctx, rKyivPost, graph.ReportUpdate{Outlet: ptr(telegraph)})
		wantCode(t, "UpdateReport", err, "")
		if got.Outlet != telegraph {
			t.Errorf("UpdateReport result outlet = %q, want %q", got.Outlet, telegraph)
		}
		if kvs := mustRaw(t, db, store.EdgePrefix(graph.EdgePublishedBy, store.DirReverse, kyivPost)); len(kvs) != 0 {
			t.Errorf("%s keeps %d published-by reverse keys", kyivPost, len(kvs))
		}
		key := store.EdgeKey(graph.EdgePublishedBy, store.DirReverse, telegraph, rKyivPost, "")
		if kvs := mustRaw(t, db, key); len(kvs) != 1 {
			t.Errorf("published-by reverse key of %s under %s missing", rKyivPost, telegraph)
		}
		reports, n, err := db.FindReports(ctx, graph.ReportFilter{Outlet: telegraph})
		wantCode(t, "FindReports", err, "")
		if ids := reportIDs(reports); n != 2 || !reflect.DeepEqual(ids, []string{rKyivPost, rTelegraph}) {
			t.Errorf("FindReports(outlet %s) = %q (total %d), want both reports", telegraph, ids, n)
		}
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure updating a missing report is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.UpdateReport(ctx, "report:missing", graph.ReportUpdate{Title: ptr("x")})
		wantCode(t, "UpdateReport", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		upd  graph.ReportUpdate
	}{
		{"ErrMissingOutlet", graph.ReportUpdate{Title: ptr("x"), Outlet: ptr("outlet:missing")}},
		{"ErrOutletOfWrongKind", graph.ReportUpdate{Outlet: ptr(starmer)}},
		{"ErrBadLanguage", graph.ReportUpdate{Title: ptr("x"), Language: ptr("EN_gb")}},
		{"ErrUnsetStatus", graph.ReportUpdate{Status: ptr(graph.StatusUnset)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an update that breaks the report is EINVALID and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.UpdateReport(ctx, rKyivPost, tt.upd)
			wantCode(t, "UpdateReport", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func reportIDs(rs []*graph.Report) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestDB_DeleteReport(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an unreferenced report is deleted with its own edges and the store is byte for byte as before it was created.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		r := &graph.Report{ID: "report:new", Outlet: kyivPost, Cites: []string{rTelegraph, rKyivPost}}
		wantCode(t, "CreateReport", db.CreateReport(ctx, r), "")
		wantStats(t, db, plus(0, 0, 1, 0, 3))
		wantCode(t, "DeleteReport", db.DeleteReport(ctx, "report:new", false), "")
		checkUnchanged(t, db, raw)
		checkWrite(t, db)
	})

	for _, tt := range []struct {
		name         string
		id           string
		want, absent []string
	}{
		// rTelegraph: backstop and coalition appear in it, backstop is
		// attributed to it in rEuromaidan, rKyivPost and rEuromaidan cite it.
		{"ErrConflictAll", rTelegraph, []string{"2 reported-by", "1 attributed-to", "2 cites"}, nil},
		// rKyivPost: only backstop appears in it.
		{"ErrConflictAppearances", rKyivPost, []string{"1 reported-by"}, []string{"attributed-to", "cites"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure deleting a referenced report without cascade is ECONFLICT naming the counts, and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			err := db.DeleteReport(ctx, tt.id, false)
			wantCode(t, "DeleteReport", err, graph.ECONFLICT)
			msg := graph.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("DeleteReport message %q does not name %q", msg, w)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(msg, w) {
					t.Errorf("DeleteReport message %q names %q, which has no edges", msg, w)
				}
			}
			checkUnchanged(t, db, raw)
		})
	}

	t.Run("ErrConflictCitedOnly", func(t *testing.T) {
		// Ensure a report only cited by another is refused too.
		db := openTestDB(t)
		wantCode(t, "CreateReport", db.CreateReport(ctx, &graph.Report{ID: "report:a", Outlet: kyivPost}), "")
		wantCode(t, "CreateReport", db.CreateReport(ctx, &graph.Report{ID: "report:b", Outlet: kyivPost, Cites: []string{"report:a"}}), "")
		raw := mustRaw(t, db, nil)
		err := db.DeleteReport(ctx, "report:a", false)
		wantCode(t, "DeleteReport", err, graph.ECONFLICT)
		if msg := graph.ErrorMessage(err); !strings.Contains(msg, "1 cites") || strings.Contains(msg, "reported-by") || strings.Contains(msg, "attributed-to") {
			t.Errorf("DeleteReport message %q, want it to name 1 cites edge only", msg)
		}
		checkUnchanged(t, db, raw)
	})

	t.Run("OKCascade", func(t *testing.T) {
		// Ensure a cascade removes the appearances in the report, the
		// attributions naming it and the citations of it, with exact counts.
		db := openTestDB(t)
		wantCode(t, "DeleteReport", db.DeleteReport(ctx, rTelegraph, true), "")
		// Gone: its published-by (1), 2 citations of it, backstop and
		// coalition in it with one attribution each (2+2), backstop's
		// attribution to it in rEuromaidan (1): 8 edges.
		wantStats(t, db, plus(0, 0, -1, 0, -8))
		checkWrite(t, db)
		ds := testDataset()
		wantKyiv := ds.Reports[0]
		wantKyiv.Cites = []string{rEuromaidan}
		wantEqual(t, "kyiv-post report", mustReport(t, db, rKyivPost), wantKyiv)
		wantEuro := ds.Reports[2]
		wantEuro.Cites = nil
		wantEqual(t, "euromaidan report", mustReport(t, db, rEuromaidan), wantEuro)
		b := wantBackstop()
		b.Appearances = b.Appearances[:2]
		b.Appearances[0].Attributions = nil
		wantEqual(t, "backstop", mustClaim(t, db, cBackstop), b)
		if c := mustClaim(t, db, cCoalition); len(c.Appearances) != 0 {
			t.Errorf("coalition keeps appearances %+v", c.Appearances)
		}
		// The words of the removed quotes are gone from the index.
		if got := searchIDs(t, db, "negotiators"); len(got) != 0 {
			t.Errorf("search negotiators = %q after its only quote was deleted", got)
		}
		if got := searchIDs(t, db, "back"); len(got) != 0 {
			t.Errorf("search back = %q after its only quote was deleted", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure deleting a missing report is ENOTFOUND, with or without cascade.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		for _, cascade := range []bool{false, true} {
			wantCode(t, fmt.Sprintf("DeleteReport(cascade %v)", cascade), db.DeleteReport(ctx, "report:missing", cascade), graph.ENOTFOUND)
		}
		checkUnchanged(t, db, raw)
	})
}

func TestDB_CreateOfficial(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a new official is stored with its possibly-same-as links on both sides, each pair counted once.
		db := openTestDB(t)
		o := &graph.Official{ID: "official:aides", Name: "Downing Street aides", Form: graph.FormGroup, Anonymous: true, Country: "GB",
			PossiblySameAs: []graph.SameAs{{Official: starmer, Note: "his office"}, {Official: negotiators}},
			Ratings: []graph.Rating{
				{Rating: graph.ReliabilityC, RatedAt: graph.MustParseDate("2025")},
				{Rating: graph.ReliabilityD, RatedAt: graph.MustParseDate("2024")},
			}}
		wantCode(t, "CreateOfficial", db.CreateOfficial(ctx, o), "")
		want := &graph.Official{ID: "official:aides", Name: "Downing Street aides", Form: graph.FormGroup, Anonymous: true, Country: "GB",
			PossiblySameAs: []graph.SameAs{{Official: starmer, Note: "his office"}, {Official: negotiators}},
			Ratings: []graph.Rating{
				{Rating: graph.ReliabilityD, RatedAt: graph.MustParseDate("2024")},
				{Rating: graph.ReliabilityC, RatedAt: graph.MustParseDate("2025")},
			}}
		wantEqual(t, "FindOfficialByID", mustOfficial(t, db, o.ID), want)
		wantEqual(t, "starmer's links", mustOfficial(t, db, starmer).PossiblySameAs, []graph.SameAs{{Official: "official:aides", Note: "his office"}})
		wantEqual(t, "negotiators' links", mustOfficial(t, db, negotiators).PossiblySameAs,
			[]graph.SameAs{{Official: "official:aides"}, {Official: usOfficials, Note: "both unnamed US sources"}})
		wantStats(t, db, plus(0, 1, 0, 0, 2))
		checkWrite(t, db)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure an ID in use is ECONFLICT and no link is added.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateOfficial(ctx, &graph.Official{ID: usOfficials, Name: "again", Form: graph.FormGroup,
			PossiblySameAs: []graph.SameAs{{Official: starmer}}})
		wantCode(t, "CreateOfficial of a stored ID", err, graph.ECONFLICT)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		o    graph.Official
	}{
		{"ErrMissingSameAs", graph.Official{ID: "official:x", Name: "X", Form: graph.FormPerson,
			PossiblySameAs: []graph.SameAs{{Official: starmer}, {Official: "official:missing"}}}},
		{"ErrSameAsSelf", graph.Official{ID: "official:x", Name: "X", Form: graph.FormPerson, PossiblySameAs: []graph.SameAs{{Official: "official:x"}}}},
		{"ErrSameAsWrongKind", graph.Official{ID: "official:x", Name: "X", Form: graph.FormPerson, PossiblySameAs: []graph.SameAs{{Official: telegraph}}}},
		{"ErrNoForm", graph.Official{ID: "official:x", Name: "X"}},
		{"ErrBadCountry", graph.Official{ID: "official:x", Name: "X", Form: graph.FormPerson, Country: "USA"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an official with a missing or bad reference or an invalid field is EINVALID and nothing is written.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			wantCode(t, "CreateOfficial", db.CreateOfficial(ctx, &tt.o), graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_UpdateOfficial(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure only the non-nil fields change and the links and ratings are kept.
		db := openTestDB(t)
		want := testDataset().Officials[0]
		want.Anonymous = false
		want.Name = "Steve Witkoff"
		want.Form = graph.FormPerson
		want.Description = ""
		got, err := db.UpdateOfficial(ctx, negotiators, graph.OfficialUpdate{Name: ptr("Steve Witkoff"), Form: ptr(graph.FormPerson),
			Anonymous: ptr(false), Description: ptr("")})
		wantCode(t, "UpdateOfficial", err, "")
		wantEqual(t, "UpdateOfficial result", got, want)
		wantEqual(t, "FindOfficialByID", mustOfficial(t, db, negotiators), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure updating a missing official is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.UpdateOfficial(ctx, "official:missing", graph.OfficialUpdate{Name: ptr("x")})
		wantCode(t, "UpdateOfficial", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		upd  graph.OfficialUpdate
	}{
		{"ErrBadCountry", graph.OfficialUpdate{Role: ptr("envoy"), Country: ptr("us")}},
		{"ErrNoName", graph.OfficialUpdate{Name: ptr("  ")}},
		{"ErrUnsetForm", graph.OfficialUpdate{Form: ptr(graph.FormUnset)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an update that breaks the official is EINVALID and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.UpdateOfficial(ctx, starmer, tt.upd)
			wantCode(t, "UpdateOfficial", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_DeleteOfficial(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an official named by no attribution is deleted with its possibly-same-as links on both sides.
		db := openTestDB(t)
		wantCode(t, "DeleteOfficial", db.DeleteOfficial(ctx, usOfficials, false), "")
		wantStats(t, db, plus(0, -1, 0, 0, -1))
		if o := mustOfficial(t, db, negotiators); len(o.PossiblySameAs) != 0 {
			t.Errorf("%s keeps links %+v", negotiators, o.PossiblySameAs)
		}
		_, err := db.FindOfficialByID(ctx, usOfficials)
		wantCode(t, "FindOfficialByID after delete", err, graph.ENOTFOUND)
		checkWrite(t, db)
	})

	t.Run("OKCreatedAndDeleted", func(t *testing.T) {
		// Ensure creating a linked official and deleting it leaves the store byte for byte as before.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateOfficial(ctx, &graph.Official{ID: "official:new", Name: "New", Form: graph.FormPerson,
			PossiblySameAs: []graph.SameAs{{Official: starmer}, {Official: usOfficials, Note: "n"}}})
		wantCode(t, "CreateOfficial", err, "")
		wantCode(t, "DeleteOfficial", db.DeleteOfficial(ctx, "official:new", false), "")
		checkUnchanged(t, db, raw)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure an official named by attributions is refused without cascade, naming the count, and nothing is written.
		db := openTestDB(t)
		_, err := db.AddAttribution(ctx, cCoalition, rTelegraph, graph.Attribution{Source: negotiators, Mode: graph.ModeParaphrase})
		wantCode(t, "AddAttribution", err, "")
		raw := mustRaw(t, db, nil)
		err = db.DeleteOfficial(ctx, negotiators, false)
		wantCode(t, "DeleteOfficial", err, graph.ECONFLICT)
		if msg := graph.ErrorMessage(err); !strings.Contains(msg, "2 attributed-to") {
			t.Errorf("DeleteOfficial message %q does not name 2 attributed-to edges", msg)
		}
		checkUnchanged(t, db, raw)
	})

	t.Run("OKCascade", func(t *testing.T) {
		// Ensure a cascade removes the attributions naming the official, its links on both sides and the words of their quotes.
		db := openTestDB(t)
		wantCode(t, "DeleteOfficial", db.DeleteOfficial(ctx, negotiators, true), "")
		// Gone: backstop's attribution in rTelegraph (1) and the link (1).
		wantStats(t, db, plus(0, -1, 0, 0, -2))
		checkWrite(t, db)
		b := wantBackstop()
		b.Appearances[2].Attributions = nil
		wantEqual(t, "backstop", mustClaim(t, db, cBackstop), b)
		if o := mustOfficial(t, db, usOfficials); len(o.PossiblySameAs) != 0 {
			t.Errorf("%s keeps links %+v", usOfficials, o.PossiblySameAs)
		}
		if got := searchIDs(t, db, "said"); len(got) != 0 {
			t.Errorf("search said = %q after the attribution quoting it was removed", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure deleting a missing official is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		wantCode(t, "DeleteOfficial", db.DeleteOfficial(ctx, "official:missing", true), graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})
}

func TestDB_CreateClaim(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a new claim is stored with its appearances in canonical order, its edges counted and its words indexed.
		db := openTestDB(t)
		c := &graph.Claim{ID: "claim:troops", Text: "British troops will go to Ukraine.", Topics: []string{"ukraine"},
			Appearances: []graph.Appearance{
				{Report: rTelegraph, Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{
					{Source: starmer, Mode: graph.ModeParaphrase}, {Source: negotiators, Mode: graph.ModeDirectQuote, Quote: "boots on the ground"},
				}},
				{Report: rEuromaidan, Mode: graph.ModeTranslation, Quote: "британські війська", Language: "uk"},
			}}
		wantCode(t, "CreateClaim", db.CreateClaim(ctx, c), "")
		want := &graph.Claim{ID: c.ID, Text: c.Text, Topics: c.Topics, Appearances: []graph.Appearance{
			{Report: rEuromaidan, Mode: graph.ModeTranslation, Quote: "британські війська", Language: "uk"},
			{Report: rTelegraph, Mode: graph.ModeParaphrase, Attributions: []graph.Attribution{
				{Source: starmer, Mode: graph.ModeParaphrase}, {Source: negotiators, Mode: graph.ModeDirectQuote, Quote: "boots on the ground"},
			}},
		}}
		wantEqual(t, "FindClaimByID", mustClaim(t, db, c.ID), want)
		wantStats(t, db, plus(0, 0, 0, 1, 4))
		checkWrite(t, db)
		for _, w := range []string{"troops", "boots", "війська"} {
			if got := searchIDs(t, db, w); !reflect.DeepEqual(got, []string{c.ID}) {
				t.Errorf("search %q = %q, want only %s", w, got, c.ID)
			}
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure an ID in use is ECONFLICT and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateClaim(ctx, &graph.Claim{ID: cCoalition, Text: "again"})
		wantCode(t, "CreateClaim of a stored ID", err, graph.ECONFLICT)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		apps []graph.Appearance
	}{
		{"ErrMissingReport", []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase}, {Report: "report:missing", Mode: graph.ModeParaphrase}}},
		{"ErrMissingSource", []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: starmer, Mode: graph.ModeParaphrase}, {Source: "official:missing", Mode: graph.ModeParaphrase}}}}},
		{"ErrMissingSourceReport", []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: "report:missing", Mode: graph.ModeCitesReport}}}}},
		{"ErrSourceOfKindClaim", []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: cBackstop, Mode: graph.ModeParaphrase}}}}},
		{"ErrReportOfWrongKind", []graph.Appearance{{Report: telegraph, Mode: graph.ModeParaphrase}}},
		{"ErrSameReportTwice", []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase}, {Report: rTelegraph, Mode: graph.ModeDirectQuote}}},
		{"ErrNoMode", []graph.Appearance{{Report: rTelegraph}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a claim with a missing or bad reference is EINVALID and nothing is written.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			err := db.CreateClaim(ctx, &graph.Claim{ID: "claim:new", Text: "new", Appearances: tt.apps})
			wantCode(t, "CreateClaim", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_UpdateClaim(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a new text replaces the old one in the index and keeps topics, appearances and reviews.
		db := openTestDB(t)
		want := wantBackstop()
		want.Text = "The US pledged air support."
		got, err := db.UpdateClaim(ctx, cBackstop, graph.ClaimUpdate{Text: ptr(want.Text)})
		wantCode(t, "UpdateClaim", err, "")
		wantEqual(t, "UpdateClaim result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cBackstop), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
		for search, ids := range map[string][]string{
			"backstop": nil, "offered": nil, "pledged": {cBackstop}, "air support": {cBackstop},
			"us": {cBackstop}, "negotiators": {cBackstop}, // kept: still in the text and in a quote
		} {
			if got := searchIDs(t, db, search); !reflect.DeepEqual(got, ids) {
				t.Errorf("search %q = %q, want %q", search, got, ids)
			}
		}
	})

	t.Run("OKTopics", func(t *testing.T) {
		// Ensure topics can be replaced and cleared while the text stays.
		db := openTestDB(t)
		want := wantBackstop()
		want.Topics = []string{"nato"}
		got, err := db.UpdateClaim(ctx, cBackstop, graph.ClaimUpdate{Topics: &[]string{"nato"}})
		wantCode(t, "UpdateClaim", err, "")
		wantEqual(t, "UpdateClaim result", got, want)
		got, err = db.UpdateClaim(ctx, cBackstop, graph.ClaimUpdate{Topics: &[]string{}})
		wantCode(t, "UpdateClaim", err, "")
		if len(got.Topics) != 0 || got.Text != want.Text {
			t.Errorf("UpdateClaim clearing topics returned %+v", got)
		}
		if c := mustClaim(t, db, cBackstop); len(c.Topics) != 0 || c.Text != want.Text {
			t.Errorf("after clearing topics: %+v", c)
		}
		checkWrite(t, db)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure updating a missing claim is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.UpdateClaim(ctx, "claim:missing", graph.ClaimUpdate{Text: ptr("x")})
		wantCode(t, "UpdateClaim", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		upd  graph.ClaimUpdate
	}{
		{"ErrEmptyText", graph.ClaimUpdate{Text: ptr(" ")}},
		{"ErrEmptyTopic", graph.ClaimUpdate{Text: ptr("fine"), Topics: &[]string{"ok", ""}}},
		{"ErrTextTooLong", graph.ClaimUpdate{Text: ptr(strings.Repeat("x", graph.MaxTextLen+1))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an update that breaks the claim is EINVALID and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.UpdateClaim(ctx, cBackstop, tt.upd)
			wantCode(t, "UpdateClaim", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_DeleteClaim(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a claim is deleted with its appearances, attributions and word-index entries.
		db := openTestDB(t)
		wantCode(t, "DeleteClaim", db.DeleteClaim(ctx, cBackstop), "")
		// Gone: 3 appearances and 4 attributions.
		wantStats(t, db, plus(0, 0, 0, -1, -7))
		checkWrite(t, db)
		for _, kv := range mustRaw(t, db, []byte{store.TagWord}) {
			if k, _ := store.ParseKey(kv.Key); k.Node == cBackstop {
				t.Errorf("index entry %q of the deleted claim remains", k.Word)
			}
		}
		for _, w := range []string{"backstop", "back", "negotiators", "telegraph"} {
			if got := searchIDs(t, db, w); len(got) != 0 {
				t.Errorf("search %q = %q after the claim was deleted", w, got)
			}
		}
		if got := searchIDs(t, db, "coalition"); !reflect.DeepEqual(got, []string{cCoalition}) {
			t.Errorf("search coalition = %q, want the other claim", got)
		}
	})

	t.Run("OKCreatedAndDeleted", func(t *testing.T) {
		// Ensure creating a claim and deleting it leaves the store byte for byte as before.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		err := db.CreateClaim(ctx, &graph.Claim{ID: "claim:new", Text: "A new claim about the backstop.",
			Appearances: []graph.Appearance{{Report: rKyivPost, Mode: graph.ModeParaphrase, Quote: "new words",
				Attributions: []graph.Attribution{{Source: telegraph, Mode: graph.ModeCitesReport, Quote: "more words"}}}}})
		wantCode(t, "CreateClaim", err, "")
		wantCode(t, "DeleteClaim", db.DeleteClaim(ctx, "claim:new"), "")
		checkUnchanged(t, db, raw)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure deleting a missing claim is ENOTFOUND and a non-claim ID EINVALID.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		wantCode(t, "DeleteClaim", db.DeleteClaim(ctx, "claim:missing"), graph.ENOTFOUND)
		wantCode(t, "DeleteClaim of a report ID", db.DeleteClaim(ctx, rTelegraph), graph.EINVALID)
		checkUnchanged(t, db, raw)
	})
}

func TestDB_AddAppearance(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an appearance is added with its attributions, returned and stored in canonical order, and its quotes indexed.
		db := openTestDB(t)
		a := graph.Appearance{Report: rKyivPost, Quote: "a coalition will deploy", Mode: graph.ModeParaphrase, Hedge: "reportedly",
			Attributions: []graph.Attribution{{Source: telegraph, Mode: graph.ModeCitesReport}, {Source: starmer, Mode: graph.ModeDirectQuote, Quote: "Starmer told MPs"}}}
		got, err := db.AddAppearance(ctx, cCoalition, a)
		wantCode(t, "AddAppearance", err, "")
		want := testDataset().Claims[1]
		canon := a
		canon.Attributions = []graph.Attribution{a.Attributions[1], a.Attributions[0]}
		want.Appearances = []graph.Appearance{canon, want.Appearances[0]}
		wantEqual(t, "AddAppearance result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cCoalition), want)
		wantStats(t, db, plus(0, 0, 0, 0, 3))
		checkWrite(t, db)
		if got := searchIDs(t, db, "MPs"); !reflect.DeepEqual(got, []string{cCoalition}) {
			t.Errorf("search MPs = %q, want %s", got, cCoalition)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Ensure a second appearance in the same report is ECONFLICT and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.AddAppearance(ctx, cCoalition, graph.Appearance{Report: rTelegraph, Mode: graph.ModeDirectQuote})
		wantCode(t, "AddAppearance", err, graph.ECONFLICT)
		checkUnchanged(t, db, raw)
	})

	for _, tt := range []struct {
		name string
		a    graph.Appearance
	}{
		{"ErrUnknownReport", graph.Appearance{Report: "report:missing", Mode: graph.ModeParaphrase}},
		{"ErrUnknownSource", graph.Appearance{Report: rKyivPost, Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: "outlet:missing", Mode: graph.ModeCitesReport}}}},
		{"ErrSourceOfKindClaim", graph.Appearance{Report: rKyivPost, Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: cBackstop, Mode: graph.ModeCitesReport}}}},
		{"ErrNoMode", graph.Appearance{Report: rKyivPost}},
		{"ErrBadLanguage", graph.Appearance{Report: rKyivPost, Mode: graph.ModeParaphrase, Language: "Ukrainian"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an appearance with a missing reference or an invalid field is EINVALID and nothing is written.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.AddAppearance(ctx, cCoalition, tt.a)
			wantCode(t, "AddAppearance", err, graph.EINVALID)
			checkUnchanged(t, db, raw)
		})
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure an appearance of a missing claim is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.AddAppearance(ctx, "claim:missing", graph.Appearance{Report: rKyivPost, Mode: graph.ModeParaphrase})
		wantCode(t, "AddAppearance", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})
}

func TestDB_RemoveAppearance(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an appearance is removed with its attributions, reverse keys and the words only its quotes carried.
		db := openTestDB(t)
		got, err := db.RemoveAppearance(ctx, cBackstop, rKyivPost)
		wantCode(t, "RemoveAppearance", err, "")
		want := wantBackstop()
		want.Appearances = []graph.Appearance{want.Appearances[0], want.Appearances[2]}
		wantEqual(t, "RemoveAppearance result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cBackstop), want)
		// Gone: the appearance and its 2 attributions.
		wantStats(t, db, plus(0, 0, 0, 0, -3))
		checkWrite(t, db)
		if got := searchIDs(t, db, "according"); len(got) != 0 {
			t.Errorf("search according = %q after the only quote with it was removed", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure removing an absent appearance, or one of a missing claim, is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.RemoveAppearance(ctx, cCoalition, rKyivPost)
		wantCode(t, "RemoveAppearance of an absent appearance", err, graph.ENOTFOUND)
		_, err = db.RemoveAppearance(ctx, "claim:missing", rKyivPost)
		wantCode(t, "RemoveAppearance of a missing claim", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})
}

func TestDB_AddAttribution(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an attribution is added in its appearance, sorted by source, counted, keyed under its source and its quote indexed.
		db := openTestDB(t)
		at := graph.Attribution{Source: negotiators, Mode: graph.ModeParaphrase, Quote: "officials told reporters"}
		got, err := db.AddAttribution(ctx, cCoalition, rTelegraph, at)
		wantCode(t, "AddAttribution", err, "")
		want := testDataset().Claims[1]
		want.Appearances[0].Attributions = []graph.Attribution{want.Appearances[0].Attributions[0], at}
		wantEqual(t, "AddAttribution result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cCoalition), want)
		wantStats(t, db, plus(0, 0, 0, 0, 1))
		checkWrite(t, db)
		if got := searchIDs(t, db, "reporters"); !reflect.DeepEqual(got, []string{cCoalition}) {
			t.Errorf("search reporters = %q, want %s", got, cCoalition)
		}
	})

	for _, tt := range []struct {
		name, claim, report string
		at                  graph.Attribution
		code                string
	}{
		// Ensure an attribution without its appearance is ENOTFOUND.
		{"ErrNoAppearance", cCoalition, rKyivPost, graph.Attribution{Source: starmer, Mode: graph.ModeParaphrase}, graph.ENOTFOUND},
		{"ErrNoClaim", "claim:missing", rTelegraph, graph.Attribution{Source: starmer, Mode: graph.ModeParaphrase}, graph.ENOTFOUND},
		// Ensure the same source twice in one appearance is ECONFLICT, whatever its mode.
		{"ErrConflict", cCoalition, rTelegraph, graph.Attribution{Source: starmer, Mode: graph.ModeDirectQuote}, graph.ECONFLICT},
		// Ensure a source of kind claim, a missing source and an unset mode are EINVALID.
		{"ErrSourceOfKindClaim", cCoalition, rTelegraph, graph.Attribution{Source: cBackstop, Mode: graph.ModeParaphrase}, graph.EINVALID},
		{"ErrMissingSource", cCoalition, rTelegraph, graph.Attribution{Source: "official:missing", Mode: graph.ModeParaphrase}, graph.EINVALID},
		{"ErrNoMode", cCoalition, rTelegraph, graph.Attribution{Source: negotiators}, graph.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a refused attribution writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.AddAttribution(ctx, tt.claim, tt.report, tt.at)
			wantCode(t, "AddAttribution", err, tt.code)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_RemoveAttribution(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure an attribution is removed with its reverse key and the words only its quote carried.
		db := openTestDB(t)
		got, err := db.RemoveAttribution(ctx, cBackstop, rKyivPost, telegraph)
		wantCode(t, "RemoveAttribution", err, "")
		want := wantBackstop()
		want.Appearances[1].Attributions = want.Appearances[1].Attributions[1:]
		wantEqual(t, "RemoveAttribution result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cBackstop), want)
		wantStats(t, db, plus(0, 0, 0, 0, -1))
		checkWrite(t, db)
		if got := searchIDs(t, db, "according"); len(got) != 0 {
			t.Errorf("search according = %q after its quote was removed", got)
		}
		refs, n, err := db.FindAttributions(ctx, graph.AttributionFilter{Source: telegraph})
		if err != nil || n != 0 || len(refs) != 0 {
			t.Errorf("FindAttributions(%s) = %+v, %d, %v; want none", telegraph, refs, n, err)
		}
	})

	for _, tt := range []struct {
		name, claim, report, source string
	}{
		{"ErrNotFound", cBackstop, rKyivPost, starmer},
		{"ErrNotFoundAppearance", cCoalition, rKyivPost, starmer},
		{"ErrNotFoundClaim", "claim:missing", rKyivPost, starmer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure removing an absent attribution is ENOTFOUND and writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.RemoveAttribution(ctx, tt.claim, tt.report, tt.source)
			wantCode(t, "RemoveAttribution", err, graph.ENOTFOUND)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_AddCitation(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a citation is stored sorted, counted and found through the cited report's reverse edges.
		db := openTestDB(t)
		_, err := db.AddCitation(ctx, rEuromaidan, rKyivPost)
		wantCode(t, "AddCitation", err, "")
		want := testDataset().Reports[2]
		want.Cites = []string{rKyivPost, rTelegraph}
		wantEqual(t, "FindReportByID", mustReport(t, db, rEuromaidan), want)
		wantStats(t, db, plus(0, 0, 0, 0, 1))
		checkWrite(t, db)
		reports, n, err := db.FindReports(ctx, graph.ReportFilter{Cites: rKyivPost})
		if err != nil || n != 1 || !reflect.DeepEqual(reportIDs(reports), []string{rEuromaidan}) {
			t.Errorf("FindReports(cites %s) = %q, %d, %v; want only %s", rKyivPost, reportIDs(reports), n, err, rEuromaidan)
		}
	})

	t.Run("OKResult", func(t *testing.T) {
		// Ensure the report AddCitation returns is the report as stored:
		// its citations sorted, as graph.Report.Cites documents.
		db := openTestDB(t)
		got, err := db.AddCitation(ctx, rEuromaidan, rKyivPost) // rKyivPost sorts before the stored rTelegraph
		wantCode(t, "AddCitation", err, "")
		wantEqual(t, "AddCitation result", got, mustReport(t, db, rEuromaidan))
	})

	for _, tt := range []struct {
		name, report, cited, code string
	}{
		// Ensure citing twice is ECONFLICT.
		{"ErrConflict", rKyivPost, rTelegraph, graph.ECONFLICT},
		// Ensure a self-citation, a missing cited report and a cited ID of another kind are EINVALID.
		{"ErrSelf", rTelegraph, rTelegraph, graph.EINVALID},
		{"ErrMissingCited", rTelegraph, "report:missing", graph.EINVALID},
		{"ErrCitedOfWrongKind", rTelegraph, telegraph, graph.EINVALID},
		// Ensure a citation from a missing report is ENOTFOUND.
		{"ErrNotFound", "report:missing", rTelegraph, graph.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a refused citation writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.AddCitation(ctx, tt.report, tt.cited)
			wantCode(t, "AddCitation", err, tt.code)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_RemoveCitation(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		// Ensure a citation is removed with its reverse key and uncounted.
		db := openTestDB(t)
		got, err := db.RemoveCitation(ctx, rKyivPost, rTelegraph)
		wantCode(t, "RemoveCitation", err, "")
		want := testDataset().Reports[0]
		want.Cites = []string{rEuromaidan}
		wantEqual(t, "RemoveCitation result", got, want)
		wantEqual(t, "FindReportByID", mustReport(t, db, rKyivPost), want)
		wantStats(t, db, plus(0, 0, 0, 0, -1))
		checkWrite(t, db)
	})

	t.Run("OKLast", func(t *testing.T) {
		// Ensure removing the last citation deletes the adjacency value.
		db := openTestDB(t)
		_, err := db.RemoveCitation(ctx, rEuromaidan, rTelegraph)
		wantCode(t, "RemoveCitation", err, "")
		if kvs := mustRaw(t, db, store.AdjKey(graph.EdgeCites, rEuromaidan)); len(kvs) != 0 {
			t.Errorf("citations of %s still stored", rEuromaidan)
		}
		checkWrite(t, db)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure removing an absent citation, or one from a missing report, is ENOTFOUND and writes nothing.
		db := openTestDB(t)
		raw := mustRaw(t, db, nil)
		_, err := db.RemoveCitation(ctx, rTelegraph, rKyivPost)
		wantCode(t, "RemoveCitation of an absent citation", err, graph.ENOTFOUND)
		_, err = db.RemoveCitation(ctx, "report:missing", rKyivPost)
		wantCode(t, "RemoveCitation from a missing report", err, graph.ENOTFOUND)
		checkUnchanged(t, db, raw)
	})
}

func TestDB_AddRating(t *testing.T) {
	ctx := context.Background()
	rating := func(r graph.Reliability, at, note string) graph.Rating {
		return graph.Rating{Rating: r, RatedBy: "desk", RatedAt: graph.MustParseDate(at), Note: note}
	}

	t.Run("OKOutlet", func(t *testing.T) {
		// Ensure an outlet's history stays sorted by date, a tie after the ratings already given, and nothing else changes.
		db := openTestDB(t)
		wantCode(t, "AddRating", db.AddRating(ctx, telegraph, rating(graph.ReliabilityA, "2025-02-10", "between")), "")
		wantCode(t, "AddRating", db.AddRating(ctx, telegraph, rating(graph.ReliabilityD, "2025-03", "tie")), "")
		wantCode(t, "AddRating", db.AddRating(ctx, telegraph, rating(graph.ReliabilityE, "2020", "oldest")), "")
		want := testDataset().Outlets[0]
		old := want.Ratings
		want.Ratings = []graph.Rating{rating(graph.ReliabilityE, "2020", "oldest"), old[0],
			rating(graph.ReliabilityA, "2025-02-10", "between"), old[1], rating(graph.ReliabilityD, "2025-03", "tie")}
		wantEqual(t, "FindOutletByID", mustOutlet(t, db, telegraph), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	t.Run("OKOfficial", func(t *testing.T) {
		// Ensure an official's history stays sorted by date and its links are kept.
		db := openTestDB(t)
		wantCode(t, "AddRating", db.AddRating(ctx, starmer, rating(graph.ReliabilityC, "2023-06", "older")), "")
		wantCode(t, "AddRating", db.AddRating(ctx, negotiators, rating(graph.ReliabilityF, "2025", "")), "")
		want := testDataset().Officials[2]
		want.Ratings = append([]graph.Rating{rating(graph.ReliabilityC, "2023-06", "older")}, want.Ratings...)
		wantEqual(t, "FindOfficialByID", mustOfficial(t, db, starmer), want)
		if o := mustOfficial(t, db, negotiators); len(o.Ratings) != 1 || len(o.PossiblySameAs) != 1 {
			t.Errorf("%s after a rating: %+v", negotiators, o)
		}
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	for _, tt := range []struct {
		name, id string
		r        graph.Rating
		code     string
	}{
		// Ensure a rating of a claim or a report, an invalid rating and a malformed ID are EINVALID.
		{"ErrClaim", cBackstop, rating(graph.ReliabilityA, "2025", ""), graph.EINVALID},
		{"ErrReport", rTelegraph, rating(graph.ReliabilityA, "2025", ""), graph.EINVALID},
		{"ErrUnsetRating", telegraph, graph.Rating{RatedBy: "desk"}, graph.EINVALID},
		{"ErrBadRating", starmer, graph.Rating{Rating: graph.Reliability(7)}, graph.EINVALID},
		{"ErrMalformedID", "telegraph", rating(graph.ReliabilityA, "2025", ""), graph.EINVALID},
		// Ensure a rating of a missing outlet or official is ENOTFOUND.
		{"ErrNotFoundOutlet", "outlet:missing", rating(graph.ReliabilityA, "2025", ""), graph.ENOTFOUND},
		{"ErrNotFoundOfficial", "official:missing", rating(graph.ReliabilityA, "2025", ""), graph.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a refused rating writes nothing.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			wantCode(t, "AddRating", db.AddRating(ctx, tt.id, tt.r), tt.code)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_AddReview(t *testing.T) {
	ctx := context.Background()
	review := graph.Review{Verdict: graph.VerdictMostlyFalse, ReviewedBy: "PolitiFact", ReviewedAt: graph.MustParseDate("2025-05-02"), URL: "https://politifact.com/x"}

	t.Run("OK", func(t *testing.T) {
		// Ensure a review is appended after the existing ones and nothing else changes.
		db := openTestDB(t)
		got, err := db.AddReview(ctx, cBackstop, review)
		wantCode(t, "AddReview", err, "")
		want := wantBackstop()
		want.Reviews = append(want.Reviews, review)
		wantEqual(t, "AddReview result", got, want)
		wantEqual(t, "FindClaimByID", mustClaim(t, db, cBackstop), want)
		wantStats(t, db, testStats)
		checkWrite(t, db)
	})

	for _, tt := range []struct {
		name, claim string
		r           graph.Review
		code        string
	}{
		{"ErrNotFound", "claim:missing", review, graph.ENOTFOUND},
		{"ErrNoVerdict", cBackstop, graph.Review{ReviewedBy: "x"}, graph.EINVALID},
		{"ErrNoReviewer", cBackstop, graph.Review{Verdict: graph.VerdictTrue}, graph.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a review of a missing claim is ENOTFOUND, an invalid one EINVALID, and neither writes.
			db := openTestDB(t)
			raw := mustRaw(t, db, nil)
			_, err := db.AddReview(ctx, tt.claim, tt.r)
			wantCode(t, "AddReview", err, tt.code)
			checkUnchanged(t, db, raw)
		})
	}
}

func TestDB_Delete_Seed(t *testing.T) {
	ctx := context.Background()
	load := func(t *testing.T) (*store.DB, snapshot) {
		db := MustOpenDB(t)
		if _, err := fixtures.LoadSeed(ctx, db); err != nil {
			t.Fatalf("LoadSeed: %v", err)
		}
		return db, checkWrite(t, db)
	}

	t.Run("OKOutlets", func(t *testing.T) {
		// Ensure deleting every outlet of the seed with cascade, one by one,
		// keeps the store consistent after each delete and leaves only the
		// officials, their links and the claims without appearances.
		db, s := load(t)
		for _, o := range s.Outlets {
			wantCode(t, "DeleteOutlet("+o.ID+")", db.DeleteOutlet(ctx, o.ID, true), "")
			checkWrite(t, db)
		}
		after := checkWrite(t, db)
		if len(after.Reports) != 0 || len(after.Outlets) != 0 {
			t.Errorf("%d reports and %d outlets left", len(after.Reports), len(after.Outlets))
		}
		for _, c := range after.Claims {
			if len(c.Appearances) != 0 {
				t.Errorf("%s keeps appearances %+v", c.ID, c.Appearances)
			}
		}
		if st := mustStats(t, db); st.Claims != int64(len(s.Claims)) || st.Officials != int64(len(s.Officials)) || st.Edges != s.stats().Edges-countEdgesButSameAs(s) {
			t.Errorf("Stats = %+v", st)
		}
	})

	t.Run("OKOfficials", func(t *testing.T) {
		// Ensure deleting every official of the seed with cascade removes every attribution to an official and every link.
		db, s := load(t)
		for _, o := range s.Officials {
			wantCode(t, "DeleteOfficial("+o.ID+")", db.DeleteOfficial(ctx, o.ID, true), "")
		}
		after := checkWrite(t, db)
		for _, c := range after.Claims {
			for _, a := range c.Appearances {
				for _, at := range a.Attributions {
					if graph.KindOf(at.Source) == graph.KindOfficial {
						t.Errorf("%s in %s keeps its attribution to %s", c.ID, a.Report, at.Source)
					}
				}
			}
		}
		if len(after.Officials) != 0 {
			t.Errorf("%d officials left", len(after.Officials))
		}
	})

	t.Run("OKClaims", func(t *testing.T) {
		// Ensure deleting every claim of the seed empties the search index and leaves only reports' and officials' edges.
		db, s := load(t)
		for _, c := range s.Claims {
			wantCode(t, "DeleteClaim("+c.ID+")", db.DeleteClaim(ctx, c.ID), "")
		}
		checkWrite(t, db)
		if kvs := mustRaw(t, db, []byte{store.TagWord}); len(kvs) != 0 {
			t.Errorf("%d index entries left", len(kvs))
		}
		if kvs := mustRaw(t, db, store.EdgePrefix(graph.EdgeReportedBy, store.DirReverse, s.Reports[0].ID)); len(kvs) != 0 {
			t.Errorf("%d reported-by keys left under %s", len(kvs), s.Reports[0].ID)
		}
	})
}

// countEdgesButSameAs counts the edges of a snapshot other than the
// possibly-same-as links: those an outlet cascade can remove.
func countEdgesButSameAs(s snapshot) int64 {
	var sameAs int64
	for _, o := range s.Officials {
		sameAs += int64(len(o.PossiblySameAs))
	}
	return s.stats().Edges - sameAs/2
}

func TestDB_ConcurrentClaimWrites(t *testing.T) {
	// Ensure goroutines adding and removing appearances of the same claims
	// and changing their texts at once each get nil, ECONFLICT or the
	// error their own logic calls for, and leave a consistent store whose
	// index holds exactly the words of the final claims.
	ctx := context.Background()
	db := openTestDB(t)
	claims := []string{cBackstop, cCoalition}
	reports := []string{rKyivPost, rEuromaidan}
	const rounds = 30
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = make(map[string]int)
	)
	record := func(what string, err error, allowed ...string) {
		code := graph.ErrorCode(err)
		mu.Lock()
		counts[what+" "+code]++
		mu.Unlock()
		for _, a := range append(allowed, "", graph.ECONFLICT) {
			if code == a {
				return
			}
		}
		t.Errorf("%s = %v (code %q), want one of %q", what, err, code, append(allowed, "", graph.ECONFLICT))
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				c, r := claims[(g+i)%2], reports[(g/2+i)%2]
				_, err := db.AddAppearance(ctx, c, graph.Appearance{Report: r, Mode: graph.ModeParaphrase,
					Quote:        fmt.Sprintf("quote g%d i%d", g, i),
					Attributions: []graph.Attribution{{Source: starmer, Mode: graph.ModeParaphrase, Quote: fmt.Sprintf("said w%d", g)}}})
				record("AddAppearance", err) // ECONFLICT: it already appears there
				_, err = db.AddAttribution(ctx, c, r, graph.Attribution{Source: telegraph, Mode: graph.ModeCitesReport})
				record("AddAttribution", err, graph.ENOTFOUND) // ENOTFOUND: the appearance was removed meanwhile
				_, err = db.RemoveAppearance(ctx, c, r)
				record("RemoveAppearance", err, graph.ENOTFOUND) // ENOTFOUND: removed meanwhile
			}
		}()
	}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				_, err := db.UpdateClaim(ctx, claims[(g+i)%2], graph.ClaimUpdate{Text: ptr(fmt.Sprintf("text t%d r%d", g, i))})
				record("UpdateClaim", err)
			}
		}()
	}
	wg.Wait()
	t.Logf("outcomes: %v", counts)
	s := checkWrite(t, db)
	for _, c := range s.Claims {
		// Every index entry of the final text finds the claim.
		for _, w := range graph.Words(c.Text) {
			if got := searchIDs(t, db, w); !contains(got, c.ID) {
				t.Errorf("search %q = %q, misses %s with text %q", w, got, c.ID, c.Text)
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestDB_Delete_ConcurrentReference(t *testing.T) {
	// Each round creates a fresh node, then deletes it without cascade
	// while other goroutines add references to it. Whatever the order,
	// either the delete fails or the references do: a reference must never
	// outlive the node it names.
	ctx := context.Background()
	const maxRounds, writers = 500, 4
	for _, tt := range []struct {
		name    string
		create  func(db *store.DB, round int) (string, error)
		delete  func(db *store.DB, id string) error
		cascade func(db *store.DB, id string) error
		refer   func(db *store.DB, id string, round, g int) error
	}{
		{
			// Ensure DeleteOutlet and CreateReport of a report of that outlet do not both succeed.
			name: "Outlet",
			create: func(db *store.DB, round int) (string, error) {
				id := fmt.Sprintf("outlet:o%d", round)
				return id, db.CreateOutlet(ctx, &graph.Outlet{ID: id, Name: "o"})
			},
			delete:  func(db *store.DB, id string) error { return db.DeleteOutlet(ctx, id, false) },
			cascade: func(db *store.DB, id string) error { return db.DeleteOutlet(ctx, id, true) },
			refer: func(db *store.DB, id string, round, g int) error {
				return db.CreateReport(ctx, &graph.Report{ID: fmt.Sprintf("report:r%d-%d", round, g), Outlet: id})
			},
		},
		{
			// Ensure DeleteOfficial and AddAttribution naming that official do not both succeed.
			name: "Official",
			create: func(db *store.DB, round int) (string, error) {
				id := fmt.Sprintf("official:p%d", round)
				return id, db.CreateOfficial(ctx, &graph.Official{ID: id, Name: "p", Form: graph.FormPerson})
			},
			delete:  func(db *store.DB, id string) error { return db.DeleteOfficial(ctx, id, false) },
			cascade: func(db *store.DB, id string) error { return db.DeleteOfficial(ctx, id, true) },
			refer: func(db *store.DB, id string, round, g int) error {
				_, err := db.AddAttribution(ctx, fmt.Sprintf("claim:k%d", g), rTelegraph, graph.Attribution{Source: id, Mode: graph.ModeParaphrase})
				return err
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			for g := 0; g < writers; g++ {
				err := db.CreateClaim(ctx, &graph.Claim{ID: fmt.Sprintf("claim:k%d", g), Text: "k",
					Appearances: []graph.Appearance{{Report: rTelegraph, Mode: graph.ModeParaphrase}}})
				wantCode(t, "CreateClaim", err, "")
			}
			for round := 0; round < maxRounds; round++ {
				id, err := tt.create(db, round)
				wantCode(t, "create", err, "")
				start := make(chan struct{})
				var wg sync.WaitGroup
				var delErr error
				refErrs := make([]error, writers)
				wg.Add(1)
				go func() { defer wg.Done(); <-start; delErr = tt.delete(db, id) }()
				for g := 0; g < writers; g++ {
					wg.Add(1)
					go func() { defer wg.Done(); <-start; refErrs[g] = tt.refer(db, id, round, g) }()
				}
				close(start)
				wg.Wait()
				if code := graph.ErrorCode(delErr); code != "" && code != graph.ECONFLICT {
					t.Fatalf("round %d: delete %s = %v", round, id, delErr)
				}
				for g, err := range refErrs {
					if code := graph.ErrorCode(err); code != "" && code != graph.EINVALID && code != graph.ECONFLICT {
						t.Fatalf("round %d: writer %d referring to %s = %v", round, g, id, err)
					}
					if delErr == nil && err == nil {
						t.Errorf("round %d: %s was deleted and writer %d's reference to it succeeded too", round, id, g)
					}
				}
				if t.Failed() {
					checkWrite(t, db) // names the dangling references
					return
				}
				// Drop the node and what refers to it, so that the claims
				// and the scans stay small.
				if err := tt.delete(db, id); graph.ErrorCode(err) == graph.ECONFLICT {
					wantCode(t, "cascade delete", tt.cascade(db, id), "")
				}
			}
			checkWrite(t, db)
		})
	}
}
