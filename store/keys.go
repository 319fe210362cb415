package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"hearsay/graph"
)

// Every key of the database is built and parsed in this file.
//
// A key starts with a one-byte family tag. Nodes are referred to inside keys
// by a "ref": the kind byte, the slug, and a 0x00 terminator. Slugs never
// contain 0x00 ([a-z0-9._-]), so refs sort in ID order within a kind, and a
// ref is never a prefix of another ref.
//
//	ref(id) = kind:1 | slug | 0x00
//
// Family tags, kinds (graph.Kind), edge kinds (graph.EdgeKind) and
// directions are stored: append only, never reorder.
const (
	tagMeta byte = 0x01 // database metadata and counters
	tagNode byte = 0x02 // one node's own fields
	tagAdj  byte = 0x03 // one node's packed forward edges of one kind
	tagEdge byte = 0x04 // one edge, one direction, one key
	tagWord byte = 0x05 // one word of the claim search index
	tagTerm byte = 0x06 // the claim match index: a posting (a term in a claim), or a term's claim count
	tagDoc  byte = 0x07 // one claim's entry in the claim match index: its terms
)

// edgeDir is the direction an edge key is stored in.
type edgeDir byte

// The edge directions. Stored: append only, never reorder.
const (
	dirForward edgeDir = 0x01 // keyed by the edge's source: "what does X point to"
	dirReverse edgeDir = 0x02 // keyed by the edge's target: "what points to X"
)

func (d edgeDir) String() string {
	switch d {
	case dirForward:
		return "forward"
	case dirReverse:
		return "reverse"
	}
	return fmt.Sprintf("dir(%d)", byte(d))
}

// errBadKey is returned by parseKey for keys that are not of this layout.
var errBadKey = errors.New("malformed key")

// appendRef appends ref(id) to b. id must be a valid ID.
func appendRef(b []byte, id string) []byte {
	kind, slug, err := graph.SplitID(id)
	if err != nil {
		panic(fmt.Sprintf("store: key for invalid ID %q: %v", id, err))
	}
	b = append(b, byte(kind))
	b = append(b, slug...)
	return append(b, 0x00)
}

// metaKey returns the key of a metadata entry.
//
//	tagMeta | name
func metaKey(name string) []byte {
	return append([]byte{tagMeta}, name...)
}

// appliedKey returns the key of the last sequence of the replicated log
// applied to this database (command.go): node-local, like the change
// feed's head, so Digest leaves both out.
//
//	tagMeta | "replica/applied"
func appliedKey() []byte { return metaKey(appliedSeq) }

// appliedSeq is the metadata name of appliedKey.
const appliedSeq = "replica/applied"

// nodeKey returns the key of a node's fields.
//
//	tagNode | ref(id)
func nodeKey(id string) []byte {
	return appendRef(append(make([]byte, 0, 2+len(id)), tagNode), id)
}

// nodePrefix returns the prefix of every node key of one kind; they sort in
// ID order.
//
//	tagNode | kind
func nodePrefix(k graph.Kind) []byte {
	return []byte{tagNode, byte(k)}
}

// adjKey returns the key of a node's packed forward edges of one kind.
//
//	tagAdj | edge | ref(id)
func adjKey(e graph.EdgeKind, id string) []byte {
	return appendRef([]byte{tagAdj, byte(e)}, id)
}

// runPrefix returns the prefix that key shares with the keys it sorts
// among in a run of reads of one kind: a node key's tag and kind, an
// adjacency key's tag and edge kind, else its tag. Keys of nodes of one
// kind read in ID order come in key order under it.
//
//	tagNode | kind,  tagAdj | edge,  or the tag
func runPrefix(key []byte) []byte {
	if len(key) >= 2 && (key[0] == tagNode || key[0] == tagAdj) {
		return key[:2]
	}
	return key[:min(len(key), 1)]
}

// edgeKey returns the key of one edge stored in one direction. node is the
// node the key is found from (the edge's source for dirForward, its target
// for dirReverse), other is the edge's other end, and ctx, when not "", is
// the report an attribution was made in.
//
//	tagEdge | edge | dir | ref(node) | ref(other) [| ref(ctx)]
func edgeKey(e graph.EdgeKind, d edgeDir, node, other, ctx string) []byte {
	b := make([]byte, 0, 6+len(node)+len(other)+len(ctx))
	b = appendRef(append(b, tagEdge, byte(e), byte(d)), node)
	b = appendRef(b, other)
	if ctx != "" {
		b = appendRef(b, ctx)
	}
	return b
}

// edgePrefix returns the prefix of every edge key of one kind and direction
// found from node.
//
//	tagEdge | edge | dir | ref(node)
func edgePrefix(e graph.EdgeKind, d edgeDir, node string) []byte {
	return appendRef([]byte{tagEdge, byte(e), byte(d)}, node)
}

// wordKey returns the key of one entry of the claim search index: the word
// occurs in the claim's text or quotes. word is a graph.Words word: never
// empty, no 0x00, at most graph.MaxWordLen bytes.
//
//	tagWord | word | 0x00 | ref(claim)
func wordKey(word, claim string) []byte {
	return appendRef(wordPrefix(word), claim)
}

// appendWordKey appends wordKey(word, claim) to b.
func appendWordKey(b []byte, word, claim string) []byte {
	if !validWord(word) {
		panic(fmt.Sprintf("store: index key for invalid word %q", word))
	}
	b = append(b, tagWord)
	b = append(b, word...)
	return appendRef(append(b, 0x00), claim)
}

// wordPrefix returns the prefix of every index key of one word; the claims
// under it sort in ID order.
//
//	tagWord | word | 0x00
func wordPrefix(word string) []byte {
	if !validWord(word) {
		panic(fmt.Sprintf("store: index key for invalid word %q", word))
	}
	b := make([]byte, 0, 2+len(word)+graph.MaxIDLen)
	b = append(b, tagWord)
	b = append(b, word...)
	return append(b, 0x00)
}

func validWord(w string) bool {
	return w != "" && len(w) <= graph.MaxWordLen && strings.IndexByte(w, 0x00) < 0
}

// maxTermLen bounds a term of the claim match index, in bytes; a longer
// term is not indexed (matchDocOf), so it matches nothing.
const maxTermLen = 64

// termKey returns the key of one posting of the claim match index: the
// term occurs in the claim's match text. Its value is the term's frequency
// in the claim and the claim's length in terms (encodePosting). term is a
// valid term (validTerm): never empty, no 0x00, at most maxTermLen bytes.
//
//	tagTerm | term | 0x00 | ref(claim)
func termKey(term, claim string) []byte {
	return appendRef(termPrefix(term), claim)
}

// termPrefix returns the prefix of every posting of one term; the claims
// under it sort in ID order.
//
//	tagTerm | term | 0x00
func termPrefix(term string) []byte {
	if !validTerm(term) {
		panic(fmt.Sprintf("store: match index key for invalid term %q", term))
	}
	return appendTermPrefix(make([]byte, 0, 2+len(term)+graph.MaxIDLen), term)
}

// appendTermPrefix appends termPrefix(term) to b; term must be valid.
func appendTermPrefix(b []byte, term string) []byte {
	b = append(b, tagTerm)
	b = append(b, term...)
	return append(b, 0x00)
}

// termCountKey returns the key of a term's document frequency: how many
// claims hold it (encodeCount), so that a query can pass over a term held
// by too many claims without reading their postings. It sorts right after
// the term's postings, before any other term: a term holds no byte below
// 0x02 (validTerm).
//
//	tagTerm | term | 0x01
func termCountKey(term string) []byte {
	p := termPrefix(term)
	p[len(p)-1] = 0x01
	return p
}

// validTerm reports whether t can be a key's term: not empty, at most
// maxTermLen bytes, and no 0x00 or 0x01 (the separators of termKey and
// termCountKey).
func validTerm(t string) bool {
	return t != "" && len(t) <= maxTermLen && strings.IndexFunc(t, func(r rune) bool { return r < 0x02 }) < 0
}

// docKey returns the key of a claim's entry in the claim match index: its
// length and its terms with their frequencies (encodeMatchDoc), so that a
// change removes exactly the postings it wrote, whatever the analyzer does
// today.
//
//	tagDoc | ref(claim)
func docKey(claim string) []byte {
	return appendRef([]byte{tagDoc}, claim)
}

// parsedKey is a parsed key. Only the fields of its family are set.
type parsedKey struct {
	Family byte
	Name   string         // tagMeta
	Node   string         // tagNode, tagAdj, tagEdge, tagWord, tagTerm, tagDoc (the claim)
	Edge   graph.EdgeKind // tagAdj, tagEdge
	Dir    edgeDir        // tagEdge
	Other  string         // tagEdge
	Ctx    string         // tagEdge, attributions only
	Word   string         // tagWord
	Term   string         // tagTerm
	// TermCount: a tagTerm key is the term's count (termCountKey), not a
	// posting; Node is empty.
	TermCount bool
}

// parseKey parses any key built by this file.
func parseKey(k []byte) (parsedKey, error) {
	if len(k) == 0 {
		return parsedKey{}, errBadKey
	}
	key := parsedKey{Family: k[0]}
	rest := k[1:]
	var err error
	switch key.Family {
	case tagMeta:
		if len(rest) == 0 {
			return parsedKey{}, errBadKey
		}
		key.Name = string(rest)
		return key, nil
	case tagNode:
		key.Node, rest, err = parseRef(rest)
	case tagAdj:
		if len(rest) < 1 || !graph.EdgeKind(rest[0]).Valid() {
			return parsedKey{}, errBadKey
		}
		key.Edge = graph.EdgeKind(rest[0])
		key.Node, rest, err = parseRef(rest[1:])
	case tagEdge:
		if len(rest) < 2 || !graph.EdgeKind(rest[0]).Valid() || (edgeDir(rest[1]) != dirForward && edgeDir(rest[1]) != dirReverse) {
			return parsedKey{}, errBadKey
		}
		key.Edge, key.Dir = graph.EdgeKind(rest[0]), edgeDir(rest[1])
		if key.Node, rest, err = parseRef(rest[2:]); err != nil {
			return parsedKey{}, err
		}
		if key.Other, rest, err = parseRef(rest); err != nil {
			return parsedKey{}, err
		}
		if len(rest) > 0 {
			key.Ctx, rest, err = parseRef(rest)
		}
	case tagWord:
		end := bytes.IndexByte(rest, 0x00)
		if end < 1 || !validWord(string(rest[:end])) {
			return parsedKey{}, errBadKey
		}
		key.Word = string(rest[:end])
		key.Node, rest, err = parseRef(rest[end+1:])
		if err == nil && graph.KindOf(key.Node) != graph.KindClaim {
			return parsedKey{}, errBadKey
		}
	case tagTerm:
		end := bytes.IndexFunc(rest, func(r rune) bool { return r < 0x02 })
		if end < 1 || !validTerm(string(rest[:end])) {
			return parsedKey{}, errBadKey
		}
		key.Term = string(rest[:end])
		if rest[end] == 0x01 { // termCountKey
			key.TermCount = true
			rest = rest[end+1:]
			break
		}
		key.Node, rest, err = parseRef(rest[end+1:])
		if err == nil && graph.KindOf(key.Node) != graph.KindClaim {
			return parsedKey{}, errBadKey
		}
	case tagDoc:
		key.Node, rest, err = parseRef(rest)
		if err == nil && graph.KindOf(key.Node) != graph.KindClaim {
			return parsedKey{}, errBadKey
		}
	default:
		return parsedKey{}, errBadKey
	}
	if err != nil {
		return parsedKey{}, err
	}
	if len(rest) != 0 {
		return parsedKey{}, errBadKey
	}
	return key, nil
}

// parseRef parses one ref at the start of b and returns the ID and the rest.
func parseRef(b []byte) (string, []byte, error) {
	if len(b) < 3 {
		return "", nil, errBadKey
	}
	kind := graph.Kind(b[0])
	end := bytes.IndexByte(b[1:], 0x00)
	if !kind.Valid() || end < 1 {
		return "", nil, errBadKey
	}
	slug := string(b[1 : 1+end])
	if !graph.ValidSlug(slug) || len(kind.String())+1+len(slug) > graph.MaxIDLen {
		return "", nil, errBadKey
	}
	return graph.MakeID(kind, slug), b[2+end:], nil
}
