package store

import (
	"sync"

	"hearsay/graph"
)

// The change feed (graph.ChangeFeed): every write that commits through a
// writer publishes the nodes it created, updated or deleted, after its
// commit and in commit order, each with the next number of the graph's
// change sequence.
//
// The sequence survives restarts: a writer's flush stores the sequence's
// head under metaKey(changeSeq) in the write's own transaction, so a
// number is never given twice to different changes of one database. The
// changes themselves are kept only in memory, in a ring of the most
// recent Options.FeedSize; a reader asking for changes the ring no longer
// holds, or for a number the sequence has not reached, is told it missed
// some (graph.Window.Missed). A bulk load (BulkLoad, and BulkImport on an
// open database) advances the head by one without a change, so that every
// reader of the database it replaces learns that it must refetch: an
// import of a million nodes is not a million events.

// changeSeq is the metadata entry holding the change sequence's head.
const changeSeq = "feed/seq"

// DefaultFeedSize is how many recent changes the feed keeps for readers
// that reconnect (Options.FeedSize).
const DefaultFeedSize = 10_000

// feed is the DB's change feed. Writes run one at a time (DB.update), so
// staging needs no lock of its own beyond writeMu; mu guards what readers
// see.
type feed struct {
	mu    sync.Mutex
	ring  []graph.Change // ring[i%len(ring)]; holds Seq in (head-n, head]
	n     int            // changes held
	head  uint64
	more  chan struct{} // closed at the next publish
	stage []graph.Change
}

func newFeed(size int, head uint64) *feed {
	if size <= 0 {
		size = DefaultFeedSize
	}
	return &feed{ring: make([]graph.Change, size), head: head, more: make(chan struct{})}
}

// next returns the head writers number from: the committed head (the
// caller holds writeMu, so it does not move).
func (f *feed) next() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.head
}

// publish makes the staged changes visible, after their commit.
func (f *feed) publish() {
	if len(f.stage) == 0 {
		return
	}
	f.mu.Lock()
	for _, c := range f.stage {
		f.ring[c.Seq%uint64(len(f.ring))] = c
		f.head = c.Seq
		f.n = min(f.n+1, len(f.ring))
	}
	close(f.more)
	f.more = make(chan struct{})
	f.mu.Unlock()
	f.stage = f.stage[:0]
}

// restart moves the head to head and forgets every change held, after a
// bulk import replaced the database (DB.BulkImport): a reader resuming
// after any number before head is told it missed changes, and refetches.
func (f *feed) restart(head uint64) {
	f.mu.Lock()
	f.head, f.n = head, 0
	close(f.more)
	f.more = make(chan struct{})
	f.mu.Unlock()
	f.stage = f.stage[:0]
}

// discard forgets the staged changes of a write that did not commit.
func (f *feed) discard() { f.stage = f.stage[:0] }

// ChangesAfter implements graph.ChangeFeed.
func (db *DB) ChangesAfter(after uint64, max int) graph.Window {
	f := db.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	w := graph.Window{Head: f.head, More: f.more}
	oldest := f.head - uint64(f.n) // the last Seq before the ring's first
	if after > f.head || after < oldest {
		w.Missed = true
		return w
	}
	for seq := after + 1; seq <= f.head && len(w.Changes) < max; seq++ {
		w.Changes = append(w.Changes, f.ring[seq%uint64(len(f.ring))])
	}
	return w
}

var _ graph.ChangeFeed = (*DB)(nil)

// record notes a node written by the writer's transaction. A node written
// twice in one write is one change: created then updated stays created
// (and a node whose possibly-same-as list changed before it was created
// is created), anything then deleted is deleted, deleted then written
// again is updated.
func (w *writer) record(id string, op graph.Op) {
	if w.feed == nil {
		return
	}
	if i, ok := w.changed[id]; ok {
		c := &w.changes[i]
		switch {
		case op == graph.OpDeleted:
			c.Op = graph.OpDeleted
		case c.Op == graph.OpDeleted:
			c.Op = graph.OpUpdated
		case op == graph.OpCreated:
			c.Op = graph.OpCreated
		}
		return
	}
	if w.changed == nil {
		w.changed = make(map[string]int)
	}
	w.changed[id] = len(w.changes)
	w.changes = append(w.changes, graph.Change{Kind: graph.KindOf(id), ID: id, Op: op})
}

// stageChanges numbers the writer's changes, stores the sequence's new
// head in the transaction and stages the changes for publication after
// the commit (DB.update).
func (w *writer) stageChanges() error {
	if w.feed == nil || len(w.changes) == 0 {
		return nil
	}
	seq := w.feed.next()
	for i := range w.changes {
		seq++
		w.changes[i].Seq = seq
	}
	if err := w.txn.set(metaKey(changeSeq), encodeCount(int64(seq))); err != nil {
		return err
	}
	w.feed.stage = append(w.feed.stage[:0], w.changes...)
	return nil
}

// readFeedHead reads the stored head of the change sequence.
func readFeedHead(txn kvTxn) (uint64, error) {
	n, err := readCount(txn, metaKey(changeSeq))
	return uint64(n), err
}
