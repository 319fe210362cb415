package api

import (
	"container/list"
	"sort"
	"sync"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/location"
)

// document is a parsed and validated query, ready to execute.
type document struct {
	query  string // the text; locations are computed in it (relocate)
	lines  []int  // the offset each line starts at, built by relocate
	once   sync.Once
	ast    *ast.Document
	errs   []gqlerrors.FormattedError         // parse or validation errors; nil when valid
	status int                                // HTTP status for errs
	depth  int                                // deepest field nesting, fragments followed
	plans  map[*ast.OperationDefinition]*plan // the query operations that have one (exec.go)
}

// relocate turns the locations of graphql-go's errors, byte offsets as
// line 1 and column offset+1 (the tree holds no source, see document),
// into lines and byte columns of the query. Locations on other lines are
// real already.
func (d *document) relocate(errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	for i := range errs {
		for j, l := range errs[i].Locations {
			if l.Line != 1 || l.Column < 1 {
				continue
			}
			d.once.Do(func() {
				d.lines = append(d.lines, 0)
				for k := 0; k < len(d.query); k++ {
					switch d.query[k] {
					case '\n':
						d.lines = append(d.lines, k+1)
					case '\r':
						if k+1 < len(d.query) && d.query[k+1] == '\n' {
							k++
						}
						d.lines = append(d.lines, k+1)
					}
				}
			})
			off := l.Column - 1
			line := sort.Search(len(d.lines), func(n int) bool { return d.lines[n] > off }) // lines before off, and off's
			errs[i].Locations[j] = location.SourceLocation{Line: line, Column: off - d.lines[line-1] + 1}
		}
	}
	return errs
}

// docCache is a bounded LRU of documents keyed by the query text. Parsing
// and validating is most of graphql-go's cost per query, and dashboards
// send the same few queries over and over.
type docCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front: most recently used
	items map[string]*list.Element
}

// maxCachedQuery is the longest query the cache keeps. A cached document
// holds its query twice (key and source) and its syntax tree: 512 entries
// of 1 MiB queries would pin over a gigabyte. Queries sent over and over
// are short; longer ones are parsed each time.
const maxCachedQuery = 16 << 10

type cacheEntry struct {
	query string
	doc   *document
}

func newDocCache(max int) *docCache {
	return &docCache{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

func (c *docCache) get(query string) (*document, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[query]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).doc, true
	}
	return nil, false
}

func (c *docCache) put(query string, doc *document) {
	if c.max <= 0 || len(query) > maxCachedQuery {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[query]; ok {
		c.ll.MoveToFront(e)
		e.Value.(*cacheEntry).doc = doc
		return
	}
	c.items[query] = c.ll.PushFront(&cacheEntry{query: query, doc: doc})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).query)
	}
}
