package graph_test

import (
	"testing"
	"time"

	"hearsay/graph"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		prec   graph.Precision
		str    string // String(); the input when empty and prec is not None
		start  string // RFC 3339
		end    string // RFC 3339
		errors bool
	}{
		// Ensure each precision parses to the interval it denotes.
		{"Year", "2025", graph.PrecisionYear, "", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false},
		{"Month", "2025-04", graph.PrecisionMonth, "", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", false},
		{"December", "2025-12", graph.PrecisionMonth, "", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z", false},
		{"Day", "2025-04-25", graph.PrecisionDay, "", "2025-04-25T00:00:00Z", "2025-04-26T00:00:00Z", false},
		{"LeapDay", "2024-02-29", graph.PrecisionDay, "", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", false},
		{"SecondUTC", "2025-04-25T10:30:00Z", graph.PrecisionSecond, "", "2025-04-25T10:30:00Z", "2025-04-25T10:30:01Z", false},
		// Ensure a date-time with an offset is normalised to UTC.
		{"SecondOffset", "2025-04-25T10:30:00+02:00", graph.PrecisionSecond, "2025-04-25T08:30:00Z", "2025-04-25T08:30:00Z", "2025-04-25T08:30:01Z", false},
		{"OffsetAcrossDay", "2025-04-25T23:30:00-02:00", graph.PrecisionSecond, "2025-04-26T01:30:00Z", "2025-04-26T01:30:00Z", "2025-04-26T01:30:01Z", false},
		// Ensure fractions of a second are truncated.
		{"Fraction", "2025-04-25T10:30:00.999Z", graph.PrecisionSecond, "2025-04-25T10:30:00Z", "2025-04-25T10:30:00Z", "2025-04-25T10:30:01Z", false},
		// Ensure the empty string is the zero date.
		{"Empty", "", graph.PrecisionNone, "", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", false},

		// Ensure impossible and malformed dates are errors.
		{"BadMonthDay", "2024-13-45", 0, "", "", "", true},
		{"Feb30", "2024-02-30", 0, "", "", "", true},
		{"Feb29NonLeap", "2023-02-29", 0, "", "", "", true},
		{"Month13", "2025-13", 0, "", "", "", true},
		{"Month00", "2025-00", 0, "", "", "", true},
		{"Year0", "0000", 0, "", "", "", true},
		{"NotANumber", "abcd", 0, "", "", "", true},
		{"ShortMonth", "2025-4", 0, "", "", "", true},
		{"ShortDay", "2025-04-5", 0, "", "", "", true},
		{"Slashes", "2025/04/25", 0, "", "", "", true},
		{"NoZone", "2025-04-25T10:30:00", 0, "", "", "", true},
		{"Hour25", "2025-04-25T25:30:00Z", 0, "", "", "", true},
		{"Space", " 2025", 0, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := graph.ParseDate(tt.in)
			if tt.errors {
				if code := graph.ErrorCode(err); code != graph.EINVALID {
					t.Fatalf("ParseDate(%q) = %v, %v; want an %s error", tt.in, d, err, graph.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			str := tt.str
			if str == "" && tt.prec != graph.PrecisionNone {
				str = tt.in
			}
			if d.Precision() != tt.prec || d.String() != str {
				t.Errorf("ParseDate(%q) = %q at %v, want %q at %v", tt.in, d, d.Precision(), str, tt.prec)
			}
			if d.IsZero() != (tt.prec == graph.PrecisionNone) {
				t.Errorf("IsZero() = %v", d.IsZero())
			}
			if s := d.Start().Format(time.RFC3339); s != tt.start {
				t.Errorf("Start() = %s, want %s", s, tt.start)
			}
			if s := d.End().Format(time.RFC3339); s != tt.end {
				t.Errorf("End() = %s, want %s", s, tt.end)
			}
			if d.Start().Location() != time.UTC {
				t.Errorf("Start() is in %v, want UTC", d.Start().Location())
			}
			// Ensure String() parses back to the same date.
			back, err := graph.ParseDate(d.String())
			if err != nil || !back.Equal(d) {
				t.Errorf("ParseDate(%q) = %q, %v; want %q", d.String(), back, err, d)
			}
		})
	}
}

func TestMustParseDate(t *testing.T) {
	// Ensure MustParseDate returns the parsed date.
	t.Run("OK", func(t *testing.T) {
		if d := graph.MustParseDate("2025-04"); d.String() != "2025-04" {
			t.Fatalf("MustParseDate(2025-04) = %q", d)
		}
	})

	// Ensure MustParseDate panics on a bad date.
	t.Run("Panic", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("MustParseDate(2024-02-30) did not panic")
			}
		}()
		graph.MustParseDate("2024-02-30")
	})
}

func TestNewDate(t *testing.T) {
	at := time.Date(2025, 4, 25, 23, 30, 15, 500, time.FixedZone("x", -3*3600)) // 2025-04-26T02:30:15Z
	tests := []struct {
		prec graph.Precision
		want string
	}{
		// Ensure the time is taken in UTC and truncated to the precision.
		{graph.PrecisionNone, ""},
		{graph.PrecisionYear, "2025"},
		{graph.PrecisionMonth, "2025-04"},
		{graph.PrecisionDay, "2025-04-26"},
		{graph.PrecisionSecond, "2025-04-26T02:30:15Z"},
	}
	for _, tt := range tests {
		t.Run(tt.prec.String(), func(t *testing.T) {
			d := graph.NewDate(at, tt.prec)
			if d.String() != tt.want || d.Precision() != tt.prec {
				t.Fatalf("NewDate(%v, %v) = %q at %v, want %q", at, tt.prec, d, d.Precision(), tt.want)
			}
			if !d.Equal(graph.MustParseDate(tt.want)) {
				t.Errorf("NewDate(%v, %v) is not Equal to ParseDate(%q)", at, tt.prec, tt.want)
			}
		})
	}
}

func TestDate_Order(t *testing.T) {
	d := graph.MustParseDate
	tests := []struct {
		a, b string
		// before: a.Before(b); noLater: a.MayBeNoLaterThan(b); cmp: a.Compare(b)
		before, noLater bool
		cmp             int
	}{
		// Ensure dates of one precision order as their intervals.
		{"2025-04-24", "2025-04-25", true, true, -1},
		{"2025-04-25", "2025-04-25", false, true, 0},
		{"2025-04-26", "2025-04-25", false, false, 1},
		{"2024", "2025", true, true, -1},
		{"2025-04-25T10:00:00Z", "2025-04-25T10:00:01Z", true, true, -1},
		// Ensure an interval that contains or overlaps another is neither
		// certainly before it nor certainly after it.
		{"2025", "2025-04-25", false, true, -1},
		{"2025-04-25", "2025", false, true, 1},
		{"2025-01", "2025", false, true, 1},
		{"2025", "2025-01", false, true, -1},
		{"2025-04", "2025-04-30", false, true, -1},
		{"2025-04-30", "2025-04", false, true, 1},
		{"2025-04-25T23:59:59Z", "2025-04-25", false, true, 1},
		{"2025-04-25", "2025-04-25T00:00:00Z", false, true, -1},
		// Ensure an interval that ends where another starts is before it.
		{"2025", "2026-01-01", true, true, -1},
		{"2025-04", "2025-05-01T00:00:00Z", true, true, -1},
		{"2025-04-30", "2025-05", true, true, -1},
		// Ensure an interval that starts at or after another's end may not
		// be no later than it.
		{"2026-01-01", "2025", false, false, 1},
		{"2025-05", "2025-04-30", false, false, 1},
		{"2025-04-26T00:00:00Z", "2025-04-25", false, false, 1},
		// Ensure unknown dates are never before anything, may be no later
		// than anything, and sort first.
		{"", "2025", false, true, -1},
		{"2025", "", false, true, 1},
		{"", "", false, true, 0},
		{"", "0001", false, true, -1},
	}
	for _, tt := range tests {
		a, b := d(tt.a), d(tt.b)
		if got := a.Before(b); got != tt.before {
			t.Errorf("%q.Before(%q) = %v, want %v", tt.a, tt.b, got, tt.before)
		}
		if got := a.MayBeNoLaterThan(b); got != tt.noLater {
			t.Errorf("%q.MayBeNoLaterThan(%q) = %v, want %v", tt.a, tt.b, got, tt.noLater)
		}
		if got := a.Compare(b); got != tt.cmp {
			t.Errorf("%q.Compare(%q) = %d, want %d", tt.a, tt.b, got, tt.cmp)
		}
		// Ensure Compare is antisymmetric and Equal agrees with it.
		if got := b.Compare(a); got != -tt.cmp {
			t.Errorf("%q.Compare(%q) = %d, want %d", tt.b, tt.a, got, -tt.cmp)
		}
		if got := a.Equal(b); got != (tt.cmp == 0) {
			t.Errorf("%q.Equal(%q) = %v, want %v", tt.a, tt.b, got, tt.cmp == 0)
		}
	}
}

func TestDate_Unix(t *testing.T) {
	// Ensure Unix and DateFromUnix round-trip every precision.
	t.Run("OK", func(t *testing.T) {
		for _, s := range []string{"", "2025", "2025-04", "2025-04-25", "2025-04-25T10:30:00Z", "1969-07-20T20:17:40Z"} {
			d := graph.MustParseDate(s)
			back, err := graph.DateFromUnix(d.Unix(), d.Precision())
			if err != nil || !back.Equal(d) {
				t.Errorf("DateFromUnix(%d, %v) = %q, %v; want %q", d.Unix(), d.Precision(), back, err, s)
			}
		}
		if u := (graph.Date{}).Unix(); u != 0 {
			t.Errorf("zero Date Unix() = %d, want 0", u)
		}
	})

	// Ensure an unknown precision is rejected.
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := graph.DateFromUnix(0, graph.PrecisionSecond+1)
		if code := graph.ErrorCode(err); code != graph.EINVALID {
			t.Fatalf("ErrorCode(%v) = %q, want %q", err, code, graph.EINVALID)
		}
	})
}

func TestPrecision_String(t *testing.T) {
	want := map[graph.Precision]string{
		graph.PrecisionNone:   "NONE",
		graph.PrecisionYear:   "YEAR",
		graph.PrecisionMonth:  "MONTH",
		graph.PrecisionDay:    "DAY",
		graph.PrecisionSecond: "SECOND",
		graph.Precision(9):    "invalid(9)",
	}
	for p, s := range want {
		// Ensure each precision has its spelling.
		if p.String() != s {
			t.Errorf("Precision(%d).String() = %q, want %q", uint8(p), p.String(), s)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"", "2025", "2025-04", "2025-04-25", "2025-04-25T10:30:00+02:00", "2024-02-30", "2024-13-45"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := graph.ParseDate(s)
		if err != nil {
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("ParseDate(%q) error code %q, want %q", s, code, graph.EINVALID)
			}
			return
		}
		// Ensure every parsed date prints as a date that parses back to it.
		back, err := graph.ParseDate(d.String())
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %q, which parses to %q, %v", s, d, back, err)
		}
		if !d.IsZero() && !d.Start().Before(d.End()) {
			t.Fatalf("ParseDate(%q): empty interval [%v, %v)", s, d.Start(), d.End())
		}
	})
}
