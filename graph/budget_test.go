package graph_test

import (
	"context"
	"errors"
	"testing"

	"hearsay/graph"
)

func TestBudget(t *testing.T) {
	const layers, width = 5, 4 // 1024 chains of 6 hops, 1365 visits
	spent := errors.New("spent")
	// Ensure a budget carried by the context stops a trace with its error
	// once the visits and returned hops pass it, and is shared by traces.
	t.Run("ErrSpent", func(t *testing.T) {
		b := graph.NewBudget(1000, spent)
		ctx := graph.WithBudget(context.Background(), b)
		_, err := graph.TraceAppearance(ctx, fanGraph(t, layers, width), testClaim, "report:a", graph.TraceOptions{})
		if !errors.Is(err, spent) || !b.Spent() {
			t.Fatalf("err %v, spent %v; want the budget's error", err, b.Spent())
		}
	})
	t.Run("OKShared", func(t *testing.T) {
		// One trace costs 1365 visits + 1024×6 hops = 7509 steps.
		b := graph.NewBudget(7509*2, spent)
		ctx := graph.WithBudget(context.Background(), b)
		g := fanGraph(t, layers, width)
		for i := range 2 {
			if _, err := graph.TraceAppearance(ctx, g, testClaim, "report:a", graph.TraceOptions{}); err != nil {
				t.Fatalf("trace %d: %v", i, err)
			}
		}
		if b.Spent() {
			t.Fatal("spent after exactly its steps")
		}
		if _, err := graph.TraceAppearance(ctx, g, testClaim, "report:a", graph.TraceOptions{}); !errors.Is(err, spent) {
			t.Fatalf("third trace: %v, want the budget's error", err)
		}
	})
	// Ensure a nil budget is unlimited.
	if err := (*graph.Budget)(nil).Spend(1 << 40); err != nil {
		t.Fatal(err)
	}
}
