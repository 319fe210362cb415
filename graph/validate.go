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

// checker collects the first problem found while validating a value and
// prefixes it with the field's path, so that messages read
// "appearances[2].mode: unknown attribution mode".
type checker struct{ err error }

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
