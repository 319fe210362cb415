// Package replica runs a hearsay node of a replicated deployment: several
// servers, one graph, on NATS JetStream (DESIGN.md section 6.1).
//
// Every write is encoded as a store.Command and published to one
// JetStream stream replicated three ways; the publish returns when a
// quorum of the NATS servers has stored it. Every node consumes the
// stream in order and applies each command through the store's own write
// methods (store.DB.Apply), which store the stream sequence in the same
// Badger transaction as the write, so a node resumes after the last
// command it applied and applies each exactly once. A command the graph
// refuses at its position in the log is refused alike on every node; the
// node that published it returns that refusal, or the write's result, to
// its client, once it has applied it itself. A dataset file of any size is
// one bulk import (bulk.go): chunks and a commit, applied by every node
// into a new generation of its database, all of it or nothing.
//
// Reads are local (Node embeds the store.DB); graph.Replicated tells a
// client how far this node has applied the log.
package replica

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/rs/zerolog"

	"hearsay/graph"
	"hearsay/store"
)

// Defaults of Options.
const (
	DefaultStream = "HEARSAY"
	// DefaultMaxMessage is the stream's largest message: a command
	// larger is sent in chunks (see chunk).
	DefaultMaxMessage = 1 << 20
	// DefaultWriteWait bounds how long a write waits for its own node
	// to apply it after the stream acknowledged it: less than a
	// request's time limit (api.DefaultTimeout), so that the client
	// learns the sequence to read its write back with.
	DefaultWriteWait = 5 * time.Second
	// publishWait bounds the publish of one message, its retries
	// included: without a quorum the cluster does not answer, and the
	// client should hear so within its request's time limit.
	publishWait = 4 * time.Second
)

// Message headers.
const (
	headerID   = "Hearsay-Id" // the publishing node's ID for the write, to hand it its result
	headerKind = "Hearsay-Kind"
)

// Message kinds (headerKind): a whole command, a chunk of one, or the
// commit of a chunked command; and the commit of a bulk import (kindBulk,
// bulk.go), whose chunks are kind chunk too.
const (
	kindCommand = "command"
	kindChunk   = "chunk"
	kindCommit  = "commit"
)

// Options configure a node.
type Options struct {
	// URLs are the NATS servers to connect to (any of the cluster).
	URLs []string
	// Stream is the JetStream stream's name (default DefaultStream); its
	// subject is Stream + ".cmd".
	Stream string
	// Node names this node in logs and in its snapshots (default the
	// host's name chosen by the caller).
	Node string
	// Replicas is the stream's replication (default 3; 1 for a test
	// with one NATS server).
	Replicas int
	// MaxMessage is the stream's largest message (default
	// DefaultMaxMessage).
	MaxMessage int
	// WriteWait bounds a write's wait for its own node to apply it
	// (default DefaultWriteWait).
	WriteWait time.Duration
	Logger    zerolog.Logger
}

func (o *Options) defaults() {
	if o.Stream == "" {
		o.Stream = DefaultStream
	}
	if o.Replicas <= 0 {
		o.Replicas = 3
	}
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
}

func (o *Options) subject() string { return o.Stream + ".cmd" }

// ErrBehindStream is the error of opening a node whose next command is no
// longer in the stream: retention dropped it. The node must first be
// restored from a snapshot (RestoreSnapshot).
var ErrBehindStream = errors.New("the stream no longer holds the next command this node needs")

// Publisher publishes commands to the stream, without applying them: what
// 'hearsay load --nats' uses, and what a Node writes with.
type Publisher struct {
	opt Options
	nc  *nats.Conn
	js  jetstream.JetStream
}

// NewPublisher connects to the cluster (creating the stream if needed).
func NewPublisher(ctx context.Context, opt Options) (*Publisher, error) {
	opt.defaults()
	nc, js, st, err := Connect(ctx, opt)
	if err != nil {
		return nil, err
	}
	fitMessages(&opt, st)
	return &Publisher{opt: opt, nc: nc, js: js}, nil
}

// Close disconnects.
func (p *Publisher) Close() { p.nc.Close() }

// Publish publishes a command and returns the stream sequence it will be
// applied at, once a quorum of the cluster has stored it.
func (p *Publisher) Publish(ctx context.Context, c *store.Command) (uint64, error) {
	b, err := store.EncodeCommand(c)
	if err != nil {
		return 0, err
	}
	return p.publish(ctx, nuid.Next(), b)
}

// Node is one hearsay node of a replicated deployment. It implements
// graph.Graph: reads go to its own store.DB, writes to the stream.
type Node struct {
	*store.DB
	*Publisher
	stream jetstream.Stream
	log    zerolog.Logger

	applied  atomic.Uint64 // the last stream sequence processed
	applying atomic.Bool   // a message is being applied (watch)
	mu       sync.Mutex
	moved    chan struct{}           // closed when applied moves
	waiting  map[string]chan outcome // writes of this node awaiting their result, by headerID
	failed   error                   // why the apply loop stopped, if it did
	cancel   context.CancelFunc
	done     chan struct{}
}

var (
	_ graph.Graph      = (*Node)(nil)
	_ graph.Replicated = (*Node)(nil)
)

type outcome struct {
	res store.Result
	err error
}

// Connect connects to the NATS cluster and opens the stream, creating it
// if it does not exist.
func Connect(ctx context.Context, opt Options) (*nats.Conn, jetstream.JetStream, jetstream.Stream, error) {
	opt.defaults()
	nc, err := nats.Connect(strings.Join(opt.URLs, ","), nats.Name("hearsay "+opt.Node),
		nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("connect to NATS at %s: %w", strings.Join(opt.URLs, ","), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	cfg := jetstream.StreamConfig{
		Name:       opt.Stream,
		Subjects:   []string{opt.subject()},
		Storage:    jetstream.FileStorage,
		Replicas:   opt.Replicas,
		MaxMsgSize: int32(opt.MaxMessage),
		Duplicates: 2 * time.Minute,
		Discard:    jetstream.DiscardOld,
	}
	var st jetstream.Stream
	for {
		// An existing stream is used as it is: an operator may have
		// set its retention (nats stream edit), which a node must not
		// undo.
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err = js.Stream(actx, opt.Stream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			st, err = js.CreateStream(actx, cfg)
		}
		cancel()
		if err == nil {
			break
		}
		// A cluster still electing its JetStream leader answers with
		// an error for a few seconds after it starts, and two nodes
		// may create the stream at once.
		select {
		case <-ctx.Done():
			nc.Close()
			return nil, nil, nil, fmt.Errorf("open the stream %s: %w", opt.Stream, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nc, js, st, nil
}

// fitMessages lowers the message size to the stream's own, when the
// stream exists with a smaller one (created with other options, or
// edited).
func fitMessages(opt *Options, st jetstream.Stream) {
	if m := int(st.CachedInfo().Config.MaxMsgSize); m > 0 && m < opt.MaxMessage {
		opt.MaxMessage = m
	}
}

// Open starts a node on db: it connects to NATS, and applies the stream
// from the command after the last one db applied, in the background,
// until Close. If the stream no longer holds that command, Open returns
// ErrBehindStream and the database must be restored from a snapshot.
func Open(ctx context.Context, db *store.DB, opt Options) (*Node, error) {
	opt.defaults()
	nc, js, st, err := Connect(ctx, opt)
	if err != nil {
		return nil, err
	}
	applied, err := db.Applied(ctx)
	if err != nil {
		nc.Close()
		return nil, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("read the stream %s: %w", opt.Stream, err)
	}
	if info.State.FirstSeq > applied+1 && info.State.LastSeq > applied {
		nc.Close()
		return nil, fmt.Errorf("%w: it applied up to %d, the stream starts at %d", ErrBehindStream, applied, info.State.FirstSeq)
	}
	fitMessages(&opt, st)
	n := &Node{DB: db, Publisher: &Publisher{opt: opt, nc: nc, js: js}, stream: st, log: opt.Logger.With().Str("node", opt.Node).Logger(),
		moved: make(chan struct{}), waiting: make(map[string]chan outcome), done: make(chan struct{})}
	n.applied.Store(applied)
	actx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go n.run(actx)
	return n, nil
}

// consume reads the stream from the command after the last one applied.
func (n *Node) consume(ctx context.Context) (jetstream.MessagesContext, error) {
	cons, err := n.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: n.applied.Load() + 1,
		MaxResetAttempts: consumerResets})
	if err != nil {
		return nil, fmt.Errorf("consume the stream %s: %w", n.opt.Stream, err)
	}
	return cons.Messages(jetstream.PullExpiry(pullExpiry), jetstream.PullHeartbeat(pullHeartbeat))
}

// How the ordered consumer notices a lost server, and how long it tries
// to recover by itself. Its consumer is one replica, in memory, on one
// NATS server: when that server dies the node hears nothing, and learns
// it only from missed heartbeats — by default 15 s apart, on 30 s pulls —
// and then recreates the consumer with as many attempts as it takes, 10 s
// each, while the cluster elects new leaders. Heartbeats 2 s apart show
// the loss in about 4 s, and after consumerResets failed attempts the
// error reaches drain, which subscribes anew from the applied sequence
// (run); the watchdog (watch) remains for a silence neither catches.
const (
	pullExpiry     = 5 * time.Second
	pullHeartbeat  = 2 * time.Second
	consumerResets = 4
)

// Close stops applying and disconnects; it does not close the database.
func (n *Node) Close() error {
	n.cancel()
	<-n.done
	n.Publisher.Close()
	return nil
}

// Applied returns the last stream sequence this node has applied.
func (n *Node) Applied() uint64 { return n.applied.Load() }

// Failed returns why the node stopped applying the stream, or nil.
func (n *Node) Failed() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.failed
}

// WaitApplied waits until the node has applied the stream up to seq.
func (n *Node) WaitApplied(ctx context.Context, seq uint64) error {
	for {
		n.mu.Lock()
		moved, failed := n.moved, n.failed
		n.mu.Unlock()
		if n.applied.Load() >= seq {
			return nil
		}
		if failed != nil {
			return graph.Errorf(graph.EUNAVAILABLE, "this node stopped applying the log: %v", failed)
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run applies the stream in order until ctx ends or a message cannot be
// applied for a reason of this node's (its storage): then the node stops
// applying, so that it never skips a command, and reports it (Failed).
func (n *Node) run(ctx context.Context) {
	defer close(n.done)
	var mu sync.Mutex // guards it, which the stopper, the watchdog and a resubscription share
	var it jetstream.MessagesContext
	stopIt := func() {
		mu.Lock()
		if it != nil {
			it.Stop()
		}
		mu.Unlock()
	}
	go func() { <-ctx.Done(); stopIt() }()
	go n.watch(ctx, stopIt)
	for {
		// A subscription from the next sequence: at the start, and
		// whenever one fails. The ordered consumer recreates itself
		// across a NATS server's loss; whatever it cannot ride out,
		// a new one does. While the cluster does not answer, the node
		// serves reads of what it has and tries again.
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		next, err := n.consume(sctx)
		cancel()
		if ctx.Err() != nil {
			if next != nil {
				next.Stop()
			}
			return
		}
		if err != nil {
			n.log.Warn().Err(err).Uint64("applied", n.applied.Load()).Msg("subscribing to the stream; trying again")
		} else {
			mu.Lock()
			it = next
			mu.Unlock()
			if !n.drain(ctx, next) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// drain applies the messages of one subscription until it fails (true:
// subscribe again) or the node stops (false).
func (n *Node) drain(ctx context.Context, it jetstream.MessagesContext) bool {
	defer it.Stop()
	for {
		msg, err := it.Next()
		if ctx.Err() != nil {
			return false
		}
		if err != nil {
			n.log.Warn().Err(err).Uint64("applied", n.applied.Load()).Msg("reading the stream; subscribing again")
			return true
		}
		md, err := msg.Metadata()
		if err != nil {
			n.stop(fmt.Errorf("read a message's metadata: %w", err))
			return false
		}
		seq := md.Sequence.Stream
		if seq <= n.applied.Load() {
			continue // redelivered after a resubscription
		}
		if want := n.applied.Load() + 1; seq != want {
			n.stop(fmt.Errorf("%w: got %d, needed %d", ErrBehindStream, seq, want))
			return false
		}
		n.applying.Store(true)
		err = n.applyWithRetry(ctx, seq, msg.Headers(), msg.Data())
		n.applying.Store(false)
		if err != nil {
			if ctx.Err() == nil {
				n.stop(err)
			}
			return false
		}
	}
}

// Watch intervals: how often the watchdog compares the stream's last
// sequence with the node's, and after how many looks without progress it
// resubscribes.
const (
	watchEvery  = 2 * time.Second
	watchStalls = 3
)

// watch resubscribes (by stopping the iterator, which run replaces) when
// the stream holds commands past the node's position and the node has
// not moved for watchStalls looks while idle. The ordered consumer
// recovers from a lost NATS server by itself, through missed heartbeats;
// the cluster test saw it stay silent for minutes after a server's
// SIGKILL, and a node that silently stops applying is the failure that
// matters most here.
func (n *Node) watch(ctx context.Context, resubscribe func()) {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	var last uint64
	stalls := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ictx, cancel := context.WithTimeout(ctx, watchEvery)
		info, err := n.stream.Info(ictx)
		cancel()
		applied := n.applied.Load()
		if err != nil || n.applying.Load() || info.State.LastSeq <= applied || applied != last {
			last, stalls = applied, 0
			continue
		}
		if stalls++; stalls >= watchStalls {
			n.log.Warn().Uint64("applied", applied).Uint64("stream_last", info.State.LastSeq).Msg("no progress on the stream; subscribing again")
			resubscribe()
			stalls = 0
		}
	}
}

func (n *Node) stop(err error) {
	n.log.Error().Err(err).Uint64("applied", n.applied.Load()).Msg("stopped applying the replicated log")
	n.mu.Lock()
	n.failed = err
	close(n.moved)
	n.moved = make(chan struct{})
	for id, ch := range n.waiting {
		ch <- outcome{err: graph.Errorf(graph.EUNAVAILABLE, "this node stopped applying the log: %v", err)}
		delete(n.waiting, id)
	}
	n.mu.Unlock()
}

// applyWithRetry applies one message, retrying a failure of this node's
// storage a few times (a full disk may be freed), then gives up.
func (n *Node) applyWithRetry(ctx context.Context, seq uint64, h nats.Header, data []byte) error {
	var err error
	for attempt := range 5 {
		var res store.Result
		var refused error
		res, refused, err = n.applyMessage(ctx, seq, h, data)
		if err == nil {
			if refused != nil {
				// Every node refuses it alike; logged for the operator
				// of a load whose imports nobody waits for.
				n.log.Info().Uint64("seq", seq).Str("error", graph.ErrorMessage(refused)).Msg("refused a replicated write")
			}
			out := outcome{res: res, err: refused}
			if h.Get(headerKind) == kindBulk {
				n.announce(seq, h.Get(headerID), out)
			}
			n.advance(seq, h.Get(headerID), out)
			return nil
		}
		n.log.Warn().Err(err).Uint64("seq", seq).Int("attempt", attempt).Msg("apply failed")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return fmt.Errorf("apply the command at %d: %w", seq, err)
}

func (n *Node) advance(seq uint64, id string, out outcome) {
	n.applied.Store(seq)
	n.mu.Lock()
	close(n.moved)
	n.moved = make(chan struct{})
	if ch, ok := n.waiting[id]; ok && id != "" {
		ch <- out
		delete(n.waiting, id)
	}
	n.mu.Unlock()
}

// applyMessage applies the message at seq: refused is the graph's
// refusal of the command (stored as applied), err a failure of this node.
func (n *Node) applyMessage(ctx context.Context, seq uint64, h nats.Header, data []byte) (res store.Result, refused, err error) {
	var cmd *store.Command
	switch h.Get(headerKind) {
	case kindChunk:
		// A chunk changes nothing until its commit, which reads it
		// back from the stream: the applied sequence stored in the
		// database does not move, so a restart reads it again.
		return res, nil, nil
	case kindCommand:
		cmd, refused = decode(data, n.opt.MaxMessage)
	case kindBulk:
		return n.applyBulk(ctx, seq, data)
	case kindCommit:
		var whole []byte
		whole, refused, err = n.assemble(ctx, data)
		if err != nil {
			return res, nil, err
		}
		if refused == nil {
			cmd, refused = decode(whole, store.MaxCommandBytes)
		}
	default:
		refused = graph.Errorf(graph.EINVALID, "the log entry at %d is not a hearsay command (kind %q)", seq, h.Get(headerKind))
	}
	if refused != nil {
		// What does not decode is refused alike on every node.
		if err := n.DB.MarkApplied(ctx, seq); err != nil {
			return res, nil, err
		}
		return res, refused, nil
	}
	res, err = n.DB.Apply(ctx, seq, cmd)
	if err != nil && store.Refusal(err) {
		return res, err, nil
	}
	return res, nil, err
}

func decode(b []byte, limit int) (*store.Command, error) {
	if len(b) > limit {
		return nil, graph.Errorf(graph.EINVALID, "a command of %d bytes is over the limit of %d", len(b), limit)
	}
	c, err := store.DecodeCommand(b)
	if err != nil {
		return nil, graph.Errorf(graph.EINVALID, "%v", err)
	}
	return c, nil
}

// A chunked command (one larger than the stream's largest message): its
// chunks are published first, each a message of kind chunk
//
//	id:16 | index uvarint | count uvarint | bytes
//
// and then its commit, of kind commit,
//
//	id:16 | count uvarint | size uvarint | sha256:32 | count × seq uvarint
//
// naming the stream sequence of every chunk. Applying the commit reads
// the chunks back from the stream by sequence, checks them (id, index,
// count, total size, digest) and applies the whole command in one
// transaction: all of it or nothing, at the commit's position.
const idLen = 16

func chunkHeader(id []byte, index, count int) []byte {
	b := append([]byte(nil), id...)
	b = binary.AppendUvarint(b, uint64(index))
	return binary.AppendUvarint(b, uint64(count))
}

type commit struct {
	id   []byte
	size uint64
	sum  []byte
	seqs []uint64
}

func encodeCommit(c commit) []byte {
	b := append([]byte(nil), c.id...)
	b = binary.AppendUvarint(b, uint64(len(c.seqs)))
	b = binary.AppendUvarint(b, c.size)
	b = append(b, c.sum...)
	for _, s := range c.seqs {
		b = binary.AppendUvarint(b, s)
	}
	return b
}

func decodeCommit(b []byte) (commit, error) {
	bad := graph.Errorf(graph.EINVALID, "malformed commit of a chunked command")
	var c commit
	if len(b) < idLen {
		return c, bad
	}
	c.id, b = b[:idLen], b[idLen:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count == 0 || count > uint64(len(b)) {
		return c, bad
	}
	b = b[n:]
	if c.size, n = binary.Uvarint(b); n <= 0 || c.size > store.MaxCommandBytes {
		return c, bad
	}
	b = b[n:]
	if len(b) < sha256.Size {
		return c, bad
	}
	c.sum, b = b[:sha256.Size], b[sha256.Size:]
	for range count {
		s, n := binary.Uvarint(b)
		if n <= 0 {
			return c, bad
		}
		c.seqs = append(c.seqs, s)
		b = b[n:]
	}
	if len(b) != 0 {
		return c, bad
	}
	return c, nil
}

// assemble reads a commit's chunks back from the stream.
func (n *Node) assemble(ctx context.Context, data []byte) (whole []byte, refused, err error) {
	c, refused := decodeCommit(data)
	if refused != nil {
		return nil, refused, nil
	}
	whole = make([]byte, 0, c.size)
	for i, seq := range c.seqs {
		m, err := n.stream.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, nil, fmt.Errorf("%w: chunk %d of a command, at %d, is gone", ErrBehindStream, i, seq)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read chunk %d at %d: %w", i, seq, err)
		}
		h := chunkHeader(c.id, i, len(c.seqs))
		if m.Header.Get(headerKind) != kindChunk || len(m.Data) < len(h) || string(m.Data[:len(h)]) != string(h) {
			return nil, graph.Errorf(graph.EINVALID, "chunk %d of a command, at %d, is not its chunk", i, seq), nil
		}
		if uint64(len(whole)+len(m.Data)-len(h)) > c.size {
			return nil, graph.Errorf(graph.EINVALID, "the chunks of a command hold more than its size, %d bytes", c.size), nil
		}
		whole = append(whole, m.Data[len(h):]...)
	}
	if sum := sha256.Sum256(whole); uint64(len(whole)) != c.size || string(sum[:]) != string(c.sum) {
		return nil, graph.Errorf(graph.EINVALID, "the chunks of a command do not add up to it"), nil
	}
	return whole, nil, nil
}

// write publishes a command and waits for this node to apply it.
func (n *Node) write(ctx context.Context, c *store.Command) (store.Result, error) {
	b, err := store.EncodeCommand(c)
	if err != nil {
		return store.Result{}, err
	}
	id := nuid.Next()
	ch := make(chan outcome, 1)
	n.mu.Lock()
	if n.failed != nil {
		n.mu.Unlock()
		return store.Result{}, graph.Errorf(graph.EUNAVAILABLE, "this node stopped applying the log: %v", n.failed)
	}
	n.waiting[id] = ch
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.waiting, id)
		n.mu.Unlock()
	}()
	seq, err := n.publish(ctx, id, b)
	if err != nil {
		return store.Result{}, err
	}
	graph.NoteWriteSeq(ctx, seq)
	t := time.NewTimer(n.opt.WriteWait)
	defer t.Stop()
	select {
	case out := <-ch:
		return out.res, out.err
	case <-t.C:
	case <-ctx.Done():
	}
	return store.Result{}, graph.Errorf(graph.EUNAVAILABLE,
		"the cluster accepted the write at %d, but this node has not applied it yet (it is at %d): read it back with Hearsay-Min-Seq: %d", seq, n.Applied(), seq)
}

// publish publishes the encoded command b, in chunks if it is larger than
// a message, and returns the sequence it is applied at.
func (n *Publisher) publish(ctx context.Context, id string, b []byte) (uint64, error) {
	room := n.opt.MaxMessage - 1024 // headers and chunk header
	if room < 256 {
		return 0, graph.Errorf(graph.EUNAVAILABLE, "the stream's messages (%d bytes) are too small to carry writes", n.opt.MaxMessage)
	}
	if len(b) <= room {
		return n.publishMsg(ctx, id, kindCommand, id, b)
	}
	cid := []byte(id)
	if len(cid) < idLen {
		cid = append(cid, make([]byte, idLen-len(cid))...)
	}
	cid = cid[:idLen]
	count := (len(b) + room - 1) / room
	c := commit{id: cid, size: uint64(len(b))}
	sum := sha256.Sum256(b)
	c.sum = sum[:]
	for i := range count {
		part := b[i*room : min(len(b), (i+1)*room)]
		data := append(chunkHeader(cid, i, count), part...)
		seq, err := n.publishMsg(ctx, id+"."+strconv.Itoa(i), kindChunk, "", data)
		if err != nil {
			return 0, err
		}
		c.seqs = append(c.seqs, seq)
	}
	return n.publishMsg(ctx, id, kindCommit, id, encodeCommit(c))
}

func (n *Publisher) publishMsg(ctx context.Context, msgID, kind, owner string, data []byte) (uint64, error) {
	m := nats.NewMsg(n.opt.subject())
	m.Data = data
	m.Header.Set(headerKind, kind)
	if owner != "" {
		m.Header.Set(headerID, owner)
	}
	// The same ID makes a retried publish a duplicate JetStream drops.
	m.Header.Set(jetstream.MsgIDHeader, msgID)
	var ack *jetstream.PubAck
	var err error
	pctx, cancel := context.WithTimeout(ctx, publishWait)
	defer cancel()
	for attempt := 0; ; attempt++ {
		ack, err = n.js.PublishMsg(pctx, m, jetstream.WithRetryAttempts(8), jetstream.WithRetryWait(250*time.Millisecond))
		if err == nil || pctx.Err() != nil || attempt >= 2 {
			break
		}
	}
	if err != nil {
		return 0, graph.Errorf(graph.EUNAVAILABLE,
			"the cluster did not acknowledge the write (%v); it may or may not be applied: read before retrying", err)
	}
	return ack.Sequence, nil
}

// Health reports the database's health and, once the node has stopped
// applying the log, why: /healthz then answers 503, and a load balancer
// sends reads elsewhere rather than to a node that falls ever further
// behind.
func (n *Node) Health() error {
	if err := n.DB.Health(); err != nil {
		return err
	}
	if err := n.Failed(); err != nil {
		return graph.Errorf(graph.EUNAVAILABLE, "this node stopped applying the replicated log: %v", err)
	}
	return nil
}

var _ graph.ReplicaStatuser = (*Node)(nil)

// ReplicaStatus reports the node's applied sequence, counts and key
// digest, from one snapshot of its database (store.DB.Digest).
func (n *Node) ReplicaStatus(ctx context.Context) (graph.ReplicaStatus, error) {
	d, err := n.DB.Digest(ctx)
	if err != nil {
		return graph.ReplicaStatus{}, err
	}
	st := graph.ReplicaStatus{Node: n.opt.Node, Applied: d.Applied, Stats: d.Stats, Keys: d.Keys, SHA256: d.SHA256}
	if err := n.Failed(); err != nil {
		st.Failed = err.Error()
	}
	return st, nil
}
