package main

import (
	"fmt"
	"io"
	"time"

	"hearsay/fixtures/prov"
	"hearsay/fixtures/stix"
	"hearsay/graph"
)

// exportPROV writes PROV-JSON, one pass over the graph per section, with
// a progress line on a terminal.
func exportPROV(e *env, g graph.Graph, w io.Writer, _, progress bool) error {
	var opt prov.Options
	if progress {
		start := time.Now()
		opt.Progress = func(p prov.Progress) {
			fmt.Fprintf(e.stderr, "\r%-100s", fmt.Sprintf("export prov: pass %d of %d (%s), %3.0f%%, %d nodes (%.0f/s)",
				p.Pass, p.Passes, p.Section, 100*float64(p.Nodes)/float64(max(p.Total, 1)), p.Nodes,
				float64(p.Nodes)/max(time.Since(start).Seconds(), 1e-9)))
		}
		defer fmt.Fprintln(e.stderr)
	}
	return prov.Write(e.ctx, g, w, opt)
}

// exportSTIX writes a STIX 2.1 bundle in one pass, with a progress line on
// a terminal.
func exportSTIX(e *env, g graph.Graph, w io.Writer, _, progress bool) error {
	var opt stix.Options
	if progress {
		start := time.Now()
		opt.Progress = func(p stix.Progress) {
			fmt.Fprintf(e.stderr, "\r%-100s", fmt.Sprintf("export stix: %3.0f%%, %d nodes, %d objects (%.0f nodes/s)",
				100*float64(p.Nodes)/float64(max(p.Total, 1)), p.Nodes, p.Objects,
				float64(p.Nodes)/max(time.Since(start).Seconds(), 1e-9)))
		}
		defer fmt.Fprintln(e.stderr)
	}
	return stix.Write(e.ctx, g, w, opt)
}
