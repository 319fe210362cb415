package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"hearsay/fixtures/synth"
)

// cmdGen writes a synthetic dataset. It needs no database, so it takes
// neither --db nor --log-level.
func cmdGen(e *env, args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	edges := fs.Int("edges", 0, "write about `N` edges (required)")
	seed := fs.Uint64("seed", 1, "random `SEED`; the same seed always gives the same bytes")
	out := fs.String("out", "", "write to `FILE`, atomically, instead of standard output")
	quiet := fs.Bool("quiet", false, "print no progress and no summary")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: hearsay gen --edges N [--seed S] [--out FILE]")
		fmt.Fprintln(e.stderr, "Writes a deterministic hearsay/v1 NDJSON dataset of about N edges.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		return usageError{fmt.Sprintf("gen takes no arguments, got %q (write to a file with --out)", fs.Arg(0))}
	case *edges < 1 || *edges > synth.MaxEdges:
		return usageError{fmt.Sprintf("--edges must be between 1 and %d, got %d", synth.MaxEdges, *edges)}
	}

	start := time.Now()
	opt := synth.Options{Edges: *edges, Seed: *seed}
	progress := !*quiet && isTerminal(e.stderr)
	if progress {
		opt.Progress = func(s synth.Stats) {
			el := time.Since(start).Seconds()
			fmt.Fprintf(e.stderr, "\rgen: %d of about %d edges (%.0f edges/s)", s.Edges, *edges, float64(s.Edges)/max(el, 1e-9))
		}
	}
	var st synth.Stats
	write := func(w io.Writer) (err error) {
		st, err = synth.Generate(ctxWriter{e.ctx, w}, opt)
		return err
	}
	var err error
	name := *out
	if name == "" || name == "-" {
		name = "standard output"
		err = write(e.stdout)
	} else {
		err = writeOut(name, write)
	}
	if progress {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %d outlets, %d officials, %d reports, %d claims, %d edges, %d bytes in %s\n",
			name, st.Outlets, st.Officials, st.Reports, st.Claims, st.Edges, st.Bytes, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// ctxWriter fails writes once its context is done, so an interrupted gen
// stops at its next buffer flush and leaves no file behind.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
