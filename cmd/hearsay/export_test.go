package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExport_Formats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	mustRun(t, "load", "--db", db, seedFile)

	// Ensure each format writes one JSON document, the same bytes twice,
	// to standard output and to a file alike.
	for _, format := range []string{"hearsay", "prov", "stix"} {
		t.Run(format, func(t *testing.T) {
			a := mustRun(t, "export", "--db", db, "--format", format)
			b := mustRun(t, "export", "--db", db, "--format", format)
			if a != b || len(a) < 1000 {
				t.Fatalf("two exports differ or are short (%d and %d bytes)", len(a), len(b))
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(a), &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			file := filepath.Join(t.TempDir(), "out.json")
			mustRun(t, "export", "--db", db, "--format", format, file)
			if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, []byte(a)) {
				t.Fatalf("the file differs from standard output (%v)", err)
			}
			// Written through a temporary file, it is still an ordinary
			// file others may read.
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o644 {
				t.Fatalf("the file's mode is %v (%v), want 0644", fi.Mode().Perm(), err)
			}
		})
	}

	// Ensure the formats are what they say: PROV-JSON sections, a STIX bundle.
	t.Run("Shapes", func(t *testing.T) {
		var p map[string]json.RawMessage
		if err := json.Unmarshal([]byte(mustRun(t, "export", "--db", db, "--format", "prov")), &p); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"prefix", "entity", "agent", "wasAttributedTo", "wasDerivedFrom", "specializationOf"} {
			if _, ok := p[s]; !ok {
				t.Errorf("PROV-JSON has no %s section", s)
			}
		}
		var s struct{ Type, ID string }
		if err := json.Unmarshal([]byte(mustRun(t, "export", "--db", db, "--format", "stix")), &s); err != nil {
			t.Fatal(err)
		}
		if s.Type != "bundle" || !strings.HasPrefix(s.ID, "bundle--") {
			t.Errorf("STIX export is %q %q, want a bundle", s.Type, s.ID)
		}
	})

	// Ensure a bad --format is a usage error listing the formats, and writes no file.
	t.Run("ErrFormat", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "out.json")
		code, out, errOut := hearsay(t, "export", "--db", db, "--format", "rdf", file)
		if code != exitUsage || out != "" || !strings.Contains(errOut, `unknown --format "rdf" (want one of claimreview, hearsay, prov, stix)`) {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Fatalf("a file was written: %v", err)
		}
	})
}
