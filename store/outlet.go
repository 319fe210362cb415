package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// loadOutlet decodes an outlet value.
func loadOutlet(_ *badger.Txn, id string, v []byte) (*graph.Outlet, error) {
	return decodeOutlet(id, v)
}

// FindOutletByID returns the outlet or ENOTFOUND.
func (db *DB) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	return findNode(ctx, db, graph.KindOutlet, id, loadOutlet)
}

// FindOutlets returns a page of outlets in ID order and their total count.
func (db *DB) FindOutlets(ctx context.Context, page graph.Page) ([]*graph.Outlet, int, error) {
	return listNodes(ctx, db, graph.KindOutlet, page, loadOutlet)
}
