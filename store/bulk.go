package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"math"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/ristretto/v2/z"

	"hearsay/graph"
)

// RecordStream produces the nodes of a dataset in input order: it calls emit
// with each *graph.Outlet, *graph.Official, *graph.Report or *graph.Claim
// and its place, and returns emit's first error. The place is the NDJSON
// line the node was read from; for a node of a JSON document, minus its
// 1-based position in its section (-1 is outlets[0], -3 claims[2]); 0
// when there is neither. Error messages name the place as the
// one-transaction loader does: "f.ndjson:7: cites[0]: ...",
// "f.json: reports[6].cites[0]: ...".
type RecordStream func(emit func(line int, node any) error) error

// BulkOptions tune BulkLoad.
type BulkOptions struct {
	// Name names the input in error messages.
	Name string
	// SortMemory is the size of one of the two buffers that sort entries
	// before they are spilled to disk; 0 means DefaultSortMemory.
	SortMemory int
	// Progress, if set, is called every ProgressEvery records while the
	// input is read and every ProgressEvery keys while they are written.
	Progress      func(BulkProgress)
	ProgressEvery int
	// TryTxn makes DB.BulkImport try one transaction first (for small
	// inputs, which it holds in memory).
	TryTxn bool
	// Validated says that the source checked each node on its own (its
	// Validate method) before emitting it, as fixtures.Stream does, so
	// the load does not check it again. References and unique IDs are
	// checked by the load whatever this says.
	Validated bool
}

// DefaultSortMemory is the default size of a sort buffer.
const DefaultSortMemory = 64 << 20

// BulkProgress says how far a bulk load is.
type BulkProgress struct {
	// Phase is "read" while the input is read and sorted, "write" while the
	// new generation is written.
	Phase   string
	Records int64
	// Keys written so far, and an estimate of how many will be.
	Keys, TotalKeys int64
}

// BulkResult summarises a bulk load.
type BulkResult struct {
	graph.ImportResult
	// Counts is the number of records of each kind read.
	Counts map[graph.Kind]int
	// Keys is the number of keys of the new generation; Runs the number of
	// sorted runs spilled to disk.
	Keys int64
	Runs int
	// Stats are the counters of the new generation.
	Stats graph.Stats
	// Read and Write are the durations of the two phases.
	Read, Write time.Duration
}

// BulkLoad upserts a dataset of any size into the database in opt.Dir,
// which no other process may have open, with the semantics of
// ImportDataset: each node replaces the stored node of its ID with its
// forward edges, both edge directions are written, possibly-same-as links
// are merged, and a node given twice or a reference to a node that is
// neither in the input nor stored fails the whole load.
//
// It builds a new generation of the database beside the live one: entries
// are sorted externally in bounded memory, merged with the live
// generation's keys and written by Badger's StreamWriter as tables already
// at their final level, so the result needs no compaction. The new
// generation becomes live by one rename of CURRENT (generation.go); on any
// error, or a crash, the live generation is untouched.
func BulkLoad(ctx context.Context, opt Options, src RecordStream, bo BulkOptions) (BulkResult, error) {
	if opt.InMemory || opt.ReadOnly {
		return BulkResult{}, graph.Errorf(graph.EINVALID, "a bulk load needs a database directory open for writing")
	}
	l, err := openLayout(opt.Dir, false)
	if err != nil {
		return BulkResult{}, err
	}
	defer l.close()
	opt = builderOptions(opt)
	old, err := badger.Open(badgerOptions(opt, l.live()))
	if err != nil {
		return BulkResult{}, fmt.Errorf("open badger at %q: %w", l.live(), err)
	}
	if err := upgradeLiveIndex(ctx, old, opt); err != nil {
		_ = old.Close()
		return BulkResult{}, err
	}
	res, gen, err := buildGeneration(ctx, opt, l, old, src, bo, 0)
	if cerr := old.Close(); err == nil && cerr != nil {
		_ = os.RemoveAll(l.path(gen))
		err = fmt.Errorf("close badger: %w", cerr)
	}
	if err != nil {
		return BulkResult{}, err
	}
	if err := l.switchTo(gen); err != nil {
		_ = os.RemoveAll(l.path(gen))
		return BulkResult{}, fmt.Errorf("make the new generation live: %w", err)
	}
	// The new generation is live: what is left of the old one, and the
	// sort runs, are garbage (and would be removed by the next open).
	if err := l.removeStale(); err != nil {
		opt.Logger.Warn().Err(err).Msg("bulk load: remove the replaced generation")
	}
	return res, nil
}

// builderOptions are the options of the Badgers a bulk load opens: neither
// generation takes writes through a memtable (the live one is only read,
// the new one is written by the StreamWriter), and reads are sequential:
// small memtables and caches are enough.
func builderOptions(opt Options) Options {
	opt.MemTableSize, opt.NumMemtables = 8<<20, 1
	opt.BlockCacheSize = 8 << 20
	return opt
}

// buildGeneration builds the next generation of l: the live generation's
// keys (old, whose match index is current) merged with the records of
// src, and applied as the applied sequence of the replicated log when it
// is not 0. The generation is written and closed but not live; on any
// error it is removed.
func buildGeneration(ctx context.Context, opt Options, l *layout, old *badger.DB, src RecordStream, bo BulkOptions,
	applied uint64) (BulkResult, string, error) {
	if bo.SortMemory <= 0 {
		bo.SortMemory = DefaultSortMemory
	}
	if bo.ProgressEvery <= 0 {
		bo.ProgressEvery = 1 << 16
	}
	gen := l.next()
	b := &bulk{ctx: ctx, opt: opt, bo: bo, l: l, old: old, gen: gen, src: src, applied: applied,
		seen: make(map[idHash]struct{}), res: BulkResult{Counts: make(map[graph.Kind]int)}}
	if err := b.run(); err != nil {
		_ = os.RemoveAll(l.path(gen))
		_ = os.RemoveAll(l.path(gen) + ".sort")
		return BulkResult{}, "", err
	}
	return b.res, gen, nil
}

// bulk is one bulk load.
type bulk struct {
	ctx   context.Context
	opt   Options
	bo    BulkOptions
	l     *layout
	old   *badger.DB
	oldTx *badger.Txn // reads the live generation; nil when it is empty
	gen   string
	src   RecordStream
	s     *sorter
	post  *postingAgg // the postings, before the sorter
	seq   uint32
	doc   bool // places are positions in a JSON document's sections
	seen  map[idHash]struct{}
	res   BulkResult
	// prefix is scratch for a list's prefix.
	prefix []byte

	// applied is the replicated log's sequence the load applies
	// (BulkImport), stored in the new generation; 0 for none.
	applied uint64
}

func (b *bulk) run() error {
	oldKeys, err := b.liveKeys()
	if err != nil {
		return err
	}
	if oldKeys > 0 {
		b.oldTx = b.old.NewTransaction(false)
		defer b.oldTx.Discard()
	}
	start := time.Now()
	b.s = newSorter(b.l.path(b.gen)+".sort", b.bo.SortMemory)
	b.post = newPostingAgg(b.s, b.bo.SortMemory/4)
	if err := b.read(); err != nil {
		b.s.abort()
		return err
	}
	if err := b.post.flush(); err != nil {
		b.s.abort()
		return err
	}
	b.post = nil
	// The set of IDs read is not needed to merge: up to maxSeen hashes
	// (tens of MB at 10M edges) the table builders can have instead.
	b.seen = nil
	m, err := b.s.finish()
	if err != nil {
		return err
	}
	defer m.close()
	b.res.Runs = len(b.s.runs)
	b.res.Read = time.Since(start)
	start = time.Now()
	if oldKeys > 0 {
		m.add(newLiveSource(b.oldTx))
	}
	if err := b.write(m, b.s.n+oldKeys); err != nil {
		return err
	}
	b.res.Write = time.Since(start)
	return nil
}

// liveKeys estimates the keys of the live generation from its tables and
// memtables: 0 only when it is empty.
func (b *bulk) liveKeys() (int64, error) {
	var n int64
	for _, t := range b.old.Tables() {
		n += int64(t.KeyCount)
	}
	if n > 0 {
		return n, nil
	}
	// Keys still in a memtable are not in Tables.
	err := b.old.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// read turns every record into entries. The source runs in a goroutine of
// its own and hands nodes over in batches; workers, one per core, check
// each node and build what it writes (prepare: the costly, independent
// part); this goroutine then takes the batches in input order and adds
// their entries to the sorter, whose spiller sorts in a goroutine of its
// own. Errors are found in input order: the first bad record is the one
// reported, and nothing is written.
func (b *bulk) read() error {
	// A batch is 512 records or 1 MB of them, whichever comes first, so
	// that the batches in flight (8 queued, one filling, one read) hold
	// about 10 MB, or 10 records when they are as large as a record may
	// be (graph.MaxRecordBytes).
	const batch, batchBytes = 512, 1 << 20
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	ordered := make(chan *readJob, 8) // every batch, in input order
	work := make(chan *readJob, 8)    // the same batches, for the workers
	srcErr := make(chan error, 1)
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Go(func() {
			for j := range work {
				for i := range j.recs {
					j.recs[i].prepare(!b.bo.Validated)
				}
				close(j.done)
			}
		})
	}
	go func() {
		defer close(ordered)
		defer close(work)
		cur := make([]readRec, 0, batch)
		size := 0
		send := func() error {
			j := &readJob{recs: cur, done: make(chan struct{})}
			for _, ch := range []chan *readJob{ordered, work} {
				select {
				case ch <- j:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}
		err := b.src(func(line int, node any) error {
			cur = append(cur, readRec{line: line, node: node})
			if size += nodeSize(node); len(cur) < batch && size < batchBytes {
				return nil
			}
			if err := send(); err != nil {
				return err
			}
			cur, size = make([]readRec, 0, batch), 0
			return nil
		})
		if err == nil && len(cur) > 0 {
			err = send()
		}
		srcErr <- err
	}()
	fail := func(err error) error {
		cancel()
		for range ordered {
		}
		workers.Wait()
		<-srcErr
		return err
	}
	for j := range ordered {
		select {
		case <-j.done:
		case <-b.ctx.Done():
			return fail(b.ctx.Err())
		}
		if err := b.ctx.Err(); err != nil {
			return fail(err)
		}
		for i := range j.recs {
			r := &j.recs[i]
			if b.seq == math.MaxUint32-1 || r.line > math.MaxUint32 || r.line < -math.MaxUint32 {
				return fail(graph.Errorf(graph.EINVALID, "%s: too many records for one load", b.bo.Name))
			}
			b.seq++
			line := r.line
			if line < 0 {
				b.doc, line = true, -line
			}
			if err := b.record(uint32(line), r); err != nil {
				return fail(err)
			}
			j.recs[i] = readRec{} // the node and its entries are garbage now
			if b.bo.Progress != nil && int64(b.seq)%int64(b.bo.ProgressEvery) == 0 {
				b.bo.Progress(BulkProgress{Phase: "read", Records: int64(b.seq)})
			}
		}
	}
	workers.Wait()
	if err := <-srcErr; err != nil {
		return err
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if b.bo.Progress != nil {
		b.bo.Progress(BulkProgress{Phase: "read", Records: int64(b.seq)})
	}
	return nil
}

// readJob is one batch of records; done is closed once the workers have
// prepared every one.
type readJob struct {
	recs []readRec
	done chan struct{}
}

// readRec is one record read, and what prepare made of it.
type readRec struct {
	line int
	node any
	id   string
	ok   bool         // the node is a node (nodeID)
	err  error        // its Validate error
	e    *nodeEntries // what it writes, when valid
}

// prepare checks the node, unless validate is false (the source did), and
// builds what it writes: work that needs nothing but the node, done by
// the read workers.
func (r *readRec) prepare(validate bool) {
	if r.id, r.ok = graph.NodeID(r.node); !r.ok {
		return
	}
	if validate {
		if r.err = r.node.(interface{ Validate() error }).Validate(); r.err != nil {
			return
		}
	}
	r.e = entriesOf(r.node)
}

// nodeSize estimates the memory a node holds: its strings and a few words
// for each of them and each item.
func nodeSize(node any) int {
	n := 64
	add := func(ss ...string) {
		for _, s := range ss {
			n += len(s) + 16
		}
	}
	ratings := func(rs []graph.Rating) {
		for _, r := range rs {
			add(r.RatedBy, r.Note)
		}
	}
	switch v := node.(type) {
	case *graph.Outlet:
		add(v.ID, v.Name, v.Domain, v.Country, v.Language)
		ratings(v.Ratings)
	case *graph.Official:
		add(v.ID, v.Name, v.Role, v.Affiliation, v.Country, v.Description)
		ratings(v.Ratings)
		for _, s := range v.PossiblySameAs {
			add(s.Official, s.Note)
		}
	case *graph.Report:
		add(v.ID, v.Outlet, v.Title, v.URL, v.Language)
		add(v.Cites...)
	case *graph.Claim:
		add(v.ID, v.Text)
		add(v.Topics...)
		for _, a := range v.Appearances {
			add(a.Report, a.Quote, a.Language, a.Hedge)
			for i := range a.Attributions {
				add(a.Attributions[i].Source, a.Attributions[i].Quote)
				a.Attributions[i].EachRelayed(func(_ string, r *graph.Attribution, _ string) { add(r.Source, r.Quote) })
			}
		}
		for _, r := range v.Reviews {
			add(r.ReviewedBy, r.URL, r.Title, r.RatingText)
		}
	}
	return n
}

// where formats the place of the field at path (relative to the record;
// "" for the whole record) of the record of node id read at line, for an
// error message: "f.ndjson:7: cites[0]", "f.json: reports[6].cites[0]",
// or, without a place, "f: report:x: cites[0]".
func (b *bulk) where(line uint32, id, path string) string {
	s := b.bo.Name
	switch {
	case line > 0 && b.doc:
		path = joinPath(b.record0(line, id), path)
	case line > 0:
		s += fmt.Sprintf(":%d", line)
	case id != "" && path != "":
		path = id + ": " + path
	default:
		path = id + path
	}
	if s != "" && path != "" {
		s += ": "
	}
	return s + path
}

// record0 names a JSON document's record by its section and index:
// "claims[2]".
func (b *bulk) record0(line uint32, id string) string {
	section := map[graph.Kind]string{graph.KindOutlet: "outlets", graph.KindOfficial: "officials",
		graph.KindReport: "reports", graph.KindClaim: "claims"}[graph.KindOf(id)]
	return fmt.Sprintf("%s[%d]", section, line-1)
}

// joinPath joins a record's place and a field's path within it.
func joinPath(at, path string) string {
	switch {
	case path == "":
		return at
	case at == "":
		return path
	case strings.HasPrefix(path, "["):
		return at + path
	}
	return at + "." + path
}

func (b *bulk) put(key []byte, line uint32, val []byte) error {
	return b.add(key, opPut, line, val)
}

// add adds an entry of the record read last; a posting goes to the
// postings' window, which gives the sorter a list's postings at once.
func (b *bulk) add(key []byte, op byte, line uint32, val []byte) error {
	if plen, ok := isPosting(key); ok {
		return b.post.addKey(key, plen, op, b.seq, val)
	}
	return b.s.add(key, op, b.seq, line, val)
}

// maxSeen bounds the set of IDs read so far.
const maxSeen = 1 << 21

// idHash is a 128-bit hash of an ID: two IDs share one with probability
// 2^-128, far below that of a disk error.
type idHash [2]uint64

var seenSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func hashID(id string) idHash {
	return idHash{maphash.String(seenSeeds[0], id), maphash.String(seenSeeds[1], id)}
}

// define notes that the input holds a node, so that references to it
// need no check entry (up to maxSeen nodes; later ones are checked in the
// merge like any other).
func (b *bulk) define(id string) {
	if len(b.seen) < maxSeen {
		b.seen[hashID(id)] = struct{}{}
	}
}

// check records that the node ref must exist once the load is merged,
// unless the input defined it earlier.
func (b *bulk) check(ref string, line uint32, from, field string) error {
	if _, ok := b.seen[hashID(ref)]; ok {
		return nil
	}
	k := append(nodeKey(ref), 0xff)
	return b.s.add(k, opCheck, b.seq, line, []byte(from+"\x00"+field))
}

// swap puts the keys of new (empty values) and deletes those of old that
// new lacks.
func (b *bulk) swap(line uint32, old, new map[string]bool) error {
	for k := range new {
		if err := b.add([]byte(k), opPut, line, nil); err != nil {
			return err
		}
	}
	for k := range old {
		if !new[k] {
			if err := b.add([]byte(k), opDel, line, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// record turns one prepared node into entries (entriesOf): in place of
// the stored node of its ID, if any, with check entries for its
// references.
func (b *bulk) record(line uint32, r *readRec) error {
	if !r.ok {
		return graph.Errorf(graph.EINVALID, "%s: not a node: %T", b.where(line, "", ""), r.node)
	}
	if r.err != nil {
		return graph.Errorf(graph.EINVALID, "%s: %s", b.where(line, r.id, ""), graph.ErrorMessage(r.err))
	}
	b.res.Nodes++
	b.res.Counts[graph.KindOf(r.id)]++
	if err := b.entries(line, r.e); err != nil {
		return err
	}
	b.define(r.id)
	return nil
}

// entries writes what one node writes. Possibly-same-as links are one
// entry for each side of each link, merged with the stored lists in the
// merge.
func (b *bulk) entries(line uint32, e *nodeEntries) error {
	var old *nodeEntries
	if e.adjKey != nil && b.oldTx != nil { // the stored node's keys may have to go
		n, err := readStored(badgerTxn{b.oldTx}, e.id)
		if err != nil {
			return fmt.Errorf("read stored %s: %w", e.id, err)
		}
		old = entriesOf(n)
	}
	if err := b.put(nodeKey(e.id), line, e.value); err != nil {
		return err
	}
	switch {
	case e.adjKey == nil:
	case e.packed != nil:
		if err := b.put(e.adjKey, line, e.packed); err != nil {
			return err
		}
	case old != nil && old.packed != nil:
		if err := b.add(e.adjKey, opDel, line, nil); err != nil {
			return err
		}
	}
	if err := b.keys(line, old, e); err != nil {
		return err
	}
	if err := b.match(line, e); err != nil {
		return err
	}
	for _, ed := range e.edges { // in input order, so that paths are the input's
		if err := b.check(ed.to, line, e.id, ed.path()); err != nil {
			return err
		}
		if ed.kind != graph.EdgePossiblySameAs {
			continue
		}
		b.res.Edges++
		if err := b.s.add(adjKey(graph.EdgePossiblySameAs, e.id), opSameAs, b.seq, line,
			encodeSameAs([]graph.SameAs{{Official: ed.to, Note: ed.note}})); err != nil {
			return err
		}
		back := graph.SameAs{Official: e.id, Note: ed.note}
		if err := b.s.add(adjKey(graph.EdgePossiblySameAs, ed.to), opSameAs, b.seq, line, encodeSameAs([]graph.SameAs{back})); err != nil {
			return err
		}
	}
	return nil
}

// keys puts the reverse and index keys of a node and deletes those of the
// stored node (old, nil when none) it lacks.
func (b *bulk) keys(line uint32, old, e *nodeEntries) error {
	if old != nil {
		oldKeys, _ := old.keySet(true)
		newKeys, n := e.keySet(true)
		b.res.Edges += n
		return b.swap(line, oldKeys, newKeys)
	}
	// A new node's keys are distinct (Validate refuses a citation, a
	// report or a source given twice; Words are distinct): no sets needed.
	for _, ed := range e.edges {
		if ed.rev == nil {
			continue
		}
		b.res.Edges++
		if err := b.put(ed.rev, line, nil); err != nil {
			return err
		}
	}
	for _, x := range e.index {
		if err := b.put(x.key, line, nil); err != nil {
			return err
		}
	}
	return nil
}

// match writes a claim's entries in the claim match index (match.go) in
// place of the stored claim's: its doc key and postings, and deletions of
// the stored postings of terms it no longer has. The total length is
// summed from the doc keys in the merge.
func (b *bulk) match(line uint32, e *nodeEntries) error {
	if e.match == nil {
		return nil
	}
	var old *matchDoc
	if b.oldTx != nil {
		var err error
		if old, err = readMatchDoc(badgerTxn{b.oldTx}, e.id); err != nil {
			return err
		}
	}
	slug := []byte(claimSlug(e.id))
	for _, t := range e.match.terms {
		b.prefix = appendTermPrefix(b.prefix[:0], t.term)
		if err := b.post.add(b.prefix, slug, opPut, b.seq, t.tf, e.match.len); err != nil {
			return err
		}
	}
	if old != nil {
		for _, t := range old.terms {
			if !e.match.has(t.term) {
				b.prefix = appendTermPrefix(b.prefix[:0], t.term)
				if err := b.post.add(b.prefix, slug, opDel, b.seq, 0, 0); err != nil {
					return err
				}
			}
		}
	}
	return b.put(docKey(e.id), line, encodeMatchDoc(e.match))
}

// upgradeLiveIndex makes the live generation's claim match index current
// before a bulk load merges with it (as an open for writing would): the
// merge passes its keys on as they are.
func upgradeLiveIndex(ctx context.Context, old *badger.DB, opt Options) error {
	empty := true
	if err := old.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	}); err != nil {
		return err
	}
	if empty {
		return nil // a first load: nothing to upgrade, nothing to merge
	}
	db := &DB{live: newLiveKV(old, ""), kv: badgerKV{old}, log: opt.Logger, fault: newFault("", -1)}
	if _, err := db.buildMatchIndex(ctx); err != nil {
		return fmt.Errorf("build the live generation's claim match index: %w", err)
	}
	return nil
}

// liveSource yields the live generation's keys as entries of seq 0, a
// posting list's blocks as they are: the merge reads them as it reads the
// load's (listMerge).
type liveSource struct {
	it  *badger.Iterator
	e   entry
	val []byte
	on  bool
}

func newLiveSource(txn *badger.Txn) *liveSource {
	return &liveSource{it: txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})}
}

func (s *liveSource) next() (*entry, error) {
	if !s.on {
		s.it.Rewind()
		s.on = true
	} else {
		s.it.Next()
	}
	if !s.it.Valid() {
		return nil, io.EOF
	}
	item := s.it.Item()
	v, err := item.ValueCopy(s.val[:0])
	if err != nil {
		return nil, err
	}
	s.val = v
	s.e = entry{key: item.Key(), val: v, op: opPut}
	return &s.e, nil
}

func (s *liveSource) close() { s.it.Close() }

// write merges the entries into the new generation.
func (b *bulk) write(m *merger, total int64) (err error) {
	// The StreamWriter writes tables of BaseTableSize × 2^5 (the last of
	// seven levels) and gives each table builder an arena of twice that:
	// with Badger's 2 MB default, 128 MB per builder, two or more at once.
	// 512 KB makes tables of 16 MB and arenas of 32 MB. A compressed
	// table is full at that size compressed, and its builder holds each
	// block twice, as read and compressed: 16 MB of Snappy tables held
	// ~56 MB each, the heap outgrew the bulk load's memory limit (570 MB
	// live, 738 collections instead of 93). 192 KB makes compressed
	// tables of 6 MB, ~15 MB as read, builders of about the same memory
	// as uncompressed ones.
	bo := badgerOptions(b.opt, b.l.path(b.gen))
	if bo.Compression == options.None {
		bo = bo.WithBaseTableSize(512 << 10)
	} else {
		bo = bo.WithBaseTableSize(192 << 10)
	}
	ndb, err := badger.Open(bo)
	if err != nil {
		return fmt.Errorf("open badger at %q: %w", b.l.path(b.gen), err)
	}
	sw := ndb.NewStreamWriter()
	ok := false
	defer func() {
		if !ok {
			sw.Cancel()
		}
		if cerr := ndb.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close badger: %w", cerr)
		}
	}()
	if err := sw.Prepare(); err != nil {
		return err
	}
	out := newStreamOut(sw)
	defer out.release()
	mg := &merge{b: b, m: m, out: out, total: total, meta: make(map[string][]byte)}
	if err := mg.run(); err != nil {
		return err
	}
	if err := out.finish(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	ok = true
	// The counters are known only now, after the last key: one small
	// transaction writes them (a second stream would cost a table
	// builder's memory for a handful of keys).
	if err := ndb.Update(func(txn *badger.Txn) error {
		for k, v := range mg.meta {
			if err := txn.Set([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	b.res.Keys = mg.keys
	b.res.Stats = mg.stats
	return nil
}

// streamData is the one stream of the StreamWriter.
const streamData = 1

// streamOut batches key-value pairs for the StreamWriter, which a
// goroutine of its own is fed with, so that merging and Badger's decoding
// and table building overlap.
type streamOut struct {
	sw    *badger.StreamWriter
	buf   *z.Buffer
	full  chan *z.Buffer
	free  chan *z.Buffer
	done  chan error
	err   error
	owned []*z.Buffer
}

// streamBatch is the size at which a batch is handed to the StreamWriter.
// Two batches exist, one filling and one written. They were 4 MB, in
// buffers of 8 MB: 16 MB of heap the table builders lacked under the
// load's memory limit, which the 10M-edge load ran against (DESIGN 8.3).
const streamBatch = 1 << 20

func newStreamOut(sw *badger.StreamWriter) *streamOut {
	o := &streamOut{sw: sw, full: make(chan *z.Buffer), free: make(chan *z.Buffer, 2), done: make(chan error, 1)}
	for range 2 {
		buf := z.NewBuffer(streamBatch+streamBatch/4, "hearsay.bulk")
		o.owned = append(o.owned, buf)
		o.free <- buf
	}
	o.buf = <-o.free
	full := o.full
	go func() {
		var err error
		for buf := range full {
			if err == nil {
				err = sw.Write(buf)
			}
			buf.Reset()
			o.free <- buf
		}
		o.done <- err
	}()
	return o
}

func (o *streamOut) put(stream uint32, key, val []byte) error {
	appendKV(o.buf, stream, key, val)
	if o.buf.LenNoPadding() < streamBatch {
		return nil
	}
	o.full <- o.buf
	o.buf = <-o.free
	return nil
}

// appendKV appends a key-value pair of version 1 to buf as
// badger.KVToBuffer does: a pb.KV in the protobuf wire format (key 1,
// value 2, version 4, stream_id 10; empty fields left out), written here
// without proto.Marshal's reflection, which took half the merge's CPU.
// TestAppendKV holds it to KVToBuffer's bytes.
func appendKV(buf *z.Buffer, stream uint32, key, val []byte) {
	const (
		tagKey     = 1<<3 | 2
		tagValue   = 2<<3 | 2
		tagVersion = 4<<3 | 0
		tagStream  = 10<<3 | 0
	)
	n := 0
	if len(key) > 0 {
		n += 1 + uvarintLen(uint64(len(key))) + len(key)
	}
	if len(val) > 0 {
		n += 1 + uvarintLen(uint64(len(val))) + len(val)
	}
	n += 2 // the version, 1
	if stream != 0 {
		n += 1 + uvarintLen(uint64(stream))
	}
	b := buf.SliceAllocate(n)[:0]
	if len(key) > 0 {
		b = binary.AppendUvarint(append(b, tagKey), uint64(len(key)))
		b = append(b, key...)
	}
	if len(val) > 0 {
		b = binary.AppendUvarint(append(b, tagValue), uint64(len(val)))
		b = append(b, val...)
	}
	b = append(b, tagVersion, 1)
	if stream != 0 {
		b = binary.AppendUvarint(append(b, tagStream), uint64(stream))
	}
	if len(b) != n {
		panic(fmt.Sprintf("store: appendKV wrote %d bytes, sized %d", len(b), n))
	}
}

// uvarintLen is the length of x as a uvarint.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// finish hands over the last batch and waits for every write.
func (o *streamOut) finish() error {
	if o.full == nil {
		return o.err
	}
	if o.buf.LenNoPadding() > 0 {
		o.full <- o.buf
	}
	close(o.full)
	o.full = nil
	o.err = <-o.done
	return o.err
}

// release frees the buffers once the writer goroutine is done.
func (o *streamOut) release() {
	_ = o.finish()
	for _, b := range o.owned {
		_ = b.Release()
	}
}

// merge applies the sorted entries key by key and writes the result.
type merge struct {
	b     *bulk
	m     *merger
	out   *streamOut
	total int64
	keys  int64
	stats graph.Stats
	links int64             // possibly-same-as list entries (two per link)
	terms int64             // the claim match index's total length
	meta  map[string][]byte // the live generation's metadata, passed on
	last  []byte            // the last node key written
	group []entry           // the entries of the current key, copied
	// countTerm is the term whose postings are being written, termClaims
	// how many so far: its claim count (termCountKey) follows them.
	countTerm  string
	termClaims int64
	// lists merges a posting list's blocks; prefix is the list's.
	lists  listMerge
	prefix []byte
	sizes  []int // their values' sizes
	arena  []byte
	// block is the posting list block being built, of the list whose
	// prefix is its key's first blockPrefix bytes.
	block       block
	blockPrefix int
	// merged counts the keys merged, for progress and cancellation.
	merged int64
}

func (g *merge) run() error {
	if err := g.m.start(); err != nil {
		return err
	}
	for e := g.m.peek(); e != nil; e = g.m.peek() {
		if plen, ok := isPosting(e.key); ok {
			if err := g.list(plen); err != nil {
				return err
			}
			continue
		}
		if err := g.next(); err != nil {
			return err
		}
		if err := g.step(); err != nil {
			return err
		}
	}
	if err := g.flushTermCount(); err != nil {
		return err
	}
	if err := g.flushBlock(); err != nil {
		return err
	}
	g.stats.Edges += g.links / 2
	g.setMeta()
	return nil
}

// step counts an entry or a key merged: every ProgressEvery, it checks
// for cancellation and reports progress.
func (g *merge) step() error {
	if g.merged++; g.merged%int64(g.b.bo.ProgressEvery) != 0 {
		return nil
	}
	if err := g.b.ctx.Err(); err != nil {
		return err
	}
	if g.b.bo.Progress != nil {
		g.b.bo.Progress(BulkProgress{Phase: "write", Records: int64(g.b.seq), Keys: g.merged, TotalKeys: g.total})
	}
	return nil
}

// list merges the posting list whose block is the smallest key, its
// prefix plen bytes long: every block of it, the load's and the live
// generation's, posting by posting (listMerge), packed into blocks, and
// counted for a term's claim count.
func (g *merge) list(plen int) error {
	g.prefix = append(g.prefix[:0], g.m.peek().key[:plen]...)
	prefix := g.prefix
	if term := prefix[1 : plen-1]; prefix[0] != tagTerm || string(term) != g.countTerm {
		if err := g.flushTermCount(); err != nil {
			return err
		}
		if prefix[0] == tagTerm {
			g.countTerm = string(term)
		}
	}
	return g.lists.merge(g.m, prefix, g.step, func(slug []byte, tf, n int) error {
		if prefix[0] == tagTerm {
			g.termClaims++
		}
		return g.posting(prefix, slug, tf, n)
	})
}

// next collects the entries of the smallest key, copied, and applies them.
func (g *merge) next() error {
	g.group, g.arena, g.sizes = g.group[:0], g.arena[:0], g.sizes[:0]
	klen := -1
	for e := g.m.peek(); e != nil; e = g.m.peek() {
		if klen >= 0 && !bytes.Equal(e.key, g.arena[:klen]) {
			break
		}
		klen = len(e.key)
		g.arena = append(append(g.arena, e.key...), e.val...)
		g.sizes = append(g.sizes, len(e.val))
		g.group = append(g.group, entry{seq: e.seq, line: e.line, op: e.op})
		if err := g.m.advance(); err != nil {
			return err
		}
	}
	off := 0
	for i := range g.group {
		g.group[i].key = g.arena[off : off+klen : off+klen]
		g.group[i].val = g.arena[off+klen : off+klen+g.sizes[i] : off+klen+g.sizes[i]]
		off += klen + g.sizes[i]
	}
	return g.apply()
}

func (g *merge) apply() error {
	grp := g.group
	key := grp[0].key
	if grp[0].op != opCheck && key[0] == tagTerm {
		return g.term(grp)
	}
	if err := g.flushTermCount(); err != nil {
		return err
	}
	switch {
	case grp[0].op == opCheck:
		if !bytes.Equal(g.last, key[:len(key)-1]) {
			return g.unknownRef(grp[0])
		}
		return nil
	case key[0] == tagMeta:
		// Counters are recomputed; anything else is passed on.
		g.meta[string(key)] = slices.Clone(grp[len(grp)-1].val)
		return nil
	case key[0] == tagNode:
		return g.node(grp)
	case key[0] == tagAdj && len(key) > 1 && graph.EdgeKind(key[1]) == graph.EdgePossiblySameAs:
		return g.sameAs(grp)
	}
	last := grp[len(grp)-1]
	if last.op == opDel {
		return nil
	}
	switch key[0] {
	case tagEdge:
		g.stats.Edges++
	case tagDoc:
		doc, err := decodeMatchDoc(last.val)
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		g.terms += int64(doc.len)
	}
	return g.emit(key, last.val)
}

// term drops a stored term's claim count (termCountKey), which follows
// the term's postings: it is counted again as the list is merged (list)
// and written by flushTermCount.
func (g *merge) term(grp []entry) error {
	key := grp[0].key
	end := bytes.IndexFunc(key[1:], func(r rune) bool { return r < 0x02 })
	if end < 1 || key[1+end] != 0x01 {
		return fmt.Errorf("bulk load: match index key %q: %w", key, errBadKey)
	}
	if string(key[1:1+end]) != g.countTerm {
		return g.flushTermCount()
	}
	return nil
}

// flushTermCount writes the claim count of the term whose postings were
// just written, if any held it.
func (g *merge) flushTermCount() error {
	term, n := g.countTerm, g.termClaims
	g.countTerm, g.termClaims = "", 0
	if n == 0 {
		return nil
	}
	return g.emit(termCountKey(term), encodeCount(n))
}

// emit writes a key that is not a posting.
func (g *merge) emit(key, val []byte) error {
	if err := g.flushBlock(); err != nil {
		return err
	}
	g.keys++
	return g.out.put(streamData, key, val)
}

// posting adds the claim slug, with its figures, to the block being
// built of the list at prefix, or writes that block and starts one (a
// list's blocks are written when full or when the list ends).
func (g *merge) posting(prefix, slug []byte, tf, n int) error {
	plen := len(prefix)
	if g.block.n > 0 && g.block.n < postingBlock && g.blockPrefix == plen && bytes.Equal(g.block.key[:plen], prefix) {
		g.block.add(slug, tf, n)
		return nil
	}
	if err := g.flushBlock(); err != nil {
		return err
	}
	g.block.start(prefix, slug, tf, n)
	g.blockPrefix = plen
	return nil
}

// flushBlock writes the block being built, if any.
func (g *merge) flushBlock() error {
	if g.block.n == 0 {
		return nil
	}
	g.block.n = 0
	g.keys++
	return g.out.put(streamData, g.block.key, g.block.val)
}

// node writes a node key: the newest version, unless two records gave it.
func (g *merge) node(grp []entry) error {
	var first *entry
	for i := range grp {
		if grp[i].seq == 0 {
			continue
		}
		if first != nil {
			k, _ := parseKey(grp[i].key)
			return graph.Errorf(graph.EINVALID, "%s: %q is given twice (first at %s)",
				g.b.where(grp[i].line, k.Node, "id"), k.Node, g.firstAt(first, k.Node))
		}
		first = &grp[i]
	}
	k, err := parseKey(grp[0].key)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	switch graph.KindOf(k.Node) {
	case graph.KindOutlet:
		g.stats.Outlets++
	case graph.KindOfficial:
		g.stats.Officials++
	case graph.KindReport:
		g.stats.Reports++
	case graph.KindClaim:
		g.stats.Claims++
	}
	g.last = append(g.last[:0], grp[0].key...)
	return g.emit(grp[0].key, grp[len(grp)-1].val)
}

// firstAt names where the record e of node id was read, for "given
// twice" errors: "line 2", "outlets[0]" or "record 1".
func (g *merge) firstAt(e *entry, id string) string {
	switch {
	case e.line > 0 && g.b.doc:
		return g.b.record0(e.line, id)
	case e.line > 0:
		return fmt.Sprintf("line %d", e.line)
	}
	return fmt.Sprintf("record %d", e.seq)
}

// sameAs merges a stored possibly-same-as list with the entries added to
// it, in input order; a new note replaces a stored one.
func (g *merge) sameAs(grp []entry) error {
	var list []graph.SameAs
	for _, e := range grp {
		ss, err := decodeSameAs(e.val)
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if e.seq == 0 {
			list = ss
			continue
		}
		for _, s := range ss {
			i := slices.IndexFunc(list, func(x graph.SameAs) bool { return x.Official == s.Official })
			switch {
			case i < 0:
				list = append(list, s)
			case s.Note != "":
				list[i].Note = s.Note
			}
		}
	}
	if len(list) == 0 {
		return nil
	}
	slices.SortFunc(list, func(a, b graph.SameAs) int { return strings.Compare(a.Official, b.Official) })
	g.links += int64(len(list))
	return g.emit(grp[0].key, encodeSameAs(list))
}

// unknownRef reports a reference to a node that is neither in the input
// nor stored.
func (g *merge) unknownRef(e entry) error {
	k, _ := parseKey(e.key[:len(e.key)-1])
	from, path, _ := strings.Cut(string(e.val), "\x00")
	return graph.Errorf(graph.EINVALID, "%s: unknown %s %q", g.b.where(e.line, from, path), graph.KindOf(k.Node), k.Node)
}

// setMeta sets the counters of the new generation beside the live
// generation's other metadata.
func (g *merge) setMeta() {
	maps.Copy(g.meta, countEntries(g.stats))
	// The live generation's index was current (upgradeLiveIndex) and
	// every claim read has written its entries.
	g.meta[string(metaKey(matchTerms))] = encodeCount(g.terms)
	g.meta[string(metaKey(matchVersion))] = []byte(matchIndexVersion)
	// The change sequence skips a number (feed.go): a reader resuming
	// after any change of the database it had is told to refetch.
	seq := int64(0)
	if v, ok := g.meta[string(metaKey(changeSeq))]; ok {
		seq, _ = decodeCount(v)
	}
	g.meta[string(metaKey(changeSeq))] = encodeCount(seq + 1)
	if g.b.applied > 0 {
		g.meta[string(appliedKey())] = encodeCount(int64(g.b.applied))
	}
	g.keys += int64(len(g.meta))
}
