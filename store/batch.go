package store

import (
	"context"
	"fmt"
	"slices"

	"hearsay/graph"
)

var (
	_ graph.BatchReader = (*DB)(nil)
	_ graph.OutletIndex = (*DB)(nil)
)

// FindReportsByID reads many reports from one snapshot; IDs that name no
// report are absent from the map.
func (db *DB) FindReportsByID(ctx context.Context, ids []string) (map[string]*graph.Report, error) {
	return findNodes(ctx, db, ids, graph.KindReport, loadReport)
}

// FindOutletsByID reads many outlets from one snapshot.
func (db *DB) FindOutletsByID(ctx context.Context, ids []string) (map[string]*graph.Outlet, error) {
	return findNodes(ctx, db, ids, graph.KindOutlet, loadOutlet)
}

// FindOfficialsByID reads many officials from one snapshot.
func (db *DB) FindOfficialsByID(ctx context.Context, ids []string) (map[string]*graph.Official, error) {
	return findNodes(ctx, db, ids, graph.KindOfficial, loadOfficial)
}

// findNodes reads nodes of one kind in one read transaction, in the order
// given (callers sort them, so the reads walk the tables forward).
func findNodes[T any](ctx context.Context, db viewer, ids []string, kind graph.Kind,
	load func(kvTxn, string, []byte) (T, error)) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	err := db.view(ctx, func(txn kvTxn) error {
		if len(ids) > 1 {
			run := newRunTxn(txn)
			defer run.close()
			txn = run
		}
		for i, id := range ids {
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if graph.CheckID(id, kind) != nil {
				continue
			}
			n, err := readNode(txn, id, load)
			if graph.ErrorCode(err) == graph.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			out[id] = n
		}
		return nil
	})
	return out, err
}

// OutEdges returns the targets of a claim's forward edges, the reports it
// appears in and the sources they attribute it to, in one read of its
// packed adjacency value; what a traversal reads at each claim. An unknown
// claim has none.
func (db *DB) OutEdges(ctx context.Context, claim string) ([]string, error) {
	if err := graph.CheckID(claim, graph.KindClaim); err != nil {
		return nil, err
	}
	var out []string
	err := db.view(ctx, func(txn kvTxn) error {
		apps, err := getAdj(txn, graph.EdgeReportedBy, claim, decodeAppearances)
		for _, a := range apps {
			out = append(out, a.Report)
			for i := range a.Attributions {
				out = append(out, a.Attributions[i].Source)
				a.Attributions[i].EachRelayed(func(_ string, r *graph.Attribution, _ string) { out = append(out, r.Source) })
			}
		}
		return err
	})
	return out, err
}

// ReportsOfOutlet returns the reports carrying the claim that the outlet
// published, in ID order, from the claim's packed appearances and the
// outlet's reverse published-by edges, without reading a report. An
// unknown claim or outlet has none.
func (db *DB) ReportsOfOutlet(ctx context.Context, outlet, claim string) ([]string, error) {
	if err := checkOutletClaim(outlet, claim); err != nil {
		return nil, err
	}
	var out []string
	err := db.view(ctx, func(txn kvTxn) error {
		apps, err := getAdj(txn, graph.EdgeReportedBy, claim, decodeAppearances)
		if err != nil {
			return err
		}
		out, err = outletJoin(ctx, txn, outlet, reportsOf(apps))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkOutletClaim(outlet, claim string) error {
	if err := graph.CheckID(outlet, graph.KindOutlet); err != nil {
		return err
	}
	return graph.CheckID(claim, graph.KindClaim)
}

// reportsOf returns the reports of appearances, sorted.
func reportsOf(apps []graph.Appearance) []string {
	ids := make([]string, len(apps))
	for i := range apps {
		ids[i] = apps[i].Report
	}
	slices.Sort(ids) // stored in report order: a check
	return slices.Compact(ids)
}

// outletJoin returns the reports among ids (sorted and distinct) that the
// outlet published, in ID order. It joins the two sorted lists, seeking
// the outlet's reverse published-by edges to the next of ids and skipping
// ids up to the next edge, so it costs at most two seeks per report
// returned or skipped, and no more than the shorter list allows: a claim's
// few reports of a big outlet cost a few seeks, not a scan of the
// outlet's reports.
func outletJoin(ctx context.Context, txn kvTxn, outlet string, ids []string) ([]string, error) {
	var out []string
	it := txn.iterate(edgePrefix(graph.EdgePublishedBy, dirReverse, outlet), false)
	defer it.close()
	for i, seeks := 0, 0; i < len(ids); seeks++ {
		if seeks%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		it.seek(edgeKey(graph.EdgePublishedBy, dirReverse, outlet, ids[i], ""))
		for it.valid() && i < len(ids) {
			k, err := parseKey(it.key())
			if err != nil {
				return nil, fmt.Errorf("reports of %q: %w", outlet, err)
			}
			j, found := slices.BinarySearch(ids[i:], k.Other)
			if i += j; !found {
				break // seek to ids[i]
			}
			out = append(out, ids[i])
			i++
			it.next()
		}
		if !it.valid() {
			break
		}
	}
	return out, nil
}
