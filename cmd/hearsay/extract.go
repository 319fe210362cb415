package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"hearsay/fixtures"
	"hearsay/fixtures/extract"
	"hearsay/graph"
	"hearsay/store"
)

// defaultExtractMax is the default of 'hearsay extract --max-bytes'.
const defaultExtractMax = 4 << 20

func cmdExtract(e *env, args []string) (err error) {
	fs, dir, level := e.flags("extract", "FILE|- (plain UTF-8 text)")
	format := fs.String("format", "hearsay", "`what` to print: hearsay (a hearsay/v1 document to review and load) or citron (the attributions found)")
	useDB := false
	outlet := fs.String("outlet", "", "the article's outlet `ID` (outlet:…); default a placeholder")
	report := fs.String("report", "", "the article's report `ID` (report:…); default derived from --title or the file name")
	published := fs.String("published", "", "the article's publication `DATE` (YYYY, YYYY-MM, YYYY-MM-DD); gives the year of dates such as \"on 25 April\"")
	url := fs.String("url", "", "the article's `URL`")
	title := fs.String("title", "", "the article's `TITLE`")
	maxBytes := fs.Int64("max-bytes", defaultExtractMax, "refuse a text over `N` bytes")
	matches := fs.Int("matches", 3, "with --db, note for each proposed claim up to `N` stored claims that may say the same (0: none)")
	threshold := fs.Float64("match-threshold", graph.DefaultMatchThreshold, "with --db, note only stored claims scoring at least `SCORE` (as 'hearsay match' scores)")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			useDB = true
		}
	})
	if fs.NArg() != 1 {
		return usageError{"name one text file, or - for standard input"}
	}
	if *format != "hearsay" && *format != "citron" {
		return usageError{fmt.Sprintf("--format is hearsay or citron, not %q", *format)}
	}
	if *matches < 0 || *matches > graph.MaxMatches || *threshold < 0 {
		return usageError{fmt.Sprintf("--matches is between 0 and %d, --match-threshold at least 0", graph.MaxMatches)}
	}
	if *maxBytes < 1 || *maxBytes > 1<<30 {
		return usageError{"--max-bytes is between 1 and 1073741824"}
	}
	opt := extract.ProposeOptions{Outlet: *outlet, Report: *report, Name: fs.Arg(0), URL: *url, Title: *title}
	if *outlet != "" {
		if err := graph.CheckID(*outlet, graph.KindOutlet); err != nil {
			return usageError{"--outlet: " + graph.ErrorMessage(err)}
		}
	}
	if *report != "" {
		if err := graph.CheckID(*report, graph.KindReport); err != nil {
			return usageError{"--report: " + graph.ErrorMessage(err)}
		}
	}
	if opt.Published, err = graph.ParseDate(*published); err != nil {
		return usageError{"--published: " + graph.ErrorMessage(err)}
	}
	if len(*title) > graph.MaxNameLen || len(*url) > graph.MaxURLLen || !utf8.ValidString(*title) || !utf8.ValidString(*url) {
		return usageError{fmt.Sprintf("--title is at most %d bytes and --url at most %d, in UTF-8", graph.MaxNameLen, graph.MaxURLLen)}
	}
	text, err := e.readArticle(fs.Arg(0), *maxBytes)
	if err != nil {
		return err
	}
	quotes := extract.Extract(text)
	var out bytes.Buffer
	if *format == "citron" {
		if quotes == nil {
			quotes = []extract.Quote{}
		}
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(extract.Citron{Text: text, Quotes: quotes}); err != nil {
			return err
		}
		_, err = e.stdout.Write(out.Bytes())
		return err
	}
	var db *store.DB
	if useDB {
		if db, err = e.openReadOnly(*dir); err != nil {
			return err
		}
		defer closeDB(db, &err)
		opt.Lookup = extract.NewGraphLookup(db)
	}
	p, err := extract.Propose(e.ctx, text, extract.FindNested(text, quotes, extract.Extract), opt)
	if err != nil {
		return err
	}
	if db != nil && *matches > 0 {
		if err := noteMatches(e, db, p, *threshold, *matches); err != nil {
			return err
		}
	}
	if err := p.WriteJSON(&out); err != nil {
		return err
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// openReadOnly opens a database for lookups only.
func (e *env) openReadOnly(dir string) (*store.DB, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s", dir)
	}
	db, err := e.open(dir, true, func(o *store.Options) { o.ReadOnly = true })
	if err != nil {
		if graph.ErrorCode(err) == graph.ECONFLICT {
			return nil, fmt.Errorf("the database at %s is held by a running server: ask it with the GraphQL query extract(text: …) instead", dir)
		}
		return nil, err
	}
	return db, nil
}

// readArticle reads an article's text: at most limit bytes (limit+1 are
// read, so that a larger input is refused without being read whole), UTF-8,
// not empty, not binary.
func (e *env) readArticle(name string, limit int64) (string, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("%s: the text is over the limit of %d bytes (--max-bytes)", name, limit)
	}
	if err := extract.CheckText(b); err != nil {
		return "", fmt.Errorf("%s: %s", name, err)
	}
	return string(b), nil
}

// noteMatches adds to a proposal's review section, for each proposed claim
// not stored yet, a note naming each stored claim that may say the same
// (graph.MatchNewClaims), so that the reviewer can merge instead of
// duplicating. A note takes the confidence of its claim's own note; notes
// stop at fixtures.MaxReviewNotes, so the proposal stays loadable.
func noteMatches(e *env, g graph.ClaimService, p *extract.Proposal, threshold float64, first int) error {
	claims := p.Dataset.Claims
	if len(claims) > graph.MaxMatchedClaims {
		claims = claims[:graph.MaxMatchedClaims]
	}
	found, err := graph.MatchNewClaims(e.ctx, g, claims, threshold, first)
	if err != nil {
		return err
	}
	conf := make(map[string]float64)
	for _, n := range p.Review {
		if n.Path == "" {
			conf[n.Record] = n.Confidence
		}
	}
	for _, f := range found {
		for _, m := range f.Similar {
			if len(p.Review) >= fixtures.MaxReviewNotes {
				return nil
			}
			text := []rune(m.Claim.Text)
			if len(text) > 300 {
				text = append(text[:300], '…')
			}
			p.Review = append(p.Review, fixtures.ReviewNote{Record: f.Claim.ID, Confidence: conf[f.Claim.ID],
				Note: fmt.Sprintf("may say what the stored %s says (match score %.1f): %s", m.Claim.ID, m.Score, string(text))})
		}
	}
	return nil
}
