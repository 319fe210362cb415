package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// buildHearsay builds the binary once per test.
func buildHearsay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hearsay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// graphState is what a database holds, for all-or-nothing comparisons.
func graphState(t *testing.T, dir string) (graph.Stats, store.CheckReport) {
	t.Helper()
	opt := store.DefaultOptions(dir)
	opt.ReadOnly = true
	db, err := store.Open(opt)
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.Check(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return st, rep
}

// TestKill9_Load kills 'hearsay load' with SIGKILL at random moments, over
// and over, for each way a file is loaded (a bulk NDJSON file, a bulk JSON
// document, a file small enough for one transaction), on a database that
// already holds the seed. After every kill the database opens, checks
// clean, and holds either the seed alone or the seed and the whole file.
func TestKill9_Load(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	var big bytes.Buffer
	if _, err := fixtures.Generate(&big, fixtures.GenOptions{Edges: 25_000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	// The same dataset as one JSON document: hearsay's own export.
	bigPath, docPath := filepath.Join(work, "big.ndjson"), filepath.Join(work, "big.json")
	if err := os.WriteFile(bigPath, big.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "export")
	mustRun(t, "load", "--db", tmp, bigPath)
	mustRun(t, "export", "--db", tmp, docPath)
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var small bytes.Buffer
	if _, err := fixtures.Generate(&small, fixtures.GenOptions{Edges: 3_000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name, method string
		data         []byte
	}{
		{"big.ndjson", "bulk", big.Bytes()},
		{"big.json", "bulk", doc},
		{"small.ndjson", "txn", small.Bytes()},
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	const kills = 5
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(work, f.name)
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			fresh := func() string {
				db := filepath.Join(t.TempDir(), "db")
				mustRun(t, "load", "--db", db, seedFile)
				return db
			}
			// One load to the end: how long it takes and what it leaves.
			db := fresh()
			before, _ := graphState(t, db)
			start := time.Now()
			if out, err := exec.Command(bin, "load", "--method", f.method, "--db", db, path).CombinedOutput(); err != nil {
				t.Fatalf("full load: %v\n%s", err, out)
			}
			took := time.Since(start)
			after, rep := graphState(t, db)
			if rep.Total != 0 || after == before {
				t.Fatalf("full load: %d problems, stats %+v", rep.Total, after)
			}
			outcomes := map[string]int{}
			for i := range kills {
				db := fresh()
				cmd := exec.Command(bin, "load", "--method", f.method, "--db", db, path)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				delay := time.Duration(rng.Int64N(int64(took + took/4)))
				time.Sleep(delay)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				st, rep := graphState(t, db)
				if rep.Total != 0 {
					t.Fatalf("kill %d after %s: %d problems: %v", i, delay, rep.Total, rep.Problems)
				}
				switch st {
				case before:
					outcomes["none"]++
				case after:
					outcomes["all"]++
				default:
					t.Fatalf("kill %d after %s: the database holds %+v, neither the seed %+v nor all %+v", i, delay, st, before, after)
				}
				// The database takes the load after the crash.
				if i == kills-1 {
					if out, err := exec.Command(bin, "load", "--method", f.method, "--db", db, path).CombinedOutput(); err != nil {
						t.Fatalf("load after a kill: %v\n%s", err, out)
					}
					if st, rep := graphState(t, db); st != after || rep.Total != 0 {
						t.Fatalf("load after a kill: %+v, %d problems", st, rep.Total)
					}
				}
			}
			t.Logf("%s: full load %s; %d kills: %v", f.name, took.Round(time.Millisecond), kills, outcomes)
		})
	}
}
