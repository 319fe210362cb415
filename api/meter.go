package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// The limits of one execution, enforced while the answer is built: the
// complexity estimate (limits.go) refuses what is plainly too large before
// anything runs, but it cannot know how many chains a trace will return.
//
//   - The answer is metered field by field as resolvers return (every
//     resolver of the schema is wrapped, for plans and graphql-go's executor
//     alike): the field's name and its string value count their bytes, a
//     list one byte per item. Past MaxResponseBytes resolvers stop, and the
//     query is refused 400 RESPONSE_TOO_LARGE; plans also check the JSON
//     they have written. The meter is close to the JSON size of the answer
//     for plans; under graphql-go's executor each field costs
//     graphqlGoFieldCost more, for the memory the executor spends on it.
//   - The request's traces share one graph.Budget of MaxTraceSteps steps.
//     Once spent they stop, and the query is refused 400 QUERY_TOO_COMPLEX.
//   - Every resolver checks the request's context first, so no execution
//     outlives --timeout by more than one resolver's work.
//
// A mutation that passes a limit has already written: its answer is 200,
// with the data that fit and the errors of the fields that did not.

// graphqlGoFieldCost is what the meter charges a field resolved by
// graphql-go's executor beyond its JSON: the executor allocates about 1.7
// KB per field (a map entry, a ResolveInfo, a path, an interface per
// value), so that its answers are held to 1/512 as many fields as plans'.
// Queries with input objects or list arguments (filters), directives or
// introspection, and mutations, run through graphql-go.
const graphqlGoFieldCost = 512

// run holds the limits of one execution.
type run struct {
	max      int64
	perField int // charged for every field besides its JSON: graphqlGoFieldCost under graphql-go
	bytes    atomic.Int64
	budget   *graph.Budget
	tooMuch  *clientError // the budget's
	tooLarge *clientError
}

type runKey struct{}

// newRun returns a context carrying fresh limits for one execution.
func (s *Server) newRun(ctx context.Context) (context.Context, *run) {
	text := refusalTexts(s.cfg.MaxTraceSteps, s.cfg.MaxResponseBytes)
	r := &run{
		max:      int64(s.cfg.MaxResponseBytes),
		tooMuch:  &clientError{code: CodeQueryTooComplex, message: text[0], limit: limitTraceSteps},
		tooLarge: &clientError{code: CodeResponseTooLarge, message: text[1], limit: limitResponseSize},
	}
	r.budget = graph.NewBudget(int64(s.cfg.MaxTraceSteps), r.tooMuch)
	ctx = context.WithValue(ctx, runKey{}, r)
	return graph.WithBudget(ctx, r.budget), r
}

// refusals holds the messages of a run's refusals by limits, formatted
// once per pair of limits rather than for every request (~3 µs of each).
var refusals sync.Map // [2]int{steps, bytes} -> [2]string{tooMuch, tooLarge}

func refusalTexts(steps, bytes int) [2]string {
	k := [2]int{steps, bytes}
	if t, ok := refusals.Load(k); ok {
		return t.([2]string)
	}
	t := [2]string{
		fmt.Sprintf("The query's traces took more than %d steps (appearances visited and hops returned, over all its chains, origins, judgements and echoes); ask for fewer chains, a smaller maxDepth, or the chains from one report.", steps),
		fmt.Sprintf("The answer is over the limit of %d bytes; ask for fewer items or fields.", bytes),
	}
	refusals.Store(k, t)
	return t
}

func runFrom(ctx context.Context) *run {
	r, _ := ctx.Value(runKey{}).(*run)
	return r
}

// charge adds n bytes to the answer, and returns the refusal once it is
// over the limit.
func (r *run) charge(n int) error {
	if r.bytes.Add(int64(n)) > r.max {
		return r.tooLarge
	}
	return nil
}

// over reports whether the answer passed its limit.
func (r *run) over() bool { return r.bytes.Load() > r.max }

// refusal is the answer to a query stopped by a limit of its run or by its
// context, nil when none stopped it.
func (r *run) refusal(ctx context.Context) *httpError {
	switch {
	case r.over():
		return &httpError{status: http.StatusBadRequest, err: r.tooLarge}
	case r.budget.Spent():
		return &httpError{status: http.StatusBadRequest, err: r.tooMuch}
	case ctx.Err() != nil:
		// As graphql-go's answers to a timeout: 200, a code, the request's ID.
		return &httpError{status: http.StatusOK, err: toClientError(ctx, ctx.Err())}
	}
	return nil
}

// meterSchema wraps every resolver of the schema's own object types (not
// graphql-go's introspection types, whose answers the schema bounds) with
// metered.
func meterSchema(schema *graphql.Schema) {
	for name, t := range schema.TypeMap() {
		obj, ok := t.(*graphql.Object)
		if !ok || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range obj.Fields() {
			fn := f.Resolve
			if fn == nil {
				fn = graphql.DefaultResolveFn
			}
			f.Resolve = metered(fn)
		}
	}
}

// metered checks the request's context and limits before a resolver runs,
// and charges its value to the answer after.
func metered(fn graphql.FieldResolveFn) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		r := runFrom(p.Context)
		if r == nil {
			return fn(p)
		}
		if err := p.Context.Err(); err != nil {
			return nil, toClientError(p.Context, err)
		}
		if r.over() {
			return nil, r.tooLarge
		}
		v, err := fn(p)
		if err != nil {
			return v, err
		}
		if err := r.charge(r.perField + len(p.Info.FieldName) + 4 + valueSize(v)); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// valueSize estimates the JSON bytes of a resolved value beyond its key:
// a string's length, a byte per list item (the items' fields are charged
// as they resolve), 8 for anything else.
func valueSize(v any) int {
	switch x := v.(type) {
	case nil:
		return 4
	case string:
		return len(x) + 2
	case []any:
		return len(x) + 2
	case []string:
		n := 2
		for _, s := range x {
			n += len(s) + 3
		}
		return n
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		return rv.Len() + 2
	}
	return 8
}
