package graph

import "context"

// Report is one published item: an article, broadcast, press release or post.
type Report struct {
	ID        string
	Outlet    string // the outlet that published it (published-by)
	Title     string
	URL       string
	Published Date
	Language  string
	Status    ReportStatus
	Cites     []string // reports it cites or links as a whole, sorted
}

// Validate checks the report's fields (not whether references exist).
func (r *Report) Validate() error {
	var c checker
	if err := CheckID(r.ID, KindReport); err != nil {
		c.wrap("id", err)
	}
	c.ref("outlet", r.Outlet, KindOutlet)
	c.text("title", r.Title, MaxNameLen, false)
	c.text("url", r.URL, MaxURLLen, false)
	c.language("language", r.Language)
	if !r.Status.Valid() {
		c.fail("status", "is required (PUBLISHED, CORRECTED or RETRACTED)")
	}
	c.list("cites", len(r.Cites))
	seen := make(map[string]bool, len(r.Cites))
	for i, id := range r.Cites {
		p := "cites[" + itoa(i) + "]"
		c.ref(p, id, KindReport)
		if id == r.ID {
			c.fail(p, "a report cannot cite itself")
		}
		if seen[id] {
			c.fail(p, "%q is cited twice", id)
		}
		seen[id] = true
	}
	return c.err
}

// ReportService reads reports.
type ReportService interface {
	// FindReportByID returns the report, with its citations, or ENOTFOUND.
	FindReportByID(ctx context.Context, id string) (*Report, error)
	// FindReports returns a page of reports in ID order and the total count.
	FindReports(ctx context.Context, page Page) ([]*Report, int, error)
}
