package graph

import "context"

// Paging bounds shared by every list.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page selects a slice of a list ordered by ID: up to First items whose ID
// sorts after After ("" for the start).
type Page struct {
	After string
	First int
}

// Validate checks the page and fills in the default size. A page may hold
// up to MaxPageSize+1 items, so that a caller serving pages of at most
// MaxPageSize can ask for one more to learn whether a next page exists.
func (p *Page) Validate() error {
	switch {
	case p.First < 0:
		return Errorf(EINVALID, "first must not be negative, got %d", p.First)
	case p.First == 0:
		p.First = DefaultPageSize
	case p.First > MaxPageSize+1:
		p.First = MaxPageSize + 1
	}
	return nil
}

// Stats counts the nodes and edges of a graph.
type Stats struct {
	Outlets   int64 `json:"outlets"`
	Officials int64 `json:"officials"`
	Reports   int64 `json:"reports"`
	Claims    int64 `json:"claims"`
	// Edges counts every edge once, in its forward direction: published-by,
	// reported-by (appearances), attributed-to, cites and possibly-same-as
	// (each symmetric pair once).
	Edges int64 `json:"edges"`
}

// Dataset is a whole graph or a part of one, as loaded from and exported to
// a hearsay/v1 file.
type Dataset struct {
	Info      DatasetInfo
	Outlets   []*Outlet
	Officials []*Official
	Reports   []*Report
	Claims    []*Claim
}

// Nodes returns every node of the dataset, as *Outlet, *Official,
// *Report or *Claim: outlets first, then officials, reports and claims,
// each kind in its order.
func (ds *Dataset) Nodes() []any {
	out := make([]any, 0, len(ds.Outlets)+len(ds.Officials)+len(ds.Reports)+len(ds.Claims))
	for _, n := range ds.Outlets {
		out = append(out, n)
	}
	for _, n := range ds.Officials {
		out = append(out, n)
	}
	for _, n := range ds.Reports {
		out = append(out, n)
	}
	for _, n := range ds.Claims {
		out = append(out, n)
	}
	return out
}

// NodeID returns the ID of a node (*Outlet, *Official, *Report or
// *Claim, as Nodes gives them), and false for anything that is not one.
func NodeID(node any) (string, bool) {
	switch n := node.(type) {
	case *Outlet:
		return n.ID, true
	case *Official:
		return n.ID, true
	case *Report:
		return n.ID, true
	case *Claim:
		return n.ID, true
	}
	return "", false
}

// DatasetInfo describes where a dataset comes from.
type DatasetInfo struct {
	ID          string
	Title       string
	Source      string
	Description string
}

// ImportResult reports what an import wrote.
type ImportResult struct {
	Nodes int // nodes written (created or replaced)
	Edges int // forward edges carried by those nodes
}

// Graph is everything the store offers: the node services, the dataset
// import and the counts.
type Graph interface {
	OutletService
	ReportService
	OfficialService
	ClaimService

	// ImportDataset upserts every node of the dataset, by ID, in one atomic
	// write: either all of it becomes visible or none of it. Every
	// reference must resolve within the dataset or the stored graph, else
	// the import fails with EINVALID and writes nothing. A node that is
	// imported replaces the stored node of that ID with all its forward
	// edges; possibly-same-as links are merged, never dropped.
	ImportDataset(ctx context.Context, ds *Dataset) (ImportResult, error)

	// Exists reports the kind of each ID that names a stored node; missing
	// IDs are absent from the map.
	Exists(ctx context.Context, ids []string) (map[string]Kind, error)

	// AddRating appends a rating to the history of an outlet or official.
	AddRating(ctx context.Context, id string, r Rating) error

	// Stats counts nodes and edges.
	Stats(ctx context.Context) (Stats, error)

	// Walk calls the visitor for every node, from one consistent snapshot:
	// outlets, officials, reports, then claims, each kind in ID order. It
	// stops at the first error a visitor function returns.
	Walk(ctx context.Context, v Visitor) error
}

// Visitor receives the nodes of a walk; nil functions skip their kind.
type Visitor struct {
	Outlet   func(*Outlet) error
	Official func(*Official) error
	Report   func(*Report) error
	Claim    func(*Claim) error
}
