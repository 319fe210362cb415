package graph

import "context"

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
type Attribution struct {
	Source string
	Mode   Mode
	Quote  string
}

// Review is a fact-checker's verdict on a claim (ClaimReview style).
type Review struct {
	Verdict    Verdict
	ReviewedBy string
	ReviewedAt Date
	URL        string
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
		for j, at := range a.Attributions {
			q := p + ".attributedTo[" + itoa(j) + "]"
			k.ref(q+".source", at.Source, KindOfficial, KindReport, KindOutlet)
			if srcSeen[at.Source] {
				k.fail(q+".source", "%q is given twice in one appearance", at.Source)
			}
			srcSeen[at.Source] = true
			if !at.Mode.Valid() {
				k.fail(q+".mode", "is required (one of %s)", modeNames.list())
			}
			k.text(q+".quote", at.Quote, MaxTextLen, false)
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
	}
	return k.err
}

// ClaimService reads claims.
type ClaimService interface {
	// FindClaimByID returns the claim with its appearances and their
	// attributions, or ENOTFOUND.
	FindClaimByID(ctx context.Context, id string) (*Claim, error)
	// FindClaims returns a page of claims in ID order and the total count.
	FindClaims(ctx context.Context, page Page) ([]*Claim, int, error)
}
