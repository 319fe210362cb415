package graph

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// SimilarClaims returns up to first stored claims that best match
	// text (say the same thing in other words), best first, scored by
	// the claim match index (package textmatch) over each claim's
	// MatchText. The query is checked by CheckMatchQuery.
	SimilarClaims(ctx context.Context, text string, first int) ([]ClaimMatch, error)
}

// ClaimMatch is one claim ranked against a query text.
type ClaimMatch struct {
	Claim *Claim
	// Score is the ranker's probability, in [0, 1], that the claim states
	// what the query text states (textmatch.Rank).
	Score float64
}

// Bounds of a claim-matching query.
const (
	// MaxMatchRunes bounds a query text, in Unicode code points.
	MaxMatchRunes = 4096
	// DefaultMatches is how many matches a query returns unless told.
	DefaultMatches = 5
	// MaxMatches bounds how many matches a query may ask for.
	MaxMatches = 100
)

// CheckMatchQuery checks a claim-matching query and returns how many
// matches to return: text must hold a letter or a digit, be UTF-8 and at
// most MaxMatchRunes code points; first is 1..MaxMatches, 0 meaning
// DefaultMatches.
func CheckMatchQuery(text string, first int) (int, error) {
	switch {
	case !utf8.ValidString(text):
		return 0, Errorf(EINVALID, "text: is not valid UTF-8")
	case utf8.RuneCountInString(text) > MaxMatchRunes:
		return 0, Errorf(EINVALID, "text: is over the limit of %d characters", MaxMatchRunes)
	case strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0:
		return 0, Errorf(EINVALID, "text: is required and must hold a word")
	case first == 0:
		return DefaultMatches, nil
	case first < 1 || first > MaxMatches:
		return 0, Errorf(EINVALID, "first: must be between 1 and %d, got %d", MaxMatches, first)
	}
	return first, nil
}

// MatchTextVersion numbers what MatchText returns: bump it with any change
// to MatchText, so that stores rebuild their claim match index (they keep
// the version they built it with) instead of keeping one that is no longer
// exact.
const MatchTextVersion = 2

// MatchText returns the text a claim is matched on: its own text on the
// first line (line breaks in it turned to spaces), then its reviews'
// titles, one per line. The claim match index is built from it, and the
// ranker reads the first line as the claim and the rest as titles.
func (c *Claim) MatchText() string {
	oneLine := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
	parts := []string{oneLine.Replace(c.Text)}
	for _, r := range c.Reviews {
		if r.Title != "" {
			parts = append(parts, oneLine.Replace(r.Title))
		}
	}
	return strings.Join(parts, "\n")
}

// NewClaimMatches is a claim about to be added and the stored claims that
// may already say the same, so that a person can merge instead of
// duplicating.
type NewClaimMatches struct {
	Claim   *Claim
	Similar []ClaimMatch // best first
}

// DefaultMatchThreshold is the score from which a stored claim is reported
// as possibly saying what a new claim says ('hearsay extract --db'). Scores
// are textmatch's probabilities in [0, 1]. On the CLEF 2020 CheckThat!
// training tweets, the best-ranked claim scored at least 0.3 in 73 % of the
// queries where it was right and in 58 % of those where it was wrong: 85 %
// of the notes are right, and a person reviews them all.
const DefaultMatchThreshold = 0.3

// MaxMatchedClaims bounds the claims MatchNewClaims ranks in one call.
const MaxMatchedClaims = 1000

// MatchNewClaims ranks, for each of claims not stored yet, up to first
// stored claims scoring at least threshold (on SimilarClaims' scale), and
// returns those with at least one, in the order given. Call it before the
// claims are written: it reads the graph as it is. A claim whose text is
// no query (CheckMatchQuery) is matched on its first MaxMatchRunes
// characters, or skipped when it holds no word.
func MatchNewClaims(ctx context.Context, s ClaimService, claims []*Claim, threshold float64, first int) ([]NewClaimMatches, error) {
	if len(claims) > MaxMatchedClaims {
		return nil, Errorf(EINVALID, "matches are reported for at most %d claims at once; this has %d", MaxMatchedClaims, len(claims))
	}
	if first < 1 || first > MaxMatches {
		return nil, Errorf(EINVALID, "matches: at most 1 to %d a claim, got %d", MaxMatches, first)
	}
	var out []NewClaimMatches
	for _, c := range claims {
		if _, err := s.FindClaimByID(ctx, c.ID); err == nil {
			continue // stored: an update, not a new claim
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		text := c.MatchText()
		if r := []rune(text); len(r) > MaxMatchRunes {
			text = string(r[:MaxMatchRunes])
		}
		if _, err := CheckMatchQuery(text, first); err != nil {
			continue
		}
		ms, err := s.SimilarClaims(ctx, text, first)
		if err != nil {
			return nil, err
		}
		var keep []ClaimMatch
		for _, m := range ms {
			if m.Score >= threshold {
				keep = append(keep, m)
			}
		}
		if len(keep) > 0 {
			out = append(out, NewClaimMatches{Claim: c, Similar: keep})
		}
	}
	return out, nil
}
