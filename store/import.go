package store

import (
	"context"
	"fmt"

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
