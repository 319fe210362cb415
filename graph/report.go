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

// ReportService reads and writes reports.
type ReportService interface {
	// FindReportByID returns the report, with its citations, or ENOTFOUND.
	FindReportByID(ctx context.Context, id string) (*Report, error)
	// FindReports returns a page of the reports matching the filter, in ID
	// order, and how many match in all.
	FindReports(ctx context.Context, f ReportFilter) ([]*Report, int, error)
	// CreateReport creates a report; an ID in use is ECONFLICT.
	CreateReport(ctx context.Context, r *Report) error
	// UpdateReport changes some fields of a report and returns it.
	UpdateReport(ctx context.Context, id string, upd ReportUpdate) (*Report, error)
	// DeleteReport deletes a report. A report with appearances, or named by
	// attributions or citations, is ECONFLICT unless cascade, which
	// removes those edges.
	DeleteReport(ctx context.Context, id string, cascade bool) error
	// AddCitation records that report cites cited.
	AddCitation(ctx context.Context, report, cited string) (*Report, error)
	// RemoveCitation removes that citation.
	RemoveCitation(ctx context.Context, report, cited string) (*Report, error)
}
