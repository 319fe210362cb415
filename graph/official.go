package graph

import "context"

// Official is a person, group or institution a claim is attributed to,
// named or not ("unnamed US negotiators").
type Official struct {
	ID             string
	Name           string
	Form           OfficialForm
	Anonymous      bool
	Role           string
	Affiliation    string
	Country        string
	Description    string // "with direct knowledge of the talks"
	Ratings        []Rating
	PossiblySameAs []SameAs // symmetric; sorted by Official
}

// SameAs is one possibly-same-as edge: the other official may be the same
// people as this one.
type SameAs struct {
	Official string
	Note     string
}

// Validate checks the official's fields (not whether references exist).
func (o *Official) Validate() error {
	var c checker
	if err := CheckID(o.ID, KindOfficial); err != nil {
		c.wrap("id", err)
	}
	c.text("name", o.Name, MaxNameLen, true)
	if !o.Form.Valid() {
		c.fail("form", "is required (PERSON, GROUP or INSTITUTION)")
	}
	c.text("role", o.Role, MaxNameLen, false)
	c.text("affiliation", o.Affiliation, MaxNameLen, false)
	c.country("country", o.Country)
	c.text("description", o.Description, MaxTextLen, false)
	c.ratings("ratings", o.Ratings)
	c.list("possiblySameAs", len(o.PossiblySameAs))
	seen := make(map[string]bool, len(o.PossiblySameAs))
	for i, s := range o.PossiblySameAs {
		p := "possiblySameAs[" + itoa(i) + "]"
		c.ref(p, s.Official, KindOfficial)
		if s.Official == o.ID {
			c.fail(p, "an official cannot be possibly-same-as itself")
		}
		if seen[s.Official] {
			c.fail(p, "%q is listed twice", s.Official)
		}
		seen[s.Official] = true
		c.text(p+".note", s.Note, MaxTextLen, false)
	}
	return c.err
}

// OfficialService reads and writes officials.
type OfficialService interface {
	// FindOfficialByID returns the official, with its possibly-same-as
	// links, or ENOTFOUND.
	FindOfficialByID(ctx context.Context, id string) (*Official, error)
	// FindOfficials returns a page of the officials matching the filter, in
	// ID order, and how many match in all.
	FindOfficials(ctx context.Context, f OfficialFilter) ([]*Official, int, error)
	// CreateOfficial creates an official with its possibly-same-as links;
	// an ID in use is ECONFLICT.
	CreateOfficial(ctx context.Context, o *Official) error
	// UpdateOfficial changes some fields of an official and returns it.
	UpdateOfficial(ctx context.Context, id string, upd OfficialUpdate) (*Official, error)
	// DeleteOfficial deletes an official and its possibly-same-as links. An
	// official named by attributions is ECONFLICT unless cascade, which
	// removes them.
	DeleteOfficial(ctx context.Context, id string, cascade bool) error
}
