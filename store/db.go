package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/rs/zerolog"

	"hearsay/graph"
)

// Options configure the database. The zero value of a field takes the
// default below; DefaultOptions and SmallOptions are the two profiles.
type Options struct {
	// Dir is the database directory; ignored with InMemory.
	Dir string
	// InMemory keeps everything in memory (tests).
	InMemory bool
	// ReadOnly opens the database for reading only.
	ReadOnly bool
	// MemTableSize is the size of one memtable. One write transaction may
	// hold up to 15 % of it, which bounds a single atomic import.
	MemTableSize int64
	// NumMemtables is how many memtables may be in memory at once.
	NumMemtables int
	// BlockCacheSize caches table blocks, decompressed; 0 disables the
	// cache, and with it compression (Compress).
	BlockCacheSize int64
	// Compress compresses the blocks of the tables on disk with Snappy
	// (DESIGN.md section 8.2): a database takes about 0.4 of the disk it
	// takes uncompressed, and a read of a block not in the block cache
	// decompresses it. Badger needs a block cache to compress: without one
	// (BlockCacheSize 0), and in memory, tables are not compressed. Tables
	// written uncompressed, by an older version or with Compress off, stay
	// readable either way: each table records its own compression.
	Compress bool
	// IndexCacheSize caches table indexes and bloom filters; 0 keeps them
	// on the heap.
	IndexCacheSize int64
	// Logger receives Badger's messages; Badger's INFO lines go to DEBUG.
	Logger zerolog.Logger
	// SyncWrites makes every commit wait for fsync: a committed write then
	// survives an operating system crash or power loss, not only the
	// process's death (which it survives either way: Badger writes its log
	// before the commit returns).
	SyncWrites bool
	// MinFreeBytes is the free space the file system holding the database
	// must keep for writes to be taken (see fault.go: Badger writes
	// through memory-mapped files, and a full disk kills the process).
	// 0 takes the default, 4 memtables and 64 MB (320 MB by default); a
	// negative value turns the check off.
	MinFreeBytes int64
	// FeedSize is how many recent changes the change feed keeps for
	// readers that reconnect (feed.go); 0 takes DefaultFeedSize.
	FeedSize int
}

// DefaultOptions is the profile for a server on 2 cores and modest memory.
// Tables are compressed with Snappy: the 1M-edge file takes 114 MB on disk
// instead of 269 MB, and a read of blocks not cached costs 15-35 % more, one
// of cached blocks nothing (DESIGN.md section 8.2; ZSTD took 77 MB and
// cost ~30 %). Badger decompresses a block into its block cache, 64 MB: a
// block read again is not decompressed again. Table files are mapped into memory, so a block not cached is
// read from the operating system's page cache, which the kernel sizes and
// reclaims.
//
// The memory a database of E million edges needs (README "Performance",
// measured by 'hearsay bench'):
//
//	the process's own:  ~100 MB (runtime, schema, caches, Badger's
//	                    goroutines and a first memtable)
//	                  + up to BlockCacheSize = 64 MB of decompressed
//	                    blocks as reads fill the block cache
//	                  + up to NumMemtables × MemTableSize = 128 MB as
//	                    writes fill memtables
//	                  + ~11 MB × E for table indexes and bloom filters,
//	                    kept on the heap (4.7 keys per edge)
//	                  + ~20 MB × E for the working set of decoded nodes
//	                    and garbage between collections
//	mapped table pages: up to the database's size on disk (~115 bytes
//	                    per edge), as far as the OS grants page cache.
func DefaultOptions(dir string) Options {
	return Options{
		Dir:            dir,
		MemTableSize:   64 << 20,
		NumMemtables:   2,
		BlockCacheSize: 64 << 20,
		Compress:       true,
		IndexCacheSize: 0,
		Logger:         zerolog.Nop(),
		SyncWrites:     true,
	}
}

// SmallOptions is the profile for tests and tools: an in-memory database
// costing about 13 MB, opened in milliseconds.
func SmallOptions() Options {
	return Options{
		InMemory:       true,
		MemTableSize:   4 << 20,
		NumMemtables:   2,
		BlockCacheSize: 0,
		Logger:         zerolog.Nop(),
	}
}

// DB is hearsay's graph on Badger. It implements graph.Graph and is safe
// for concurrent use.
type DB struct {
	live   *liveKV // the generation in use (live.go): Badger's own tools, close, backup
	kv     kvStore // every transaction
	layout *layout // nil in memory
	opt    Options // as opened: a new generation is opened with them (BulkImport)
	log    zerolog.Logger
	// writeMu runs writes one at a time: it is the one concurrency
	// mechanism of writes. Every write updates the shared counters, so
	// concurrent transactions would conflict on them (the load test saw
	// it at 16 clients); one at a time they never conflict, and the
	// directory lock makes this process the only writer, so Badger's
	// conflict detection never fires and no write is retried. It also
	// keeps a delete's scan of a node's references from racing a write
	// that adds one (writer.mustExist).
	writeMu sync.Mutex
	waits   waits // how long writes waited for writeMu (stats.go)
	fault   *fault
	feed    *feed
	cache   *nodeCache // decoded nodes for snapshots (cache.go); nil for none
}

var _ graph.Graph = (*DB)(nil)

// Open opens (creating if needed) the database described by opt: the live
// generation of the directory opt.Dir (see generation.go), or an in-memory one.
func Open(opt Options) (*DB, error) {
	if !opt.InMemory && opt.Dir == "" {
		return nil, graph.Errorf(graph.EINVALID, "no database directory given")
	}
	var l *layout
	dir := ""
	if !opt.InMemory {
		var err error
		if l, err = openLayout(opt.Dir, opt.ReadOnly); err != nil {
			return nil, err
		}
		dir = l.live()
	}
	bdb, err := openBadger(badgerOptions(opt, dir), l)
	if err != nil {
		if l != nil {
			l.close()
		}
		return nil, err
	}
	minFree := opt.MinFreeBytes
	if minFree == 0 {
		minFree = 4*opt.MemTableSize + 64<<20
	}
	if opt.InMemory || opt.ReadOnly {
		minFree = -1
	}
	cache := newNodeCache(nodeCacheBytes)
	gen := ""
	if l != nil {
		gen = l.gen
	}
	live := newLiveKV(bdb, gen)
	db := &DB{live: live, kv: cachingKV{live, cache}, cache: cache, layout: l, opt: opt, log: opt.Logger, fault: newFault(opt.Dir, minFree)}
	var head uint64
	if err := db.kv.view(func(txn kvTxn) (err error) { head, err = readFeedHead(txn); return err }); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("read the change sequence: %w", err)
	}
	db.feed = newFeed(opt.FeedSize, head)
	if !opt.ReadOnly {
		// An index built by another version, or by none, is rebuilt
		// now, once (match.go), not at the first query.
		if _, err := db.buildMatchIndex(context.Background()); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("build the claim match index: %w", err)
		}
	}
	return db, nil
}

// openBadger opens one generation. Badger refuses to open read-only a
// generation whose process died without closing it: its write-ahead log
// must be truncated first, or holds a 0-byte file (see removeEmptyWAL),
// and both need write access. Then, if no other process has the
// directory, it is opened for writing once, which recovers it, and opened
// read-only again: after a crash every command works, not only the ones
// that write.
func openBadger(bo badger.Options, l *layout) (*badger.DB, error) {
	if !bo.ReadOnly {
		return openBadgerRW(bo)
	}
	bdb, err := badger.Open(bo)
	if err == nil {
		return bdb, nil
	}
	if l == nil || !(truncateNeeded(err) || hasEmptyWAL(bo.Dir)) {
		return nil, fmt.Errorf("open badger at %q: %w", bo.Dir, err)
	}
	if lerr := relockDir(l.lock, false); lerr != nil {
		return nil, graph.Errorf(graph.ECONFLICT,
			"the database at %s was not closed cleanly and another hearsay process has it open; "+
				"read it through that process or stop it", l.dir)
	}
	defer func() { _ = relockDir(l.lock, true) }()
	rdb, err := openBadgerRW(bo.WithReadOnly(false))
	if err != nil {
		return nil, fmt.Errorf("recover badger at %q: %w", bo.Dir, err)
	}
	if err := rdb.Close(); err != nil {
		return nil, fmt.Errorf("recover badger at %q: %w", bo.Dir, err)
	}
	bdb, err = badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open badger at %q: %w", bo.Dir, err)
	}
	return bdb, nil
}

// openBadgerRW opens a generation for writing, once the caller holds the
// directory's exclusive lock.
func openBadgerRW(bo badger.Options) (*badger.DB, error) {
	if !bo.InMemory {
		if err := removeEmptyWAL(bo.Dir, bo.Logger); err != nil {
			return nil, err
		}
	}
	bdb, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open badger at %q: %w", bo.Dir, err)
	}
	return bdb, nil
}

// memFileExt names Badger's write-ahead log files: NNNNN.mem, one per
// memtable.
const memFileExt = ".mem"

// emptyWAL returns the 0-byte write-ahead log files of a generation.
//
// A process killed at the wrong moment leaves one: Badger deletes the log
// of a memtable (z.MmapFile.Delete) by truncating it to 0 bytes and then
// removing it, and creates one (newMemTable) by creating the file and then
// extending it. Badger's open cannot take such a file: a 0-byte file is
// taken for a new one and extended (read-only: "truncate: invalid
// argument"), and openMemTables fails on that with "Create a new file".
//
// Removing it loses nothing: a memtable's log is deleted only when the
// memtable is empty, or after its flush to a level-0 table has been
// recorded in the MANIFEST (flushMemtable calls DecrRef, whose OnClose
// deletes the log, after addLevel0Table), and a new log takes its first
// entry only after it has been extended and given its header. A write is
// acknowledged only once its entries are in a log, so no 0-byte log holds
// one.
func emptyWAL(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), memFileExt) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() == 0 {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func hasEmptyWAL(dir string) bool {
	files, _ := emptyWAL(dir)
	return len(files) > 0
}

// removeEmptyWAL removes the 0-byte write-ahead logs of a generation (see
// emptyWAL); the caller holds the directory's exclusive lock.
func removeEmptyWAL(dir string, log badger.Logger) error {
	files, err := emptyWAL(dir)
	if err != nil {
		return fmt.Errorf("look for empty write-ahead logs: %w", err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("remove the empty write-ahead log left by a crash: %w", err)
		}
		log.Warningf("removed %s: an empty write-ahead log left by a crash, holding no write", f)
	}
	if len(files) > 0 {
		return syncDir(dir)
	}
	return nil
}

func truncateNeeded(err error) bool {
	return errors.Is(err, badger.ErrTruncateNeeded) || strings.Contains(err.Error(), badger.ErrTruncateNeeded.Error())
}

// badgerOptions translates opt for one Badger directory.
func badgerOptions(opt Options, dir string) badger.Options {
	bo := badger.DefaultOptions(dir).
		WithInMemory(opt.InMemory).
		WithReadOnly(opt.ReadOnly).
		WithLogger(badgerLogger{opt.Logger}).
		WithMemTableSize(opt.MemTableSize).
		WithNumMemtables(opt.NumMemtables).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(opt.BlockCacheSize).
		WithIndexCacheSize(opt.IndexCacheSize).
		WithCompression(compression(opt)).
		WithNumCompactors(2).
		WithValueLogFileSize(256 << 20).
		WithCompactL0OnClose(true).
		WithSyncWrites(opt.SyncWrites).
		WithDetectConflicts(true)
	// Values above the threshold go to the value log; it must stay below
	// the largest batch a memtable takes (15 % of it).
	threshold := int64(64 << 10)
	if max := opt.MemTableSize * 15 / 100 / 4; threshold > max {
		threshold = max
	}
	return bo.WithValueThreshold(threshold)
}

// compression is the compression of the tables a database writes.
func compression(opt Options) options.CompressionType {
	if !opt.Compress || opt.InMemory || opt.BlockCacheSize <= 0 {
		return options.None
	}
	return options.Snappy
}

// Close flushes and closes the database and releases its directory.
//
// A database whose storage failed is not closed: Badger's close would
// flush memtables, compact and rewrite its MANIFEST on the storage that
// just failed, and a test of it (a file system out of inodes) lost most
// acknowledged writes that way. It is left as a killed process leaves it,
// which Badger recovers from at the next open (the logs hold every
// acknowledged write); its files and the directory's lock stay held until
// the process exits, which it should do next.
func (db *DB) Close() error {
	select {
	case <-db.Failed():
		return fmt.Errorf("the database was not closed: %w; the next open recovers it", db.unavailable())
	default:
	}
	err := db.live.current().db.Close()
	db.layout.close()
	if err != nil {
		return fmt.Errorf("close badger: %w", err)
	}
	return nil
}

// view runs fn in a read-only transaction. A panic inside it is an
// internal error.
func (db *DB) view(ctx context.Context, fn func(txn kvTxn) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.unavailable(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in a read transaction: %v", r)
		}
	}()
	return db.kv.view(fn)
}

// update runs fn in a read-write transaction and commits it, one write at
// a time (writeMu). A commit that fails, or a panic, is a storage failure
// (fault.go).
func (db *DB) update(ctx context.Context, fn func(txn kvTxn) error) error {
	db.lockWrites()
	defer db.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.unavailable(); err != nil {
		return err
	}
	if err := db.roomToWrite(); err != nil {
		return err
	}
	err := db.commit(func(txn kvTxn) error {
		if err := fn(txn); err != nil {
			return err
		}
		return stampApplied(ctx, txn) // a replicated write's sequence (command.go)
	})
	if err != nil {
		db.feed.discard()
	} else {
		db.feed.publish()
	}
	if errors.Is(err, errTxnTooBig) {
		return graph.ErrWriteTooLarge
	}
	return err
}

// commit runs fn in a transaction and commits it, telling fn's own errors
// from the commit's.
func (db *DB) commit(fn func(txn kvTxn) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = db.fail(panicError{r})
		}
	}()
	err = db.kv.update(fn)
	var ce commitError
	if !errors.As(err, &ce) || errors.Is(err, errTxnTooBig) {
		return err
	}
	return db.fail(ce.err)
}

// get reads a key's value into fn. A missing key is graph.ENOTFOUND with
// the message notFound.
func get(txn kvTxn, key []byte, notFound string, fn func(v []byte) error) error {
	err := txn.get(key, fn)
	if errors.Is(err, errNoKey) {
		return graph.Errorf(graph.ENOTFOUND, "%s", notFound)
	}
	return err
}

// exists reports whether key is present.
func exists(txn kvTxn, key []byte) (bool, error) { return txn.has(key) }

// badgerLogger sends Badger's log lines to zerolog. Badger is chatty at
// INFO (a dozen lines per open), so its INFO becomes DEBUG.
type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) { b.log(b.l.Error(), f, a) }
func (b badgerLogger) Warningf(f string, a ...any) {
	// The block cache's statistics come as a warning once a minute
	// whenever scans (a check, an export) churn the cache: they are
	// diagnostics, not faults.
	if strings.Contains(f, "might be too small. Metrics") || strings.HasPrefix(f, "Cache life expectancy") {
		b.log(b.l.Debug(), f, a)
		return
	}
	b.log(b.l.Warn(), f, a)
}
func (b badgerLogger) Infof(f string, a ...any)  { b.log(b.l.Debug(), f, a) }
func (b badgerLogger) Debugf(f string, a ...any) { b.log(b.l.Trace(), f, a) }

func (badgerLogger) log(e *zerolog.Event, f string, a []any) {
	e.Str("component", "badger").Msg(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

// write runs fn with a writer in one read-write transaction and flushes
// the writer's buffered changes before the commit.
func (db *DB) write(ctx context.Context, fn func(w *writer) error) error {
	return db.update(ctx, func(txn kvTxn) error {
		w := db.newWriter(txn)
		if err := fn(w); err != nil {
			return err
		}
		return w.flush()
	})
}

// create writes a new node with put, refusing an ID already in use.
func (db *DB) create(ctx context.Context, id string, check func(w *writer) error, put func(w *writer) error) error {
	return db.write(ctx, func(w *writer) error {
		ok, err := exists(w.txn, nodeKey(id))
		if err != nil {
			return err
		}
		if ok {
			return graph.Errorf(graph.ECONFLICT, "%s %q already exists", graph.KindOf(id), id)
		}
		if err := check(w); err != nil {
			return err
		}
		return put(w)
	})
}

// AddRating appends a rating to the history of an outlet or an official.
func (db *DB) AddRating(ctx context.Context, id string, r graph.Rating) error {
	switch graph.KindOf(id) {
	case graph.KindOutlet:
		_, err := db.updateOutlet(ctx, id, func(o *graph.Outlet) { o.Ratings = append(o.Ratings, r); graph.SortRatings(o.Ratings) })
		return err
	case graph.KindOfficial:
		_, err := db.updateOfficial(ctx, id, func(o *graph.Official) {
			o.Ratings = append(o.Ratings, r)
			graph.SortRatings(o.Ratings)
		})
		return err
	}
	return graph.Errorf(graph.EINVALID, "%q is not an outlet or an official; only they carry ratings", id)
}

// updateFields reads a node, lets change modify its own fields, validates
// it and writes it back, in one transaction; its edges are not touched.
func updateFields[T interface{ Validate() error }](ctx context.Context, db *DB, kind graph.Kind, id string,
	load func(kvTxn, string, []byte) (T, error), encode func(T) []byte, change func(T)) (T, error) {
	var zero T
	if err := graph.CheckID(id, kind); err != nil {
		return zero, err
	}
	var out T
	err := db.write(ctx, func(w *writer) error {
		n, err := readNode(w.txn, id, load)
		if err != nil {
			return err
		}
		change(n)
		if err := n.Validate(); err != nil {
			return err
		}
		out = n
		return w.putNode(id, encode(n))
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}
