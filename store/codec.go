package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"hearsay/graph"
)

// Values are encoded in a compact binary form: a one-byte format version,
// then the fields in a fixed order as uvarints, length-prefixed strings and
// single bytes. Adding a field means a new version byte and a decoder branch
// for the old one; versions are never reused.
const codecV1 byte = 1

// codecV2 is the appearances value with relayed speech: after each
// attribution's quote, the list of attributions it relays, each written
// the same way. An appearances value without relaying is still written as
// codecV1, byte for byte as before, so databases written before relayed
// speech read back unchanged and a database without relays stays readable
// by binaries that predate it; both versions decode.
const codecV2 byte = 2

// codecV3 is the claim value with each review's title and rating text
// (the rating as printed) after its URL. A claim none of whose reviews has
// either is still written as codecV1, byte for byte as before, so older
// databases read back unchanged and older binaries read a database
// without them; both versions decode.
const codecV3 byte = 3

// errCorrupt wraps every decoding failure: the bytes are not a value this
// codec wrote.
var errCorrupt = errors.New("corrupt value")

type encoder struct{ b []byte }

func (e *encoder) byte(v byte)      { e.b = append(e.b, v) }
func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) date(d graph.Date) {
	e.byte(byte(d.Precision()))
	if !d.IsZero() {
		e.varint(d.Unix())
	}
}

func (e *encoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) ratings(rs []graph.Rating) {
	e.uvarint(uint64(len(rs)))
	for _, r := range rs {
		e.byte(byte(r.Rating))
		e.str(r.RatedBy)
		e.date(r.RatedAt)
		e.str(r.Note)
	}
}

// decoder reads what encoder wrote. The first failure sticks in err and
// every later read returns a zero value, so callers check err once.
type decoder struct {
	b   []byte // what is left to read
	src string // the whole value, copied once: strings are cut from it
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCorrupt, what)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) < 1 {
		d.fail("byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a list length and checks it against what remains, so corrupt
// input can never make a decoder allocate more than the value's size.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("list length")
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail("string")
		return ""
	}
	at := len(d.src) - len(d.b)
	d.b = d.b[n:]
	return d.src[at : at+int(n)]
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bool")
	return false
}

func (d *decoder) date() graph.Date {
	p := graph.Precision(d.byte())
	if d.err != nil || p == graph.PrecisionNone {
		return graph.Date{}
	}
	v, err := graph.DateFromUnix(d.varint(), p)
	if err != nil {
		d.fail("date")
	}
	return v
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) ratings() []graph.Rating {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]graph.Rating, n)
	for i := range out {
		out[i] = graph.Rating{Rating: graph.Reliability(d.byte()), RatedBy: d.str(), RatedAt: d.date(), Note: d.str()}
	}
	return out
}

// version checks the leading format byte.
func (d *decoder) version() {
	if v := d.byte(); d.err == nil && v != codecV1 {
		d.err = fmt.Errorf("%w: unknown format version %d", errCorrupt, v)
	}
}

// done checks that the whole value was read.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

func newEncoder() *encoder { return &encoder{b: []byte{codecV1}} }

// newEncoderSize returns an encoder with room for a value of about size
// bytes: the bulk loader encodes millions, and growing each from one byte
// was a tenth of its allocated bytes.
func newEncoderSize(size int) *encoder {
	b := make([]byte, 1, size+1)
	b[0] = codecV1
	return &encoder{b: b}
}

// newDecoder reads b, which it copies once, into one string that every
// decoded string shares: one allocation per value rather than one per
// string.
func newDecoder(b []byte) *decoder {
	d := &decoder{b: b, src: string(b)}
	d.version()
	return d
}

// encodeOutlet encodes an outlet's fields.
func encodeOutlet(o *graph.Outlet) []byte {
	e := newEncoder()
	e.str(o.Name)
	e.str(o.Domain)
	e.str(o.Country)
	e.str(o.Language)
	e.byte(byte(o.Type))
	e.ratings(o.Ratings)
	return e.b
}

func decodeOutlet(id string, b []byte) (*graph.Outlet, error) {
	d := newDecoder(b)
	o := &graph.Outlet{ID: id, Name: d.str(), Domain: d.str(), Country: d.str(), Language: d.str(),
		Type: graph.OutletType(d.byte()), Ratings: d.ratings()}
	return o, d.done()
}

// encodeReport encodes a report's fields, its outlet (the published-by
// edge, exactly one) included; its citations live in an adjacency value.
func encodeReport(r *graph.Report) []byte {
	e := newEncoderSize(len(r.Outlet) + len(r.Title) + len(r.URL) + len(r.Language) + 24)
	e.str(r.Outlet)
	e.str(r.Title)
	e.str(r.URL)
	e.date(r.Published)
	e.str(r.Language)
	e.byte(byte(r.Status))
	return e.b
}

func decodeReport(id string, b []byte) (*graph.Report, error) {
	d := newDecoder(b)
	r := &graph.Report{ID: id, Outlet: d.str(), Title: d.str(), URL: d.str(), Published: d.date(),
		Language: d.str(), Status: graph.ReportStatus(d.byte())}
	return r, d.done()
}

// encodeOfficial encodes an official's fields; its possibly-same-as links
// live in an adjacency value.
func encodeOfficial(o *graph.Official) []byte {
	e := newEncoder()
	e.str(o.Name)
	e.byte(byte(o.Form))
	e.bool(o.Anonymous)
	e.str(o.Role)
	e.str(o.Affiliation)
	e.str(o.Country)
	e.str(o.Description)
	e.ratings(o.Ratings)
	return e.b
}

func decodeOfficial(id string, b []byte) (*graph.Official, error) {
	d := newDecoder(b)
	o := &graph.Official{ID: id, Name: d.str(), Form: graph.OfficialForm(d.byte()), Anonymous: d.bool(),
		Role: d.str(), Affiliation: d.str(), Country: d.str(), Description: d.str(), Ratings: d.ratings()}
	return o, d.done()
}

// encodeClaim encodes a claim's fields and reviews; its appearances live in
// an adjacency value. codecV1 when no review has a title or a rating text,
// codecV3 (with both, for every review) otherwise.
func encodeClaim(c *graph.Claim) []byte {
	titled := false
	for _, r := range c.Reviews {
		titled = titled || r.Title != "" || r.RatingText != ""
	}
	size := len(c.Text) + 16
	for _, t := range c.Topics {
		size += len(t) + 2
	}
	for _, r := range c.Reviews {
		size += len(r.ReviewedBy) + len(r.URL) + len(r.Title) + len(r.RatingText) + 24
	}
	e := newEncoderSize(size)
	if titled {
		e.b[0] = codecV3
	}
	e.str(c.Text)
	e.strs(c.Topics)
	e.uvarint(uint64(len(c.Reviews)))
	for _, r := range c.Reviews {
		e.byte(byte(r.Verdict))
		e.str(r.ReviewedBy)
		e.date(r.ReviewedAt)
		e.str(r.URL)
		if titled {
			e.str(r.Title)
			e.str(r.RatingText)
		}
	}
	return e.b
}

func decodeClaim(id string, b []byte) (*graph.Claim, error) {
	d := &decoder{b: b, src: string(b)}
	v := d.byte()
	if d.err == nil && v != codecV1 && v != codecV3 {
		d.err = fmt.Errorf("%w: unknown format version %d", errCorrupt, v)
	}
	titled := v == codecV3
	c := &graph.Claim{ID: id, Text: d.str(), Topics: d.strs()}
	if n := d.count(); n > 0 {
		c.Reviews = make([]graph.Review, n)
		for i := range c.Reviews {
			r := graph.Review{Verdict: graph.Verdict(d.byte()), ReviewedBy: d.str(), ReviewedAt: d.date(), URL: d.str()}
			if titled {
				r.Title, r.RatingText = d.str(), d.str()
			}
			c.Reviews[i] = r
		}
	}
	return c, d.done()
}

// encodeAppearances packs a claim's reported-by edges, each with the
// attributed-to edges made in that report: codecV1 when no attribution
// relays anyone, codecV2 (with each attribution's relaying) otherwise.
func encodeAppearances(as []graph.Appearance) []byte {
	relays := false
	for _, a := range as {
		for _, at := range a.Attributions {
			relays = relays || len(at.Relaying) > 0
		}
	}
	size := 8
	for _, a := range as {
		size += len(a.Report) + len(a.Quote) + len(a.Language) + len(a.Hedge) + 8
		for _, at := range a.Attributions {
			size += len(at.Source) + len(at.Quote) + 4
			at.EachRelayed(func(_ string, r *graph.Attribution, _ string) { size += len(r.Source) + len(r.Quote) + 4 })
		}
	}
	e := newEncoderSize(size)
	if relays {
		e.b[0] = codecV2
	}
	e.uvarint(uint64(len(as)))
	for _, a := range as {
		e.str(a.Report)
		e.str(a.Quote)
		e.byte(byte(a.Mode))
		e.str(a.Language)
		e.str(a.Hedge)
		e.uvarint(uint64(len(a.Attributions)))
		for _, at := range a.Attributions {
			e.attribution(at, relays)
		}
	}
	return e.b
}

// attribution writes one attribution and, when relays (codecV2), the
// attributions it relays.
func (e *encoder) attribution(at graph.Attribution, relays bool) {
	e.str(at.Source)
	e.byte(byte(at.Mode))
	e.str(at.Quote)
	if !relays {
		return
	}
	e.uvarint(uint64(len(at.Relaying)))
	for _, r := range at.Relaying {
		e.attribution(r, true)
	}
}

// attributions reads m attributions, each, when relays (codecV2), with
// what it relays, at relay depth depth; deeper than graph.MaxRelayDepth
// is corrupt, so a value cannot recurse the decoder deep.
func (d *decoder) attributions(m int, relays bool, depth int) []graph.Attribution {
	if m == 0 || d.err != nil {
		return nil
	}
	if depth > graph.MaxRelayDepth {
		d.fail("relay depth")
		return nil
	}
	out := make([]graph.Attribution, m)
	for j := range out {
		out[j] = graph.Attribution{Source: d.str(), Mode: graph.Mode(d.byte()), Quote: d.str()}
		if relays {
			out[j].Relaying = d.attributions(d.count(), true, depth+1)
		}
	}
	return out
}

func decodeAppearances(b []byte) ([]graph.Appearance, error) {
	d := &decoder{b: b, src: string(b)}
	v := d.byte()
	if d.err == nil && v != codecV1 && v != codecV2 {
		d.err = fmt.Errorf("%w: unknown format version %d", errCorrupt, v)
	}
	relays := v == codecV2
	n := d.count()
	var out []graph.Appearance
	if n > 0 {
		out = make([]graph.Appearance, n)
	}
	for i := range out {
		a := &out[i]
		a.Report, a.Quote, a.Mode, a.Language, a.Hedge = d.str(), d.str(), graph.Mode(d.byte()), d.str(), d.str()
		a.Attributions = d.attributions(d.count(), relays, 0)
	}
	return out, d.done()
}

// encodeIDs packs a sorted list of IDs (a report's citations).
func encodeIDs(ids []string) []byte {
	e := newEncoder()
	e.strs(ids)
	return e.b
}

func decodeIDs(b []byte) ([]string, error) {
	d := newDecoder(b)
	ids := d.strs()
	return ids, d.done()
}

// encodeSameAs packs an official's possibly-same-as links.
func encodeSameAs(ss []graph.SameAs) []byte {
	e := newEncoder()
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s.Official)
		e.str(s.Note)
	}
	return e.b
}

func decodeSameAs(b []byte) ([]graph.SameAs, error) {
	d := newDecoder(b)
	n := d.count()
	var out []graph.SameAs
	if n > 0 {
		out = make([]graph.SameAs, n)
	}
	for i := range out {
		out[i] = graph.SameAs{Official: d.str(), Note: d.str()}
	}
	return out, d.done()
}

// encodeCount and decodeCount store a counter.
func encodeCount(n int64) []byte { return binary.AppendVarint(nil, n) }

func decodeCount(b []byte) (int64, error) {
	v, n := binary.Varint(b)
	if n <= 0 || n != len(b) {
		return 0, fmt.Errorf("%w: bad counter", errCorrupt)
	}
	return v, nil
}

// encodePosting encodes one posting of the claim match index: how often
// its term occurs in the claim, and the claim's length in terms.
func encodePosting(tf, docLen int) []byte {
	b := []byte{codecV1}
	b = binary.AppendUvarint(b, uint64(tf))
	return binary.AppendUvarint(b, uint64(docLen))
}

// decodePosting decodes a posting without allocating: a query reads
// thousands.
func decodePosting(b []byte) (tf, docLen int, err error) {
	if len(b) < 3 || b[0] != codecV1 {
		return 0, 0, fmt.Errorf("%w: bad posting", errCorrupt)
	}
	t, n := binary.Uvarint(b[1:])
	if n <= 0 || t == 0 || t > 1<<31 {
		return 0, 0, fmt.Errorf("%w: bad posting", errCorrupt)
	}
	l, m := binary.Uvarint(b[1+n:])
	if m <= 0 || 1+n+m != len(b) || l < t || l > 1<<31 {
		return 0, 0, fmt.Errorf("%w: bad posting", errCorrupt)
	}
	return int(t), int(l), nil
}

// encodeMatchDoc encodes a claim's entry in the claim match index: its
// length in terms, then its distinct terms in order with their
// frequencies.
func encodeMatchDoc(d *matchDoc) []byte {
	e := newEncoder()
	e.uvarint(uint64(d.len))
	e.uvarint(uint64(len(d.terms)))
	for _, t := range d.terms {
		e.str(t.term)
		e.uvarint(uint64(t.tf))
	}
	return e.b
}

func decodeMatchDoc(b []byte) (*matchDoc, error) {
	d := newDecoder(b)
	doc := &matchDoc{len: int(d.uvarint())}
	if n := d.count(); n > 0 {
		doc.terms = make([]termFreq, n)
		for i := range doc.terms {
			doc.terms[i] = termFreq{term: d.str(), tf: int(d.uvarint())}
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	sum := 0
	for i, t := range doc.terms {
		if !validTerm(t.term) || t.tf < 1 || (i > 0 && doc.terms[i-1].term >= t.term) {
			return nil, fmt.Errorf("%w: bad match index entry", errCorrupt)
		}
		sum += t.tf
	}
	if sum != doc.len {
		return nil, fmt.Errorf("%w: bad match index entry: length %d, terms %d", errCorrupt, doc.len, sum)
	}
	return doc, nil
}
