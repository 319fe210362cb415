package store

import (
	"bytes"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// This file gives the external tests (package store_test) raw access to
// the keys and values under a DB, so that they can check the stored layout
// without going through the code under test.

// The key family tags, for filtering raw keys.
const (
	TagMeta = tagMeta
	TagNode = tagNode
	TagAdj  = tagAdj
	TagEdge = tagEdge
	TagWord = tagWord
	TagTerm = tagTerm
	TagDoc  = tagDoc
)

// The claim match index's bounds and meta names.
const (
	MaxTermLen   = maxTermLen
	MatchTerms   = matchTerms
	MatchVersion = matchVersion
)

// MatchIndexVersion is the version the index is built with.
var MatchIndexVersion = matchIndexVersion

// EncodePosting encodes a posting's value.
var EncodePosting = encodePosting

// MatchDocValue encodes a claim's entry in the claim match index from its
// terms' frequencies.
func MatchDocValue(tf map[string]int) []byte {
	d := &matchDoc{}
	for t, n := range tf {
		d.terms = append(d.terms, termFreq{t, n})
		d.len += n
	}
	slices.SortFunc(d.terms, func(a, b termFreq) int { return bytes.Compare([]byte(a.term), []byte(b.term)) })
	return encodeMatchDoc(d)
}

// The key constructors, for building raw keys.
var (
	MetaKey    = metaKey
	NodeKey    = nodeKey
	AdjKey     = adjKey
	EdgeKey    = edgeKey
	EdgePrefix = edgePrefix
	WordKey    = wordKey
	TermKey    = termKey
	TermCount  = termCountKey
	EncodeCnt  = encodeCount
	DocKey     = docKey
	ParseKey   = parseKey
)

// DirReverse is the direction of reverse edge keys.
const DirReverse = dirReverse

// RawKV is one stored key and its value.
type RawKV struct {
	Key   []byte
	Value []byte
}

// RawKVs returns every key that starts with prefix, with its value, in key
// order, from one snapshot: a posting list block (posting.go) as one key
// per posting, as the layout was before blocks, so that tests can compare
// what lists hold however their writes cut them into blocks.
//
// The change sequence's head (feed.go) is left out: it is the history of
// writes, not the graph they wrote, so that tests can compare graphs
// written by different paths. FeedSeqKey names it.
func RawKVs(db *DB, prefix []byte) ([]RawKV, error) {
	kvs, err := StoredKVs(db, prefix)
	if err != nil {
		return nil, err
	}
	var out []RawKV
	for _, kv := range kvs {
		plen, ok := isPosting(kv.Key)
		if !ok {
			out = append(out, kv)
			continue
		}
		if err := eachPosting(kv.Key, plen, kv.Value, func(slug []byte, tf, n int) bool {
			p := RawKV{Key: slices.Clone(kv.Key[:plen]), Value: []byte{}}
			p.Key = append(append(append(p.Key, byte(graph.KindClaim)), slug...), 0x00)
			if kv.Key[0] == tagTerm {
				p.Value = encodePosting(tf, n)
			}
			out = append(out, p)
			return true
		}); err != nil {
			return nil, err
		}
	}
	// Blocks of a list may overlap: their postings in key order.
	slices.SortStableFunc(out, func(a, b RawKV) int { return bytes.Compare(a.Key, b.Key) })
	return out, nil
}

// StoredKVs returns every stored key and value as stored: posting lists
// in blocks, cut as the writes that made them cut them.
func StoredKVs(db *DB, prefix []byte) ([]RawKV, error) {
	var out []RawKV
	seqKey := metaKey(changeSeq)
	err := db.live.current().db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if bytes.Equal(item.Key(), seqKey) {
				continue
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, RawKV{Key: item.KeyCopy(nil), Value: v})
		}
		return nil
	})
	return out, err
}

// FeedSeqKey is the key of the change sequence's head.
func FeedSeqKey() []byte { return metaKey(changeSeq) }

// SetRaw stores a raw value under key.
func SetRaw(db *DB, key, value []byte) error {
	return db.live.current().db.Update(func(txn *badger.Txn) error { return txn.Set(key, value) })
}

// SetPosting puts claim into the posting list of a word (TagWord) or a
// term (TagTerm) with tf and n, bypassing every rule and counter.
func SetPosting(db *DB, family byte, list, claim string, tf, n int) error {
	return db.kv.update(func(txn kvTxn) error {
		w := newWriter(txn)
		w.setPosting(append(append([]byte{family}, list...), 0x00), claim, tf, n)
		return w.flushPostings()
	})
}

// DropPosting takes claim out of the posting list of a word or a term,
// bypassing every rule and counter.
func DropPosting(db *DB, family byte, list, claim string) error {
	return db.kv.update(func(txn kvTxn) error {
		w := newWriter(txn)
		w.delPosting(append(append([]byte{family}, list...), 0x00), claim)
		return w.flushPostings()
	})
}

// DeleteRaw deletes one raw key, bypassing every rule.
func DeleteRaw(db *DB, key []byte) error {
	return db.live.current().db.Update(func(txn *badger.Txn) error { return txn.Delete(key) })
}

// ModelKVs returns the keys and values the write model (entriesOf) says
// the nodes of ds write, in key order, apart from possibly-same-as lists,
// which are merged across nodes, and the counters.
func ModelKVs(ds *graph.Dataset) []RawKV {
	var out []RawKV
	add := func(k, v []byte) { out = append(out, RawKV{Key: k, Value: v}) }
	claimsOf := make(map[string]int64) // term → claims holding it
	for _, n := range ds.Nodes() {
		e := entriesOf(n)
		add(NodeKey(e.id), e.value)
		if e.packed != nil {
			add(e.adjKey, e.packed)
		}
		for _, ed := range e.edges {
			if ed.rev != nil {
				add(ed.rev, []byte{})
			}
		}
		for _, x := range e.index {
			add(x.key, []byte{})
		}
		if e.match != nil {
			add(docKey(e.id), encodeMatchDoc(e.match))
			for _, t := range e.match.terms {
				add(termKey(t.term, e.id), encodePosting(t.tf, e.match.len))
				claimsOf[t.term]++
			}
		}
	}
	for t, n := range claimsOf {
		add(termCountKey(t), encodeCount(n))
	}
	slices.SortFunc(out, func(a, b RawKV) int { return bytes.Compare(a.Key, b.Key) })
	return out
}

// IsSameAsList reports whether key is an official's possibly-same-as list.
func IsSameAsList(key []byte) bool {
	return len(key) > 1 && key[0] == tagAdj && graph.EdgeKind(key[1]) == graph.EdgePossiblySameAs
}

// AppliedKey is the key of the replicated log's applied sequence.
var AppliedKey = appliedKey

// SetBeforeSwitch sets the hook a bulk import runs after building its
// generation and before making it live, and returns a func restoring none.
func SetBeforeSwitch(fn func(gen string) error) func() {
	beforeSwitch = fn
	return func() { beforeSwitch = nil }
}
