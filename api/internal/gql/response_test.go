package gql

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzWriteJSONString checks the hand-written string encoder against
// encoding/json: the same string must come back when decoded.
func FuzzWriteJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ slash`, "tab\tnew\nline\r", "\x00\x1f\x7f",
		"curly “quotes” – dash", "\u2028\u2029", "bad \xff utf8", "<script>&</script>", "emoji 🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Ensure the encoding is valid JSON that decodes to the string as
		// encoding/json reads it (invalid UTF-8 becomes U+FFFD in both).
		var buf bytes.Buffer
		WriteJSONString(&buf, s)
		var got string
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, buf.Bytes(), err)
		}
		want, _ := json.Marshal(s)
		var wantS string
		_ = json.Unmarshal(want, &wantS)
		if got != wantS {
			t.Fatalf("%q: got %q, want %q", s, got, wantS)
		}
	})
}
