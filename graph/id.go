package graph

import (
	"strconv"
	"strings"
)

// Kind is the kind of a node. Its numeric value is stored in keys: append
// only, never reorder.
type Kind uint8

// The node kinds.
const (
	KindInvalid Kind = iota
	KindOutlet
	KindReport
	KindOfficial
	KindClaim
)

var kindNames = [...]string{"", "outlet", "report", "official", "claim"}

// Kinds lists every valid kind in key order.
var Kinds = []Kind{KindOutlet, KindReport, KindOfficial, KindClaim}

// String returns the kind's ID prefix ("outlet", "report", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Valid reports whether k is one of the four node kinds.
func (k Kind) Valid() bool { return k >= KindOutlet && k <= KindClaim }

// ParseKind returns the kind named by an ID prefix.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), true
		}
	}
	return KindInvalid, false
}

// MaxIDLen bounds the length of an ID, prefix included.
const MaxIDLen = 200

// SplitID splits a "kind:slug" ID into its kind and slug and checks both:
// the prefix must name a kind and the slug must match [a-z0-9][a-z0-9._-]*.
func SplitID(id string) (Kind, string, error) {
	if id == "" {
		return KindInvalid, "", Errorf(EINVALID, "empty ID")
	}
	if len(id) > MaxIDLen {
		return KindInvalid, "", Errorf(EINVALID, "ID %.40q… is longer than %d bytes", id, MaxIDLen)
	}
	prefix, slug, ok := strings.Cut(id, ":")
	if !ok {
		return KindInvalid, "", Errorf(EINVALID, "ID %q has no kind prefix (want kind:slug, e.g. outlet:telegraph)", id)
	}
	kind, ok := ParseKind(prefix)
	if !ok {
		return KindInvalid, "", Errorf(EINVALID, "ID %q has unknown kind %q (want outlet, report, official or claim)", id, prefix)
	}
	if !ValidSlug(slug) {
		return KindInvalid, "", Errorf(EINVALID, "ID %q has an invalid slug (want [a-z0-9][a-z0-9._-]*)", id)
	}
	return kind, slug, nil
}

// ValidSlug reports whether s matches [a-z0-9][a-z0-9._-]*.
func ValidSlug(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// KindOf returns the kind of a valid ID, or KindInvalid.
func KindOf(id string) Kind {
	k, _, err := SplitID(id)
	if err != nil {
		return KindInvalid
	}
	return k
}

// CheckID checks that id is valid and of kind want.
func CheckID(id string, want Kind) error {
	k, _, err := SplitID(id)
	if err != nil {
		return err
	}
	if k != want {
		return Errorf(EINVALID, "ID %q is of kind %s where kind %s is wanted", id, k, want)
	}
	return nil
}

// MakeID joins a kind and a slug into an ID.
func MakeID(k Kind, slug string) string { return k.String() + ":" + slug }

func itoa(n int) string { return strconv.Itoa(n) }
