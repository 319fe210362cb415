package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"hearsay/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Representative IDs of each kind, used as the ends of test keys.
const (
	testOutlet    = "outlet:telegraph"
	testReport    = "report:telegraph-2025-04-25-us-backstop"
	testReport2   = "report:euromaidan-2025-04-26"
	testOfficial  = "official:us-negotiators-unnamed"
	testOfficial2 = "official:us-officials-unnamed"
	testClaim     = "claim:us-offers-backstop"
)

// testIDs holds one ID of every kind, in graph.Kinds order.
var testIDs = map[graph.Kind]string{
	graph.KindOutlet:   testOutlet,
	graph.KindReport:   testReport,
	graph.KindOfficial: testOfficial,
	graph.KindClaim:    testClaim,
}

// edgeKinds returns every valid edge kind, in stored order.
func edgeKinds() []graph.EdgeKind {
	var out []graph.EdgeKind
	for e := graph.EdgeKind(1); e.Valid(); e++ {
		out = append(out, e)
	}
	return out
}

// edgeEnds returns a realistic source and target for an edge kind.
func edgeEnds(e graph.EdgeKind) (from, to string) {
	switch e {
	case graph.EdgePublishedBy:
		return testReport, testOutlet
	case graph.EdgeReportedBy:
		return testClaim, testReport
	case graph.EdgeAttributedTo:
		return testClaim, testOfficial
	case graph.EdgeCites:
		return testReport2, testReport
	case graph.EdgePossiblySameAs:
		return testOfficial, testOfficial2
	}
	panic(fmt.Sprintf("edgeEnds: no test ends for %v", e))
}

// keyCase is a key built by a constructor and the parsedKey parseKey must return.
type keyCase struct {
	name string
	key  []byte
	want parsedKey
}

// validKeys returns one key of every family and shape: meta keys, a node key
// of each kind, an adjacency key of each edge kind, and an edge key of each
// edge kind in both directions, with and without a context report.
func validKeys() []keyCase {
	var cs []keyCase
	for _, name := range []string{countEdges, "count/outlet", "x"} {
		cs = append(cs, keyCase{"meta/" + name, metaKey(name), parsedKey{Family: tagMeta, Name: name}})
	}
	for _, k := range graph.Kinds {
		id := testIDs[k]
		cs = append(cs, keyCase{"node/" + k.String(), nodeKey(id), parsedKey{Family: tagNode, Node: id}})
	}
	long := "claim:" + strings.Repeat("z", graph.MaxIDLen-len("claim:"))
	cs = append(cs, keyCase{"node/max-length", nodeKey(long), parsedKey{Family: tagNode, Node: long}})
	cs = append(cs, keyCase{"node/one-char", nodeKey("outlet:0"), parsedKey{Family: tagNode, Node: "outlet:0"}})
	for _, e := range edgeKinds() {
		from, _ := edgeEnds(e)
		cs = append(cs, keyCase{"adj/" + e.String(), adjKey(e, from), parsedKey{Family: tagAdj, Edge: e, Node: from}})
	}
	for _, e := range edgeKinds() {
		from, to := edgeEnds(e)
		for _, d := range []edgeDir{dirForward, dirReverse} {
			node, other := from, to
			if d == dirReverse {
				node, other = to, from
			}
			name := "edge/" + e.String() + "/" + d.String()
			cs = append(cs,
				keyCase{name, edgeKey(e, d, node, other, ""),
					parsedKey{Family: tagEdge, Edge: e, Dir: d, Node: node, Other: other}},
				keyCase{name + "/ctx", edgeKey(e, d, node, other, testReport2),
					parsedKey{Family: tagEdge, Edge: e, Dir: d, Node: node, Other: other, Ctx: testReport2}})
		}
	}
	for _, w := range []struct{ name, word string }{
		{"short", "ab"},
		{"max-length", strings.Repeat("w", graph.MaxWordLen)},
		{"non-ascii", "київ"},
		{"digits", "2025"},
	} {
		cs = append(cs, keyCase{"word/" + w.name, wordKey(w.word, testClaim), parsedKey{Family: tagWord, Word: w.word, Node: testClaim}})
	}
	for _, w := range []struct{ name, term string }{
		{"one-byte", "a"},
		{"max-length", strings.Repeat("t", maxTermLen)},
		{"non-ascii", "київ"},
		{"prefixed", "3:abc"},
	} {
		cs = append(cs, keyCase{"term/" + w.name, termKey(w.term, testClaim), parsedKey{Family: tagTerm, Term: w.term, Node: testClaim}})
		cs = append(cs, keyCase{"term-count/" + w.name, termCountKey(w.term), parsedKey{Family: tagTerm, Term: w.term, TermCount: true}})
	}
	cs = append(cs, keyCase{"doc", docKey(testClaim), parsedKey{Family: tagDoc, Node: testClaim}})
	return cs
}

// rebuildKey builds the key a parsedKey describes with the constructors.
// It fails t rather than panicking when k holds fields of another family or
// IDs the constructors refuse.
func rebuildKey(t *testing.T, k parsedKey) []byte {
	t.Helper()
	checkID := func(field, id string) {
		t.Helper()
		if _, _, err := graph.SplitID(id); err != nil {
			t.Fatalf("parseKey returned %s %q, which is not a valid ID: %v", field, id, err)
		}
	}
	switch k.Family {
	case tagMeta:
		if k != (parsedKey{Family: tagMeta, Name: k.Name}) {
			t.Fatalf("meta key %+v has fields of another family", k)
		}
		return metaKey(k.Name)
	case tagNode:
		if k != (parsedKey{Family: tagNode, Node: k.Node}) {
			t.Fatalf("node key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		return nodeKey(k.Node)
	case tagAdj:
		if k != (parsedKey{Family: tagAdj, Edge: k.Edge, Node: k.Node}) {
			t.Fatalf("adjacency key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		return adjKey(k.Edge, k.Node)
	case tagEdge:
		if k.Name != "" || k.Word != "" || k.Term != "" {
			t.Fatalf("edge key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		checkID("Other", k.Other)
		if k.Ctx != "" {
			checkID("Ctx", k.Ctx)
		}
		return edgeKey(k.Edge, k.Dir, k.Node, k.Other, k.Ctx)
	case tagWord:
		if k != (parsedKey{Family: tagWord, Word: k.Word, Node: k.Node}) {
			t.Fatalf("word key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		if graph.KindOf(k.Node) != graph.KindClaim {
			t.Fatalf("word key %+v names a %v, not a claim", k, graph.KindOf(k.Node))
		}
		return wordKey(k.Word, k.Node)
	case tagTerm:
		if k.TermCount {
			if k != (parsedKey{Family: tagTerm, Term: k.Term, TermCount: true}) {
				t.Fatalf("term count key %+v has fields of another family", k)
			}
			return termCountKey(k.Term)
		}
		if k != (parsedKey{Family: tagTerm, Term: k.Term, Node: k.Node}) {
			t.Fatalf("term key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		if graph.KindOf(k.Node) != graph.KindClaim {
			t.Fatalf("term key %+v names a %v, not a claim", k, graph.KindOf(k.Node))
		}
		return termKey(k.Term, k.Node)
	case tagDoc:
		if k != (parsedKey{Family: tagDoc, Node: k.Node}) {
			t.Fatalf("doc key %+v has fields of another family", k)
		}
		checkID("Node", k.Node)
		if graph.KindOf(k.Node) != graph.KindClaim {
			t.Fatalf("doc key %+v names a %v, not a claim", k, graph.KindOf(k.Node))
		}
		return docKey(k.Node)
	}
	t.Fatalf("parseKey returned unknown family %#x", k.Family)
	return nil
}

func TestParseKey(t *testing.T) {
	for _, tt := range validKeys() {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure every constructor's key parses back to its parts and rebuilds to the same bytes.
			got, err := parseKey(tt.key)
			if err != nil {
				t.Fatalf("parseKey(%x): %v", tt.key, err)
			}
			if got != tt.want {
				t.Fatalf("parseKey(%x) = %+v, want %+v", tt.key, got, tt.want)
			}
			if b := rebuildKey(t, got); !bytes.Equal(b, tt.key) {
				t.Fatalf("rebuilt key = %x, want %x", b, tt.key)
			}
		})
	}
}

func TestParseKey_Truncated(t *testing.T) {
	for _, tt := range validKeys() {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure no proper prefix of a key parses, except a shorter meta
			// name and an attribution key cut just before its context ref,
			// which is the same edge without a context.
			noCtx := -1
			if tt.want.Family == tagEdge && tt.want.Ctx != "" {
				noCtx = len(edgeKey(tt.want.Edge, tt.want.Dir, tt.want.Node, tt.want.Other, ""))
			}
			for i := 0; i < len(tt.key); i++ {
				got, err := parseKey(tt.key[:i])
				switch {
				case tt.want.Family == tagMeta && i >= 2:
					want := parsedKey{Family: tagMeta, Name: tt.want.Name[:i-1]}
					if err != nil || got != want {
						t.Errorf("parseKey(%x) = %+v, %v; want %+v", tt.key[:i], got, err, want)
					}
				case i == noCtx:
					want := tt.want
					want.Ctx = ""
					if err != nil || got != want {
						t.Errorf("parseKey(%x) = %+v, %v; want %+v", tt.key[:i], got, err, want)
					}
				default:
					if !errors.Is(err, errBadKey) {
						t.Errorf("parseKey(%x) (first %d of %d bytes) = %+v, %v; want errBadKey", tt.key[:i], i, len(tt.key), got, err)
					}
				}
			}
		})
	}
}

func TestParseKey_Garbage(t *testing.T) {
	node := nodeKey(testOutlet)
	edge := edgeKey(graph.EdgeAttributedTo, dirReverse, testOfficial, testClaim, testReport)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		key  []byte
	}{
		// Ensure keys of no family are rejected.
		{"Empty", []byte{}},
		{"Nil", nil},
		{"TagZero", cat([]byte{0x00}, node[1:])},
		{"TagUnknown", cat([]byte{tagDoc + 1}, node[1:])},
		{"TagFF", cat([]byte{0xff}, node[1:])},
		{"MetaNoName", []byte{tagMeta}},

		// Ensure refs with a bad kind byte are rejected.
		{"NodeKindZero", []byte{tagNode, 0x00, 'a', 0x00}},
		{"NodeKindUnknown", []byte{tagNode, byte(graph.KindClaim) + 1, 'a', 0x00}},
		{"NodeKindASCII", []byte{tagNode, 'o', 'a', 0x00}},
		{"EdgeOtherKindZero", cat(edgePrefix(graph.EdgeCites, dirForward, testReport), []byte{0x00, 'a', 0x00})},

		// Ensure bad edge kinds and directions are rejected.
		{"AdjNoEdge", []byte{tagAdj}},
		{"AdjEdgeZero", cat([]byte{tagAdj, 0x00}, nodeKey(testClaim)[1:])},
		{"AdjEdgeUnknown", cat([]byte{tagAdj, byte(graph.EdgePossiblySameAs) + 1}, nodeKey(testClaim)[1:])},
		{"EdgeEdgeZero", cat([]byte{tagEdge, 0x00, byte(dirForward)}, nodeKey(testClaim)[1:], nodeKey(testReport)[1:])},
		{"EdgeDirZero", cat([]byte{tagEdge, byte(graph.EdgeCites), 0x00}, nodeKey(testReport)[1:], nodeKey(testReport2)[1:])},
		{"EdgeDirUnknown", cat([]byte{tagEdge, byte(graph.EdgeCites), byte(dirReverse) + 1}, nodeKey(testReport)[1:], nodeKey(testReport2)[1:])},
		{"EdgeNoDir", []byte{tagEdge, byte(graph.EdgeCites)}},

		// Ensure slugs outside [a-z0-9][a-z0-9._-]* are rejected.
		{"SlugEmpty", []byte{tagNode, byte(graph.KindOutlet), 0x00}},
		{"SlugUppercase", []byte{tagNode, byte(graph.KindOutlet), 'T', 'e', 'l', 0x00}},
		{"SlugUppercaseLater", []byte{tagNode, byte(graph.KindOutlet), 't', 'E', 'l', 0x00}},
		{"SlugLeadingDash", []byte{tagNode, byte(graph.KindOutlet), '-', 'a', 0x00}},
		{"SlugLeadingDot", []byte{tagNode, byte(graph.KindOutlet), '.', 'a', 0x00}},
		{"SlugColon", []byte{tagNode, byte(graph.KindOutlet), 'a', ':', 'b', 0x00}},
		{"SlugSpace", []byte{tagNode, byte(graph.KindOutlet), 'a', ' ', 'b', 0x00}},
		{"SlugHighByte", []byte{tagNode, byte(graph.KindOutlet), 'a', 0xc3, 0xa9, 0x00}},
		{"SlugUppercaseInCtx", cat(edge[:len(edge)-2], []byte{'X', 0x00})},

		// Ensure missing terminators and trailing bytes are rejected.
		{"NodeNoTerminator", node[:len(node)-1]},
		{"NodeTrailingByte", cat(node, []byte{'a'})},
		{"NodeTrailingZero", cat(node, []byte{0x00})},
		{"NodeTrailingRef", cat(node, nodeKey(testOutlet)[1:])},
		{"AdjTrailingRef", cat(adjKey(graph.EdgeCites, testReport), nodeKey(testReport2)[1:])},
		{"EdgeNoOther", edgePrefix(graph.EdgeCites, dirForward, testReport)},
		{"EdgeOtherNoTerminator", edge[:len(nodeKey(testOfficial))+2+len(nodeKey(testClaim))-2]},
		{"EdgeCtxNoTerminator", edge[:len(edge)-1]},
		{"EdgeCtxKindOnly", cat(edgeKey(graph.EdgeAttributedTo, dirReverse, testOfficial, testClaim, ""), []byte{byte(graph.KindReport)})},
		{"EdgeTrailingByte", cat(edge, []byte{'a'})},
		{"EdgeTrailingZero", cat(edge, []byte{0x00})},
		{"EdgeFourRefs", cat(edge, nodeKey(testReport2)[1:])},

		// Ensure word keys with a bad word or a ref that is not one claim are rejected.
		{"WordEmpty", cat([]byte{tagWord, 0x00}, nodeKey(testClaim)[1:])},
		{"WordOnly", []byte{tagWord, 'a', 'b'}},
		{"WordNoRef", []byte{tagWord, 'a', 'b', 0x00}},
		{"WordTooLong", cat([]byte{tagWord}, []byte(strings.Repeat("w", graph.MaxWordLen+1)), []byte{0x00}, nodeKey(testClaim)[1:])},
		{"WordRefNotClaim", cat(wordPrefix("ab"), nodeKey(testOutlet)[1:])},
		{"WordRefNoTerminator", cat(wordPrefix("ab"), nodeKey(testClaim)[1:len(nodeKey(testClaim))-1])},
		{"WordTrailingRef", cat(wordKey("ab", testClaim), nodeKey(testClaim)[1:])},
		{"WordTrailingByte", cat(wordKey("ab", testClaim), []byte{'a'})},

		// Ensure match index keys with a bad term or a ref that is not one claim are rejected.
		{"TermEmpty", cat([]byte{tagTerm, 0x00}, nodeKey(testClaim)[1:])},
		{"TermOnly", []byte{tagTerm, 'a', 'b'}},
		{"TermNoRef", []byte{tagTerm, 'a', 'b', 0x00}},
		{"TermCountTrailingByte", []byte{tagTerm, 'a', 'b', 0x01, 'c'}},
		{"TermCountEmpty", []byte{tagTerm, 0x01}},
		{"TermTooLong", cat([]byte{tagTerm}, []byte(strings.Repeat("t", maxTermLen+1)), []byte{0x00}, nodeKey(testClaim)[1:])},
		{"TermRefNotClaim", cat(termPrefix("ab"), nodeKey(testOutlet)[1:])},
		{"TermTrailingRef", cat(termKey("ab", testClaim), nodeKey(testClaim)[1:])},
		{"DocNoRef", []byte{tagDoc}},
		{"DocRefNotClaim", cat([]byte{tagDoc}, nodeKey(testOutlet)[1:])},
		{"DocTrailingByte", cat(docKey(testClaim), []byte{'a'})},
		{"DocTwoRefs", cat(docKey(testClaim), nodeKey(testClaim)[1:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKey(tt.key)
			if !errors.Is(err, errBadKey) {
				t.Fatalf("parseKey(%x) = %+v, %v; want errBadKey", tt.key, got, err)
			}
			if got != (parsedKey{}) {
				t.Fatalf("parseKey(%x) returned %+v with its error, want the zero Key", tt.key, got)
			}
		})
	}
}

func TestParseKey_LongSlug(t *testing.T) {
	// Ensure a ref naming an ID longer than graph.MaxIDLen, which no
	// constructor can build (they panic on invalid IDs), is rejected
	// rather than parsed into an invalid ID.
	slug := strings.Repeat("a", graph.MaxIDLen-len("outlet:")+1)
	key := append(append([]byte{tagNode, byte(graph.KindOutlet)}, slug...), 0x00)
	if got, err := parseKey(key); err == nil {
		t.Fatalf("parseKey(node key of a %d-byte ID) = %+v, nil; want errBadKey (graph.SplitID(%q…) fails: the ID is over graph.MaxIDLen)",
			len(got.Node), got, got.Node[:20])
	}
}

// sortSlugs are slugs whose IDs sort in an order that a careless encoding
// (a separator that sorts above '-', '.', '0' or '_', or no terminator)
// would break.
var sortSlugs = []string{
	"a", "a-b", "a.b", "a0", "ab", "a_b", "a-", "a--", "a-a", "a.", "a_", "a9",
	"aa", "b", "0", "0a", "9", "z", "z.z", "zz", "a-b-c", "a-bc", "a.b.c",
}

func TestNodeKey_Order(t *testing.T) {
	for _, kind := range graph.Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			// Ensure node keys of one kind sort in ID order and none is a
			// prefix of another.
			ids := make([]string, len(sortSlugs))
			keys := make([][]byte, len(sortSlugs))
			for i, s := range sortSlugs {
				ids[i] = graph.MakeID(kind, s)
				keys[i] = nodeKey(ids[i])
			}
			sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
			sort.Strings(ids)
			for i, k := range keys {
				parsed, err := parseKey(k)
				if err != nil {
					t.Fatalf("parseKey(%x): %v", k, err)
				}
				if parsed.Node != ids[i] {
					t.Errorf("key order position %d holds %q, ID order holds %q", i, parsed.Node, ids[i])
				}
				if !bytes.HasPrefix(k, nodePrefix(kind)) {
					t.Errorf("nodeKey(%q) = %x lacks nodePrefix(%v) = %x", parsed.Node, k, kind, nodePrefix(kind))
				}
				for j, other := range keys {
					if i != j && bytes.HasPrefix(other, k) {
						t.Errorf("nodeKey(%q) = %x is a prefix of %x", parsed.Node, k, other)
					}
				}
			}
		})
	}
}

func TestNodePrefix(t *testing.T) {
	// Ensure nodePrefix(k) is a prefix of exactly the node keys of kind k.
	for _, kind := range graph.Kinds {
		for _, other := range graph.Kinds {
			for _, s := range sortSlugs {
				id := graph.MakeID(other, s)
				if got := bytes.HasPrefix(nodeKey(id), nodePrefix(kind)); got != (kind == other) {
					t.Errorf("HasPrefix(nodeKey(%q), nodePrefix(%v)) = %v", id, kind, got)
				}
				for _, e := range edgeKinds() {
					if bytes.HasPrefix(adjKey(e, id), nodePrefix(kind)) {
						t.Errorf("nodePrefix(%v) is a prefix of adjKey(%v, %q)", kind, e, id)
					}
				}
			}
		}
	}
}

func TestEdgePrefix(t *testing.T) {
	// Ensure edgePrefix(e, d, node) is a prefix of exactly the edge keys of
	// kind e and direction d found from node, and not of those of a node
	// whose slug extends node's ("…x" against "…xy", "…x-y", "…x.y").
	nodes := []string{"official:x", "official:xy", "official:x-y", "official:x.y", "official:x0", "report:x"}
	others := []string{"official:y", "report:r", "claim:c", "outlet:x"}
	type edge struct {
		key  []byte
		e    graph.EdgeKind
		d    edgeDir
		node string
	}
	var edges []edge
	for _, e := range edgeKinds() {
		for _, d := range []edgeDir{dirForward, dirReverse} {
			for _, n := range nodes {
				for _, o := range others {
					for _, ctx := range []string{"", "report:ctx"} {
						edges = append(edges, edge{edgeKey(e, d, n, o, ctx), e, d, n})
					}
				}
			}
		}
	}
	for _, e := range edgeKinds() {
		for _, d := range []edgeDir{dirForward, dirReverse} {
			for _, n := range nodes {
				p := edgePrefix(e, d, n)
				matched := 0
				for _, x := range edges {
					want := x.e == e && x.d == d && x.node == n
					if got := bytes.HasPrefix(x.key, p); got != want {
						t.Errorf("HasPrefix(%x, edgePrefix(%v, %v, %q)) = %v, want %v", x.key, e, d, n, got, want)
					}
					if want {
						matched++
					}
				}
				if matched != len(others)*2 {
					t.Errorf("edgePrefix(%v, %v, %q) matched %d keys, want %d", e, d, n, matched, len(others)*2)
				}
			}
		}
	}
}

func TestEdgeKey_Order(t *testing.T) {
	// Ensure the edge keys under one prefix sort by the other end's ID, and
	// an edge without a context sorts right before its contexts.
	others := make([]string, len(sortSlugs))
	var keys [][]byte
	for i, s := range sortSlugs {
		others[i] = graph.MakeID(graph.KindClaim, s)
		keys = append(keys, edgeKey(graph.EdgeAttributedTo, dirReverse, testOfficial, others[i], ""))
		keys = append(keys, edgeKey(graph.EdgeAttributedTo, dirReverse, testOfficial, others[i], "report:b"))
		keys = append(keys, edgeKey(graph.EdgeAttributedTo, dirReverse, testOfficial, others[i], "report:a"))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	sort.Strings(others)
	for i, k := range keys {
		parsed, err := parseKey(k)
		if err != nil {
			t.Fatalf("parseKey(%x): %v", k, err)
		}
		want := parsedKey{Family: tagEdge, Edge: graph.EdgeAttributedTo, Dir: dirReverse, Node: testOfficial,
			Other: others[i/3], Ctx: []string{"", "report:a", "report:b"}[i%3]}
		if parsed != want {
			t.Errorf("key %d in order = %+v, want %+v", i, parsed, want)
		}
	}
}

// goldenKeys returns the pinned keys: every valid key shape and every prefix
// helper.
func goldenKeys() []keyCase {
	cs := validKeys()
	for _, k := range graph.Kinds {
		cs = append(cs, keyCase{name: "node-prefix/" + k.String(), key: nodePrefix(k)})
	}
	for _, e := range edgeKinds() {
		from, to := edgeEnds(e)
		cs = append(cs,
			keyCase{name: "edge-prefix/" + e.String() + "/forward", key: edgePrefix(e, dirForward, from)},
			keyCase{name: "edge-prefix/" + e.String() + "/reverse", key: edgePrefix(e, dirReverse, to)})
	}
	cs = append(cs, keyCase{name: "word-prefix/ab", key: wordPrefix("ab")})
	cs = append(cs, keyCase{name: "term-prefix/ab", key: termPrefix("ab")})
	cs = append(cs, keyCase{name: "meta/count-key/outlet", key: countKey(graph.KindOutlet)})
	return cs
}

func TestKeys_Golden(t *testing.T) {
	// Ensure the byte layout of every key family matches testdata/keys.golden.
	var buf bytes.Buffer
	seen := make(map[string]bool)
	for _, c := range goldenKeys() {
		if seen[c.name] {
			t.Fatalf("golden key name %q is used twice", c.name)
		}
		seen[c.name] = true
		fmt.Fprintf(&buf, "%s\t%s\n", c.name, hex.EncodeToString(c.key))
	}
	path := filepath.Join("testdata", "keys.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./store -run TestKeys_Golden -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		got := strings.Split(buf.String(), "\n")
		exp := strings.Split(string(want), "\n")
		for i := 0; i < len(got) || i < len(exp); i++ {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(exp) {
				w = exp[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got %q\nwant %q", path, i+1, g, w)
			}
		}
		t.Fatalf("the key layout differs from %s; if the change is intended (a new family or kind appended), rerun with -update", path)
	}
}

func TestWordKey_Order(t *testing.T) {
	// Ensure the index keys of one word sort in claim ID order under
	// wordPrefix, and a word's prefix is not a prefix of a longer word's keys.
	claims := make([]string, len(sortSlugs))
	var keys [][]byte
	for i, s := range sortSlugs {
		claims[i] = graph.MakeID(graph.KindClaim, s)
		keys = append(keys, wordKey("back", claims[i]), wordKey("backstop", claims[i]), wordKey("bac", claims[i]))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	sort.Strings(claims)
	var got []string
	for _, k := range keys {
		if bytes.HasPrefix(k, wordPrefix("back")) {
			parsed, err := parseKey(k)
			if err != nil || parsed.Word != "back" {
				t.Fatalf("parseKey(%x) = %+v, %v; want a key of the word \"back\"", k, parsed, err)
			}
			got = append(got, parsed.Node)
		}
	}
	if strings.Join(got, " ") != strings.Join(claims, " ") {
		t.Fatalf("claims under wordPrefix(\"back\") = %q, want %q", got, claims)
	}
}

func TestDir_String(t *testing.T) {
	// Ensure directions print their names and unknown ones their number.
	for d, want := range map[edgeDir]string{dirForward: "forward", dirReverse: "reverse", 0: "dir(0)", 7: "dir(7)"} {
		if got := d.String(); got != want {
			t.Errorf("Dir(%d).String() = %q, want %q", byte(d), got, want)
		}
	}
}

func TestKeys_InvalidInputPanics(t *testing.T) {
	// Ensure building a key for an invalid ID panics instead of writing a
	// key parseKey would reject.
	for _, id := range []string{"", "telegraph", "outlet:", "outlet:Telegraph", "person:x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("nodeKey(%q) did not panic", id)
				}
			}()
			nodeKey(id)
		}()
	}
	// Ensure building an index key for an invalid word panics too.
	for _, w := range []string{"", "a\x00b", strings.Repeat("w", graph.MaxWordLen+1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("wordPrefix(%q) did not panic", w)
				}
			}()
			wordPrefix(w)
		}()
	}
	// Ensure building a match index key for an invalid term panics too.
	for _, w := range []string{"", "a\x00b", strings.Repeat("t", maxTermLen+1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("termPrefix(%q) did not panic", w)
				}
			}()
			termPrefix(w)
		}()
	}
}

func FuzzParseKey(f *testing.F) {
	for _, c := range goldenKeys() {
		f.Add(c.key)
	}
	f.Add([]byte{})
	f.Add([]byte{tagNode, byte(graph.KindOutlet), 'A', 0x00})
	f.Add([]byte{tagEdge, byte(graph.EdgeCites), byte(dirForward), 0x02, 'a', 0x00, 0x02, 'b', 0x00, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Ensure parseKey never panics, fails only with errBadKey and a zero
		// parsedKey, and that whatever it accepts rebuilds to exactly its input.
		k, err := parseKey(b)
		if err != nil {
			if !errors.Is(err, errBadKey) || k != (parsedKey{}) {
				t.Fatalf("parseKey(%x) = %+v, %v; want the zero parsedKey and errBadKey", b, k, err)
			}
			return
		}
		if got := rebuildKey(t, k); !bytes.Equal(got, b) {
			t.Fatalf("parseKey(%x) = %+v, which rebuilds to %x", b, k, got)
		}
	})
}

// TestTermCountKey_Order: a term's count key sorts after all its postings
// and before every key of the next term, even one it is a prefix of, so a
// bulk load can write it when the term's postings end.
func TestTermCountKey_Order(t *testing.T) {
	terms := []string{"a", "ab", "ab ", "abc", "b", "київ"}
	var keys [][]byte
	for _, term := range terms {
		for _, claim := range []string{"claim:a", "claim:zzzz-" + strings.Repeat("z", 100)} {
			keys = append(keys, termKey(term, claim))
		}
		keys = append(keys, termCountKey(term))
	}
	for i := 1; i < len(keys); i++ {
		if bytes.Compare(keys[i-1], keys[i]) >= 0 {
			t.Errorf("key %q sorts after %q", keys[i-1], keys[i])
		}
	}
}
