package replica

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"
)

func TestCommit_RoundTrip(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	c := commit{id: bytes.Repeat([]byte{'a'}, idLen), size: 12345, sum: sum[:], seqs: []uint64{1, 2, 300, 1 << 40}}
	got, err := decodeCommit(encodeCommit(c))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.id, c.id) || got.size != c.size || !bytes.Equal(got.sum, c.sum) || len(got.seqs) != 4 || got.seqs[3] != 1<<40 {
		t.Fatalf("got %+v", got)
	}
	// Ensure every truncation and a trailing byte are refused.
	b := encodeCommit(c)
	for i := range len(b) {
		if _, err := decodeCommit(b[:i]); err == nil {
			t.Fatalf("truncated at %d: decoded", i)
		}
	}
	if _, err := decodeCommit(append(b, 0)); err == nil {
		t.Fatal("trailing byte: decoded")
	}
}

// FuzzDecodeCommit: a commit message comes from the stream, an input
// like any other; decoding it never panics nor allocates more than its
// size allows, and what decodes encodes back to the same commit.
func FuzzDecodeCommit(f *testing.F) {
	sum := sha256.Sum256(nil)
	f.Add(encodeCommit(commit{id: make([]byte, idLen), size: 10, sum: sum[:], seqs: []uint64{5, 6}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCommit(b)
		if err != nil {
			return
		}
		if len(c.seqs) > len(b) {
			t.Fatalf("%d sequences from %d bytes", len(c.seqs), len(b))
		}
		// Varints may come padded; what decodes means the same once
		// encoded again.
		c2, err := decodeCommit(encodeCommit(c))
		if err != nil || !bytes.Equal(c2.id, c.id) || c2.size != c.size || !bytes.Equal(c2.sum, c.sum) || !slices.Equal(c2.seqs, c.seqs) {
			t.Fatalf("re-encoded: %+v, %v", c2, err)
		}
	})
}

func TestBulkCommit_RoundTrip(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	c := bulkCommit{id: bytes.Repeat([]byte{'b'}, idLen), size: 1 << 33, sum: sum[:], name: "big.ndjson", seqs: []uint64{1, 2, 300, 1 << 40}}
	b := encodeBulk(c)
	got, err := decodeBulk(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.id, c.id) || got.size != c.size || !bytes.Equal(got.sum, c.sum) || got.name != c.name || !slices.Equal(got.seqs, c.seqs) {
		t.Fatalf("got %+v", got)
	}
	// Ensure every truncation and a trailing byte are refused.
	for i := range len(b) {
		if _, err := decodeBulk(b[:i]); err == nil {
			t.Fatalf("truncated at %d: decoded", i)
		}
	}
	if _, err := decodeBulk(append(b, 0)); err == nil {
		t.Fatal("trailing byte: decoded")
	}
	// Ensure chunks out of order, and a size over the limit, are refused.
	for _, bad := range []bulkCommit{
		{id: c.id, size: 1, sum: c.sum, name: "f", seqs: []uint64{3, 2}},
		{id: c.id, size: 1, sum: c.sum, name: "f", seqs: []uint64{3, 3}},
		{id: c.id, size: MaxBulkBytes + 1, sum: c.sum, name: "f", seqs: []uint64{1}},
		{id: c.id, size: 1, sum: c.sum, name: string(make([]byte, maxBulkName+1)), seqs: []uint64{1}},
	} {
		if _, err := decodeBulk(encodeBulk(bad)); err == nil {
			t.Errorf("%+v: decoded", bad)
		}
	}
}

// FuzzDecodeBulk: a bulk import's commit comes from the stream; decoding
// it never panics nor allocates more than its size allows, and what
// decodes encodes back to the same commit.
func FuzzDecodeBulk(f *testing.F) {
	sum := sha256.Sum256(nil)
	f.Add(encodeBulk(bulkCommit{id: make([]byte, idLen), size: 10, sum: sum[:], name: "f.ndjson", seqs: []uint64{5, 6}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeBulk(b)
		if err != nil {
			return
		}
		if len(c.seqs) > len(b) || len(c.name) > len(b) {
			t.Fatalf("%d sequences, a name of %d bytes from %d bytes", len(c.seqs), len(c.name), len(b))
		}
		c2, err := decodeBulk(encodeBulk(c))
		if err != nil || !bytes.Equal(c2.id, c.id) || c2.size != c.size || !bytes.Equal(c2.sum, c.sum) || c2.name != c.name || !slices.Equal(c2.seqs, c.seqs) {
			t.Fatalf("re-encoded: %+v, %v", c2, err)
		}
	})
}
