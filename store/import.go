package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"hearsay/graph"
)

// ImportDataset upserts a dataset in one transaction: every node replaces
// the stored node of its ID together with its forward edges, both edge
// directions are written, and possibly-same-as links are merged into the
// stored ones. A dataset with an invalid node or a reference to a node that
// is neither in it nor stored fails with EINVALID and writes nothing.
func (db *DB) ImportDataset(ctx context.Context, ds *graph.Dataset) (graph.ImportResult, error) {
	ids, err := checkDataset(ds)
	if err != nil {
		return graph.ImportResult{}, err
	}
	var res graph.ImportResult
	err = db.update(ctx, func(txn kvTxn) error {
		w := db.newWriter(txn)
		if err := w.checkImportRefs(ds, ids); err != nil {
			return err
		}
		if err := w.write(ds); err != nil {
			return err
		}
		res = w.res
		return nil
	})
	if err != nil {
		return graph.ImportResult{}, err
	}
	db.log.Debug().Int("nodes", res.Nodes).Int("edges", res.Edges).Msg("dataset imported")
	return res, nil
}

// checkDataset validates every node and returns the set of the dataset's IDs.
func checkDataset(ds *graph.Dataset) (map[string]bool, error) {
	ids := make(map[string]bool)
	add := func(id string, err error) error {
		if err != nil {
			return graph.Errorf(graph.EINVALID, "%s: %s", id, graph.ErrorMessage(err))
		}
		if ids[id] {
			return graph.Errorf(graph.EINVALID, "%s: the ID is given twice", id)
		}
		ids[id] = true
		return nil
	}
	for _, o := range ds.Outlets {
		if err := add(o.ID, o.Validate()); err != nil {
			return nil, err
		}
	}
	for _, o := range ds.Officials {
		if err := add(o.ID, o.Validate()); err != nil {
			return nil, err
		}
	}
	for _, r := range ds.Reports {
		if err := add(r.ID, r.Validate()); err != nil {
			return nil, err
		}
	}
	for _, c := range ds.Claims {
		if err := add(c.ID, c.Validate()); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// checkImportRefs checks that every reference names a node of the dataset or a
// stored node.
func (w *writer) checkImportRefs(ds *graph.Dataset, ids map[string]bool) error {
	for _, n := range ds.Nodes() {
		from, _ := graph.NodeID(n)
		for _, e := range edgesOf(n) {
			if ids[e.to] {
				continue
			}
			ok, err := exists(w.txn, nodeKey(e.to))
			if err != nil {
				return err
			}
			if !ok {
				return graph.Errorf(graph.EINVALID, "%s: %s: unknown %s %q", from, e.field(), graph.KindOf(e.to), e.to)
			}
		}
	}
	return nil
}

// write upserts every node of the dataset.
func (w *writer) write(ds *graph.Dataset) error {
	for _, n := range ds.Nodes() {
		if err := w.put(n); err != nil {
			return err
		}
	}
	return w.flush()
}

// Walk calls the visitor for every node from one snapshot.
func (db *DB) Walk(ctx context.Context, v graph.Visitor) error {
	return db.view(ctx, func(txn kvTxn) error {
		if err := walkKind(ctx, txn, graph.KindOutlet, loadOutlet, v.Outlet); err != nil {
			return err
		}
		if err := walkKind(ctx, txn, graph.KindOfficial, loadOfficial, v.Official); err != nil {
			return err
		}
		if err := walkKind(ctx, txn, graph.KindReport, loadReport, v.Report); err != nil {
			return err
		}
		return walkKind(ctx, txn, graph.KindClaim, loadClaim, v.Claim)
	})
}

func walkKind[T any](ctx context.Context, txn kvTxn, kind graph.Kind,
	load func(kvTxn, string, []byte) (T, error), fn func(T) error) error {
	if fn == nil {
		return nil
	}
	it := txn.iterate(nodePrefix(kind), true)
	defer it.close()
	for it.seek(nil); it.valid(); it.next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := parseKey(it.key())
		if err != nil {
			return fmt.Errorf("walk %s: %w", kind, err)
		}
		var node T
		if err := it.value(func(v []byte) (err error) {
			node, err = load(txn, k.Node, v)
			return err
		}); err != nil {
			return err
		}
		if err := fn(node); err != nil {
			return err
		}
	}
	return nil
}

// BulkImport upserts a dataset of any size into the open database,
// atomically, while it goes on serving reads: what BulkLoad does to a
// closed database, with the semantics of ImportDataset. It builds a new
// generation from the live one and the records of src (BulkLoad's
// external sort and merge), with writes held back (writeMu) and reads
// going on in the live generation; then CURRENT names the new generation
// (one rename), and the database switches to it: transactions begun before
// go on in the old generation, those begun after run in the new one, so a
// reader sees the graph before the import or after it, never a mix
// (live.go). The old generation is closed and removed once its last
// transaction has ended. On any error, or a crash before the rename, the
// live generation is untouched.
//
// seq, when not 0, is the replicated log's sequence the import applies,
// as for Apply: it is stored in the new generation, so the import is
// applied exactly once across restarts. An import the graph refuses (a
// bad record, a reference to a node neither given nor stored) stores seq
// alone and returns the refusal; a seq not above the applied sequence is
// ErrApplied.
//
// Change-feed readers get no event per node: the change sequence skips a
// number and the feed forgets what it held, so every reader is told it
// missed changes (graph.Window.Missed) and refetches.
//
// With bo.TryTxn, the records are first imported in one transaction on the
// live generation (ImportDataset), which costs far less than writing a
// whole new generation when the input is small; only if they do not fit in
// one (graph.ErrWriteTooLarge) are they bulk imported. They are then held
// in memory: TryTxn is for small inputs. An in-memory database has no
// directory to build a generation in: its import is always one
// transaction, which fails with graph.ErrWriteTooLarge when it does not
// fit.
func (db *DB) BulkImport(ctx context.Context, seq uint64, src RecordStream, bo BulkOptions) (BulkResult, error) {
	if db.opt.ReadOnly {
		return BulkResult{}, graph.Errorf(graph.EINVALID, "the database is open read-only")
	}
	var res BulkResult
	var err error
	if db.layout == nil || bo.TryTxn {
		var recs []record
		res, recs, err = db.importInOne(ctx, seq, src, bo)
		if errors.Is(err, graph.ErrWriteTooLarge) && db.layout != nil {
			res, err = db.bulkImport(ctx, seq, replay(recs), bo)
		}
	} else {
		res, err = db.bulkImport(ctx, seq, src, bo)
	}
	if err != nil && seq > 0 && Refusal(err) {
		if merr := db.MarkApplied(ctx, seq); merr != nil {
			return BulkResult{}, merr
		}
	}
	return res, err
}

// record is a node read from a RecordStream and its place.
type record struct {
	line int
	node any
}

// replay is a RecordStream of records read before.
func replay(recs []record) RecordStream {
	return func(emit func(int, any) error) error {
		for _, r := range recs {
			if err := emit(r.line, r.node); err != nil {
				return err
			}
		}
		return nil
	}
}

// beforeSwitch, when set (tests), runs after a bulk import has built its
// generation and before CURRENT names it: an error there is a crash before
// the rename.
var beforeSwitch func(gen string) error

func (db *DB) bulkImport(ctx context.Context, seq uint64, src RecordStream, bo BulkOptions) (BulkResult, error) {
	db.lockWrites()
	defer db.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return BulkResult{}, err
	}
	if err := db.unavailable(); err != nil {
		return BulkResult{}, err
	}
	if err := db.roomToWrite(); err != nil {
		return BulkResult{}, err
	}
	old := db.live.current() // writeMu: nothing else replaces it
	if err := db.roomToBuild(old); err != nil {
		return BulkResult{}, err
	}
	if seq > 0 {
		var applied uint64
		if err := db.kv.view(func(txn kvTxn) (err error) { applied, err = readApplied(txn); return err }); err != nil {
			return BulkResult{}, err
		}
		if seq <= applied {
			return BulkResult{}, fmt.Errorf("%w: %d (applied %d)", ErrApplied, seq, applied)
		}
	}
	l := db.layout
	res, gen, err := buildGeneration(ctx, builderOptions(db.opt), l, old.db, src, bo, seq)
	if err != nil {
		return BulkResult{}, err
	}
	abandon := func(err error) (BulkResult, error) {
		_ = os.RemoveAll(l.path(gen))
		return BulkResult{}, err
	}
	if beforeSwitch != nil {
		if err := beforeSwitch(gen); err != nil {
			return abandon(err)
		}
	}
	// Opened before the switch, so that a generation that does not open
	// never becomes live.
	ndb, err := openBadgerRW(badgerOptions(db.opt, l.path(gen)))
	if err != nil {
		return abandon(err)
	}
	var head uint64
	if err := (badgerKV{ndb}).view(func(txn kvTxn) (err error) { head, err = readFeedHead(txn); return err }); err != nil {
		_ = ndb.Close()
		return abandon(err)
	}
	if err := l.switchTo(gen); err != nil {
		// CURRENT may name either generation now: the next open
		// knows, this process cannot go on with either.
		_ = ndb.Close()
		return BulkResult{}, db.fail(fmt.Errorf("make the new generation live: %w", err))
	}
	// The switch: the node cache's seqlock moves (cache.go), so no
	// snapshot mixes cached nodes of one generation with reads of the
	// other.
	var prev *liveGen
	_ = db.cache.write(func() error { prev = db.live.replace(newLiveGen(ndb, gen)); return nil })
	db.feed.restart(head)
	prev.retire()
	if err := prev.db.Close(); err != nil {
		db.log.Warn().Err(err).Msg("bulk import: close the replaced generation")
	}
	if err := l.removeStale(); err != nil {
		db.log.Warn().Err(err).Msg("bulk import: remove the replaced generation")
	}
	db.log.Info().Int("nodes", res.Nodes).Int("edges", res.Edges).Int64("keys", res.Keys).Str("generation", gen).
		Dur("read", res.Read).Dur("write", res.Write).Msg("bulk import done")
	return res, nil
}

// roomToBuild refuses a bulk import while the file system has less free
// space than the live generation takes (the new one holds all of its keys
// again) and the margin writes keep (fault.go): the StreamWriter writes
// through memory-mapped files, and a full disk would kill the process.
func (db *DB) roomToBuild(live *liveGen) error {
	f := db.fault
	if f.minFree == 0 {
		return nil
	}
	free, err := freeBytes(f.dir)
	if err != nil {
		return nil
	}
	lsm, vlog := live.db.Size()
	if need := f.minFree + uint64(lsm+vlog); free < need {
		return graph.Errorf(graph.EUNAVAILABLE,
			"a bulk import needs room for a second copy of the database: %d MB free, it needs at least %d MB", free>>20, need>>20)
	}
	return nil
}

// importInOne imports the records of src in one transaction, and returns
// them.
func (db *DB) importInOne(ctx context.Context, seq uint64, src RecordStream, bo BulkOptions) (BulkResult, []record, error) {
	ds := &graph.Dataset{}
	var recs []record
	err := src(func(line int, node any) error {
		switch n := node.(type) {
		case *graph.Outlet:
			ds.Outlets = append(ds.Outlets, n)
		case *graph.Official:
			ds.Officials = append(ds.Officials, n)
		case *graph.Report:
			ds.Reports = append(ds.Reports, n)
		case *graph.Claim:
			ds.Claims = append(ds.Claims, n)
		default:
			return graph.Errorf(graph.EINVALID, "%s: not a node: %T", bo.Name, node)
		}
		recs = append(recs, record{line, node})
		return nil
	})
	if err != nil {
		return BulkResult{}, nil, err
	}
	if seq > 0 {
		applied, err := db.Applied(ctx)
		if err != nil {
			return BulkResult{}, nil, err
		}
		if seq <= applied {
			return BulkResult{}, nil, fmt.Errorf("%w: %d (applied %d)", ErrApplied, seq, applied)
		}
		ctx = context.WithValue(ctx, appliedKeyCtx{}, seq)
	}
	r, err := db.ImportDataset(ctx, ds)
	if err != nil {
		if bo.Name != "" && graph.ErrorCode(err) == graph.EINVALID && !errors.Is(err, graph.ErrWriteTooLarge) {
			err = graph.Errorf(graph.EINVALID, "%s: %s", bo.Name, graph.ErrorMessage(err))
		}
		return BulkResult{}, recs, err
	}
	res := BulkResult{ImportResult: r, Counts: map[graph.Kind]int{graph.KindOutlet: len(ds.Outlets),
		graph.KindOfficial: len(ds.Officials), graph.KindReport: len(ds.Reports), graph.KindClaim: len(ds.Claims)}}
	res.Stats, err = db.Stats(ctx)
	return res, recs, err
}
