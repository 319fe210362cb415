package store

import (
	"sync"
	"sync/atomic"
)

// The node cache keeps decoded nodes between queries: a 6-hop chain reads
// about twenty nodes, and their point lookups and decoding were most of
// its cost (a Badger Get is a binary search of every level's tables and
// of a block's index, ~2.5 µs, before decoding). Dashboards ask for the
// same chains over and over; the cache answers them from memory.
//
// It is only read through snapshots (Snapshot), and is correct by
// construction rather than by invalidating keys: every write moves a
// generation counter, a seqlock (odd while a write runs, even between
// writes; cachingKV), and the cache holds the nodes of one generation
// only. A snapshot that opened its transaction while the counter stood
// still at an even value reads exactly the database of that generation,
// so it may take and give nodes of that generation; any other snapshot
// reads without the cache. A write empties the cache at the next put.
// Nodes in the cache are shared by every query that reads them: readers
// never change a node they did not make (graph and api treat read nodes
// as read-only, and go test -race checks it).
//
// Its size is bounded: nodeCacheBytes counts three times each node's
// stored bytes (its value and adjacency values) and 256 more as an
// estimate of its decoded size (its strings, its structs, the map's
// entry); a put that would pass it empties the cache first. 'hearsay
// bench' measures what a server holds after 2,000 queries over random
// claims.

// nodeCacheBytes is the cache's budget, in estimated bytes.
const nodeCacheBytes = 16 << 20

// nodeCache is the cache of one open database.
type nodeCache struct {
	gen atomic.Uint64 // the seqlock: odd while a write runs

	mu    sync.Mutex
	at    uint64 // the generation of every node held
	nodes map[string]any
	bytes int
	max   int
}

func newNodeCache(max int) *nodeCache {
	c := &nodeCache{max: max, nodes: make(map[string]any)}
	c.gen.Store(2)
	return c
}

// open returns the generation a snapshot whose transaction opens within
// txn may use the cache at, or 0 when it may not.
func (c *nodeCache) open(txn func()) uint64 {
	if c == nil {
		txn()
		return 0
	}
	g := c.gen.Load()
	txn()
	if g%2 != 0 || c.gen.Load() != g {
		return 0
	}
	return g
}

// write runs a write: the generation is odd while it runs, even and
// moved on after, whether it succeeded or not.
func (c *nodeCache) write(fn func() error) error {
	if c == nil {
		return fn()
	}
	c.gen.Add(1)
	defer c.gen.Add(1)
	return fn()
}

// get returns the node id of generation gen, if held.
func (c *nodeCache) get(gen uint64, id string) (any, bool) {
	if c == nil || gen == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != gen {
		return nil, false
	}
	n, ok := c.nodes[id]
	return n, ok
}

// put holds node id of generation gen, read from size stored bytes.
func (c *nodeCache) put(gen uint64, id string, node any, size int) {
	if c == nil || gen == 0 {
		return
	}
	cost := 3*size + 256 + len(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.at:
		return // read before a write the cache has seen
	case gen > c.at || c.bytes+cost > c.max:
		clear(c.nodes)
		c.at, c.bytes = gen, 0
	}
	if cost > c.max {
		return
	}
	if _, ok := c.nodes[id]; !ok {
		c.nodes[id] = node
		c.bytes += cost
	}
}

// cachingKV is a kvStore whose writes move the cache's generation.
type cachingKV struct {
	kvStore
	cache *nodeCache
}

func (s cachingKV) update(fn func(kvTxn) error) error {
	return s.cache.write(func() error { return s.kvStore.update(fn) })
}

func (s cachingKV) batch(set, del [][]byte) error {
	return s.cache.write(func() error { return s.kvStore.batch(set, del) })
}

// sizingTxn is a read transaction that counts the bytes of the values it
// reads: what a node read from it takes in the cache.
type sizingTxn struct {
	kvTxn
	n int
}

func (t *sizingTxn) get(key []byte, fn func(v []byte) error) error {
	return t.kvTxn.get(key, func(v []byte) error {
		t.n += len(v)
		return fn(v)
	})
}
