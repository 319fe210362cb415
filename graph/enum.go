package graph

import "strconv"

// The domain's enumerations are small unsigned integers, so that they pack
// into stored values, with their GraphQL/fixture spelling as String(). The
// zero value of each is "unset" and never valid where a value is required.
// Numeric values are stored: append only, never reorder.

// enumNames maps an enum's numeric value to its spelling; index 0 is unset.
type enumNames []string

func (n enumNames) name(v uint8) string {
	if int(v) < len(n) {
		return n[v]
	}
	return "invalid(" + strconv.Itoa(int(v)) + ")"
}

func (n enumNames) parse(what, s string) (uint8, error) {
	for i := 1; i < len(n); i++ {
		if n[i] == s {
			return uint8(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown %s %q (want one of %s)", what, s, n.list())
}

func (n enumNames) list() string {
	var out string
	for i := 1; i < len(n); i++ {
		if i > 1 {
			out += ", "
		}
		out += n[i]
	}
	return out
}

// Reliability is a source's grade on the Admiralty scale (STANAG 2511).
type Reliability uint8

// The Admiralty reliability grades.
const (
	ReliabilityUnset Reliability = iota
	ReliabilityA                 // completely reliable
	ReliabilityB                 // usually reliable
	ReliabilityC                 // fairly reliable
	ReliabilityD                 // not usually reliable
	ReliabilityE                 // unreliable
	ReliabilityF                 // reliability cannot be judged
)

var reliabilityNames = enumNames{"", "A", "B", "C", "D", "E", "F"}

func (r Reliability) String() string { return reliabilityNames.name(uint8(r)) }

// Valid reports whether r is one of A…F.
func (r Reliability) Valid() bool { return r >= ReliabilityA && r <= ReliabilityF }

// ParseReliability parses "A"…"F".
func ParseReliability(s string) (Reliability, error) {
	v, err := reliabilityNames.parse("reliability", s)
	return Reliability(v), err
}

// OutletType is what kind of publisher an outlet is.
type OutletType uint8

// The outlet types.
const (
	OutletTypeUnset OutletType = iota
	OutletNewspaper
	OutletBroadcaster
	OutletWireAgency
	OutletMagazine
	OutletOnline
	OutletBlog
	OutletGovernment
	OutletSocialAccount
)

var outletTypeNames = enumNames{"", "NEWSPAPER", "BROADCASTER", "WIRE_AGENCY", "MAGAZINE", "ONLINE", "BLOG", "GOVERNMENT", "SOCIAL_ACCOUNT"}

func (t OutletType) String() string { return outletTypeNames.name(uint8(t)) }

// Valid reports whether t is a known outlet type.
func (t OutletType) Valid() bool { return t > 0 && int(t) < len(outletTypeNames) }

// ParseOutletType parses an outlet type such as "NEWSPAPER".
func ParseOutletType(s string) (OutletType, error) {
	v, err := outletTypeNames.parse("outlet type", s)
	return OutletType(v), err
}

// OfficialForm says whether an official is a person, a group or an institution.
type OfficialForm uint8

// The official forms.
const (
	FormUnset OfficialForm = iota
	FormPerson
	FormGroup
	FormInstitution
)

var formNames = enumNames{"", "PERSON", "GROUP", "INSTITUTION"}

func (f OfficialForm) String() string { return formNames.name(uint8(f)) }

// Valid reports whether f is a known form.
func (f OfficialForm) Valid() bool { return f > 0 && int(f) < len(formNames) }

// ParseOfficialForm parses "PERSON", "GROUP" or "INSTITUTION".
func ParseOfficialForm(s string) (OfficialForm, error) {
	v, err := formNames.parse("official form", s)
	return OfficialForm(v), err
}

// ReportStatus is the editorial state of a report.
type ReportStatus uint8

// The report statuses.
const (
	StatusUnset ReportStatus = iota
	StatusPublished
	StatusCorrected
	StatusRetracted
)

var statusNames = enumNames{"", "PUBLISHED", "CORRECTED", "RETRACTED"}

func (s ReportStatus) String() string { return statusNames.name(uint8(s)) }

// Valid reports whether s is a known status.
func (s ReportStatus) Valid() bool { return s > 0 && int(s) < len(statusNames) }

// ParseReportStatus parses "PUBLISHED", "CORRECTED" or "RETRACTED".
func ParseReportStatus(s string) (ReportStatus, error) {
	v, err := statusNames.parse("report status", s)
	return ReportStatus(v), err
}

// Mode is how a report carries or attributes a claim, from the linguistics
// of reported speech.
type Mode uint8

// The attribution modes.
const (
	ModeUnset        Mode = iota
	ModeDirectQuote       // the words are quoted as spoken or printed
	ModeParaphrase        // the content is restated in the reporter's words
	ModeCitesReport       // the report relies on another report
	ModeTranslation       // the words are translated from another language
	ModeAggregation       // the report compiles other reporting
	ModeUnattributed      // no source is given
)

var modeNames = enumNames{"", "DIRECT_QUOTE", "PARAPHRASE", "CITES_REPORT", "TRANSLATION", "AGGREGATION", "UNATTRIBUTED"}

func (m Mode) String() string { return modeNames.name(uint8(m)) }

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m > 0 && int(m) < len(modeNames) }

// ParseMode parses an attribution mode such as "PARAPHRASE".
func ParseMode(s string) (Mode, error) {
	v, err := modeNames.parse("attribution mode", s)
	return Mode(v), err
}

// Verdict is a fact-checker's verdict on a claim (ClaimReview style).
type Verdict uint8

// The verdicts.
const (
	VerdictUnset Verdict = iota
	VerdictTrue
	VerdictMostlyTrue
	VerdictMixed
	VerdictMostlyFalse
	VerdictFalse
	VerdictUnproven
)

var verdictNames = enumNames{"", "TRUE", "MOSTLY_TRUE", "MIXED", "MOSTLY_FALSE", "FALSE", "UNPROVEN"}

func (v Verdict) String() string { return verdictNames.name(uint8(v)) }

// Valid reports whether v is a known verdict.
func (v Verdict) Valid() bool { return v > 0 && int(v) < len(verdictNames) }

// ParseVerdict parses a verdict such as "MOSTLY_TRUE".
func ParseVerdict(s string) (Verdict, error) {
	v, err := verdictNames.parse("verdict", s)
	return Verdict(v), err
}

// Terminal says why an attribution chain ended.
type Terminal uint8

// The chain terminals of DESIGN.md section 2.1.
const (
	TerminalUnset                 Terminal = iota
	TerminalOfficial                       // the chain reached an official: a primary source
	TerminalUnattributed                   // the last report gives no source and cites none that carries the claim
	TerminalCitedReportUnrecorded          // attributed to a report that has no recorded appearance of the claim
	TerminalOutletUnrecorded               // attributed to an outlet with no earlier recorded report carrying the claim
	TerminalCircular                       // the chain came back to a report already on its path
	TerminalDepthLimit                     // the chain was cut at the depth or visit bound
)

var terminalNames = enumNames{"", "OFFICIAL", "UNATTRIBUTED", "CITED_REPORT_UNRECORDED", "OUTLET_UNRECORDED", "CIRCULAR", "DEPTH_LIMIT"}

func (t Terminal) String() string { return terminalNames.name(uint8(t)) }

// EdgeKind names a relation of the graph. Its numeric value is stored in
// keys: append only, never reorder.
type EdgeKind uint8

// The edge kinds of DESIGN.md section 2.
const (
	EdgeInvalid        EdgeKind = iota
	EdgePublishedBy             // Report → Outlet, exactly one per report
	EdgeReportedBy              // Claim → Report: an appearance
	EdgeAttributedTo            // Claim → Official | Report | Outlet, in a Report
	EdgeCites                   // Report → Report
	EdgePossiblySameAs          // Official ↔ Official, symmetric
)

var edgeNames = enumNames{"", "published-by", "reported-by", "attributed-to", "cites", "possibly-same-as"}

func (e EdgeKind) String() string { return edgeNames.name(uint8(e)) }

// Valid reports whether e is a known edge kind.
func (e EdgeKind) Valid() bool { return e > 0 && int(e) < len(edgeNames) }
