// Command train fits textmatch's ranking model on the training tweets of
// CLEF 2020 CheckThat! task 2 and writes it to graph/textmatch/weights.go;
// with -run it writes a TREC run of a query file ranked by textmatch.Rank
// as compiled, for the task's scorer.
//
// Usage, from the repository root:
//
//	go run ./graph/textmatch/internal/train -data DIR            # writes graph/textmatch/weights.go
//	go run ./graph/textmatch/internal/train -data DIR -run dev   # TREC run of DIR/dev.tsv on stdout
//
// DIR holds verified-claims.tsv (ID, claim, article title), train.tsv and
// train.qrels. Training reads train.tsv and train.qrels only; -run reads
// the named query file and no labels. Each verified claim is indexed in a
// textmatch.MemIndex as hearsay's store indexes a claim: its text, a
// newline, its review's title.
//
// The model is a logistic regression over textmatch's features of the
// best textmatch.Depth BM25 candidates of each training tweet, fitted by
// Newton's method on standardised features with an L2 penalty chosen by
// 5-fold cross-validation over the training tweets (by MAP@5); it is then
// refitted on all of them. The run is deterministic: the same data give
// the same weights.go.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"go/format"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"hearsay/graph/textmatch"
)

// hardNeg, when positive, pairs a relevant candidate only with the
// irrelevant ones among the best hardNeg by BM25.
var hardNeg = flag.Int("hard-negatives", 0, "pair relevant candidates only with irrelevant ones among this many best by BM25 (0: all)")

// drop lists features left out of the fit (by name, comma-separated).
var drop = flag.String("drop", "", "features to leave out, comma-separated names")

var pairwise = flag.Bool("pairwise", true, "fit on pairs of a relevant and an irrelevant candidate of the same query, then calibrate")

func main() {
	data := flag.String("data", "", "directory of the CheckThat! 2020 task 2 files (verified-claims.tsv, train.tsv, train.qrels)")
	out := flag.String("out", "graph/textmatch/weights.go", "where to write the model")
	run := flag.String("run", "", "write a TREC run of DIR/NAME.tsv ranked by the compiled textmatch.Rank to stdout instead of training")
	negPenalty := flag.Float64("negation-penalty", 2, "the model's NegationPenalty (not learned: the training tweets hardly hold negated pairs)")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "train: -data DIR is required")
		os.Exit(2)
	}
	if err := mainErr(*data, *out, *run, *negPenalty); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func mainErr(dir, out, run string, negPenalty float64) error {
	ctx := context.Background()
	ix, err := loadClaims(filepath.Join(dir, "verified-claims.tsv"))
	if err != nil {
		return err
	}
	if run != "" {
		qs, err := loadQueries(filepath.Join(dir, run+".tsv"))
		if err != nil {
			return err
		}
		w := os.Stdout
		for _, q := range qs {
			ms, err := textmatch.Rank(ctx, ix, q.text, 5)
			if err != nil {
				return fmt.Errorf("query %s: %w", q.id, err)
			}
			for i, m := range ms {
				fmt.Fprintf(w, "%s\tQ0\t%s\t%d\t%.6f\thearsay\n", q.id, m.ID, i+1, m.Score)
			}
		}
		return nil
	}
	qs, err := loadQueries(filepath.Join(dir, "train.tsv"))
	if err != nil {
		return err
	}
	rel, err := loadQrels(filepath.Join(dir, "train.qrels"))
	if err != nil {
		return err
	}
	claims, err := readTSV(filepath.Join(dir, "verified-claims.tsv"), 3)
	if err != nil {
		return err
	}
	assoc, assocText := learnAssoc(claims)
	fmt.Fprintf(os.Stderr, "train: %d associated terms\n", len(assoc))
	var set []labelled
	recall := 0
	for _, q := range qs {
		cs, err := textmatch.Candidates(ctx, ix, q.text, textmatch.Depth)
		if err != nil {
			return fmt.Errorf("query %s: %w", q.id, err)
		}
		for i := range cs {
			d, err := ix.Document(ctx, cs[i].ID)
			if err != nil {
				return err
			}
			cs[i].Features[assocFeature] = textmatch.AssocFeature(assoc, q.text, d)
		}
		l := labelled{id: q.id, rel: rel[q.id], cands: cs}
		for _, c := range cs {
			l.y = append(l.y, rel[q.id][c.ID])
			if rel[q.id][c.ID] {
				recall++
			}
		}
		set = append(set, l)
	}
	nrel := 0
	for _, r := range rel {
		nrel += len(r)
	}
	fmt.Fprintf(os.Stderr, "train: %d queries, %d relevant pairs, %d of them among the %d BM25 candidates\n", len(set), nrel, recall, textmatch.Depth)
	bm25MAP := mapAt5(set, func(c textmatch.Candidate) float64 { return c.BM25 })
	fmt.Fprintf(os.Stderr, "train: BM25 alone: MAP@5 %.4f\n", bm25MAP)

	lambdas := []float64{0.01, 0.1, 1, 10, 100}
	bestL, bestMAP := lambdas[0], -1.0
	for _, l := range lambdas {
		m := crossValidate(set, l, negPenalty, 5)
		fmt.Fprintf(os.Stderr, "train: L2 %g: 5-fold MAP@5 %.4f\n", l, m)
		if m > bestMAP {
			bestL, bestMAP = l, m
		}
	}
	model := fit(set, bestL, negPenalty)
	fmt.Fprintf(os.Stderr, "train: chose L2 %g; MAP@5 on the training tweets themselves %.4f\n", bestL, mapAt5(set, func(c textmatch.Candidate) float64 { return model.Logit(c) }))
	src, err := weightsFile(model, bestL, bestMAP, bm25MAP, negPenalty, len(set))
	if err != nil {
		return err
	}
	if err := writeAtomic(out, src); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(filepath.Dir(out), "assoc_data.go"), assocText)
}

var assocFeature = func() int {
	for i, n := range textmatch.FeatureNames {
		if n == "assoc" {
			return i
		}
	}
	panic("no assoc feature")
}()

var (
	assocMin   = flag.Int("assoc-min", 2, "least claims a term pair must share to be associated")
	assocNPMI  = flag.Float64("assoc-npmi", 0.4, "least normalised PMI of an associated pair")
	assocPer   = flag.Int("assoc-per", 8, "most associations kept per term")
	assocTotal = flag.Int("assoc-total", 20000, "most associations kept in all")
)

// learnAssoc learns term associations from the verified claims, without
// labels: a term of a claim's text and a different term of its review's
// title (either way round) co-occur; pairs co-occurring in at least
// assocMin claims with normalised PMI at least assocNPMI are kept, the
// strongest assocPer per term and assocTotal in all. It returns them and
// the generated Go file that holds them.
func learnAssoc(claims [][]string) (textmatch.Associations, []byte) {
	df := map[string]int{}
	type pair struct{ u, w string }
	co := map[pair]int{}
	for _, r := range claims {
		c := distinct(textmatch.Terms(r[1]))
		t := distinct(textmatch.Terms(r[2]))
		all := map[string]bool{}
		for _, x := range c {
			all[x] = true
		}
		for _, x := range t {
			all[x] = true
		}
		for x := range all {
			df[x]++
		}
		seen := map[pair]bool{}
		for _, u := range c {
			for _, w := range t {
				// Not the same term, nor two terms both written in both
				// fields: those are the same words, not other ones.
				if u == w || contains(c, w) && contains(t, u) {
					continue
				}
				for _, p := range []pair{{u, w}, {w, u}} {
					if !seen[p] {
						seen[p] = true
						co[p]++
					}
				}
			}
		}
	}
	n := float64(len(claims))
	type entry struct {
		u, w string
		s    float64
	}
	byU := map[string][]entry{}
	for p, c := range co {
		if c < *assocMin {
			continue
		}
		pmi := math.Log(float64(c) * n / (float64(df[p.u]) * float64(df[p.w])))
		npmi := pmi / -math.Log(float64(c)/n)
		if npmi < *assocNPMI {
			continue
		}
		byU[p.u] = append(byU[p.u], entry{p.u, p.w, npmi})
	}
	var all []entry
	for _, es := range byU {
		sort.Slice(es, func(i, j int) bool {
			if es[i].s != es[j].s {
				return es[i].s > es[j].s
			}
			return es[i].w < es[j].w
		})
		all = append(all, es[:min(len(es), *assocPer)]...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].s != all[j].s {
			return all[i].s > all[j].s
		}
		if all[i].u != all[j].u {
			return all[i].u < all[j].u
		}
		return all[i].w < all[j].w
	})
	all = all[:min(len(all), *assocTotal)]
	sort.Slice(all, func(i, j int) bool {
		if all[i].u != all[j].u {
			return all[i].u < all[j].u
		}
		if all[i].s != all[j].s {
			return all[i].s > all[j].s
		}
		return all[i].w < all[j].w
	})
	var text strings.Builder
	for i, e := range all {
		if i == 0 || all[i-1].u != e.u {
			if i > 0 {
				text.WriteByte('\n')
			}
			text.WriteString(e.u)
		}
		fmt.Fprintf(&text, " %s:%.3g", e.w, e.s)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./graph/textmatch/internal/train; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package textmatch\n\n")
	fmt.Fprintf(&b, "// associationData holds the %d term associations of DefaultAssociations,\n", len(all))
	fmt.Fprintf(&b, "// learned without labels from the %d verified claims of CLEF 2020\n", len(claims))
	fmt.Fprintf(&b, "// CheckThat! task 2: a term of a claim and another term of its review's\n")
	fmt.Fprintf(&b, "// title, either way round, in at least %d claims, with normalised PMI at\n", *assocMin)
	fmt.Fprintf(&b, "// least %g (the strength), the strongest %d per term.\n", *assocNPMI, *assocPer)
	fmt.Fprintf(&b, "var associationData = %s\n", strconv.Quote(text.String()))
	return textmatch.ParseAssociations(text.String()), b.Bytes()
}

func distinct(ts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func contains(ts []string, t string) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

type labelled struct {
	id    string
	rel   map[string]bool
	cands []textmatch.Candidate
	y     []bool
}

// mapAt5 is MAP@5 as the task's scorer computes it, ranking each query's
// candidates by score (ties by textmatch.CompareIDs), as Rank does.
func mapAt5(set []labelled, score func(textmatch.Candidate) float64) float64 {
	if len(set) == 0 {
		return 0
	}
	sum := 0.0
	for _, q := range set {
		type sc struct {
			id string
			s  float64
		}
		r := make([]sc, len(q.cands))
		for i, c := range q.cands {
			r[i] = sc{c.ID, score(c)}
		}
		sort.Slice(r, func(i, j int) bool {
			if r[i].s != r[j].s {
				return r[i].s > r[j].s
			}
			return textmatch.CompareIDs(r[i].id, r[j].id) < 0
		})
		hits, ap := 0, 0.0
		for k := 0; k < len(r) && k < 5; k++ {
			if q.rel[r[k].id] {
				hits++
				ap += float64(hits) / float64(k+1)
			}
		}
		if n := min(len(q.rel), 5); n > 0 {
			sum += ap / float64(n)
		}
	}
	return sum / float64(len(set))
}

func crossValidate(set []labelled, lambda, negPenalty float64, folds int) float64 {
	var all []labelled
	for f := 0; f < folds; f++ {
		var tr, te []labelled
		for i, q := range set {
			if i%folds == f {
				te = append(te, q)
			} else {
				tr = append(tr, q)
			}
		}
		m := fit(tr, lambda, negPenalty)
		// Score the held-out fold, then pool the folds for one MAP.
		for _, q := range te {
			q2 := q
			q2.cands = append([]textmatch.Candidate(nil), q.cands...)
			for i := range q2.cands {
				q2.cands[i].BM25 = m.Logit(q.cands[i])
			}
			all = append(all, q2)
		}
	}
	return mapAt5(all, func(c textmatch.Candidate) float64 { return c.BM25 })
}

// fit fits the model on set: a logistic regression by Newton's method
// on standardised features with L2 penalty lambda on the weights (not
// the bias). Pairwise, it fits the log-odds that a relevant candidate
// outranks an irrelevant one of the same query, then calibrates the
// score's scale and bias by a pointwise logistic fit. It returns the
// model on the raw features.
func fit(set []labelled, lambda, negPenalty float64) textmatch.Model {
	const n = textmatch.NumFeatures
	var mean, sd [n]float64
	rows := 0
	for _, q := range set {
		for _, c := range q.cands {
			rows++
			for j := 0; j < n; j++ {
				mean[j] += c.Features[j]
			}
		}
	}
	for j := range mean {
		mean[j] /= float64(rows)
	}
	for _, q := range set {
		for _, c := range q.cands {
			for j := 0; j < n; j++ {
				d := c.Features[j] - mean[j]
				sd[j] += d * d
			}
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(rows))
		if sd[j] < 1e-9 {
			sd[j] = 1
		}
	}
	dropped := map[string]bool{}
	for _, d := range strings.Split(*drop, ",") {
		dropped[d] = true
	}
	std := func(c textmatch.Candidate) [nw]float64 {
		var x [nw]float64
		for j := 0; j < n; j++ {
			if !dropped[textmatch.FeatureNames[j]] {
				x[j] = (c.Features[j] - mean[j]) / sd[j]
			}
		}
		x[n] = 1
		return x
	}
	off := func(c textmatch.Candidate) float64 {
		if c.NegationDiffers {
			return -negPenalty
		}
		return 0
	}
	var xs [][nw]float64
	var ys, offs []float64
	if !*pairwise {
		for _, q := range set {
			for i, c := range q.cands {
				xs = append(xs, std(c))
				ys = append(ys, b2f(q.y[i]))
				offs = append(offs, off(c))
			}
		}
		w := newton(xs, ys, offs, lambda, n)
		m := textmatch.Model{Bias: w[n], NegationPenalty: negPenalty}
		for j := 0; j < n; j++ {
			m.Weights[j] = w[j] / sd[j]
			m.Bias -= w[j] * mean[j] / sd[j]
		}
		return m
	}
	for _, q := range set {
		for i, p := range q.cands {
			if !q.y[i] {
				continue
			}
			xp := std(p)
			for j, c := range q.cands {
				if q.y[j] || (*hardNeg > 0 && j >= *hardNeg) {
					continue
				}
				xn := std(c)
				var d [nw]float64
				for k := 0; k < n; k++ {
					d[k] = xp[k] - xn[k]
				}
				xs = append(xs, d)
				ys = append(ys, 1)
				offs = append(offs, off(p)-off(c))
			}
		}
	}
	w := newton(xs, ys, offs, lambda, n)
	// Calibrate: P(relevant) = σ(a·z + b), z the pairwise logit.
	var cx [][nw]float64
	var cy, coff []float64
	for _, q := range set {
		for i, c := range q.cands {
			x := std(c)
			z := off(c)
			for k := 0; k < n; k++ {
				z += w[k] * x[k]
			}
			var r [nw]float64
			r[0], r[1] = z, 1
			cx = append(cx, r)
			cy = append(cy, b2f(q.y[i]))
			coff = append(coff, 0)
		}
	}
	ab := newton(cx, cy, coff, 0, -1)
	a, b := ab[0], ab[1]
	m := textmatch.Model{Bias: b, NegationPenalty: a * negPenalty}
	for j := 0; j < n; j++ {
		m.Weights[j] = a * w[j] / sd[j]
		m.Bias -= a * w[j] * mean[j] / sd[j]
	}
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// newton fits logistic regression weights on rows xs (labels ys, fixed
// offsets offs) with L2 penalty lambda on every weight but the one at
// index bias (−1: none).
func newton(xs [][nw]float64, ys, offs []float64, lambda float64, bias int) [nw]float64 {
	var w [nw]float64
	for iter := 0; iter < 50; iter++ {
		var g [nw]float64
		var h [nw][nw]float64
		for i, x := range xs {
			z := offs[i]
			for j := range x {
				z += w[j] * x[j]
			}
			p := 1 / (1 + math.Exp(-z))
			r := p - ys[i]
			v := p * (1 - p)
			for j := range x {
				if x[j] == 0 {
					continue
				}
				g[j] += r * x[j]
				for k := range x {
					h[j][k] += v * x[j] * x[k]
				}
			}
		}
		for j := 0; j < nw; j++ {
			if j != bias {
				g[j] += lambda * w[j]
				h[j][j] += lambda
			}
			h[j][j] += 1e-9
		}
		step := solve(h, g)
		maxStep := 0.0
		for j := range w {
			w[j] -= step[j]
			maxStep = max(maxStep, math.Abs(step[j]))
		}
		if maxStep < 1e-10 {
			break
		}
	}
	return w
}

const nw = textmatch.NumFeatures + 1

// solve solves h·x = g by Gaussian elimination with partial pivoting.
func solve(h [nw][nw]float64, g [nw]float64) [nw]float64 {
	for c := 0; c < nw; c++ {
		p := c
		for r := c + 1; r < nw; r++ {
			if math.Abs(h[r][c]) > math.Abs(h[p][c]) {
				p = r
			}
		}
		h[c], h[p] = h[p], h[c]
		g[c], g[p] = g[p], g[c]
		if h[c][c] == 0 {
			continue
		}
		for r := c + 1; r < nw; r++ {
			f := h[r][c] / h[c][c]
			for k := c; k < nw; k++ {
				h[r][k] -= f * h[c][k]
			}
			g[r] -= f * g[c]
		}
	}
	var x [nw]float64
	for c := nw - 1; c >= 0; c-- {
		if h[c][c] == 0 {
			continue
		}
		s := g[c]
		for k := c + 1; k < nw; k++ {
			s -= h[c][k] * x[k]
		}
		x[c] = s / h[c][c]
	}
	return x
}

type tsvQuery struct{ id, text string }

// readTSV reads a tab-separated file with a header line, fields quoted
// as Python's csv module writes them.
func readTSV(path string, fields int) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 64<<20))
	r.Comma = '\t'
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	var out [][]string
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if n == 0 {
			continue // the header
		}
		if len(rec) < fields {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: want %d tab-separated fields, got %d", path, line, fields, len(rec))
		}
		out = append(out, rec)
	}
	return out, nil
}

// loadClaims indexes verified-claims.tsv as claim:vclaim-ID, text: the
// claim, a newline, the article title.
func loadClaims(path string) (*textmatch.MemIndex, error) {
	recs, err := readTSV(path, 3)
	if err != nil {
		return nil, err
	}
	ix := textmatch.NewMemIndex()
	for _, r := range recs {
		ix.Add("claim:vclaim-"+strings.TrimSpace(r[0]), strings.TrimSpace(r[1])+"\n"+strings.TrimSpace(r[2]))
	}
	return ix, nil
}

func loadQueries(path string) ([]tsvQuery, error) {
	recs, err := readTSV(path, 2)
	if err != nil {
		return nil, err
	}
	var out []tsvQuery
	for _, r := range recs {
		out = append(out, tsvQuery{strings.TrimSpace(r[0]), r[1]})
	}
	return out, nil
}

// loadQrels reads "QUERY 0 VCLAIM-ID LABEL" lines into the relevant
// claims of each query.
func loadQrels(path string) (map[string]map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rel := map[string]map[string]bool{}
	for n, line := range strings.Split(string(b), "\n") {
		p := strings.Fields(line)
		if len(p) == 0 {
			continue
		}
		if len(p) < 4 {
			return nil, fmt.Errorf("%s:%d: want QUERY 0 CLAIM LABEL", path, n+1)
		}
		if p[3] == "0" {
			continue
		}
		if rel[p[0]] == nil {
			rel[p[0]] = map[string]bool{}
		}
		rel[p[0]]["claim:vclaim-"+p[2]] = true
	}
	return rel, nil
}

func weightsFile(m textmatch.Model, lambda, cvMAP, bm25MAP, negPenalty float64, queries int) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./graph/textmatch/internal/train; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package textmatch\n\n")
	kind := "a logistic regression"
	if *pairwise {
		kind = "a pairwise logistic regression\n// (a relevant candidate against an irrelevant one of the same tweet),\n// calibrated to a probability by a pointwise logistic fit of its logit,"
	}
	fmt.Fprintf(&b, "// DefaultModel is the model Rank uses: %s\n", kind)
	fmt.Fprintf(&b, "// over the features of the best %d BM25 candidates of the %d training\n", textmatch.Depth, queries)
	fmt.Fprintf(&b, "// tweets of\n")
	fmt.Fprintf(&b, "// CLEF 2020 CheckThat! task 2 (train.tsv, train.qrels; verified-claims.tsv\n")
	fmt.Fprintf(&b, "// indexed as claim, newline, title), fitted by Newton's method on\n")
	fmt.Fprintf(&b, "// standardised features with L2 penalty %g, chosen by 5-fold\n", lambda)
	fmt.Fprintf(&b, "// cross-validation over the training tweets (MAP@5 %.4f). The development\n", cvMAP)
	fmt.Fprintf(&b, "// tweets were not used. NegationPenalty is %g on the fitted logit, set by\n", negPenalty)
	fmt.Fprintf(&b, "// hand (the training tweets hardly hold negated pairs), not learned.\n")
	fmt.Fprintf(&b, "// The assoc feature reads the term associations of assoc_data.go,\n")
	fmt.Fprintf(&b, "// learned without labels from the verified claims (claim against title).\n")
	fmt.Fprintf(&b, "// For comparison, BM25 alone scores MAP@5 %.4f on the training tweets.\n", bm25MAP)
	fmt.Fprintf(&b, "var DefaultModel = Model{\n\tBias: %s,\n\tWeights: [NumFeatures]float64{\n", num(m.Bias))
	for i, w := range m.Weights {
		fmt.Fprintf(&b, "\t\t%s, // %s\n", num(w), textmatch.FeatureNames[i])
	}
	fmt.Fprintf(&b, "\t},\n\tNegationPenalty: %s,\n}\n", num(m.NegationPenalty))
	return format.Source(b.Bytes())
}

func num(x float64) string {
	return fmt.Sprintf("%.6g", x)
}

// writeAtomic writes b to path through a temporary file and a rename.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".weights-*.go")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
