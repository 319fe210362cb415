package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OutletFilter selects a page of outlets. Zero fields select everything.
type OutletFilter struct {
	Page
	Country string
	Type    OutletType
}

// Match reports whether o passes the filter's conditions (not the page).
func (f OutletFilter) Match(o *Outlet) bool {
	return (f.Country == "" || o.Country == f.Country) && (f.Type == OutletTypeUnset || o.Type == f.Type)
}

// ReportFilter selects a page of reports.
type ReportFilter struct {
	Page
	Outlet string       // reports published by this outlet
	Cites  string       // reports that cite this report
	Status ReportStatus // reports in this status
}

// Match reports whether r passes the filter's conditions (not the page).
func (f ReportFilter) Match(r *Report) bool {
	if f.Outlet != "" && r.Outlet != f.Outlet || f.Status != StatusUnset && r.Status != f.Status {
		return false
	}
	if f.Cites != "" {
		for _, c := range r.Cites {
			if c == f.Cites {
				return true
			}
		}
		return false
	}
	return true
}

// OfficialFilter selects a page of officials.
type OfficialFilter struct {
	Page
	Anonymous *bool
	Form      OfficialForm
	Country   string
}

// Match reports whether o passes the filter's conditions (not the page).
func (f OfficialFilter) Match(o *Official) bool {
	return (f.Anonymous == nil || o.Anonymous == *f.Anonymous) &&
		(f.Form == FormUnset || o.Form == f.Form) &&
		(f.Country == "" || o.Country == f.Country)
}

// ClaimFilter selects a page of claims.
type ClaimFilter struct {
	Page
	// Search keeps claims whose text or quotes contain every word of it.
	Search string
	Report string // claims that appear in this report
	Source string // claims attributed to this official, report or outlet
	Topic  string // claims with this topic
}

// Match reports whether c passes the filter's conditions (not the page).
func (f ClaimFilter) Match(c *Claim) bool {
	if f.Report != "" {
		if _, ok := c.Appearance(f.Report); !ok {
			return false
		}
	}
	if f.Source != "" && !attributedTo(c, f.Source) {
		return false
	}
	if f.Topic != "" && !contains(c.Topics, f.Topic) {
		return false
	}
	if f.Search != "" {
		have := make(map[string]bool)
		for _, w := range ClaimWords(c) {
			have[w] = true
		}
		for _, w := range Words(f.Search) {
			if !have[w] {
				return false
			}
		}
	}
	return true
}

// attributedTo reports whether some appearance of c attributes it to
// source, directly or through relayed speech.
func attributedTo(c *Claim, source string) bool {
	for _, a := range c.Appearances {
		for i := range a.Attributions {
			found := a.Attributions[i].Source == source
			a.Attributions[i].EachRelayed(func(_ string, r *Attribution, _ string) {
				found = found || r.Source == source
			})
			if found {
				return true
			}
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// AttributionFilter selects a page of the attributions naming one source.
// Page.After is an AttributionCursor.
type AttributionFilter struct {
	Page
	Source string // required: an official, report or outlet ID
}

// AttributionCursor is the position of an attribution in its source's
// list: the claim's and the report's IDs joined by a space (IDs never
// contain one).
func AttributionCursor(claim, report string) string { return claim + " " + report }

// ParseAttributionCursor splits an AttributionCursor and checks both IDs.
func ParseAttributionCursor(cur string) (claim, report string, err error) {
	claim, report, ok := strings.Cut(cur, " ")
	if !ok {
		return "", "", Errorf(EINVALID, "bad cursor %q: want a claim ID and a report ID", cur)
	}
	if err := CheckID(claim, KindClaim); err != nil {
		return "", "", Errorf(EINVALID, "bad cursor: %s", ErrorMessage(err))
	}
	if err := CheckID(report, KindReport); err != nil {
		return "", "", Errorf(EINVALID, "bad cursor: %s", ErrorMessage(err))
	}
	return claim, report, nil
}

// AttributionRef is one attributed-to edge seen from its source: in Report,
// Claim is attributed to the source with Attribution's mode and quote.
// RelayedBy is the official who relayed the source's words, "" when the
// report attributes the claim to the source directly.
type AttributionRef struct {
	Claim       string
	Report      string
	Attribution Attribution
	RelayedBy   string
}

// FindAttribution returns the attribution of the claim to source in app,
// directly or relayed, and who relayed it ("" when direct).
func FindAttribution(app *Appearance, source string) (at Attribution, relayedBy string, ok bool) {
	for i := range app.Attributions {
		if app.Attributions[i].Source == source {
			return app.Attributions[i], "", true
		}
		app.Attributions[i].EachRelayed(func(by string, r *Attribution, _ string) {
			if !ok && r.Source == source {
				at, relayedBy, ok = *r, by, true
			}
		})
		if ok {
			return at, relayedBy, true
		}
	}
	return Attribution{}, "", false
}

// Search words. Words are what the claim search index holds: maximal runs
// of letters and digits, lowercased, between MinWordLen and MaxWordLen
// bytes. Apostrophes inside a word are dropped ("Trump's" → "trumps").
const (
	MinWordLen = 2
	MaxWordLen = 64
)

// Words splits text into distinct search words, in order of first use.
func Words(text string) []string {
	var out []string
	seen := make(map[string]struct{})
	var buf []byte // the word being read, lowercased
	out = appendWords(out, seen, buf, text)
	return out
}

// appendWords appends to out the words of text that seen does not hold,
// adding them to seen. buf is scratch space. ASCII, most of any text, is
// read a byte at a time; anything else a rune at a time.
func appendWords(out []string, seen map[string]struct{}, buf []byte, text string) []string {
	flush := func() {
		if len(buf) >= MinWordLen && len(buf) <= MaxWordLen {
			if _, ok := seen[string(buf)]; !ok { // no allocation for the lookup
				w := string(buf)
				seen[w] = struct{}{}
				out = append(out, w)
			}
		}
		buf = buf[:0]
	}
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+('a'-'A'))
			case c == '\'' && len(buf) > 0:
				// inside a word: "Trump's"
			default:
				flush()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case r == '’' && len(buf) > 0:
			// inside a word: "don’t"
		default:
			flush()
		}
	}
	flush()
	return out
}

// ClaimWords returns the search words of a claim: those of its text and of
// every quote of its appearances and attributions.
func ClaimWords(c *Claim) []string {
	// Sized for the claim's words and as many again from its quotes,
	// which mostly repeat it, so that neither grows word by word.
	n := len(c.Text)/4 + 8
	out := make([]string, 0, n)
	seen := make(map[string]struct{}, n)
	buf := make([]byte, 0, MaxWordLen)
	words := func(s string) { out = appendWords(out, seen, buf, s) }
	words(c.Text)
	for _, a := range c.Appearances {
		words(a.Quote)
		for i := range a.Attributions {
			words(a.Attributions[i].Quote)
			a.Attributions[i].EachRelayed(func(_ string, r *Attribution, _ string) { words(r.Quote) })
		}
	}
	return out
}
