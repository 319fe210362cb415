package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"hearsay/graph"
)

func cmdTrace(e *env, args []string) (err error) {
	fs, dir, level := e.flags("trace", "CLAIM-ID")
	asJSON := fs.Bool("json", false, "print JSON")
	maxDepth := fs.Int("max-depth", graph.DefaultMaxDepth, fmt.Sprintf("follow at most `N` hops (1–%d)", graph.MaxMaxDepth))
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"name one claim ID, e.g. claim:us-offers-security-guarantees"}
	}
	if *maxDepth < 1 || *maxDepth > graph.MaxMaxDepth {
		return usageError{fmt.Sprintf("--max-depth must be between 1 and %d", graph.MaxMaxDepth)}
	}
	id := fs.Arg(0)
	if err := graph.CheckID(id, graph.KindClaim); err != nil {
		return usageError{graph.ErrorMessage(err)}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	claim, err := db.FindClaimByID(e.ctx, id)
	if err != nil {
		return err
	}
	chains, err := graph.TraceClaim(e.ctx, db, id, graph.TraceOptions{MaxDepth: *maxDepth})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, traceJSON(id, chains))
	}
	n := &namer{e: e, g: db, names: map[string]string{}}
	return printTrace(e.stdout, claim, chains, n)
}

// The JSON shape of 'hearsay trace --json'.
type (
	jsonTrace struct {
		Claim  string      `json:"claim"`
		Chains []jsonChain `json:"chains"`
	}
	jsonChain struct {
		From     string    `json:"from"`
		Hops     []jsonHop `json:"hops"`
		Terminal string    `json:"terminal"`
		Origin   *string   `json:"origin"`
		Flags    []string  `json:"flags"`
	}
	jsonHop struct {
		Report   string  `json:"report"`
		Outlet   string  `json:"outlet"`
		Mode     string  `json:"mode"`
		Inferred bool    `json:"inferred"`
		To       *string `json:"to"`
	}
)

func traceJSON(id string, chains []graph.Chain) jsonTrace {
	out := jsonTrace{Claim: id, Chains: []jsonChain{}}
	for _, c := range chains {
		jc := jsonChain{From: c.From, Terminal: c.Terminal.String(), Origin: optional(c.Origin), Flags: c.Flags}
		if jc.Flags == nil {
			jc.Flags = []string{}
		}
		for _, h := range c.Hops {
			jc.Hops = append(jc.Hops, jsonHop{Report: h.Report, Outlet: h.Outlet, Mode: h.Mode.String(), Inferred: h.Inferred, To: optional(h.To)})
		}
		out.Chains = append(out.Chains, jc)
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// namer looks up display names of outlets, officials and reports for the
// readable trace, once each.
type namer struct {
	e     *env
	g     graph.Graph
	names map[string]string
}

func (n *namer) name(id string) string {
	if s, ok := n.names[id]; ok {
		return s
	}
	var s string
	switch graph.KindOf(id) {
	case graph.KindOutlet:
		if o, err := n.g.FindOutletByID(n.e.ctx, id); err == nil {
			s = o.Name
		}
	case graph.KindOfficial:
		if o, err := n.g.FindOfficialByID(n.e.ctx, id); err == nil {
			s = o.Name
			if o.Anonymous {
				s += " (anonymous)"
			}
		}
	case graph.KindReport:
		if r, err := n.g.FindReportByID(n.e.ctx, id); err == nil {
			s = n.name(r.Outlet)
			if !r.Published.IsZero() {
				s += ", " + r.Published.String()
			}
		}
	}
	if s == "" {
		s = id
	}
	n.names[id] = s
	return s
}

// printTrace writes the chains as an indented, readable tree of hops.
func printTrace(w io.Writer, c *graph.Claim, chains []graph.Chain, n *namer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  %s\n", c.ID, c.Text)
	fmt.Fprintf(&b, "  %d appearance%s, %d chain%s\n", len(c.Appearances), plural(len(c.Appearances)), len(chains), plural(len(chains)))
	for i, ch := range chains {
		fmt.Fprintf(&b, "\nchain %d/%d from %s\n", i+1, len(chains), ch.From)
		for j, h := range ch.Hops {
			fmt.Fprintf(&b, "  %d. %s — %s\n", j+1, h.Report, n.name(h.Report))
			if h.Quote != "" {
				fmt.Fprintf(&b, "       wording: %s\n", strconv.Quote(h.Quote))
			}
			if h.Hedge != "" {
				fmt.Fprintf(&b, "       hedge:   %s\n", h.Hedge)
			}
			switch {
			case h.To == "":
				fmt.Fprintf(&b, "       → no source given (%s)\n", h.Mode)
			default:
				how := h.Mode.String()
				if h.Inferred {
					how += ", inferred from a citation"
				}
				if h.TemporalAnomaly {
					how += ", TEMPORAL ANOMALY: the source was published later"
				}
				fmt.Fprintf(&b, "       → %s — %s [%s]\n", h.To, n.name(h.To), how)
			}
		}
		fmt.Fprintf(&b, "  ends: %s", ch.Terminal)
		if ch.Origin != "" {
			fmt.Fprintf(&b, "; origin %s — %s", ch.Origin, n.name(ch.Origin))
		}
		if len(ch.Flags) > 0 {
			fmt.Fprintf(&b, "; flags %s", strings.Join(ch.Flags, ", "))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
