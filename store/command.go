package store

import (
	"context"
	"errors"
	"fmt"

	"hearsay/graph"
)

// A Command is one write of the graph as a replicated log carries it
// (DESIGN.md section 6.1): the write method and its arguments, not the
// keys it changes, so that every node validates it against its own graph
// at the same position in the log and refuses it alike.
//
// Encoded (EncodeCommand), a command is
//
//	cmdV1 | op:1 | the op's arguments
//
// in the store's value codec (codec.go): uvarint lengths, strings, and
// nested node values exactly as the store keeps them (encodeOutlet, …),
// each as a length-prefixed string. Ops are stored: append only, never
// reorder.
type Command struct {
	Op Op
	// ID is the node the op acts on (the claim of AddAppearance, the
	// report of AddCitation, the outlet or official of AddRating).
	ID string
	// Ref is the op's second ID: the cited report, the appearance's
	// report.
	Ref string
	// Source is the source of RemoveAttribution.
	Source  string
	Cascade bool

	Outlet   *graph.Outlet
	Report   *graph.Report
	Official *graph.Official
	Claim    *graph.Claim
	Dataset  *graph.Dataset

	OutletUpdate   graph.OutletUpdate
	ReportUpdate   graph.ReportUpdate
	OfficialUpdate graph.OfficialUpdate
	ClaimUpdate    graph.ClaimUpdate

	Appearance  graph.Appearance
	Attribution graph.Attribution
	Review      graph.Review
	Rating      graph.Rating
}

// Op names a write method. Stored in commands: append only, never reorder.
type Op uint8

// The ops, one per write method of graph.Graph.
const (
	OpCreateOutlet Op = iota + 1
	OpUpdateOutlet
	OpDeleteOutlet
	OpCreateReport
	OpUpdateReport
	OpDeleteReport
	OpAddCitation
	OpRemoveCitation
	OpCreateOfficial
	OpUpdateOfficial
	OpDeleteOfficial
	OpCreateClaim
	OpUpdateClaim
	OpDeleteClaim
	OpAddAppearance
	OpRemoveAppearance
	OpAddAttribution
	OpRemoveAttribution
	OpAddReview
	OpAddRating
	OpImportDataset
	opEnd // one past the last op
)

var opNames = [...]string{"", "createOutlet", "updateOutlet", "deleteOutlet", "createReport", "updateReport",
	"deleteReport", "addCitation", "removeCitation", "createOfficial", "updateOfficial", "deleteOfficial",
	"createClaim", "updateClaim", "deleteClaim", "addAppearance", "removeAppearance", "addAttribution",
	"removeAttribution", "addReview", "addRating", "importDataset"}

func (o Op) String() string {
	if o > 0 && o < opEnd {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// cmdV1 is the command encoding's version byte.
const cmdV1 byte = 1

// MaxCommandBytes bounds an encoded command, a whole import included:
// DecodeCommand refuses anything larger before reading it.
const MaxCommandBytes = 512 << 20

// EncodeCommand encodes c.
func EncodeCommand(c *Command) ([]byte, error) {
	if c.Op == 0 || c.Op >= opEnd {
		return nil, fmt.Errorf("encode command: unknown op %d", c.Op)
	}
	e := &encoder{b: []byte{cmdV1, byte(c.Op)}}
	switch c.Op {
	case OpCreateOutlet:
		e.outlet(c.Outlet)
	case OpCreateReport:
		e.report(c.Report)
	case OpCreateOfficial:
		e.official(c.Official)
	case OpCreateClaim:
		e.claim(c.Claim)
	case OpUpdateOutlet:
		u := c.OutletUpdate
		e.str(c.ID)
		e.optStr(u.Name)
		e.optStr(u.Domain)
		e.optStr(u.Country)
		e.optStr(u.Language)
		e.bool(u.Type != nil)
		if u.Type != nil {
			e.byte(byte(*u.Type))
		}
	case OpUpdateReport:
		u := c.ReportUpdate
		e.str(c.ID)
		e.optStr(u.Outlet)
		e.optStr(u.Title)
		e.optStr(u.URL)
		e.optStr(u.Language)
		e.bool(u.Published != nil)
		if u.Published != nil {
			e.date(*u.Published)
		}
		e.bool(u.Status != nil)
		if u.Status != nil {
			e.byte(byte(*u.Status))
		}
	case OpUpdateOfficial:
		u := c.OfficialUpdate
		e.str(c.ID)
		e.optStr(u.Name)
		e.optStr(u.Role)
		e.optStr(u.Affiliation)
		e.optStr(u.Country)
		e.optStr(u.Description)
		e.bool(u.Form != nil)
		if u.Form != nil {
			e.byte(byte(*u.Form))
		}
		e.bool(u.Anonymous != nil)
		if u.Anonymous != nil {
			e.bool(*u.Anonymous)
		}
	case OpUpdateClaim:
		u := c.ClaimUpdate
		e.str(c.ID)
		e.optStr(u.Text)
		e.bool(u.Topics != nil)
		if u.Topics != nil {
			e.strs(*u.Topics)
		}
	case OpDeleteOutlet, OpDeleteReport, OpDeleteOfficial:
		e.str(c.ID)
		e.bool(c.Cascade)
	case OpDeleteClaim:
		e.str(c.ID)
	case OpAddCitation, OpRemoveCitation, OpRemoveAppearance:
		e.str(c.ID)
		e.str(c.Ref)
	case OpRemoveAttribution:
		e.str(c.ID)
		e.str(c.Ref)
		e.str(c.Source)
	case OpAddAppearance:
		e.str(c.ID)
		e.str(string(encodeAppearances([]graph.Appearance{c.Appearance})))
	case OpAddAttribution:
		e.str(c.ID)
		e.str(c.Ref)
		e.str(string(encodeAppearances([]graph.Appearance{{Attributions: []graph.Attribution{c.Attribution}}})))
	case OpAddReview:
		e.str(c.ID)
		e.str(string(encodeClaim(&graph.Claim{Reviews: []graph.Review{c.Review}})))
	case OpAddRating:
		e.str(c.ID)
		e.ratings([]graph.Rating{c.Rating})
	case OpImportDataset:
		ds := c.Dataset
		e.str(ds.Info.ID)
		e.str(ds.Info.Title)
		e.str(ds.Info.Source)
		e.str(ds.Info.Description)
		e.uvarint(uint64(len(ds.Outlets)))
		for _, o := range ds.Outlets {
			e.outlet(o)
		}
		e.uvarint(uint64(len(ds.Officials)))
		for _, o := range ds.Officials {
			e.official(o)
		}
		e.uvarint(uint64(len(ds.Reports)))
		for _, r := range ds.Reports {
			e.report(r)
		}
		e.uvarint(uint64(len(ds.Claims)))
		for _, c := range ds.Claims {
			e.claim(c)
		}
	}
	if len(e.b) > MaxCommandBytes {
		return nil, graph.Errorf(graph.EINVALID, "the write takes %d bytes encoded; a replicated write may take at most %d", len(e.b), MaxCommandBytes)
	}
	return e.b, nil
}

func (e *encoder) optStr(s *string) {
	e.bool(s != nil)
	if s != nil {
		e.str(*s)
	}
}

func (e *encoder) outlet(o *graph.Outlet) {
	e.str(o.ID)
	e.str(string(encodeOutlet(o)))
}

func (e *encoder) report(r *graph.Report) {
	e.str(r.ID)
	e.str(string(encodeReport(r)))
	e.str(string(encodeIDs(r.Cites)))
}

func (e *encoder) official(o *graph.Official) {
	e.str(o.ID)
	e.str(string(encodeOfficial(o)))
	e.str(string(encodeSameAs(o.PossiblySameAs)))
}

func (e *encoder) claim(c *graph.Claim) {
	e.str(c.ID)
	e.str(string(encodeClaim(c)))
	e.str(string(encodeAppearances(c.Appearances)))
}

// errBadCommand marks a command that does not decode.
var errBadCommand = errors.New("malformed replicated command")

// DecodeCommand decodes a command encoded by EncodeCommand. It reads at
// most MaxCommandBytes, allocates no more than b's size (every count is
// checked against what is left) and refuses trailing bytes; it does not
// validate the command against the graph: applying it does.
func DecodeCommand(b []byte) (*Command, error) {
	if len(b) > MaxCommandBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", errBadCommand, len(b), MaxCommandBytes)
	}
	if len(b) < 2 || b[0] != cmdV1 {
		return nil, fmt.Errorf("%w: not a version %d command", errBadCommand, cmdV1)
	}
	c := &Command{Op: Op(b[1])}
	if c.Op == 0 || c.Op >= opEnd {
		return nil, fmt.Errorf("%w: unknown op %d", errBadCommand, b[1])
	}
	d := &decoder{b: b[2:], src: string(b[2:])}
	switch c.Op {
	case OpCreateOutlet:
		c.Outlet = d.outlet()
	case OpCreateReport:
		c.Report = d.report()
	case OpCreateOfficial:
		c.Official = d.official()
	case OpCreateClaim:
		c.Claim = d.claim()
	case OpUpdateOutlet:
		u := &c.OutletUpdate
		c.ID = d.str()
		u.Name, u.Domain, u.Country, u.Language = d.optStr(), d.optStr(), d.optStr(), d.optStr()
		if d.bool() {
			t := graph.OutletType(d.byte())
			u.Type = &t
		}
	case OpUpdateReport:
		u := &c.ReportUpdate
		c.ID = d.str()
		u.Outlet, u.Title, u.URL, u.Language = d.optStr(), d.optStr(), d.optStr(), d.optStr()
		if d.bool() {
			p := d.date()
			u.Published = &p
		}
		if d.bool() {
			s := graph.ReportStatus(d.byte())
			u.Status = &s
		}
	case OpUpdateOfficial:
		u := &c.OfficialUpdate
		c.ID = d.str()
		u.Name, u.Role, u.Affiliation, u.Country, u.Description = d.optStr(), d.optStr(), d.optStr(), d.optStr(), d.optStr()
		if d.bool() {
			f := graph.OfficialForm(d.byte())
			u.Form = &f
		}
		if d.bool() {
			a := d.bool()
			u.Anonymous = &a
		}
	case OpUpdateClaim:
		u := &c.ClaimUpdate
		c.ID = d.str()
		u.Text = d.optStr()
		if d.bool() {
			t := d.strs()
			u.Topics = &t
		}
	case OpDeleteOutlet, OpDeleteReport, OpDeleteOfficial:
		c.ID, c.Cascade = d.str(), d.bool()
	case OpDeleteClaim:
		c.ID = d.str()
	case OpAddCitation, OpRemoveCitation, OpRemoveAppearance:
		c.ID, c.Ref = d.str(), d.str()
	case OpRemoveAttribution:
		c.ID, c.Ref, c.Source = d.str(), d.str(), d.str()
	case OpAddAppearance:
		c.ID = d.str()
		as := nestedValue(d, decodeAppearances)
		if d.err == nil && len(as) != 1 {
			d.fail("appearance")
		}
		if d.err == nil {
			c.Appearance = as[0]
		}
	case OpAddAttribution:
		c.ID, c.Ref = d.str(), d.str()
		as := nestedValue(d, decodeAppearances)
		if d.err == nil && (len(as) != 1 || len(as[0].Attributions) != 1) {
			d.fail("attribution")
		}
		if d.err == nil {
			c.Attribution = as[0].Attributions[0]
		}
	case OpAddReview:
		c.ID = d.str()
		cl := nestedValue(d, func(b []byte) (*graph.Claim, error) { return decodeClaim("", b) })
		if d.err == nil && len(cl.Reviews) != 1 {
			d.fail("review")
		}
		if d.err == nil {
			c.Review = cl.Reviews[0]
		}
	case OpAddRating:
		c.ID = d.str()
		rs := d.ratings()
		if d.err == nil && len(rs) != 1 {
			d.fail("rating")
		}
		if d.err == nil {
			c.Rating = rs[0]
		}
	case OpImportDataset:
		ds := &graph.Dataset{Info: graph.DatasetInfo{ID: d.str(), Title: d.str(), Source: d.str(), Description: d.str()}}
		ds.Outlets = decodeList(d, d.outlet)
		ds.Officials = decodeList(d, d.official)
		ds.Reports = decodeList(d, d.report)
		ds.Claims = decodeList(d, d.claim)
		c.Dataset = ds
	}
	if err := d.done(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errBadCommand, c.Op, err)
	}
	return c, nil
}

// decodeList reads a count and that many items; a count is never more
// than the bytes left, so it cannot make the decoder allocate more than
// the input's size.
func decodeList[T any](d *decoder, item func() T) []T {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil
	}
	out := make([]T, 0, min(n, 1024))
	for range n {
		if d.err != nil {
			return nil
		}
		out = append(out, item())
	}
	return out
}

func (d *decoder) optStr() *string {
	if !d.bool() {
		return nil
	}
	s := d.str()
	return &s
}

// nestedValue decodes a length-prefixed value with one of the store's value
// decoders.
func nestedValue[T any](d *decoder, decode func([]byte) (T, error)) T {
	var zero T
	s := d.str()
	if d.err != nil {
		return zero
	}
	v, err := decode([]byte(s))
	if err != nil {
		d.err = err
		return zero
	}
	return v
}

func (d *decoder) outlet() *graph.Outlet {
	id := d.str()
	return nestedValue(d, func(b []byte) (*graph.Outlet, error) { return decodeOutlet(id, b) })
}

func (d *decoder) report() *graph.Report {
	id := d.str()
	r := nestedValue(d, func(b []byte) (*graph.Report, error) { return decodeReport(id, b) })
	cites := nestedValue(d, decodeIDs)
	if r != nil {
		r.Cites = cites
	}
	return r
}

func (d *decoder) official() *graph.Official {
	id := d.str()
	o := nestedValue(d, func(b []byte) (*graph.Official, error) { return decodeOfficial(id, b) })
	same := nestedValue(d, decodeSameAs)
	if o != nil {
		o.PossiblySameAs = same
	}
	return o
}

func (d *decoder) claim() *graph.Claim {
	id := d.str()
	c := nestedValue(d, func(b []byte) (*graph.Claim, error) { return decodeClaim(id, b) })
	as := nestedValue(d, decodeAppearances)
	if c != nil {
		c.Appearances = as
	}
	return c
}

// Result is what applying a command returns: the node an update returns,
// or an import's counts.
type Result struct {
	Outlet   *graph.Outlet
	Report   *graph.Report
	Official *graph.Official
	Claim    *graph.Claim
	Import   graph.ImportResult
}

// appliedKeyCtx carries, in a write's context, the log sequence the write
// applies: update stores it with the write (DB.Apply).
type appliedKeyCtx struct{}

// Apply applies the command at position seq of the replicated log through
// the store's own write method, and stores seq as the applied sequence in
// the same transaction as the write. A command the graph refuses (a
// graph.Error of the model: EINVALID, ENOTFOUND, ECONFLICT) is refused
// alike at that position on every node: Apply then stores seq alone and
// returns the refusal. Any other error (the storage failed, ctx ended)
// leaves the applied sequence where it was, so the command is applied
// again later. A seq not above the applied sequence is refused with
// ErrApplied and changes nothing.
func (db *DB) Apply(ctx context.Context, seq uint64, c *Command) (Result, error) {
	applied, err := db.Applied(ctx)
	if err != nil {
		return Result{}, err
	}
	if seq <= applied {
		return Result{}, fmt.Errorf("%w: %d (applied %d)", ErrApplied, seq, applied)
	}
	res, err := db.apply(context.WithValue(ctx, appliedKeyCtx{}, seq), c)
	if err == nil {
		// A write whose own transaction found nothing to change
		// still moves the applied sequence; every write method runs
		// update, which stored it, unless it failed before (refused).
		if a, aerr := db.Applied(ctx); aerr == nil && a < seq {
			err = db.MarkApplied(ctx, seq)
		}
		return res, err
	}
	if Refusal(err) {
		if merr := db.MarkApplied(ctx, seq); merr != nil {
			return Result{}, merr
		}
	}
	return Result{}, err
}

// ErrApplied is the error of applying a sequence already applied.
var ErrApplied = errors.New("already applied")

// Refusal reports whether err is the graph refusing a write, the same on
// every node at the same position of the log, rather than a failure of
// this node.
func Refusal(err error) bool {
	switch graph.ErrorCode(err) {
	case graph.EINVALID, graph.ENOTFOUND, graph.ECONFLICT:
		return true
	}
	return false
}

func (db *DB) apply(ctx context.Context, c *Command) (r Result, err error) {
	switch c.Op {
	case OpCreateOutlet:
		err = db.CreateOutlet(ctx, c.Outlet)
	case OpUpdateOutlet:
		r.Outlet, err = db.UpdateOutlet(ctx, c.ID, c.OutletUpdate)
	case OpDeleteOutlet:
		err = db.DeleteOutlet(ctx, c.ID, c.Cascade)
	case OpCreateReport:
		err = db.CreateReport(ctx, c.Report)
	case OpUpdateReport:
		r.Report, err = db.UpdateReport(ctx, c.ID, c.ReportUpdate)
	case OpDeleteReport:
		err = db.DeleteReport(ctx, c.ID, c.Cascade)
	case OpAddCitation:
		r.Report, err = db.AddCitation(ctx, c.ID, c.Ref)
	case OpRemoveCitation:
		r.Report, err = db.RemoveCitation(ctx, c.ID, c.Ref)
	case OpCreateOfficial:
		err = db.CreateOfficial(ctx, c.Official)
	case OpUpdateOfficial:
		r.Official, err = db.UpdateOfficial(ctx, c.ID, c.OfficialUpdate)
	case OpDeleteOfficial:
		err = db.DeleteOfficial(ctx, c.ID, c.Cascade)
	case OpCreateClaim:
		err = db.CreateClaim(ctx, c.Claim)
	case OpUpdateClaim:
		r.Claim, err = db.UpdateClaim(ctx, c.ID, c.ClaimUpdate)
	case OpDeleteClaim:
		err = db.DeleteClaim(ctx, c.ID)
	case OpAddAppearance:
		r.Claim, err = db.AddAppearance(ctx, c.ID, c.Appearance)
	case OpRemoveAppearance:
		r.Claim, err = db.RemoveAppearance(ctx, c.ID, c.Ref)
	case OpAddAttribution:
		r.Claim, err = db.AddAttribution(ctx, c.ID, c.Ref, c.Attribution)
	case OpRemoveAttribution:
		r.Claim, err = db.RemoveAttribution(ctx, c.ID, c.Ref, c.Source)
	case OpAddReview:
		r.Claim, err = db.AddReview(ctx, c.ID, c.Review)
	case OpAddRating:
		err = db.AddRating(ctx, c.ID, c.Rating)
	case OpImportDataset:
		r.Import, err = db.ImportDataset(ctx, c.Dataset)
	default:
		err = graph.Errorf(graph.EINVALID, "unknown write %s", c.Op)
	}
	return r, err
}

// Applied returns the last sequence of the replicated log applied to this
// database (0 if none).
func (db *DB) Applied(ctx context.Context) (uint64, error) {
	var n uint64
	err := db.view(ctx, func(txn kvTxn) (err error) { n, err = readApplied(txn); return err })
	return n, err
}

// MarkApplied stores seq as the applied sequence, alone: for a command
// the graph refused, or a log entry that writes nothing (a chunk).
func (db *DB) MarkApplied(ctx context.Context, seq uint64) error {
	return db.update(context.WithValue(ctx, appliedKeyCtx{}, seq), func(kvTxn) error { return nil })
}

// stampApplied stores the sequence the context carries, if any, in txn:
// the last step of every write transaction (update).
func stampApplied(ctx context.Context, txn kvTxn) error {
	seq, ok := ctx.Value(appliedKeyCtx{}).(uint64)
	if !ok {
		return nil
	}
	applied, err := readApplied(txn)
	if err != nil {
		return err
	}
	if seq <= applied {
		return fmt.Errorf("%w: %d (applied %d)", ErrApplied, seq, applied)
	}
	return txn.set(appliedKey(), encodeCount(int64(seq)))
}

func readApplied(txn kvTxn) (uint64, error) {
	n, err := readCount(txn, appliedKey())
	return uint64(n), err
}
