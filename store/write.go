package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"hearsay/graph"
)

// writer makes the changes of one write transaction: it keeps both edge
// directions, the search index and the counters in step with every node it
// puts or deletes. Possibly-same-as lists and counters are buffered and
// written by flush, which every write must call last.
type writer struct {
	txn    kvTxn
	sameAs map[string][]graph.SameAs // possibly-same-as lists being changed
	edges  int64                     // change of the edge counter
	nodes  map[graph.Kind]int64      // change of the node counters
	// matchTerms is the change of the claim match index's total length,
	// termCounts the change of each term's claim count.
	matchTerms int64
	termCounts map[string]int64
	// postings are the changes of posting lists, by list prefix and
	// claim slug, written by flushPostings (posting.go).
	postings map[string]map[string]posting
	res      graph.ImportResult
	// feed, when set, receives the nodes this write changes (feed.go):
	// changes in the order first written, changed indexing them by ID.
	feed    *feed
	changes []graph.Change
	changed map[string]int
}

func newWriter(txn kvTxn) *writer {
	return &writer{txn: txn, sameAs: make(map[string][]graph.SameAs), nodes: make(map[graph.Kind]int64),
		termCounts: make(map[string]int64)}
}

// newWriter returns a writer whose changes go to the DB's change feed.
func (db *DB) newWriter(txn kvTxn) *writer {
	w := newWriter(txn)
	w.feed = db.feed
	return w
}

// flush writes the buffered possibly-same-as lists, counter changes and
// the change sequence.
func (w *writer) flush() error {
	if err := w.flushLists(); err != nil {
		return err
	}
	if err := w.stageChanges(); err != nil {
		return err
	}
	for kind, n := range w.nodes {
		if err := addCount(w.txn, countKey(kind), n); err != nil {
			return err
		}
	}
	if err := addCount(w.txn, metaKey(matchTerms), w.matchTerms); err != nil {
		return err
	}
	for term, n := range w.termCounts {
		if err := addTermCount(w.txn, term, n); err != nil {
			return err
		}
	}
	if err := w.flushPostings(); err != nil {
		return err
	}
	return addCount(w.txn, metaKey(countEdges), w.edges)
}

// flushLists writes the buffered possibly-same-as lists.
func (w *writer) flushLists() error {
	for id, list := range w.sameAs {
		if err := w.putAdj(sameAsEntry(id, list)); err != nil {
			return err
		}
	}
	return nil
}

// readNode reads one node inside the transaction; missing is ENOTFOUND.
func readNode[T any](txn kvTxn, id string, load func(kvTxn, string, []byte) (T, error)) (T, error) {
	var node T
	err := get(txn, nodeKey(id), "", func(v []byte) (err error) {
		node, err = load(txn, id, v)
		return err
	})
	return node, namedNotFound(err, id)
}

// mustExist checks that every ID names a stored node (or one written
// earlier in this transaction). A delete decides that a node is
// unreferenced by scanning its reverse-edge keys, and Badger does not
// detect a concurrent write adding a key inside a scanned range; write
// transactions run one at a time (DB.update), so none can.
func (w *writer) mustExist(from string, ids ...string) error {
	for _, id := range ids {
		ok, err := exists(w.txn, nodeKey(id))
		if err != nil {
			return err
		}
		if !ok {
			return graph.Errorf(graph.EINVALID, "%s: unknown %s %q", from, graph.KindOf(id), id)
		}
	}
	return nil
}

// putNode writes a node's fields and counts it if it is new.
func (w *writer) putNode(id string, v []byte) error {
	ok, err := exists(w.txn, nodeKey(id))
	if err != nil {
		return err
	}
	if !ok {
		w.nodes[graph.KindOf(id)]++
		w.record(id, graph.OpCreated)
	} else {
		w.record(id, graph.OpUpdated)
	}
	w.res.Nodes++
	return w.txn.set(nodeKey(id), v)
}

// deleteNode deletes a node's fields and uncounts it.
func (w *writer) deleteNode(id string) error {
	w.nodes[graph.KindOf(id)]--
	w.record(id, graph.OpDeleted)
	return w.txn.delete(nodeKey(id))
}

// put writes a node (see entriesOf) in place of the stored node of its
// ID: its fields, its packed forward edges, the reverse and index keys
// the change adds or removes, and its possibly-same-as links, merged into
// the stored ones.
func (w *writer) put(node any) error {
	e := entriesOf(node)
	var old *nodeEntries
	if e.adjKey != nil { // the stored node's keys may have to go
		n, err := readStored(w.txn, e.id)
		if err != nil {
			return fmt.Errorf("read %s %q: %w", graph.KindOf(e.id), e.id, err)
		}
		old = entriesOf(n)
	}
	oldKeys, oldEdges := old.keySet(false)
	newKeys, newEdges := e.keySet(false)
	w.edges += int64(newEdges - oldEdges)
	w.res.Edges += newEdges
	if err := w.putNode(e.id, e.value); err != nil {
		return err
	}
	if e.adjKey != nil {
		if err := w.putAdj(e.adjKey, e.packed); err != nil {
			return err
		}
	}
	if err := w.swapKeys(oldKeys, newKeys); err != nil {
		return err
	}
	w.swapWords(e.id, old, e)
	if e.match != nil {
		if err := w.reindex(e.id, e.match); err != nil {
			return err
		}
	}
	for _, ed := range e.edges {
		if ed.kind == graph.EdgePossiblySameAs {
			if err := w.link(e.id, graph.SameAs{Official: ed.to, Note: ed.note}); err != nil {
				return err
			}
		}
	}
	return nil
}

// remove deletes a stored node (read with its edges) with its packed
// forward edges, reverse keys and index keys.
func (w *writer) remove(node any) error {
	e := entriesOf(node)
	keys, n := e.keySet(false)
	w.edges -= int64(n)
	if err := w.swapKeys(keys, nil); err != nil {
		return err
	}
	w.swapWords(e.id, e, nil)
	if e.match != nil {
		if err := w.reindex(e.id, nil); err != nil {
			return err
		}
	}
	if e.adjKey != nil {
		if err := w.txn.delete(e.adjKey); err != nil {
			return err
		}
	}
	return w.deleteNode(e.id)
}

// deleteClaim deletes a claim with all its edges and index entries.
func (w *writer) deleteClaim(id string) error {
	c, err := readNode(w.txn, id, loadClaim)
	if err != nil {
		return err
	}
	return w.remove(c)
}

// putAdj writes a packed adjacency value, or deletes it when nil.
func (w *writer) putAdj(key, v []byte) error {
	if v == nil {
		return w.txn.delete(key)
	}
	return w.txn.set(key, v)
}

// swapKeys deletes the keys of old that are not in new and sets those of
// new that are not in old, with empty values.
func (w *writer) swapKeys(old, new map[string]bool) error {
	for k := range old {
		if !new[k] {
			if err := w.txn.delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for k := range new {
		if !old[k] {
			if err := w.txn.set([]byte(k), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// swapWords takes a claim out of the search index lists of the words of
// old (nil: none) that new (nil: none) lacks, and puts it in those of the
// words of new that old lacks.
func (w *writer) swapWords(id string, old, new *nodeEntries) {
	for _, x := range old.words() {
		if !new.hasWord(x.word) {
			w.delPosting(wordPrefix(x.word), id)
		}
	}
	for _, x := range new.words() {
		if !old.hasWord(x.word) {
			w.addPosting(wordPrefix(x.word), id, 0, 0)
		}
	}
}

// sameAsList returns the possibly-same-as list of an official as changed so
// far in this transaction.
func (w *writer) sameAsList(id string) ([]graph.SameAs, error) {
	if list, ok := w.sameAs[id]; ok {
		return list, nil
	}
	list, err := getAdj(w.txn, graph.EdgePossiblySameAs, id, decodeSameAs)
	if err != nil {
		return nil, err
	}
	w.sameAs[id] = list
	return list, nil
}

// link merges a possibly-same-as edge into both officials' lists. A link
// already stored keeps its note unless a new one is given.
func (w *writer) link(a string, s graph.SameAs) error {
	added, err := w.addSameAs(a, s.Official, s.Note)
	if err != nil {
		return err
	}
	if _, err := w.addSameAs(s.Official, a, s.Note); err != nil {
		return err
	}
	if added {
		w.edges++
	}
	w.res.Edges++
	return nil
}

func (w *writer) addSameAs(id, other, note string) (bool, error) {
	list, err := w.sameAsList(id)
	if err != nil {
		return false, err
	}
	for i := range list {
		if list[i].Official == other {
			if note != "" {
				list[i].Note = note
			}
			return false, nil
		}
	}
	w.sameAs[id] = append(list, graph.SameAs{Official: other, Note: note})
	w.record(id, graph.OpUpdated)
	return true, nil
}

// unlinkAll removes every possibly-same-as edge of an official, on both
// sides.
func (w *writer) unlinkAll(id string) error {
	list, err := w.sameAsList(id)
	if err != nil {
		return err
	}
	for _, s := range list {
		other, err := w.sameAsList(s.Official)
		if err != nil {
			return err
		}
		w.sameAs[s.Official] = slices.DeleteFunc(other, func(x graph.SameAs) bool { return x.Official == id })
		w.record(s.Official, graph.OpUpdated)
	}
	w.edges -= int64(len(list))
	w.sameAs[id] = nil
	return nil
}

// reverse lists the keys of the edges of one kind pointing at node.
func (w *writer) reverse(e graph.EdgeKind, node string) ([]parsedKey, error) {
	var out []parsedKey
	it := w.txn.iterate(edgePrefix(e, dirReverse, node), false)
	defer it.close()
	for it.seek(nil); it.valid(); it.next() {
		k, err := parseKey(slices.Clone(it.key()))
		if err != nil {
			return nil, fmt.Errorf("reverse %s of %q: %w", e, node, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// updateClaim reads a claim, lets change modify it, checks the result and
// writes it back.
func (w *writer) updateClaim(id string, change func(*graph.Claim) error) (*graph.Claim, error) {
	c, err := readNode(w.txn, id, loadClaim)
	if err != nil {
		return nil, err
	}
	had := refSet(c)
	if err := change(c); err != nil {
		return nil, err
	}
	if err := w.checkRefs(c, had); err != nil {
		return nil, err
	}
	return c, w.put(c)
}

// checkRefs validates a node and checks that the references it did not
// have before (had) exist. References it had are kept consistent by
// deletes, which refuse or cascade into this node.
func (w *writer) checkRefs(node interface{ Validate() error }, had map[string]bool) error {
	if err := node.Validate(); err != nil {
		return err
	}
	for _, ref := range slices.Sorted(maps.Keys(refSet(node))) {
		if !had[ref] {
			if err := w.mustExist("reference", ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// updateReport reads a report, lets change modify it, checks the result
// and writes it back.
func (w *writer) updateReport(id string, change func(*graph.Report) error) (*graph.Report, error) {
	r, err := readNode(w.txn, id, loadReport)
	if err != nil {
		return nil, err
	}
	had := refSet(r)
	if err := change(r); err != nil {
		return nil, err
	}
	slices.Sort(r.Cites)
	if err := w.checkRefs(r, had); err != nil {
		return nil, err
	}
	return r, w.put(r)
}

// dropAttributionsTo removes every attribution naming source from the
// claims that make one.
func (w *writer) dropAttributionsTo(source string) error {
	keys, err := w.reverse(graph.EdgeAttributedTo, source)
	if err != nil {
		return err
	}
	done := make(map[string]bool)
	for _, k := range keys {
		if done[k.Other] {
			continue
		}
		done[k.Other] = true
		_, err := w.updateClaim(k.Other, func(c *graph.Claim) error {
			for i := range c.Appearances {
				// Relayed attributions to source go too, and an
				// attribution to source goes with what source relayed.
				c.Appearances[i].Attributions, _ = graph.WithoutSource(c.Appearances[i].Attributions, source)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// references counts the edges of the given kinds pointing at id and, when
// there are some and cascade is false, refuses with ECONFLICT.
func (w *writer) references(id string, cascade bool, kinds ...graph.EdgeKind) error {
	if cascade {
		return nil
	}
	var parts []string
	for _, e := range kinds {
		keys, err := w.reverse(e, id)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", len(keys), e))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return graph.Errorf(graph.ECONFLICT, "%s %q is still referenced (%s edges); remove them first or delete with cascade",
		graph.KindOf(id), id, strings.Join(parts, ", "))
}

// deleteReport deletes a report. Appearances of claims in it, attributions
// naming it and citations of it refuse the delete unless cascade, which
// removes them.
func (w *writer) deleteReport(id string, cascade bool) error {
	r, err := readNode(w.txn, id, loadReport)
	if err != nil {
		return err
	}
	if err := w.references(id, cascade, graph.EdgeReportedBy, graph.EdgeAttributedTo, graph.EdgeCites); err != nil {
		return err
	}
	if err := w.dropAttributionsTo(id); err != nil {
		return err
	}
	apps, err := w.reverse(graph.EdgeReportedBy, id)
	if err != nil {
		return err
	}
	for _, k := range apps {
		_, err := w.updateClaim(k.Other, func(c *graph.Claim) error {
			c.Appearances = slices.DeleteFunc(c.Appearances, func(a graph.Appearance) bool { return a.Report == id })
			return nil
		})
		if err != nil {
			return err
		}
	}
	citing, err := w.reverse(graph.EdgeCites, id)
	if err != nil {
		return err
	}
	for _, k := range citing {
		_, err := w.updateReport(k.Other, func(c *graph.Report) error {
			c.Cites = slices.DeleteFunc(c.Cites, func(x string) bool { return x == id })
			return nil
		})
		if err != nil {
			return err
		}
	}
	return w.remove(r)
}

// deleteOutlet deletes an outlet. Its reports and attributions naming it
// refuse the delete unless cascade, which deletes the reports (with
// cascade) and removes the attributions.
func (w *writer) deleteOutlet(id string, cascade bool) error {
	if _, err := readNode(w.txn, id, loadOutlet); err != nil {
		return err
	}
	if err := w.references(id, cascade, graph.EdgePublishedBy, graph.EdgeAttributedTo); err != nil {
		return err
	}
	if err := w.dropAttributionsTo(id); err != nil {
		return err
	}
	reports, err := w.reverse(graph.EdgePublishedBy, id)
	if err != nil {
		return err
	}
	for _, k := range reports {
		if err := w.deleteReport(k.Other, true); err != nil {
			return err
		}
	}
	return w.deleteNode(id)
}

// deleteOfficial deletes an official and its possibly-same-as links.
// Attributions naming it refuse the delete unless cascade, which removes
// them.
func (w *writer) deleteOfficial(id string, cascade bool) error {
	if _, err := readNode(w.txn, id, loadOfficial); err != nil {
		return err
	}
	if err := w.references(id, cascade, graph.EdgeAttributedTo); err != nil {
		return err
	}
	if err := w.dropAttributionsTo(id); err != nil {
		return err
	}
	if err := w.unlinkAll(id); err != nil {
		return err
	}
	return w.deleteNode(id)
}
