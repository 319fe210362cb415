package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dgraph-io/badger/v4"

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
	err = db.update(ctx, func(txn *badger.Txn) error {
		w := &importer{txn: txn, ids: ids, sameAs: make(map[string][]graph.SameAs)}
		if err := w.checkRefs(ds); err != nil {
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

// importer writes one dataset inside one transaction.
type importer struct {
	txn    *badger.Txn
	ids    map[string]bool
	sameAs map[string][]graph.SameAs // possibly-same-as lists being merged
	edges  int64                     // change of the edge counter
	nodes  map[graph.Kind]int64      // change of the node counters
	res    graph.ImportResult
}

// checkRefs checks that every reference names a node of the dataset or a
// stored node.
func (w *importer) checkRefs(ds *graph.Dataset) error {
	check := func(from, field, id string) error {
		if w.ids[id] {
			return nil
		}
		ok, err := exists(w.txn, NodeKey(id))
		if err != nil {
			return err
		}
		if !ok {
			return graph.Errorf(graph.EINVALID, "%s: %s: unknown %s %q", from, field, graph.KindOf(id), id)
		}
		return nil
	}
	for _, o := range ds.Officials {
		for _, s := range o.PossiblySameAs {
			if err := check(o.ID, "possiblySameAs", s.Official); err != nil {
				return err
			}
		}
	}
	for _, r := range ds.Reports {
		if err := check(r.ID, "outlet", r.Outlet); err != nil {
			return err
		}
		for _, c := range r.Cites {
			if err := check(r.ID, "cites", c); err != nil {
				return err
			}
		}
	}
	for _, c := range ds.Claims {
		for _, a := range c.Appearances {
			if err := check(c.ID, "appearances.report", a.Report); err != nil {
				return err
			}
			for _, at := range a.Attributions {
				if err := check(c.ID, "attributedTo.source", at.Source); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *importer) write(ds *graph.Dataset) error {
	w.nodes = make(map[graph.Kind]int64)
	for _, o := range ds.Outlets {
		if err := w.putNode(o.ID, encodeOutlet(o)); err != nil {
			return err
		}
	}
	for _, o := range ds.Officials {
		if err := w.putNode(o.ID, encodeOfficial(o)); err != nil {
			return err
		}
		for _, s := range o.PossiblySameAs {
			if err := w.link(o.ID, s); err != nil {
				return err
			}
		}
	}
	for _, r := range ds.Reports {
		if err := w.putReport(r); err != nil {
			return err
		}
	}
	for _, c := range ds.Claims {
		if err := w.putClaim(c); err != nil {
			return err
		}
	}
	for id, list := range w.sameAs {
		sort.Slice(list, func(i, j int) bool { return list[i].Official < list[j].Official })
		if err := w.txn.Set(AdjKey(graph.EdgePossiblySameAs, id), encodeSameAs(list)); err != nil {
			return err
		}
	}
	for kind, n := range w.nodes {
		if err := addCount(w.txn, countKey(kind), n); err != nil {
			return err
		}
	}
	return addCount(w.txn, MetaKey(countEdges), w.edges)
}

// putNode writes a node's fields and counts it if it is new.
func (w *importer) putNode(id string, v []byte) error {
	ok, err := exists(w.txn, NodeKey(id))
	if err != nil {
		return err
	}
	if !ok {
		w.nodes[graph.KindOf(id)]++
	}
	w.res.Nodes++
	return w.txn.Set(NodeKey(id), v)
}

// putReport writes a report, its published-by edge (the outlet in its
// fields, reverse key under the outlet) and its citations (packed forward,
// one reverse key each).
func (w *importer) putReport(r *graph.Report) error {
	var old *graph.Report
	err := get(w.txn, NodeKey(r.ID), "", func(v []byte) (err error) {
		old, err = loadReport(w.txn, r.ID, v)
		return err
	})
	if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return fmt.Errorf("read report %q: %w", r.ID, err)
	}
	oldRev := map[string]bool{}
	if old != nil {
		oldRev[string(EdgeKey(graph.EdgePublishedBy, DirReverse, old.Outlet, r.ID, ""))] = true
		for _, c := range old.Cites {
			oldRev[string(EdgeKey(graph.EdgeCites, DirReverse, c, r.ID, ""))] = true
		}
		w.edges -= int64(1 + len(old.Cites))
	}
	newRev := map[string]bool{string(EdgeKey(graph.EdgePublishedBy, DirReverse, r.Outlet, r.ID, "")): true}
	cites := slices.Clone(r.Cites)
	slices.Sort(cites)
	for _, c := range cites {
		newRev[string(EdgeKey(graph.EdgeCites, DirReverse, c, r.ID, ""))] = true
	}
	w.edges += int64(1 + len(cites))
	w.res.Edges += 1 + len(cites)
	if err := w.putNode(r.ID, encodeReport(r)); err != nil {
		return err
	}
	if err := w.putAdj(graph.EdgeCites, r.ID, len(cites) > 0, encodeIDs(cites)); err != nil {
		return err
	}
	return w.swapKeys(oldRev, newRev)
}

// putClaim writes a claim, its appearances and their attributions (packed
// forward under the claim, one reverse key each under the report and the
// source).
func (w *importer) putClaim(c *graph.Claim) error {
	var oldApps []graph.Appearance
	ok, err := exists(w.txn, NodeKey(c.ID))
	if err != nil {
		return err
	}
	if ok {
		if oldApps, err = getAdj(w.txn, graph.EdgeReportedBy, c.ID, decodeAppearances); err != nil {
			return err
		}
	}
	oldRev, oldEdges := claimRevKeys(c.ID, oldApps)
	apps := canonicalAppearances(c.Appearances)
	newRev, newEdges := claimRevKeys(c.ID, apps)
	w.edges += int64(newEdges - oldEdges)
	w.res.Edges += newEdges
	if err := w.putNode(c.ID, encodeClaim(c)); err != nil {
		return err
	}
	if err := w.putAdj(graph.EdgeReportedBy, c.ID, len(apps) > 0, encodeAppearances(apps)); err != nil {
		return err
	}
	return w.swapKeys(oldRev, newRev)
}

// canonicalAppearances returns a copy sorted by report, each appearance's
// attributions sorted by source.
func canonicalAppearances(in []graph.Appearance) []graph.Appearance {
	apps := slices.Clone(in)
	for i := range apps {
		apps[i].Attributions = slices.Clone(apps[i].Attributions)
		slices.SortFunc(apps[i].Attributions, func(a, b graph.Attribution) int { return strings.Compare(a.Source, b.Source) })
	}
	slices.SortFunc(apps, func(a, b graph.Appearance) int { return strings.Compare(a.Report, b.Report) })
	return apps
}

// claimRevKeys returns the reverse keys of a claim's appearances and
// attributions, and how many edges they are.
func claimRevKeys(claim string, apps []graph.Appearance) (map[string]bool, int) {
	keys := make(map[string]bool)
	for _, a := range apps {
		keys[string(EdgeKey(graph.EdgeReportedBy, DirReverse, a.Report, claim, ""))] = true
		for _, at := range a.Attributions {
			keys[string(EdgeKey(graph.EdgeAttributedTo, DirReverse, at.Source, claim, a.Report))] = true
		}
	}
	return keys, len(keys)
}

// putAdj writes a packed adjacency value, or deletes it when empty.
func (w *importer) putAdj(e graph.EdgeKind, id string, nonEmpty bool, v []byte) error {
	if !nonEmpty {
		return w.txn.Delete(AdjKey(e, id))
	}
	return w.txn.Set(AdjKey(e, id), v)
}

// swapKeys deletes the keys of old that are not in new and sets those of
// new that are not in old.
func (w *importer) swapKeys(old, new map[string]bool) error {
	for k := range old {
		if !new[k] {
			if err := w.txn.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for k := range new {
		if !old[k] {
			if err := w.txn.Set([]byte(k), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// link merges a possibly-same-as edge into both officials' lists. A link
// already stored keeps its note unless the dataset gives a new one.
func (w *importer) link(a string, s graph.SameAs) error {
	added, err := w.addSameAs(a, s.Official, s.Note)
	if err != nil {
		return err
	}
	if _, err := w.addSameAs(s.Official, a, s.Note); err != nil {
		return err
	}
	if added {
		w.edges++
		w.res.Edges++
	}
	return nil
}

func (w *importer) addSameAs(id, other, note string) (bool, error) {
	list, ok := w.sameAs[id]
	if !ok {
		var err error
		if list, err = getAdj(w.txn, graph.EdgePossiblySameAs, id, decodeSameAs); err != nil {
			return false, err
		}
	}
	for i := range list {
		if list[i].Official == other {
			if note != "" {
				list[i].Note = note
			}
			w.sameAs[id] = list
			return false, nil
		}
	}
	w.sameAs[id] = append(list, graph.SameAs{Official: other, Note: note})
	return true, nil
}

// Walk calls the visitor for every node from one snapshot.
func (db *DB) Walk(ctx context.Context, v graph.Visitor) error {
	return db.view(ctx, func(txn *badger.Txn) error {
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

func walkKind[T any](ctx context.Context, txn *badger.Txn, kind graph.Kind,
	load func(*badger.Txn, string, []byte) (T, error), fn func(T) error) error {
	if fn == nil {
		return nil
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: NodePrefix(kind), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := ParseKey(it.Item().Key())
		if err != nil {
			return fmt.Errorf("walk %s: %w", kind, err)
		}
		var node T
		if err := it.Item().Value(func(v []byte) (err error) {
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
