package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/fixtures/claimreview"
	"hearsay/graph"
)

// snapshotQuery reads every node's ID and fields, for before/after checks
// (the store's export adds every edge in full).
const snapshotQuery = `{
  outlets(first: 100) { totalCount edges { node { id name country outletType ratings { rating ratedAt } } } }
  officials(first: 100) { totalCount edges { node { id name anonymous possiblySameAs { id } } } }
  reports(first: 100) { totalCount edges { node { id status published outlet { id } cites { id } } } }
  claims(first: 100) { totalCount edges { node { id text topics appearances { report { id } mode } } } }
}`

// snapshot returns the whole graph as the API shows it and as the store
// exports it.
func (s *Server) snapshot(tb testing.TB) string {
	tb.Helper()
	r := s.Query(tb, snapshotQuery, nil)
	r.MustData(tb, nil)
	var buf bytes.Buffer
	if err := fixtures.Export(context.Background(), s.DB, graph.DatasetInfo{ID: "snapshot"}, &buf); err != nil {
		tb.Fatal(err)
	}
	return string(r.Body) + "\n" + buf.String()
}

func TestWrites_Auth(t *testing.T) {
	s := MustServer(t)
	const create = `mutation { createOutlet(input: {id: "outlet:kyiv-independent", name: "The Kyiv Independent", country: "UA", outletType: ONLINE}) { id name } }`
	for _, tt := range []struct {
		name, header string
	}{
		{"ErrNoHeader", ""},
		{"ErrWrongToken", "Bearer not-the-token"},
		{"ErrEmptyBearer", "Bearer "},
		{"ErrTokenPrefix", "Bearer test"},
		{"ErrTokenSuffix", "Bearer test-token-and-more"},
		{"ErrNoScheme", testToken},
		{"ErrBasic", "Basic dGVzdC10b2tlbg=="},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the write is refused with 401 UNAUTHENTICATED and writes nothing.
			body, _ := json.Marshal(Request{Query: create})
			hr := mustRequest(t, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
			hr.Header.Set("Content-Type", "application/json")
			if tt.header != "" {
				hr.Header.Set("Authorization", tt.header)
			}
			s.Do(t, hr).MustFail(t, http.StatusUnauthorized, api.CodeUnauthenticated)
			if r := s.Query(t, `{ outlet(id: "outlet:kyiv-independent") { id } }`, nil); string(r.Body) != `{"data":{"outlet":null}}` {
				t.Errorf("the refused write wrote: %s", r.Body)
			}
		})
	}
	t.Run("ErrQueryAndMutation", func(t *testing.T) {
		// Ensure a document's mutation is refused without a token even when
		// a query of the same document runs without one.
		r := s.Post(t, "", Request{Query: `query Q { outlets { totalCount } } ` + strings.Replace(create, "mutation", "mutation M", 1), OperationName: "M"})
		r.MustFail(t, http.StatusUnauthorized, api.CodeUnauthenticated)
		s.Post(t, "", Request{Query: `query Q { outlets { totalCount } } ` + strings.Replace(create, "mutation", "mutation M", 1), OperationName: "Q"}).MustData(t, nil)
	})
	t.Run("OK", func(t *testing.T) {
		// Ensure with the token the write is accepted and reads back.
		var data struct{ CreateOutlet Source }
		s.MustMutate(t, create, nil, &data)
		if data.CreateOutlet.ID != "outlet:kyiv-independent" || data.CreateOutlet.Name != "The Kyiv Independent" {
			t.Errorf("created %+v", data.CreateOutlet)
		}
		var back struct {
			Outlet struct {
				Name, Country, OutletType string
			}
			Outlets connection
		}
		s.MustQuery(t, `{ outlet(id: "outlet:kyiv-independent") { name country outletType } outlets { totalCount } }`, nil, &back)
		if back.Outlet.Name != "The Kyiv Independent" || back.Outlet.Country != "UA" || back.Outlet.OutletType != "ONLINE" || back.Outlets.TotalCount != 3 {
			t.Errorf("read back %+v", back)
		}
	})
}

// TestMutations runs every mutation at least once and reads its effect
// back through queries.
func TestMutations(t *testing.T) {
	s := MustServer(t)
	mutate := func(t *testing.T, q string, v any) {
		t.Helper()
		s.MustMutate(t, q, nil, v)
	}
	query := func(t *testing.T, q string, v any) {
		t.Helper()
		s.MustQuery(t, q, nil, v)
	}

	t.Run("OKOutlet", func(t *testing.T) {
		// Ensure createOutlet, updateOutlet and deleteOutlet do what they say.
		mutate(t, `mutation { createOutlet(input: {id: "outlet:reuters", name: "Reuters", domain: "reuters.com", country: "GB", language: "en", outletType: WIRE_AGENCY,
			ratings: [{rating: A, ratedBy: "desk", ratedAt: "2025-01-01", note: "wire"}]}) { id } }`, nil)
		var o struct {
			UpdateOutlet struct{ Name, Domain, Country, Reliability string }
		}
		mutate(t, `mutation { updateOutlet(id: "outlet:reuters", input: {name: "Reuters News", domain: ""}) { name domain country reliability } }`, &o)
		if o.UpdateOutlet.Name != "Reuters News" || o.UpdateOutlet.Domain != "" || o.UpdateOutlet.Country != "GB" || o.UpdateOutlet.Reliability != "A" {
			t.Errorf("updated outlet %+v, want the name changed, the domain cleared, the rest kept", o.UpdateOutlet)
		}
		var d struct{ DeleteOutlet string }
		mutate(t, `mutation { deleteOutlet(id: "outlet:reuters") }`, &d)
		if d.DeleteOutlet != "outlet:reuters" {
			t.Errorf("deleteOutlet returned %q", d.DeleteOutlet)
		}
		if r := s.Query(t, `{ outlet(id: "outlet:reuters") { id } }`, nil); string(r.Body) != `{"data":{"outlet":null}}` {
			t.Errorf("deleted outlet reads %s", r.Body)
		}
	})
	t.Run("OKReport", func(t *testing.T) {
		// Ensure createReport, updateReport (RETRACTED) and deleteReport work,
		// and the outlet's reports and the cited report's citedBy follow.
		var c struct {
			CreateReport struct {
				ID, Published, Status string
				Outlet                Source
				Cites                 []Source
			}
		}
		mutate(t, `mutation { createReport(input: {id: "report:telegraph-follow-up", outlet: "outlet:telegraph", title: "Follow-up",
			published: "2025-04-26T08:30:00Z", status: PUBLISHED, cites: ["`+telegraphReport+`"]}) { id published status outlet { id } cites { id } } }`, &c)
		if c.CreateReport.Outlet.ID != "outlet:telegraph" || len(c.CreateReport.Cites) != 1 || c.CreateReport.Status != "PUBLISHED" ||
			!strings.HasPrefix(c.CreateReport.Published, "2025-04-26T08:30:00") {
			t.Errorf("created %+v", c.CreateReport)
		}
		var q struct {
			Outlet struct{ Reports connection }
			Report struct{ CitedBy []Source }
		}
		query(t, `{ outlet(id: "outlet:telegraph") { reports { totalCount } } report(id: "`+telegraphReport+`") { citedBy { id } } }`, &q)
		if q.Outlet.Reports.TotalCount != 2 || len(q.Report.CitedBy) != 2 {
			t.Errorf("after createReport: %d Telegraph reports, cited by %+v", q.Outlet.Reports.TotalCount, q.Report.CitedBy)
		}
		var u struct {
			UpdateReport struct{ Status, Title string }
		}
		mutate(t, `mutation { updateReport(id: "report:telegraph-follow-up", input: {status: RETRACTED}) { status title } }`, &u)
		if u.UpdateReport.Status != "RETRACTED" || u.UpdateReport.Title != "Follow-up" {
			t.Errorf("updated %+v, want RETRACTED with the title kept", u.UpdateReport)
		}
		var f struct{ Reports connection }
		query(t, `{ reports(filter: {status: RETRACTED}) { totalCount edges { node { id } } } }`, &f)
		if f.Reports.TotalCount != 1 || f.Reports.Edges[0].Node.ID != "report:telegraph-follow-up" {
			t.Errorf("retracted reports %+v", f.Reports)
		}
		mutate(t, `mutation { deleteReport(id: "report:telegraph-follow-up") }`, nil)
		query(t, `{ outlet(id: "outlet:telegraph") { reports { totalCount } } report(id: "`+telegraphReport+`") { citedBy { id } } }`, &q)
		if q.Outlet.Reports.TotalCount != 1 || len(q.Report.CitedBy) != 1 {
			t.Errorf("after deleteReport: %d Telegraph reports, cited by %+v", q.Outlet.Reports.TotalCount, q.Report.CitedBy)
		}
	})
	t.Run("OKOfficial", func(t *testing.T) {
		// Ensure createOfficial links possiblySameAs both ways, updateOfficial
		// changes fields, deleteOfficial unlinks.
		mutate(t, `mutation { createOfficial(input: {id: "official:us-diplomats-unnamed", name: "unnamed US diplomats", form: GROUP, anonymous: true,
			country: "US", possiblySameAs: ["`+usOfficials+`"]}) { id } }`, nil)
		var q struct {
			Official struct{ PossiblySameAs []Source }
		}
		query(t, `{ official(id: "`+usOfficials+`") { possiblySameAs { id } } }`, &q)
		if ids := sourceIDs(q.Official.PossiblySameAs); !slices.Equal(ids, []string{"official:us-diplomats-unnamed", usNegotiators}) {
			t.Errorf("%s possiblySameAs %q", usOfficials, ids)
		}
		var u struct {
			UpdateOfficial struct {
				Role, Form string
				Anonymous  bool
			}
		}
		mutate(t, `mutation { updateOfficial(id: "official:us-diplomats-unnamed", input: {role: "diplomats", form: PERSON}) { role form anonymous } }`, &u)
		if u.UpdateOfficial.Role != "diplomats" || u.UpdateOfficial.Form != "PERSON" || !u.UpdateOfficial.Anonymous {
			t.Errorf("updated %+v", u.UpdateOfficial)
		}
		mutate(t, `mutation { deleteOfficial(id: "official:us-diplomats-unnamed") }`, nil)
		query(t, `{ official(id: "`+usOfficials+`") { possiblySameAs { id } } }`, &q)
		if ids := sourceIDs(q.Official.PossiblySameAs); !slices.Equal(ids, []string{usNegotiators}) {
			t.Errorf("after delete, possiblySameAs %q", ids)
		}
	})
	t.Run("OKClaim", func(t *testing.T) {
		// Ensure createClaim with an attributed appearance traces, updateClaim
		// changes text and topics, deleteClaim removes it from its report.
		mutate(t, `mutation { createClaim(input: {id: "claim:starmer-new-claim", text: "Keir Starmer made a new claim.", topics: ["test"],
			appearances: [{report: "`+telegraphReport+`", quote: "a new claim", mode: DIRECT_QUOTE,
				attributedTo: [{source: "official:keir-starmer", mode: DIRECT_QUOTE, quote: "a new claim"}]}]}) { id } }`, nil)
		if got := s.chains(t, "claim:starmer-new-claim"); !slices.Equal(got, []string{"The Telegraph -DIRECT_QUOTE-> Keir Starmer [OFFICIAL]"}) {
			t.Errorf("chains %q", got)
		}
		var u struct {
			UpdateClaim struct {
				Text   string
				Topics []string
			}
		}
		mutate(t, `mutation { updateClaim(id: "claim:starmer-new-claim", input: {text: "Changed.", topics: ["a", "b"]}) { text topics } }`, &u)
		if u.UpdateClaim.Text != "Changed." || !slices.Equal(u.UpdateClaim.Topics, []string{"a", "b"}) {
			t.Errorf("updated %+v", u.UpdateClaim)
		}
		mutate(t, `mutation { deleteClaim(id: "claim:starmer-new-claim") }`, nil)
		var q struct {
			Report struct{ Appearances []struct{ Claim Source } }
		}
		query(t, `{ report(id: "`+telegraphReport+`") { appearances { claim { id } } } }`, &q)
		for _, a := range q.Report.Appearances {
			if a.Claim.ID == "claim:starmer-new-claim" {
				t.Error("the deleted claim still appears in the report")
			}
		}
		if len(q.Report.Appearances) != 12 {
			t.Errorf("the Telegraph report has %d appearances, want the seed's 12", len(q.Report.Appearances))
		}
	})
	t.Run("OKAppearance", func(t *testing.T) {
		// Ensure addAppearance and removeAppearance change the claim's
		// appearances and the report's; a second add is CONFLICT, a second
		// remove NOT_FOUND.
		const claim = "claim:trump-publicly-avoided-guarantees"
		add := `mutation { addAppearance(claim: "` + claim + `", input: {report: "` + telegraphReport + `", quote: "avoided committing", mode: PARAPHRASE, hedge: "reportedly", language: "en"}) { appearances { report { id } hedge } } }`
		var a struct {
			AddAppearance struct {
				Appearances []struct {
					Report Source
					Hedge  *string
				}
			}
		}
		mutate(t, add, &a)
		if n := len(a.AddAppearance.Appearances); n != 2 || a.AddAppearance.Appearances[1].Report.ID != telegraphReport ||
			a.AddAppearance.Appearances[1].Hedge == nil || *a.AddAppearance.Appearances[1].Hedge != "reportedly" {
			t.Errorf("appearances after add: %+v", a.AddAppearance.Appearances)
		}
		s.Mutate(t, add, nil).MustFail(t, http.StatusOK, api.CodeConflict)
		// The Euromaidan appearance now leads, inferred, to the Telegraph one.
		if got := s.chains(t, claim); !slices.Contains(got, "Euromaidan Press -CITES_REPORT(inferred)-> The Telegraph -UNATTRIBUTED-> The Telegraph [UNATTRIBUTED]") {
			t.Errorf("chains %q, want Euromaidan Press inferred to The Telegraph", got)
		}
		remove := `mutation { removeAppearance(claim: "` + claim + `", report: "` + telegraphReport + `") { appearances { report { id } } } }`
		mutate(t, remove, nil)
		s.Mutate(t, remove, nil).MustFail(t, http.StatusOK, api.CodeNotFound)
		if got := s.chains(t, claim); !slices.Equal(got, []string{"Euromaidan Press -UNATTRIBUTED-> Euromaidan Press [UNATTRIBUTED]"}) {
			t.Errorf("chains after remove %q", got)
		}
	})
	t.Run("OKAttribution", func(t *testing.T) {
		// Ensure addAttribution adds a branch to the chains and
		// removeAttribution takes it away; repeats are CONFLICT and NOT_FOUND.
		const claim = "claim:key-question-us-intervene-if-attacked"
		add := `mutation { addAttribution(claim: "` + claim + `", report: "` + telegraphReport + `", input: {source: "official:british-officials-unnamed", mode: PARAPHRASE, quote: "key question"}) { id } }`
		mutate(t, add, nil)
		s.Mutate(t, add, nil).MustFail(t, http.StatusOK, api.CodeConflict)
		want := []string{
			"Euromaidan Press -CITES_REPORT-> The Telegraph -PARAPHRASE-> unnamed British officials [OFFICIAL]",
			"The Telegraph -PARAPHRASE-> unnamed British officials [OFFICIAL]",
		}
		if got := s.chains(t, claim); !slices.Equal(got, want) {
			t.Errorf("chains\n  %q\nwant\n  %q", got, want)
		}
		var q struct {
			Official struct{ Attributions connection }
		}
		query(t, `{ official(id: "official:british-officials-unnamed") { attributions { totalCount } } }`, &q)
		if q.Official.Attributions.TotalCount != 2 {
			t.Errorf("British officials have %d attributions, want 2", q.Official.Attributions.TotalCount)
		}
		remove := `mutation { removeAttribution(claim: "` + claim + `", report: "` + telegraphReport + `", source: "official:british-officials-unnamed") { id } }`
		mutate(t, remove, nil)
		s.Mutate(t, remove, nil).MustFail(t, http.StatusOK, api.CodeNotFound)
		s.Mutate(t, `mutation { addAttribution(claim: "`+claim+`", report: "report:nowhere", input: {source: "official:keir-starmer", mode: PARAPHRASE}) { id } }`, nil).
			MustFail(t, http.StatusOK, api.CodeNotFound)
		if got := s.chains(t, claim); !slices.Equal(got, []string{"Euromaidan Press -CITES_REPORT-> The Telegraph -UNATTRIBUTED-> The Telegraph [UNATTRIBUTED]",
			"The Telegraph -UNATTRIBUTED-> The Telegraph [UNATTRIBUTED]"}) {
			t.Errorf("chains after remove %q", got)
		}
	})
	t.Run("OKCitation", func(t *testing.T) {
		// Ensure addCitation shows in cites and citedBy and creates inferred
		// attributions (here circular); removeCitation undoes it.
		var c struct{ AddCitation struct{ Cites []Source } }
		mutate(t, `mutation { addCitation(report: "`+telegraphReport+`", cites: "`+euromaidanReport+`") { cites { id } } }`, &c)
		if ids := sourceIDs(c.AddCitation.Cites); !slices.Equal(ids, []string{euromaidanReport}) {
			t.Errorf("cites %q", ids)
		}
		var q struct {
			Report struct {
				CitedBy     []Source
				Appearances []struct {
					Claim        Source
					Attributions []struct {
						Source   Source
						Mode     string
						Inferred bool
					}
				}
			}
		}
		query(t, `{ report(id: "`+euromaidanReport+`") { citedBy { id } } }`, &q)
		if ids := sourceIDs(q.Report.CitedBy); !slices.Equal(ids, []string{telegraphReport}) {
			t.Errorf("Euromaidan cited by %q", ids)
		}
		query(t, `{ report(id: "`+telegraphReport+`") { appearances { claim { id } attributions { source { `+sourceFields+` } mode inferred } } } }`, &q)
		// The Telegraph's own reporting that Euromaidan repeats: the claims
		// unattributed in the Telegraph and carried by both reports.
		var inferred []string
		for _, a := range q.Report.Appearances {
			for _, at := range a.Attributions {
				if at.Inferred {
					inferred = append(inferred, a.Claim.ID)
					if at.Source.ID != euromaidanReport || at.Mode != "CITES_REPORT" {
						t.Errorf("inferred attribution of %s to %s (%s)", a.Claim.ID, at.Source.ID, at.Mode)
					}
				}
			}
		}
		slices.Sort(inferred)
		if want := []string{"claim:assistance-could-include-intel-logistics", "claim:key-question-us-intervene-if-attacked",
			"claim:starmer-pressing-trump-two-months"}; !slices.Equal(inferred, want) {
			t.Errorf("inferred attributions for %q, want %q (the claims unattributed in the Telegraph and in both reports)", inferred, want)
		}
		want := []string{
			"Euromaidan Press -CITES_REPORT-> The Telegraph -CITES_REPORT(inferred)-> nothing [CIRCULAR]",
			"The Telegraph -CITES_REPORT(inferred)-> Euromaidan Press -CITES_REPORT-> nothing [CIRCULAR]",
		}
		if got := s.chains(t, "claim:key-question-us-intervene-if-attacked"); !slices.Equal(got, want) {
			t.Errorf("chains\n  %q\nwant\n  %q", got, want)
		}
		mutate(t, `mutation { removeCitation(report: "`+telegraphReport+`", cites: "`+euromaidanReport+`") { id } }`, nil)
		query(t, `{ report(id: "`+euromaidanReport+`") { citedBy { id } } }`, &q)
		if len(q.Report.CitedBy) != 0 {
			t.Errorf("after removeCitation, cited by %+v", q.Report.CitedBy)
		}
	})
	t.Run("OKRating", func(t *testing.T) {
		// Ensure addRating appends to the history and the newest rating
		// becomes the reliability, for outlets and officials.
		var o struct {
			AddRating struct {
				Typename    string `json:"__typename"`
				Reliability string
				Ratings     []struct{ Rating, RatedAt string }
			}
		}
		mutate(t, `mutation { addRating(id: "outlet:telegraph", input: {rating: D, ratedBy: "desk", ratedAt: "2026-01-01", note: "downgraded"}) {
			__typename ... on Outlet { reliability ratings { rating ratedAt } } } }`, &o)
		if o.AddRating.Typename != "Outlet" || o.AddRating.Reliability != "D" || len(o.AddRating.Ratings) != 2 || o.AddRating.Ratings[0].Rating != "B" {
			t.Errorf("after addRating %+v, want reliability D after the seed's B", o.AddRating)
		}
		var h struct {
			Claim struct {
				Chains []struct {
					Hops []struct{ Outlet struct{ Reliability string } }
				}
			}
		}
		query(t, `{ claim(id: "`+headline+`") { chains { hops { outlet { reliability } } } } }`, &h)
		if got := h.Claim.Chains[0].Hops[1].Outlet.Reliability; got != "D" {
			t.Errorf("the Telegraph hop's outlet reliability %q, want D", got)
		}
		mutate(t, `mutation { addRating(id: "`+usNegotiators+`", input: {rating: F, ratedAt: "2025-05-01"}) { ... on Official { reliability } } }`, &o)
		if o.AddRating.Reliability != "F" {
			t.Errorf("official reliability %q, want F", o.AddRating.Reliability)
		}
		s.Mutate(t, `mutation { addRating(id: "`+headline+`", input: {rating: A}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
		s.Mutate(t, `mutation { addRating(id: "outlet:nowhere", input: {rating: A}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeNotFound)
	})
	t.Run("OKReview", func(t *testing.T) {
		// Ensure addReview adds a review to the claim, with its title and
		// the rating as printed beside the verdict.
		type review struct{ Verdict, ReviewedBy, ReviewedAt, URL, Title, RatingText string }
		var r struct{ AddReview struct{ Reviews []review } }
		mutate(t, `mutation { addReview(claim: "`+headline+`", input: {verdict: UNPROVEN, reviewedBy: "A Checker", reviewedAt: "2025-05-02", url: "https://example.org/r",
			title: "Did the US offer a backstop?", ratingText: "Unsupported"}) {
			reviews { verdict reviewedBy reviewedAt url title ratingText } } }`, &r)
		want := review{"UNPROVEN", "A Checker", "2025-05-02", "https://example.org/r", "Did the US offer a backstop?", "Unsupported"}
		if len(r.AddReview.Reviews) != 1 || r.AddReview.Reviews[0] != want {
			t.Errorf("reviews %+v, want [%+v]", r.AddReview.Reviews, want)
		}
		s.Mutate(t, `mutation { addReview(claim: "claim:nowhere", input: {verdict: TRUE, reviewedBy: "X"}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeNotFound)
		// Ensure a rating text over the limit is a bad input.
		s.Mutate(t, `mutation { addReview(claim: "`+headline+`", input: {verdict: TRUE, reviewedBy: "X", ratingText: "`+strings.Repeat("r", graph.MaxNameLen+1)+`"}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
	})
	t.Run("OKSerialFields", func(t *testing.T) {
		// Ensure the fields of one mutation run in order, each seeing the
		// writes before it.
		var m struct {
			A struct{ ID string }
			B struct{ Name string }
			C struct{ Outlet struct{ Reports connection } }
		}
		mutate(t, `mutation {
			a: createOutlet(input: {id: "outlet:serial", name: "Serial"}) { id }
			b: updateOutlet(id: "outlet:serial", input: {name: "Serial Two"}) { name }
			c: createReport(input: {id: "report:serial", outlet: "outlet:serial"}) { outlet { reports { totalCount } } }
		}`, &m)
		if m.A.ID != "outlet:serial" || m.B.Name != "Serial Two" || m.C.Outlet.Reports.TotalCount != 1 {
			t.Errorf("got %+v", m)
		}
	})
}

func sourceIDs(ss []Source) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

// TestDelete_Cascade deletes the seed's referenced nodes without and with
// cascade, each on its own server.
func TestDelete_Cascade(t *testing.T) {
	t.Run("ErrConflictOfficial", func(t *testing.T) {
		// Ensure deleting an attributed official without cascade is CONFLICT
		// and changes nothing.
		s := MustServer(t)
		before := s.snapshot(t)
		e := s.Mutate(t, `mutation { deleteOfficial(id: "`+usNegotiators+`") }`, nil).MustFail(t, http.StatusOK, api.CodeConflict)
		if !strings.Contains(e.Message, "cascade") {
			t.Errorf("message %q does not say how to delete anyway", e.Message)
		}
		if s.snapshot(t) != before {
			t.Error("the refused delete changed the graph")
		}
	})
	t.Run("OKOfficial", func(t *testing.T) {
		// Ensure with cascade the official and the attributions to it go: the
		// headline chain now ends UNATTRIBUTED at The Telegraph.
		s := MustServer(t)
		s.MustMutate(t, `mutation { deleteOfficial(id: "`+usNegotiators+`", cascade: true) }`, nil, nil)
		want := []string{
			"Euromaidan Press -CITES_REPORT-> The Telegraph -UNATTRIBUTED-> The Telegraph [UNATTRIBUTED]",
			"The Telegraph -UNATTRIBUTED-> The Telegraph [UNATTRIBUTED]",
		}
		if got := s.chains(t, headline); !slices.Equal(got, want) {
			t.Errorf("headline chains\n  %q\nwant\n  %q", got, want)
		}
		var q struct {
			Official *Source
			Other    struct{ PossiblySameAs []Source }
			Claim    struct {
				Appearances []struct{ Attributions []struct{ Source Source } }
			}
			Officials connection
		}
		s.MustQuery(t, `{ official(id: "`+usNegotiators+`") { id } other: official(id: "`+usOfficials+`") { possiblySameAs { id } }
			claim(id: "claim:us-offers-security-guarantees") { appearances { attributions { source { `+sourceFields+` } } } } officials { totalCount } }`, nil, &q)
		if q.Official != nil || len(q.Other.PossiblySameAs) != 0 || q.Officials.TotalCount != 10 {
			t.Errorf("official %+v, possiblySameAs %+v, %d officials", q.Official, q.Other.PossiblySameAs, q.Officials.TotalCount)
		}
		// The other official of the claim's Telegraph appearance stays.
		if at := q.Claim.Appearances[1].Attributions; len(at) != 1 || at[0].Source.ID != usOfficials {
			t.Errorf("the Telegraph appearance's attributions %+v, want only %s", at, usOfficials)
		}
	})
	t.Run("ErrConflictReport", func(t *testing.T) {
		// Ensure deleting the Telegraph report without cascade is CONFLICT,
		// names what refers to it, and changes nothing.
		s := MustServer(t)
		before := s.snapshot(t)
		e := s.Mutate(t, `mutation { deleteReport(id: "`+telegraphReport+`") }`, nil).MustFail(t, http.StatusOK, api.CodeConflict)
		if !strings.Contains(e.Message, telegraphReport) {
			t.Errorf("message %q does not name the report", e.Message)
		}
		if s.snapshot(t) != before {
			t.Error("the refused delete changed the graph")
		}
	})
	t.Run("OKReport", func(t *testing.T) {
		// Ensure with cascade the report, its appearances, the attributions and
		// citations naming it go, and the chains stop at Euromaidan Press.
		s := MustServer(t)
		s.MustMutate(t, `mutation { deleteReport(id: "`+telegraphReport+`", cascade: true) }`, nil, nil)
		var q struct {
			Report     *Source
			Euromaidan struct {
				Cites, CitedBy []Source
				Appearances    []struct {
					Claim        Source
					Attributions []struct{ Source Source }
				}
			}
			Outlet struct{ Reports connection }
		}
		s.MustQuery(t, `{ report(id: "`+telegraphReport+`") { id } euromaidan: report(id: "`+euromaidanReport+`") { cites { id } citedBy { id }
			appearances { claim { id } attributions { source { `+sourceFields+` } } } } outlet(id: "outlet:telegraph") { reports { totalCount } } }`, nil, &q)
		if q.Report != nil || len(q.Euromaidan.Cites) != 0 || q.Outlet.Reports.TotalCount != 0 {
			t.Errorf("report %+v, Euromaidan cites %+v, Telegraph has %d reports", q.Report, q.Euromaidan.Cites, q.Outlet.Reports.TotalCount)
		}
		if len(q.Euromaidan.Appearances) != 25 {
			t.Errorf("Euromaidan has %d appearances, want all 25 claims", len(q.Euromaidan.Appearances))
		}
		for _, a := range q.Euromaidan.Appearances {
			for _, at := range a.Attributions {
				if at.Source.ID == telegraphReport {
					t.Errorf("%s is still attributed to the deleted report", a.Claim.ID)
				}
			}
		}
		if got := s.chains(t, headline); !slices.Equal(got, []string{"Euromaidan Press -UNATTRIBUTED-> Euromaidan Press [UNATTRIBUTED]"}) {
			t.Errorf("headline chains %q", got)
		}
		// The attribution to the Telegraph as an outlet stays, now unrecorded.
		if got := s.chains(t, "claim:us-officials-willing-intelligence-logistics"); !slices.Equal(got, []string{"Euromaidan Press -CITES_REPORT-> The Telegraph [OUTLET_UNRECORDED]"}) {
			t.Errorf("chains %q", got)
		}
	})
	t.Run("ErrConflictOutlet", func(t *testing.T) {
		// Ensure deleting an outlet with reports without cascade is CONFLICT.
		s := MustServer(t)
		before := s.snapshot(t)
		s.Mutate(t, `mutation { deleteOutlet(id: "outlet:telegraph") }`, nil).MustFail(t, http.StatusOK, api.CodeConflict)
		if s.snapshot(t) != before {
			t.Error("the refused delete changed the graph")
		}
	})
	t.Run("OKOutlet", func(t *testing.T) {
		// Ensure with cascade the outlet, its reports and every attribution
		// to them go.
		s := MustServer(t)
		s.MustMutate(t, `mutation { deleteOutlet(id: "outlet:telegraph", cascade: true) }`, nil, nil)
		var q struct{ Outlets, Reports connection }
		s.MustQuery(t, `{ outlets { totalCount } reports { totalCount edges { node { id } } } }`, nil, &q)
		if q.Outlets.TotalCount != 1 || q.Reports.TotalCount != 1 || q.Reports.Edges[0].Node.ID != euromaidanReport {
			t.Errorf("outlets %d, reports %+v", q.Outlets.TotalCount, q.Reports)
		}
		if got := s.chains(t, "claim:us-officials-willing-intelligence-logistics"); !slices.Equal(got, []string{"Euromaidan Press -UNATTRIBUTED-> Euromaidan Press [UNATTRIBUTED]"}) {
			t.Errorf("chains %q", got)
		}
	})
}

// dataset builds a hearsay/v1 document from its sections.
func dataset(outlets, officials, reports, claims string) string {
	return fmt.Sprintf(`{"format": "hearsay/v1", "dataset": {"id": "import-test"},
 "outlets": [%s], "officials": [%s], "reports": [%s], "claims": [%s]}`, outlets, officials, reports, claims)
}

func TestImportDataset(t *testing.T) {
	const importMutation = `mutation($data: String!) { importDataset(data: $data) { nodes edges outlets officials reports claims } }`
	valid := dataset(
		`{"id": "outlet:kyiv-independent", "name": "The Kyiv Independent", "country": "UA", "outletType": "ONLINE"}`,
		`{"id": "official:zelensky", "name": "Volodymyr Zelensky", "form": "PERSON", "anonymous": false, "country": "UA"}`,
		`{"id": "report:kyiv-independent-2025-04-26", "outlet": "outlet:kyiv-independent", "published": "2025-04-26", "cites": ["`+telegraphReport+`"]}`,
		`{"id": "claim:zelensky-welcomes-backstop", "text": "Volodymyr Zelensky welcomed the US backstop.",
		  "appearances": [{"report": "report:kyiv-independent-2025-04-26", "mode": "PARAPHRASE", "attributedTo": [{"source": "official:zelensky", "mode": "PARAPHRASE"}]}]},
		 {"id": "claim:us-negotiators-willing-to-support-western-force", "text": "In private, US negotiators have made clear in recent weeks that they are willing to provide support and assistance to a Western force in Ukraine.",
		  "topics": ["security-guarantees", "coalition-of-the-willing", "peacekeeping"],
		  "appearances": [
		    {"report": "`+euromaidanReport+`", "quote": "in private US negotiators have made clear in recent weeks that they are willing to provide support and assistance to a Western force.", "mode": "DIRECT_QUOTE", "language": "en", "hedge": "The Telegraph said",
		     "attributedTo": [{"source": "`+telegraphReport+`", "mode": "CITES_REPORT", "quote": "in private US negotiators have made clear in recent weeks that they are willing to provide support and assistance to a Western force."}]},
		    {"report": "`+telegraphReport+`", "quote": "in private US negotiators have made clear in recent weeks that they are willing to provide support and assistance to a Western force.", "mode": "PARAPHRASE", "language": "en",
		     "attributedTo": [{"source": "`+usNegotiators+`", "mode": "PARAPHRASE"}]},
		    {"report": "report:kyiv-independent-2025-04-26", "mode": "PARAPHRASE", "attributedTo": [{"source": "outlet:telegraph", "mode": "CITES_REPORT"}]}]}`)

	t.Run("OK", func(t *testing.T) {
		// Ensure a valid dataset adds its nodes, may refer to stored nodes,
		// and loading it again changes nothing.
		s := MustServer(t)
		var r struct {
			ImportDataset struct{ Nodes, Edges, Outlets, Officials, Reports, Claims int }
		}
		s.MustMutate(t, importMutation, map[string]any{"data": valid}, &r)
		if got := r.ImportDataset; got.Nodes != 5 || got.Outlets != 1 || got.Officials != 1 || got.Reports != 1 || got.Claims != 2 || got.Edges == 0 {
			t.Errorf("result %+v, want 5 nodes: 1 outlet, 1 official, 1 report, 2 claims", got)
		}
		want := []string{
			"Euromaidan Press -CITES_REPORT-> The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]",
			"The Kyiv Independent -CITES_REPORT-> The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]",
			"The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]",
		}
		if got := s.chains(t, headline); !slices.Equal(got, want) {
			t.Errorf("headline chains\n  %q\nwant\n  %q", got, want)
		}
		after := s.snapshot(t)
		var again struct {
			ImportDataset struct{ Nodes, Edges int }
		}
		s.MustMutate(t, importMutation, map[string]any{"data": valid}, &again)
		if again.ImportDataset.Nodes != r.ImportDataset.Nodes || again.ImportDataset.Edges != r.ImportDataset.Edges {
			t.Errorf("second import %+v, first %+v", again.ImportDataset, r.ImportDataset)
		}
		if s.snapshot(t) != after {
			t.Error("importing the same dataset twice changed the graph")
		}
	})
	t.Run("OKSeedAgain", func(t *testing.T) {
		// Ensure importing the seed into the seeded graph changes nothing.
		s := MustServer(t)
		before := s.snapshot(t)
		s.MustMutate(t, importMutation, map[string]any{"data": string(fixtures.Seed())}, nil)
		if s.snapshot(t) != before {
			t.Error("re-importing the seed changed the graph")
		}
	})
	t.Run("OKIntoEmpty", func(t *testing.T) {
		// Ensure the seed imported through the API into an empty server gives
		// the same headline chain as the one loaded directly.
		s := MustServer(t, WithoutSeed())
		s.MustMutate(t, importMutation, map[string]any{"data": string(fixtures.Seed())}, nil)
		if got := s.chains(t, headline); len(got) != 2 || got[0] != "Euromaidan Press -CITES_REPORT-> The Telegraph -PARAPHRASE-> unnamed US negotiators [OFFICIAL]" {
			t.Errorf("chains %q", got)
		}
	})
	var claims []string
	for i := range 30 {
		claims = append(claims, fmt.Sprintf(`{"id": "claim:bulk-%02d", "text": "Bulk claim %d.", "appearances": [{"report": "%s", "mode": "PARAPHRASE"}]}`, i, i, telegraphReport))
	}
	shouted := `{"id": "claim:bulk-last", "text": "The last one.", "appearances": [{"report": "` + telegraphReport + `", "mode": "SHOUTED"}]}`
	for _, tt := range []struct {
		name, data, want string
	}{
		{"ErrModeOnLastRecord", dataset("", "", "", strings.Join(append(slices.Clone(claims), shouted), ",")),
			`claims[30].appearances[0].mode: unknown attribution mode "SHOUTED"`},
		{"ErrUnknownReference", dataset("", "", "", strings.Join(claims, ",")+`,{"id": "claim:bulk-ref", "text": "R.", "appearances": [{"report": "report:nowhere", "mode": "PARAPHRASE"}]}`),
			`claims[30].appearances[0].report: unknown report "report:nowhere"`},
		{"ErrUnknownField", dataset(`{"id": "outlet:x", "name": "X", "owner": "Y"}`, "", "", ""), `outlets[0].owner: unknown field "owner"`},
		{"ErrMalformed", `{"format": "hearsay/v1", "outlets": [`, `malformed JSON`},
		{"ErrFormat", `{"format": "hearsay/v9"}`, `format: unsupported format "hearsay/v9"`},
		{"ErrNDJSONLastLine", `{"kind": "dataset", "format": "hearsay/v1", "id": "nd"}` + "\n" +
			`{"kind": "outlet", "id": "outlet:nd", "name": "ND"}` + "\n" +
			`{"kind": "report", "id": "report:nd", "outlet": "outlet:nd"}` + "\n" +
			`{"kind": "claim", "id": "claim:nd", "text": "ND.", "appearances": [{"report": "report:nd", "mode": "SHOUTED"}]}` + "\n",
			`:4: appearances[0].mode: unknown attribution mode "SHOUTED"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure an invalid dataset is BAD_USER_INPUT naming the JSON path,
			// and leaves the graph exactly as it was.
			s := MustServer(t)
			before := s.snapshot(t)
			e := s.Mutate(t, importMutation, map[string]any{"data": tt.data}).MustFail(t, http.StatusOK, api.CodeBadUserInput)
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.want)
			}
			if s.snapshot(t) != before {
				t.Error("the rejected dataset changed the graph")
			}
		})
	}
	t.Run("ErrNoToken", func(t *testing.T) {
		// Ensure importDataset is a write like any other.
		s := MustServer(t)
		s.Post(t, "", Request{Query: importMutation, Variables: map[string]any{"data": valid}}).MustFail(t, http.StatusUnauthorized, api.CodeUnauthenticated)
	})
}

func TestConcurrentWrites(t *testing.T) {
	s := MustServer(t)
	const n = 8
	run := func(query func(i int) string) []*Response {
		out := make([]*Response, n)
		done := make(chan struct{})
		for i := range n {
			go func() {
				defer func() { done <- struct{}{} }()
				body, _ := json.Marshal(Request{Query: query(i)})
				hr, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer "+testToken)
				resp, err := s.Client().Do(hr)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				r := &Response{Status: resp.StatusCode}
				if json.NewDecoder(resp.Body).Decode(r) == nil {
					out[i] = r
				}
			}()
		}
		for range n {
			<-done
		}
		return out
	}
	t.Run("OKOneCreateWins", func(t *testing.T) {
		// Ensure of concurrent creates of one ID exactly one succeeds and the
		// others are CONFLICT.
		rs := run(func(i int) string {
			return fmt.Sprintf(`mutation { createOutlet(input: {id: "outlet:race", name: "Racer %d"}) { id } }`, i)
		})
		won := 0
		for i, r := range rs {
			switch {
			case r == nil:
				t.Errorf("request %d failed", i)
			case len(r.Errors) == 0:
				won++
			case r.Errors[0].Code() != api.CodeConflict:
				t.Errorf("request %d: %+v", i, r.Errors)
			}
		}
		if won != 1 {
			t.Errorf("%d creates succeeded, want 1", won)
		}
	})
	t.Run("OKNoLostUpdates", func(t *testing.T) {
		// Ensure concurrent addRating calls on one outlet all land.
		rs := run(func(i int) string {
			return fmt.Sprintf(`mutation { addRating(id: "outlet:telegraph", input: {rating: C, ratedBy: "rater %d", ratedAt: "2025-06-%02d"}) { id } }`, i, i+1)
		})
		for i, r := range rs {
			if r == nil || len(r.Errors) > 0 {
				t.Errorf("request %d: %+v", i, r)
			}
		}
		var data struct {
			Outlet struct{ Ratings []struct{ RatedBy string } }
		}
		s.MustQuery(t, `{ outlet(id: "outlet:telegraph") { ratings { ratedBy } } }`, nil, &data)
		if len(data.Outlet.Ratings) != n+1 {
			t.Errorf("%d ratings, want the seed's 1 and %d new", len(data.Outlet.Ratings), n)
		}
	})
}

func TestUpdateReport(t *testing.T) {
	s := MustServer(t)
	t.Run("OKMovesOutlet", func(t *testing.T) {
		// Ensure changing a report's outlet moves it between the outlets'
		// reports connections, and the chain names the new outlet.
		s.MustMutate(t, `mutation { updateReport(id: "`+telegraphReport+`", input: {outlet: "outlet:euromaidanpress"}) { outlet { id } } }`, nil, nil)
		var data struct {
			T struct{ Reports connection }
			E struct{ Reports connection }
		}
		s.MustQuery(t, `{ t: outlet(id: "outlet:telegraph") { reports { totalCount } } e: outlet(id: "outlet:euromaidanpress") { reports { totalCount } } }`, nil, &data)
		if data.T.Reports.TotalCount != 0 || data.E.Reports.TotalCount != 2 {
			t.Errorf("Telegraph has %d reports, Euromaidan %d; want 0 and 2", data.T.Reports.TotalCount, data.E.Reports.TotalCount)
		}
		if got := s.chains(t, headline); len(got) != 2 || got[1] != "Euromaidan Press -PARAPHRASE-> unnamed US negotiators [OFFICIAL]" {
			t.Errorf("chains %q", got)
		}
	})
	t.Run("ErrClearsRequired", func(t *testing.T) {
		// Ensure an update that clears a required field is refused.
		s.Mutate(t, `mutation { updateReport(id: "`+telegraphReport+`", input: {outlet: ""}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
		s.Mutate(t, `mutation { updateClaim(id: "`+headline+`", input: {text: ""}) { id } }`, nil).MustFail(t, http.StatusOK, api.CodeBadUserInput)
	})
}

func TestUpdate_NullAndEmpty(t *testing.T) {
	s := MustServer(t)
	// Ensure, as OutletUpdateInput's description says, a null field stays
	// and "" clears an optional one. (The null comes in a variable:
	// graphql-go v0.8.1 cannot parse a null literal.)
	var data struct {
		UpdateOutlet struct {
			Name    string
			Domain  *string
			Country *string
		}
	}
	s.MustMutate(t, `mutation($i: OutletUpdateInput!) { updateOutlet(id: "outlet:telegraph", input: $i) { name domain country } }`,
		map[string]any{"i": map[string]any{"name": nil, "domain": nil, "country": ""}}, &data)
	if got := data.UpdateOutlet; got.Name != "The Telegraph" || got.Domain == nil || *got.Domain != "telegraph.co.uk" || got.Country != nil {
		t.Errorf("after {name: null, domain: null, country: \"\"}: %+v, want name and domain kept, country cleared", got)
	}
}

func TestImportDataset_ClaimReview(t *testing.T) {
	const importMutation = `mutation($data: String!) { importDataset(data: $data) { nodes outlets officials reports claims } }`
	const review = `{"@context": "https://schema.org", "@type": "ClaimReview",
	  "url": "https://fullfact.org/europe/backstop-offer/", "claimReviewed": "The US offered a security backstop.",
	  "headline": "Did the US offer a backstop?", "datePublished": "2025-04-28",
	  "author": {"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org"},
	  "reviewRating": {"@type": "Rating", "alternateName": "Missing context"},
	  "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "The Telegraph"},
	    "appearance": [{"@type": "CreativeWork", "url": "https://www.telegraph.co.uk/world-news/2025/04/25/us-backstop/", "datePublished": "2025-04-25"}]}}`
	ds, err := claimreview.Parse("data", strings.NewReader(review))
	if err != nil {
		t.Fatal(err)
	}
	id := ds.Claims[0].ID
	t.Run("OK", func(t *testing.T) {
		// Ensure ClaimReview JSON-LD is told apart from hearsay/v1 by
		// content and loaded: the claim with its review, the rating as
		// printed beside the verdict, the fact-checker as an outlet; and
		// that loading it again changes nothing.
		s := MustServer(t)
		var r struct {
			ImportDataset struct{ Nodes, Outlets, Officials, Reports, Claims int }
		}
		s.MustMutate(t, importMutation, map[string]any{"data": review}, &r)
		if got := r.ImportDataset; got.Outlets != 2 || got.Officials != 1 || got.Reports != 1 || got.Claims != 1 {
			t.Errorf("result %+v, want 2 outlets, 1 official, 1 report, 1 claim", got)
		}
		var c struct {
			Claim struct {
				Text    string
				Reviews []struct{ Verdict, ReviewedBy, ReviewedAt, URL, Title, RatingText string }
			}
		}
		s.MustQuery(t, `query($id: ID!) { claim(id: $id) { text reviews { verdict reviewedBy reviewedAt url title ratingText } } }`, map[string]any{"id": id}, &c)
		if c.Claim.Text != "The US offered a security backstop." || len(c.Claim.Reviews) != 1 {
			t.Fatalf("claim %+v", c.Claim)
		}
		if rv := c.Claim.Reviews[0]; rv.Verdict != "MIXED" || rv.RatingText != "Missing context" || rv.Title != "Did the US offer a backstop?" ||
			rv.ReviewedBy != "outlet:fullfact.org" || rv.ReviewedAt != "2025-04-28" || rv.URL != "https://fullfact.org/europe/backstop-offer/" {
			t.Errorf("review %+v", rv)
		}
		after := s.snapshot(t)
		s.MustMutate(t, importMutation, map[string]any{"data": review}, nil)
		if s.snapshot(t) != after {
			t.Error("importing the same reviews twice changed the graph")
		}
	})
	t.Run("ErrRatingOutOfRange", func(t *testing.T) {
		// Ensure a bad ClaimReview is BAD_USER_INPUT naming its JSON path,
		// and leaves the graph as it was.
		s := MustServer(t)
		before := s.snapshot(t)
		bad := `[` + review + `, ` + strings.Replace(review, `"alternateName": "Missing context"`, `"ratingValue": 9`, 1) + `]`
		e := s.Mutate(t, importMutation, map[string]any{"data": bad}).MustFail(t, http.StatusOK, api.CodeBadUserInput)
		if want := `data: $[1].reviewRating.ratingValue: 9 is outside the scale [1, 5]`; !strings.Contains(e.Message, want) {
			t.Errorf("message %q, want it to contain %q", e.Message, want)
		}
		if s.snapshot(t) != before {
			t.Error("the rejected file changed the graph")
		}
	})
}
