package main

import (
	"errors"
	"fmt"
	"time"

	"hearsay/store"
)

// errProblems makes 'hearsay check' exit non-zero after it has printed
// what it found.
var errProblems = errors.New("the database has problems")

func cmdCheck(e *env, args []string) (err error) {
	fs, dir, level := e.flags("check", "")
	repair := fs.Bool("repair", false, "fix what can be fixed (needs the database to itself: stop the server first)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"check takes no arguments"}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	start := time.Now()
	rep, err := db.Check(e.ctx, *repair)
	if err != nil {
		return err
	}
	out := checkOutput{Found: rep}
	if *repair && rep.Total > 0 {
		after, err := db.Check(e.ctx, false)
		if err != nil {
			return err
		}
		out.After = &after
	}
	if *asJSON {
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	} else {
		printCheck(e, out, time.Since(start))
	}
	if left := out.left(); left > 0 {
		return fmt.Errorf("%w: %d left", errProblems, left)
	}
	return nil
}

// checkOutput is what 'hearsay check' reports: the problems found and,
// after a repair, those left.
type checkOutput struct {
	Found store.CheckReport  `json:"found"`
	After *store.CheckReport `json:"afterRepair,omitempty"`
}

func (o checkOutput) left() int {
	if o.After != nil {
		return o.After.Total
	}
	return o.Found.Total
}

func printCheck(e *env, o checkOutput, took time.Duration) {
	r := o.Found
	fmt.Fprintf(e.stdout, "checked %d keys in %s: %d outlets, %d officials, %d reports, %d claims, %d edges\n",
		r.Keys, took.Round(time.Millisecond), r.Stats.Outlets, r.Stats.Officials, r.Stats.Reports, r.Stats.Claims, r.Stats.Edges)
	if r.Total == 0 {
		fmt.Fprintln(e.stdout, "no problems: both edge directions agree, every reference resolves, the search and claim match indexes and the counters are exact")
		return
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "  %s\n", p)
	}
	if r.Total > len(r.Problems) {
		fmt.Fprintf(e.stdout, "  … and %d more\n", r.Total-len(r.Problems))
	}
	fmt.Fprintf(e.stdout, "%s found\n", count(r.Total, "problem"))
	if o.After == nil {
		fmt.Fprintln(e.stdout, "run 'hearsay check --repair' (with the server stopped) to fix what can be fixed")
		return
	}
	fmt.Fprintf(e.stdout, "repaired: %d fixes written; %s left\n", r.Repaired, count(o.After.Total, "problem"))
	for _, p := range o.After.Problems {
		fmt.Fprintf(e.stdout, "  %s\n", p)
	}
}
