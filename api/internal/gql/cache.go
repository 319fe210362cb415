package gql

import (
	"container/list"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/location"
)

// Lines relocates the errors of one query. graphql-go's errors, when the
// document was parsed without its source (parser.ParseOptions.NoSource),
// carry byte offsets as line 1 and column offset+1; Relocate turns them
// into lines and byte columns of the query. The offsets the lines start
// at are found once, on first use, so a Lines is safe for concurrent use.
type Lines struct {
	query string
	once  sync.Once
	start []int // the offset each line starts at
}

// NewLines returns the lines of query.
func NewLines(query string) *Lines { return &Lines{query: query} }

// Relocate rewrites the locations of errs in place, and returns errs.
// Locations on other lines than the first are real already.
func (d *Lines) Relocate(errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	for i := range errs {
		for j, l := range errs[i].Locations {
			if l.Line != 1 || l.Column < 1 {
				continue
			}
			d.once.Do(func() {
				d.start = append(d.start, 0)
				for k := 0; k < len(d.query); k++ {
					switch d.query[k] {
					case '\n':
						d.start = append(d.start, k+1)
					case '\r':
						if k+1 < len(d.query) && d.query[k+1] == '\n' {
							k++
						}
						d.start = append(d.start, k+1)
					}
				}
			})
			off := l.Column - 1
			line := sort.Search(len(d.start), func(n int) bool { return d.start[n] > off }) // lines before off, and off's
			errs[i].Locations[j] = location.SourceLocation{Line: line, Column: off - d.start[line-1] + 1}
		}
	}
	return errs
}

// Cache is a bounded LRU of prepared documents keyed by the query text.
// Parsing and validating is most of graphql-go's cost per query, and
// dashboards send the same few queries over and over.
type Cache[D any] struct {
	mu     sync.Mutex
	max    int
	ll     *list.List // front: most recently used
	items  map[string]*list.Element
	hits   atomic.Int64
	misses atomic.Int64
	// added and evicted, when set (Watch), are told of each document the
	// cache takes and lets go, under its lock: in order.
	added, evicted func(D)
}

// MaxCachedQuery is the longest query the cache keeps. A cached document
// holds its query twice (key and source) and its syntax tree: 512 entries
// of 1 MiB queries would pin over a gigabyte. Queries sent over and over
// are short; longer ones are parsed each time.
const MaxCachedQuery = 16 << 10

type cacheEntry[D any] struct {
	query string
	doc   D
}

// NewCache returns a cache of at most max documents; none when max <= 0.
func NewCache[D any](max int) *Cache[D] {
	return &Cache[D]{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

// Watch sets the functions told of each document the cache takes and lets
// go (replaced or dropped), under the cache's lock: a new document is
// added after the documents it pushes out are evicted, a replacing one
// before the one it replaces. Both or neither are set; call it before the
// cache is used. They must not use the cache.
func (c *Cache[D]) Watch(added, evicted func(D)) { c.added, c.evicted = added, evicted }

// Get returns the document of query, if the cache holds it.
func (c *Cache[D]) Get(query string) (D, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[query]; ok {
		c.ll.MoveToFront(e)
		c.hits.Add(1)
		return e.Value.(*cacheEntry[D]).doc, true
	}
	c.misses.Add(1)
	var zero D
	return zero, false
}

// Stats returns how many Gets found their document, and how many did not.
func (c *Cache[D]) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// Put keeps the document of query, unless the query is over
// MaxCachedQuery, dropping the least recently used past the bound.
func (c *Cache[D]) Put(query string, doc D) {
	if c.max <= 0 || len(query) > MaxCachedQuery {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[query]; ok {
		c.ll.MoveToFront(e)
		entry := e.Value.(*cacheEntry[D])
		old := entry.doc
		entry.doc = doc
		if c.added != nil { // before evicted: what both hold stays held
			c.added(doc)
			c.evicted(old)
		}
		return
	}
	c.items[query] = c.ll.PushFront(&cacheEntry[D]{query: query, doc: doc})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		entry := last.Value.(*cacheEntry[D])
		delete(c.items, entry.query)
		if c.evicted != nil {
			c.evicted(entry.doc)
		}
	}
	if c.added != nil { // after the evictions: room first
		c.added(doc)
	}
}
