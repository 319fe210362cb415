package api

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"

	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
)

// Plans answer the queries dashboards send over and over without
// graphql-go's executor (internal/gql/exec.go): compiled once, when a
// document is cached, and run with the server's loader and limits.

// planStats switches plans off (for tests) and counts their fallbacks.
type planStats struct {
	off       bool
	fallbacks atomic.Int64
}

// runPlan answers a query through its plan, with a loader and limits of
// its own: the answer, or the refusal of a query stopped by a limit or its
// context. ok is false when graphql-go must answer.
func (s *Server) runPlan(ctx context.Context, doc *document, op *ast.OperationDefinition, variables map[string]any) (*bytes.Buffer, *httpError, bool) {
	p := doc.Plans[op]
	if p == nil || s.plans.off {
		return nil, nil, false
	}
	l := newLoader(s.cfg.Graph)
	l.quiet = true
	defer l.snapshot(ctx)()
	ctx, run := s.newRun(ctx)
	buf := getBuffer()
	if err := p.Run(context.WithValue(ctx, loaderKey{}, l), &s.schema, variables, buf, run.max); err != nil {
		putBuffer(buf)
		if errors.Is(err, gql.ErrTooLarge) {
			run.bytes.Store(run.max + 1) // refused as too large, see run.refusal
		}
		if herr := run.refusal(ctx); herr != nil {
			return nil, herr, true // graphql-go would stop at the same limit
		}
		s.plans.fallbacks.Add(1)
		return nil, nil, false
	}
	return buf, nil, true
}
