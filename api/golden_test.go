package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite api/testdata/queries/*.golden.json from the server's answers")

// TestGolden posts every api/testdata/queries/<case>.graphql (with the
// variables of <case>.vars.json, if any) to a server holding the seed and
// compares the response body, indented by two spaces, byte for byte, with
// <case>.golden.json. Indenting keeps the server's key order and string
// escapes, so the comparison is as strict as one with the raw body, while a
// changed field shows on a line of its own in a diff. Run
// `go test ./api -update` to rewrite the golden files, and read the diff
// before committing it.
func TestGolden(t *testing.T) {
	s := MustServer(t)
	queries, err := filepath.Glob(filepath.Join("testdata", "queries", "*.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) < 8 {
		t.Fatalf("found %d golden queries, want at least 8", len(queries))
	}
	for _, path := range queries {
		name := strings.TrimSuffix(filepath.Base(path), ".graphql")
		t.Run(name, func(t *testing.T) {
			// Ensure the answer, indented, is the golden file, byte for byte.
			base := strings.TrimSuffix(path, ".graphql")
			query, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			req := Request{Query: string(query)}
			if vars, err := os.ReadFile(base + ".vars.json"); err == nil {
				if err := json.Unmarshal(vars, &req.Variables); err != nil {
					t.Fatalf("%s.vars.json: %v", base, err)
				}
			} else if !os.IsNotExist(err) {
				t.Fatal(err)
			}
			r := s.Post(t, "", req)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d:\n%s", r.Status, r.Body)
			}
			got := indent(t, r.Body)
			golden := base + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./api -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the answer (run go test ./api -update and review the diff)\n got: %s\nwant: %s",
					golden, got, want)
			}
		})
	}
}

// indent returns body indented by two spaces, one value or member a line,
// with a final newline: the form of the golden files.
func indent(t *testing.T, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, body)
	}
	b.WriteByte('\n')
	return b.Bytes()
}
