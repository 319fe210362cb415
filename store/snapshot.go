package store

import (
	"context"
	"fmt"
	"sync"

	"hearsay/graph"
)

var (
	_ graph.Snapshotter = (*DB)(nil)
	_ graph.Snapshot    = (*Snapshot)(nil)
)

// Snapshot reads the database as it was when it was taken, all in one
// read transaction: the reads of one request. A 6-hop chain reads about
// twenty nodes, and a transaction of its own for each cost a third of the
// chain's reads (Badger's read timestamps and watermarks). The snapshot
// holds its transaction, and with it the versions it reads, until Close:
// take one for a request, not for longer. It is safe for concurrent use;
// its reads take turns.
type Snapshot struct {
	db      *DB
	mu      sync.Mutex
	txn     kvTxn // nil once closed
	release func()
}

// Snapshot takes a snapshot of the database; Close it when done.
func (db *DB) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := db.unavailable(); err != nil {
		return nil, err
	}
	txn, release := db.kv.snapshot()
	return &Snapshot{db: db, txn: txn, release: release}, nil
}

// Close releases the snapshot's transaction. It may be called more than
// once.
func (s *Snapshot) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.txn != nil {
		s.txn = nil
		s.release()
	}
}

// view runs fn in the snapshot's transaction, as DB.view does in a new
// one: a panic inside it is an internal error.
func (s *Snapshot) view(ctx context.Context, fn func(txn kvTxn) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.db.unavailable(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.txn == nil {
		return graph.Errorf(graph.EINTERNAL, "read from a closed snapshot")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in a read transaction: %v", r)
		}
	}()
	return fn(s.txn)
}

// FindClaimByID is DB.FindClaimByID in the snapshot.
func (s *Snapshot) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	return findNode(ctx, s, graph.KindClaim, id, loadClaim)
}

// FindReportByID is DB.FindReportByID in the snapshot.
func (s *Snapshot) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	return findNode(ctx, s, graph.KindReport, id, loadReport)
}

// FindOutletByID is DB.FindOutletByID in the snapshot.
func (s *Snapshot) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	return findNode(ctx, s, graph.KindOutlet, id, loadOutlet)
}

// FindOfficialByID is DB.FindOfficialByID in the snapshot.
func (s *Snapshot) FindOfficialByID(ctx context.Context, id string) (*graph.Official, error) {
	return findNode(ctx, s, graph.KindOfficial, id, loadOfficial)
}

// FindReportsByID is DB.FindReportsByID in the snapshot.
func (s *Snapshot) FindReportsByID(ctx context.Context, ids []string) (map[string]*graph.Report, error) {
	return findNodes(ctx, s, ids, graph.KindReport, loadReport)
}

// FindOutletsByID is DB.FindOutletsByID in the snapshot.
func (s *Snapshot) FindOutletsByID(ctx context.Context, ids []string) (map[string]*graph.Outlet, error) {
	return findNodes(ctx, s, ids, graph.KindOutlet, loadOutlet)
}

// FindOfficialsByID is DB.FindOfficialsByID in the snapshot.
func (s *Snapshot) FindOfficialsByID(ctx context.Context, ids []string) (map[string]*graph.Official, error) {
	return findNodes(ctx, s, ids, graph.KindOfficial, loadOfficial)
}

// ReportsOfOutlet is DB.ReportsOfOutlet in the snapshot.
func (s *Snapshot) ReportsOfOutlet(ctx context.Context, outlet string, ids []string) ([]string, error) {
	return reportsOfOutlet(ctx, s, outlet, ids)
}
