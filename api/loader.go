package api

import (
	"context"
	"slices"
	"sync"

	"hearsay/graph"
)

// loader memoises node reads and traces for one request: a chain query
// names the same reports and outlets many times, and graphql-go resolves
// field by field.
type loader struct {
	g graph.Graph
	// read is where nodes are read: a snapshot of g while a query runs
	// (see snapshot), else g.
	read   graph.JudgeReader
	mu     sync.Mutex
	nodes  map[string]any
	traced map[traceKey][]*chain
	judged map[traceKey]*graph.Judgement
	// quiet is set while a plan runs (exec.go): internal errors are not
	// logged then, as graphql-go runs the request again and logs them.
	quiet bool
}

// chain is a resolved Chain with its judgement, computed once however many
// of confidence, weakestHop and limitedBy a query asks for.
type chain struct {
	graph.Chain
	once sync.Once
	j    graph.ChainJudgement
	err  error
}

func (c *chain) judge(ctx context.Context, r graph.JudgeReader) (graph.ChainJudgement, error) {
	c.once.Do(func() { c.j, c.err = graph.JudgeChain(ctx, r, c.Chain) })
	return c.j, c.err
}

type traceKey struct {
	claim string
	from  string // "" for the chains of every appearance
	depth int
}

type loaderKey struct{}

// loaderNodes is the room a loader's nodes get with the first: a chain of
// six hops reads a claim, six reports, their outlets and an origin, and
// growing a map through its sizes cost a chain request 2 µs. A request
// that reads no node ({ __typename }, a mutation's answer) makes none.
const loaderNodes = 16

func newLoader(g graph.Graph) *loader {
	return &loader{g: g, read: g, traced: make(map[traceKey][]*chain), judged: make(map[traceKey]*graph.Judgement)}
}

// keep remembers a node read; l.mu is held.
func (l *loader) keep(id string, n any) {
	if l.nodes == nil {
		l.nodes = make(map[string]any, loaderNodes)
	}
	l.nodes[id] = n
}

// snapshot makes the loader read nodes from one snapshot of its graph,
// when the graph takes them, until release is called; it must be, before
// the request ends. Queries use it: their reads take one transaction, and
// agree. Mutations do not: their later fields must see their writes.
func (l *loader) snapshot(ctx context.Context) (release func()) {
	sn, ok := l.g.(graph.Snapshotter)
	if !ok {
		return func() {}
	}
	snap, err := sn.Snapshot(ctx)
	if err != nil {
		return func() {} // reads go to the graph, and fail there if they must
	}
	l.mu.Lock()
	l.read = snap
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.read = l.g
		l.mu.Unlock()
		snap.Close()
	}
}

// reader returns where nodes are read.
func (l *loader) reader() graph.JudgeReader {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.read
}

// loaderFrom returns the request's loader, or a fresh one outside a request.
func (s *Server) loaderFrom(ctx context.Context) *loader {
	if l, ok := ctx.Value(loaderKey{}).(*loader); ok {
		return l
	}
	return newLoader(s.cfg.Graph)
}

// node returns the node of any kind with the ID, or ENOTFOUND.
func (l *loader) node(ctx context.Context, id string) (any, error) {
	l.mu.Lock()
	n, ok := l.nodes[id]
	l.mu.Unlock()
	if ok {
		return n, nil
	}
	kind, _, err := graph.SplitID(id)
	if err != nil {
		return nil, err
	}
	r := l.reader()
	switch kind {
	case graph.KindOutlet:
		n, err = r.FindOutletByID(ctx, id)
	case graph.KindReport:
		n, err = r.FindReportByID(ctx, id)
	case graph.KindOfficial:
		n, err = r.FindOfficialByID(ctx, id)
	case graph.KindClaim:
		n, err = r.FindClaimByID(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.keep(id, n)
	l.mu.Unlock()
	return n, nil
}

// FindReportByID and FindClaimByID make the loader a graph.TraceReader, so
// traces share the request's reads.
func (l *loader) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	if err := graph.CheckID(id, graph.KindReport); err != nil {
		return nil, err
	}
	n, err := l.node(ctx, id)
	if err != nil {
		return nil, err
	}
	return n.(*graph.Report), nil
}

func (l *loader) FindClaimByID(ctx context.Context, id string) (*graph.Claim, error) {
	if err := graph.CheckID(id, graph.KindClaim); err != nil {
		return nil, err
	}
	n, err := l.node(ctx, id)
	if err != nil {
		return nil, err
	}
	return n.(*graph.Claim), nil
}

// FindOutletByID and FindOfficialByID complete graph.JudgeReader.
func (l *loader) FindOutletByID(ctx context.Context, id string) (*graph.Outlet, error) {
	return l.outlet(ctx, id)
}

func (l *loader) FindOfficialByID(ctx context.Context, id string) (*graph.Official, error) {
	if err := graph.CheckID(id, graph.KindOfficial); err != nil {
		return nil, err
	}
	n, err := l.node(ctx, id)
	if err != nil {
		return nil, err
	}
	return n.(*graph.Official), nil
}

// FindReports and FindClaims complete graph.EchoReader; lists are not
// memoised. An echo reads every report of an outlet and every claim of
// each, some of which it never traces: each read and item is a step of
// the request's budget (graph.Budget).
func (l *loader) FindReports(ctx context.Context, f graph.ReportFilter) ([]*graph.Report, int, error) {
	items, n, err := l.g.FindReports(ctx, f)
	if err == nil {
		err = graph.BudgetFrom(ctx).Spend(1 + len(items))
	}
	if err != nil {
		return nil, 0, err
	}
	return items, n, nil
}

func (l *loader) FindClaims(ctx context.Context, f graph.ClaimFilter) ([]*graph.Claim, int, error) {
	items, n, err := l.g.FindClaims(ctx, f)
	if err == nil {
		err = graph.BudgetFrom(ctx).Spend(1 + len(items))
	}
	if err != nil {
		return nil, 0, err
	}
	return items, n, nil
}

func (l *loader) outlet(ctx context.Context, id string) (*graph.Outlet, error) {
	if err := graph.CheckID(id, graph.KindOutlet); err != nil {
		return nil, err
	}
	n, err := l.node(ctx, id)
	if err != nil {
		return nil, err
	}
	return n.(*graph.Outlet), nil
}

// The loader is a graph.BatchReader when its graph is one, so that traces
// and judgements run through it read a level at a time (graph/batch.go)
// and leave what they read in the request's memo.
var _ graph.BatchReader = (*loader)(nil)

func (l *loader) FindReportsByID(ctx context.Context, ids []string) (map[string]*graph.Report, error) {
	return loadBatch(ctx, l, ids, func(b graph.BatchReader, ids []string) (map[string]*graph.Report, error) {
		return b.FindReportsByID(ctx, ids)
	})
}

func (l *loader) FindOutletsByID(ctx context.Context, ids []string) (map[string]*graph.Outlet, error) {
	return loadBatch(ctx, l, ids, func(b graph.BatchReader, ids []string) (map[string]*graph.Outlet, error) {
		return b.FindOutletsByID(ctx, ids)
	})
}

func (l *loader) FindOfficialsByID(ctx context.Context, ids []string) (map[string]*graph.Official, error) {
	return loadBatch(ctx, l, ids, func(b graph.BatchReader, ids []string) (map[string]*graph.Official, error) {
		return b.FindOfficialsByID(ctx, ids)
	})
}

// The loader is a graph.OutletIndex, through its graph's index when the
// graph has one, so that a trace follows an attribution to an outlet
// without reading every report carrying the claim.
var _ graph.OutletIndex = (*loader)(nil)

func (l *loader) ReportsOfOutlet(ctx context.Context, outlet, claim string) ([]string, error) {
	if ix, ok := l.reader().(graph.OutletIndex); ok {
		return ix.ReportsOfOutlet(ctx, outlet, claim)
	}
	c, err := l.FindClaimByID(ctx, claim)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(c.Appearances))
	for i := range c.Appearances {
		ids[i] = c.Appearances[i].Report
	}
	reports, err := l.FindReportsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if r, ok := reports[id]; ok && r.Outlet == outlet {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// loadBatch answers a batch from the request's memo, reading the rest in
// one batch from the graph when it can, else one at a time. Missing nodes
// are absent from the map.
func loadBatch[T any](ctx context.Context, l *loader, ids []string,
	find func(graph.BatchReader, []string) (map[string]*T, error)) (map[string]*T, error) {
	out := make(map[string]*T, len(ids))
	var missing []string
	l.mu.Lock()
	for _, id := range ids {
		if n, ok := l.nodes[id].(*T); ok {
			out[id] = n
		} else {
			missing = append(missing, id)
		}
	}
	l.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	b, ok := l.reader().(graph.BatchReader)
	if !ok {
		for _, id := range missing {
			n, err := l.node(ctx, id)
			if graph.ErrorCode(err) == graph.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			if t, ok := n.(*T); ok {
				out[id] = t
			}
		}
		return out, nil
	}
	got, err := find(b, missing)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	for id, n := range got {
		l.keep(id, n)
		out[id] = n
	}
	l.mu.Unlock()
	return out, nil
}

// chains traces a claim once per request, start and depth: from every
// appearance when from is "", else from the claim's appearance in report
// from, none when the claim does not appear there.
func (l *loader) chains(ctx context.Context, claim, from string, depth int) ([]*chain, error) {
	k := traceKey{claim, from, depth}
	l.mu.Lock()
	cs, ok := l.traced[k]
	l.mu.Unlock()
	if ok {
		return cs, nil
	}
	traced, err := l.trace(ctx, claim, from, depth)
	if err != nil {
		return nil, err
	}
	cs = make([]*chain, len(traced))
	for i := range traced {
		cs[i] = &chain{Chain: traced[i]}
	}
	l.mu.Lock()
	l.traced[k] = cs
	l.mu.Unlock()
	return cs, nil
}

func (l *loader) trace(ctx context.Context, claim, from string, depth int) ([]graph.Chain, error) {
	opt := graph.TraceOptions{MaxDepth: depth}
	if from == "" {
		return graph.TraceClaim(ctx, l, claim, opt)
	}
	c, err := l.FindClaimByID(ctx, claim)
	if err != nil {
		return nil, err
	}
	if _, ok := c.Appearance(from); !ok {
		return nil, nil
	}
	return graph.TraceAppearance(ctx, l, claim, from, opt)
}

// judge judges a claim once per request and depth, from its cached chains.
func (l *loader) judge(ctx context.Context, claim string, depth int) (*graph.Judgement, error) {
	k := traceKey{claim, "", depth}
	l.mu.Lock()
	j, ok := l.judged[k]
	l.mu.Unlock()
	if ok {
		return j, nil
	}
	cs, err := l.chains(ctx, claim, "", depth)
	if err != nil {
		return nil, err
	}
	traced := make([]graph.Chain, len(cs))
	for i, c := range cs {
		traced[i] = c.Chain
	}
	j, err = graph.JudgeTraced(ctx, l, claim, traced, graph.TraceOptions{MaxDepth: depth})
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.judged[k] = j
	l.mu.Unlock()
	return j, nil
}

var _ graph.EchoReader = (*loader)(nil)

// forget drops everything read so far; mutations call it so that later
// fields of the same request see their writes.
func (l *loader) forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nodes = nil
	l.traced = make(map[traceKey][]*chain)
	l.judged = make(map[traceKey]*graph.Judgement)
}
