package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// listDataset returns a graph made for the list filters, and the search
// words each claim carries in its text and quotes (spelled here, not
// computed by graph.Words). Its shape, with i the node's number:
//
//	outlet:oNN    45; country GB/UA/US by i%3; NEWSPAPER for even i,
//	              ONLINE for odd i, no type when i%9 == 7
//	official:pNN  30; anonymous for even i; PERSON/GROUP/INSTITUTION by
//	              i%3; country US/GB/UA/US/none by i%5
//	report:rNN    40; outlet o(i%5); PUBLISHED/CORRECTED/RETRACTED by i%3;
//	              odd i cites r(i-1), i%4 == 0 (i > 0) cites r00
//	claim:cNN     30; text "Claim about ukraine|gaza [ceasefire]"; topics
//	              security (i%4 == 0); aid and security (i%4 == 1); an
//	              appearance in r(i), attributed to p(i%5); even i also
//	              appear in r((i+11)%40), attributed to p(i%5) again, to
//	              o(i%3) and to r((i+1)%40)
func listDataset() (*graph.Dataset, map[string][]string) {
	ds := &graph.Dataset{}
	words := make(map[string][]string)
	o := func(i int) string { return fmt.Sprintf("outlet:o%02d", i) }
	p := func(i int) string { return fmt.Sprintf("official:p%02d", i) }
	r := func(i int) string { return fmt.Sprintf("report:r%02d", i) }
	for i := 0; i < 45; i++ {
		typ := graph.OutletNewspaper
		if i%2 == 1 {
			typ = graph.OutletOnline
		}
		if i%9 == 7 {
			typ = graph.OutletTypeUnset
		}
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: o(i), Name: fmt.Sprintf("Outlet %d", i),
			Country: []string{"GB", "UA", "US"}[i%3], Type: typ})
	}
	for i := 0; i < 30; i++ {
		ds.Officials = append(ds.Officials, &graph.Official{ID: p(i), Name: fmt.Sprintf("Official %d", i),
			Form:      []graph.OfficialForm{graph.FormPerson, graph.FormGroup, graph.FormInstitution}[i%3],
			Anonymous: i%2 == 0, Country: []string{"US", "GB", "UA", "US", ""}[i%5]})
	}
	for i := 0; i < 40; i++ {
		rep := &graph.Report{ID: r(i), Outlet: o(i % 5), Title: fmt.Sprintf("Report %d", i),
			Published: graph.MustParseDate(fmt.Sprintf("2025-01-%02d", i%28+1)),
			Status:    []graph.ReportStatus{graph.StatusPublished, graph.StatusCorrected, graph.StatusRetracted}[i%3]}
		if i%2 == 1 {
			rep.Cites = []string{r(i - 1)}
		}
		if i%4 == 0 && i > 0 {
			rep.Cites = []string{r(0)}
		}
		ds.Reports = append(ds.Reports, rep)
	}
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("claim:c%02d", i)
		ws := []string{"claim", "about"}
		if i%2 == 0 {
			ws = append(ws, "ukraine")
		} else {
			ws = append(ws, "gaza")
		}
		if i%3 == 0 {
			ws = append(ws, "ceasefire")
		}
		c := &graph.Claim{ID: id, Text: "Claim about " + strings.Join(ws[2:], " ")}
		switch i % 4 {
		case 0:
			c.Topics = []string{"security"}
		case 1:
			c.Topics = []string{"aid", "security"}
		}
		first := graph.Appearance{Report: r(i), Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: p(i % 5), Mode: graph.ModeDirectQuote}}}
		if i%4 == 2 {
			first.Quote = "the envoy said"
			ws = append(ws, "the", "envoy", "said")
		}
		if i%7 == 0 {
			first.Attributions[0].Quote = "sources said"
			ws = append(ws, "sources", "said")
		}
		c.Appearances = append(c.Appearances, first)
		if i%2 == 0 {
			c.Appearances = append(c.Appearances, graph.Appearance{Report: r((i + 11) % 40), Mode: graph.ModeAggregation,
				Attributions: []graph.Attribution{
					{Source: p(i % 5), Mode: graph.ModeParaphrase},
					{Source: o(i % 3), Mode: graph.ModeCitesReport},
					{Source: r((i + 1) % 40), Mode: graph.ModeCitesReport},
				}})
		}
		ds.Claims = append(ds.Claims, c)
		words[id] = ws
	}
	return ds, words
}

// openListDB returns a database holding listDataset.
func openListDB(tb testing.TB) (*store.DB, *graph.Dataset, map[string][]string) {
	tb.Helper()
	db := MustOpenDB(tb)
	ds, words := listDataset()
	mustImport(tb, db, ds)
	return db, ds, words
}

// checkList checks a filtered list against the IDs it must hold, in ID
// order: paging through it 2 and 100 at a time visits every match once,
// every page gives the exact total, and a page of size 0 holds the first
// DefaultPageSize matches.
func checkList[T any](t *testing.T, find func(context.Context, graph.Page) ([]T, int, error), id func(T) string, want []string) {
	t.Helper()
	if !slices.IsSorted(want) {
		t.Fatalf("test bug: want %q is not in ID order", want)
	}
	for _, first := range []int{2, 100} {
		var got []string
		for _, n := range pageAll(t, find, id, first, len(want)) {
			got = append(got, id(n))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("paging by %d = %q, want %q", first, got, want)
		}
	}
	items, total, err := find(context.Background(), graph.Page{})
	if err != nil {
		t.Fatalf("page of size 0: %v", err)
	}
	var got []string
	for _, n := range items {
		got = append(got, id(n))
	}
	wantPage := want[:min(len(want), graph.DefaultPageSize)]
	if total != len(want) || len(got) != len(wantPage) || len(got) > 0 && !reflect.DeepEqual(got, wantPage) {
		t.Errorf("page of size 0 = %q (total %d), want %q (total %d)", got, total, wantPage, len(want))
	}
}

// idsWhere returns the IDs of the nodes that pass keep, in ID order.
func idsWhere[T any](nodes []T, id func(T) string, keep func(T) bool) []string {
	var out []string
	for _, n := range nodes {
		if keep(n) {
			out = append(out, id(n))
		}
	}
	slices.Sort(out)
	return out
}

func outletID(o *graph.Outlet) string     { return o.ID }
func officialID(o *graph.Official) string { return o.ID }
func reportID(r *graph.Report) string     { return r.ID }
func claimID(c *graph.Claim) string       { return c.ID }

func TestDB_FindOutlets_Filter(t *testing.T) {
	db, ds, _ := openListDB(t)
	for _, tt := range []struct {
		name string
		f    graph.OutletFilter
		keep func(*graph.Outlet) bool
		n    int // the number of matches, to pin the dataset
	}{
		// Ensure each filter field alone and both together keep exactly their matches.
		{"OKCountry", graph.OutletFilter{Country: "GB"}, func(o *graph.Outlet) bool { return o.Country == "GB" }, 15},
		{"OKType", graph.OutletFilter{Type: graph.OutletNewspaper}, func(o *graph.Outlet) bool { return o.Type == graph.OutletNewspaper }, 21},
		{"OKTypeOnline", graph.OutletFilter{Type: graph.OutletOnline}, func(o *graph.Outlet) bool { return o.Type == graph.OutletOnline }, 19},
		{"OKCountryAndType", graph.OutletFilter{Country: "UA", Type: graph.OutletOnline},
			func(o *graph.Outlet) bool { return o.Country == "UA" && o.Type == graph.OutletOnline }, 5},
		{"OKNone", graph.OutletFilter{Country: "FR"}, func(*graph.Outlet) bool { return false }, 0},
		{"OKAll", graph.OutletFilter{}, func(*graph.Outlet) bool { return true }, 45},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := idsWhere(ds.Outlets, outletID, tt.keep)
			if len(want) != tt.n {
				t.Fatalf("test bug: %d outlets match, expected %d", len(want), tt.n)
			}
			checkList(t, func(ctx context.Context, p graph.Page) ([]*graph.Outlet, int, error) {
				f := tt.f
				f.Page = p
				return db.FindOutlets(ctx, f)
			}, outletID, want)
		})
	}
}

func TestDB_FindOfficials_Filter(t *testing.T) {
	db, ds, _ := openListDB(t)
	for _, tt := range []struct {
		name string
		f    graph.OfficialFilter
		keep func(*graph.Official) bool
	}{
		// Ensure each filter field alone and together keep exactly their matches.
		{"OKAnonymous", graph.OfficialFilter{Anonymous: ptr(true)}, func(o *graph.Official) bool { return o.Anonymous }},
		{"OKNamed", graph.OfficialFilter{Anonymous: ptr(false)}, func(o *graph.Official) bool { return !o.Anonymous }},
		{"OKForm", graph.OfficialFilter{Form: graph.FormGroup}, func(o *graph.Official) bool { return o.Form == graph.FormGroup }},
		{"OKCountry", graph.OfficialFilter{Country: "US"}, func(o *graph.Official) bool { return o.Country == "US" }},
		{"OKAnonymousAndForm", graph.OfficialFilter{Anonymous: ptr(true), Form: graph.FormInstitution},
			func(o *graph.Official) bool { return o.Anonymous && o.Form == graph.FormInstitution }},
		{"OKAll3", graph.OfficialFilter{Anonymous: ptr(false), Form: graph.FormPerson, Country: "US"},
			func(o *graph.Official) bool { return !o.Anonymous && o.Form == graph.FormPerson && o.Country == "US" }},
		{"OKNone", graph.OfficialFilter{Anonymous: ptr(true), Country: "FR"}, func(*graph.Official) bool { return false }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := idsWhere(ds.Officials, officialID, tt.keep)
			checkList(t, func(ctx context.Context, p graph.Page) ([]*graph.Official, int, error) {
				f := tt.f
				f.Page = p
				return db.FindOfficials(ctx, f)
			}, officialID, want)
		})
	}
}

func TestDB_FindReports_Filter(t *testing.T) {
	db, ds, _ := openListDB(t)
	cites := func(r *graph.Report, id string) bool { return slices.Contains(r.Cites, id) }
	for _, tt := range []struct {
		name string
		f    graph.ReportFilter
		keep func(*graph.Report) bool
		n    int
	}{
		// Ensure each filter field alone and combined keep exactly their matches.
		{"OKOutlet", graph.ReportFilter{Outlet: "outlet:o01"}, func(r *graph.Report) bool { return r.Outlet == "outlet:o01" }, 8},
		{"OKOutletWithoutReports", graph.ReportFilter{Outlet: "outlet:o40"}, func(*graph.Report) bool { return false }, 0},
		{"OKCites", graph.ReportFilter{Cites: "report:r00"}, func(r *graph.Report) bool { return cites(r, "report:r00") }, 10},
		{"OKStatus", graph.ReportFilter{Status: graph.StatusRetracted}, func(r *graph.Report) bool { return r.Status == graph.StatusRetracted }, 13},
		{"OKOutletAndCites", graph.ReportFilter{Outlet: "outlet:o04", Cites: "report:r00"},
			func(r *graph.Report) bool { return r.Outlet == "outlet:o04" && cites(r, "report:r00") }, 2},
		{"OKOutletAndStatus", graph.ReportFilter{Outlet: "outlet:o02", Status: graph.StatusCorrected},
			func(r *graph.Report) bool { return r.Outlet == "outlet:o02" && r.Status == graph.StatusCorrected }, 3},
		{"OKCitesAndStatus", graph.ReportFilter{Cites: "report:r00", Status: graph.StatusPublished},
			func(r *graph.Report) bool { return cites(r, "report:r00") && r.Status == graph.StatusPublished }, 3},
		{"OKAll3", graph.ReportFilter{Outlet: "outlet:o03", Cites: "report:r02", Status: graph.StatusPublished},
			func(r *graph.Report) bool {
				return r.Outlet == "outlet:o03" && cites(r, "report:r02") && r.Status == graph.StatusPublished
			}, 1},
		{"OKMissingOutlet", graph.ReportFilter{Outlet: "outlet:missing"}, func(*graph.Report) bool { return false }, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := idsWhere(ds.Reports, reportID, tt.keep)
			if len(want) != tt.n {
				t.Fatalf("test bug: %d reports match (%q), expected %d", len(want), want, tt.n)
			}
			checkList(t, func(ctx context.Context, p graph.Page) ([]*graph.Report, int, error) {
				f := tt.f
				f.Page = p
				return db.FindReports(ctx, f)
			}, reportID, want)
		})
	}

	for _, tt := range []struct {
		name string
		f    graph.ReportFilter
	}{
		// Ensure filter IDs of the wrong kind and cursors of the wrong kind are EINVALID.
		{"ErrOutletOfWrongKind", graph.ReportFilter{Outlet: "report:r00"}},
		{"ErrCitesOfWrongKind", graph.ReportFilter{Cites: "outlet:o00"}},
		{"ErrMalformedOutlet", graph.ReportFilter{Outlet: "o00"}},
		{"ErrCursorOfWrongKind", graph.ReportFilter{Outlet: "outlet:o01", Page: graph.Page{After: "outlet:o01"}}},
		{"ErrNegativeFirst", graph.ReportFilter{Cites: "report:r00", Page: graph.Page{First: -1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.FindReports(context.Background(), tt.f)
			wantCode(t, "FindReports", err, graph.EINVALID)
		})
	}
}

func TestDB_FindClaims_Filter(t *testing.T) {
	db, ds, words := openListDB(t)
	appearsIn := func(c *graph.Claim, r string) bool {
		return slices.ContainsFunc(c.Appearances, func(a graph.Appearance) bool { return a.Report == r })
	}
	attributedTo := func(c *graph.Claim, s string) bool {
		for _, a := range c.Appearances {
			for _, at := range a.Attributions {
				if at.Source == s {
					return true
				}
			}
		}
		return false
	}
	has := func(c *graph.Claim, ws ...string) bool {
		for _, w := range ws {
			if !slices.Contains(words[c.ID], w) {
				return false
			}
		}
		return true
	}
	for _, tt := range []struct {
		name string
		f    graph.ClaimFilter
		keep func(*graph.Claim) bool
		n    int
	}{
		// Ensure each filter field alone and combined keep exactly their matches.
		{"OKReport", graph.ClaimFilter{Report: "report:r11"}, func(c *graph.Claim) bool { return appearsIn(c, "report:r11") }, 2},
		{"OKReportSecondAppearance", graph.ClaimFilter{Report: "report:r35"}, func(c *graph.Claim) bool { return appearsIn(c, "report:r35") }, 1},
		{"OKSourceOfficial", graph.ClaimFilter{Source: "official:p00"}, func(c *graph.Claim) bool { return attributedTo(c, "official:p00") }, 6},
		{"OKSourceOutlet", graph.ClaimFilter{Source: "outlet:o01"}, func(c *graph.Claim) bool { return attributedTo(c, "outlet:o01") }, 5},
		{"OKSourceReport", graph.ClaimFilter{Source: "report:r05"}, func(c *graph.Claim) bool { return attributedTo(c, "report:r05") }, 1},
		{"OKSourceNeverNamed", graph.ClaimFilter{Source: "official:p29"}, func(*graph.Claim) bool { return false }, 0},
		{"OKTopic", graph.ClaimFilter{Topic: "security"}, func(c *graph.Claim) bool { return slices.Contains(c.Topics, "security") }, 16},
		{"OKTopicAid", graph.ClaimFilter{Topic: "aid"}, func(c *graph.Claim) bool { return slices.Contains(c.Topics, "aid") }, 8},
		{"OKSearch", graph.ClaimFilter{Search: "ukraine"}, func(c *graph.Claim) bool { return has(c, "ukraine") }, 15},
		{"OKSearchEveryClaim", graph.ClaimFilter{Search: "Claim"}, func(c *graph.Claim) bool { return has(c, "claim") }, 30},
		{"OKSearchTwoWords", graph.ClaimFilter{Search: "Ukraine, ceasefire!"}, func(c *graph.Claim) bool { return has(c, "ukraine", "ceasefire") }, 5},
		{"OKSearchAppearanceQuote", graph.ClaimFilter{Search: "ENVOY"}, func(c *graph.Claim) bool { return has(c, "envoy") }, 7},
		{"OKSearchAttributionQuote", graph.ClaimFilter{Search: "sources"}, func(c *graph.Claim) bool { return has(c, "sources") }, 5},
		{"OKSearchTextAndQuote", graph.ClaimFilter{Search: "ukraine said"}, func(c *graph.Claim) bool { return has(c, "ukraine", "said") }, 9},
		{"OKSearchAndTopic", graph.ClaimFilter{Search: "ukraine", Topic: "security"},
			func(c *graph.Claim) bool { return has(c, "ukraine") && slices.Contains(c.Topics, "security") }, 8},
		{"OKSourceAndTopic", graph.ClaimFilter{Source: "official:p00", Topic: "security"},
			func(c *graph.Claim) bool {
				return attributedTo(c, "official:p00") && slices.Contains(c.Topics, "security")
			}, 4},
		{"OKReportAndSource", graph.ClaimFilter{Report: "report:r11", Source: "official:p00"},
			func(c *graph.Claim) bool { return appearsIn(c, "report:r11") && attributedTo(c, "official:p00") }, 1},
		{"OKSearchAndSource", graph.ClaimFilter{Search: "ceasefire", Source: "outlet:o00"},
			func(c *graph.Claim) bool { return has(c, "ceasefire") && attributedTo(c, "outlet:o00") }, 5},
		{"OKAll4", graph.ClaimFilter{Search: "ukraine", Report: "report:r11", Source: "official:p00", Topic: "security"},
			func(c *graph.Claim) bool {
				return has(c, "ukraine") && appearsIn(c, "report:r11") && attributedTo(c, "official:p00") && slices.Contains(c.Topics, "security")
			}, 1},
		{"OKSearchNothing", graph.ClaimFilter{Search: "nothing"}, func(*graph.Claim) bool { return false }, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := idsWhere(ds.Claims, claimID, tt.keep)
			if len(want) != tt.n {
				t.Fatalf("test bug: %d claims match (%q), expected %d", len(want), want, tt.n)
			}
			checkList(t, func(ctx context.Context, p graph.Page) ([]*graph.Claim, int, error) {
				f := tt.f
				f.Page = p
				return db.FindClaims(ctx, f)
			}, claimID, want)
		})
	}

	for _, tt := range []struct {
		name string
		f    graph.ClaimFilter
	}{
		// Ensure a search with no words, filter IDs of the wrong kind and a cursor of the wrong kind are EINVALID.
		{"ErrSearchOneLetter", graph.ClaimFilter{Search: "a"}},
		{"ErrSearchPunctuation", graph.ClaimFilter{Search: " !? -- "}},
		{"ErrSearchSpaces", graph.ClaimFilter{Search: "   "}},
		{"ErrSearchLoneApostrophe", graph.ClaimFilter{Search: "' ’ I"}},
		{"ErrSourceOfKindClaim", graph.ClaimFilter{Source: "claim:c00"}},
		{"ErrSourceMalformed", graph.ClaimFilter{Source: "p00"}},
		{"ErrReportOfWrongKind", graph.ClaimFilter{Report: "outlet:o00"}},
		{"ErrCursorOfWrongKind", graph.ClaimFilter{Search: "ukraine", Page: graph.Page{After: "report:r00"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.FindClaims(context.Background(), tt.f)
			wantCode(t, "FindClaims", err, graph.EINVALID)
		})
	}
}

func TestDB_FindFiltered_UsesIndexes(t *testing.T) {
	// Ensure filters by outlet, cited report, appearance report, source and
	// search word read only their candidates through the reverse edges and
	// the index: a corrupt node outside them does not fail the list, while
	// a filter that must scan every node does fail on it.
	ctx := context.Background()
	db, _, _ := openListDB(t)
	// r39: outlet o04, cites r38, no claim appears in it.
	// c29: text "gaza", appears in r29 attributed to p04, topics aid and security.
	for _, id := range []string{"report:r39", "claim:c29"} {
		if err := store.SetRaw(db, store.NodeKey(id), []byte{0x01, 0xff}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		call func() (int, error)
		code string
	}{
		{"OKReportsByOutlet", func() (int, error) {
			_, n, err := db.FindReports(ctx, graph.ReportFilter{Outlet: "outlet:o01"})
			return n, err
		}, ""},
		{"OKReportsByCites", func() (int, error) {
			_, n, err := db.FindReports(ctx, graph.ReportFilter{Cites: "report:r00"})
			return n, err
		}, ""},
		{"OKClaimsByReport", func() (int, error) {
			_, n, err := db.FindClaims(ctx, graph.ClaimFilter{Report: "report:r11"})
			return n, err
		}, ""},
		{"OKClaimsBySource", func() (int, error) {
			_, n, err := db.FindClaims(ctx, graph.ClaimFilter{Source: "official:p00"})
			return n, err
		}, ""},
		{"OKClaimsBySearch", func() (int, error) {
			_, n, err := db.FindClaims(ctx, graph.ClaimFilter{Search: "ukraine"})
			return n, err
		}, ""},
		{"ErrReportsByStatus", func() (int, error) {
			_, n, err := db.FindReports(ctx, graph.ReportFilter{Status: graph.StatusPublished})
			return n, err
		}, graph.EINTERNAL},
		{"ErrClaimsByTopic", func() (int, error) {
			_, n, err := db.FindClaims(ctx, graph.ClaimFilter{Topic: "security"})
			return n, err
		}, graph.EINTERNAL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.call()
			wantCode(t, "list", err, tt.code)
			if err == nil && n == 0 {
				t.Errorf("list found nothing")
			}
		})
	}
}

func TestDB_FindAttributions(t *testing.T) {
	ctx := context.Background()
	db, ds, _ := openListDB(t)
	refsTo := func(source string) []graph.AttributionRef {
		var out []graph.AttributionRef
		for _, c := range ds.Claims {
			for _, a := range c.Appearances {
				for _, at := range a.Attributions {
					if at.Source == source {
						out = append(out, graph.AttributionRef{Claim: c.ID, Report: a.Report, Attribution: at})
					}
				}
			}
		}
		slices.SortFunc(out, func(a, b graph.AttributionRef) int {
			return strings.Compare(a.Claim+" "+a.Report, b.Claim+" "+b.Report)
		})
		return out
	}

	for _, tt := range []struct {
		name, source string
		n            int
	}{
		// Ensure paging 2 at a time visits every attribution naming the
		// source once, in (claim, report) order, with its mode and quote,
		// and every page gives the exact total.
		{"OKOfficial", "official:p00", 9}, // 6 claims, 3 of them attributing in 2 reports
		{"OKOutlet", "outlet:o02", 5},
		{"OKReport", "report:r01", 1},
		{"OKNone", "official:p29", 0},
		{"OKMissing", "official:missing", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := refsTo(tt.source)
			if len(want) != tt.n {
				t.Fatalf("test bug: %d attributions to %s, expected %d", len(want), tt.source, tt.n)
			}
			var got []graph.AttributionRef
			after := ""
			for pages := 0; pages <= tt.n; pages++ {
				refs, total, err := db.FindAttributions(ctx, graph.AttributionFilter{Source: tt.source, Page: graph.Page{First: 2, After: after}})
				if err != nil {
					t.Fatalf("FindAttributions after %q: %v", after, err)
				}
				if total != tt.n {
					t.Errorf("FindAttributions after %q: total %d, want %d", after, total, tt.n)
				}
				if len(refs) > 2 {
					t.Fatalf("FindAttributions after %q: %d refs on a page of 2", after, len(refs))
				}
				if len(refs) == 0 {
					break
				}
				got = append(got, refs...)
				last := refs[len(refs)-1]
				after = last.Claim + " " + last.Report
			}
			if len(got) != 0 || len(want) != 0 {
				wantEqual(t, "attributions to "+tt.source, got, want)
			}
			refs, total, err := db.FindAttributions(ctx, graph.AttributionFilter{Source: tt.source})
			if err != nil || total != tt.n || len(refs) != min(tt.n, graph.DefaultPageSize) {
				t.Errorf("FindAttributions with first 0 = %d refs (total %d), %v; want %d", len(refs), total, err, tt.n)
			}
		})
	}

	t.Run("OKModeAndQuote", func(t *testing.T) {
		// Ensure a ref carries the mode and quote of the attribution in that report, not of another.
		refs, _, err := db.FindAttributions(ctx, graph.AttributionFilter{Source: "official:p00", Page: graph.Page{First: 2}})
		if err != nil {
			t.Fatal(err)
		}
		want := []graph.AttributionRef{
			{Claim: "claim:c00", Report: "report:r00", Attribution: graph.Attribution{Source: "official:p00", Mode: graph.ModeDirectQuote, Quote: "sources said"}},
			{Claim: "claim:c00", Report: "report:r11", Attribution: graph.Attribution{Source: "official:p00", Mode: graph.ModeParaphrase}},
		}
		wantEqual(t, "FindAttributions", refs, want)
	})

	for _, tt := range []struct {
		name string
		f    graph.AttributionFilter
	}{
		// Ensure a source that is not an official, report or outlet, and a negative first, are EINVALID.
		{"ErrSourceOfKindClaim", graph.AttributionFilter{Source: "claim:c00"}},
		{"ErrNoSource", graph.AttributionFilter{}},
		{"ErrMalformedSource", graph.AttributionFilter{Source: "official:P00"}},
		{"ErrNegativeFirst", graph.AttributionFilter{Source: "official:p00", Page: graph.Page{First: -1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.FindAttributions(ctx, tt.f)
			wantCode(t, "FindAttributions", err, graph.EINVALID)
		})
	}
}

func TestDB_FindClaims_Search(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	const trump = "claim:trump-envoy"
	err := db.CreateClaim(ctx, &graph.Claim{ID: trump, Text: "Trump's envoy met Putin.",
		Appearances: []graph.Appearance{{Report: rKyivPost, Mode: graph.ModeTranslation, Quote: "Україна не погодиться", Language: "uk"}}})
	wantCode(t, "CreateClaim", err, "")

	for _, tt := range []struct {
		name, search string
		want         []string
	}{
		// Ensure a search finds the words of the text, of appearance quotes
		// and of attribution quotes, case-insensitively, AND-ing its words.
		{"OKText", "backstop", []string{cBackstop}},
		{"OKCaseInsensitive", "BackStop", []string{cBackstop}},
		{"OKAppearanceQuote", "your back", []string{cBackstop}},
		{"OKAttributionQuote", "negotiators", []string{cBackstop}},
		{"OKTwoWords", "coalition willing", []string{cCoalition}},
		{"OKTwoWordsAnded", "coalition backstop", nil},
		{"OKShortWord", "US", []string{cBackstop}},
		{"OKAcrossTextAndQuotes", "offered said telegraph", []string{cBackstop}},
		{"OKPunctuation", "…backstop!?", []string{cBackstop}},
		{"OKUnicodeCase", "УКРАЇНА", []string{trump}},
		// Ensure apostrophes inside a word are dropped on both sides:
		// "Trump's" is indexed and searched as "trumps", so a search for
		// "trump" alone does not find it.
		{"OKApostrophe", "trumps", []string{trump}},
		{"OKApostropheInSearch", "Trump's", []string{trump}},
		{"OKTypographicApostrophe", "TRUMP’S envoy", []string{trump}},
		{"OKApostropheInQuote", "well", []string{cBackstop}}, // "we'll"
		{"OKNotAPrefixSearch", "trump", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := searchIDs(t, db, tt.search); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("search %q = %q, want %q", tt.search, got, tt.want)
			}
		})
	}

	t.Run("ErrNoWords", func(t *testing.T) {
		// Ensure a search without a word of MinWordLen letters or digits is EINVALID.
		for _, s := range []string{"a", "  ", "?!", "'", "x y z"} {
			_, _, err := db.FindClaims(ctx, graph.ClaimFilter{Search: s})
			wantCode(t, fmt.Sprintf("FindClaims(search %q)", s), err, graph.EINVALID)
		}
	})

	t.Run("OKIndexMaintained", func(t *testing.T) {
		// Ensure the index follows every write that changes a claim's words: text, appearances and attributions.
		db := openTestDB(t)
		check := func(step string, want map[string][]string) {
			t.Helper()
			for search, ids := range want {
				if got := searchIDs(t, db, search); !reflect.DeepEqual(got, ids) {
					t.Errorf("after %s: search %q = %q, want %q", step, search, got, ids)
				}
			}
			checkWrite(t, db)
		}
		_, err := db.UpdateClaim(ctx, cCoalition, graph.ClaimUpdate{Text: ptr("European peacekeepers will deploy.")})
		wantCode(t, "UpdateClaim", err, "")
		check("UpdateClaim", map[string][]string{"coalition": nil, "willing": nil, "peacekeepers": {cCoalition}, "deploy": {cCoalition}})

		_, err = db.AddAppearance(ctx, cCoalition, graph.Appearance{Report: rKyivPost, Mode: graph.ModeDirectQuote, Quote: "boots on the ground",
			Attributions: []graph.Attribution{{Source: starmer, Mode: graph.ModeDirectQuote, Quote: "Starmer told parliament"}}})
		wantCode(t, "AddAppearance", err, "")
		check("AddAppearance", map[string][]string{"boots": {cCoalition}, "parliament": {cCoalition}})

		_, err = db.AddAttribution(ctx, cBackstop, rEuromaidan, graph.Attribution{Source: starmer, Mode: graph.ModeParaphrase, Quote: "parliament heard"})
		wantCode(t, "AddAttribution", err, "")
		check("AddAttribution", map[string][]string{"parliament": {cCoalition, cBackstop}, "heard": {cBackstop}})

		_, err = db.RemoveAttribution(ctx, cCoalition, rKyivPost, starmer)
		wantCode(t, "RemoveAttribution", err, "")
		check("RemoveAttribution", map[string][]string{"parliament": {cBackstop}, "boots": {cCoalition}})

		_, err = db.RemoveAppearance(ctx, cCoalition, rKyivPost)
		wantCode(t, "RemoveAppearance", err, "")
		check("RemoveAppearance", map[string][]string{"boots": nil, "peacekeepers": {cCoalition}})

		wantCode(t, "DeleteClaim", db.DeleteClaim(ctx, cBackstop), "")
		check("DeleteClaim", map[string][]string{"parliament": nil, "heard": nil, "backstop": nil, "deploy": {cCoalition}})
	})
}

func TestDB_FindClaims_SearchSeed(t *testing.T) {
	// Ensure that on the seed every word of every claim finds exactly the
	// claims that carry it, and two words of a claim together find it.
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := fixtures.LoadSeed(ctx, db); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	s := checkWrite(t, db)
	carriers := make(map[string][]string) // word → claims, in ID order
	claimWords := make(map[string][]string)
	for _, c := range s.Claims {
		claimWords[c.ID] = graph.ClaimWords(c)
		for _, w := range claimWords[c.ID] {
			carriers[w] = append(carriers[w], c.ID)
		}
	}
	if len(carriers) < 100 {
		t.Fatalf("the seed has only %d distinct words", len(carriers))
	}
	for w, want := range carriers {
		if got := searchIDs(t, db, w); !reflect.DeepEqual(got, want) {
			t.Errorf("search %q = %q, want %q", w, got, want)
		}
	}
	for _, c := range s.Claims {
		ws := claimWords[c.ID]
		pair := ws[0] + " " + strings.ToUpper(ws[len(ws)-1])
		if got := searchIDs(t, db, pair); !slices.Contains(got, c.ID) {
			t.Errorf("search %q = %q, misses %s", pair, got, c.ID)
		}
	}
}
