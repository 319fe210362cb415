package store

import (
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
)

// The live generation of an open database may be replaced while the
// database serves reads: an online bulk import (BulkImport) builds a new
// generation beside it and switches to it. Every transaction runs on one
// generation from its start to its end, so a reader sees the graph before
// the import or after it, never a mix.
//
// liveKV is the KV seam over the generation in use. A transaction takes a
// reference to the current generation (acquire) and gives it back when it
// ends; the switch (replace) is one pointer store, so no reader ever waits
// for it. The replaced generation is closed once its last transaction has
// ended (retire): a request's snapshot holds it for at most the request.

// liveGen is one open generation and its transactions in flight.
type liveGen struct {
	db   *badger.DB
	name string // the generation's name in the directory; "" in memory

	refs    atomic.Int64
	retired atomic.Bool
	once    sync.Once
	idle    chan struct{} // closed once retired with no transaction left
}

func newLiveGen(db *badger.DB, name string) *liveGen {
	return &liveGen{db: db, name: name, idle: make(chan struct{})}
}

// release gives back a reference taken by acquire.
func (g *liveGen) release() {
	if g.refs.Add(-1) == 0 && g.retired.Load() {
		g.once.Do(func() { close(g.idle) })
	}
}

// liveKV is a kvStore whose generation can be replaced (see above).
type liveKV struct{ cur atomic.Pointer[liveGen] }

func newLiveKV(db *badger.DB, name string) *liveKV {
	s := &liveKV{}
	s.cur.Store(newLiveGen(db, name))
	return s
}

// acquire takes a reference to the current generation. A reference taken
// on a generation just replaced is given back and taken again on its
// successor, so a retired generation gains no transaction.
func (s *liveKV) acquire() *liveGen {
	for {
		g := s.cur.Load()
		g.refs.Add(1)
		if s.cur.Load() == g {
			return g
		}
		g.release()
	}
}

// current returns the generation in use, without a reference: for what
// needs only its name or its Badger for a moment under writeMu.
func (s *liveKV) current() *liveGen { return s.cur.Load() }

// with runs fn on the current generation's Badger, holding a reference.
func (s *liveKV) with(fn func(*badger.DB) error) error {
	g := s.acquire()
	defer g.release()
	return fn(g.db)
}

// replace makes next the generation in use and returns the one it
// replaces, which the caller retires.
func (s *liveKV) replace(next *liveGen) *liveGen { return s.cur.Swap(next) }

// retire waits until no transaction holds g any more; g takes no new
// one (replace was called).
func (g *liveGen) retire() {
	g.retired.Store(true)
	if g.refs.Load() == 0 {
		g.once.Do(func() { close(g.idle) })
	}
	<-g.idle
}

func (s *liveKV) view(fn func(kvTxn) error) error {
	g := s.acquire()
	defer g.release()
	return badgerKV{g.db}.view(fn)
}

func (s *liveKV) snapshot() (kvTxn, func()) {
	g := s.acquire()
	txn, discard := badgerKV{g.db}.snapshot()
	return txn, func() { discard(); g.release() }
}

func (s *liveKV) update(fn func(kvTxn) error) error {
	g := s.acquire()
	defer g.release()
	return badgerKV{g.db}.update(fn)
}

func (s *liveKV) batch(set, del [][]byte) error {
	g := s.acquire()
	defer g.release()
	return badgerKV{g.db}.batch(set, del)
}
