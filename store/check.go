package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strings"

	"hearsay/graph"
)

// Check verifies the whole stored graph from one snapshot: every value
// decodes; every forward edge has its reverse key and every reverse key
// its forward edge; every reference names a stored node; possibly-same-as
// lists are symmetric; the search index holds exactly the words of each
// claim; the claim match index holds exactly each claim's terms, built with
// this version's analyzer; the counters match what is stored. It reads every key once and
// looks up what each one implies, so its memory does not grow with the
// graph.
//
// With repair, it then fixes what can be fixed: a missing reverse or index
// key is written, a stray one deleted; a reference to a missing node is
// removed from the node that makes it (an appearance, an attribution, a
// citation, a possibly-same-as link); a one-sided link gets its other
// side; adjacency keys of a missing node are deleted; the counters are
// rewritten; a claim match index that is not exact is rebuilt. A value that does not decode, or a report whose outlet is
// missing, cannot be repaired and is reported. Repair needs the database
// to itself (no server running on it).
func (db *DB) Check(ctx context.Context, repair bool) (CheckReport, error) {
	c := &checker{ctx: ctx}
	if err := db.view(ctx, c.run); err != nil {
		return CheckReport{}, err
	}
	rep := c.report()
	if !repair || rep.Total == 0 {
		return rep, nil
	}
	n, err := db.repair(ctx, c)
	rep.Repaired = n
	return rep, err
}

// CheckReport is what Check found.
type CheckReport struct {
	// Stats are the nodes and edges counted; Keys every key read.
	Stats graph.Stats
	Keys  int64
	// Problems lists the first MaxProblems problems; Total counts them all.
	Problems []Problem
	Total    int
	// Repaired counts the problems repair fixed.
	Repaired int
}

// MaxProblems bounds the problems a CheckReport lists.
const MaxProblems = 1000

// Problem is one inconsistency.
type Problem struct {
	Where string // the node or key concerned
	What  string
	// Repairable says whether Check with repair fixes it.
	Repairable bool
}

func (p Problem) String() string {
	s := p.Where + ": " + p.What
	if !p.Repairable {
		s += " (cannot be repaired)"
	}
	return s
}

// checker walks one snapshot.
type checker struct {
	ctx   context.Context
	txn   kvTxn
	stats graph.Stats
	keys  int64
	links int64
	probs []Problem
	total int

	// Reverse keys: expected ones found present, and all stored. When
	// the two agree there is no stray key, and the stored ones need no
	// look-ups of their own.
	presentRev, storedRev int64
	known                 map[string]bool // recent existence answers

	// Posting lists (posting.go) are compared as sets, with no look-ups:
	// the postings the claims call for and those stored, counted and
	// summed as hashes. Only when they differ are both read again to name
	// what differs (wordProblems, termProblems).
	seeds                    [2]maphash.Seed
	wantWords, haveWords     postingSum
	wantTerms, haveTerms     postingSum
	expectWords, storedWords int64
	wordBad                  int // problems a rebuild of the search index fixes

	// The claim match index: entries found as expected and stored, the
	// total length the claims call for, and whether it must be rebuilt.
	expectTerms, presentDocs int64
	storedTerms, storedDocs  int64
	matchLen                 int64
	matchStale               bool // built by another version: not checked further
	matchBad                 int  // problems a rebuild fixes
	// countTerm is the term whose postings the walk is in, termClaims how
	// many it has met: the term's count key, next, must say as many.
	countTerm  string
	termClaims int64

	// Repairs, applied after the walk.
	setKeys  [][]byte        // reverse keys to write
	delKeys  [][]byte        // stray keys to delete
	dropRefs map[string]bool // "node\x00ref": a reference to remove from node
	addLinks [][2]string     // possibly-same-as sides to add: [official, other]
	counts   bool            // counters to rewrite
}

func (c *checker) problem(where string, repairable bool, format string, args ...any) {
	c.total++
	if len(c.probs) < MaxProblems {
		c.probs = append(c.probs, Problem{Where: where, What: fmt.Sprintf(format, args...), Repairable: repairable})
	}
}

func (c *checker) report() CheckReport {
	return CheckReport{Stats: c.stats, Keys: c.keys, Problems: c.probs, Total: c.total}
}

// exists reports whether a node is stored, remembering recent answers:
// outlets, officials and wire reports are named again and again.
func (c *checker) exists(id string) (bool, error) {
	if ok, hit := c.known[id]; hit {
		return ok, nil
	}
	ok, err := exists(c.txn, nodeKey(id))
	if err != nil {
		return false, err
	}
	if c.known == nil || len(c.known) >= 1<<16 {
		c.known = make(map[string]bool, 1<<16)
	}
	c.known[id] = ok
	return ok, nil
}

// need checks that a reverse or index key is stored, noting it for repair
// when not.
func (c *checker) need(where string, key []byte, what string) error {
	if key[0] == tagEdge {
		c.stats.Edges++ // an edge is counted by its forward side
	}
	ok, err := exists(c.txn, key)
	if err != nil {
		return err
	}
	if ok {
		c.presentRev++
		return nil
	}
	c.problem(where, true, "%s is missing", what)
	c.setKeys = append(c.setKeys, key)
	return nil
}

// ref checks that a node refers to a stored node; a dangling reference is
// noted for removal.
func (c *checker) ref(from, field, id string) (bool, error) {
	ok, err := c.exists(id)
	if err != nil || ok {
		return ok, err
	}
	c.problem(from, true, "%s names %s %q, which is not stored", field, graph.KindOf(id), id)
	if c.dropRefs == nil {
		c.dropRefs = make(map[string]bool)
	}
	c.dropRefs[from+"\x00"+id] = true
	return false, nil
}

func (c *checker) run(txn kvTxn) error {
	c.txn = txn
	c.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	version, err := indexVersion(txn)
	if err != nil {
		return err
	}
	if version != matchIndexVersion {
		c.matchStale = true
		c.matchProblem("claim match index", "%s", graph.ErrorMessage(errStaleIndex(version)))
	}
	it := txn.iterate(nil, true)
	defer it.close()
	meta := make(map[string][]byte)
	for it.seek(nil); it.valid(); it.next() {
		c.keys++
		if c.keys%4096 == 0 {
			if err := c.ctx.Err(); err != nil {
				return err
			}
		}
		raw := slices.Clone(it.key())
		k, err := parseKey(raw)
		if err != nil {
			c.problem(fmt.Sprintf("key %q", raw), true, "malformed key")
			c.delKeys = append(c.delKeys, raw)
			continue
		}
		var v []byte
		if err := it.value(func(b []byte) error { v = slices.Clone(b); return nil }); err != nil {
			return err
		}
		if k.Family != tagTerm {
			c.endTerm()
		}
		switch k.Family {
		case tagMeta:
			meta[k.Name] = v
		case tagNode:
			err = c.node(k.Node, v)
		case tagAdj:
			err = c.adj(raw, k, v)
		case tagEdge:
			c.storedRev++
		case tagWord:
			c.postings(raw, v)
		case tagTerm:
			n := int64(0)
			if !k.TermCount {
				n = c.postings(raw, v)
			}
			c.termKey(k, v, n)
		case tagDoc:
			c.storedDocs++
		}
		if err != nil {
			return err
		}
	}
	c.endTerm()
	if err := c.strays(tagEdge, c.storedRev != c.presentRev, c.edge); err != nil {
		return err
	}
	if c.storedWords != c.expectWords || c.haveWords != c.wantWords {
		if err := c.wordProblems(); err != nil {
			return err
		}
	}
	if !c.matchStale {
		if c.storedTerms != c.expectTerms || c.haveTerms != c.wantTerms {
			if err := c.termProblems(); err != nil {
				return err
			}
		}
		if err := c.strays(tagDoc, c.storedDocs != c.presentDocs, c.doc); err != nil {
			return err
		}
	}
	c.stats.Edges += c.links / 2
	c.checkCounts(meta)
	return nil
}

// strays looks at every key of a family when the count of stored keys
// says some are not wanted by any node: check tells each one.
func (c *checker) strays(family byte, some bool, check func([]byte, parsedKey) error) error {
	if !some {
		return nil
	}
	it := c.txn.iterate([]byte{family}, false)
	defer it.close()
	for it.seek(nil); it.valid(); it.next() {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		raw := slices.Clone(it.key())
		k, err := parseKey(raw)
		if err != nil {
			continue // reported by the first pass
		}
		if err := check(raw, k); err != nil {
			return err
		}
	}
	return nil
}

// node checks a node's value and, for reports and claims, the references
// and keys the write model (entriesOf) says they imply.
func (c *checker) node(id string, v []byte) error {
	var n any
	switch graph.KindOf(id) {
	case graph.KindOutlet:
		c.stats.Outlets++
		_, err := decodeOutlet(id, v)
		return c.undecodable(id, err)
	case graph.KindOfficial:
		c.stats.Officials++
		_, err := decodeOfficial(id, v)
		return c.undecodable(id, err)
	case graph.KindReport:
		c.stats.Reports++
		r, err := decodeReport(id, v)
		if err != nil {
			return c.undecodable(id, err)
		}
		if r.Cites, err = getAdj(c.txn, graph.EdgeCites, id, decodeIDs); err != nil {
			if err := c.undecodable(id, err); err != nil {
				return err
			}
		}
		n = r
	case graph.KindClaim:
		c.stats.Claims++
		cl, err := loadClaim(c.txn, id, v)
		if err != nil {
			return c.undecodable(id, err)
		}
		n = cl
	default:
		return nil
	}
	e := entriesOf(n)
	for _, ed := range e.edges {
		if err := c.edgeOut(id, ed); err != nil {
			return err
		}
	}
	for _, x := range e.index {
		c.wantWords.add(&c.seeds, tagWord, x.word, claimSlug(id), 0, 0)
		c.expectWords++
	}
	if e.match != nil && !c.matchStale {
		return c.match(id, e.match)
	}
	return nil
}

func (c *checker) matchProblem(where, format string, args ...any) {
	c.matchBad++
	c.problem(where, true, format, args...)
}

// match checks a claim's entry and postings in the claim match index
// against its match text, analysed again.
func (c *checker) match(id string, doc *matchDoc) error {
	c.matchLen += int64(doc.len)
	var got []byte
	err := c.txn.get(docKey(id), func(v []byte) error { got = slices.Clone(v); return nil })
	switch {
	case errors.Is(err, errNoKey):
		c.matchProblem(id, "its entry in the claim match index is missing")
	case err != nil:
		return err
	case !bytes.Equal(got, encodeMatchDoc(doc)):
		c.matchProblem(id, "its entry in the claim match index does not hold the terms of its text")
	default:
		c.presentDocs++
	}
	slug := claimSlug(id)
	for _, t := range doc.terms {
		c.wantTerms.add(&c.seeds, tagTerm, t.term, slug, t.tf, doc.len)
		c.expectTerms++
	}
	return nil
}

// termKey counts a posting of the claim match index for its term, or
// checks a term's count against the postings just met: the postings
// themselves are checked against the claims (match, term), so a count
// equal to them is exact.
func (c *checker) termKey(k parsedKey, v []byte, postings int64) {
	if k.Term != c.countTerm {
		c.endTerm()
		c.countTerm = k.Term
	}
	if !k.TermCount {
		c.termClaims += postings
		return
	}
	n, err := decodeCount(v)
	switch {
	case c.matchStale:
	case err != nil:
		c.matchProblem(fmt.Sprintf("claim match index count of %q", k.Term), "does not decode: %v", err)
	case c.termClaims == 0:
		c.matchProblem(fmt.Sprintf("claim match index count of %q", k.Term), "says %d claims, but no claim holds the term", n)
	case n != c.termClaims:
		c.matchProblem(fmt.Sprintf("claim match index count of %q", k.Term), "says %d claims, the index holds %d", n, c.termClaims)
	}
	c.countTerm, c.termClaims = "", 0
}

// endTerm notes a term whose postings were not followed by its count.
func (c *checker) endTerm() {
	if c.termClaims > 0 && !c.matchStale {
		c.matchProblem(fmt.Sprintf("claim match index count of %q", c.countTerm), "is missing (%d claims hold the term)", c.termClaims)
	}
	c.countTerm, c.termClaims = "", 0
}

// doc checks that a claim match index entry names a stored claim.
func (c *checker) doc(raw []byte, k parsedKey) error {
	ok, err := c.exists(k.Node)
	if err != nil {
		return err
	}
	if !ok {
		c.matchProblem("claim match index "+k.Node, "an entry for a claim that is not stored")
	}
	return nil
}

// edgeOut checks one forward edge: its target is stored and its reverse
// key is. A report whose outlet is missing cannot be repaired.
func (c *checker) edgeOut(id string, ed edgeEntry) error {
	if ed.rev == nil {
		return nil // a possibly-same-as link: checked with the lists (adj)
	}
	if ed.kind == graph.EdgePublishedBy {
		ok, err := c.exists(ed.to)
		if err != nil || !ok {
			if err == nil {
				c.problem(id, false, "its outlet %q is not stored", ed.to)
			}
			return err
		}
	} else if ok, err := c.ref(id, ed.noun(), ed.to); err != nil || !ok {
		return err
	}
	return c.need(id, ed.rev, ed.revName())
}

func (c *checker) undecodable(id string, err error) error {
	if err != nil {
		c.problem(id, false, "its value does not decode: %v", err)
	}
	return nil
}

// adj checks a packed adjacency value: its node exists, and for
// possibly-same-as links, every target and reverse side. Appearances and
// citations are checked with their node.
func (c *checker) adj(raw []byte, k parsedKey, v []byte) error {
	ok, err := c.exists(k.Node)
	if err != nil {
		return err
	}
	if !ok {
		c.problem(k.Node, true, "%s edges are stored for a node that is not", k.Edge)
		c.delKeys = append(c.delKeys, raw)
		return nil
	}
	switch k.Edge {
	case graph.EdgePossiblySameAs:
		list, err := decodeSameAs(v)
		if err != nil {
			return c.undecodable(k.Node, err)
		}
		c.links += int64(len(list))
		for _, s := range list {
			ok, err := c.ref(k.Node, "a possibly-same-as link", s.Official)
			if err != nil || !ok {
				return err
			}
			other, err := getAdj(c.txn, graph.EdgePossiblySameAs, s.Official, decodeSameAs)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(other, func(x graph.SameAs) bool { return x.Official == k.Node }) {
				c.problem(k.Node, true, "its possibly-same-as link to %q is not on %q's side", s.Official, s.Official)
				c.addLinks = append(c.addLinks, [2]string{s.Official, k.Node})
				c.links++
			}
		}
	}
	return nil
}

// edge checks that a reverse key has its forward edge.
func (c *checker) edge(raw []byte, k parsedKey) error {
	stray := func(format string, args ...any) error {
		c.problem(fmt.Sprintf("key %s %s→%s", k.Edge, k.Other, k.Node), true, format, args...)
		c.delKeys = append(c.delKeys, raw)
		return nil
	}
	if k.Dir != dirReverse {
		return stray("forward edges are packed, never stored one per key")
	}
	var (
		n   any
		err error
	)
	switch k.Edge {
	case graph.EdgePublishedBy, graph.EdgeCites, graph.EdgeReportedBy, graph.EdgeAttributedTo:
		n, err = readStored(c.txn, k.Other)
	default:
		return stray("no %s edges are stored one per key", k.Edge)
	}
	if err == nil && n != nil && entriesOf(n).hasRev(raw) {
		return nil
	}
	switch {
	case k.Edge == graph.EdgePublishedBy:
		return c.strayOr(err, stray, "report %q is not published by %q", k.Other, k.Node)
	case k.Edge == graph.EdgeCites:
		return c.strayOr(err, stray, "report %q does not cite %q", k.Other, k.Node)
	case n == nil:
		return c.strayOr(err, stray, "claim %q is not stored", k.Other)
	}
	return c.strayOr(err, stray, "claim %q has no such %s edge", k.Other, k.Edge)
}

// strayOr reports a stray key, unless err is a real read error.
func (c *checker) strayOr(err error, stray func(string, ...any) error, format string, args ...any) error {
	if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
		return err
	}
	return stray(format, args...)
}

// checkCounts compares the counters with what was counted.
func (c *checker) checkCounts(meta map[string][]byte) {
	want := countEntries(c.stats)
	for _, key := range slices.Sorted(maps.Keys(want)) {
		n, _ := decodeCount(want[key])
		name := key[1:] // a meta key is its tag and its name
		stored := int64(0)
		if v, ok := meta[name]; ok {
			var err error
			if stored, err = decodeCount(v); err != nil {
				stored = -1
			}
		}
		if stored != n {
			c.problem("counter "+name, true, "says %d, %d are stored", stored, n)
			c.counts = true
		}
	}
	if c.matchStale {
		return
	}
	stored := int64(0)
	if v, ok := meta[matchTerms]; ok {
		var err error
		if stored, err = decodeCount(v); err != nil {
			stored = -1
		}
	}
	if stored != c.matchLen {
		c.matchProblem("counter "+matchTerms, "says %d, the claims hold %d terms", stored, c.matchLen)
	}
}

// repair applies the fixes a check noted and returns how many problems it
// fixed. References to missing nodes are removed through the writer, which
// keeps every other key in step; then keys are written and deleted and the
// counters recounted.
func (db *DB) repair(ctx context.Context, c *checker) (int, error) {
	fixed := 0
	for key := range c.dropRefs {
		var node, ref string
		node, ref, _ = strings.Cut(key, "\x00")
		if err := db.update(ctx, func(txn kvTxn) error {
			return newWriter(txn).dropRef(node, ref)
		}); err != nil {
			return fixed, fmt.Errorf("repair %s: %w", node, err)
		}
		fixed++
	}
	for _, l := range c.addLinks {
		if err := db.update(ctx, func(txn kvTxn) error {
			w := newWriter(txn)
			if _, err := w.addSameAs(l[0], l[1], ""); err != nil {
				return err
			}
			return w.flushLists()
		}); err != nil {
			return fixed, err
		}
		fixed++
	}
	n, err := db.writeKeys(c.setKeys, c.delKeys)
	fixed += n
	if err != nil {
		return fixed, err
	}
	if c.wordBad > 0 {
		if err := db.rebuildSearchIndex(ctx); err != nil {
			return fixed, fmt.Errorf("rebuild the claim search index: %w", err)
		}
		fixed += c.wordBad
	}
	if c.matchBad > 0 {
		if err := db.rebuildMatchIndex(ctx); err != nil {
			return fixed, fmt.Errorf("rebuild the claim match index: %w", err)
		}
		fixed += c.matchBad
	}
	// Recount from what is stored now.
	again := &checker{ctx: ctx}
	if err := db.view(ctx, again.run); err != nil {
		return fixed, err
	}
	if c.counts || again.counts {
		if err := db.update(ctx, func(txn kvTxn) error {
			for k, v := range countEntries(again.stats) {
				if err := txn.set([]byte(k), v); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}

// writeKeys sets keys (empty values) and deletes others in a batch, which
// may be larger than one transaction, as one write (writeMu), and returns
// how many it wrote.
func (db *DB) writeKeys(set, del [][]byte) (int, error) {
	db.lockWrites()
	defer db.writeMu.Unlock()
	if err := db.kv.batch(set, del); err != nil {
		return 0, err
	}
	return len(set) + len(del), nil
}

// dropRef removes every reference node makes to ref: appearances in it and
// attributions to it (a claim), a citation of it (a report), a
// possibly-same-as link to it (an official).
func (w *writer) dropRef(node, ref string) error {
	switch graph.KindOf(node) {
	case graph.KindClaim:
		// Without updateClaim's reference checks: the references it
		// drops are the broken ones.
		c, err := readNode(w.txn, node, loadClaim)
		if err != nil {
			return err
		}
		c.Appearances = slices.DeleteFunc(c.Appearances, func(a graph.Appearance) bool { return a.Report == ref })
		for i := range c.Appearances {
			c.Appearances[i].Attributions, _ = graph.WithoutSource(c.Appearances[i].Attributions, ref)
		}
		if err := w.put(c); err != nil {
			return err
		}
	case graph.KindReport:
		r, err := readNode(w.txn, node, loadReport)
		if err != nil {
			return err
		}
		r.Cites = slices.DeleteFunc(r.Cites, func(c string) bool { return c == ref })
		if err := w.put(r); err != nil {
			return err
		}
	case graph.KindOfficial:
		list, err := w.sameAsList(node)
		if err != nil {
			return err
		}
		w.sameAs[node] = slices.DeleteFunc(list, func(s graph.SameAs) bool { return s.Official == ref })
		w.edges--
	}
	return w.flush()
}
