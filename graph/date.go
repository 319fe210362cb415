package graph

import (
	"time"
)

// Precision is how much of a Date is known.
type Precision uint8

// The date precisions. Stored: append only, never reorder.
const (
	PrecisionNone   Precision = iota // no date is known
	PrecisionYear                    // "2025"
	PrecisionMonth                   // "2025-04"
	PrecisionDay                     // "2025-04-25"
	PrecisionSecond                  // "2025-04-25T10:30:00Z"
)

var precisionNames = enumNames{"NONE", "YEAR", "MONTH", "DAY", "SECOND"}

func (p Precision) String() string { return precisionNames.name(uint8(p)) }

// Date is a publication or rating date known to a precision: a report whose
// source gives only a year is recorded as "2025", not as 1 January 2025.
// A Date stands for the interval [Start, End).
type Date struct {
	t time.Time // UTC start of the interval
	p Precision
}

// NewDate returns a Date at t truncated to precision p.
func NewDate(t time.Time, p Precision) Date {
	t = t.UTC()
	switch p {
	case PrecisionNone:
		return Date{}
	case PrecisionYear:
		t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case PrecisionMonth:
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case PrecisionDay:
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case PrecisionSecond:
		t = t.Truncate(time.Second)
	}
	return Date{t: t, p: p}
}

// ParseDate parses "YYYY", "YYYY-MM", "YYYY-MM-DD" or an RFC 3339 date-time.
// The empty string is the zero Date. Impossible dates such as "2024-13-45"
// are errors.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	var layout string
	var p Precision
	switch len(s) {
	case 4:
		layout, p = "2006", PrecisionYear
	case 7:
		layout, p = "2006-01", PrecisionMonth
	case 10:
		layout, p = "2006-01-02", PrecisionDay
	default:
		layout, p = time.RFC3339, PrecisionSecond
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "invalid date %q (want YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time)", s)
	}
	d := NewDate(t, p)
	if y := d.t.Year(); y < 1 || y > 9999 {
		return Date{}, Errorf(EINVALID, "date %q is out of range (years 1 to 9999, in UTC)", s)
	}
	return d, nil
}

// MustParseDate is ParseDate for literals in tests and fixtures; it panics
// on error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether no date is known.
func (d Date) IsZero() bool { return d.p == PrecisionNone }

// Precision returns how much of the date is known.
func (d Date) Precision() Precision { return d.p }

// Start returns the first instant the date may denote.
func (d Date) Start() time.Time { return d.t }

// End returns the instant just after the last one the date may denote.
func (d Date) End() time.Time {
	switch d.p {
	case PrecisionYear:
		return d.t.AddDate(1, 0, 0)
	case PrecisionMonth:
		return d.t.AddDate(0, 1, 0)
	case PrecisionDay:
		return d.t.AddDate(0, 0, 1)
	case PrecisionSecond:
		return d.t.Add(time.Second)
	}
	return d.t
}

// String formats the date in the form it was given at its precision;
// date-times are written in UTC. The zero Date is "".
func (d Date) String() string {
	switch d.p {
	case PrecisionYear:
		return d.t.Format("2006")
	case PrecisionMonth:
		return d.t.Format("2006-01")
	case PrecisionDay:
		return d.t.Format("2006-01-02")
	case PrecisionSecond:
		return d.t.Format(time.RFC3339)
	}
	return ""
}

// Before reports whether d certainly lies before e: d ends no later than e
// starts. Unknown dates are never certainly before anything.
func (d Date) Before(e Date) bool {
	if d.IsZero() || e.IsZero() {
		return false
	}
	return !d.End().After(e.Start())
}

// MayBeNoLaterThan reports whether d may denote an instant no later than
// some instant of e. Unknown dates may be anything, so the answer is true.
func (d Date) MayBeNoLaterThan(e Date) bool {
	if d.IsZero() || e.IsZero() {
		return true
	}
	return d.Start().Before(e.End())
}

// Compare orders dates by start, then by precision (coarser first); the
// zero Date sorts first.
func (d Date) Compare(e Date) int {
	if c := d.t.Compare(e.t); c != 0 && !d.IsZero() && !e.IsZero() {
		return c
	}
	switch {
	case d.p < e.p:
		return -1
	case d.p > e.p:
		return 1
	}
	return 0
}

// Equal reports whether d and e are the same date at the same precision.
func (d Date) Equal(e Date) bool { return d.p == e.p && d.t.Equal(e.t) }

// Unix returns the start of the date in Unix seconds; with Precision it
// encodes the date compactly. See DateFromUnix.
func (d Date) Unix() int64 {
	if d.IsZero() {
		return 0
	}
	return d.t.Unix()
}

// DateFromUnix rebuilds a Date from Unix seconds and a precision.
func DateFromUnix(sec int64, p Precision) (Date, error) {
	if p > PrecisionSecond {
		return Date{}, Errorf(EINVALID, "invalid date precision %d", p)
	}
	if p == PrecisionNone {
		return Date{}, nil
	}
	return NewDate(time.Unix(sec, 0), p), nil
}
