package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"hearsay/graph"
)

// Read-your-writes on a replicated graph (DESIGN.md section 6.1): a
// write's response carries the log position it was acknowledged at, in
// the header Hearsay-Seq and the response's extensions.hearsay.seq; a
// request carrying Hearsay-Min-Seq waits until the node has applied the
// log up to there before it runs, at most Config.CatchUpWait, else it is
// refused with NOT_CAUGHT_UP (503, Retry-After). On a graph that is not
// replicated every write is visible at once and the header is ignored.
const (
	headerSeq       = "Hearsay-Seq"
	headerMinSeq    = "Hearsay-Min-Seq"
	CodeNotCaughtUp = "NOT_CAUGHT_UP"
	// DefaultCatchUpWait is how long a request waits for its
	// Hearsay-Min-Seq by default.
	DefaultCatchUpWait = 5 * time.Second
)

func (s *Server) waitMinSeq(ctx context.Context, r *http.Request) *httpError {
	v := r.Header.Get(headerMinSeq)
	if v == "" {
		return nil
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return refuse(http.StatusBadRequest, CodeBadUserInput, "The %s header is not a log position (a decimal number): %q.", headerMinSeq, truncate(v, 40))
	}
	rg, ok := s.cfg.Graph.(graph.Replicated)
	if !ok || rg.Applied() >= seq {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CatchUpWait)
	defer cancel()
	if err := rg.WaitApplied(ctx, seq); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return refuse(http.StatusServiceUnavailable, CodeNotCaughtUp,
				"This node has applied the log up to %d, not yet %d, after waiting %s; retry, or ask another node.", rg.Applied(), seq, s.cfg.CatchUpWait)
		}
		return refuse(http.StatusServiceUnavailable, CodeNotCaughtUp, "This node cannot apply the log up to %d: %s", seq, graph.ErrorMessage(err))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// withSeqExtension adds "extensions":{"hearsay":{"seq":N}} to a response
// object: the response is one JSON object, written by gql.WriteResponse,
// and ends with its closing brace (and maybe white space).
func withSeqExtension(b []byte, seq uint64) []byte {
	end := bytes.LastIndexByte(b, '}')
	if end < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+48)
	out = append(out, b[:end]...)
	out = append(out, `,"extensions":{"hearsay":{"seq":`...)
	out = strconv.AppendUint(out, seq, 10)
	out = append(out, "}}"...)
	return append(out, b[end:]...)
}
