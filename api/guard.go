package api

import (
	"net/http"
	"strconv"
)

// CodeOverloaded is the extensions.code of a request refused because the
// server already runs as many GraphQL requests as it allows.
const CodeOverloaded = "OVERLOADED"

// DefaultMaxInFlight is how many GraphQL requests run at once by default.
// On 2 cores the server reaches its throughput with a few dozen requests in
// flight; more only queue for the CPU while their time limits run down.
// It also bounds the server's memory: one request may hold up to about
// 55 MiB live at its worst (BenchmarkWorstCaseRequest), so 32 of them
// about 1.8 GiB; 64 would allow 3.5 GiB.
const DefaultMaxInFlight = 32

// retryAfter is the Retry-After of an overloaded answer, in seconds.
const retryAfter = 1

// gate bounds how many GraphQL requests execute at once. A request that
// finds every slot taken is refused at once, never queued: a queue would
// hold connections open while their clients time out, and a client told to
// retry may go to another server.
type gate struct{ slots chan struct{} }

func newGate(n int) *gate { return &gate{slots: make(chan struct{}, n)} }

// enter takes a slot if one is free. The caller calls leave once done.
func (g *gate) enter() bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (g *gate) leave() { <-g.slots }

// overloaded is the refusal of a request that found every slot taken: 503
// with Retry-After (set by serveGraphQL) and a GraphQL error.
func (g *gate) overloaded() *httpError {
	return refuse(http.StatusServiceUnavailable, CodeOverloaded,
		"The server is busy: it runs at most %d GraphQL requests at once. Retry after %d s.", cap(g.slots), retryAfter).of(limitInFlight)
}

var retryAfterValue = strconv.Itoa(retryAfter)
