package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crFile is a ClaimReview file of fixtures/claimreview's tests.
func crFile(name string) string {
	return filepath.Join("..", "..", "fixtures", "claimreview", "testdata", name)
}

func TestLoad_ClaimReview(t *testing.T) {
	dir := t.TempDir()
	files := []string{crFile("object.json"), crFile("array.json"), crFile("graph.json")}
	// Ensure ClaimReview files are told from hearsay/v1 by content and
	// load, in one transaction and bulk alike, to the same graph, and a
	// second load changes nothing.
	txn, bulk := filepath.Join(dir, "txn"), filepath.Join(dir, "bulk")
	out := mustRun(t, append([]string{"load", "--db", txn}, files...)...)
	if !strings.Contains(out, "object.json: 4 outlets, 1 official, 3 reports, 1 claim") {
		t.Errorf("load printed %q", out)
	}
	mustRun(t, append([]string{"load", "--db", bulk, "--method", "bulk"}, files...)...)
	first := mustRun(t, "export", "--db", txn)
	if other := mustRun(t, "export", "--db", bulk); other != first {
		t.Fatalf("bulk and transaction loads differ:\n%s\n----\n%s", first, other)
	}
	for _, db := range []string{txn, bulk} {
		mustRun(t, append([]string{"load", "--db", db, "--method", "bulk"}, files...)...)
		mustRun(t, append([]string{"load", "--db", db}, files...)...)
		if again := mustRun(t, "export", "--db", db); again != first {
			t.Fatal("loading the same reviews again changed the graph")
		}
	}
	// Ensure a bad ClaimReview file exits 1 naming its JSON path, and
	// changes nothing, by either method.
	bad := filepath.Join(dir, "bad.json")
	data, err := os.ReadFile(crFile("object.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("["+string(data)+","+strings.Replace(string(data), `"2020-03-05"`, `"2020-03-32"`, 1)+"]"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"txn", "bulk"} {
		code, _, errOut := hearsay(t, "load", "--db", txn, "--method", method, bad)
		if code != exitError || !strings.Contains(errOut, `bad.json: $[1].datePublished: "2020-03-32" is not a date`) {
			t.Errorf("%s: exit %d, stderr %q", method, code, errOut)
		}
		if after := mustRun(t, "export", "--db", txn); after != first {
			t.Fatalf("%s: the rejected file changed the graph", method)
		}
	}
}

func TestExport_ClaimReview(t *testing.T) {
	dir := t.TempDir()
	db1, db2 := filepath.Join(dir, "db1"), filepath.Join(dir, "db2")
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	// Ensure load → export → load into an empty database → export gives
	// the same bytes and the same graph through the command line.
	mustRun(t, "load", "--db", db1, crFile("object.json"), crFile("array.json"), crFile("graph.json"))
	mustRun(t, "export", "--db", db1, "--format", "claimreview", a)
	mustRun(t, "load", "--db", db2, a)
	mustRun(t, "export", "--db", db2, "--format", "claimreview", b)
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.HasPrefix(ab, []byte(`{"@context": "https://schema.org", "@graph": [`)) || bytes.Count(ab, []byte(`"@type":"ClaimReview"`)) != 6 || !bytes.Equal(ab, bb) {
		t.Fatalf("exports differ or are wrong:\n%s\n----\n%s", ab, bb)
	}
	if g1, g2 := mustRun(t, "export", "--db", db1), mustRun(t, "export", "--db", db2); g1 != g2 {
		t.Fatalf("the graph changed on the round trip:\n%s\n----\n%s", g1, g2)
	}
	// Ensure standard output gets the same document, and bad flags are
	// usage errors.
	if out := mustRun(t, "export", "--db", db1, "--format", "claimreview"); out != string(ab) {
		t.Error("standard output differs from the file")
	}
	for _, args := range [][]string{{"--format", "stix2"}, {"--format", "claimreview", "--ndjson"}} {
		if code, _, _ := hearsay(t, append([]string{"export", "--db", db1}, args...)...); code != exitUsage {
			t.Errorf("export %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	// Ensure reviews without a URL are left out with a note.
	nourl := filepath.Join(dir, "nourl.json")
	if err := os.WriteFile(nourl, []byte(`{"format": "hearsay/v1", "claims": [{"id": "claim:n", "text": "N.", "reviews": [{"verdict": "TRUE", "reviewedBy": "X"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "load", "--db", db1, nourl)
	code, _, errOut := hearsay(t, "export", "--db", db1, "--format", "claimreview", filepath.Join(dir, "c.json"))
	if code != exitOK || !strings.Contains(errOut, "export: 1 review without an http(s) url left out") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
