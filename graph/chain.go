package graph

import (
	"context"
	"slices"
	"strings"
)

// Tracing bounds of DESIGN.md section 2.1.
const (
	DefaultMaxDepth = 16     // hops followed when the caller names no depth
	MaxMaxDepth     = 64     // the ceiling on a requested depth
	DefaultMaxVisit = 10_000 // appearances visited by one trace, over all its paths
)

// Chain flags.
const (
	// FlagTemporalAnomaly marks a chain with a hop to a report published
	// after the report that relies on it (citogenesis).
	FlagTemporalAnomaly = "TEMPORAL_ANOMALY"
	// FlagVisitLimit marks a chain cut because the trace visited as many
	// appearances as it may; its terminal is DEPTH_LIMIT.
	FlagVisitLimit = "VISIT_LIMIT"
)

// Hop is one report on an attribution chain: the claim's appearance there
// and where that report sends the reader next.
type Hop struct {
	Report    string
	Outlet    string
	Published Date
	Quote     string // how this report words the claim
	Hedge     string
	// Mode is the mode of the attribution followed out of this report;
	// UNATTRIBUTED when the chain ends here for want of one.
	Mode Mode
	// AttributionQuote is the quote carried on the attribution followed.
	AttributionQuote string
	// Inferred is true when the next hop was found through a citation of
	// the report rather than an attribution in it.
	Inferred bool
	// To is the source this report attributes the claim to (an official,
	// report or outlet ID), or "" when it gives none.
	To string
	// TemporalAnomaly is true when To is a report published after this one.
	TemporalAnomaly bool
}

// Relay is one step of relayed speech on a chain: Official, whom the
// chain reached, passed on what To, another official, had told them.
type Relay struct {
	Official string // who relayed
	To       string // whom they relayed
	Mode     Mode   // the relayed attribution's mode
	Quote    string // the relayed attribution's quote
}

// Chain is one root-to-leaf path of an attribution tree.
type Chain struct {
	Claim string
	From  string // the report of the appearance the chain starts at
	Hops  []Hop  // the reports on the path, From first
	// Relays are the steps of relayed speech after the last hop, when the
	// official it reaches relays others: the first relays from the last
	// hop's To, each next one from the To before it.
	Relays   []Relay
	Terminal Terminal
	// Origin is the source that stands behind the chain: the official for
	// OFFICIAL (the innermost one, when relayed); the outlet of the last
	// report for UNATTRIBUTED; the outlet of the unrecorded report for
	// CITED_REPORT_UNRECORDED; the outlet for OUTLET_UNRECORDED; "" for
	// CIRCULAR and DEPTH_LIMIT.
	Origin string
	Flags  []string
}

// Steps returns the chain's length as bounds count it: its hops and its
// relays.
func (c Chain) Steps() int { return len(c.Hops) + len(c.Relays) }

// TraceReader is what the tracer reads. The store implements it; tests use
// an in-memory graph.
type TraceReader interface {
	FindClaimByID(ctx context.Context, id string) (*Claim, error)
	FindReportByID(ctx context.Context, id string) (*Report, error)
}

// OutletIndex is an optional extension of a TraceReader: which reports an
// outlet published, answered from an index without reading the reports. A
// trace that follows an attribution to an outlet looks for the outlet's
// reports among the claim's appearances; with an index it reads only
// those, instead of every report carrying the claim.
type OutletIndex interface {
	// ReportsOfOutlet returns the reports carrying the claim that the
	// outlet published, in ID order.
	ReportsOfOutlet(ctx context.Context, outlet, claim string) ([]string, error)
}

// TraceOptions bounds a trace. Zero values take the defaults.
type TraceOptions struct {
	MaxDepth int // hops per path, 1…MaxMaxDepth
	MaxVisit int // appearances visited over the whole trace
}

func (o *TraceOptions) validate() error {
	switch {
	case o.MaxDepth == 0:
		o.MaxDepth = DefaultMaxDepth
	case o.MaxDepth < 1 || o.MaxDepth > MaxMaxDepth:
		return Errorf(EINVALID, "maxDepth must be between 1 and %d, got %d", MaxMaxDepth, o.MaxDepth)
	}
	if o.MaxVisit <= 0 {
		o.MaxVisit = DefaultMaxVisit
	}
	return nil
}

// TraceClaim returns the chains of every appearance of the claim, in the
// order of the appearances' report IDs.
func TraceClaim(ctx context.Context, r TraceReader, claimID string, opt TraceOptions) ([]Chain, error) {
	t, err := newTracer(ctx, r, claimID, opt)
	if err != nil {
		return nil, err
	}
	if err := t.readAll(); err != nil {
		return nil, err
	}
	for i := range t.claim.Appearances {
		if err := t.traceFrom(t.claim.Appearances[i].Report); err != nil {
			return nil, err
		}
	}
	return t.out, nil
}

// TraceAppearance returns chain(C, R): the root-to-leaf paths that start at
// the claim's appearance in the report.
func TraceAppearance(ctx context.Context, r TraceReader, claimID, reportID string, opt TraceOptions) ([]Chain, error) {
	t, err := newTracer(ctx, r, claimID, opt)
	if err != nil {
		return nil, err
	}
	if err := CheckID(reportID, KindReport); err != nil {
		return nil, err
	}
	if _, ok := t.appearance(reportID); !ok {
		return nil, Errorf(ENOTFOUND, "claim %q has no appearance in report %q", claimID, reportID)
	}
	return t.trace(reportID)
}

// tracer walks one claim's attribution tree depth-first. It reads each
// report at most once and counts visited appearances against the budget.
type tracer struct {
	ctx     context.Context
	r       TraceReader
	opt     TraceOptions
	claim   *Claim
	apps    map[string]*Appearance // the claim's appearances by report, when not in report order
	reports map[string]*Report
	visits  int
	all     bool                // every report carrying the claim is in reports
	outlets map[string][]string // an OutletIndex's answers, by outlet
	out     []Chain
	path    []Hop           // trace's path buffer, reused by every trace
	slab    []Hop           // what is left of the chains' hops' allocation (hops)
	slabs   int             // the size of the last such allocation
	onPath  map[string]bool // the reports on the path walked; empty between traces
	budget  *Budget         // the request's, from the context; nil for none
	err     error           // the budget's, once spent
}

func newTracer(ctx context.Context, r TraceReader, claimID string, opt TraceOptions) (*tracer, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if err := CheckID(claimID, KindClaim); err != nil {
		return nil, err
	}
	c, err := r.FindClaimByID(ctx, claimID)
	if err != nil {
		return nil, err
	}
	t := &tracer{ctx: ctx, r: r, opt: opt, claim: c, reports: make(map[string]*Report), budget: BudgetFrom(ctx)}
	if !slices.IsSortedFunc(c.Appearances, byReport) {
		// The store keeps them in report order, and the tracer finds
		// them by binary search; other readers get a map.
		t.apps = make(map[string]*Appearance, len(c.Appearances))
		for i := range c.Appearances {
			t.apps[c.Appearances[i].Report] = &c.Appearances[i]
		}
	}
	return t, nil
}

func byReport(a, b Appearance) int { return strings.Compare(a.Report, b.Report) }

// readAll reads every report carrying the claim at once, when the reader
// can: tracing the whole claim visits them all.
func (t *tracer) readAll() error {
	b, ok := t.r.(BatchReader)
	if !ok || len(t.claim.Appearances) < 2 {
		return nil
	}
	ids := make([]string, len(t.claim.Appearances))
	for i := range t.claim.Appearances {
		ids[i] = t.claim.Appearances[i].Report
	}
	if err := fetchInto(t.ctx, &t.reports, ids, b.FindReportsByID); err != nil {
		return err
	}
	t.all = true
	return nil
}

// appearance returns the claim's appearance in report.
func (t *tracer) appearance(report string) (*Appearance, bool) {
	if t.apps != nil {
		a, ok := t.apps[report]
		return a, ok
	}
	i, ok := slices.BinarySearchFunc(t.claim.Appearances, report, func(a Appearance, r string) int { return strings.Compare(a.Report, r) })
	if !ok {
		return nil, false
	}
	return &t.claim.Appearances[i], true
}

func (t *tracer) report(id string) (*Report, error) {
	if rep, ok := t.reports[id]; ok {
		return rep, nil
	}
	rep, err := t.r.FindReportByID(t.ctx, id)
	if err != nil {
		return nil, err
	}
	t.reports[id] = rep
	return rep, nil
}

// trace returns the chains starting at the claim's appearance in report.
func (t *tracer) trace(report string) ([]Chain, error) {
	t.out = nil
	if err := t.traceFrom(report); err != nil {
		return nil, err
	}
	return t.out, nil
}

// traceFrom appends to t.out the chains starting at the claim's
// appearance in report.
func (t *tracer) traceFrom(report string) error {
	// Paths share one backing array, depth-first, and so do the traces of
	// one tracer (TraceClaim makes one for each appearance); finish
	// copies each path. walk empties onPath as it returns.
	if t.path == nil {
		t.path, t.onPath = make([]Hop, 0, min(t.opt.MaxDepth, 8)), make(map[string]bool)
	}
	if err := t.walk(report, t.path[:0], t.onPath); err != nil {
		return err
	}
	return t.err
}

// Lead is one way onward from a claim's appearance in a report: a source
// the report attributes the claim to or, when it attributes it to none, a
// report it cites that carries the claim (Inferred).
type Lead struct {
	Source   string
	Mode     Mode
	Quote    string
	Inferred bool
	Relaying []Attribution // what an official source relays
}

// Leads returns the ways onward from the claim's appearance app in report
// rep, sorted by source: its attributions or, when it has none, its
// citations of reports that carry the claim, as inferred CITES_REPORT
// leads.
func Leads(c *Claim, app *Appearance, rep *Report) []Lead {
	return leads(app, rep, func(report string) bool { _, ok := c.Appearance(report); return ok })
}

// leads is Leads with carries telling whether a report carries the claim.
func leads(app *Appearance, rep *Report, carries func(report string) bool) []Lead {
	leads := make([]Lead, 0, len(app.Attributions))
	for _, a := range app.Attributions {
		leads = append(leads, Lead{Source: a.Source, Mode: a.Mode, Quote: a.Quote, Relaying: a.Relaying})
	}
	if len(leads) == 0 {
		for _, cited := range rep.Cites {
			if carries(cited) {
				leads = append(leads, Lead{Source: cited, Mode: ModeCitesReport, Inferred: true})
			}
		}
	}
	slices.SortStableFunc(leads, func(a, b Lead) int { return strings.Compare(a.Source, b.Source) })
	return leads
}

// walk visits the claim's appearance in report, with path holding the hops
// before it and onPath the reports on it. It appends finished chains to
// t.out.
func (t *tracer) walk(report string, path []Hop, onPath map[string]bool) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := t.budget.Spend(1); err != nil {
		return err
	}
	rep, err := t.report(report)
	if err != nil {
		return err
	}
	app, _ := t.appearance(report) // callers only walk to recorded appearances
	t.visits++
	hop := Hop{Report: rep.ID, Outlet: rep.Outlet, Published: rep.Published, Quote: app.Quote, Hedge: app.Hedge}
	onPath[report] = true
	defer delete(onPath, report)

	nexts := leads(app, rep, func(r string) bool { _, ok := t.appearance(r); return ok })
	if len(nexts) == 0 {
		hop.Mode = ModeUnattributed
		t.finish(path, hop, TerminalUnattributed, rep.Outlet)
		return nil
	}
	for _, n := range nexts {
		h := hop
		h.Mode, h.AttributionQuote, h.Inferred, h.To = n.Mode, n.Quote, n.Inferred, n.Source
		if err := t.follow(rep, h, n.Relaying, path, onPath); err != nil {
			return err
		}
		if t.err != nil {
			return t.err
		}
	}
	return nil
}

// follow continues a path out of rep along hop.To; relaying is what an
// official hop.To relays.
func (t *tracer) follow(rep *Report, hop Hop, relaying []Attribution, path []Hop, onPath map[string]bool) error {
	switch KindOf(hop.To) {
	case KindOfficial:
		if len(relaying) == 0 {
			t.finish(path, hop, TerminalOfficial, hop.To)
			return nil
		}
		hops := make([]Hop, len(path)+1)
		copy(hops, path)
		hops[len(path)] = hop
		return t.relay(hops, hop.To, relaying, make([]Relay, 0, 4))
	case KindOutlet:
		target, err := t.latestOfOutlet(hop.To, rep)
		if err != nil {
			return err
		}
		if target == "" {
			t.finish(path, hop, TerminalOutletUnrecorded, hop.To)
			return nil
		}
		return t.toReport(rep, hop, target, path, onPath)
	case KindReport:
		if _, ok := t.appearance(hop.To); !ok {
			cited, err := t.report(hop.To)
			if err != nil {
				return err
			}
			hop.TemporalAnomaly = rep.Published.Before(cited.Published)
			t.finish(path, hop, TerminalCitedReportUnrecorded, cited.Outlet)
			return nil
		}
		return t.toReport(rep, hop, hop.To, path, onPath)
	}
	return Errorf(EINTERNAL, "attribution of %q to %q: not a source", t.claim.ID, hop.To)
}

// toReport continues at the claim's appearance in target.
func (t *tracer) toReport(rep *Report, hop Hop, target string, path []Hop, onPath map[string]bool) error {
	next, err := t.report(target)
	if err != nil {
		return err
	}
	hop.TemporalAnomaly = rep.Published.Before(next.Published)
	if onPath[target] {
		t.finish(path, hop, TerminalCircular, "")
		return nil
	}
	path = append(path, hop)
	if len(path) >= t.opt.MaxDepth {
		t.cut(path, "")
		return nil
	}
	if t.visits >= t.opt.MaxVisit {
		t.cut(path, FlagVisitLimit)
		return nil
	}
	return t.walk(target, path, onPath)
}

// relay follows relayed speech: official, reached after hops and relays,
// relays each of relaying; a chain ends at every official who relays no
// one. Validation names an official once per appearance, so relays never
// loop; the depth and the visit budget bound them like hops.
func (t *tracer) relay(hops []Hop, official string, relaying []Attribution, relays []Relay) error {
	if len(hops)+len(relays) >= t.opt.MaxDepth {
		t.emitRelayed(hops, relays, TerminalDepthLimit, "", "")
		return nil
	}
	if t.visits >= t.opt.MaxVisit {
		t.emitRelayed(hops, relays, TerminalDepthLimit, "", FlagVisitLimit)
		return nil
	}
	rs := slices.Clone(relaying)
	slices.SortStableFunc(rs, func(a, b Attribution) int { return strings.Compare(a.Source, b.Source) })
	for _, r := range rs {
		if err := t.ctx.Err(); err != nil {
			return err
		}
		if t.err != nil {
			return t.err
		}
		if err := t.budget.Spend(1); err != nil {
			return err
		}
		t.visits++
		next := append(relays, Relay{Official: official, To: r.Source, Mode: r.Mode, Quote: r.Quote})
		if len(r.Relaying) == 0 {
			t.emitRelayed(hops, next, TerminalOfficial, r.Source, "")
			continue
		}
		if err := t.relay(hops, r.Source, r.Relaying, next); err != nil {
			return err
		}
	}
	return t.err
}

// emitRelayed records a chain of hops and relays, copying both.
func (t *tracer) emitRelayed(hops []Hop, relays []Relay, term Terminal, origin, flag string) {
	t.emit(slices.Clone(hops), slices.Clone(relays), term, origin, flag)
}

// latestOfOutlet picks, for an attribution to an outlet in rep, the latest
// report of that outlet carrying the claim and published no later than rep.
// Undated reports may be of any date: they qualify, and sort before dated
// ones. Ties go to the greater ID, so the choice is deterministic.
func (t *tracer) latestOfOutlet(outlet string, rep *Report) (string, error) {
	ofOutlet, indexed, err := t.ofOutlet(outlet)
	if err != nil {
		return "", err
	}
	// With the index, only the outlet's reports are candidates, and
	// reading the rest is no use. The pick does not depend on the order
	// of the candidates: dates and IDs order them totally.
	candidates := func(yield func(string) bool) {
		if indexed {
			for _, id := range ofOutlet {
				if !yield(id) {
					return
				}
			}
			return
		}
		for i := range t.claim.Appearances {
			if !yield(t.claim.Appearances[i].Report) {
				return
			}
		}
	}
	var best *Report
	for id := range candidates {
		if id == rep.ID {
			continue
		}
		if _, ok := t.appearance(id); !ok {
			continue
		}
		cand, err := t.report(id)
		if err != nil {
			return "", err
		}
		if cand.Outlet != outlet || !cand.Published.MayBeNoLaterThan(rep.Published) {
			continue
		}
		if best == nil {
			best = cand
			continue
		}
		if c := cand.Published.Compare(best.Published); c > 0 || c == 0 && cand.ID > best.ID {
			best = cand
		}
	}
	if best == nil {
		return "", nil
	}
	return best.ID, nil
}

// ofOutlet returns, when the reader is an OutletIndex and the claim's
// reports are not all read already, the claim's reports that the outlet
// published, sorted, and true.
func (t *tracer) ofOutlet(outlet string) ([]string, bool, error) {
	ix, ok := t.r.(OutletIndex)
	if !ok || t.all {
		return nil, false, nil
	}
	if ids, ok := t.outlets[outlet]; ok {
		return ids, true, nil
	}
	ids, err := ix.ReportsOfOutlet(t.ctx, outlet, t.claim.ID)
	if err != nil {
		return nil, false, err
	}
	if t.outlets == nil {
		t.outlets = make(map[string][]string)
	}
	t.outlets[outlet] = ids
	return ids, true, nil
}

// finish records a chain that ends with hop.
func (t *tracer) finish(path []Hop, hop Hop, term Terminal, origin string) {
	hops := t.hops(len(path) + 1)
	copy(hops, path)
	hops[len(path)] = hop
	t.emit(hops, nil, term, origin, "")
}

// cut records a chain stopped by a bound after path; the last hop's To is
// the source it would have followed.
func (t *tracer) cut(path []Hop, flag string) {
	hops := t.hops(len(path))
	copy(hops, path)
	t.emit(hops, nil, TerminalDepthLimit, "", flag)
}

// hopSlab is the most hops the tracer allocates at once for its chains;
// the first is the first chain's own, each next twice the last, so that a
// trace of one chain (a dashboard's query) allocates no more than it needs.
const hopSlab = 256

// hops returns n hops for a new chain, cut from a slab shared with the
// chains before it (one allocation for many chains; a judgement of ten
// thousand chains made as many before). The slice's capacity is n, so
// that an append to one chain's hops cannot reach the next's.
func (t *tracer) hops(n int) []Hop {
	if n > len(t.slab) {
		t.slabs = min(max(2*t.slabs, n), hopSlab)
		t.slab = make([]Hop, max(n, t.slabs))
	}
	h := t.slab[:n:n]
	t.slab = t.slab[n:]
	return h
}

func (t *tracer) emit(hops []Hop, relays []Relay, term Terminal, origin, flag string) {
	if err := t.budget.Spend(len(hops) + len(relays)); err != nil {
		t.err = err
		return
	}
	c := Chain{Claim: t.claim.ID, From: hops[0].Report, Hops: hops, Relays: relays, Terminal: term, Origin: origin}
	for _, h := range hops {
		if h.TemporalAnomaly {
			c.Flags = append(c.Flags, FlagTemporalAnomaly)
			break
		}
	}
	if flag != "" {
		c.Flags = append(c.Flags, flag)
	}
	// A retraction or correction of any report on the path, the cited but
	// unrecorded report at its end included, marks the whole chain.
	var retracted, corrected bool
	mark := func(id string) {
		if rep, ok := t.reports[id]; ok {
			retracted = retracted || rep.Status == StatusRetracted
			corrected = corrected || rep.Status == StatusCorrected
		}
	}
	for _, h := range hops {
		mark(h.Report)
	}
	if term == TerminalCitedReportUnrecorded {
		mark(hops[len(hops)-1].To)
	}
	if retracted {
		c.Flags = append(c.Flags, FlagRetracted)
	}
	if corrected {
		c.Flags = append(c.Flags, FlagCorrected)
	}
	t.out = append(t.out, c)
}

// FirstAppearance returns the claim's earliest published appearance: dated
// reports before undated ones; among dated ones, the one whose date ends
// first, then starts first; ties broken by report ID. Ordering by the end
// of a date's interval puts a report of 2025-04-25 before one known only
// as "2025", which may be later, and keeps the true order of dates that do
// not overlap. A claim without appearances has none (nil).
func FirstAppearance(ctx context.Context, r TraceReader, c *Claim) (*Appearance, error) {
	var best *Appearance
	var bestDate Date
	for i := range c.Appearances {
		a := &c.Appearances[i]
		rep, err := r.FindReportByID(ctx, a.Report)
		if err != nil {
			return nil, err
		}
		d := rep.Published
		if best == nil || earlier(d, a.Report, bestDate, best.Report) {
			best, bestDate = a, d
		}
	}
	return best, nil
}

// earlier orders appearances for FirstAppearance.
func earlier(d Date, id string, e Date, eid string) bool {
	switch {
	case d.IsZero() != e.IsZero():
		return !d.IsZero()
	case !d.IsZero() && !d.End().Equal(e.End()):
		return d.End().Before(e.End())
	case !d.IsZero() && !d.Start().Equal(e.Start()):
		return d.Start().Before(e.Start())
	}
	return id < eid
}
