package store

import (
	"context"

	"hearsay/graph"
)

// loadOfficial decodes an official value and reads its possibly-same-as
// links inside txn.
func loadOfficial(txn kvTxn, id string, v []byte) (*graph.Official, error) {
	o, err := decodeOfficial(id, v)
	if err != nil {
		return nil, err
	}
	o.PossiblySameAs, err = getAdj(txn, graph.EdgePossiblySameAs, id, decodeSameAs)
	return o, err
}

// FindOfficialByID returns the official with its possibly-same-as links,
// or ENOTFOUND.
func (db *DB) FindOfficialByID(ctx context.Context, id string) (*graph.Official, error) {
	return findNode(ctx, db, graph.KindOfficial, id, loadOfficial)
}

// CreateOfficial creates an official, with its possibly-same-as links;
// its ID must be new.
func (db *DB) CreateOfficial(ctx context.Context, o *graph.Official) error {
	if err := o.Validate(); err != nil {
		return err
	}
	graph.SortRatings(o.Ratings)
	return db.create(ctx, o.ID, func(w *writer) error {
		for _, e := range edgesOf(o) {
			if err := w.mustExist(e.field(), e.to); err != nil {
				return err
			}
		}
		return nil
	}, func(w *writer) error { return w.put(o) })
}

// UpdateOfficial changes some fields of an official.
func (db *DB) UpdateOfficial(ctx context.Context, id string, upd graph.OfficialUpdate) (*graph.Official, error) {
	return db.updateOfficial(ctx, id, upd.Apply)
}

// updateOfficial changes an official's fields with change inside one
// transaction; its possibly-same-as links are not changed.
func (db *DB) updateOfficial(ctx context.Context, id string, change func(*graph.Official)) (*graph.Official, error) {
	return updateFields(ctx, db, graph.KindOfficial, id, loadOfficial, encodeOfficial, change)
}

// DeleteOfficial deletes an official and its possibly-same-as links.
// Without cascade, an official named by attributions is refused with
// ECONFLICT; with it, the attributions are removed.
func (db *DB) DeleteOfficial(ctx context.Context, id string, cascade bool) error {
	if err := graph.CheckID(id, graph.KindOfficial); err != nil {
		return err
	}
	return db.write(ctx, func(w *writer) error { return w.deleteOfficial(id, cascade) })
}
