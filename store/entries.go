package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hearsay/graph"
)

// This file is the write model: the one place that knows what a node
// writes. The transactional writer (write.go), the bulk loader (bulk.go)
// and the checker (check.go) all take it from entriesOf and edgesOf, so a
// new edge kind or index is one change here.
//
// A node writes:
//
//	nodeKey(id)                      its own fields (encode*)
//	adjKey(kind, id)                 its forward edges, packed, canonical order;
//	                                 absent when it has none
//	edgeKey(kind, dirReverse, ...)   one reverse key per forward edge, empty value
//	wordKey(word, ...)               a posting in each search word's list
//	                                 (claims; posting.go)
//	docKey(id), termKey(term, ...)   a claim's entry and postings in the claim
//	                                 match index (match.go), with the total
//	                                 length counter
//
// An official's possibly-same-as links are kept as one packed list on
// each side (sameAsEntry), merged with the stored lists; the counters
// (countEntries) follow from what is stored.

// nodeEntries is what one node writes.
type nodeEntries struct {
	id    string
	value []byte // under nodeKey(id)
	// adjKey holds the packed forward edges (packed, nil when there are
	// none: the key is then deleted); nil for a kind without them.
	adjKey, packed []byte
	edges          []edgeEntry // every reference, in input order
	index          []indexEntry
	match          *matchDoc // a claim's entry in the claim match index
}

// edgeEntry is one forward edge: a reference the node makes, which must
// name a stored node, and the reverse key it writes.
type edgeEntry struct {
	kind graph.EdgeKind
	to   string // the node referred to
	i, j int    // its place in the node (appearance, attribution; citation, link)
	// relay is the place of a relayed attribution below attribution j
	// (".relaying[0].relaying[1]"), "" for any other edge.
	relay string
	// rev is the reverse key, stored with an empty value; nil for a
	// possibly-same-as link, which is kept in both officials' lists.
	rev  []byte
	note string // a possibly-same-as link's note
}

// indexEntry is one search index key of a claim.
type indexEntry struct {
	word string
	key  []byte
}

// entriesOf returns what a node (*graph.Outlet, *graph.Official,
// *graph.Report or *graph.Claim) writes; nil for anything else, or a nil
// node.
func entriesOf(node any) *nodeEntries {
	switch n := node.(type) {
	case *graph.Outlet:
		if n != nil {
			return &nodeEntries{id: n.ID, value: encodeOutlet(n)}
		}
	case *graph.Official:
		if n != nil {
			return &nodeEntries{id: n.ID, value: encodeOfficial(n), edges: edgesOf(n)}
		}
	case *graph.Report:
		if n != nil {
			e := &nodeEntries{id: n.ID, value: encodeReport(n), adjKey: adjKey(graph.EdgeCites, n.ID), edges: edgesOf(n)}
			if len(n.Cites) > 0 {
				cites := slices.Clone(n.Cites)
				slices.Sort(cites)
				e.packed = encodeIDs(cites)
			}
			return e
		}
	case *graph.Claim:
		if n != nil {
			e := &nodeEntries{id: n.ID, value: encodeClaim(n), adjKey: adjKey(graph.EdgeReportedBy, n.ID), edges: edgesOf(n)}
			if len(n.Appearances) > 0 {
				e.packed = encodeAppearances(canonicalAppearances(n.Appearances))
			}
			e.index = indexOf(n)
			e.match = matchDocOf(n)
			return e
		}
	}
	return nil
}

// indexOf returns a claim's search index keys, built in one array: a
// claim has tens of words, and one allocation each was a fifth of the
// bulk loader's allocated bytes.
func indexOf(c *graph.Claim) []indexEntry {
	words := graph.ClaimWords(c)
	if len(words) == 0 {
		return nil
	}
	size := 0
	for _, w := range words {
		size += len(w) + len(c.ID) + 3 // tag, word, 0x00, kind, slug, 0x00
	}
	keys := make([]byte, 0, size)
	out := make([]indexEntry, len(words))
	for i, w := range words {
		start := len(keys)
		keys = appendWordKey(keys, w, c.ID)
		out[i] = indexEntry{word: w, key: keys[start:len(keys):len(keys)]}
	}
	return out
}

// edgesOf returns the references a node makes, in input order, with their
// reverse keys.
func edgesOf(node any) []edgeEntry {
	var out []edgeEntry
	switch n := node.(type) {
	case *graph.Official:
		out = make([]edgeEntry, 0, len(n.PossiblySameAs))
		for i, s := range n.PossiblySameAs {
			out = append(out, edgeEntry{kind: graph.EdgePossiblySameAs, to: s.Official, i: i, note: s.Note})
		}
	case *graph.Report:
		out = make([]edgeEntry, 0, 1+len(n.Cites))
		out = append(out, edgeEntry{kind: graph.EdgePublishedBy, to: n.Outlet,
			rev: edgeKey(graph.EdgePublishedBy, dirReverse, n.Outlet, n.ID, "")})
		for i, c := range n.Cites {
			out = append(out, edgeEntry{kind: graph.EdgeCites, to: c, i: i, rev: edgeKey(graph.EdgeCites, dirReverse, c, n.ID, "")})
		}
	case *graph.Claim:
		size := len(n.Appearances)
		for _, a := range n.Appearances {
			for j := range a.Attributions {
				size++
				a.Attributions[j].EachRelayed(func(string, *graph.Attribution, string) { size++ })
			}
		}
		out = make([]edgeEntry, 0, size)
		for i, a := range n.Appearances {
			out = append(out, edgeEntry{kind: graph.EdgeReportedBy, to: a.Report, i: i,
				rev: edgeKey(graph.EdgeReportedBy, dirReverse, a.Report, n.ID, "")})
			for j := range a.Attributions {
				at := &a.Attributions[j]
				out = append(out, edgeEntry{kind: graph.EdgeAttributedTo, to: at.Source, i: i, j: j,
					rev: edgeKey(graph.EdgeAttributedTo, dirReverse, at.Source, n.ID, a.Report)})
				// A relayed official is attributed the claim in that report
				// too: the same reverse key, unique since an official is
				// named once in an appearance (graph.Claim.Validate).
				at.EachRelayed(func(_ string, r *graph.Attribution, path string) {
					out = append(out, edgeEntry{kind: graph.EdgeAttributedTo, to: r.Source, i: i, j: j, relay: path,
						rev: edgeKey(graph.EdgeAttributedTo, dirReverse, r.Source, n.ID, a.Report)})
				})
			}
		}
	}
	return out
}

// path names the field of the reference within its node, as the input
// does: "cites[0]", "appearances[1].attributedTo[0].source".
func (e edgeEntry) path() string {
	switch e.kind {
	case graph.EdgePublishedBy:
		return "outlet"
	case graph.EdgeCites:
		return "cites[" + strconv.Itoa(e.i) + "]"
	case graph.EdgeReportedBy:
		return "appearances[" + strconv.Itoa(e.i) + "].report"
	case graph.EdgeAttributedTo:
		return "appearances[" + strconv.Itoa(e.i) + "].attributedTo[" + strconv.Itoa(e.j) + "]" + e.relay + ".source"
	case graph.EdgePossiblySameAs:
		return "possiblySameAs[" + strconv.Itoa(e.i) + "]"
	}
	return e.kind.String()
}

// field names the field of the reference without its place:
// "appearances.report".
func (e edgeEntry) field() string {
	switch e.kind {
	case graph.EdgePublishedBy:
		return "outlet"
	case graph.EdgeCites:
		return "cites"
	case graph.EdgeReportedBy:
		return "appearances.report"
	case graph.EdgeAttributedTo:
		if e.relay != "" {
			return "attributedTo.relaying.source"
		}
		return "attributedTo.source"
	case graph.EdgePossiblySameAs:
		return "possiblySameAs"
	}
	return e.kind.String()
}

// noun names the reference in a sentence: "an appearance".
func (e edgeEntry) noun() string {
	switch e.kind {
	case graph.EdgePublishedBy:
		return "its outlet"
	case graph.EdgeCites:
		return "a citation"
	case graph.EdgeReportedBy:
		return "an appearance"
	case graph.EdgeAttributedTo:
		if e.relay != "" {
			return "a relayed attribution"
		}
		return "an attribution"
	case graph.EdgePossiblySameAs:
		return "a possibly-same-as link"
	}
	return e.kind.String()
}

// revName names the reverse key of the edge: "the reverse key of its
// citation of report:x".
func (e edgeEntry) revName() string {
	switch e.kind {
	case graph.EdgePublishedBy:
		return "the reverse key of its outlet"
	case graph.EdgeCites:
		return "the reverse key of its citation of " + e.to
	case graph.EdgeReportedBy:
		return "the reverse key of its appearance in " + e.to
	case graph.EdgeAttributedTo:
		if e.relay != "" {
			return "the reverse key of its relayed attribution to " + e.to
		}
		return "the reverse key of its attribution to " + e.to
	}
	return "the reverse key of its " + e.kind.String() + " edge to " + e.to
}

// indexName names an index key: "the index key of \"word\"".
func (x indexEntry) name() string { return fmt.Sprintf("the index key of %q", x.word) }

// keySet returns the reverse keys of a node (nil: none), its search index
// keys too when index is set (one posting each, as the bulk loader sorts
// them), and how many edges the reverse keys are.
func (e *nodeEntries) keySet(index bool) (map[string]bool, int) {
	keys := make(map[string]bool)
	if e == nil {
		return keys, 0
	}
	for _, ed := range e.edges {
		if ed.rev != nil {
			keys[string(ed.rev)] = true
		}
	}
	n := len(keys)
	if index {
		for _, x := range e.index {
			keys[string(x.key)] = true
		}
	}
	return keys, n
}

// hasRev reports whether the node writes the reverse key rev.
func (e *nodeEntries) hasRev(rev []byte) bool {
	return slices.ContainsFunc(e.edges, func(ed edgeEntry) bool { return string(ed.rev) == string(rev) })
}

// hasWord reports whether the node is indexed under word.
func (e *nodeEntries) hasWord(word string) bool {
	return slices.ContainsFunc(e.words(), func(x indexEntry) bool { return x.word == word })
}

// words returns the node's search index entries; none for nil.
func (e *nodeEntries) words() []indexEntry {
	if e == nil {
		return nil
	}
	return e.index
}

// refSet returns the nodes a node refers to.
func refSet(node any) map[string]bool {
	refs := make(map[string]bool)
	for _, e := range edgesOf(node) {
		refs[e.to] = true
	}
	return refs
}

// canonicalAppearances returns a copy sorted by report, each appearance's
// attributions, and what each relays, sorted by source.
func canonicalAppearances(in []graph.Appearance) []graph.Appearance {
	apps := slices.Clone(in)
	for i := range apps {
		apps[i].Attributions = graph.SortedAttributions(apps[i].Attributions)
	}
	slices.SortFunc(apps, func(a, b graph.Appearance) int { return strings.Compare(a.Report, b.Report) })
	return apps
}

// sameAsEntry returns the key and value of an official's possibly-same-as
// list, sorted; a nil value when the list is empty (the key is then
// deleted).
func sameAsEntry(id string, list []graph.SameAs) (key, val []byte) {
	slices.SortFunc(list, func(a, b graph.SameAs) int { return strings.Compare(a.Official, b.Official) })
	if len(list) > 0 {
		val = encodeSameAs(list)
	}
	return adjKey(graph.EdgePossiblySameAs, id), val
}

// countEntries returns the counter keys and values for stats.
func countEntries(st graph.Stats) map[string][]byte {
	return map[string][]byte{
		string(countKey(graph.KindOutlet)):   encodeCount(st.Outlets),
		string(countKey(graph.KindOfficial)): encodeCount(st.Officials),
		string(countKey(graph.KindReport)):   encodeCount(st.Reports),
		string(countKey(graph.KindClaim)):    encodeCount(st.Claims),
		string(metaKey(countEdges)):          encodeCount(st.Edges),
	}
}

// readStored reads the stored node of an ID with its edges, as a
// *graph.Outlet, *graph.Official, *graph.Report or *graph.Claim; nil when
// there is none.
func readStored(txn kvTxn, id string) (any, error) {
	var (
		n   any
		err error
	)
	switch graph.KindOf(id) {
	case graph.KindOutlet:
		n, err = readNode(txn, id, loadOutlet)
	case graph.KindOfficial:
		n, err = readNode(txn, id, loadOfficial)
	case graph.KindReport:
		n, err = readNode(txn, id, loadReport)
	case graph.KindClaim:
		n, err = readNode(txn, id, loadClaim)
	default:
		return nil, nil
	}
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}
