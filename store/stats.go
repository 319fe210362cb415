package store

import (
	"strconv"
	"sync/atomic"
	"time"

	"hearsay/graph"
)

// waits records how long writes wait for writeMu, for StorageStats.
type waits struct {
	count   atomic.Uint64
	sum     atomic.Int64 // nanoseconds
	buckets [32]atomic.Uint64
}

// observe counts one wait in the first bucket whose bound holds it; a
// wait past the last bound is counted in count only.
func (w *waits) observe(d time.Duration) {
	w.count.Add(1)
	w.sum.Add(int64(d))
	s := d.Seconds()
	for i, b := range graph.WaitBounds {
		if s <= b {
			w.buckets[i].Add(1)
			return
		}
	}
}

func (w *waits) snapshot() graph.WaitHistogram {
	h := graph.WaitHistogram{Buckets: make([]uint64, len(graph.WaitBounds))}
	var n uint64
	for i := range graph.WaitBounds {
		n += w.buckets[i].Load()
		h.Buckets[i] = n
	}
	// count is read after the buckets, so it is never below their sum.
	h.Count, h.Sum = max(w.count.Load(), n), time.Duration(w.sum.Load())
	return h
}

var _ graph.StorageStater = (*DB)(nil)

// StorageStats returns the sizes of Badger's LSM tree and value log (its
// own estimate, db.Size, which Badger refreshes about once a minute), the
// open generation's number and the writes' waits for their turn. It reads
// no key.
func (db *DB) StorageStats() graph.StorageStats {
	g := db.live.acquire()
	defer g.release()
	lsm, vlog := g.db.Size()
	st := graph.StorageStats{LSMBytes: lsm, ValueLogBytes: vlog, WriteWait: db.waits.snapshot()}
	if len(g.name) > 1 {
		st.Generation, _ = strconv.Atoi(g.name[1:])
	}
	return st
}

// lockWrites takes writeMu, counting how long it waited.
func (db *DB) lockWrites() {
	start := time.Now()
	db.writeMu.Lock()
	db.waits.observe(time.Since(start))
}
