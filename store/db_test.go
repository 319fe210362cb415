package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"hearsay/graph"
	"hearsay/graph/textmatch"
	"hearsay/store"
)

// MustOpenDB returns an empty in-memory database (store.SmallOptions) that
// is closed when the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	return mustOpenDBWith(tb, store.SmallOptions())
}

func mustOpenDBWith(tb testing.TB, opt store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(opt)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// mustImport imports ds and fails tb on error.
func mustImport(tb testing.TB, db *store.DB, ds *graph.Dataset) graph.ImportResult {
	tb.Helper()
	res, err := db.ImportDataset(context.Background(), ds)
	if err != nil {
		tb.Fatalf("ImportDataset: %v", err)
	}
	return res
}

func mustStats(tb testing.TB, db *store.DB) graph.Stats {
	tb.Helper()
	s, err := db.Stats(context.Background())
	if err != nil {
		tb.Fatalf("Stats: %v", err)
	}
	return s
}

// The IDs of the test dataset, in ID order within each kind.
const (
	euromaidan  = "outlet:euromaidan-press"
	kyivPost    = "outlet:kyiv-post"
	telegraph   = "outlet:telegraph"
	starmer     = "official:keir-starmer"
	negotiators = "official:us-negotiators-unnamed"
	usOfficials = "official:us-officials-unnamed"
	rEuromaidan = "report:euromaidan-2025-04-26"
	rKyivPost   = "report:kyiv-post-2025-04-27"
	rTelegraph  = "report:telegraph-2025-04-25"
	cCoalition  = "claim:coalition-of-the-willing"
	cBackstop   = "claim:us-offers-backstop"
)

// testDataset returns a fresh copy of a small graph: the Telegraph reports
// unnamed US negotiators; Euromaidan Press reports the Telegraph; the Kyiv
// Post reports both. Lists are given out of order on purpose.
//
// Its nodes: 3 outlets, 3 officials, 3 reports, 2 claims. Its edges:
//
//	published-by      3  (one per report)
//	cites             3  (kyiv-post → telegraph, euromaidan; euromaidan → telegraph)
//	possibly-same-as  1  (negotiators ↔ us-officials, one symmetric pair)
//	reported-by       4  (backstop in 3 reports, coalition in 1)
//	attributed-to     5  (backstop: 1 + 2 + 1; coalition: 1)
//	total            16
func testDataset() *graph.Dataset {
	return &graph.Dataset{
		Info: graph.DatasetInfo{ID: "test", Title: "test"},
		Outlets: []*graph.Outlet{
			{ID: telegraph, Name: "The Telegraph", Domain: "telegraph.co.uk", Country: "GB", Language: "en",
				Type: graph.OutletNewspaper, Ratings: []graph.Rating{
					{Rating: graph.ReliabilityB, RatedBy: "desk", RatedAt: graph.MustParseDate("2025-01-01"), Note: "usually reliable"},
					{Rating: graph.ReliabilityC, RatedBy: "desk", RatedAt: graph.MustParseDate("2025-03"), Note: "downgraded"},
				}},
			{ID: euromaidan, Name: "Euromaidan Press", Domain: "euromaidanpress.com", Country: "UA", Language: "en", Type: graph.OutletOnline},
			{ID: kyivPost, Name: "Kyiv Post", Country: "UA", Type: graph.OutletNewspaper},
		},
		Officials: []*graph.Official{
			{ID: negotiators, Name: "unnamed US negotiators", Form: graph.FormGroup, Anonymous: true,
				Affiliation: "US government", Description: "with direct knowledge of the talks",
				PossiblySameAs: []graph.SameAs{{Official: usOfficials, Note: "both unnamed US sources"}}},
			{ID: usOfficials, Name: "unnamed US officials", Form: graph.FormGroup, Anonymous: true, Country: "US"},
			{ID: starmer, Name: "Keir Starmer", Form: graph.FormPerson, Role: "Prime Minister", Country: "GB",
				Ratings: []graph.Rating{{Rating: graph.ReliabilityB, RatedBy: "desk", RatedAt: graph.MustParseDate("2024")}}},
		},
		Reports: []*graph.Report{
			{ID: rKyivPost, Outlet: kyivPost, Title: "Coalition round-up", Published: graph.MustParseDate("2025-04-27T08:00:00Z"),
				Language: "en", Status: graph.StatusCorrected, Cites: []string{rTelegraph, rEuromaidan}},
			{ID: rTelegraph, Outlet: telegraph, Title: "US offers backstop", URL: "https://telegraph.co.uk/x",
				Published: graph.MustParseDate("2025-04-25"), Language: "en", Status: graph.StatusPublished},
			{ID: rEuromaidan, Outlet: euromaidan, Title: "Telegraph: US offers backstop",
				Published: graph.MustParseDate("2025-04"), Status: graph.StatusPublished, Cites: []string{rTelegraph}},
		},
		Claims: []*graph.Claim{
			{ID: cBackstop, Text: "The US offered a backstop.", Topics: []string{"ukraine", "security"},
				Appearances: []graph.Appearance{
					{Report: rTelegraph, Quote: "we'll have your back", Mode: graph.ModeDirectQuote, Language: "en",
						Attributions: []graph.Attribution{{Source: negotiators, Mode: graph.ModeDirectQuote, Quote: "negotiators said"}}},
					{Report: rKyivPost, Mode: graph.ModeAggregation, Hedge: "reportedly",
						Attributions: []graph.Attribution{
							{Source: rEuromaidan, Mode: graph.ModeCitesReport},
							{Source: telegraph, Mode: graph.ModeParaphrase, Quote: "according to The Telegraph"},
						}},
					{Report: rEuromaidan, Mode: graph.ModeParaphrase, Hedge: "according to",
						Attributions: []graph.Attribution{{Source: rTelegraph, Mode: graph.ModeCitesReport}}},
				},
				Reviews: []graph.Review{{Verdict: graph.VerdictUnproven, ReviewedBy: "Full Fact", ReviewedAt: graph.MustParseDate("2025-05-01"), URL: "https://fullfact.org/x"}}},
			{ID: cCoalition, Text: "A coalition of the willing will deploy.",
				Appearances: []graph.Appearance{
					{Report: rTelegraph, Mode: graph.ModeParaphrase,
						Attributions: []graph.Attribution{{Source: starmer, Mode: graph.ModeParaphrase}}},
				}},
		},
	}
}

// testStats is what testDataset stores; see its comment for the arithmetic.
var testStats = graph.Stats{Outlets: 3, Officials: 3, Reports: 3, Claims: 2, Edges: 16}

// snapshot is everything a Walk returns.
type snapshot struct {
	Order     []string // every ID in visiting order
	Outlets   []*graph.Outlet
	Officials []*graph.Official
	Reports   []*graph.Report
	Claims    []*graph.Claim
}

func mustWalk(tb testing.TB, db *store.DB) snapshot {
	tb.Helper()
	var s snapshot
	err := db.Walk(context.Background(), graph.Visitor{
		Outlet: func(o *graph.Outlet) error {
			s.Order = append(s.Order, o.ID)
			s.Outlets = append(s.Outlets, o)
			return nil
		},
		Official: func(o *graph.Official) error {
			s.Order = append(s.Order, o.ID)
			s.Officials = append(s.Officials, o)
			return nil
		},
		Report: func(r *graph.Report) error {
			s.Order = append(s.Order, r.ID)
			s.Reports = append(s.Reports, r)
			return nil
		},
		Claim: func(c *graph.Claim) error {
			s.Order = append(s.Order, c.ID)
			s.Claims = append(s.Claims, c)
			return nil
		},
	})
	if err != nil {
		tb.Fatalf("Walk: %v", err)
	}
	return s
}

// stats counts a snapshot's nodes and edges the way graph.Stats defines
// them; a possibly-same-as pair counts once, a relayed attribution is an
// attributed-to edge.
func (s snapshot) stats() graph.Stats {
	st := graph.Stats{Outlets: int64(len(s.Outlets)), Officials: int64(len(s.Officials)),
		Reports: int64(len(s.Reports)), Claims: int64(len(s.Claims))}
	for _, r := range s.Reports {
		st.Edges += int64(1 + len(r.Cites))
	}
	for _, c := range s.Claims {
		for _, a := range c.Appearances {
			st.Edges += int64(1 + len(a.Attributions))
			for i := range a.Attributions {
				a.Attributions[i].EachRelayed(func(string, *graph.Attribution, string) { st.Edges++ })
			}
		}
	}
	var sameAs int64
	for _, o := range s.Officials {
		sameAs += int64(len(o.PossiblySameAs))
	}
	st.Edges += sameAs / 2
	return st
}

// checkStored checks that the stored graph is consistent: Stats counts what
// a Walk sees, possibly-same-as links are symmetric, and the raw reverse
// edge keys, adjacency keys and search index keys are exactly those the
// nodes call for.
func checkStored(tb testing.TB, db *store.DB) snapshot {
	tb.Helper()
	s := mustWalk(tb, db)
	if got, want := mustStats(tb, db), s.stats(); got != want {
		tb.Errorf("Stats = %+v, but a Walk counts %+v", got, want)
	}
	links := make(map[[2]string]bool)
	for _, o := range s.Officials {
		for _, l := range o.PossiblySameAs {
			links[[2]string{o.ID, l.Official}] = true
		}
	}
	for l := range links {
		if !links[[2]string{l[1], l[0]}] {
			tb.Errorf("%s is possibly-same-as %s, but not the other way", l[0], l[1])
		}
	}

	wantEdges := make(map[string]bool)
	wantAdj := make(map[string]bool)
	wantWords := make(map[string]bool)
	for _, r := range s.Reports {
		wantEdges[string(store.EdgeKey(graph.EdgePublishedBy, store.DirReverse, r.Outlet, r.ID, ""))] = true
		for _, c := range r.Cites {
			wantEdges[string(store.EdgeKey(graph.EdgeCites, store.DirReverse, c, r.ID, ""))] = true
		}
		if len(r.Cites) > 0 {
			wantAdj[string(store.AdjKey(graph.EdgeCites, r.ID))] = true
		}
	}
	for _, c := range s.Claims {
		for _, a := range c.Appearances {
			wantEdges[string(store.EdgeKey(graph.EdgeReportedBy, store.DirReverse, a.Report, c.ID, ""))] = true
			for _, at := range a.Attributions {
				wantEdges[string(store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, at.Source, c.ID, a.Report))] = true
				at.EachRelayed(func(_ string, r *graph.Attribution, _ string) {
					wantEdges[string(store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, r.Source, c.ID, a.Report))] = true
				})
			}
		}
		if len(c.Appearances) > 0 {
			wantAdj[string(store.AdjKey(graph.EdgeReportedBy, c.ID))] = true
		}
		for _, w := range graph.ClaimWords(c) {
			wantWords[string(store.WordKey(w, c.ID))] = true
		}
	}
	for _, o := range s.Officials {
		if len(o.PossiblySameAs) > 0 {
			wantAdj[string(store.AdjKey(graph.EdgePossiblySameAs, o.ID))] = true
		}
	}
	checkMatchIndex(tb, db, s.Claims)
	checkKeySet(tb, "edge", mustRaw(tb, db, []byte{store.TagEdge}), wantEdges)
	checkKeySet(tb, "adjacency", mustRaw(tb, db, []byte{store.TagAdj}), wantAdj)
	checkKeySet(tb, "search index", mustRaw(tb, db, []byte{store.TagWord}), wantWords)
	for _, kv := range mustRaw(tb, db, nil) {
		if f := kv.Key[0]; f != store.TagMeta && f != store.TagNode && f != store.TagAdj && f != store.TagEdge && f != store.TagWord &&
			f != store.TagTerm && f != store.TagDoc {
			tb.Errorf("key %x of unknown family %#x", kv.Key, f)
		}
	}
	return s
}

// checkMatchIndex checks that the claim match index is exactly what the
// claims call for, recomputed here from their match texts: one doc key per
// claim, one posting per distinct term with its frequency and the claim's
// length, each term's claim count, the total length counter and the version.
func checkMatchIndex(tb testing.TB, db *store.DB, claims []*graph.Claim) {
	tb.Helper()
	want := make(map[string][]byte)
	claimsOf := make(map[string]int64) // term → claims holding it
	var total int64
	for _, c := range claims {
		tf := make(map[string]int)
		n := 0
		for _, t := range textmatch.Terms(c.MatchText()) {
			if len(t) <= store.MaxTermLen {
				tf[t]++
				n++
			}
		}
		total += int64(n)
		want[string(store.DocKey(c.ID))] = store.MatchDocValue(tf)
		for t, f := range tf {
			want[string(store.TermKey(t, c.ID))] = store.EncodePosting(f, n)
			claimsOf[t]++
		}
	}
	for t, n := range claimsOf {
		want[string(store.TermCount(t))] = store.EncodeCnt(n)
	}
	got := append(mustRaw(tb, db, []byte{store.TagTerm}), mustRaw(tb, db, []byte{store.TagDoc})...)
	seen := make(map[string]bool)
	for _, kv := range got {
		seen[string(kv.Key)] = true
		w, ok := want[string(kv.Key)]
		switch {
		case !ok:
			k, err := store.ParseKey(kv.Key)
			tb.Errorf("unexpected match index key %x (%+v, %v)", kv.Key, k, err)
		case !bytes.Equal(w, kv.Value):
			k, _ := store.ParseKey(kv.Key)
			tb.Errorf("match index key %+v holds %x, want %x", k, kv.Value, w)
		}
	}
	for k := range want {
		if !seen[k] {
			parsed, _ := store.ParseKey([]byte(k))
			tb.Errorf("missing match index key %x (%+v)", k, parsed)
		}
	}
	meta := make(map[string][]byte)
	for _, kv := range mustRaw(tb, db, []byte{store.TagMeta}) {
		meta[string(kv.Key[1:])] = kv.Value
	}
	if v := string(meta[store.MatchVersion]); v != store.MatchIndexVersion {
		tb.Errorf("match index version = %q, want %q", v, store.MatchIndexVersion)
	}
	var stored int64
	if v, ok := meta[store.MatchTerms]; ok {
		n, k := binary.Varint(v)
		if k <= 0 {
			tb.Errorf("match terms counter %x does not decode", v)
		}
		stored = n
	}
	if stored != total {
		tb.Errorf("match terms counter = %d, the claims hold %d terms", stored, total)
	}
}

func checkKeySet(tb testing.TB, what string, got []store.RawKV, want map[string]bool) {
	tb.Helper()
	seen := make(map[string]bool)
	for _, kv := range got {
		seen[string(kv.Key)] = true
		if !want[string(kv.Key)] {
			k, err := store.ParseKey(kv.Key)
			tb.Errorf("unexpected %s key %x (%+v, %v)", what, kv.Key, k, err)
		}
	}
	for k := range want {
		if !seen[k] {
			parsed, _ := store.ParseKey([]byte(k))
			tb.Errorf("missing %s key %x (%+v)", what, k, parsed)
		}
	}
}

func mustRaw(tb testing.TB, db *store.DB, prefix []byte) []store.RawKV {
	tb.Helper()
	kvs, err := store.RawKVs(db, prefix)
	if err != nil {
		tb.Fatalf("RawKVs(%x): %v", prefix, err)
	}
	return kvs
}

// wantBackstop is cBackstop as stored: appearances sorted by report, each
// appearance's attributions sorted by source.
func wantBackstop() *graph.Claim {
	c := testDataset().Claims[0]
	a := c.Appearances
	c.Appearances = []graph.Appearance{a[2], a[1], a[0]}
	c.Appearances[1].Attributions = []graph.Attribution{a[1].Attributions[1], a[1].Attributions[0]}
	return c
}

func TestDB_ImportDataset(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Ensure every imported node reads back equal, with its forward edges in canonical order.
		db := MustOpenDB(t)
		ctx := context.Background()
		res := mustImport(t, db, testDataset())
		if want := (graph.ImportResult{Nodes: 11, Edges: 16}); res != want {
			t.Errorf("ImportDataset = %+v, want %+v", res, want)
		}
		ds := testDataset()

		for _, want := range ds.Outlets {
			got, err := db.FindOutletByID(ctx, want.ID)
			if err != nil {
				t.Fatalf("FindOutletByID(%q): %v", want.ID, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FindOutletByID(%q):\n got %+v\nwant %+v", want.ID, got, want)
			}
		}

		wantOfficials := map[string]*graph.Official{negotiators: ds.Officials[0], usOfficials: ds.Officials[1], starmer: ds.Officials[2]}
		wantOfficials[usOfficials].PossiblySameAs = []graph.SameAs{{Official: negotiators, Note: "both unnamed US sources"}}
		for id, want := range wantOfficials {
			got, err := db.FindOfficialByID(ctx, id)
			if err != nil {
				t.Fatalf("FindOfficialByID(%q): %v", id, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FindOfficialByID(%q):\n got %+v\nwant %+v", id, got, want)
			}
		}

		wantReports := map[string]*graph.Report{rKyivPost: ds.Reports[0], rTelegraph: ds.Reports[1], rEuromaidan: ds.Reports[2]}
		wantReports[rKyivPost].Cites = []string{rEuromaidan, rTelegraph}
		for id, want := range wantReports {
			got, err := db.FindReportByID(ctx, id)
			if err != nil {
				t.Fatalf("FindReportByID(%q): %v", id, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FindReportByID(%q):\n got %+v\nwant %+v", id, got, want)
			}
		}

		for _, want := range []*graph.Claim{wantBackstop(), ds.Claims[1]} {
			got, err := db.FindClaimByID(ctx, want.ID)
			if err != nil {
				t.Fatalf("FindClaimByID(%q): %v", want.ID, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FindClaimByID(%q):\n got %+v\nwant %+v", want.ID, got, want)
			}
		}
		checkStored(t, db)
	})

	t.Run("Stats", func(t *testing.T) {
		// Ensure Stats counts nodes and edges exactly (arithmetic on testDataset).
		db := MustOpenDB(t)
		if got := mustStats(t, db); got != (graph.Stats{}) {
			t.Fatalf("Stats of an empty database = %+v, want zeros", got)
		}
		mustImport(t, db, testDataset())
		if got := mustStats(t, db); got != testStats {
			t.Fatalf("Stats = %+v, want %+v", got, testStats)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		// Ensure importing the same dataset again changes no node, edge key or count.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		before := mustWalk(t, db)
		raw := mustRaw(t, db, nil)
		for i := 0; i < 2; i++ {
			mustImport(t, db, testDataset())
		}
		if got := mustStats(t, db); got != testStats {
			t.Errorf("Stats after re-import = %+v, want %+v", got, testStats)
		}
		if after := mustWalk(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("Walk after re-import:\n got %+v\nwant %+v", after, before)
		}
		if after := mustRaw(t, db, nil); !reflect.DeepEqual(after, raw) {
			t.Errorf("stored keys and values changed on re-import: %d entries before, %d after", len(raw), len(after))
		}
		checkStored(t, db)
	})

	t.Run("ReimportResult", func(t *testing.T) {
		// Ensure a re-import reports the same nodes and forward edges as the
		// first import: the nodes written carry the same edges.
		db := MustOpenDB(t)
		first := mustImport(t, db, testDataset())
		if again := mustImport(t, db, testDataset()); again != first {
			t.Errorf("re-import ImportResult = %+v, first import gave %+v", again, first)
		}
	})

	t.Run("InParts", func(t *testing.T) {
		// Ensure a dataset imported kind by kind, each part referring to
		// stored nodes, stores the same graph as one import.
		whole := MustOpenDB(t)
		mustImport(t, whole, testDataset())
		parts := MustOpenDB(t)
		ds := testDataset()
		for _, part := range []*graph.Dataset{
			{Outlets: ds.Outlets}, {Officials: ds.Officials[1:]}, {Officials: ds.Officials[:1]},
			{Reports: ds.Reports[1:]}, {Reports: ds.Reports[:1]}, {Claims: ds.Claims},
		} {
			mustImport(t, parts, part)
		}
		if got, want := checkStored(t, parts), mustWalk(t, whole); !reflect.DeepEqual(got, want) {
			t.Errorf("graph imported in parts:\n got %+v\nwant %+v", got, want)
		}
		if got := mustStats(t, parts); got != testStats {
			t.Errorf("Stats = %+v, want %+v", got, testStats)
		}
	})
}

func TestDB_ImportDataset_Upsert(t *testing.T) {
	t.Run("FewerAppearances", func(t *testing.T) {
		// Ensure replacing a claim with fewer appearances deletes the
		// reverse keys of the dropped appearances and attributions and
		// lowers the edge count by exactly their number.
		db := MustOpenDB(t)
		ctx := context.Background()
		mustImport(t, db, testDataset())
		// backstop keeps only its telegraph appearance: it drops 2
		// appearances (euromaidan, kyiv-post) and their 3 attributions.
		c := testDataset().Claims[0]
		c.Appearances = c.Appearances[:1]
		res := mustImport(t, db, &graph.Dataset{Claims: []*graph.Claim{c}})
		if want := (graph.ImportResult{Nodes: 1, Edges: 2}); res != want {
			t.Errorf("ImportDataset = %+v, want %+v", res, want)
		}
		want := testStats
		want.Edges -= 2 + 3
		if got := mustStats(t, db); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
		got, err := db.FindClaimByID(ctx, cBackstop)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("FindClaimByID:\n got %+v\nwant %+v", got, c)
		}
		for _, gone := range [][]byte{
			store.EdgeKey(graph.EdgeReportedBy, store.DirReverse, rEuromaidan, cBackstop, ""),
			store.EdgeKey(graph.EdgeReportedBy, store.DirReverse, rKyivPost, cBackstop, ""),
			store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, rTelegraph, cBackstop, rEuromaidan),
			store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, rEuromaidan, cBackstop, rKyivPost),
			store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, telegraph, cBackstop, rKyivPost),
		} {
			for _, kv := range mustRaw(t, db, gone) {
				if bytes.Equal(kv.Key, gone) {
					k, _ := store.ParseKey(gone)
					t.Errorf("reverse key %+v is still stored", k)
				}
			}
		}
		checkStored(t, db)
	})

	t.Run("NoAppearances", func(t *testing.T) {
		// Ensure a claim replaced by one without appearances loses its
		// adjacency value and every reverse key.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		c := testDataset().Claims[1]
		c.Appearances = nil
		mustImport(t, db, &graph.Dataset{Claims: []*graph.Claim{c}})
		if kvs := mustRaw(t, db, store.AdjKey(graph.EdgeReportedBy, cCoalition)); len(kvs) != 0 {
			t.Errorf("adjacency of %s still stored", cCoalition)
		}
		want := testStats
		want.Edges -= 2
		if got := mustStats(t, db); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
		checkStored(t, db)
	})

	t.Run("MoreAttributions", func(t *testing.T) {
		// Ensure a claim replaced by one with new appearances and
		// attributions gains exactly their reverse keys and edges.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		c := testDataset().Claims[1]
		c.Appearances[0].Attributions = append(c.Appearances[0].Attributions,
			graph.Attribution{Source: negotiators, Mode: graph.ModeParaphrase})
		c.Appearances = append(c.Appearances, graph.Appearance{Report: rKyivPost, Mode: graph.ModeAggregation,
			Attributions: []graph.Attribution{{Source: telegraph, Mode: graph.ModeCitesReport}, {Source: rTelegraph, Mode: graph.ModeCitesReport}}})
		mustImport(t, db, &graph.Dataset{Claims: []*graph.Claim{c}})
		want := testStats
		want.Edges += 1 + 1 + 2
		if got := mustStats(t, db); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
		key := store.EdgeKey(graph.EdgeAttributedTo, store.DirReverse, rTelegraph, cCoalition, rKyivPost)
		if kvs := mustRaw(t, db, key); len(kvs) != 1 || !bytes.Equal(kvs[0].Key, key) {
			t.Errorf("reverse attributed-to key under %s in %s missing", rTelegraph, rKyivPost)
		}
		checkStored(t, db)
	})

	t.Run("ReportMoved", func(t *testing.T) {
		// Ensure a report replaced with another outlet and other citations
		// moves its published-by and cites reverse keys.
		db := MustOpenDB(t)
		ctx := context.Background()
		mustImport(t, db, testDataset())
		r := testDataset().Reports[0] // kyiv-post: 2 cites
		r.Outlet = telegraph
		r.Cites = []string{rTelegraph}
		mustImport(t, db, &graph.Dataset{Reports: []*graph.Report{r}})
		want := testStats
		want.Edges--
		if got := mustStats(t, db); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
		if kvs := mustRaw(t, db, store.EdgePrefix(graph.EdgePublishedBy, store.DirReverse, kyivPost)); len(kvs) != 0 {
			t.Errorf("%s still has %d published-by reverse keys", kyivPost, len(kvs))
		}
		got, err := db.FindReportByID(ctx, rKyivPost)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("FindReportByID:\n got %+v\nwant %+v", got, r)
		}
		checkStored(t, db)
	})

	t.Run("SameAsMerged", func(t *testing.T) {
		// Ensure an official imported without its possibly-same-as links
		// keeps them, a new link is added on both sides, and a pair given
		// from both sides counts once.
		db := MustOpenDB(t)
		ctx := context.Background()
		mustImport(t, db, testDataset())
		ds := testDataset()
		bare := ds.Officials[0]
		bare.PossiblySameAs = nil
		bare.Name = "renamed"
		starm := ds.Officials[2]
		starm.PossiblySameAs = []graph.SameAs{{Official: usOfficials, Note: "n"}}
		other := ds.Officials[1]
		other.PossiblySameAs = []graph.SameAs{{Official: starmer}}
		mustImport(t, db, &graph.Dataset{Officials: []*graph.Official{bare, starm, other}})
		want := testStats
		want.Edges++
		if got := mustStats(t, db); got != want {
			t.Errorf("Stats = %+v, want %+v", got, want)
		}
		got, err := db.FindOfficialByID(ctx, usOfficials)
		if err != nil {
			t.Fatal(err)
		}
		wantLinks := []graph.SameAs{{Official: starmer, Note: "n"}, {Official: negotiators, Note: "both unnamed US sources"}}
		if !reflect.DeepEqual(got.PossiblySameAs, wantLinks) {
			t.Errorf("%s possiblySameAs = %+v, want %+v", usOfficials, got.PossiblySameAs, wantLinks)
		}
		if o, err := db.FindOfficialByID(ctx, negotiators); err != nil || o.Name != "renamed" || len(o.PossiblySameAs) != 1 {
			t.Errorf("FindOfficialByID(%q) = %+v, %v; want renamed with its one link kept", negotiators, o, err)
		}
		checkStored(t, db)
	})
}

func TestDB_ImportDataset_Rejected(t *testing.T) {
	// Every case adds valid new nodes and changes stored ones before its
	// mistake, so that a partial write would show.
	withNew := func(edit func(ds *graph.Dataset)) *graph.Dataset {
		ds := testDataset()
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: "outlet:new", Name: "New"})
		ds.Claims[0].Appearances = ds.Claims[0].Appearances[:1]
		ds.Claims[1].Text = "changed"
		edit(ds)
		return ds
	}
	long := strings.Repeat("n", graph.MaxNameLen)
	tests := []struct {
		name string
		ds   *graph.Dataset
	}{
		// Ensure references to nodes neither in the dataset nor stored are rejected.
		{"MissingReport", withNew(func(ds *graph.Dataset) {
			ds.Claims[1].Appearances = append(ds.Claims[1].Appearances, graph.Appearance{Report: "report:nope", Mode: graph.ModeParaphrase})
		})},
		{"MissingSource", withNew(func(ds *graph.Dataset) {
			ds.Claims[1].Appearances[0].Attributions = append(ds.Claims[1].Appearances[0].Attributions,
				graph.Attribution{Source: "official:nope", Mode: graph.ModeParaphrase})
		})},
		{"MissingOutlet", withNew(func(ds *graph.Dataset) { ds.Reports[2].Outlet = "outlet:nope" })},
		{"MissingCited", withNew(func(ds *graph.Dataset) { ds.Reports[2].Cites = append(ds.Reports[2].Cites, "report:nope") })},
		{"MissingSameAs", withNew(func(ds *graph.Dataset) {
			ds.Officials[2].PossiblySameAs = []graph.SameAs{{Official: "official:nope"}}
		})},

		// Ensure invalid nodes are rejected.
		{"BadMode", withNew(func(ds *graph.Dataset) { ds.Claims[1].Appearances[0].Mode = graph.Mode(99) })},
		{"UnsetMode", withNew(func(ds *graph.Dataset) { ds.Claims[1].Appearances[0].Attributions[0].Mode = graph.ModeUnset })},
		{"BadForm", withNew(func(ds *graph.Dataset) { ds.Officials[2].Form = graph.FormUnset })},
		{"WrongKindRef", withNew(func(ds *graph.Dataset) { ds.Reports[2].Outlet = negotiators })},
		{"BadID", withNew(func(ds *graph.Dataset) { ds.Outlets[0].ID = "outlet:The-Telegraph" })},

		// Ensure an ID given twice is rejected.
		{"DuplicateOutlet", withNew(func(ds *graph.Dataset) {
			ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: "outlet:new", Name: "Again"})
		})},
		{"DuplicateClaim", withNew(func(ds *graph.Dataset) {
			ds.Claims = append(ds.Claims, &graph.Claim{ID: cBackstop, Text: "again"})
		})},

		// Ensure a dataset too large for one transaction is rejected whole.
		{"TooLarge", withNew(func(ds *graph.Dataset) {
			for i := 0; i < 4000; i++ {
				ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: fmt.Sprintf("outlet:big-%05d", i), Name: long})
			}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			mustImport(t, db, testDataset())
			before, raw := mustWalk(t, db), mustRaw(t, db, nil)
			_, err := db.ImportDataset(context.Background(), tt.ds)
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("ImportDataset error = %v (code %q), want %q", err, code, graph.EINVALID)
			}
			if got := mustStats(t, db); got != testStats {
				t.Errorf("Stats after a rejected import = %+v, want %+v", got, testStats)
			}
			if after := mustWalk(t, db); !reflect.DeepEqual(after, before) {
				t.Errorf("Walk after a rejected import:\n got %+v\nwant %+v", after, before)
			}
			if after := mustRaw(t, db, nil); !reflect.DeepEqual(after, raw) {
				t.Errorf("a rejected import changed the stored keys: %d entries before, %d after", len(raw), len(after))
			}
		})
	}
}

func TestDB_ImportDataset_Concurrent(t *testing.T) {
	// Writes run one at a time (DB.update), so no import may fail with
	// ECONFLICT: none is ever retried.
	for _, tt := range []struct {
		name string
	}{
		{"OK"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure concurrent imports of overlapping datasets each either
			// succeed or fail with ECONFLICT, and leave a consistent graph
			// whose nodes all come from the last successful import.
			db := mustOpenDBWith(t, store.SmallOptions())
			const goroutines, rounds = 8, 4
			var (
				mu        sync.Mutex
				ok, confl int
				succeeded = make(map[int]bool) // goroutines with an import that succeeded
			)
			for j := range rounds {
				start := make(chan struct{})
				var wg sync.WaitGroup
				for g := 0; g < goroutines; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						_, err := db.ImportDataset(context.Background(), overlapDataset(g, j))
						mu.Lock()
						defer mu.Unlock()
						switch code := graph.ErrorCode(err); code {
						case "":
							ok++
							succeeded[g] = true
						case graph.ECONFLICT:
							confl++
						default:
							t.Errorf("goroutine %d round %d: ImportDataset: %v (code %q), want success or %q", g, j, err, code, graph.ECONFLICT)
						}
					}()
				}
				close(start)
				wg.Wait()
			}
			t.Logf("%d imports succeeded, %d failed with ECONFLICT", ok, confl)
			if ok == 0 {
				t.Fatal("no import succeeded")
			}
			if confl > 0 {
				t.Fatalf("%d imports failed with ECONFLICT: writes must not conflict, they run one at a time", confl)
			}

			s := checkStored(t, db)
			// The outlet's name tells which import wrote last; every
			// report and claim must come from that same import.
			var g, j int
			if len(s.Outlets) != 1 {
				t.Fatalf("%d outlets stored, want 1", len(s.Outlets))
			}
			if _, err := fmt.Sscanf(s.Outlets[0].Name, "shared %d/%d", &g, &j); err != nil {
				t.Fatalf("outlet name %q: %v", s.Outlets[0].Name, err)
			}
			last := overlapDataset(g, j)
			if !reflect.DeepEqual(s.Reports, last.Reports) {
				t.Errorf("reports are not those of import %d/%d:\n got %+v\nwant %+v", g, j, s.Reports, last.Reports)
			}
			if !reflect.DeepEqual(s.Claims, last.Claims) {
				t.Errorf("claims are not those of import %d/%d:\n got %+v\nwant %+v", g, j, s.Claims, last.Claims)
			}
			// official:shared is linked to the own official of every
			// goroutine that imported successfully, and only to those.
			var wantLinks []string
			for g := range succeeded {
				wantLinks = append(wantLinks, fmt.Sprintf("official:g%d", g))
			}
			sort.Strings(wantLinks)
			var gotLinks []string
			for _, o := range s.Officials {
				if o.ID == "official:shared" {
					for _, l := range o.PossiblySameAs {
						gotLinks = append(gotLinks, l.Official)
					}
				}
			}
			if !reflect.DeepEqual(gotLinks, wantLinks) {
				t.Errorf("official:shared possiblySameAs = %q, want %q", gotLinks, wantLinks)
			}
			if len(s.Officials) != 1+len(succeeded) {
				t.Errorf("%d officials stored, want %d", len(s.Officials), 1+len(succeeded))
			}
		})
	}
}

// overlapDataset returns import j of goroutine g: every import stores the
// same outlet, reports and claims with different content, and one official
// of its own linked to a shared one. Lists are in canonical order, so that
// the stored nodes equal the dataset's.
func overlapDataset(g, j int) *graph.Dataset {
	reports := []string{"report:r0", "report:r1", "report:r2", "report:r3"}
	own := fmt.Sprintf("official:g%d", g)
	ds := &graph.Dataset{
		Outlets: []*graph.Outlet{{ID: "outlet:shared", Name: fmt.Sprintf("shared %d/%d", g, j)}},
		Officials: []*graph.Official{
			{ID: "official:shared", Name: "shared", Form: graph.FormGroup, Anonymous: true},
			{ID: own, Name: "own", Form: graph.FormPerson, PossiblySameAs: []graph.SameAs{{Official: "official:shared", Note: fmt.Sprint(g)}}},
		},
	}
	for i, r := range reports {
		rep := &graph.Report{ID: r, Outlet: "outlet:shared", Status: graph.StatusPublished, Title: fmt.Sprintf("%d/%d", g, j)}
		if i > 0 && (g+j+i)%2 == 0 {
			rep.Cites = []string{reports[i-1]}
		}
		ds.Reports = append(ds.Reports, rep)
	}
	for c := 0; c < 3; c++ {
		claim := &graph.Claim{ID: fmt.Sprintf("claim:c%d", c), Text: fmt.Sprintf("claim %d by %d/%d", c, g, j)}
		for i, r := range reports {
			if (g+j+c+i)%3 == 0 {
				continue
			}
			a := graph.Appearance{Report: r, Mode: graph.ModeParaphrase}
			if (g+i)%2 == 0 {
				a.Attributions = append(a.Attributions, graph.Attribution{Source: own, Mode: graph.ModeDirectQuote})
			}
			if i > 0 && (j+i)%2 == 1 {
				a.Attributions = append(a.Attributions, graph.Attribution{Source: reports[i-1], Mode: graph.ModeCitesReport})
			}
			claim.Appearances = append(claim.Appearances, a)
		}
		ds.Claims = append(ds.Claims, claim)
	}
	return ds
}

func TestDB_EdgeDirections(t *testing.T) {
	// Ensure every appearance has a reverse reported-by key under its
	// report, and every attribution a reverse attributed-to key under its
	// source with the report as context, found by a prefix scan.
	db := MustOpenDB(t)
	mustImport(t, db, testDataset())
	s := checkStored(t, db)

	claimsIn := make(map[string][]string)      // report → claims appearing in it
	attributed := make(map[string][][2]string) // source → (claim, report) pairs
	for _, c := range s.Claims {
		for _, a := range c.Appearances {
			claimsIn[a.Report] = append(claimsIn[a.Report], c.ID)
			for _, at := range a.Attributions {
				attributed[at.Source] = append(attributed[at.Source], [2]string{c.ID, a.Report})
			}
		}
	}
	if len(claimsIn) != 3 || len(attributed) != 5 {
		t.Fatalf("test dataset changed: %d reports carry claims, %d sources", len(claimsIn), len(attributed))
	}
	for _, r := range s.Reports {
		var got []string
		for _, kv := range mustRaw(t, db, store.EdgePrefix(graph.EdgeReportedBy, store.DirReverse, r.ID)) {
			k, err := store.ParseKey(kv.Key)
			if err != nil {
				t.Fatalf("ParseKey(%x): %v", kv.Key, err)
			}
			if k.Node != r.ID || k.Ctx != "" || len(kv.Value) != 0 {
				t.Errorf("reverse reported-by key %+v (value %x) under %s", k, kv.Value, r.ID)
			}
			got = append(got, k.Other)
		}
		want := claimsIn[r.ID]
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("claims reported by %s = %q, want %q", r.ID, got, want)
		}
	}
	for src, want := range attributed {
		var got [][2]string
		for _, kv := range mustRaw(t, db, store.EdgePrefix(graph.EdgeAttributedTo, store.DirReverse, src)) {
			k, err := store.ParseKey(kv.Key)
			if err != nil {
				t.Fatalf("ParseKey(%x): %v", kv.Key, err)
			}
			got = append(got, [2]string{k.Other, k.Ctx})
		}
		sort.Slice(want, func(i, j int) bool { return want[i][0]+" "+want[i][1] < want[j][0]+" "+want[j][1] })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("attributions to %s = %q, want %q", src, got, want)
		}
	}
	// published-by and cites: the reverse keys name the reports.
	for _, tt := range []struct {
		e    graph.EdgeKind
		node string
		want []string
	}{
		{graph.EdgePublishedBy, telegraph, []string{rTelegraph}},
		{graph.EdgePublishedBy, kyivPost, []string{rKyivPost}},
		{graph.EdgeCites, rTelegraph, []string{rEuromaidan, rKyivPost}},
		{graph.EdgeCites, rEuromaidan, []string{rKyivPost}},
		{graph.EdgeCites, rKyivPost, nil},
	} {
		var got []string
		for _, kv := range mustRaw(t, db, store.EdgePrefix(tt.e, store.DirReverse, tt.node)) {
			k, _ := store.ParseKey(kv.Key)
			got = append(got, k.Other)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("reverse %v of %s = %q, want %q", tt.e, tt.node, got, tt.want)
		}
	}
}

func TestDB_Walk(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		// Ensure Walk visits outlets, officials, reports, then claims, each kind in ID order.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		want := []string{euromaidan, kyivPost, telegraph, starmer, negotiators, usOfficials,
			rEuromaidan, rKyivPost, rTelegraph, cCoalition, cBackstop}
		if got := mustWalk(t, db).Order; !reflect.DeepEqual(got, want) {
			t.Fatalf("Walk order = %q, want %q", got, want)
		}
	})

	t.Run("NilVisitors", func(t *testing.T) {
		// Ensure nil visitor functions skip their kind.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		var got []string
		err := db.Walk(context.Background(), graph.Visitor{
			Report: func(r *graph.Report) error { got = append(got, r.ID); return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{rEuromaidan, rKyivPost, rTelegraph}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Walk with only a report visitor = %q, want %q", got, want)
		}
	})

	t.Run("VisitorError", func(t *testing.T) {
		// Ensure Walk stops at the first error a visitor returns and returns it.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		stop := errors.New("stop")
		var visits int
		err := db.Walk(context.Background(), graph.Visitor{
			Outlet:   func(*graph.Outlet) error { visits++; return nil },
			Official: func(*graph.Official) error { visits++; return stop },
			Report:   func(*graph.Report) error { visits++; return nil },
			Claim:    func(*graph.Claim) error { visits++; return nil },
		})
		if !errors.Is(err, stop) {
			t.Fatalf("Walk = %v, want the visitor's error", err)
		}
		if visits != 4 {
			t.Fatalf("visitor called %d times, want 4 (3 outlets, then the failing official)", visits)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		// Ensure walking an empty database visits nothing.
		if s := mustWalk(t, MustOpenDB(t)); len(s.Order) != 0 {
			t.Fatalf("Walk of an empty database visited %q", s.Order)
		}
	})
}

// pageAll pages through a list first items at a time with the After
// cursor and checks every page's size and total.
func pageAll[T any](t *testing.T, find func(context.Context, graph.Page) ([]T, int, error), id func(T) string, first, total int) []T {
	t.Helper()
	var all []T
	after := ""
	for pages := 0; ; pages++ {
		if pages > total+1 {
			t.Fatalf("more than %d pages of %d items for %d nodes", pages, first, total)
		}
		nodes, n, err := find(context.Background(), graph.Page{After: after, First: first})
		if err != nil {
			t.Fatalf("page after %q: %v", after, err)
		}
		if n != total {
			t.Errorf("page after %q: total count %d, want %d", after, n, total)
		}
		if len(nodes) > first {
			t.Fatalf("page after %q has %d items, want at most %d", after, len(nodes), first)
		}
		if len(nodes) < first && len(all)+len(nodes) != total {
			t.Fatalf("short page after %q (%d items) with %d of %d items seen", after, len(nodes), len(all)+len(nodes), total)
		}
		if len(nodes) == 0 {
			return all
		}
		all = append(all, nodes...)
		after = id(nodes[len(nodes)-1])
	}
}

// outletPages, officialPages, reportPages and claimPages list a kind
// without a filter.
func outletPages(db *store.DB) func(context.Context, graph.Page) ([]*graph.Outlet, int, error) {
	return func(ctx context.Context, p graph.Page) ([]*graph.Outlet, int, error) {
		return db.FindOutlets(ctx, graph.OutletFilter{Page: p})
	}
}

func officialPages(db *store.DB) func(context.Context, graph.Page) ([]*graph.Official, int, error) {
	return func(ctx context.Context, p graph.Page) ([]*graph.Official, int, error) {
		return db.FindOfficials(ctx, graph.OfficialFilter{Page: p})
	}
}

func reportPages(db *store.DB) func(context.Context, graph.Page) ([]*graph.Report, int, error) {
	return func(ctx context.Context, p graph.Page) ([]*graph.Report, int, error) {
		return db.FindReports(ctx, graph.ReportFilter{Page: p})
	}
}

func claimPages(db *store.DB) func(context.Context, graph.Page) ([]*graph.Claim, int, error) {
	return func(ctx context.Context, p graph.Page) ([]*graph.Claim, int, error) {
		return db.FindClaims(ctx, graph.ClaimFilter{Page: p})
	}
}

func TestDB_FindNodes(t *testing.T) {
	db := MustOpenDB(t)
	mustImport(t, db, testDataset())
	s := mustWalk(t, db)

	t.Run("OK", func(t *testing.T) {
		// Ensure paging two at a time through every kind returns each node once, in ID order, fully loaded.
		for _, first := range []int{1, 2, 3, 100} {
			if got := pageAll(t, outletPages(db), func(o *graph.Outlet) string { return o.ID }, first, 3); !reflect.DeepEqual(got, s.Outlets) {
				t.Errorf("FindOutlets by %d = %+v, want %+v", first, got, s.Outlets)
			}
			if got := pageAll(t, officialPages(db), func(o *graph.Official) string { return o.ID }, first, 3); !reflect.DeepEqual(got, s.Officials) {
				t.Errorf("FindOfficials by %d = %+v, want %+v", first, got, s.Officials)
			}
			if got := pageAll(t, reportPages(db), func(r *graph.Report) string { return r.ID }, first, 3); !reflect.DeepEqual(got, s.Reports) {
				t.Errorf("FindReports by %d = %+v, want %+v", first, got, s.Reports)
			}
			if got := pageAll(t, claimPages(db), func(c *graph.Claim) string { return c.ID }, first, 2); !reflect.DeepEqual(got, s.Claims) {
				t.Errorf("FindClaims by %d = %+v, want %+v", first, got, s.Claims)
			}
		}
		if s.Claims[1].ID != cBackstop || !reflect.DeepEqual(s.Claims[1], wantBackstop()) {
			t.Errorf("listed %s = %+v, want %+v", cBackstop, s.Claims[1], wantBackstop())
		}
	})

	t.Run("CursorOfMissingNode", func(t *testing.T) {
		// Ensure a cursor naming no stored node starts after where it would sort.
		got, n, err := db.FindOutlets(context.Background(), graph.OutletFilter{Page: graph.Page{After: "outlet:l", First: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 || len(got) != 1 || got[0].ID != telegraph {
			t.Fatalf("FindOutlets after outlet:l = %d items (total %d), want only %s", len(got), n, telegraph)
		}
	})

	t.Run("CursorSeeks", func(t *testing.T) {
		// Ensure a page after a cursor starts at the cursor: the nodes
		// before it are not read, so a corrupt one there does not fail it.
		db := MustOpenDB(t)
		mustImport(t, db, testDataset())
		if err := store.SetRaw(db, store.NodeKey(euromaidan), []byte{0xff}); err != nil {
			t.Fatal(err)
		}
		got, n, err := db.FindOutlets(context.Background(), graph.OutletFilter{Page: graph.Page{After: kyivPost, First: 1}})
		if err != nil {
			t.Fatalf("FindOutlets after %s read the corrupt %s before the cursor: %v", kyivPost, euromaidan, err)
		}
		if n != 3 || len(got) != 1 || got[0].ID != telegraph {
			t.Fatalf("FindOutlets after %s = %d items (total %d), want only %s", kyivPost, len(got), n, telegraph)
		}
	})

	type finder func(context.Context, graph.Page) error
	finders := map[string]finder{
		"Outlets":   func(ctx context.Context, p graph.Page) error { _, _, err := outletPages(db)(ctx, p); return err },
		"Officials": func(ctx context.Context, p graph.Page) error { _, _, err := officialPages(db)(ctx, p); return err },
		"Reports":   func(ctx context.Context, p graph.Page) error { _, _, err := reportPages(db)(ctx, p); return err },
		"Claims":    func(ctx context.Context, p graph.Page) error { _, _, err := claimPages(db)(ctx, p); return err },
	}
	for _, tt := range []struct {
		name string
		page graph.Page
	}{
		// Ensure a negative first and malformed or wrong-kind cursors are EINVALID.
		{"ErrNegativeFirst", graph.Page{First: -1}},
		{"ErrCursorWrongKind", graph.Page{After: "claim:zzz-not-any-list", First: 2}},
		{"ErrCursorMalformed", graph.Page{After: "nope", First: 2}},
		{"ErrCursorBadSlug", graph.Page{After: "outlet:Telegraph", First: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for name, find := range finders {
				page := tt.page
				if tt.name == "ErrCursorWrongKind" && name == "Claims" {
					page.After = "outlet:telegraph"
				}
				if err := find(context.Background(), page); graph.ErrorCode(err) != graph.EINVALID {
					t.Errorf("Find%s(%+v) = %v, want %q", name, page, err, graph.EINVALID)
				}
			}
		})
	}
}

func TestDB_FindNodes_PageSize(t *testing.T) {
	// Ensure first = 0 gives the default page size and a first over the
	// cap is cut to the cap graph.Page.Validate sets (MaxPageSize+1, so
	// that the API can look one item ahead), while the total counts every
	// node.
	db := MustOpenDB(t)
	const n = graph.MaxPageSize + 5
	ds := &graph.Dataset{}
	for i := 0; i < n; i++ {
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: fmt.Sprintf("outlet:o%03d", i), Name: "o"})
	}
	mustImport(t, db, ds)
	pageCap := graph.Page{First: 1 << 30}
	if err := pageCap.Validate(); err != nil || pageCap.First >= n || pageCap.First < graph.MaxPageSize {
		t.Fatalf("graph.Page caps first at %d (%v); this test needs a cap in [MaxPageSize, %d)", pageCap.First, err, n)
	}
	for _, tt := range []struct{ first, want int }{
		{0, graph.DefaultPageSize},
		{1, 1},
		{graph.MaxPageSize, graph.MaxPageSize},
		{pageCap.First, pageCap.First},
		{pageCap.First + 1, pageCap.First},
		{1 << 30, pageCap.First},
	} {
		got, total, err := db.FindOutlets(context.Background(), graph.OutletFilter{Page: graph.Page{First: tt.first}})
		if err != nil {
			t.Fatalf("first %d: %v", tt.first, err)
		}
		if len(got) != tt.want || total != n {
			t.Errorf("first %d: %d outlets of %d, want %d of %d", tt.first, len(got), total, tt.want, n)
		}
		for i, o := range got {
			if want := fmt.Sprintf("outlet:o%03d", i); o.ID != want {
				t.Fatalf("first %d: item %d is %s, want %s", tt.first, i, o.ID, want)
			}
		}
	}
	if got := pageAll(t, outletPages(db), func(o *graph.Outlet) string { return o.ID }, 7, n); len(got) != n {
		t.Fatalf("paging by 7 saw %d outlets, want %d", len(got), n)
	}
}

func TestDB_FindByID(t *testing.T) {
	db := MustOpenDB(t)
	mustImport(t, db, testDataset())
	find := map[string]func(ctx context.Context, id string) error{
		"Outlet":   func(ctx context.Context, id string) error { _, err := db.FindOutletByID(ctx, id); return err },
		"Official": func(ctx context.Context, id string) error { _, err := db.FindOfficialByID(ctx, id); return err },
		"Report":   func(ctx context.Context, id string) error { _, err := db.FindReportByID(ctx, id); return err },
		"Claim":    func(ctx context.Context, id string) error { _, err := db.FindClaimByID(ctx, id); return err },
	}
	stored := map[string]string{"Outlet": telegraph, "Official": negotiators, "Report": rTelegraph, "Claim": cBackstop}
	kinds := map[string]string{"Outlet": "outlet", "Official": "official", "Report": "report", "Claim": "claim"}
	for name, fn := range find {
		t.Run(name, func(t *testing.T) {
			// Ensure a stored ID is found, a missing one is ENOTFOUND and
			// an ID of another kind or a malformed one is EINVALID.
			ctx := context.Background()
			if err := fn(ctx, stored[name]); err != nil {
				t.Errorf("find %s: %v", stored[name], err)
			}
			if err := fn(ctx, kinds[name]+":missing"); graph.ErrorCode(err) != graph.ENOTFOUND {
				t.Errorf("find %s:missing = %v, want %q", kinds[name], err, graph.ENOTFOUND)
			}
			for other, id := range stored {
				if other == name {
					continue
				}
				if err := fn(ctx, id); graph.ErrorCode(err) != graph.EINVALID {
					t.Errorf("find %s (a %s) = %v, want %q", id, other, err, graph.EINVALID)
				}
			}
			// The slug of a stored node under the wrong kind prefix.
			if err := fn(ctx, kinds[name]+":telegraph-2025-04-25"); name != "Report" && graph.ErrorCode(err) != graph.ENOTFOUND {
				t.Errorf("find %s:telegraph-2025-04-25 = %v, want %q", kinds[name], err, graph.ENOTFOUND)
			}
			for _, bad := range []string{"", "telegraph", kinds[name] + ":", kinds[name] + ":Telegraph"} {
				if err := fn(ctx, bad); graph.ErrorCode(err) != graph.EINVALID {
					t.Errorf("find %q = %v, want %q", bad, err, graph.EINVALID)
				}
			}
		})
	}
}

func TestDB_Exists(t *testing.T) {
	// Ensure Exists reports the kind of stored IDs only.
	db := MustOpenDB(t)
	mustImport(t, db, testDataset())
	got, err := db.Exists(context.Background(), []string{
		telegraph, negotiators, rKyivPost, cCoalition, // stored
		"outlet:missing", "report:telegraph", "claim:telegraph", // valid, not stored
		"", "telegraph", "Outlet:telegraph", "outlet:Telegraph", // malformed
		telegraph, // twice
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]graph.Kind{telegraph: graph.KindOutlet, negotiators: graph.KindOfficial,
		rKyivPost: graph.KindReport, cCoalition: graph.KindClaim}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Exists = %v, want %v", got, want)
	}
	if got, err := db.Exists(context.Background(), nil); err != nil || len(got) != 0 {
		t.Fatalf("Exists(nil) = %v, %v; want an empty map", got, err)
	}
}

func TestDB_CancelledContext(t *testing.T) {
	// Ensure every read and write fails with the context's error once it is cancelled, and writes nothing.
	db := MustOpenDB(t)
	mustImport(t, db, testDataset())
	raw := mustRaw(t, db, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	extra := &graph.Dataset{Outlets: []*graph.Outlet{{ID: "outlet:new", Name: "New"}}}
	for name, call := range map[string]func() error{
		"ImportDataset":    func() error { _, err := db.ImportDataset(ctx, extra); return err },
		"Stats":            func() error { _, err := db.Stats(ctx); return err },
		"Exists":           func() error { _, err := db.Exists(ctx, []string{telegraph}); return err },
		"Walk":             func() error { return db.Walk(ctx, graph.Visitor{}) },
		"FindOutletByID":   func() error { _, err := db.FindOutletByID(ctx, telegraph); return err },
		"FindOfficialByID": func() error { _, err := db.FindOfficialByID(ctx, negotiators); return err },
		"FindReportByID":   func() error { _, err := db.FindReportByID(ctx, rTelegraph); return err },
		"FindClaimByID":    func() error { _, err := db.FindClaimByID(ctx, cBackstop); return err },
		"FindOutlets":      func() error { _, _, err := db.FindOutlets(ctx, graph.OutletFilter{}); return err },
		"FindOfficials":    func() error { _, _, err := db.FindOfficials(ctx, graph.OfficialFilter{}); return err },
		"FindReports":      func() error { _, _, err := db.FindReports(ctx, graph.ReportFilter{}); return err },
		"FindClaims":       func() error { _, _, err := db.FindClaims(ctx, graph.ClaimFilter{}); return err },
	} {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	if after := mustRaw(t, db, nil); !reflect.DeepEqual(after, raw) {
		t.Errorf("an import with a cancelled context changed the stored keys")
	}
}

func TestDB_CorruptValue(t *testing.T) {
	// Ensure a stored value the codec cannot read is an internal error, not a panic or a wrong node.
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		key  []byte
		call func(db *store.DB) error
	}{
		{"Outlet", store.NodeKey(telegraph), func(db *store.DB) error { _, err := db.FindOutletByID(ctx, telegraph); return err }},
		{"Claim", store.NodeKey(cBackstop), func(db *store.DB) error { _, err := db.FindClaimByID(ctx, cBackstop); return err }},
		{"Appearances", store.AdjKey(graph.EdgeReportedBy, cBackstop), func(db *store.DB) error { _, err := db.FindClaimByID(ctx, cBackstop); return err }},
		{"Cites", store.AdjKey(graph.EdgeCites, rKyivPost), func(db *store.DB) error { _, _, err := db.FindReports(ctx, graph.ReportFilter{}); return err }},
		{"SameAs", store.AdjKey(graph.EdgePossiblySameAs, usOfficials), func(db *store.DB) error {
			return db.Walk(ctx, graph.Visitor{Official: func(*graph.Official) error { return nil }})
		}},
		{"Counter", []byte("\x01count/edges"), func(db *store.DB) error { _, err := db.Stats(ctx); return err }},
		{"Import", store.AdjKey(graph.EdgeReportedBy, cBackstop), func(db *store.DB) error { _, err := db.ImportDataset(ctx, testDataset()); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			mustImport(t, db, testDataset())
			if err := store.SetRaw(db, tt.key, []byte{0x01, 0xff}); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(db); graph.ErrorCode(err) != graph.EINTERNAL {
				t.Fatalf("error = %v (code %q), want %q", err, graph.ErrorCode(err), graph.EINTERNAL)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	t.Run("Reopen", func(t *testing.T) {
		// Ensure a database on disk keeps its graph and counts across a close and reopen.
		opt := store.SmallOptions()
		opt.InMemory = false
		opt.Dir = t.TempDir()
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, db, testDataset())
		want := mustWalk(t, db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = mustOpenDBWith(t, opt)
		if got := mustStats(t, db); got != testStats {
			t.Errorf("Stats after reopen = %+v, want %+v", got, testStats)
		}
		if got := checkStored(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("Walk after reopen:\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("ErrNoDir", func(t *testing.T) {
		// Ensure an on-disk database without a directory is EINVALID.
		opt := store.SmallOptions()
		opt.InMemory = false
		if _, err := store.Open(opt); graph.ErrorCode(err) != graph.EINVALID {
			t.Fatalf("Open without a directory = %v, want %q", err, graph.EINVALID)
		}
	})
}
