package graph_test

import (
	"strings"
	"testing"

	"hearsay/graph"
)

// enumCase is one enumeration: its spellings in numeric order from 1, its
// parser, and the String and Valid of a numeric value.
type enumCase struct {
	name   string
	want   []string
	parse  func(string) (uint8, error)
	str    func(uint8) string
	valid  func(uint8) bool
	reject []string
}

func enumCases() []enumCase {
	return []enumCase{
		{
			name:   "Reliability",
			want:   []string{"A", "B", "C", "D", "E", "F"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseReliability(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.Reliability(v).String() },
			valid:  func(v uint8) bool { return graph.Reliability(v).Valid() },
			reject: []string{"G", "1", "AB"},
		},
		{
			name:   "OutletType",
			want:   []string{"NEWSPAPER", "BROADCASTER", "WIRE_AGENCY", "MAGAZINE", "ONLINE", "BLOG", "GOVERNMENT", "SOCIAL_ACCOUNT"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseOutletType(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.OutletType(v).String() },
			valid:  func(v uint8) bool { return graph.OutletType(v).Valid() },
			reject: []string{"TABLOID", "WIRE AGENCY", "WIRE-AGENCY"},
		},
		{
			name:   "OfficialForm",
			want:   []string{"PERSON", "GROUP", "INSTITUTION"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseOfficialForm(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.OfficialForm(v).String() },
			valid:  func(v uint8) bool { return graph.OfficialForm(v).Valid() },
			reject: []string{"PEOPLE", "ANONYMOUS"},
		},
		{
			name:   "ReportStatus",
			want:   []string{"PUBLISHED", "CORRECTED", "RETRACTED"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseReportStatus(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.ReportStatus(v).String() },
			valid:  func(v uint8) bool { return graph.ReportStatus(v).Valid() },
			reject: []string{"DRAFT", "DELETED"},
		},
		{
			name:   "Mode",
			want:   []string{"DIRECT_QUOTE", "PARAPHRASE", "CITES_REPORT", "TRANSLATION", "AGGREGATION", "UNATTRIBUTED"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseMode(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.Mode(v).String() },
			valid:  func(v uint8) bool { return graph.Mode(v).Valid() },
			reject: []string{"SHOUTED", "QUOTE", "CITES"},
		},
		{
			name:   "Verdict",
			want:   []string{"TRUE", "MOSTLY_TRUE", "MIXED", "MOSTLY_FALSE", "FALSE", "UNPROVEN"},
			parse:  func(s string) (uint8, error) { v, err := graph.ParseVerdict(s); return uint8(v), err },
			str:    func(v uint8) string { return graph.Verdict(v).String() },
			valid:  func(v uint8) bool { return graph.Verdict(v).Valid() },
			reject: []string{"PANTS_ON_FIRE", "HALF_TRUE"},
		},
	}
}

func TestParseEnums(t *testing.T) {
	for _, e := range enumCases() {
		t.Run(e.name, func(t *testing.T) {
			// Ensure each value's String() is its documented spelling,
			// parses back to it, and is valid.
			for i, s := range e.want {
				v := uint8(i + 1)
				if got := e.str(v); got != s {
					t.Errorf("value %d String() = %q, want %q", v, got, s)
				}
				got, err := e.parse(s)
				if err != nil || got != v {
					t.Errorf("parse(%q) = %d, %v; want %d", s, got, err, v)
				}
				if !e.valid(v) {
					t.Errorf("value %d (%s) is not Valid", v, s)
				}
			}

			// Ensure the unset value and values past the last are invalid.
			last := uint8(len(e.want))
			for _, v := range []uint8{0, last + 1, 255} {
				if e.valid(v) {
					t.Errorf("value %d is Valid", v)
				}
			}
			if s := e.str(last + 1); !strings.HasPrefix(s, "invalid(") {
				t.Errorf("value %d String() = %q, want invalid(…)", last+1, s)
			}

			// Ensure unknown, empty, lowercase and padded spellings are
			// rejected as invalid.
			reject := append([]string{"", " ", strings.ToLower(e.want[0]), " " + e.want[0], e.want[0] + " "}, e.reject...)
			for _, s := range reject {
				v, err := e.parse(s)
				if code := graph.ErrorCode(err); code != graph.EINVALID || v != 0 {
					t.Errorf("parse(%q) = %d, %v; want 0 and an %s error", s, v, err, graph.EINVALID)
				}
			}
		})
	}
}

func TestTerminal_String(t *testing.T) {
	// Ensure the terminals carry the spellings of DESIGN.md 2.1 and the
	// GraphQL enum Terminal.
	want := []struct {
		t graph.Terminal
		s string
	}{
		{graph.TerminalOfficial, "OFFICIAL"},
		{graph.TerminalUnattributed, "UNATTRIBUTED"},
		{graph.TerminalCitedReportUnrecorded, "CITED_REPORT_UNRECORDED"},
		{graph.TerminalOutletUnrecorded, "OUTLET_UNRECORDED"},
		{graph.TerminalCircular, "CIRCULAR"},
		{graph.TerminalDepthLimit, "DEPTH_LIMIT"},
		{graph.TerminalUnset, ""},
	}
	for _, w := range want {
		if w.t.String() != w.s {
			t.Errorf("Terminal(%d).String() = %q, want %q", uint8(w.t), w.t.String(), w.s)
		}
	}
}

func TestEdgeKind(t *testing.T) {
	// Ensure edge kinds carry the names of DESIGN.md 2 and only they are
	// valid.
	want := []string{"published-by", "reported-by", "attributed-to", "cites", "possibly-same-as"}
	for i, s := range want {
		e := graph.EdgeKind(i + 1)
		if e.String() != s || !e.Valid() {
			t.Errorf("EdgeKind(%d) = %q valid=%v, want %q valid", i+1, e, e.Valid(), s)
		}
	}
	if graph.EdgePossiblySameAs != graph.EdgeKind(len(want)) {
		t.Errorf("EdgePossiblySameAs = %d, want %d", graph.EdgePossiblySameAs, len(want))
	}
	for _, e := range []graph.EdgeKind{graph.EdgeInvalid, graph.EdgeKind(len(want) + 1)} {
		if e.Valid() {
			t.Errorf("EdgeKind(%d).Valid() = true", e)
		}
	}
}
