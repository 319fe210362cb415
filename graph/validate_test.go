package graph_test

import (
	"strings"
	"testing"

	"hearsay/graph"
)

// badCase is one invalid variant of a valid value: edit breaks it, and the
// error message must start with path and contain msg.
type badCase[T any] struct {
	name string
	edit func(*T)
	path string
	msg  string
}

// checkInvalid fails t unless err is an EINVALID error whose message starts
// with "path: " and contains msg.
func checkInvalid(t *testing.T, err error, path, msg string) {
	t.Helper()
	if code := graph.ErrorCode(err); code != graph.EINVALID {
		t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.EINVALID)
	}
	m := graph.ErrorMessage(err)
	if !strings.HasPrefix(m, path+": ") {
		t.Errorf("message %q does not start with the path %q", m, path)
	}
	if !strings.Contains(m, msg) {
		t.Errorf("message %q does not contain %q", m, msg)
	}
}

func validOutlet() *graph.Outlet {
	return &graph.Outlet{
		ID:       "outlet:telegraph",
		Name:     "The Telegraph",
		Domain:   "telegraph.co.uk",
		Country:  "GB",
		Language: "en-GB",
		Type:     graph.OutletNewspaper,
		Ratings: []graph.Rating{
			{Rating: graph.ReliabilityB, RatedBy: "desk", RatedAt: graph.MustParseDate("2025-01-01"), Note: "long record"},
			{Rating: graph.ReliabilityC, RatedBy: "desk", RatedAt: graph.MustParseDate("2025-03")},
		},
	}
}

func TestOutlet_Validate(t *testing.T) {
	// Ensure a complete outlet and a minimal one are valid.
	t.Run("OK", func(t *testing.T) {
		if err := validOutlet().Validate(); err != nil {
			t.Fatal(err)
		}
		min := &graph.Outlet{ID: "outlet:x", Name: "X"}
		if err := min.Validate(); err != nil {
			t.Fatalf("minimal outlet: %v", err)
		}
		for _, lang := range []string{"en", "uk", "fil", "en-GB", "zh-Hant-TW", "sr-Latn", "es-419"} {
			o := validOutlet()
			o.Language = lang
			if err := o.Validate(); err != nil {
				t.Errorf("language %q: %v", lang, err)
			}
		}
	})

	long := strings.Repeat("n", graph.MaxNameLen+1)
	tests := []badCase[graph.Outlet]{
		{"BadID", func(o *graph.Outlet) { o.ID = "outlet:Telegraph" }, "id", "invalid slug"},
		{"WrongKindID", func(o *graph.Outlet) { o.ID = "report:telegraph" }, "id", "outlet"},
		{"NoName", func(o *graph.Outlet) { o.Name = "" }, "name", "is required"},
		{"BlankName", func(o *graph.Outlet) { o.Name = " \t" }, "name", "is required"},
		{"LongName", func(o *graph.Outlet) { o.Name = long }, "name", "over the limit"},
		{"BadUTF8Name", func(o *graph.Outlet) { o.Name = "The \xffTelegraph" }, "name", "UTF-8"},
		{"LongDomain", func(o *graph.Outlet) { o.Domain = long }, "domain", "over the limit"},
		{"LowercaseCountry", func(o *graph.Outlet) { o.Country = "gb" }, "country", `"gb"`},
		{"Alpha3Country", func(o *graph.Outlet) { o.Country = "GBR" }, "country", `"GBR"`},
		{"UppercaseLanguage", func(o *graph.Outlet) { o.Language = "EN" }, "language", `"EN"`},
		{"WordLanguage", func(o *graph.Outlet) { o.Language = "english" }, "language", `"english"`},
		{"OneLetterLanguage", func(o *graph.Outlet) { o.Language = "e" }, "language", `"e"`},
		{"UnderscoreLanguage", func(o *graph.Outlet) { o.Language = "en_GB" }, "language", `"en_GB"`},
		{"EmptySubtagLanguage", func(o *graph.Outlet) { o.Language = "en--GB" }, "language", `"en--GB"`},
		{"UnknownType", func(o *graph.Outlet) { o.Type = graph.OutletType(99) }, "outletType", "not a known"},
		{"RatingUnset", func(o *graph.Outlet) { o.Ratings[1].Rating = graph.ReliabilityUnset }, "ratings[1].rating", "is required"},
		{"RatedByLong", func(o *graph.Outlet) { o.Ratings[0].RatedBy = long }, "ratings[0].ratedBy", "over the limit"},
		{"RatingNoteLong", func(o *graph.Outlet) { o.Ratings[0].Note = strings.Repeat("n", graph.MaxTextLen+1) }, "ratings[0].note", "over the limit"},
		{"TooManyRatings", func(o *graph.Outlet) {
			o.Ratings = make([]graph.Rating, graph.MaxListLen+1)
		}, "ratings", "over the limit"},
		// Ensure the first problem, in field order, is the one reported.
		{"FirstProblem", func(o *graph.Outlet) { o.Name = ""; o.Country = "gb" }, "name", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the broken outlet is invalid, naming the field.
			o := validOutlet()
			tt.edit(o)
			checkInvalid(t, o.Validate(), tt.path, tt.msg)
		})
	}
}

func validReport() *graph.Report {
	return &graph.Report{
		ID:        "report:telegraph-2025-04-25-us-backstop",
		Outlet:    "outlet:telegraph",
		Title:     "US offers backstop",
		URL:       "https://www.telegraph.co.uk/x",
		Published: graph.MustParseDate("2025-04-25"),
		Language:  "en",
		Status:    graph.StatusPublished,
		Cites:     []string{"report:a", "report:b"},
	}
}

func TestReport_Validate(t *testing.T) {
	// Ensure a complete report and a minimal one are valid.
	t.Run("OK", func(t *testing.T) {
		if err := validReport().Validate(); err != nil {
			t.Fatal(err)
		}
		min := &graph.Report{ID: "report:r", Outlet: "outlet:x", Status: graph.StatusRetracted}
		if err := min.Validate(); err != nil {
			t.Fatalf("minimal report: %v", err)
		}
	})

	tests := []badCase[graph.Report]{
		{"BadID", func(r *graph.Report) { r.ID = "report:-x" }, "id", "invalid slug"},
		{"NoOutlet", func(r *graph.Report) { r.Outlet = "" }, "outlet", "empty ID"},
		{"OutletNotOutlet", func(r *graph.Report) { r.Outlet = "official:x" }, "outlet", `"official:x"`},
		{"LongTitle", func(r *graph.Report) { r.Title = strings.Repeat("t", graph.MaxNameLen+1) }, "title", "over the limit"},
		{"LongURL", func(r *graph.Report) { r.URL = strings.Repeat("u", graph.MaxURLLen+1) }, "url", "over the limit"},
		{"BadLanguage", func(r *graph.Report) { r.Language = "EN" }, "language", `"EN"`},
		{"NoStatus", func(r *graph.Report) { r.Status = graph.StatusUnset }, "status", "is required"},
		{"UnknownStatus", func(r *graph.Report) { r.Status = graph.ReportStatus(9) }, "status", "is required"},
		{"CitesItself", func(r *graph.Report) { r.Cites = []string{"report:a", r.ID} }, "cites[1]", "cannot cite itself"},
		{"DuplicateCites", func(r *graph.Report) { r.Cites = []string{"report:a", "report:a"} }, "cites[1]", "cited twice"},
		{"CitesNotReport", func(r *graph.Report) { r.Cites = []string{"claim:a"} }, "cites[0]", `"claim:a"`},
		{"CitesBadID", func(r *graph.Report) { r.Cites = []string{"report:a", "report:A"} }, "cites[1]", "invalid slug"},
		{"TooManyCites", func(r *graph.Report) { r.Cites = make([]string, graph.MaxListLen+1) }, "cites", "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the broken report is invalid, naming the field.
			r := validReport()
			tt.edit(r)
			checkInvalid(t, r.Validate(), tt.path, tt.msg)
		})
	}
}

func validOfficial() *graph.Official {
	return &graph.Official{
		ID:          "official:us-negotiators-unnamed",
		Name:        "unnamed US negotiators",
		Form:        graph.FormGroup,
		Anonymous:   true,
		Role:        "negotiators",
		Affiliation: "US government",
		Country:     "US",
		Description: "with direct knowledge of the talks",
		Ratings:     []graph.Rating{{Rating: graph.ReliabilityF, RatedBy: "desk"}},
		PossiblySameAs: []graph.SameAs{
			{Official: "official:us-officials-unnamed", Note: "same delegation?"},
			{Official: "official:white-house-source"},
		},
	}
}

func TestOfficial_Validate(t *testing.T) {
	// Ensure a complete official and a minimal one are valid.
	t.Run("OK", func(t *testing.T) {
		if err := validOfficial().Validate(); err != nil {
			t.Fatal(err)
		}
		min := &graph.Official{ID: "official:o", Name: "O", Form: graph.FormPerson}
		if err := min.Validate(); err != nil {
			t.Fatalf("minimal official: %v", err)
		}
	})

	tests := []badCase[graph.Official]{
		{"BadID", func(o *graph.Official) { o.ID = "officials:x" }, "id", "unknown kind"},
		{"NoName", func(o *graph.Official) { o.Name = "" }, "name", "is required"},
		{"NoForm", func(o *graph.Official) { o.Form = graph.FormUnset }, "form", "is required"},
		{"UnknownForm", func(o *graph.Official) { o.Form = graph.OfficialForm(4) }, "form", "is required"},
		{"LongRole", func(o *graph.Official) { o.Role = strings.Repeat("r", graph.MaxNameLen+1) }, "role", "over the limit"},
		{"LongAffiliation", func(o *graph.Official) { o.Affiliation = strings.Repeat("a", graph.MaxNameLen+1) }, "affiliation", "over the limit"},
		{"LowercaseCountry", func(o *graph.Official) { o.Country = "us" }, "country", `"us"`},
		{"LongDescription", func(o *graph.Official) { o.Description = strings.Repeat("d", graph.MaxTextLen+1) }, "description", "over the limit"},
		{"RatingUnset", func(o *graph.Official) { o.Ratings[0].Rating = 0 }, "ratings[0].rating", "is required"},
		{"SameAsItself", func(o *graph.Official) { o.PossiblySameAs[1].Official = o.ID }, "possiblySameAs[1]", "itself"},
		{"SameAsTwice", func(o *graph.Official) { o.PossiblySameAs[1].Official = o.PossiblySameAs[0].Official }, "possiblySameAs[1]", "listed twice"},
		{"SameAsNotOfficial", func(o *graph.Official) { o.PossiblySameAs[0].Official = "outlet:x" }, "possiblySameAs[0]", `"outlet:x"`},
		{"SameAsNoteLong", func(o *graph.Official) { o.PossiblySameAs[0].Note = strings.Repeat("n", graph.MaxTextLen+1) }, "possiblySameAs[0].note", "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the broken official is invalid, naming the field.
			o := validOfficial()
			tt.edit(o)
			checkInvalid(t, o.Validate(), tt.path, tt.msg)
		})
	}
}

func validClaim() *graph.Claim {
	return &graph.Claim{
		ID:     "claim:us-offers-backstop",
		Text:   "The US offers a security backstop.",
		Topics: []string{"ukraine", "security"},
		Appearances: []graph.Appearance{
			{
				Report:   "report:a",
				Quote:    "a US backstop",
				Mode:     graph.ModeParaphrase,
				Language: "en",
				Hedge:    "reportedly",
				Attributions: []graph.Attribution{
					{Source: "official:us-negotiators-unnamed", Mode: graph.ModeDirectQuote, Quote: "we'd have their back"},
				},
			},
			{
				Report:   "report:b",
				Mode:     graph.ModeTranslation,
				Language: "uk",
				Attributions: []graph.Attribution{
					{Source: "report:a", Mode: graph.ModeCitesReport},
					{Source: "outlet:telegraph", Mode: graph.ModeParaphrase},
				},
			},
		},
		Reviews: []graph.Review{
			{Verdict: graph.VerdictUnproven, ReviewedBy: "Full Fact", ReviewedAt: graph.MustParseDate("2025-04-27"), URL: "https://fullfact.org/x",
				Title: "Did the coalition meet?", RatingText: "Unproven"},
		},
	}
}

func TestClaim_Validate(t *testing.T) {
	// Ensure a complete claim and a minimal one are valid.
	t.Run("OK", func(t *testing.T) {
		if err := validClaim().Validate(); err != nil {
			t.Fatal(err)
		}
		min := &graph.Claim{ID: "claim:c", Text: "c"}
		if err := min.Validate(); err != nil {
			t.Fatalf("minimal claim: %v", err)
		}
	})

	long := strings.Repeat("x", graph.MaxTextLen+1)
	tests := []badCase[graph.Claim]{
		{"BadID", func(c *graph.Claim) { c.ID = "claim:" }, "id", "invalid slug"},
		{"WrongKindID", func(c *graph.Claim) { c.ID = "report:a" }, "id", "claim"},
		{"NoText", func(c *graph.Claim) { c.Text = "" }, "text", "is required"},
		{"LongText", func(c *graph.Claim) { c.Text = long }, "text", "10001 bytes long"},
		{"BadUTF8Text", func(c *graph.Claim) { c.Text = "\xc3\x28" }, "text", "UTF-8"},
		{"EmptyTopic", func(c *graph.Claim) { c.Topics[1] = "" }, "topics[1]", "is required"},
		{"LongTopic", func(c *graph.Claim) { c.Topics[0] = strings.Repeat("t", 101) }, "topics[0]", "over the limit"},
		{"AppearanceReportTwice", func(c *graph.Claim) { c.Appearances[1].Report = "report:a" }, "appearances[1].report", "appears twice"},
		{"AppearanceNotReport", func(c *graph.Claim) { c.Appearances[0].Report = "outlet:x" }, "appearances[0].report", `"outlet:x"`},
		{"AppearanceNoReport", func(c *graph.Claim) { c.Appearances[0].Report = "" }, "appearances[0].report", "empty ID"},
		{"AppearanceLongQuote", func(c *graph.Claim) { c.Appearances[0].Quote = long }, "appearances[0].quote", "over the limit"},
		{"AppearanceNoMode", func(c *graph.Claim) { c.Appearances[1].Mode = graph.ModeUnset }, "appearances[1].mode", "is required"},
		{"AppearanceUnknownMode", func(c *graph.Claim) { c.Appearances[0].Mode = graph.Mode(7) }, "appearances[0].mode", "is required"},
		{"AppearanceBadLanguage", func(c *graph.Claim) { c.Appearances[1].Language = "UK" }, "appearances[1].language", `"UK"`},
		{"AppearanceLongHedge", func(c *graph.Claim) { c.Appearances[0].Hedge = strings.Repeat("h", graph.MaxNameLen+1) }, "appearances[0].hedge", "over the limit"},
		{"AttributedToClaim", func(c *graph.Claim) { c.Appearances[1].Attributions[0].Source = "claim:other" }, "appearances[1].attributedTo[0].source", `"claim:other"`},
		{"AttributedToNothing", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Source = "" }, "appearances[0].attributedTo[0].source", "empty ID"},
		{"AttributedTwice", func(c *graph.Claim) { c.Appearances[1].Attributions[1].Source = "report:a" }, "appearances[1].attributedTo[1].source", "given twice"},
		{"AttributionNoMode", func(c *graph.Claim) { c.Appearances[1].Attributions[1].Mode = graph.ModeUnset }, "appearances[1].attributedTo[1].mode", "is required"},
		{"AttributionLongQuote", func(c *graph.Claim) { c.Appearances[0].Attributions[0].Quote = long }, "appearances[0].attributedTo[0].quote", "over the limit"},
		{"ReviewNoVerdict", func(c *graph.Claim) { c.Reviews[0].Verdict = graph.VerdictUnset }, "reviews[0].verdict", "is required"},
		{"ReviewNoReviewer", func(c *graph.Claim) { c.Reviews[0].ReviewedBy = "" }, "reviews[0].reviewedBy", "is required"},
		{"ReviewLongURL", func(c *graph.Claim) { c.Reviews[0].URL = strings.Repeat("u", graph.MaxURLLen+1) }, "reviews[0].url", "over the limit"},
		{"ReviewLongTitle", func(c *graph.Claim) { c.Reviews[0].Title = strings.Repeat("t", graph.MaxNameLen+1) }, "reviews[0].title", "over the limit"},
		{"ReviewBadUTF8Title", func(c *graph.Claim) { c.Reviews[0].Title = "\xff" }, "reviews[0].title", "UTF-8"},
		{"ReviewLongRatingText", func(c *graph.Claim) { c.Reviews[0].RatingText = strings.Repeat("r", graph.MaxNameLen+1) }, "reviews[0].ratingText", "over the limit"},
		{"TooManyTopics", func(c *graph.Claim) { c.Topics = make([]string, graph.MaxListLen+1) }, "topics", "over the limit"},
		// Ensure the first problem, in field order, is the one reported.
		{"FirstProblem", func(c *graph.Claim) {
			c.Appearances[0].Mode = graph.ModeUnset
			c.Appearances[1].Attributions[0].Source = "claim:other"
		}, "appearances[0].mode", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the broken claim is invalid, naming the field.
			c := validClaim()
			tt.edit(c)
			checkInvalid(t, c.Validate(), tt.path, tt.msg)
		})
	}
}

func TestClaim_Appearance(t *testing.T) {
	c := validClaim()
	// Ensure the appearance in a report is found and is the claim's own,
	// not a copy.
	t.Run("OK", func(t *testing.T) {
		a, ok := c.Appearance("report:b")
		if !ok || a.Report != "report:b" {
			t.Fatalf("Appearance(report:b) = %v, %v", a, ok)
		}
		if a != &c.Appearances[1] {
			t.Errorf("Appearance(report:b) is a copy")
		}
	})

	// Ensure a report without an appearance is reported missing.
	t.Run("NotFound", func(t *testing.T) {
		if a, ok := c.Appearance("report:z"); ok || a != nil {
			t.Fatalf("Appearance(report:z) = %v, %v; want nil, false", a, ok)
		}
	})
}
