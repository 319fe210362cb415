package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// matchDataset is hand-written claims to match against.
const matchDataset = `{"kind":"dataset","format":"hearsay/v1","id":"match-test"}
{"kind":"claim","id":"claim:gitmo","text":"122 detainees released from Guantanamo Bay under President Obama re-engaged in terrorism."}
{"kind":"claim","id":"claim:charlotte","text":"70 per cent of the people arrested in the Charlotte protests had out-of-state IDs."}
{"kind":"claim","id":"claim:wall","text":"Mexico will pay for the border wall."}
`

func mustMatchDB(t *testing.T) (db, dir string) {
	t.Helper()
	dir = t.TempDir()
	data := filepath.Join(dir, "claims.ndjson")
	if err := os.WriteFile(data, []byte(matchDataset), 0o644); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "db")
	mustRun(t, "load", "--db", db, "--quiet", seedFile, data)
	return db, dir
}

// TestMatch_CLI: one text prints RANK SCORE ID TEXT lines, best first; a
// queries file prints TREC run lines per query.
func TestMatch_CLI(t *testing.T) {
	db, dir := mustMatchDB(t)
	out := mustRun(t, "match", "--db", db, "--top", "2", "Obama let 122 Guantanamo prisoners go and they returned to terrorism")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Only claims sharing a word with the text are ranked: at most two
	// lines, the Guantanamo claim first.
	if len(lines) == 0 || len(lines) > 2 || !strings.HasPrefix(lines[0], "1 ") || !strings.Contains(lines[0], " claim:gitmo 122 detainees released") ||
		(len(lines) == 2 && !strings.HasPrefix(lines[1], "2 ")) {
		t.Errorf("match printed:\n%s", out)
	}

	queries := filepath.Join(dir, "q.tsv")
	q := "\ttweet_content\n" +
		"q1\tMexico is paying for the wall, he says\n" +
		"q2\t\"Charlotte \"\"protesters\"\" arrested were 70% out of state\"\r\n" +
		"\n" +
		"q3\tzebra quokka xylophone\n"
	if err := os.WriteFile(queries, []byte(q), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "match", "--db", db, "--queries", queries, "--top", "3")
	byQuery := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 6 || f[1] != "Q0" || f[5] != "hearsay" {
			t.Fatalf("not a TREC run line: %q", l)
		}
		if want := string(rune('0' + len(byQuery[f[0]]) + 1)); f[3] != want {
			t.Errorf("line %q: rank %s, want %s", l, f[3], want)
		}
		byQuery[f[0]] = append(byQuery[f[0]], f[2])
	}
	if got := byQuery["q1"]; len(got) == 0 || got[0] != "claim:wall" {
		t.Errorf("q1 ranks %v, want claim:wall first", got)
	}
	if got := byQuery["q2"]; len(got) == 0 || got[0] != "claim:charlotte" {
		t.Errorf("q2 ranks %v, want claim:charlotte first", got)
	}
	if got := byQuery["q3"]; len(got) != 0 {
		t.Errorf("q3 shares no word with any claim, but ranks %v", got)
	}
}

func TestMatch_CLIErrors(t *testing.T) {
	db, dir := mustMatchDB(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name    string
		content string
		want    string
	}{
		{"notab.tsv", "id\ttext\nq1\tfine\nq2 no tab here\n", "notab.tsv:3: no tab"},
		{"dup.tsv", "id\ttext\nq1\tone\nq1\ttwo\n", `dup.tsv:3: the query ID "q1" is given twice (first on line 2)`},
		{"empty.tsv", "id\ttext\nq1\t  ...  \n", "empty.tsv:2: text: is required"},
		{"long.tsv", "id\ttext\nq1\t" + strings.Repeat("word ", maxQueryLine/5+10) + "\n", "long.tsv:2: the line is over"},
		{"spaceid.tsv", "id\ttext\nq 1\ttext\n", "spaceid.tsv:2: the query ID"},
		{"header.tsv", "id\ttext\n", "no queries after the header line"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a bad queries file prints nothing, exits 1 and names the line.
			code, out, errOut := hearsay(t, "match", "--db", db, "--queries", write(tt.name, tt.content))
			if code != exitError || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, tt.want)
			}
		})
	}
	for _, args := range [][]string{
		{"match", "--db", db},
		{"match", "--db", db, "--top", "0", "text"},
		{"match", "--db", db, "--top", "101", "text"},
		{"match", "--db", db, "one", "two"},
		{"match", "--db", db, "--queries", "x.tsv", "text"},
		{"match", "--db", db, "!!!"},
	} {
		// Ensure a bad command line exits 2.
		if code, _, errOut := hearsay(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errOut, exitUsage)
		}
	}
	if code, _, errOut := hearsay(t, "match", "--db", filepath.Join(dir, "none"), "text"); code != exitError || !strings.Contains(errOut, "no database") {
		t.Errorf("no database: exit %d, %s", code, errOut)
	}
}

// TestCheck_CLIMatchIndex: a posting of the claim match index altered
// under hearsay's feet is found by check, named, and repaired.
func TestCheck_CLIMatchIndex(t *testing.T) {
	db, _ := mustMatchDB(t)
	// 0x06 is store's posting family tag (store/keys.go, append only,
	// pinned by its golden file); see TestCheck_CLI.
	cur, err := os.ReadFile(filepath.Join(db, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := badger.Open(badger.DefaultOptions(filepath.Join(db, strings.TrimSpace(string(cur)))).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{0x06}})
		it.Rewind()
		if !it.Valid() {
			it.Close()
			return errors.New("no posting keys")
		}
		k := it.Item().KeyCopy(nil)
		it.Close()
		return txn.Delete(k)
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("damage: %v", err)
	}
	code, out, _ := hearsay(t, "check", "--db", db)
	// The first posting is the only one of its term, so the term's claim
	// count no longer agrees either: two problems.
	if code != exitError || !strings.Contains(out, "the claim match index has no posting of the term") ||
		!strings.Contains(out, "but no claim holds the term") || !strings.Contains(out, "2 problems found") {
		t.Errorf("damaged check: exit %d\n%s", code, out)
	}
	if out := mustRun(t, "check", "--db", db, "--repair"); !strings.Contains(out, "0 problems left") {
		t.Errorf("repair said:\n%s", out)
	}
	if out := mustRun(t, "check", "--db", db); !strings.Contains(out, "no problems") {
		t.Errorf("after repair:\n%s", out)
	}
}

// TestExtract_Matches: with --db, the proposal's review section names, for
// each proposed claim, the stored claims that may say the same; the
// proposal stays loadable; --matches 0 adds none.
func TestExtract_Matches(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	mustRun(t, "load", "--db", db, "--quiet", seedFile)
	article := filepath.Join("..", "..", "fixtures", "extract", "testdata", "seed-article.txt")
	out := mustRun(t, "extract", "--db", db, article)
	var doc struct {
		Claims []struct{ ID string }
		Review []struct{ Record, Note string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	claims := map[string]bool{}
	for _, c := range doc.Claims {
		claims[c.ID] = true
	}
	n := 0
	for _, r := range doc.Review {
		if strings.HasPrefix(r.Note, "may say what the stored claim:") {
			n++
			if !claims[r.Record] || !strings.Contains(r.Note, "(match score ") {
				t.Errorf("match note %+v", r)
			}
		}
	}
	if n == 0 {
		t.Errorf("no match notes in a proposal of the seed's own article:\n%s", out)
	}
	prop := filepath.Join(t.TempDir(), "prop.json")
	if err := os.WriteFile(prop, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "load", "--db", db, "--quiet", prop)
	if out := mustRun(t, "extract", "--db", db, "--matches", "0", article); strings.Contains(out, "may say what the stored") {
		t.Error("--matches 0 still notes matches")
	}
	if code, _, _ := hearsay(t, "extract", "--db", db, "--matches", "-1", article); code != exitUsage {
		t.Errorf("--matches -1: exit %d", code)
	}
}

// FuzzQueries reads any queries file: it is refused with an error naming
// a line, or every query it gives has a valid ID, a text a query takes,
// and came from the line it names.
func FuzzQueries(f *testing.F) {
	f.Add("\ttweet_content\nq1\tMexico will pay for the wall\n")
	f.Add("id\ttext\nq2\t\"Charlotte \"\"protesters\"\" arrested\"\r\n\nq3\tzebra\n")
	f.Add("h\nq1\tx\nq1\ty\n")
	f.Add("h\n\tno id\nq\t\n")
	f.Fuzz(func(t *testing.T, data string) {
		e := &env{ctx: context.Background(), stdin: strings.NewReader(data)}
		qs, err := e.readQueries("-")
		if err != nil {
			if graph.ErrorCode(err) != graph.EINVALID && !strings.Contains(err.Error(), "-:") {
				t.Fatalf("error %v is neither EINVALID nor names a line", err)
			}
			return
		}
		lines := strings.Split(data, "\n")
		seen := map[string]bool{}
		for _, q := range qs {
			if q.id == "" || len(q.id) > maxQueryID || seen[q.id] {
				t.Fatalf("query ID %q", q.id)
			}
			seen[q.id] = true
			if _, err := graph.CheckMatchQuery(q.text, 1); err != nil {
				t.Fatalf("query %q: text %q: %v", q.id, q.text, err)
			}
			if q.line < 2 || q.line > len(lines) || !strings.HasPrefix(lines[q.line-1], q.id+"\t") {
				t.Fatalf("query %q names line %d", q.id, q.line)
			}
		}
	})
}
