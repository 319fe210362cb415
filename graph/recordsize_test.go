package graph

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzJSONLen: the size Validate charges a text is never less than what
// encoding/json writes for it (without HTML escaping, as the export
// does), and equal to it when s has no control characters but \n, \r, \t.
func FuzzJSONLen(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x01\b\f\n\r\t", "é\u2028\u2029😀", "\xff\xc3(", "<&>\x7f"} {
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
