package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// loadOfficial decodes an official value and reads its possibly-same-as
// links inside txn.
func loadOfficial(txn *badger.Txn, id string, v []byte) (*graph.Official, error) {
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

// FindOfficials returns a page of officials in ID order and their total count.
func (db *DB) FindOfficials(ctx context.Context, page graph.Page) ([]*graph.Official, int, error) {
	return listNodes(ctx, db, graph.KindOfficial, page, loadOfficial)
}
