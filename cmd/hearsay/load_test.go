package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoad_AutoFallsBackToBulk: a file under the transaction limit whose
// keys one transaction cannot hold (thousands of short claims, each with
// its match index postings) is refused whole by --method txn, and loaded
// by auto through a bulk load instead, exactly (check is clean).
func TestLoad_AutoFallsBackToBulk(t *testing.T) {
	// Words made afresh are nearly all distinct: each is a posting list
	// of its own, a key in the search and the match index, so that 1 MB
	// of claims is more keys than one transaction takes.
	r := rand.New(rand.NewPCG(7, 8))
	word := func() string {
		b := make([]byte, 3+r.IntN(7))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		return string(b)
	}
	var data strings.Builder
	data.WriteString(`{"kind":"dataset","format":"hearsay/v1","id":"short-claims"}` + "\n")
	n := 0
	for data.Len() < txnLoadLimit-400 {
		text := make([]string, 10+r.IntN(21))
		for i := range text {
			text[i] = word()
		}
		fmt.Fprintf(&data, `{"kind":"claim","id":"claim:c%d","text":"%s"}`+"\n", n, strings.Join(text, " "))
		n++
	}
	file := filepath.Join(t.TempDir(), "short.ndjson")
	if err := os.WriteFile(file, []byte(data.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(t.TempDir(), "db")
	code, _, errOut := hearsay(t, "load", "--db", db, "--quiet", "--method", "txn", file)
	if code != exitError || !strings.Contains(errOut, "too large for one atomic transaction") {
		t.Fatalf("--method txn: exit %d, stderr %q; want the write refused as too large", code, errOut)
	}
	if out := mustRun(t, "stats", "--db", db); !strings.Contains(out, "claims     0") {
		t.Fatalf("a refused load wrote something:\n%s", out)
	}

	code, out, errOut := hearsay(t, "load", "--db", db, "--quiet", file)
	if code != exitOK || !strings.Contains(errOut, "bulk loading it into a new generation") ||
		!strings.Contains(out, fmt.Sprintf("%d claims", n)) {
		t.Fatalf("auto: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	mustRun(t, "check", "--db", db)
}
