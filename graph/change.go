package graph

// Op is what a write did to a node.
type Op uint8

// The operations of a change. Their values are not stored.
const (
	OpInvalid Op = iota
	OpCreated
	OpUpdated
	OpDeleted
)

var opNames = [...]string{"", "CREATED", "UPDATED", "DELETED"}

// String returns the operation's GraphQL spelling ("CREATED", ...).
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "op(?)"
}

// Change is one node written by a committed write: created, updated (its
// own fields or edges rewritten, or an official's possibly-same-as list
// changed) or deleted. Seq numbers every change of the graph's history,
// from 1, in commit order, without gaps within one process's feed.
type Change struct {
	Seq  uint64
	Kind Kind
	ID   string
	Op   Op
}

// ChangeFeed is the history of a graph's changes as its writes commit: a
// bounded window of the most recent changes, and a signal when more come.
// Writers never wait for readers: a reader that falls behind the window
// learns that it missed changes (Window.Missed) and must refetch.
type ChangeFeed interface {
	// ChangesAfter returns up to max changes with Seq > after, oldest
	// first, from the window the feed holds.
	ChangesAfter(after uint64, max int) Window
}

// Window is an answer of ChangeFeed.ChangesAfter.
type Window struct {
	Changes []Change
	// Head is the Seq of the newest change committed (0 when none ever
	// was): the position a new reader starts after.
	Head uint64
	// Missed reports that changes after `after` are no longer held (the
	// window moved past them, or `after` names no change of this graph's
	// history, e.g. one from before a restart that the window does not
	// reach or from another database): the reader must refetch what it
	// shows, then read on from Head.
	Missed bool
	// More is closed when a change after Head commits (or the feed
	// closes): wait on it, then ask again.
	More <-chan struct{}
}
