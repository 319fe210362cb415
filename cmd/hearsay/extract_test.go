package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hearsay/fixtures"
	"hearsay/fixtures/extract"
	"hearsay/store/storetest"
)

var seedArticle = filepath.Join("..", "..", "fixtures", "extract", "testdata", "seed-article.txt")

func TestExtract_SeedLoads(t *testing.T) {
	// Ensure the seed article's proposal loads as it is, and that with
	// --db the sources already in the graph are reused, not proposed.
	out := mustRun(t, "extract", "--outlet", "outlet:euromaidanpress", "--published", "2025", seedArticle)
	db := storetest.Open(t)
	if _, err := fixtures.Load(context.Background(), db, "proposal.json", strings.NewReader(out), fixtures.Options{}); err != nil {
		t.Fatalf("the proposal does not load: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "db")
	mustRun(t, "load", "--db", dir, seedFile)
	out = mustRun(t, "extract", "--db", dir, "--outlet", "outlet:euromaidanpress", "--report", "report:new", seedArticle)
	var doc struct {
		Outlets   []struct{ ID string } `json:"outlets"`
		Officials []struct{ ID string } `json:"officials"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, o := range doc.Outlets {
		if o.ID == "outlet:telegraph" || o.ID == "outlet:euromaidanpress" {
			t.Errorf("%s is in the graph but proposed again", o.ID)
		}
	}
	for _, o := range doc.Officials {
		if o.ID == "official:keir-starmer" || o.ID == "official:donald-trump" {
			t.Errorf("%s is in the graph but proposed again", o.ID)
		}
	}
	mustRun(t, "load", "--db", dir, writeTemp(t, "p.json", out))
}

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExtract_Citron(t *testing.T) {
	// Ensure --format citron prints the text and spans in code points.
	text := "“Ça va,” said Zoë 🙂. Officials said the talks failed."
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"extract", "--format", "citron", "-"}, strings.NewReader(text), &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var c extract.Citron
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	runes := []rune(c.Text)
	if c.Text != text {
		t.Fatalf("text %q", c.Text)
	}
	for _, q := range c.Quotes {
		for _, s := range append(append([]extract.Span{q.Cue}, q.Sources...), q.Contents...) {
			if s.Start < 0 || s.End > len(runes) || string(runes[s.Start:s.End]) != s.Text {
				t.Errorf("span %+v is not the text's code points [%d, %d)", s, s.Start, s.End)
			}
		}
	}
}

func TestExtract_BadInput(t *testing.T) {
	// Ensure each bad input is refused with a clear error, a non-zero
	// exit and nothing on stdout.
	big := writeTemp(t, "big.txt", strings.Repeat("Officials said it. ", 600_000)) // 11 MB
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"NotUTF8", []string{"-"}, "The minister said \xff it.", "byte offset 18"},
		{"Empty", []string{"-"}, "", "the text is empty"},
		{"WhiteSpace", []string{"-"}, " \n\t\n", "the text is empty"},
		{"NUL", []string{"-"}, "abc\x00def", "binary"},
		{"Control", []string{"-"}, "a\x01\x02\x03\x04b", "binary"},
		{"TooBig", []string{big}, "", "over the limit of 4194304 bytes"},
		{"MaxBytes", []string{"--max-bytes", "10", "-"}, "Officials said the talks failed.", "over the limit of 10 bytes"},
		{"BadOutlet", []string{"--outlet", "telegraph", "-"}, "x", "--outlet"},
		{"BadReport", []string{"--report", "outlet:x", "-"}, "x", "--report"},
		{"BadDate", []string{"--published", "25 April", "-"}, "x", "--published"},
		{"BadFormat", []string{"--format", "xml", "-"}, "x", "--format"},
		{"NoFile", []string{}, "", "name one text file"},
		{"Missing", []string{"no-such-file.txt"}, "", "no-such-file.txt"},
		{"NoDB", []string{"--db", filepath.Join(t.TempDir(), "none"), "-"}, "Officials said so.", "no database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"extract"}, c.args...), strings.NewReader(c.stdin), &out, &errOut)
			if code == exitOK || out.Len() != 0 || !strings.Contains(errOut.String(), c.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want an error with %q", code, out.String(), errOut.String(), c.want)
			}
		})
	}
}
