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
	j, err := graph.JudgeClaim(e.ctx, db, id, graph.TraceOptions{MaxDepth: *maxDepth})
	if err != nil {
		return err
	}
	judged := make([]graph.ChainJudgement, len(j.Chains))
	for i, ch := range j.Chains {
		if judged[i], err = graph.JudgeChain(e.ctx, db, ch); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, traceJSON(id, j, judged))
	}
	n := &namer{e: e, g: db, names: map[string]string{}}
	return printTrace(e.stdout, claim, j, judged, n)
}

// summary is the closing line of a trace: "2 reports, 1 independent
// origin (…) — credibility 3, possibly true".
func summary(c graph.Credibility) string {
	return fmt.Sprintf("%s — credibility %d, %s", strings.TrimSuffix(c.Why, ": "+c.Label), c.Grade, c.Label)
}

// The JSON shape of 'hearsay trace --json'.
type (
	jsonTrace struct {
		Claim              string          `json:"claim"`
		Chains             []jsonChain     `json:"chains"`
		Origins            []string        `json:"origins"`
		IndependentOrigins jsonRange       `json:"independentOrigins"`
		Credibility        jsonCredibility `json:"credibility"`
	}
	jsonRange struct {
		Min int `json:"min"`
		Max int `json:"max"`
	}
	jsonCredibility struct {
		Grade int    `json:"grade"`
		Label string `json:"label"`
		Why   string `json:"why"`
	}
	jsonChain struct {
		From       string    `json:"from"`
		Hops       []jsonHop `json:"hops"`
		Terminal   string    `json:"terminal"`
		Origin     *string   `json:"origin"`
		Flags      []string  `json:"flags"`
		Confidence float64   `json:"confidence"`
		WeakestHop int       `json:"weakestHop"` // index into hops
		LimitedBy  string    `json:"limitedBy"`
	}
	jsonHop struct {
		Report                   string  `json:"report"`
		Outlet                   string  `json:"outlet"`
		Mode                     string  `json:"mode"`
		Inferred                 bool    `json:"inferred"`
		To                       *string `json:"to"`
		Published                string  `json:"published,omitempty"`
		ReliabilityAtPublication string  `json:"reliabilityAtPublication"`
		Quote                    string  `json:"quote,omitempty"`
		Hedge                    string  `json:"hedge,omitempty"`
		TemporalAnomaly          bool    `json:"temporalAnomaly,omitempty"`
	}
)

func traceJSON(id string, j *graph.Judgement, judged []graph.ChainJudgement) jsonTrace {
	out := jsonTrace{Claim: id, Chains: []jsonChain{}, Origins: []string{},
		IndependentOrigins: jsonRange{j.IndependentOrigins.Min, j.IndependentOrigins.Max},
		Credibility:        jsonCredibility{j.Credibility.Grade, j.Credibility.Label, j.Credibility.Why}}
	for _, o := range j.Origins {
		out.Origins = append(out.Origins, o.ID)
	}
	for i, c := range j.Chains {
		jc := jsonChain{From: c.From, Terminal: c.Terminal.String(), Origin: optional(c.Origin), Flags: c.Flags,
			Confidence: judged[i].Confidence, WeakestHop: judged[i].WeakestHop, LimitedBy: judged[i].LimitedBy}
		if jc.Flags == nil {
			jc.Flags = []string{}
		}
		for k, h := range c.Hops {
			jc.Hops = append(jc.Hops, jsonHop{Report: h.Report, Outlet: h.Outlet, Mode: h.Mode.String(), Inferred: h.Inferred, To: optional(h.To),
				Published: h.Published.String(), ReliabilityAtPublication: judged[i].HopReliability[k].String(),
				Quote: h.Quote, Hedge: h.Hedge, TemporalAnomaly: h.TemporalAnomaly})
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
func printTrace(w io.Writer, c *graph.Claim, j *graph.Judgement, judged []graph.ChainJudgement, n *namer) error {
	chains := j.Chains
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  %s\n", c.ID, c.Text)
	fmt.Fprintf(&b, "  %d appearance%s, %d chain%s\n", len(c.Appearances), plural(len(c.Appearances)), len(chains), plural(len(chains)))
	for i, ch := range chains {
		fmt.Fprintf(&b, "\nchain %d/%d from %s\n", i+1, len(chains), ch.From)
		for k, h := range ch.Hops {
			fmt.Fprintf(&b, "  %d. %s — %s [%s]\n", k+1, h.Report, n.name(h.Report), judged[i].HopReliability[k])
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
		fmt.Fprintf(&b, "\n  confidence %.2f, limited by %s\n", judged[i].Confidence, judged[i].LimitedBy)
	}
	fmt.Fprintf(&b, "\n%s\n", summary(j.Credibility))
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
