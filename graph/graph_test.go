package graph_test

import (
	"testing"

	"hearsay/graph"
)

func TestPage_Validate(t *testing.T) {
	tests := []struct {
		name  string
		first int
		want  int // First after Validate; -1 for an error
	}{
		// Ensure a zero size takes the default.
		{"Default", 0, graph.DefaultPageSize},
		{"One", 1, 1},
		{"Max", graph.MaxPageSize, graph.MaxPageSize},
		// Ensure sizes over the cap are capped, not rejected.
		// Ensure one item over MaxPageSize is allowed (to learn whether a
		// next page exists) and more is capped there.
		{"OneOver", graph.MaxPageSize + 1, graph.MaxPageSize + 1},
		{"Capped", graph.MaxPageSize + 50, graph.MaxPageSize + 1},
		// Ensure negative sizes are invalid.
		{"Negative", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := graph.Page{After: "claim:a", First: tt.first}
			err := p.Validate()
			if tt.want < 0 {
				if code := graph.ErrorCode(err); code != graph.EINVALID {
					t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.EINVALID)
				}
				return
			}
			if err != nil || p.First != tt.want || p.After != "claim:a" {
				t.Fatalf("Validate() = %v, page %+v; want First %d", err, p, tt.want)
			}
		})
	}
}

func TestSortRatings(t *testing.T) {
	// Ensure ratings sort oldest first, undated first, and ties keep
	// their order.
	r := func(by, at string) graph.Rating {
		return graph.Rating{Rating: graph.ReliabilityB, RatedBy: by, RatedAt: graph.MustParseDate(at)}
	}
	rs := []graph.Rating{
		r("d", "2025-03-01"),
		r("b", "2025"),
		r("e", "2025-03-01"),
		r("a", ""),
		r("c", "2025-01"),
	}
	graph.SortRatings(rs)
	var got string
	for _, x := range rs {
		got += x.RatedBy
	}
	if got != "abcde" {
		t.Fatalf("SortRatings order = %q, want abcde", got)
	}
}
