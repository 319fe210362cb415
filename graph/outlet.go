package graph

import (
	"context"
	"sort"
)

// Outlet is a publisher: a newspaper, broadcaster, wire agency, blog,
// government site or social account.
type Outlet struct {
	ID       string
	Name     string
	Domain   string
	Country  string // ISO 3166-1 alpha-2
	Language string // BCP 47
	Type     OutletType
	Ratings  []Rating // history, oldest first
}

// Rating is one judgement of a source's reliability on the Admiralty scale.
// Outlets and officials keep every rating they were given.
type Rating struct {
	Rating  Reliability
	RatedBy string
	RatedAt Date
	Note    string
}

// SortRatings orders a rating history oldest first; ties keep their order.
func SortRatings(rs []Rating) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].RatedAt.Compare(rs[j].RatedAt) < 0 })
}

// Validate checks the outlet's fields (not whether references exist).
func (o *Outlet) Validate() error {
	var c checker
	if err := CheckID(o.ID, KindOutlet); err != nil {
		c.wrap("id", err)
	}
	c.text("name", o.Name, MaxNameLen, true)
	c.text("domain", o.Domain, MaxNameLen, false)
	c.country("country", o.Country)
	c.language("language", o.Language)
	if o.Type != OutletTypeUnset && !o.Type.Valid() {
		c.fail("outletType", "is not a known outlet type")
	}
	c.ratings("ratings", o.Ratings)
	return c.err
}

// OutletService reads and writes outlets.
type OutletService interface {
	// FindOutletByID returns the outlet or an ENOTFOUND error.
	FindOutletByID(ctx context.Context, id string) (*Outlet, error)
	// FindOutlets returns a page of the outlets matching the filter, in ID
	// order, and how many match in all.
	FindOutlets(ctx context.Context, f OutletFilter) ([]*Outlet, int, error)
	// CreateOutlet creates an outlet; an ID in use is ECONFLICT.
	CreateOutlet(ctx context.Context, o *Outlet) error
	// UpdateOutlet changes some fields of an outlet and returns it.
	UpdateOutlet(ctx context.Context, id string, upd OutletUpdate) (*Outlet, error)
	// DeleteOutlet deletes an outlet. An outlet with reports or named by
	// attributions is ECONFLICT unless cascade, which deletes its reports
	// (with cascade) and removes the attributions.
	DeleteOutlet(ctx context.Context, id string, cascade bool) error
}
