package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"

	"hearsay/graph"
)

// A storage failure is a write Badger could not make: its log, a new
// memtable's log or a sync failed (a read-only or full file system, an
// I/O error). Badger cannot go on after one: a memtable it failed to
// create leaves it without one, and every later read panics (nil
// pointer, Badger's getMemTables); a log write that failed half-way has
// put part of a transaction into the memtable; after a failed fsync the
// kernel may have dropped the dirty pages. So the first failure is
// final: every later read and write is refused with EUNAVAILABLE naming
// the cause, Failed is closed, and the process should exit (DB.Close leaves
// Badger as a killed process would). The next open recovers from the logs: a transaction whose
// commit record is not in the log is dropped, and no write was
// acknowledged without it.
//
// A full disk is worse: Badger writes through memory-mapped files, and a
// page the kernel cannot back kills the process with SIGBUS instead of
// failing a write. So writes are refused, before Badger sees them, while
// the file system holding the database has less free space than
// Options.MinFreeBytes; they resume by themselves once space is freed. Reads go on.

// fault is the database's health.
type fault struct {
	mu     sync.Mutex
	err    error         // the first storage failure, final
	failed chan struct{} // closed at the first failure

	dir     string // the directory whose file system's free space is checked
	minFree uint64 // 0: not checked
}

func newFault(dir string, minFree int64) *fault {
	f := &fault{failed: make(chan struct{}), dir: dir}
	if minFree > 0 {
		f.minFree = uint64(minFree)
	}
	return f
}

// fail records err as the storage failure (the first one counts) and
// returns the error callers get.
func (db *DB) fail(err error) error {
	f := db.fault
	f.mu.Lock()
	first := f.err == nil
	if first {
		f.err = err
		close(f.failed)
	}
	f.mu.Unlock()
	if first {
		db.log.Error().Err(err).Str("reason", cause(err)).
			Msg("storage failed: the database takes no more reads or writes until it is reopened")
	}
	return db.unavailable()
}

// unavailable returns the error of a failed database, nil while it is
// healthy.
func (db *DB) unavailable() error {
	f := db.fault
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err == nil {
		return nil
	}
	return graph.Errorf(graph.EUNAVAILABLE,
		"the database's storage failed (%s); it takes no more reads or writes until it is reopened", cause(err))
}

// Failed is closed when the storage has failed (see fault.go): from then
// on every read and write fails with graph.EUNAVAILABLE, and the database
// must be closed and opened again.
func (db *DB) Failed() <-chan struct{} { return db.fault.failed }

// Health returns nil while the database takes reads and writes; else an
// EUNAVAILABLE error whose message says why: its storage failed, or the
// disk is too full to write.
func (db *DB) Health() error {
	if err := db.unavailable(); err != nil {
		return err
	}
	return db.roomToWrite()
}

// roomToWrite refuses writes while the file system holding the database
// has less than MinFreeBytes free. It asks the kernel every time (one
// statfs, about a microsecond): a fast writer must not run through the
// margin between two looks.
func (db *DB) roomToWrite() error {
	f := db.fault
	if f.minFree == 0 {
		return nil
	}
	free, err := freeBytes(f.dir)
	if err != nil || free >= f.minFree {
		return nil
	}
	return graph.Errorf(graph.EUNAVAILABLE,
		"the disk holding the database is nearly full (%d MB free, writes need %d MB): writes are refused until space is freed",
		free>>20, f.minFree>>20)
}

// cause names what failed, for clients and logs: the system error where
// Badger's message names one (Badger flattens its errors into text, so
// errors.Is does not reach them).
func cause(err error) string {
	for _, errno := range []syscall.Errno{syscall.EROFS, syscall.ENOSPC, syscall.EDQUOT, syscall.EACCES,
		syscall.EPERM, syscall.EIO, syscall.EFBIG} {
		if errors.Is(err, errno) || strings.Contains(err.Error(), errno.Error()) {
			return errno.Error()
		}
	}
	var p panicError
	if errors.As(err, &p) {
		return "Badger stopped with a panic"
	}
	return "a write to disk failed"
}

// panicError is a panic inside a write transaction.
type panicError struct{ v any }

func (p panicError) Error() string { return fmt.Sprintf("panic in a write transaction: %v", p.v) }
