package store

import (
	"context"

	"hearsay/graph"
)

// loadOutlet decodes an outlet value.
func loadOutlet(_ kvTxn, id string, v []byte) (*graph.Outlet, error) {
	return decodeOutlet(id, v)
}

// FindOutletByID returns the outlet or ENOTFOUND.
func (db *DB) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	return findNode(ctx, db, graph.KindOutlet, id, loadOutlet)
}

// CreateOutlet creates an outlet; its ID must be new.
func (db *DB) CreateOutlet(ctx context.Context, o *graph.Outlet) error {
	if err := o.Validate(); err != nil {
		return err
	}
	graph.SortRatings(o.Ratings)
	return db.create(ctx, o.ID, func(*writer) error { return nil },
		func(w *writer) error { return w.put(o) })
}

// UpdateOutlet changes some fields of an outlet.
func (db *DB) UpdateOutlet(ctx context.Context, id string, upd graph.OutletUpdate) (*graph.Outlet, error) {
	return db.updateOutlet(ctx, id, upd.Apply)
}

// updateOutlet changes an outlet with change inside one transaction.
func (db *DB) updateOutlet(ctx context.Context, id string, change func(*graph.Outlet)) (*graph.Outlet, error) {
	return updateFields(ctx, db, graph.KindOutlet, id, loadOutlet, encodeOutlet, change)
}

// DeleteOutlet deletes an outlet. Without cascade, an outlet that published
// reports or is named by attributions is refused with ECONFLICT; with it,
// its reports are deleted (with cascade) and the attributions removed.
func (db *DB) DeleteOutlet(ctx context.Context, id string, cascade bool) error {
	if err := graph.CheckID(id, graph.KindOutlet); err != nil {
		return err
	}
	return db.write(ctx, func(w *writer) error { return w.deleteOutlet(id, cascade) })
}
