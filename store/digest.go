package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"hearsay/graph"
)

// Digest sums up a database so that an operator can see two replicas
// agree (DESIGN.md section 6.1): the applied sequence of the replicated
// log, the counts, and a SHA-256 over every key and value in key order,
// from one snapshot. The node-local entries (the applied sequence and
// the change feed's head, which a node restored from a snapshot or bulk
// loaded numbers differently) are left out of the sum; everything else,
// the counters and the match index included, is in it, so two nodes that
// applied the same log have the same sum.
type Digest struct {
	Applied uint64      `json:"applied"`
	Stats   graph.Stats `json:"stats"`
	Keys    int64       `json:"keys"`
	SHA256  string      `json:"sha256"`
}

// Digest computes the database's digest. It reads every key: its cost is
// a full scan, like a check.
func (db *DB) Digest(ctx context.Context) (Digest, error) {
	var d Digest
	local := [][]byte{appliedKey(), metaKey(changeSeq)}
	err := db.view(ctx, func(txn kvTxn) error {
		var err error
		if d.Applied, err = readApplied(txn); err != nil {
			return err
		}
		if d.Stats, err = readStats(txn); err != nil {
			return err
		}
		h := sha256.New()
		var n [binary.MaxVarintLen64]byte
		it := txn.iterate(nil, true)
		defer it.close()
		i := 0
	keys:
		for it.seek(nil); it.valid(); it.next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			k := it.key()
			for _, l := range local {
				if bytes.Equal(k, l) {
					continue keys
				}
			}
			d.Keys++
			h.Write(n[:binary.PutUvarint(n[:], uint64(len(k)))])
			h.Write(k)
			if err := it.value(func(v []byte) error {
				h.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
				h.Write(v)
				return nil
			}); err != nil {
				return err
			}
		}
		d.SHA256 = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return d, err
}
