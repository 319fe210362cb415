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
// chain's reads (Badger's read timestamps and watermarks). Nodes come from
// the cache of decoded nodes when it holds them (cache.go), and the
// transaction opens at the first read that needs it: a request the cache
// answers, or one that reads nothing, opens none (an open and a release
// each wake Badger's watermark goroutine: ~10 µs of a server's request).
// Should a write land between the taking and that first read, the
// snapshot reads the database as it is then, without the cache: what it
// reads agrees, unless the cache had already answered some of it. The
// snapshot holds its transaction, and with it the versions it reads,
// until Close: take one for a request, not for longer. It is safe for
// concurrent use; its reads take turns.
type Snapshot struct {
	db      *DB
	mu      sync.Mutex
	gen     uint64 // the node cache's generation it reads, 0 for none (cache.go)
	txn     kvTxn  // nil until the first read from storage
	release func()
	closed  bool
}

// Snapshot takes a snapshot of the database; Close it when done.
func (db *DB) Snapshot(ctx context.Context) (graph.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := db.unavailable(); err != nil {
		return nil, err
	}
	return &Snapshot{db: db, gen: db.cache.open(func() {})}, nil
}

// Close releases the snapshot's transaction. It may be called more than
// once.
func (s *Snapshot) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.txn != nil {
		s.txn = nil
		s.release()
	}
}

// begin opens the snapshot's transaction, under s.mu. Unless the cache's
// generation is still the one the snapshot was taken at, the cache is no
// more use to it.
func (s *Snapshot) begin() {
	if s.txn != nil {
		return
	}
	if g := s.db.cache.open(func() { s.txn, s.release = s.db.kv.snapshot() }); g != s.gen {
		s.gen = 0
	}
}

// generation returns the cache generation the snapshot reads, 0 for none.
func (s *Snapshot) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
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
	if s.closed {
		return graph.Errorf(graph.EINTERNAL, "read from a closed snapshot")
	}
	s.begin()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in a read transaction: %v", r)
		}
	}()
	return fn(s.txn)
}

// FindClaimByID is DB.FindClaimByID in the snapshot.
func (s *Snapshot) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	return cachedNode(ctx, s, graph.KindClaim, id, loadClaim)
}

// FindReportByID is DB.FindReportByID in the snapshot.
func (s *Snapshot) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	return cachedNode(ctx, s, graph.KindReport, id, loadReport)
}

// FindOutletByID is DB.FindOutletByID in the snapshot.
func (s *Snapshot) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	return cachedNode(ctx, s, graph.KindOutlet, id, loadOutlet)
}

// FindOfficialByID is DB.FindOfficialByID in the snapshot.
func (s *Snapshot) FindOfficialByID(ctx context.Context, id string) (*graph.Official, error) {
	return cachedNode(ctx, s, graph.KindOfficial, id, loadOfficial)
}

// FindReportsByID is DB.FindReportsByID in the snapshot.
func (s *Snapshot) FindReportsByID(ctx context.Context, ids []string) (map[string]*graph.Report, error) {
	return cachedNodes(ctx, s, ids, graph.KindReport, loadReport)
}

// FindOutletsByID is DB.FindOutletsByID in the snapshot.
func (s *Snapshot) FindOutletsByID(ctx context.Context, ids []string) (map[string]*graph.Outlet, error) {
	return cachedNodes(ctx, s, ids, graph.KindOutlet, loadOutlet)
}

// FindOfficialsByID is DB.FindOfficialsByID in the snapshot.
func (s *Snapshot) FindOfficialsByID(ctx context.Context, ids []string) (map[string]*graph.Official, error) {
	return cachedNodes(ctx, s, ids, graph.KindOfficial, loadOfficial)
}

// ReportsOfOutlet is DB.ReportsOfOutlet in the snapshot. Its answers are
// kept in the node cache too: an iterator costs more than the rest of a
// cached chain's reads.
func (s *Snapshot) ReportsOfOutlet(ctx context.Context, outlet, claim string) ([]string, error) {
	if err := checkOutletClaim(outlet, claim); err != nil {
		return nil, err
	}
	key := "reports-of-outlet\x00" + outlet + "\x00" + claim // no node ID has 0x00
	if a, ok, err := cached[*outletReports](ctx, s, key); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return a.out, nil
	}
	c, err := s.FindClaimByID(ctx, claim)
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids := reportsOf(c.Appearances)
	var out []string
	err = s.view(ctx, func(txn kvTxn) (err error) {
		out, err = outletJoin(ctx, txn, outlet, ids)
		return err
	})
	if err == nil {
		s.db.cache.put(s.generation(), key, &outletReports{out: out}, 16*len(out)+len(key))
	}
	return out, err
}

// outletReports is a cached answer of ReportsOfOutlet.
type outletReports struct{ out []string }

// cached returns the node id from the cache, when the snapshot may use it
// and it holds the node as a T. It fails as a read would: on a closed
// snapshot, a failed storage or a done context.
func cached[T any](ctx context.Context, s *Snapshot, id string) (T, bool, error) {
	var zero T
	n, ok := s.db.cache.get(s.generation(), id)
	t, isT := n.(T)
	if !ok || !isT {
		return zero, false, nil
	}
	if err := ctx.Err(); err != nil {
		return zero, false, err
	}
	if err := s.db.unavailable(); err != nil {
		return zero, false, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return zero, false, graph.Errorf(graph.EINTERNAL, "read from a closed snapshot")
	}
	return t, true, nil
}

// cachedNode reads one node through the cache.
func cachedNode[T any](ctx context.Context, s *Snapshot, kind graph.Kind, id string,
	load func(kvTxn, string, []byte) (T, error)) (T, error) {
	if n, ok, err := cached[T](ctx, s, id); ok || err != nil {
		return n, err
	}
	var size int
	n, err := findNode(ctx, s, kind, id, sizing(load, func(_ string, n int) { size = n }))
	if err == nil {
		s.db.cache.put(s.generation(), id, n, size)
	}
	return n, err
}

// cachedNodes reads many nodes through the cache, the rest in one batch.
func cachedNodes[T any](ctx context.Context, s *Snapshot, ids []string, kind graph.Kind,
	load func(kvTxn, string, []byte) (T, error)) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	var missing []string
	for _, id := range ids {
		n, ok, err := cached[T](ctx, s, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out[id] = n
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	sizes := make(map[string]int, len(missing))
	got, err := findNodes(ctx, s, missing, kind, sizing(load, func(id string, n int) { sizes[id] = n }))
	if err != nil {
		return nil, err
	}
	gen := s.generation()
	for id, n := range got {
		s.db.cache.put(gen, id, n, sizes[id])
		out[id] = n
	}
	return out, nil
}

// sizing wraps load so that it tells size how many stored bytes each node
// it loads took.
func sizing[T any](load func(kvTxn, string, []byte) (T, error), size func(id string, n int)) func(kvTxn, string, []byte) (T, error) {
	return func(txn kvTxn, id string, v []byte) (T, error) {
		st := &sizingTxn{kvTxn: txn, n: len(v)}
		n, err := load(st, id, v)
		size(id, st.n)
		return n, err
	}
}
