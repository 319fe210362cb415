package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hearsay/fixtures/synth"
)

func TestGen(t *testing.T) {
	var want bytes.Buffer
	st, err := synth.Generate(&want, synth.Options{Edges: 2_000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "gen.ndjson")
	if code, _, errOut := hearsay(t, "gen", "--edges", "2000", "--seed", "5", "--out", file); code != exitOK {
		t.Fatalf("gen: exit %d\n%s", code, errOut)
	}

	// Ensure --out writes the dataset of Generate, whole, and nothing else
	// in its directory.
	t.Run("File", func(t *testing.T) {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("the file (%d bytes) differs from Generate's output (%d bytes)", len(got), want.Len())
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("the directory holds %d entries, want the file alone", len(entries))
		}
	})

	// Ensure without --out the dataset goes to standard output and the
	// summary to standard error.
	t.Run("Stdout", func(t *testing.T) {
		code, out, errOut := hearsay(t, "gen", "--edges", "2000", "--seed", "5")
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if out != want.String() {
			t.Fatal("standard output differs from Generate's output")
		}
		if !strings.Contains(errOut, "edges") {
			t.Fatalf("standard error %q, want a summary", errOut)
		}
		if _, out, errOut := hearsay(t, "gen", "--edges", "2000", "--seed", "5", "--quiet"); out != want.String() || errOut != "" {
			t.Fatalf("--quiet wrote %q to standard error", errOut)
		}
	})

	// Ensure the file loads and the database counts the edges Generate did.
	t.Run("Load", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "db")
		mustRun(t, "load", "--db", db, file)
		var s map[string]int
		if err := json.Unmarshal([]byte(mustRun(t, "stats", "--db", db, "--json")), &s); err != nil {
			t.Fatal(err)
		}
		if s["edges"] != st.Edges || s["reports"] != st.Reports || s["claims"] != st.Claims {
			t.Fatalf("stats %v, Generate counted %+v", s, st)
		}
	})
}

func TestGen_ErrUsage(t *testing.T) {
	// Ensure bad flags exit with the usage code and write nothing.
	for _, args := range [][]string{
		{"gen"},
		{"gen", "--edges", "0"},
		{"gen", "--edges", "-5"},
		{"gen", "--edges", "abc"},
		{"gen", "--edges", "1.5"},
		{"gen", "--edges", "99999999999"},
		{"gen", "--edges", "10", "--seed", "-1"},
		{"gen", "--edges", "10", "--seed", "x"},
		{"gen", "--edges", "10", "extra"},
		{"gen", "--edges", "10", "--nope"},
	} {
		code, out, errOut := hearsay(t, args...)
		if code != exitUsage {
			t.Errorf("hearsay %v: exit %d, want %d (%s)", args, code, exitUsage, errOut)
		}
		if out != "" {
			t.Errorf("hearsay %v wrote %d bytes to standard output", args, len(out))
		}
	}
}

func TestGen_ErrOut(t *testing.T) {
	// Ensure an unwritable --out fails with exit code 1.
	file := filepath.Join(t.TempDir(), "missing", "gen.ndjson")
	if code, _, errOut := hearsay(t, "gen", "--edges", "100", "--out", file); code != exitError {
		t.Fatalf("exit %d, want %d (%s)", code, exitError, errOut)
	}

	// Ensure an interrupted gen leaves no file behind.
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"gen", "--edges", "200000", "--out", filepath.Join(dir, "gen.ndjson")}, strings.NewReader(""), &out, &errOut)
	if code != exitError || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q; want %d and interrupted", code, errOut.String(), exitError)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the directory holds %d entries after an interrupted gen", len(entries))
	}
}

func TestGen_Pipe(t *testing.T) {
	// Ensure --out naming a pipe writes into it and leaves it a pipe, as
	// /dev/null must stay a device: no temporary file is renamed over it.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan int64, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- -1
			return
		}
		defer f.Close()
		n, _ := io.Copy(io.Discard, f)
		got <- n
	}()
	code, _, errOut := hearsay(t, "gen", "--edges", "500", "--out", fifo)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if n := <-got; n <= 0 {
		t.Fatalf("read %d bytes from the pipe", n)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("after gen the pipe is %v (%v)", fi.Mode(), err)
	}

	// Ensure a directory is refused.
	if code, _, _ := hearsay(t, "gen", "--edges", "10", "--out", t.TempDir()); code != exitError {
		t.Fatalf("--out DIR: exit %d, want %d", code, exitError)
	}
}
