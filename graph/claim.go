package graph

import (
	"context"
	"slices"
	"strings"
)

// Claim is one proposition that may travel through many reports.
type Claim struct {
	ID          string
	Text        string
	Topics      []string
	Appearances []Appearance // sorted by Report
	Reviews     []Review
}

// Appearance is a reported-by edge: the claim appears in a report. Its
// attributions say to whom that report attributes the claim.
type Appearance struct {
	Report       string
	Quote        string // the span as printed
	Mode         Mode
	Language     string
	Hedge        string // "reportedly", "according to"
	Attributions []Attribution
}

// Attribution is an attributed-to edge inside an appearance: in that report,
// the claim is attributed to Source (an official, a report or an outlet).
//
// Relaying is relayed speech: when Source is an official who passed on what
// other officials told them ("Starmer said Trump had told him…"), each
// relayed attribution names one of those officials, with its own mode and
// quote, and may relay further. Only an official relays, only officials are
// relayed, at most MaxRelayDepth levels deep, and an official is named at
// most once in an appearance over all its attributions and relays
// (Claim.Validate), so a relay never loops.
type Attribution struct {
	Source   string
	Mode     Mode
	Quote    string
	Relaying []Attribution // sorted by Source in canonical form
}

// MaxRelayDepth bounds how deeply relayed speech nests: an attribution's
// relaying, their relaying, and so on.
const MaxRelayDepth = 8

// SortedAttributions returns a deep copy of as in canonical order: sorted
// by source, and each one's relaying sorted likewise, at every level. A nil
// or empty list stays nil.
func SortedAttributions(as []Attribution) []Attribution {
	if len(as) == 0 {
		return nil
	}
	out := make([]Attribution, len(as))
	for i, a := range as {
		a.Relaying = SortedAttributions(a.Relaying)
		out[i] = a
	}
	slices.SortFunc(out, func(a, b Attribution) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// WithoutSource returns as without the attributions naming source, at
// every level of relaying, each with what it relayed, and whether any was
// dropped. Lists are copied where they change; as itself is not modified.
func WithoutSource(as []Attribution, source string) ([]Attribution, bool) {
	var out []Attribution
	dropped := false
	for _, a := range as {
		if a.Source == source {
			dropped = true
			continue
		}
		if r, ok := WithoutSource(a.Relaying, source); ok {
			a.Relaying, dropped = r, true
		}
		out = append(out, a)
	}
	if !dropped {
		return as, false
	}
	return out, true
}

// EachRelayed calls f for every attribution relayed under at, at every
// level, depth-first in the order given, with the official who relayed it
// and the JSON path of the relayed attribution below at
// (".relaying[0].relaying[1]").
func (at *Attribution) EachRelayed(f func(by string, r *Attribution, path string)) {
	var walk func(a *Attribution, path string)
	walk = func(a *Attribution, path string) {
		for i := range a.Relaying {
			p := path + ".relaying[" + itoa(i) + "]"
			f(a.Source, &a.Relaying[i], p)
			walk(&a.Relaying[i], p)
		}
	}
	walk(at, "")
}

// Review is a fact-checker's verdict on a claim (ClaimReview style).
// Verdict is the normalised verdict; RatingText is the rating as the
// fact-checker printed it ("Pants on Fire"), and Title the fact-check
// article's headline. Both are optional.
type Review struct {
	Verdict    Verdict
	ReviewedBy string
	ReviewedAt Date
	URL        string
	Title      string
	RatingText string
}

// Appearance returns the claim's appearance in the report, if any.
func (c *Claim) Appearance(report string) (*Appearance, bool) {
	for i := range c.Appearances {
		if c.Appearances[i].Report == report {
			return &c.Appearances[i], true
		}
	}
	return nil, false
}

// Validate checks the claim's fields (not whether references exist).
func (c *Claim) Validate() error {
	var k checker
	if err := CheckID(c.ID, KindClaim); err != nil {
		k.wrap("id", err)
	}
	k.text("text", c.Text, MaxTextLen, true)
	k.list("topics", len(c.Topics))
	for i, t := range c.Topics {
		k.text("topics["+itoa(i)+"]", t, maxTopicLen, true)
	}
	k.list("appearances", len(c.Appearances))
	seen := make(map[string]bool, len(c.Appearances))
	for i := range c.Appearances {
		a := &c.Appearances[i]
		p := "appearances[" + itoa(i) + "]"
		k.ref(p+".report", a.Report, KindReport)
		if seen[a.Report] {
			k.fail(p+".report", "%q appears twice; a claim has one appearance per report", a.Report)
		}
		seen[a.Report] = true
		k.text(p+".quote", a.Quote, MaxTextLen, false)
		if !a.Mode.Valid() {
			k.fail(p+".mode", "is required (one of %s)", modeNames.list())
		}
		k.language(p+".language", a.Language)
		k.text(p+".hedge", a.Hedge, MaxNameLen, false)
		k.list(p+".attributedTo", len(a.Attributions))
		srcSeen := make(map[string]bool, len(a.Attributions))
		for j := range a.Attributions {
			q := p + ".attributedTo[" + itoa(j) + "]"
			k.attribution(q, &a.Attributions[j], srcSeen, 0)
		}
	}
	k.list("reviews", len(c.Reviews))
	for i, r := range c.Reviews {
		p := "reviews[" + itoa(i) + "]"
		if !r.Verdict.Valid() {
			k.fail(p+".verdict", "is required (one of %s)", verdictNames.list())
		}
		k.text(p+".reviewedBy", r.ReviewedBy, MaxNameLen, true)
		k.text(p+".url", r.URL, MaxURLLen, false)
		k.text(p+".title", r.Title, MaxNameLen, false)
		k.text(p+".ratingText", r.RatingText, MaxNameLen, false)
	}
	return k.err
}

// attribution checks one attribution and, below it, what it relays, at
// relay depth depth (0 for an attribution of the appearance). seen holds
// the sources already named in the appearance, at any level.
func (k *checker) attribution(path string, at *Attribution, seen map[string]bool, depth int) {
	if depth == 0 {
		k.ref(path+".source", at.Source, KindOfficial, KindReport, KindOutlet)
	} else {
		k.ref(path+".source", at.Source, KindOfficial)
	}
	if seen[at.Source] {
		if depth == 0 {
			k.fail(path+".source", "%q is given twice in one appearance", at.Source)
		} else {
			k.fail(path+".source", "%q is already named in this appearance; an official is named once in an appearance, relays included, so relayed speech never loops", at.Source)
		}
	}
	seen[at.Source] = true
	if !at.Mode.Valid() {
		k.fail(path+".mode", "is required (one of %s)", modeNames.list())
	}
	k.text(path+".quote", at.Quote, MaxTextLen, false)
	if len(at.Relaying) == 0 {
		return
	}
	switch {
	case KindOf(at.Source) != KindOfficial:
		k.fail(path+".relaying", "is allowed only when the source is an official; %q is not one", at.Source)
		return
	case depth >= MaxRelayDepth:
		k.fail(path+".relaying", "nests relayed speech over %d levels deep", MaxRelayDepth)
		return
	}
	k.list(path+".relaying", len(at.Relaying))
	for i := range at.Relaying {
		k.attribution(path+".relaying["+itoa(i)+"]", &at.Relaying[i], seen, depth+1)
	}
}

// ClaimService reads and writes claims, their appearances and their
// attributions.
type ClaimService interface {
	// FindClaimByID returns the claim with its appearances and their
	// attributions, or ENOTFOUND.
	FindClaimByID(ctx context.Context, id string) (*Claim, error)
	// FindClaims returns a page of the claims matching the filter, in ID
	// order, and how many match in all.
	FindClaims(ctx context.Context, f ClaimFilter) ([]*Claim, int, error)
	// FindAttributions returns a page of the attributions naming a source,
	// in (claim, report) order, and how many there are.
	FindAttributions(ctx context.Context, f AttributionFilter) ([]AttributionRef, int, error)
	// CreateClaim creates a claim with its appearances; an ID in use is
	// ECONFLICT.
	CreateClaim(ctx context.Context, c *Claim) error
	// UpdateClaim changes a claim's text and topics and returns it.
	UpdateClaim(ctx context.Context, id string, upd ClaimUpdate) (*Claim, error)
	// DeleteClaim deletes a claim with its appearances and attributions.
	DeleteClaim(ctx context.Context, id string) error
	// AddAppearance adds the claim's appearance in a report; a second
	// appearance in the same report is ECONFLICT.
	AddAppearance(ctx context.Context, claim string, a Appearance) (*Claim, error)
	// RemoveAppearance removes the claim's appearance in a report.
	RemoveAppearance(ctx context.Context, claim, report string) (*Claim, error)
	// AddAttribution attributes the claim, in its appearance in report, to
	// a source.
	AddAttribution(ctx context.Context, claim, report string, a Attribution) (*Claim, error)
	// RemoveAttribution removes that attribution.
	RemoveAttribution(ctx context.Context, claim, report, source string) (*Claim, error)
	// AddReview adds a fact-checker's review.
	AddReview(ctx context.Context, claim string, r Review) (*Claim, error)
}
