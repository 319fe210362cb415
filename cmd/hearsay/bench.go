package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"hearsay/cmd/hearsay/internal/bench"
	"hearsay/fixtures/synth"
)

// cmdBench parses the flags of 'hearsay bench' and runs the measuring kit
// (cmd/hearsay/internal/bench).
func cmdBench(e *env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	edges := fs.Int("edges", 100_000, "generate and load about `N` edges")
	seed := fs.Uint64("seed", 1, "generator `SEED`")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	dir := fs.String("dir", "", "work in `DIR` (kept) instead of a temporary directory (removed)")
	dur := fs.Duration("http-time", 3*time.Second, "how long the HTTP load generator runs")
	child := fs.String("child", "", "") // internal: the fresh process of open_first_query_ms (bench.ChildArgs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: hearsay bench [--edges N] [--seed S] [--json] [--dir DIR]")
		fmt.Fprintln(e.stderr, "Generates a graph, loads it into a new database and measures DESIGN.md section 5's figures.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *child != "" {
		return bench.Child(e.ctx, *child, e.stdout)
	}
	switch {
	case fs.NArg() != 0:
		return usageError{fmt.Sprintf("bench takes no arguments, got %q", fs.Arg(0))}
	case *edges < 1000 || *edges > synth.MaxEdges:
		return usageError{fmt.Sprintf("--edges must be between 1000 and %d, got %d", synth.MaxEdges, *edges)}
	case *dur < 100*time.Millisecond || *dur > 10*time.Minute:
		return usageError{"--http-time must be between 100ms and 10m"}
	}
	work := *dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "hearsay-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	opt := bench.Options{Edges: *edges, Seed: *seed, Work: work, HTTPTime: *dur, Log: e.log,
		WriteFile: func(name string, write func(io.Writer) error) error {
			return writeFileAtomic(name, func(w io.Writer) error { return write(ctxWriter{e.ctx, w}) })
		}}
	if !*asJSON {
		opt.Progress = e.stderr
	}
	rep, err := bench.Run(e.ctx, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	bench.Print(e.stdout, rep)
	return nil
}
