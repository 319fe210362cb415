package replica

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// A bulk import ('hearsay load --nats FILE') carries a dataset file of
// any size to every node and applies it there atomically, at one
// position of the log. The file's bytes, as the user gave them (NDJSON
// or a JSON document), are published as chunks, each a message of kind
// chunk (the chunk format of chunked commands, replica.go), and then one
// message of kind bulk, its commit:
//
//	id:16 | count uvarint | size uvarint | sha256:32 | name uvarint+bytes | count × seq uvarint
//
// naming the file (its name decides its form and names it in errors),
// its size and SHA-256, and the stream sequence of every chunk, each
// before the commit's, in order. A node applying the commit reads the
// chunks back from the stream one message at a time, parses them as they
// come (fixtures.Stream) and bulk imports the records into a new
// generation of its database (store.DB.BulkImport) with the commit's
// sequence as the applied sequence; the size and digest are checked when
// the last chunk is read, before the new generation is switched in.
// Nothing of the import is visible before the switch, and all of it
// after, on every node: a bad record, a dangling reference or chunks
// that do not add up to the file are refused alike on every node (the
// commit's sequence is applied with nothing changed). A node that cannot
// read a chunk (the stream does not answer, its disk fails) applies the
// commit again later, as any other command; one that finds a chunk gone
// (retention dropped it) stops, behind the stream, and is restored from a
// snapshot, which holds the import.
//
// Each node announces the outcome on core NATS, on the subject
// Stream + ".result." + the commit's headerID, for the loader waiting on
// it (BulkWrite.Wait); the first node's answer is every node's.

// kindBulk is the kind of a bulk import's commit.
const kindBulk = "bulk"

// MaxBulkBytes bounds a bulk import's file. The practical bound is lower:
// the stream must keep the chunks until every node has applied the
// commit (its retention), and every node needs the disk for a second
// generation while it builds the new one.
const MaxBulkBytes = 1 << 40

// smallBulk is the largest file a node tries to import in one transaction
// before building a new generation (as 'hearsay load' does locally).
const smallBulk = 1 << 20

// maxBulkName bounds the file name a commit carries.
const maxBulkName = 1024

// bulkCommit is a decoded bulk commit.
type bulkCommit struct {
	id   []byte
	size uint64
	sum  []byte
	name string
	seqs []uint64
}

func encodeBulk(c bulkCommit) []byte {
	b := append([]byte(nil), c.id...)
	b = binary.AppendUvarint(b, uint64(len(c.seqs)))
	b = binary.AppendUvarint(b, c.size)
	b = append(b, c.sum...)
	b = binary.AppendUvarint(b, uint64(len(c.name)))
	b = append(b, c.name...)
	for _, s := range c.seqs {
		b = binary.AppendUvarint(b, s)
	}
	return b
}

// decodeBulk decodes a bulk commit; what is malformed is refused
// (EINVALID). It allocates no more than b's size.
func decodeBulk(b []byte) (bulkCommit, error) {
	bad := func(what string) (bulkCommit, error) {
		return bulkCommit{}, graph.Errorf(graph.EINVALID, "malformed commit of a bulk import: %s", what)
	}
	var c bulkCommit
	if len(b) < idLen {
		return bad("short")
	}
	c.id, b = b[:idLen], b[idLen:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count == 0 || count > uint64(len(b)) {
		return bad("chunk count")
	}
	b = b[n:]
	if c.size, n = binary.Uvarint(b); n <= 0 || c.size > MaxBulkBytes {
		return bad("size")
	}
	b = b[n:]
	if len(b) < sha256.Size {
		return bad("digest")
	}
	c.sum, b = b[:sha256.Size], b[sha256.Size:]
	nl, n := binary.Uvarint(b)
	if n <= 0 || nl > maxBulkName || nl > uint64(len(b)-n) {
		return bad("name")
	}
	c.name, b = string(b[n:n+int(nl)]), b[n+int(nl):]
	c.seqs = make([]uint64, 0, count)
	for range count {
		s, n := binary.Uvarint(b)
		if n <= 0 {
			return bad("chunk sequence")
		}
		if len(c.seqs) > 0 && s <= c.seqs[len(c.seqs)-1] {
			return bad("chunk sequences out of order")
		}
		c.seqs = append(c.seqs, s)
		b = b[n:]
	}
	if len(b) != 0 {
		return bad("trailing bytes")
	}
	return c, nil
}

// BulkOutcome is what a node announces of a bulk import it applied.
type BulkOutcome struct {
	Node  string `json:"node"`
	Seq   uint64 `json:"seq"`
	Nodes int    `json:"nodes"`
	Edges int    `json:"edges"`
	// Code and Error say why the graph refused it; empty when applied.
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// BulkWrite is a bulk import published: the stream sequence of its commit
// and what it published.
type BulkWrite struct {
	Seq    uint64 // the commit's: the import's position in the log
	Chunks int
	Size   int64
	SHA256 string
	sub    *nats.Subscription
}

// Wait waits for the first node to announce the import's outcome.
func (w *BulkWrite) Wait(ctx context.Context) (BulkOutcome, error) {
	for {
		m, err := w.sub.NextMsgWithContext(ctx)
		if err != nil {
			return BulkOutcome{}, err
		}
		var out BulkOutcome
		if json.Unmarshal(m.Data, &out) == nil && out.Seq == w.Seq {
			return out, nil
		}
	}
}

// Close stops listening for the outcome.
func (w *BulkWrite) Close() { _ = w.sub.Unsubscribe() }

func (o *Options) resultSubject(id string) string { return o.Stream + ".result." + id }

// PublishBulk publishes the dataset file of size bytes read from r (named
// name: its extension decides NDJSON or a JSON document, as for a local
// load) as a bulk import, and returns once a quorum of the cluster has
// stored its commit. Memory is one chunk, whatever the size. The caller
// parses the file first: what it publishes is applied or refused by
// every node; Wait tells which.
func (p *Publisher) PublishBulk(ctx context.Context, name string, r io.Reader, size int64) (*BulkWrite, error) {
	room := p.opt.MaxMessage - 1024 // headers and chunk header
	switch {
	case room < 256:
		return nil, graph.Errorf(graph.EUNAVAILABLE, "the stream's messages (%d bytes) are too small to carry writes", p.opt.MaxMessage)
	case size <= 0:
		return nil, graph.Errorf(graph.EINVALID, "%s: empty", name)
	case size > MaxBulkBytes:
		return nil, graph.Errorf(graph.EINVALID, "%s: %d bytes, over the limit of a bulk import, %d", name, size, int64(MaxBulkBytes))
	case len(name) > maxBulkName:
		return nil, graph.Errorf(graph.EINVALID, "a file name of %d bytes: at most %d", len(name), maxBulkName)
	}
	id := nuid.Next()
	sub, err := p.nc.SubscribeSync(p.opt.resultSubject(id))
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = sub.Unsubscribe()
		}
	}()
	cid := []byte(id)
	if len(cid) < idLen {
		cid = append(cid, make([]byte, idLen-len(cid))...)
	}
	cid = cid[:idLen]
	count := int((size + int64(room) - 1) / int64(room))
	c := bulkCommit{id: cid, size: uint64(size), name: name}
	h := sha256.New()
	buf := make([]byte, room)
	for i := range count {
		part := buf[:min(int64(room), size-int64(i)*int64(room))]
		if _, err := io.ReadFull(r, part); err != nil {
			return nil, fmt.Errorf("%s: read: %w", name, err)
		}
		h.Write(part)
		data := append(chunkHeader(cid, i, count), part...)
		seq, err := p.publishMsg(ctx, id+"."+strconv.Itoa(i), kindChunk, "", data)
		if err != nil {
			return nil, fmt.Errorf("%s: chunk %d of %d: %w", name, i+1, count, err)
		}
		c.seqs = append(c.seqs, seq)
	}
	if n, _ := io.ReadFull(r, make([]byte, 1)); n != 0 {
		return nil, graph.Errorf(graph.EINVALID, "%s: longer than its size, %d bytes: it changed while being published", name, size)
	}
	c.sum = h.Sum(nil)
	seq, err := p.publishMsg(ctx, id, kindBulk, id, encodeBulk(c))
	if err != nil {
		return nil, err
	}
	ok = true
	return &BulkWrite{Seq: seq, Chunks: count, Size: size, SHA256: hex.EncodeToString(c.sum), sub: sub}, nil
}

// chunkReader reads a bulk import's file back from the stream, one chunk
// at a time, and checks its size and digest at its end.
type chunkReader struct {
	ctx    context.Context
	stream jetstream.Stream
	c      bulkCommit
	i      int
	buf    []byte
	h      hash.Hash
	n      uint64
	done   bool  // read to the end, size and digest checked
	failed error // this node's failure to read a chunk, not the import's
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.failed != nil {
			return 0, r.failed
		}
		if r.i == len(r.c.seqs) {
			return 0, r.end()
		}
		if err := r.load(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *chunkReader) load() error {
	i, seq := r.i, r.c.seqs[r.i]
	m, err := r.stream.GetMsg(r.ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		r.failed = fmt.Errorf("%w: chunk %d of a bulk import, at %d, is gone", ErrBehindStream, i, seq)
		return r.failed
	}
	if err != nil {
		r.failed = fmt.Errorf("read chunk %d of a bulk import at %d: %w", i, seq, err)
		return r.failed
	}
	h := chunkHeader(r.c.id, i, len(r.c.seqs))
	if m.Header.Get(headerKind) != kindChunk || len(m.Data) < len(h) || string(m.Data[:len(h)]) != string(h) {
		return graph.Errorf(graph.EINVALID, "chunk %d of a bulk import, at %d, is not its chunk", i, seq)
	}
	r.buf = m.Data[len(h):]
	r.h.Write(r.buf)
	if r.n += uint64(len(r.buf)); r.n > r.c.size {
		return graph.Errorf(graph.EINVALID, "the chunks of a bulk import hold more than its size, %d bytes", r.c.size)
	}
	r.i++
	return nil
}

// end checks the whole file read against the commit.
func (r *chunkReader) end() error {
	if r.done {
		return io.EOF
	}
	if r.n != r.c.size || string(r.h.Sum(nil)) != string(r.c.sum) {
		return graph.Errorf(graph.EINVALID, "the chunks of a bulk import do not add up to its file (%d bytes read, %d committed, or another SHA-256)", r.n, r.c.size)
	}
	r.done = true
	return io.EOF
}

// applyBulk applies the bulk import whose commit is data, at seq.
func (n *Node) applyBulk(ctx context.Context, seq uint64, data []byte) (res store.Result, refused, err error) {
	c, refused := decodeBulk(data)
	if refused == nil && c.seqs[len(c.seqs)-1] >= seq {
		// A chunk after its commit could be in the stream for one node
		// and not yet for another.
		refused = graph.Errorf(graph.EINVALID, "a bulk import's commit at %d names a chunk after it", seq)
	}
	if refused != nil {
		if err := n.DB.MarkApplied(ctx, seq); err != nil {
			return res, nil, err
		}
		return res, refused, nil
	}
	r := &chunkReader{ctx: ctx, stream: n.stream, c: c, h: sha256.New()}
	src := func(emit func(int, any) error) error {
		_, err := fixtures.Stream(c.name, r, fixtures.Options{}, emit)
		if r.failed != nil {
			return r.failed // not the import's fault: never a refusal
		}
		if err != nil {
			return err
		}
		if !r.done { // what the parser left unread is checked too
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
		}
		if r.failed != nil {
			return r.failed
		}
		return nil
	}
	start := time.Now()
	// A small file is tried in one transaction first, as a local load
	// does: a new generation rewrites the whole database.
	br, err := n.DB.BulkImport(ctx, seq, src, store.BulkOptions{Name: c.name, TryTxn: c.size <= smallBulk, Validated: true})
	if err != nil {
		if store.Refusal(err) {
			// BulkImport stored seq as applied. A failure to read a
			// chunk never is one (src returns it as it is); a bad
			// record read before it is the same on every node.
			return res, err, nil
		}
		return res, nil, err
	}
	n.log.Info().Uint64("seq", seq).Str("file", c.name).Int("nodes", br.Nodes).Int("edges", br.Edges).
		Dur("took", time.Since(start)).Msg("applied a bulk import")
	res.Import = br.ImportResult
	return res, nil, nil
}

// announce tells the loader waiting on a bulk import its outcome.
func (n *Node) announce(seq uint64, id string, out outcome) {
	if id == "" {
		return
	}
	o := BulkOutcome{Node: n.opt.Node, Seq: seq, Nodes: out.res.Import.Nodes, Edges: out.res.Import.Edges}
	if out.err != nil {
		o.Code, o.Error = graph.ErrorCode(out.err), graph.ErrorMessage(out.err)
	}
	b, err := json.Marshal(o)
	if err == nil {
		err = n.nc.Publish(n.opt.resultSubject(id), b)
	}
	if err != nil {
		n.log.Warn().Err(err).Uint64("seq", seq).Msg("announce a bulk import's outcome")
	}
}
