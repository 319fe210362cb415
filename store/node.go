package store

import (
	"context"
	"errors"
	"fmt"

	"hearsay/graph"
)

// Counter names, stored under metaKey. Each counts forward edges or nodes
// and is updated in the transaction that changes what it counts.
const (
	countEdges = "count/edges"
)

// countKey returns the meta key counting nodes of a kind.
func countKey(k graph.Kind) []byte { return metaKey("count/" + k.String()) }

// readCount reads a counter; a missing counter is 0.
func readCount(txn kvTxn, key []byte) (int64, error) {
	var n int64
	err := get(txn, key, "", func(v []byte) (err error) {
		n, err = decodeCount(v)
		return err
	})
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return 0, nil
	}
	return n, err
}

// addCount adds delta to a counter.
func addCount(txn kvTxn, key []byte, delta int64) error {
	if delta == 0 {
		return nil
	}
	n, err := readCount(txn, key)
	if err != nil {
		return err
	}
	return txn.set(key, encodeCount(n+delta))
}

// notFound is the message of a missing node.
func notFound(id string) string {
	kind := graph.KindOf(id)
	if kind == graph.KindInvalid {
		return fmt.Sprintf("no node %q", id)
	}
	return fmt.Sprintf("no %s %q", kind, id)
}

// viewer runs reads: a DB in a transaction of their own, a Snapshot in
// its one transaction.
type viewer interface {
	view(ctx context.Context, fn func(txn kvTxn) error) error
}

// findNode reads one node of a kind by ID through load.
func findNode[T any](ctx context.Context, db viewer, kind graph.Kind, id string,
	load func(txn kvTxn, id string, v []byte) (T, error)) (T, error) {
	var node T
	if err := graph.CheckID(id, kind); err != nil {
		return node, err
	}
	err := db.view(ctx, func(txn kvTxn) error {
		return get(txn, nodeKey(id), "", func(v []byte) (err error) {
			node, err = load(txn, id, v)
			return err
		})
	})
	return node, namedNotFound(err, id)
}

// namedNotFound gives an ENOTFOUND without a message, from a read of the
// node id, the message naming it. The message is made only then:
// formatting it for every read cost a tenth of a chain query.
func namedNotFound(err error, id string) error {
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		var e *graph.Error
		if errors.As(err, &e) && e.Message == "" {
			return graph.Errorf(graph.ENOTFOUND, "%s", notFound(id))
		}
	}
	return err
}

// getAdj reads a node's packed forward edges of one kind through decode;
// a missing value is an empty list.
func getAdj[T any](txn kvTxn, e graph.EdgeKind, id string, decode func([]byte) (T, error)) (T, error) {
	var out T
	// txn.get, not get: most nodes have no value of a kind (a report that
	// cites none), and a not-found error made for each cost a tenth of a
	// large judgement's allocations.
	err := txn.get(adjKey(e, id), func(v []byte) (err error) {
		out, err = decode(v)
		return err
	})
	if errors.Is(err, errNoKey) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read %s of %q: %w", e, id, err)
	}
	return out, nil
}

// Exists reports the kind of each ID that names a stored node.
func (db *DB) Exists(ctx context.Context, ids []string) (map[string]graph.Kind, error) {
	out := make(map[string]graph.Kind, len(ids))
	err := db.view(ctx, func(txn kvTxn) error {
		for _, id := range ids {
			kind, _, err := graph.SplitID(id)
			if err != nil {
				continue
			}
			ok, err := exists(txn, nodeKey(id))
			if err != nil {
				return err
			}
			if ok {
				out[id] = kind
			}
		}
		return nil
	})
	return out, err
}

// Stats counts nodes and edges.
func (db *DB) Stats(ctx context.Context) (graph.Stats, error) {
	var s graph.Stats
	err := db.view(ctx, func(txn kvTxn) (err error) { s, err = readStats(txn); return err })
	return s, err
}

// readStats reads the counters inside txn.
func readStats(txn kvTxn) (graph.Stats, error) {
	var s graph.Stats
	for _, c := range []struct {
		key []byte
		dst *int64
	}{
		{countKey(graph.KindOutlet), &s.Outlets},
		{countKey(graph.KindOfficial), &s.Officials},
		{countKey(graph.KindReport), &s.Reports},
		{countKey(graph.KindClaim), &s.Claims},
		{metaKey(countEdges), &s.Edges},
	} {
		n, err := readCount(txn, c.key)
		if err != nil {
			return s, err
		}
		*c.dst = n
	}
	return s, nil
}
