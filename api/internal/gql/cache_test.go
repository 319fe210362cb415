package gql

import (
	"strings"
	"testing"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/location"
)

func TestCache(t *testing.T) {
	c := NewCache[int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Get("a") // b is now the least recently used
	c.Put("c", 3)
	// Ensure the least recently used goes past the bound.
	if _, ok := c.Get("b"); ok {
		t.Error("b kept past the bound")
	}
	for q, want := range map[string]int{"a": 1, "c": 3} {
		if got, ok := c.Get(q); !ok || got != want {
			t.Errorf("Get(%q) = %d, %v; want %d", q, got, ok, want)
		}
	}
	// Ensure a query over MaxCachedQuery is not kept, nor anything by a
	// cache of size 0.
	long := strings.Repeat("x", MaxCachedQuery+1)
	c.Put(long, 4)
	if _, ok := c.Get(long); ok {
		t.Error("a query over MaxCachedQuery was kept")
	}
	none := NewCache[int](0)
	none.Put("a", 1)
	if _, ok := none.Get("a"); ok {
		t.Error("a cache of size 0 kept a document")
	}
}

func TestLinesRelocate(t *testing.T) {
	// Ensure offsets reported as line 1 become lines and byte columns,
	// whatever ends the lines, and real lines stay.
	l := NewLines("{\n  a\r\n\tb\rc }")
	errs := []gqlerrors.FormattedError{{Locations: []location.SourceLocation{
		{Line: 1, Column: 1}, {Line: 1, Column: 5}, {Line: 1, Column: 9}, {Line: 1, Column: 11}, {Line: 2, Column: 3},
	}}}
	want := []location.SourceLocation{{Line: 1, Column: 1}, {Line: 2, Column: 3}, {Line: 3, Column: 2}, {Line: 4, Column: 1}, {Line: 2, Column: 3}}
	got := l.Relocate(errs)[0].Locations
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("location %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
