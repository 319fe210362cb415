package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if code, _, stderr := hearsay(t, "restore", "--db", restored, file); code != exitError || !strings.Contains(stderr, "not empty") {
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
