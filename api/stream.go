package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
	"hearsay/graph"
)

// GraphQL over Server-Sent Events, "distinct connections" mode, as the
// graphql-sse client speaks it (github.com/enisdenjo/graphql-sse,
// PROTOCOL.md): a request to /graphql with Accept: text/event-stream, by
// POST (a JSON body) or GET (query, variables, operationName parameters),
// is answered with one event stream for one operation:
//
//	: (a comment: the stream is open; then one every Heartbeat)
//	id: 42
//	event: next
//	data: {"data":{"graphChanged":{"kind":"CLAIM","id":"claim:x","op":"UPDATED","seq":"42"}}}
//
// A query or mutation sent so is one `next` and a `complete`; a document
// the server refuses (syntax, validation, limits, arguments) is a `next`
// with the errors and a `complete`, with status 200, as graphql-sse's own
// server does; a request that is not GraphQL (bad JSON, wrong method) is
// refused with its HTTP status and a GraphQL-shaped JSON body, as on the
// JSON path. A subscription streams until the client leaves or the server
// shuts down; it never completes on its own.
//
// Resuming: each event carrying a change has the change's sequence number
// as its SSE id (and as the `seq` field). A client reconnecting with
// Last-Event-ID: N receives every change after N that it subscribed to,
// if the server's feed still holds them. If it does not (N is older than
// the feed's window, from before a restart the window does not reach, or
// not a number of this database's sequence), the first event is a `next`
// whose errors carry extensions.code EVENTS_MISSED and the sequence's
// head as extensions.lastEventId and as the event's id: the client must
// refetch what it shows; the stream then goes on from the head.
//
// Limits: at most MaxSubscribers streams at once (more are refused 503
// OVERLOADED with Retry-After); each has a queue of SubscriberQueue
// events between the goroutine that runs the subscription for each change
// and the one writing to the client. A stream whose queue stays full for
// StreamWriteTimeout (its client reads more slowly than changes come, or
// not at all) is dropped: it gets, if its connection takes it, a last
// `next` with errors code SLOW_CONSUMER, and the connection is closed
// without `complete`, so that graphql-sse reconnects (and resumes with
// Last-Event-ID when the client sends it). A burst of changes (an import)
// fills a queue only for as long as the client takes to read it. Writers
// never wait for a stream: they publish to the feed's ring
// (store/feed.go) and each stream reads it at its own pace; a stream that
// falls behind the ring gets EVENTS_MISSED, never a silent gap.

// Stream defaults.
const (
	DefaultMaxSubscribers     = 1000
	DefaultHeartbeat          = 15 * time.Second
	DefaultSubscriberQueue    = 256
	DefaultStreamWriteTimeout = 10 * time.Second
)

// Codes of the stream's own events.
const (
	CodeEventsMissed = "EVENTS_MISSED"
	CodeSlowConsumer = "SLOW_CONSUMER"
)

// feedBatch is how many changes a stream reads from the feed at once.
const feedBatch = 64

// wantsStream reports whether a request asks for an event stream.
func wantsStream(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "text/event-stream")
}

// serveStream answers a /graphql request asking for an event stream.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	req, herr := s.readRequest(w, r)
	if herr == nil {
		// A stream opened with Hearsay-Min-Seq starts from a graph
		// holding that write, as a query does.
		herr = s.waitMinSeq(r.Context(), r)
	}
	if herr != nil {
		s.writeRefusal(w, r, herr)
		return
	}
	doc := s.document(req.Query)
	if doc.Errs != nil {
		noteLimit(r.Context(), doc.Limit)
		s.streamOnce(w, r, nil, doc.Errs)
		return
	}
	op, herr := operation(doc.AST, req.OperationName)
	if herr == nil {
		setOperation(r.Context(), operationName(op))
	}
	if herr == nil && op.Operation != ast.OperationTypeSubscription {
		s.streamResult(w, r, req)
		return
	}
	var sub *subscription
	if herr == nil {
		sub, herr = s.prepareSubscription(r.Context(), doc, op, req)
	}
	if herr != nil {
		if herr.status == http.StatusBadRequest {
			noteLimit(r.Context(), herr.err.limit)
			s.streamOnce(w, r, nil, []gqlerrors.FormattedError{{Message: herr.err.message, Extensions: herr.err.Extensions()}})
			return
		}
		s.writeRefusal(w, r, herr)
		return
	}
	if !s.streams.enter() {
		s.writeRefusal(w, r, refuse(http.StatusServiceUnavailable, CodeOverloaded,
			"The server has its maximum of %d subscriptions open. Retry after %d s.", cap(s.streams.slots), retryAfter).of(limitSubscribers))
		return
	}
	defer s.streams.leave()
	s.runStream(w, r, sub)
}

// streamResult runs a query or mutation sent for an event stream and
// streams its answer as one `next` and a `complete`.
func (s *Server) streamResult(w http.ResponseWriter, r *http.Request, req *request) {
	if !s.gate.enter() {
		s.writeRefusal(w, r, s.gate.overloaded())
		return
	}
	defer s.gate.leave()
	buf, _, herr := s.execute(r.Context(), r, req)
	if herr != nil {
		if herr.status == http.StatusBadRequest || herr.status == http.StatusOK {
			s.streamOnce(w, r, nil, []gqlerrors.FormattedError{{Message: herr.err.message, Extensions: herr.err.Extensions()}})
			return
		}
		s.writeRefusal(w, r, herr)
		return
	}
	s.streamOnce(w, r, buf.Bytes(), nil)
}

// streamOnce writes a stream of one `next`, body or the errors, and a
// `complete`.
func (s *Server) streamOnce(w http.ResponseWriter, r *http.Request, body []byte, errs []gqlerrors.FormattedError) {
	if body == nil {
		var buf bytes.Buffer
		if err := gql.WriteResponse(&buf, nil, nil, nil, nil, false, errs); err != nil {
			s.writeRefusal(w, r, refuse(http.StatusInternalServerError, CodeInternal, internalErrorMessage))
			return
		}
		body = buf.Bytes()
	}
	streamHeaders(w)
	var out bytes.Buffer
	writeEvent(&out, 0, "next", body)
	writeEvent(&out, 0, "complete", nil)
	_, _ = w.Write(out.Bytes())
}

func streamHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // proxies: do not buffer the stream
	w.WriteHeader(http.StatusOK)
}

// writeEvent appends one SSE event: its id when not 0, its name and its
// data on one line (JSON has no raw newline outside whitespace, and
// whitespace goes).
func writeEvent(buf *bytes.Buffer, id uint64, event string, data []byte) {
	if id != 0 {
		buf.WriteString("id: ")
		buf.WriteString(strconv.FormatUint(id, 10))
		buf.WriteByte('\n')
	}
	buf.WriteString("event: ")
	buf.WriteString(event)
	buf.WriteString("\ndata:")
	if len(data) > 0 {
		buf.WriteByte(' ')
		for _, b := range bytes.TrimSpace(data) {
			if b != '\n' && b != '\r' {
				buf.WriteByte(b)
			}
		}
	}
	buf.WriteString("\n\n")
}

func seqString(n uint64) string { return strconv.FormatUint(n, 10) }

// subscription is a prepared subscription: its document, operation and
// variables, and what its root field asks for.
type subscription struct {
	doc   *document
	ast   *ast.Document // what graphql-go executes (gql.ExecutableAST)
	op    *ast.OperationDefinition
	name  string
	vars  map[string]any
	setup subSetup
	key   string // the same for subscriptions whose events are the same (eventCache)
}

// prepareSubscription checks a subscription as the JSON path checks a
// query (variables, depth, complexity) and reads its root field's
// arguments. Subscriptions are reads: no token is needed.
func (s *Server) prepareSubscription(ctx context.Context, doc *document, op *ast.OperationDefinition, req *request) (*subscription, *httpError) {
	if s.feed == nil {
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "This server's graph has no change feed: subscriptions are not available.")
	}
	if len(op.SelectionSet.Selections) != 1 {
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "A subscription selects exactly one field at its root; this one selects %d.", len(op.SelectionSet.Selections))
	}
	if f, ok := op.SelectionSet.Selections[0].(*ast.Field); !ok || f.Name.Value == "__typename" || len(f.Directives) > 0 {
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "A subscription selects one field of Subscription at its root, without a fragment or a directive.")
	}
	if herr := checkVariables(&s.schema, op, req.Variables); herr != nil {
		return nil, herr
	}
	if doc.Depth > s.cfg.MaxDepth {
		return nil, refuse(http.StatusBadRequest, CodeQueryTooComplex, "The query is %d fields deep; the limit is %d.", doc.Depth, s.cfg.MaxDepth).of(limitDepth)
	}
	if c := complexity(&s.schema, op, gql.Fragments(doc.AST), req.Variables, s.cfg.MaxComplexity); c > s.cfg.MaxComplexity {
		return nil, refuse(http.StatusBadRequest, CodeQueryTooComplex,
			"The subscription's complexity is over %d (estimated at least %d) for each event; ask for fewer fields.", s.cfg.MaxComplexity, c).of(limitComplexity)
	}
	sub := &subscription{doc: doc, ast: gql.ExecutableAST(doc.AST, op, req.Variables), op: op, name: req.OperationName, vars: req.Variables}
	if vars, err := json.Marshal(req.Variables); err == nil { // map keys sorted: one spelling
		sub.key = req.Query + "\x00" + req.OperationName + "\x00" + string(vars)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res := graphql.Execute(graphql.ExecuteParams{Schema: s.schema, AST: sub.ast, OperationName: req.OperationName,
		Args: req.Variables, Context: context.WithValue(ctx, subSetupKey{}, &sub.setup)})
	if sub.setup.field == "" {
		// graphql-go refused the variables before resolving.
		msg := "The subscription could not be started."
		if len(res.Errors) > 0 {
			msg = res.Errors[0].Message
		}
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "%s", msg)
	}
	if err := sub.setup.err; err != nil {
		ce := toClientError(ctx, err)
		return nil, &httpError{status: http.StatusBadRequest, err: ce}
	}
	return sub, nil
}

// streams counts the open subscription streams.
type streams struct {
	slots   chan struct{}
	closing chan struct{} // closed by CloseStreams
	once    sync.Once
}

func newStreams(n int) *streams {
	return &streams{slots: make(chan struct{}, n), closing: make(chan struct{})}
}

func (st *streams) enter() bool {
	select {
	case st.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (st *streams) leave() { <-st.slots }

// Subscribers returns how many subscription streams are open.
func (s *Server) Subscribers() int { return len(s.streams.slots) }

// CloseStreams ends every subscription stream, now and from now on,
// without `complete` (clients reconnect, to this server's successor): the
// server is shutting down. api.Serve calls it when it starts to drain.
func (s *Server) CloseStreams() { s.streams.once.Do(func() { close(s.streams.closing) }) }

// runStream runs a subscription's stream: a pump goroutine reads the feed,
// runs the subscription for each change it matches and queues the
// events; this goroutine writes them to the client, with heartbeats.
func (s *Server) runStream(w http.ResponseWriter, r *http.Request, sub *subscription) {
	rc := http.NewResponseController(w)
	// The server's read deadline (--read-timeout) would end the stream:
	// the request is read, the connection only watched for a close.
	_ = rc.SetReadDeadline(time.Time{})
	if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return
	}
	after, resuming := lastEventID(r)
	if !resuming {
		after = s.feed.ChangesAfter(^uint64(0), 0).Head // the head: past it, nothing is returned
	}
	streamHeaders(w)
	if _, err := w.Write([]byte(":\n\n")); err != nil {
		return
	}
	if rc.Flush() != nil {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	p := &pump{s: s, sub: sub, queue: make(chan []byte, s.cfg.SubscriberQueue), dropped: make(chan struct{}), after: after}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.run(ctx) }()
	defer wg.Wait()
	defer cancel()

	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	var out bytes.Buffer
	write := func() bool {
		if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		_, err := w.Write(out.Bytes())
		out.Reset()
		return err == nil && rc.Flush() == nil
	}
	for {
		select {
		case ev := <-p.queue:
			out.Write(ev)
			for more := true; more; { // write what else is queued at once
				select {
				case ev := <-p.queue:
					out.Write(ev)
				default:
					more = false
				}
			}
			if !write() {
				return
			}
		case <-heartbeat.C:
			out.WriteString(":\n\n")
			if !write() {
				return
			}
		case <-p.dropped:
			for len(p.queue) > 0 { // what was queued, then the last word
				out.Write(<-p.queue)
			}
			out.Write(p.final)
			_ = rc.SetWriteDeadline(time.Now().Add(min(time.Second, s.cfg.StreamWriteTimeout)))
			_, _ = w.Write(out.Bytes())
			_ = rc.Flush()
			// The connection closes: the end of the response cannot be
			// written past this deadline, and net/http drops the
			// connection rather than keep it for another request.
			_ = rc.SetWriteDeadline(time.Now())
			logger(r.Context()).Warn().Msg("subscription dropped: its client reads more slowly than changes come")
			noteLimit(r.Context(), limitSubscriberQueue)
			return
		case <-ctx.Done():
			return
		case <-s.streams.closing:
			return
		}
	}
}

// lastEventID reads the Last-Event-ID header (or a lastEventId parameter,
// for clients that cannot set headers). A value that is not a sequence
// number resumes from before the oldest change: the stream starts with
// EVENTS_MISSED.
func lastEventID(r *http.Request) (uint64, bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return ^uint64(0), true // past any head: missed
	}
	return n, true
}

// pump feeds one stream's queue from the change feed.
type pump struct {
	s       *Server
	sub     *subscription
	queue   chan []byte
	dropped chan struct{} // closed when the queue overflowed; final is then the last event
	final   []byte
	after   uint64
	refs    map[string]bool // claimChanged: the nodes the claim depends on
}

func (p *pump) run(ctx context.Context) {
	if p.sub.setup.field == "claimChanged" {
		p.refs = p.s.refs.get(p.sub.setup.claim, p.s.feed.ChangesAfter(^uint64(0), 0).Head,
			func() map[string]bool { return p.s.claimRefs(ctx, p.sub.setup.claim) })
	}
	for ctx.Err() == nil {
		win := p.s.feed.ChangesAfter(p.after, feedBatch)
		if win.Missed {
			ce := newClientError(CodeEventsMissed,
				"Changes after event %d are no longer held by the server (it keeps the latest ones, and none from before a restart); refetch what you show, then read on from event %d.",
				p.after, win.Head)
			ext := ce.Extensions()
			ext["lastEventId"] = seqString(win.Head)
			if !p.push(ctx, win.Head, []gqlerrors.FormattedError{{Message: ce.message, Extensions: ext}}, nil) {
				return
			}
			p.after = win.Head
			continue
		}
		for _, c := range win.Changes {
			if p.matches(c) {
				body := p.s.events.get(p.sub.key, c.Seq, func() []byte { return p.s.runEvent(ctx, p.sub, c) })
				if body == nil {
					return
				}
				if !p.push(ctx, c.Seq, nil, body) {
					return
				}
				if c.ID == p.sub.setup.claim {
					p.refs = p.s.refs.get(c.ID, c.Seq, func() map[string]bool { return p.s.claimRefs(ctx, c.ID) })
				}
			}
			p.after = c.Seq
		}
		if len(win.Changes) == 0 {
			select {
			case <-win.More:
			case <-ctx.Done():
				return
			}
		}
	}
}

// push queues one event, or drops the stream when its queue stays full for
// StreamWriteTimeout.
func (p *pump) push(ctx context.Context, id uint64, errs []gqlerrors.FormattedError, body []byte) bool {
	if body == nil {
		var buf bytes.Buffer
		_ = gql.WriteResponse(&buf, nil, nil, nil, nil, false, errs)
		body = buf.Bytes()
	}
	var ev bytes.Buffer
	writeEvent(&ev, id, "next", body)
	select {
	case p.queue <- ev.Bytes():
		return true
	default:
	}
	t := time.NewTimer(p.s.cfg.StreamWriteTimeout)
	defer t.Stop()
	select {
	case p.queue <- ev.Bytes():
		return true
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	ce := newClientError(CodeSlowConsumer,
		"This subscription was dropped: its client read more slowly than changes came (%d events waited for more than %s). Reconnect with the Last-Event-ID of the last event received to resume.",
		cap(p.queue), p.s.cfg.StreamWriteTimeout)
	var buf, final bytes.Buffer
	_ = gql.WriteResponse(&buf, nil, nil, nil, nil, false, []gqlerrors.FormattedError{{Message: ce.message, Extensions: ce.Extensions()}})
	writeEvent(&final, 0, "next", buf.Bytes())
	p.final = final.Bytes()
	close(p.dropped)
	return false
}

// matches reports whether a change is one the subscription delivers.
func (p *pump) matches(c graph.Change) bool {
	su := &p.sub.setup
	switch su.field {
	case "graphChanged":
		return len(su.kinds) == 0 || su.kinds[c.Kind]
	case "claimChanged":
		return c.ID == su.claim || p.refs[c.ID]
	}
	return false
}

// claimRefs lists the nodes a claim depends on: the reports it appears
// in, the outlets publishing them and the sources its attributions name,
// relayed ones included. A claim that cannot be read has none.
func (s *Server) claimRefs(ctx context.Context, id string) map[string]bool {
	refs := map[string]bool{}
	c, err := s.cfg.Graph.FindClaimByID(ctx, id)
	if err != nil {
		return refs
	}
	var add func([]graph.Attribution)
	add = func(as []graph.Attribution) {
		for _, a := range as {
			refs[a.Source] = true
			add(a.Relaying)
		}
	}
	seen := map[string]bool{}
	for _, a := range c.Appearances {
		refs[a.Report] = true
		if !seen[a.Report] { // a report may also be a source: its outlet is read here all the same
			seen[a.Report] = true
			if r, err := s.cfg.Graph.FindReportByID(ctx, a.Report); err == nil && r.Outlet != "" {
				refs[r.Outlet] = true
			}
		}
		add(a.Attributions)
	}
	return refs
}

// runEvent executes the subscription for one change, under the limits of
// a request, and returns the answer's JSON; nil when ctx ended.
func (s *Server) runEvent(ctx context.Context, sub *subscription, c graph.Change) []byte {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	ctx, run := s.newRun(ctx)
	run.perField = graphqlGoFieldCost
	ctx = context.WithValue(ctx, loaderKey{}, newLoader(s.cfg.Graph))
	ctx = context.WithValue(ctx, subEventKey{}, c)
	res := graphql.Execute(graphql.ExecuteParams{Schema: s.schema, AST: sub.ast, OperationName: sub.name,
		Args: sub.vars, Context: ctx})
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	errs := s.finishErrors(ctx, sub.doc.Relocate(res.Errors))
	var buf bytes.Buffer
	if herr := run.refusal(ctx); herr != nil {
		errs, res.Data = []gqlerrors.FormattedError{{Message: herr.err.message, Extensions: herr.err.Extensions()}}, nil
		_ = gql.WriteResponse(&buf, nil, nil, nil, nil, false, errs)
		return buf.Bytes()
	}
	if err := gql.WriteResponse(&buf, &s.schema, sub.op, gql.Fragments(sub.doc.AST), res.Data, true, errs); err != nil {
		logger(ctx).Error().Err(err).Msg("encode a subscription event")
		buf.Reset()
		ce := newClientError(CodeInternal, internalErrorMessage)
		_ = gql.WriteResponse(&buf, nil, nil, nil, nil, false, []gqlerrors.FormattedError{{Message: ce.message, Extensions: ce.Extensions()}})
	}
	return buf.Bytes()
}

// eventCache shares the answer to one change among the subscriptions with
// the same document and variables: a thousand dashboards watching one
// claim run the subscription once per change, not a thousand times. The
// answer is the graph's state when the first of them ran it, after the
// change, as each would have seen it a moment later. It keeps the answers
// of the latest eventCacheSize (subscription, change) pairs, each under
// eventCacheMaxBytes; a larger answer is not shared.
type eventCache struct {
	mu    sync.Mutex
	m     map[eventKey]*eventAnswer
	order []eventKey // oldest first
}

const (
	eventCacheSize     = 256
	eventCacheMaxBytes = 64 << 10
)

type eventKey struct {
	sub string
	seq uint64
}

type eventAnswer struct {
	once sync.Once
	body []byte
}

func newEventCache() *eventCache { return &eventCache{m: make(map[eventKey]*eventAnswer)} }

// get returns the answer of key's subscription to change seq, running it
// with run once however many ask at once. An answer that is nil (the
// asker left) or too large is not kept.
func (c *eventCache) get(key string, seq uint64, run func() []byte) []byte {
	if key == "" {
		return run()
	}
	k := eventKey{key, seq}
	c.mu.Lock()
	a, ok := c.m[k]
	if !ok {
		a = &eventAnswer{}
		c.m[k] = a
		c.order = append(c.order, k)
		if len(c.order) > eventCacheSize {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	ran := false
	a.once.Do(func() { a.body, ran = run(), true })
	if a.body == nil || len(a.body) > eventCacheMaxBytes {
		c.mu.Lock()
		if c.m[k] == a {
			delete(c.m, k)
		}
		c.mu.Unlock()
		if a.body == nil && !ran {
			return run() // the first asker left before its answer
		}
	}
	return a.body
}

// refsCache shares a claim's dependencies (claimRefs) among the
// claimChanged streams on it: read once per change of the claim, not once
// per stream. The maps it returns are never changed.
type refsCache struct {
	mu sync.Mutex
	m  map[string]*refsEntry
}

type refsEntry struct {
	seq  uint64 // the change after which they were read
	once sync.Once
	refs map[string]bool
}

// refsCacheSize bounds the claims it remembers; past it, it starts over.
const refsCacheSize = 4096

func newRefsCache() *refsCache { return &refsCache{m: make(map[string]*refsEntry)} }

func (c *refsCache) get(claim string, seq uint64, read func() map[string]bool) map[string]bool {
	c.mu.Lock()
	e := c.m[claim]
	if e == nil || e.seq != seq {
		if len(c.m) >= refsCacheSize {
			clear(c.m)
		}
		e = &refsEntry{seq: seq}
		c.m[claim] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.refs = read() })
	return e.refs
}
