package graph

import (
	"context"
	"sync/atomic"
)

// Budget is the traversal work one request may do over all its traces:
// each appearance a trace visits costs one step, and each chain it returns
// one step per hop. One trace is bounded by TraceOptions, but a request may
// run many (aliases of chains with different depths, echoes of every
// outlet); a Budget carried by the request's context bounds them together,
// as a deadline bounds their time. A nil Budget is unlimited.
type Budget struct {
	left atomic.Int64
	err  error
}

// NewBudget returns a budget of steps; once spent, Spend returns err.
func NewBudget(steps int64, err error) *Budget {
	b := &Budget{err: err}
	b.left.Store(steps)
	return b
}

// Spend takes n steps from the budget, or returns the budget's error when
// fewer are left (and keeps returning it).
func (b *Budget) Spend(n int) error {
	if b == nil {
		return nil
	}
	if b.left.Add(-int64(n)) < 0 {
		return b.err
	}
	return nil
}

// Spent reports whether the budget ran out.
func (b *Budget) Spent() bool { return b != nil && b.left.Load() < 0 }

type budgetKey struct{}

// WithBudget returns a context carrying the budget.
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// BudgetFrom returns the context's budget, nil when it has none.
func BudgetFrom(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}
