package store

import (
	"context"
	"slices"

	"hearsay/graph"
)

// loadClaim decodes a claim value and reads its appearances inside txn.
func loadClaim(txn kvTxn, id string, v []byte) (*graph.Claim, error) {
	c, err := decodeClaim(id, v)
	if err != nil {
		return nil, err
	}
	c.Appearances, err = getAdj(txn, graph.EdgeReportedBy, id, decodeAppearances)
	return c, err
}

// FindClaimByID returns the claim with its appearances, or ENOTFOUND.
func (db *DB) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	return findNode(ctx, db, graph.KindClaim, id, loadClaim)
}

// CreateClaim creates a claim with its appearances; its ID must be new and
// its references must exist.
func (db *DB) CreateClaim(ctx context.Context, c *graph.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.create(ctx, c.ID, func(w *writer) error { return w.checkRefs(c, nil) },
		func(w *writer) error { return w.put(c) })
}

func (db *DB) updateClaim(ctx context.Context, id string, change func(*graph.Claim) error) (*graph.Claim, error) {
	if err := graph.CheckID(id, graph.KindClaim); err != nil {
		return nil, err
	}
	var out *graph.Claim
	err := db.write(ctx, func(w *writer) (err error) {
		out, err = w.updateClaim(id, change)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Appearances = canonicalAppearances(out.Appearances)
	return out, nil
}

// UpdateClaim changes a claim's text and topics.
func (db *DB) UpdateClaim(ctx context.Context, id string, upd graph.ClaimUpdate) (*graph.Claim, error) {
	return db.updateClaim(ctx, id, func(c *graph.Claim) error { upd.Apply(c); return nil })
}

// DeleteClaim deletes a claim with its appearances and attributions.
func (db *DB) DeleteClaim(ctx context.Context, id string) error {
	if err := graph.CheckID(id, graph.KindClaim); err != nil {
		return err
	}
	return db.write(ctx, func(w *writer) error { return w.deleteClaim(id) })
}

// AddAppearance adds the claim's appearance in a report, with its
// attributions; the claim must not already appear there.
func (db *DB) AddAppearance(ctx context.Context, claim string, a graph.Appearance) (*graph.Claim, error) {
	return db.updateClaim(ctx, claim, func(c *graph.Claim) error {
		if _, ok := c.Appearance(a.Report); ok {
			return graph.Errorf(graph.ECONFLICT, "claim %q already appears in %q", claim, a.Report)
		}
		c.Appearances = append(c.Appearances, a)
		return nil
	})
}

// RemoveAppearance removes the claim's appearance in a report, with its
// attributions.
func (db *DB) RemoveAppearance(ctx context.Context, claim, report string) (*graph.Claim, error) {
	return db.updateClaim(ctx, claim, func(c *graph.Claim) error {
		if _, ok := c.Appearance(report); !ok {
			return graph.Errorf(graph.ENOTFOUND, "claim %q has no appearance in %q", claim, report)
		}
		c.Appearances = slices.DeleteFunc(c.Appearances, func(a graph.Appearance) bool { return a.Report == report })
		return nil
	})
}

// AddAttribution attributes the claim, in its appearance in report, to a
// source.
func (db *DB) AddAttribution(ctx context.Context, claim, report string, at graph.Attribution) (*graph.Claim, error) {
	return db.updateClaim(ctx, claim, func(c *graph.Claim) error {
		a, ok := c.Appearance(report)
		if !ok {
			return graph.Errorf(graph.ENOTFOUND, "claim %q has no appearance in %q; add the appearance first", claim, report)
		}
		if _, by, ok := graph.FindAttribution(a, at.Source); ok {
			if by != "" {
				return graph.Errorf(graph.ECONFLICT, "in %q, claim %q is already attributed to %q, relayed by %q", report, claim, at.Source, by)
			}
			return graph.Errorf(graph.ECONFLICT, "in %q, claim %q is already attributed to %q", report, claim, at.Source)
		}
		a.Attributions = append(a.Attributions, at)
		return nil
	})
}

// RemoveAttribution removes the attribution of the claim to source in its
// appearance in report.
func (db *DB) RemoveAttribution(ctx context.Context, claim, report, source string) (*graph.Claim, error) {
	return db.updateClaim(ctx, claim, func(c *graph.Claim) error {
		a, ok := c.Appearance(report)
		if !ok {
			return graph.Errorf(graph.ENOTFOUND, "claim %q has no appearance in %q", claim, report)
		}
		var dropped bool
		if a.Attributions, dropped = graph.WithoutSource(a.Attributions, source); !dropped {
			return graph.Errorf(graph.ENOTFOUND, "in %q, claim %q is not attributed to %q", report, claim, source)
		}
		return nil
	})
}

// AddReview adds a fact-checker's review to a claim.
func (db *DB) AddReview(ctx context.Context, claim string, r graph.Review) (*graph.Claim, error) {
	return db.updateClaim(ctx, claim, func(c *graph.Claim) error {
		c.Reviews = append(c.Reviews, r)
		return nil
	})
}
