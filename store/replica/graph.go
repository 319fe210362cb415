package replica

import (
	"context"

	"hearsay/graph"
	"hearsay/store"
)

// The write methods of graph.Graph: each publishes its command and
// returns what this node's applying it returned. Node-local checks that
// need no graph (a node's own fields) run first, so that a write the
// graph would refuse for them alone does not take a place in the log;
// they are the store's own checks, so the error is the same.

func (n *Node) do(ctx context.Context, c *store.Command) (store.Result, error) {
	return n.write(ctx, c)
}

// CreateOutlet publishes the outlet's creation.
func (n *Node) CreateOutlet(ctx context.Context, o *graph.Outlet) error {
	if err := o.Validate(); err != nil {
		return err
	}
	_, err := n.do(ctx, &store.Command{Op: store.OpCreateOutlet, Outlet: o})
	return err
}

// UpdateOutlet publishes the update and returns the outlet as updated.
func (n *Node) UpdateOutlet(ctx context.Context, id string, upd graph.OutletUpdate) (*graph.Outlet, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpUpdateOutlet, ID: id, OutletUpdate: upd})
	return r.Outlet, err
}

// DeleteOutlet publishes the deletion.
func (n *Node) DeleteOutlet(ctx context.Context, id string, cascade bool) error {
	_, err := n.do(ctx, &store.Command{Op: store.OpDeleteOutlet, ID: id, Cascade: cascade})
	return err
}

// CreateReport publishes the report's creation.
func (n *Node) CreateReport(ctx context.Context, r *graph.Report) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := n.do(ctx, &store.Command{Op: store.OpCreateReport, Report: r})
	return err
}

// UpdateReport publishes the update and returns the report as updated.
func (n *Node) UpdateReport(ctx context.Context, id string, upd graph.ReportUpdate) (*graph.Report, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpUpdateReport, ID: id, ReportUpdate: upd})
	return r.Report, err
}

// DeleteReport publishes the deletion.
func (n *Node) DeleteReport(ctx context.Context, id string, cascade bool) error {
	_, err := n.do(ctx, &store.Command{Op: store.OpDeleteReport, ID: id, Cascade: cascade})
	return err
}

// AddCitation publishes the citation.
func (n *Node) AddCitation(ctx context.Context, report, cited string) (*graph.Report, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpAddCitation, ID: report, Ref: cited})
	return r.Report, err
}

// RemoveCitation publishes the citation's removal.
func (n *Node) RemoveCitation(ctx context.Context, report, cited string) (*graph.Report, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpRemoveCitation, ID: report, Ref: cited})
	return r.Report, err
}

// CreateOfficial publishes the official's creation.
func (n *Node) CreateOfficial(ctx context.Context, o *graph.Official) error {
	if err := o.Validate(); err != nil {
		return err
	}
	_, err := n.do(ctx, &store.Command{Op: store.OpCreateOfficial, Official: o})
	return err
}

// UpdateOfficial publishes the update and returns the official as updated.
func (n *Node) UpdateOfficial(ctx context.Context, id string, upd graph.OfficialUpdate) (*graph.Official, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpUpdateOfficial, ID: id, OfficialUpdate: upd})
	return r.Official, err
}

// DeleteOfficial publishes the deletion.
func (n *Node) DeleteOfficial(ctx context.Context, id string, cascade bool) error {
	_, err := n.do(ctx, &store.Command{Op: store.OpDeleteOfficial, ID: id, Cascade: cascade})
	return err
}

// CreateClaim publishes the claim's creation.
func (n *Node) CreateClaim(ctx context.Context, c *graph.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := n.do(ctx, &store.Command{Op: store.OpCreateClaim, Claim: c})
	return err
}

// UpdateClaim publishes the update and returns the claim as updated.
func (n *Node) UpdateClaim(ctx context.Context, id string, upd graph.ClaimUpdate) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpUpdateClaim, ID: id, ClaimUpdate: upd})
	return r.Claim, err
}

// DeleteClaim publishes the deletion.
func (n *Node) DeleteClaim(ctx context.Context, id string) error {
	_, err := n.do(ctx, &store.Command{Op: store.OpDeleteClaim, ID: id})
	return err
}

// AddAppearance publishes the appearance.
func (n *Node) AddAppearance(ctx context.Context, claim string, a graph.Appearance) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpAddAppearance, ID: claim, Appearance: a})
	return r.Claim, err
}

// RemoveAppearance publishes the appearance's removal.
func (n *Node) RemoveAppearance(ctx context.Context, claim, report string) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpRemoveAppearance, ID: claim, Ref: report})
	return r.Claim, err
}

// AddAttribution publishes the attribution.
func (n *Node) AddAttribution(ctx context.Context, claim, report string, a graph.Attribution) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpAddAttribution, ID: claim, Ref: report, Attribution: a})
	return r.Claim, err
}

// RemoveAttribution publishes the attribution's removal.
func (n *Node) RemoveAttribution(ctx context.Context, claim, report, source string) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpRemoveAttribution, ID: claim, Ref: report, Source: source})
	return r.Claim, err
}

// AddReview publishes the review.
func (n *Node) AddReview(ctx context.Context, claim string, rv graph.Review) (*graph.Claim, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpAddReview, ID: claim, Review: rv})
	return r.Claim, err
}

// AddRating publishes the rating.
func (n *Node) AddRating(ctx context.Context, id string, rt graph.Rating) error {
	_, err := n.do(ctx, &store.Command{Op: store.OpAddRating, ID: id, Rating: rt})
	return err
}

// ImportDataset publishes the import, in chunks if it is larger than a
// message; it is applied in one transaction at the position of its last
// message.
func (n *Node) ImportDataset(ctx context.Context, ds *graph.Dataset) (graph.ImportResult, error) {
	r, err := n.do(ctx, &store.Command{Op: store.OpImportDataset, Dataset: ds})
	return r.Import, err
}
