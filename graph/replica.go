package graph

import (
	"context"
	"sync"
)

// Replicated is implemented by a graph that applies a replicated log of
// writes (several servers, one graph: DESIGN.md section 6.1). Every write
// is acknowledged with its position in the log; a reader that needs its
// own writes passes that position back and waits until the graph it
// reads has applied it.
type Replicated interface {
	// Applied returns the position of the log applied so far.
	Applied() uint64
	// WaitApplied waits until the log is applied up to seq, or ctx ends
	// (its error).
	WaitApplied(ctx context.Context, seq uint64) error
}

// WriteSeq collects the log positions of the writes of one request: a
// replicated graph notes each write's position (NoteWriteSeq) in the
// WriteSeq its context carries, and the transport tells the client the
// highest.
type WriteSeq struct {
	mu  sync.Mutex
	max uint64
}

type writeSeqKey struct{}

// WithWriteSeq returns a context whose writes note their log positions
// in the returned WriteSeq.
func WithWriteSeq(ctx context.Context) (context.Context, *WriteSeq) {
	ws := &WriteSeq{}
	return context.WithValue(ctx, writeSeqKey{}, ws), ws
}

// NoteWriteSeq notes that a write of the request ctx belongs to was
// acknowledged at log position seq; without a WriteSeq it does nothing.
func NoteWriteSeq(ctx context.Context, seq uint64) {
	if ws, ok := ctx.Value(writeSeqKey{}).(*WriteSeq); ok {
		ws.mu.Lock()
		ws.max = max(ws.max, seq)
		ws.mu.Unlock()
	}
}

// Seq returns the highest position noted, 0 for none.
func (ws *WriteSeq) Seq() uint64 {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.max
}

// ReplicaStatus is what an operator compares between the nodes of a
// replicated deployment: how far each applied the log, its counts, and a
// digest of its keys. Two nodes at the same Applied agree when their
// SHA256 is the same.
type ReplicaStatus struct {
	Node    string `json:"node"`
	Applied uint64 `json:"applied"`
	Stats   Stats  `json:"stats"`
	Keys    int64  `json:"keys"`
	SHA256  string `json:"sha256"`
	// Failed says why the node stopped applying the log; "" while it
	// applies.
	Failed string `json:"failed,omitempty"`
}

// ReplicaStatuser is implemented by a replicated graph that reports its
// ReplicaStatus. It reads every key: its cost is a full scan.
type ReplicaStatuser interface {
	ReplicaStatus(ctx context.Context) (ReplicaStatus, error)
}
