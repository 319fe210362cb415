package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// loadReport decodes a report value and reads its citations inside txn.
func loadReport(txn *badger.Txn, id string, v []byte) (*graph.Report, error) {
	r, err := decodeReport(id, v)
	if err != nil {
		return nil, err
	}
	r.Cites, err = getAdj(txn, graph.EdgeCites, id, decodeIDs)
	return r, err
}

// FindReportByID returns the report with its citations, or ENOTFOUND.
func (db *DB) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	return findNode(ctx, db, graph.KindReport, id, loadReport)
}

// FindReports returns a page of reports in ID order and their total count.
func (db *DB) FindReports(ctx context.Context, page graph.Page) ([]*graph.Report, int, error) {
	return listNodes(ctx, db, graph.KindReport, page, loadReport)
}
