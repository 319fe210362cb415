package graph

import (
	"strings"
	"unicode/utf8"
)

// Field length bounds. They keep stored values and responses bounded.
const (
	MaxNameLen  = 500    // names, titles, roles, hedges
	MaxTextLen  = 10_000 // claim texts, quotes, descriptions, notes
	MaxURLLen   = 2_000  // URLs
	MaxListLen  = 10_000 // appearances of a claim, ratings, topics, citations
	maxTopicLen = 100    // one topic
)

// MaxRecordBytes bounds one node with everything Validate checks with it
// (a claim with its appearances, their attributions and its reviews; an
// outlet with its ratings...) written as JSON. The field limits alone
// would allow a claim of a terabyte (10,000 appearances of 10,000
// attributions of 10,000-byte quotes); this keeps every valid node one
// NDJSON line that a load reads back (fixtures.MaxLineBytes) and bounds
// the memory one node takes.
//
// Validate charges each text, ID and code its length as JSON (a control
// character other than \n, \r and \t counts six bytes, as \u0001) plus
// fieldWeight, which covers the field's name, quotes and punctuation and
// the item's enums and dates; recordBase covers the node's own ID, kind,
// enums and dates. The charge is an upper bound of the node's JSON as
// fixtures exports it (TestExportNDJSON_MaximalRecordLoadsBack).
const MaxRecordBytes = 16 << 20

const (
	recordBase  = 1 << 10
	fieldWeight = 64
)

// checker collects the first problem found while validating a value and
// prefixes it with the field's path, so that messages read
// "appearances[2].mode: unknown attribution mode".
type checker struct {
	err  error
	size int // the record's JSON so far, charged by charge
}

// charge adds a field's value to the record's size and fails when the
// record is over MaxRecordBytes.
func (c *checker) charge(path, s string) {
	over := c.size > MaxRecordBytes-recordBase
	c.size += jsonLen(s) + fieldWeight
	if !over && c.size > MaxRecordBytes-recordBase {
		c.fail(path, "takes the record over %d bytes as JSON (the limit of one record with its edges)", MaxRecordBytes)
	}
}

// jsonLen is the length of s written as a JSON string with its quotes, as
// encoding/json writes it without HTML escaping, counting every control
// character other than \n, \r and \t as six bytes (\u0001). Each byte is
// one table lookup (jsonExtra): Validate measures every text this way, and
// a branch per byte was most of its time in a bulk load.
func jsonLen(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); i++ {
		x := jsonExtra[s[i]]
		if x == 0 {
			continue
		}
		if x != jsonRune {
			n += int(x)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5 // \ufffd
		case r == '\u2028', r == '\u2029':
			n += 3 // \u2028, for 3 bytes
		}
		i += size - 1
	}
	return n
}

// jsonRune marks the bytes of jsonExtra that start or continue a
// multi-byte sequence, which jsonLen decodes.
const jsonRune = 0xff

// jsonExtra is how many bytes more than one a byte takes in a JSON
// string: 1 for a quote, a backslash, \n, \r and \t; 5 for another control
// character; jsonRune for bytes above ASCII.
var jsonExtra = func() (t [256]uint8) {
	for b := range 0x20 {
		t[b] = 5
	}
	for _, b := range []byte{'"', '\\', '\n', '\r', '\t'} {
		t[b] = 1
	}
	for b := utf8.RuneSelf; b < 256; b++ {
		t[b] = jsonRune
	}
	return t
}()

func (c *checker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = Errorf(EINVALID, "%s: "+format, append([]any{path}, args...)...)
	}
}

// wrap records err, prefixed with path, if no earlier problem was recorded.
func (c *checker) wrap(path string, err error) {
	if err != nil && c.err == nil {
		c.err = Errorf(EINVALID, "%s: %s", path, ErrorMessage(err))
	}
}

func (c *checker) text(path, s string, max int, required bool) {
	c.charge(path, s)
	switch {
	case required && strings.TrimSpace(s) == "":
		c.fail(path, "is required")
	case len(s) > max:
		c.fail(path, "is %d bytes long, over the limit of %d", len(s), max)
	case !utf8.ValidString(s):
		c.fail(path, "is not valid UTF-8")
	}
}

func (c *checker) ref(path, id string, kinds ...Kind) {
	c.charge(path, id)
	k, _, err := SplitID(id)
	if err != nil {
		c.wrap(path, err)
		return
	}
	for _, want := range kinds {
		if k == want {
			return
		}
	}
	names := make([]string, len(kinds))
	for i, want := range kinds {
		names[i] = want.String()
	}
	c.fail(path, "%q is of kind %s where kind %s is wanted", id, k, strings.Join(names, " or "))
}

func (c *checker) list(path string, n int) {
	if n > MaxListLen {
		c.fail(path, "has %d entries, over the limit of %d", n, MaxListLen)
	}
}

// CheckCountry checks an ISO 3166-1 alpha-2 code such as "GB"; empty is
// allowed.
func CheckCountry(s string) error {
	var c checker
	c.country("country", s)
	return c.err
}

// country checks an ISO 3166-1 alpha-2 code ("GB"); empty is allowed.
func (c *checker) country(path, s string) {
	c.charge(path, s)
	if s == "" {
		return
	}
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		c.fail(path, "%q is not an ISO 3166-1 alpha-2 country code such as \"GB\"", s)
	}
}

// language checks a BCP 47 tag in its common lowercase-primary form
// ("en", "uk", "en-GB"); empty is allowed.
func (c *checker) language(path, s string) {
	c.charge(path, s)
	if s == "" {
		return
	}
	primary, rest, hasRest := strings.Cut(s, "-")
	ok := len(primary) >= 2 && len(primary) <= 3
	for i := 0; ok && i < len(primary); i++ {
		ok = primary[i] >= 'a' && primary[i] <= 'z'
	}
	for more := hasRest; ok && more; {
		var sub string
		sub, rest, more = strings.Cut(rest, "-")
		ok = len(sub) >= 2 && len(sub) <= 8
		for i := 0; ok && i < len(sub); i++ {
			ch := sub[i]
			ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		}
	}
	if !ok {
		c.fail(path, "%q is not a language tag such as \"en\" or \"en-GB\"", s)
	}
}

func (c *checker) ratings(path string, rs []Rating) {
	c.list(path, len(rs))
	for i, r := range rs {
		p := path + "[" + itoa(i) + "]"
		if !r.Rating.Valid() {
			c.fail(p+".rating", "is required (A–F)")
		}
		c.text(p+".ratedBy", r.RatedBy, MaxNameLen, false)
		c.text(p+".note", r.Note, MaxTextLen, false)
	}
}
