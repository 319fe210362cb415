package graph

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonLenBranches is jsonLen as it was written before its table: a branch
// per byte. FuzzJSONLen holds the table to it.
func jsonLenBranches(s string) int {
	n := 2
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t':
				n += 2
			case b < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// FuzzJSONLen: the size Validate charges a text is never less than what
// encoding/json writes for it (without HTML escaping, as the export
// does), and equal to it when s has no control characters but \n, \r, \t;
// and it is what the branch-per-byte version computed, on every input.
func FuzzJSONLen(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x01\b\f\n\r\t", "é\u2028\u2029😀", "\xff\xc3(", "<&>\x7f", "\ufffd\xe2\x80", "a\x80\xbf\xf4\x90\x80\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := buf.Len() - 1 // the newline
		got := jsonLen(s)
		if old := jsonLenBranches(s); got != old {
			t.Fatalf("jsonLen(%q) = %d, the branch-per-byte version %d", s, got, old)
		}
		exact := !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' })
		if got < want || exact && got != want {
			t.Fatalf("jsonLen(%q) = %d, encoding/json writes %d bytes", s, got, want)
		}
	})
}

// TestRecordLimit checks that a node within every field limit but over
// MaxRecordBytes as JSON is refused, at the field that crosses the limit,
// and that the charge is close to the real size for text-heavy records.
func TestRecordLimit(t *testing.T) {
	quote := strings.Repeat("\x01", MaxTextLen) // 60,002 bytes as JSON
	c := &Claim{ID: "claim:c", Text: "c"}
	var err error
	for i := 0; err == nil && i < MaxListLen; i++ {
		c.Appearances = append(c.Appearances, Appearance{Report: "report:r" + itoa(i), Quote: quote, Mode: ModeParaphrase})
		err = c.Validate()
	}
	n := len(c.Appearances)
	want := "appearances[" + itoa(n-1) + "].quote: takes the record over 16777216 bytes as JSON"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	if min := MaxRecordBytes / jsonLen(quote) * 99 / 100; n-1 < min {
		t.Fatalf("only %d appearances of %d bytes validate, want at least %d", n-1, jsonLen(quote), min)
	}
}

// BenchmarkJSONLen measures the size charge of a typical quote, with the
// table and with a branch per byte.
func BenchmarkJSONLen(b *testing.B) {
	s := strings.Repeat("Qatari diplomats intend to review a new training mission as early as next month. ", 3)
	b.Run("Table", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			jsonLen(s)
		}
	})
	b.Run("Branches", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			jsonLenBranches(s)
		}
	})
}
