package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"hearsay/api"
	"hearsay/fixtures"
)

// TestBackupRestore_CLI: backup of a database no one holds, restore into a
// new directory, the same export; a bad backup file is refused and leaves
// the target empty; a database held by another process names the way
// through the server.
func TestBackupRestore_CLI(t *testing.T) {
	work := t.TempDir()
	db, file, restored := filepath.Join(work, "db"), filepath.Join(work, "b.backup"), filepath.Join(work, "restored")
	mustRun(t, "load", "--db", db, seedFile)
	if out := mustRun(t, "backup", "--db", db, file); !strings.Contains(out, "checksum verified") {
		t.Errorf("backup said %q", out)
	}
	if out := mustRun(t, "restore", "--db", restored, file); !strings.Contains(out, "25 claims") {
		t.Errorf("restore said %q", out)
	}
	a, b := filepath.Join(work, "a.json"), filepath.Join(work, "b.json")
	mustRun(t, "export", "--db", db, a)
	mustRun(t, "export", "--db", restored, b)
	ea, _ := os.ReadFile(a)
	eb, _ := os.ReadFile(b)
	if len(ea) == 0 || string(ea) != string(eb) {
		t.Errorf("the restored database exports differently (%d and %d bytes)", len(ea), len(eb))
	}
	if code, _, stderr := hearsay(t, "restore", "--db", restored, file); code != exitError ||
		!strings.Contains(stderr, "not empty") || !strings.Contains(stderr, "--replace") {
		t.Errorf("restore over a database: exit %d, %s", code, stderr)
	}
	data, _ := os.ReadFile(file)
	cut := filepath.Join(work, "cut.backup")
	if err := os.WriteFile(cut, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(work, "empty")
	if code, _, stderr := hearsay(t, "restore", "--db", empty, cut); code != exitError || !strings.Contains(stderr, "not a complete hearsay backup") {
		t.Errorf("restore of a cut file: exit %d, %s", code, stderr)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a failed restore left %d entries", len(entries))
	}
}

// TestBackup_WhileServing: with the server running and taking writes,
// 'hearsay backup' goes through it (found in the database directory, with
// the write token); the restored database, served, gives the same answers
// to the same queries.
func TestBackup_WhileServing(t *testing.T) {
	work := t.TempDir()
	db, file, restored, tokenFile := filepath.Join(work, "db"), filepath.Join(work, "live.backup"),
		filepath.Join(work, "restored"), filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte("backup-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	live := startServe(t, "--db", db, "--write-token-file", tokenFile)
	live.post(t, "backup-token", `mutation { createOutlet(input: {id: "outlet:before-backup", name: "Before"}) { id } }`, nil).mustData(t, nil)

	// Without the token the server refuses, and says why.
	t.Setenv("HEARSAY_WRITE_TOKEN", "")
	if code, _, stderr := hearsay(t, "backup", "--db", db, file); code != exitError || !strings.Contains(stderr, "write token") {
		t.Errorf("backup without a token: exit %d, %s", code, stderr)
	}
	if code, _, stderr := hearsay(t, "backup", "--db", db, "--token-file", filepath.Join(work, "nope"), file); code != exitError {
		t.Errorf("backup with a missing token file: exit %d, %s", code, stderr)
	}
	// Writes go on during the backup.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			live.post(t, "backup-token", fmt.Sprintf(`mutation { createOutlet(input: {id: "outlet:during-%d", name: "During"}) { id } }`, i), nil)
		}
	}()
	out := mustRun(t, "backup", "--db", db, "--token-file", tokenFile, file)
	<-done
	if !strings.Contains(out, "through http://127.0.0.1") || !strings.Contains(out, "checksum verified") {
		t.Errorf("backup said %q", out)
	}
	mustRun(t, "restore", "--db", restored, file)
	back := startServe(t, "--db", restored, "--no-seed")
	queries := []string{
		`{ claim(id: "` + fixtures.SeedClaim + `") { text chains { hops { report { title } outlet { name reliability } mode quote } terminal origin { __typename } confidence } } }`,
		`{ claim(id: "claim:us-offers-security-guarantees") { independentOrigins { min max } credibility { grade label why } } }`,
		`{ outlet(id: "outlet:before-backup") { name } }`,
		`{ claims(first: 100, filter: {search: "security"}) { totalCount edges { cursor node { id } } } }`,
	}
	for _, q := range queries {
		a, b := live.post(t, "", q, nil), back.post(t, "", q, nil)
		if a.status != 200 || string(a.body) != string(b.body) {
			t.Errorf("%s\nlive:     %s\nrestored: %s", q, a.body, b.body)
		}
	}
	// The backup is one snapshot: of the outlets written one after the
	// other while it ran, it holds those written before some moment, and
	// none after.
	held := 0
	for i := range 20 {
		a := back.post(t, "", fmt.Sprintf(`{ outlet(id: "outlet:during-%d") { id } }`, i), nil)
		switch has := !strings.Contains(string(a.body), `"outlet":null`); {
		case has && held == i:
			held++
		case has:
			t.Errorf("the backup holds outlet:during-%d but not outlet:during-%d: not one snapshot", i, held)
		}
	}
	t.Logf("the backup holds the first %d of the 20 outlets written while it ran", held)
}

// TestBackup_StaleServerURL: when server.url names an address where
// another program now listens, 'hearsay backup' refuses before it sends
// the write token, because that program cannot answer the challenge with
// the key in server.key (api/identity.go).
func TestBackup_StaleServerURL(t *testing.T) {
	work := t.TempDir()
	db, file, tokenFile := filepath.Join(work, "db"), filepath.Join(work, "b.backup"), filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte("backup-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	startServe(t, "--db", db, "--write-token-file", tokenFile)
	var tokens atomic.Int32
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			tokens.Add(1)
		}
		w.Header().Set(api.HeaderProof, strings.Repeat("ab", 32)) // a guess
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer impostor.Close()
	urlFile, keyFile := filepath.Join(db, serverURLFile), filepath.Join(db, serverKeyFile)
	if err := os.WriteFile(urlFile, []byte(impostor.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := hearsay(t, "backup", "--db", db, "--token-file", tokenFile, file)
	if code != exitError || !strings.Contains(stderr, "not the server holding this database") || !strings.Contains(stderr, "not sent") {
		t.Errorf("backup through an impostor: exit %d, %s", code, stderr)
	}
	// Without the key there is nothing to check with: refused too.
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := hearsay(t, "backup", "--db", db, "--token-file", tokenFile, file); code != exitError || !strings.Contains(stderr, "no server.key") {
		t.Errorf("backup without server.key: exit %d, %s", code, stderr)
	}
	if n := tokens.Load(); n != 0 {
		t.Errorf("the write token was sent to the impostor %d times", n)
	}
	if _, err := os.Stat(file); err == nil {
		t.Errorf("a refused backup left %s", file)
	}
}

// TestRestoreReplace_CLI: 'restore --replace' replaces a database whole
// with another's backup (the same export after), refuses a cut backup and
// leaves the database as it was, and refuses a database a process holds.
func TestRestoreReplace_CLI(t *testing.T) {
	work := t.TempDir()
	src, target, file := filepath.Join(work, "src"), filepath.Join(work, "target"), filepath.Join(work, "src.backup")
	mustRun(t, "load", "--db", src, seedFile)
	gen := filepath.Join(work, "gen.ndjson")
	mustRun(t, "gen", "--edges", "2000", "--seed", "7", "--out", gen)
	mustRun(t, "load", "--db", src, gen)
	mustRun(t, "backup", "--db", src, file)
	mustRun(t, "load", "--db", target, seedFile)
	export := func(db string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "export.json")
		mustRun(t, "export", "--db", db, out)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	before, want := export(target), export(src)
	if before == want {
		t.Fatal("the two databases export alike: the test shows nothing")
	}

	data, _ := os.ReadFile(file)
	cut := filepath.Join(work, "cut.backup")
	if err := os.WriteFile(cut, data[:len(data)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := hearsay(t, "restore", "--replace", "--db", target, cut); code != exitError || !strings.Contains(stderr, "not a complete hearsay backup") {
		t.Errorf("restore --replace of a cut file: exit %d, %s", code, stderr)
	}
	if export(target) != before {
		t.Error("a refused restore --replace changed the database")
	}
	mustRun(t, "check", "--db", target)

	if out := mustRun(t, "restore", "--replace", "--db", target, file); !strings.Contains(out, "restored") {
		t.Errorf("restore --replace said %q", out)
	}
	if export(target) != want {
		t.Error("after restore --replace the database does not export as the backup's source")
	}
	mustRun(t, "check", "--db", target)

	// A database a server holds is not replaced under it.
	startServe(t, "--db", target, "--no-seed")
	if code, _, stderr := hearsay(t, "restore", "--replace", "--db", target, file); code != exitError || !strings.Contains(stderr, "in use") {
		t.Errorf("restore --replace of a held database: exit %d, %s", code, stderr)
	}
}
