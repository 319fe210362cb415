package graph

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
)

// How hearsay judges a claim (DESIGN.md sections 2.2–2.4). Everything here
// is deterministic: the same graph gives the same grades, confidences and
// sentences.

// Chain flags for reports on the path whose editors changed them.
const (
	FlagRetracted = "RETRACTED" // a report on the chain was retracted
	FlagCorrected = "CORRECTED" // a report on the chain was corrected
)

// RatingAt returns the reliability in force at a date: the latest rating
// given no later than the date's start. Undated ratings count as given
// before every date; at an unknown date the latest rating is in force. It
// returns ReliabilityUnset when no rating was in force.
func RatingAt(rs []Rating, at Date) Reliability {
	in := ReliabilityUnset
	var when Date
	for _, r := range rs {
		if !at.IsZero() && !r.RatedAt.IsZero() && r.RatedAt.Start().After(at.Start()) {
			continue
		}
		if in == ReliabilityUnset || r.RatedAt.Compare(when) >= 0 {
			in, when = r.Rating, r.RatedAt
		}
	}
	return in
}

// Judged returns r, or F ("cannot be judged") when no rating is known: an
// unrated source, named or anonymous, cannot be judged.
func Judged(r Reliability) Reliability {
	if !r.Valid() {
		return ReliabilityF
	}
	return r
}

// Weight is the documented factor of each reliability grade in a chain's
// confidence. F, "cannot be judged", weighs like a coin toss.
func Weight(r Reliability) float64 {
	switch Judged(r) {
	case ReliabilityA:
		return 1.0
	case ReliabilityB:
		return 0.85
	case ReliabilityC:
		return 0.7
	case ReliabilityD:
		return 0.4
	case ReliabilityE:
		return 0.2
	}
	return 0.5
}

// Status factors of a chain's confidence: a retracted report on the path
// leaves a tenth of it, a corrected one nine tenths.
const (
	RetractedFactor = 0.1
	CorrectedFactor = 0.9
)

// JudgeReader is what judging reads: the tracer's reads and the sources'
// ratings.
type JudgeReader interface {
	TraceReader
	FindOutletByID(ctx context.Context, id string) (*Outlet, error)
	FindOfficialByID(ctx context.Context, id string) (*Official, error)
}

// Verdict of one chain.
type ChainJudgement struct {
	// HopReliability is each hop's outlet's reliability at the hop's
	// publication (F when unrated then).
	HopReliability []Reliability
	// RelayReliability is, for each relay, the reliability of the
	// official who relayed at the publication of the last report (F when
	// unrated then), as an outlet is weighed at its report's.
	RelayReliability []Reliability
	// OriginReliability is the origin's reliability at the publication of
	// the last report (F when unrated, or when there is no origin).
	OriginReliability Reliability
	// Confidence is in [0,1]: the product of the weights of every hop's
	// outlet, of every official who relayed, and of the origin (an outlet
	// origin already on the path is counted once), times the status
	// factors of retracted and corrected reports on the path, rounded to
	// 4 decimals.
	Confidence float64
	// WeakestHop is the index of the hop that limits the chain: the hop
	// whose outlet weighs least, or the last hop when an official who
	// relayed or the origin weighs least (ties go to the later one: the
	// hops, then the relays, the origin last).
	WeakestHop int
	// WeakestRelay is the index of the relay whose official limits the
	// chain, or -1 when a hop or the origin does.
	WeakestRelay int
	// LimitedBy names the weakest link: "unnamed US negotiators (F)".
	LimitedBy string
}

// JudgeChain rates a chain hop by hop.
func JudgeChain(ctx context.Context, r JudgeReader, c Chain) (ChainJudgement, error) {
	j, err := judgeChain(ctx, r, c)
	j.Confidence = math.Round(j.Confidence*1e4) / 1e4
	return j, err
}

func judgeChain(ctx context.Context, r JudgeReader, c Chain) (ChainJudgement, error) {
	j := ChainJudgement{Confidence: 1, WeakestHop: -1, WeakestRelay: -1}
	weakest := 2.0
	for i, h := range c.Hops {
		o, err := r.FindOutletByID(ctx, h.Outlet)
		if err != nil {
			return j, err
		}
		rel := Judged(RatingAt(o.Ratings, h.Published))
		j.HopReliability = append(j.HopReliability, rel)
		w := Weight(rel)
		j.Confidence *= w
		if w <= weakest {
			weakest, j.WeakestHop = w, i
			j.LimitedBy = fmt.Sprintf("%s (%s)", o.Name, rel)
		}
		rep, err := r.FindReportByID(ctx, h.Report)
		if err != nil {
			return j, err
		}
		j.Confidence *= statusFactor(rep.Status)
	}
	if c.Terminal == TerminalCitedReportUnrecorded {
		if rep, err := r.FindReportByID(ctx, c.Hops[len(c.Hops)-1].To); err == nil {
			j.Confidence *= statusFactor(rep.Status)
		} else {
			return j, err
		}
	}
	last := c.Hops[len(c.Hops)-1]
	for i, rl := range c.Relays {
		rs, name, err := sourceRatings(ctx, r, rl.Official)
		if err != nil {
			return j, err
		}
		rel := Judged(RatingAt(rs, last.Published))
		j.RelayReliability = append(j.RelayReliability, rel)
		w := Weight(rel)
		j.Confidence *= w
		if w <= weakest {
			weakest, j.WeakestHop, j.WeakestRelay = w, len(c.Hops)-1, i
			j.LimitedBy = fmt.Sprintf("%s (%s)", name, rel)
		}
	}
	j.OriginReliability = ReliabilityF
	name := "an unknown origin"
	switch {
	case c.Origin == "":
		// circular or cut off: nothing stands behind the chain
	case KindOf(c.Origin) == KindOutlet && onPath(c, c.Origin) >= 0:
		// The outlet is also a hop (its own reporting, or an attribution
		// to itself): it was weighed there and counts once.
		j.OriginReliability = j.HopReliability[onPath(c, c.Origin)]
		return j, nil
	default:
		rs, n, err := sourceRatings(ctx, r, c.Origin)
		if err != nil {
			return j, err
		}
		j.OriginReliability, name = Judged(RatingAt(rs, last.Published)), n
	}
	w := Weight(j.OriginReliability)
	j.Confidence *= w
	if w <= weakest {
		j.WeakestHop, j.WeakestRelay = len(c.Hops)-1, -1
		j.LimitedBy = fmt.Sprintf("%s (%s)", name, j.OriginReliability)
	}
	return j, nil
}

// onPath returns the index of the last hop published by outlet, or -1.
func onPath(c Chain, outlet string) int {
	for i := len(c.Hops) - 1; i >= 0; i-- {
		if c.Hops[i].Outlet == outlet {
			return i
		}
	}
	return -1
}

func statusFactor(s ReportStatus) float64 {
	switch s {
	case StatusRetracted:
		return RetractedFactor
	case StatusCorrected:
		return CorrectedFactor
	}
	return 1
}

// sourceRatings returns the rating history and display name of an
// official or outlet.
func sourceRatings(ctx context.Context, r JudgeReader, id string) ([]Rating, string, error) {
	switch KindOf(id) {
	case KindOfficial:
		o, err := r.FindOfficialByID(ctx, id)
		if err != nil {
			return nil, "", err
		}
		return o.Ratings, o.Name, nil
	case KindOutlet:
		o, err := r.FindOutletByID(ctx, id)
		if err != nil {
			return nil, "", err
		}
		return o.Ratings, o.Name, nil
	}
	return nil, id, nil
}

// Range is a count known only within bounds.
type Range struct{ Min, Max int }

// Origin is one distinct origin of a claim, as judged.
type Origin struct {
	ID          string
	Name        string
	Official    bool // an official (else an outlet's own reporting)
	Anonymous   bool
	Rated       bool        // whether any rating exists
	Reliability Reliability // the latest rating, F when unrated
}

// Credibility is a claim's information credibility on the Admiralty scale,
// 1 (confirmed) to 6 (cannot be judged), with the one-line reason.
type Credibility struct {
	Grade int
	Label string
	Why   string
}

var credibilityLabels = [...]string{"", "confirmed", "probably true", "possibly true", "doubtful", "improbable", "cannot be judged"}

// Judgement is everything hearsay concludes about a claim.
type Judgement struct {
	Chains             []Chain
	Origins            []Origin   // distinct, by ID
	Groups             [][]string // origins that may be one: possibly-same-as groups of anonymous officials
	IndependentOrigins Range
	Reports            int // distinct reports on the claim's chains
	Credibility        Credibility
}

// JudgeClaim traces a claim and judges it: its origins, how many of them
// are independent, and its credibility.
//
// Origins are the distinct origins of the chains (see Chain.Origin).
// IndependentOrigins.Max counts them; Min merges every group of anonymous
// officials connected by possibly-same-as (through other anonymous
// officials too) into one. An origin reached only through retracted
// reports is listed in Origins but not counted, unless every origin is.
//
// Credibility follows the Admiralty doctrine, first rule that applies:
//
//	6 cannot be judged  no chain reaches an origin
//	5 improbable        the latest fact-checker review (by date) is FALSE or MOSTLY_FALSE
//	4 doubtful          every chain with an origin passes through a retracted
//	                    report, or the strongest independent origin is rated D or E
//	1 confirmed         at least two independent origins (Min >= 2) rated A to C
//	2 probably true     Min >= 2, or one independent origin rated A or B
//	3 possibly true     one independent origin rated C or unrated (F)
//
// An independent origin's rating is the best latest rating among its
// members; strength follows the confidence weights, so unrated (F) is
// stronger than D and E. Reviews other than FALSE and MOSTLY_FALSE do not
// change the grade; they are shown beside it. The why names retracted and
// corrected chains whatever the grade.
func JudgeClaim(ctx context.Context, r JudgeReader, claimID string, opt TraceOptions) (*Judgement, error) {
	m := newMemo(r) // the reports the trace reads, the judgement finds again
	chains, err := TraceClaim(ctx, m, claimID, opt)
	if err != nil {
		return nil, err
	}
	return JudgeTraced(ctx, m, claimID, chains, opt)
}

// JudgeTraced judges a claim whose chains, from TraceClaim with the same
// options, are already at hand.
func JudgeTraced(ctx context.Context, r JudgeReader, claimID string, chains []Chain, opt TraceOptions) (*Judgement, error) {
	c, err := r.FindClaimByID(ctx, claimID)
	if err != nil {
		return nil, err
	}
	// Every hop's report and outlet and every origin is read, most of them
	// many times over: remember them, and read them in batches.
	m := newMemo(r)
	n := 0
	for _, ch := range chains {
		n += 2*len(ch.Hops) + len(ch.Relays) + 1
	}
	wanted := make([]string, 0, n)
	for _, ch := range chains {
		for _, h := range ch.Hops {
			wanted = append(wanted, h.Report, h.Outlet)
		}
		for _, rl := range ch.Relays {
			wanted = append(wanted, rl.Official)
		}
		if ch.Origin != "" {
			wanted = append(wanted, ch.Origin)
		}
	}
	if err := m.prefetch(ctx, wanted); err != nil {
		return nil, err
	}
	r = m
	j := &Judgement{Chains: chains}
	reports := make(map[string]bool, len(chains))
	ids := make(map[string]bool, len(chains))
	standing := make(map[string]bool, len(chains)) // origins reached by a chain free of retractions
	st := chainStatus{retractedOnly: true}
	for _, ch := range chains {
		for _, h := range ch.Hops {
			reports[h.Report] = true
		}
		if hasFlag(ch.Flags, FlagRetracted) {
			st.retracted++
		}
		if hasFlag(ch.Flags, FlagCorrected) {
			st.corrected++
		}
		if ch.Origin == "" {
			continue
		}
		st.anyOrigin = true
		ids[ch.Origin] = true
		if !hasFlag(ch.Flags, FlagRetracted) {
			st.retractedOnly = false
			standing[ch.Origin] = true
		}
	}
	st.chains = len(chains)
	j.Reports = len(reports)
	for id := range ids {
		o, err := describeOrigin(ctx, r, id)
		if err != nil {
			return nil, err
		}
		j.Origins = append(j.Origins, o)
	}
	sort.Slice(j.Origins, func(a, b int) bool { return j.Origins[a].ID < j.Origins[b].ID })
	// An origin that stands behind the claim only through retracted
	// reports is listed but not counted, unless every origin is such.
	counted := j.Origins
	if len(standing) > 0 && len(standing) < len(j.Origins) {
		counted = nil
		for _, o := range j.Origins {
			if standing[o.ID] {
				counted = append(counted, o)
			}
		}
	}
	if j.Groups, err = originGroups(ctx, r, counted, opt); err != nil {
		return nil, err
	}
	j.IndependentOrigins = Range{Min: len(j.Groups), Max: len(counted)}
	j.Credibility = credibility(c, j, st)
	return j, nil
}

// chainStatus sums up the editorial state of a claim's chains.
type chainStatus struct {
	chains, retracted, corrected int
	anyOrigin                    bool // some chain reaches an origin
	retractedOnly                bool // every chain with an origin is retracted
}

// note is the clause the why adds about retracted and corrected chains.
func (s chainStatus) note() string {
	var parts []string
	passes := func(n int) string {
		if n == 1 {
			return fmt.Sprintf("1 of %d chains passes", s.chains)
		}
		return fmt.Sprintf("%d of %d chains pass", n, s.chains)
	}
	switch {
	case s.retractedOnly && s.anyOrigin:
		parts = append(parts, "every chain with an origin passes through a retracted report")
	case s.retracted > 0:
		parts = append(parts, passes(s.retracted)+" through a retracted report")
	}
	if s.corrected > 0 {
		parts = append(parts, passes(s.corrected)+" through a corrected report")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// latestReview returns the review with the latest date (undated ones
// first, ties to the later in the list), or nil.
func latestReview(rs []Review) *Review {
	var best *Review
	for i := range rs {
		if best == nil || rs[i].ReviewedAt.Compare(best.ReviewedAt) >= 0 {
			best = &rs[i]
		}
	}
	return best
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

func describeOrigin(ctx context.Context, r JudgeReader, id string) (Origin, error) {
	o := Origin{ID: id}
	switch KindOf(id) {
	case KindOfficial:
		off, err := r.FindOfficialByID(ctx, id)
		if err != nil {
			return o, err
		}
		o.Name, o.Official, o.Anonymous, o.Rated = off.Name, true, off.Anonymous, len(off.Ratings) > 0
		o.Reliability = Judged(RatingAt(off.Ratings, Date{}))
	case KindOutlet:
		out, err := r.FindOutletByID(ctx, id)
		if err != nil {
			return o, err
		}
		o.Name, o.Rated, o.Reliability = out.Name, len(out.Ratings) > 0, Judged(RatingAt(out.Ratings, Date{}))
	}
	return o, nil
}

// originGroups partitions the origins into independent groups: anonymous
// officials connected by possibly-same-as, through other anonymous
// officials too, form one group; every other origin is a group of its own.
// The walk visits at most opt.MaxVisit officials.
func originGroups(ctx context.Context, r JudgeReader, origins []Origin, opt TraceOptions) ([][]string, error) {
	if opt.MaxVisit <= 0 {
		opt.MaxVisit = DefaultMaxVisit
	}
	isOrigin := map[string]bool{}
	for _, o := range origins {
		isOrigin[o.ID] = true
	}
	grouped := map[string]bool{}
	visits := 0
	var groups [][]string
	for _, o := range origins {
		if grouped[o.ID] {
			continue
		}
		if !o.Official || !o.Anonymous {
			groups = append(groups, []string{o.ID})
			grouped[o.ID] = true
			continue
		}
		// The origin always heads its group, even when the walk's budget
		// is spent; only the merging stops.
		group := []string{o.ID}
		grouped[o.ID] = true
		seen := map[string]bool{o.ID: true}
		queue := []string{o.ID}
		for len(queue) > 0 && visits < opt.MaxVisit {
			id := queue[0]
			queue = queue[1:]
			visits++
			if isOrigin[id] && !grouped[id] {
				group = append(group, id)
				grouped[id] = true
			}
			off, err := r.FindOfficialByID(ctx, id)
			if err != nil {
				return nil, err
			}
			for _, s := range off.PossiblySameAs {
				if seen[s.Official] {
					continue
				}
				seen[s.Official] = true
				other, err := r.FindOfficialByID(ctx, s.Official)
				if err != nil {
					return nil, err
				}
				if other.Anonymous {
					queue = append(queue, s.Official)
				}
			}
		}
		sort.Strings(group)
		groups = append(groups, group)
	}
	return groups, nil
}

// credibility applies the rule documented on JudgeClaim.
func credibility(c *Claim, j *Judgement, st chainStatus) Credibility {
	reports := plural(j.Reports, "report", "reports")
	if st.chains == 0 {
		return newCredibility(6, "0 reports, no appearance of the claim is recorded")
	}
	if !st.anyOrigin {
		return newCredibility(6, "%s, no chain reaches an origin (circular or cut off)%s", reports, st.note())
	}
	byID := map[string]Origin{}
	for _, o := range j.Origins {
		byID[o.ID] = o
	}
	// Strength follows the confidence weights, so an unrated origin (F,
	// 0.5) counts as stronger than one rated D (0.4) or E (0.2).
	best := make([]Reliability, len(j.Groups)) // each group's strongest rating
	strongest := ReliabilityE
	strong := 0 // groups rated A–C
	for i, g := range j.Groups {
		best[i] = ReliabilityE
		for k, id := range g {
			if rel := byID[id].Reliability; k == 0 || Weight(rel) > Weight(best[i]) {
				best[i] = rel
			}
		}
		if i == 0 || Weight(best[i]) > Weight(strongest) {
			strongest = best[i]
		}
		if best[i] <= ReliabilityC {
			strong++
		}
	}
	count := fmt.Sprintf("%d independent origin", j.IndependentOrigins.Min)
	if j.IndependentOrigins.Min != j.IndependentOrigins.Max {
		count = fmt.Sprintf("%d–%d independent origins", j.IndependentOrigins.Min, j.IndependentOrigins.Max)
	} else if j.IndependentOrigins.Min != 1 {
		count += "s"
	}
	detail := describeGroups(j.Groups, byID, best)
	base := fmt.Sprintf("%s, %s (%s)", reports, count, detail)
	if r := latestReview(c.Reviews); r != nil && (r.Verdict == VerdictFalse || r.Verdict == VerdictMostlyFalse) {
		return newCredibility(5, "%s%s; rated %s by %s", base, st.note(), r.Verdict, r.ReviewedBy)
	}
	base += st.note()
	switch {
	case st.retractedOnly:
		return newCredibility(4, "%s", base)
	case strongest == ReliabilityD || strongest == ReliabilityE:
		return newCredibility(4, "%s", base)
	case j.IndependentOrigins.Min >= 2 && strong >= 2:
		return newCredibility(1, "%s", base)
	case j.IndependentOrigins.Min >= 2, strongest <= ReliabilityB:
		return newCredibility(2, "%s", base)
	}
	return newCredibility(3, "%s", base)
}

func newCredibility(grade int, format string, args ...any) Credibility {
	label := credibilityLabels[grade]
	return Credibility{Grade: grade, Label: label, Why: fmt.Sprintf(format, args...) + ": " + label}
}

// describeGroups names each independent origin for the why sentence:
// "unnamed US negotiators and unnamed US officials, anonymous and possibly
// the same people, unrated".
func describeGroups(groups [][]string, byID map[string]Origin, best []Reliability) string {
	const maxNamed = 3
	var parts []string
	for i, g := range groups {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(groups)-maxNamed))
			break
		}
		var names []string
		for _, id := range g {
			names = append(names, byID[id].Name)
		}
		o := byID[g[0]]
		var desc string
		switch {
		case !o.Official:
			desc = "reporting by " + o.Name
		case len(g) > 1:
			desc = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + ", anonymous and possibly the same people"
		case o.Anonymous:
			desc = o.Name + ", anonymous"
		default:
			desc = o.Name + ", named"
		}
		rated := false
		for _, id := range g {
			rated = rated || byID[id].Rated
		}
		if !rated {
			desc += ", unrated"
		} else {
			desc += ", rated " + best[i].String()
		}
		parts = append(parts, desc)
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
