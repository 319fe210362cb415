package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// loadClaim decodes a claim value and reads its appearances inside txn.
func loadClaim(txn *badger.Txn, id string, v []byte) (*graph.Claim, error) {
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

// FindClaims returns a page of claims in ID order and their total count.
func (db *DB) FindClaims(ctx context.Context, page graph.Page) ([]*graph.Claim, int, error) {
	return listNodes(ctx, db, graph.KindClaim, page, loadClaim)
}
