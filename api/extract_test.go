package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hearsay/api"
	"hearsay/fixtures/extract"
	"hearsay/graph"
)

// extractText is an article with a nested attribution (this report → The
// Telegraph → unnamed US officials) and a named official, in non-ASCII text
// (accents, curly quotes, an emoji) so that code points and bytes differ.
const extractText = "Café owners in Kraków are worried. The Telegraph reported that in private US officials have made clear they will “not abandon” Ukraine. Keir Starmer said the talks in Zürich had been “constructive” 🙂."

const extractQuery = `query($t: String!, $o: ID, $p: String) { extract(text: $t, outlet: $o, published: $p) {
  quotes { cue { start end text } sources { start end text } contents { start end text } confidence }
  review { record path spans { start end text } confidence note }
  counts { outlets officials reports claims }
  records { id kind name }
  claims { id text appearances { report quote mode hedge attributions { source mode quote } } }
  document } }`

type textSpan struct {
	Start, End int
	Text       string
}

type extractionData struct {
	Extract struct {
		Quotes []struct {
			Cue               textSpan
			Sources, Contents []textSpan
			Confidence        float64
		}
		Review []struct {
			Record     string
			Path       *string
			Spans      []textSpan
			Confidence float64
			Note       string
		}
		Counts  struct{ Outlets, Officials, Reports, Claims int }
		Records []struct{ ID, Kind, Name string }
		Claims  []struct {
			ID, Text    string
			Appearances []struct {
				Report, Quote, Mode string
				Hedge               *string
				Attributions        []struct{ Source, Mode, Quote string }
			}
		}
		Document string
	}
}

// codePoint returns the code-point offset of the first s in text.
func codePoint(t *testing.T, text, s string) int {
	t.Helper()
	i := strings.Index(text, s)
	if i < 0 {
		t.Fatalf("%q not in the text", s)
	}
	return utf8.RuneCountInString(text[:i])
}

func TestExtract(t *testing.T) {
	s := MustServer(t)
	var d extractionData
	s.MustQuery(t, extractQuery, map[string]any{"t": extractText, "o": "outlet:euromaidan-press", "p": "2025-04-26"}, &d)
	x := d.Extract
	runes := []rune(extractText)

	t.Run("OKSpansInCodePoints", func(t *testing.T) {
		// Ensure every span is [start, end) in code points with its text,
		// and the three attributions are found where they are.
		check := func(sp textSpan) {
			if sp.Start < 0 || sp.End > len(runes) || sp.Start > sp.End || string(runes[sp.Start:sp.End]) != sp.Text {
				t.Errorf("span %+v is not the text's code points [start, end)", sp)
			}
		}
		want := []struct{ cue, source, content string }{
			{"reported", "The Telegraph", "that in private US officials have made clear they will “not abandon” Ukraine"},
			{"have made clear", "US officials", "they will “not abandon” Ukraine"},
			{"said", "Keir Starmer", "the talks in Zürich had been “constructive” 🙂"},
		}
		if len(x.Quotes) != len(want) {
			t.Fatalf("%d quotes, want %d: %+v", len(x.Quotes), len(want), x.Quotes)
		}
		for i, q := range x.Quotes {
			check(q.Cue)
			for _, sp := range append(q.Sources, q.Contents...) {
				check(sp)
			}
			if q.Cue.Text != want[i].cue || len(q.Sources) != 1 || q.Sources[0].Text != want[i].source ||
				len(q.Contents) != 1 || q.Contents[0].Text != want[i].content {
				t.Errorf("quote %d: %+v, want %+v", i, q, want[i])
			}
			if q.Confidence <= 0 || q.Confidence > 1 {
				t.Errorf("quote %d: confidence %v", i, q.Confidence)
			}
		}
		if got, want := x.Quotes[2].Sources[0].Start, codePoint(t, extractText, "Keir Starmer"); got != want {
			t.Errorf("Keir Starmer starts at %d, want code point %d (byte %d)", got, want, strings.Index(extractText, "Keir Starmer"))
		}
		if got := x.Quotes[2].Contents[0].End; got != codePoint(t, extractText, "🙂")+1 {
			t.Errorf("the content ends at %d, want just after the emoji", got)
		}
		for _, n := range x.Review {
			for _, sp := range n.Spans {
				check(sp)
			}
		}
	})

	t.Run("OKChainProposed", func(t *testing.T) {
		// Ensure the nested attribution becomes this report → a report of
		// The Telegraph → unnamed US officials, with the seed's sources
		// reused, not proposed.
		var claim *struct {
			ID, Text    string
			Appearances []struct {
				Report, Quote, Mode string
				Hedge               *string
				Attributions        []struct{ Source, Mode, Quote string }
			}
		}
		for i := range x.Claims {
			if x.Claims[i].ID == "claim:they-will-not-abandon-ukraine" {
				claim = &x.Claims[i]
			}
		}
		if claim == nil || len(claim.Appearances) != 2 {
			t.Fatalf("no claim:they-will-not-abandon-ukraine with two appearances in %+v", x.Claims)
		}
		a0, a1 := claim.Appearances[0], claim.Appearances[1]
		if a0.Report != "report:article" || len(a0.Attributions) != 1 || a0.Attributions[0].Source != "report:telegraph-cited-by-article" || a0.Attributions[0].Mode != "CITES_REPORT" {
			t.Errorf("first appearance %+v", a0)
		}
		if a1.Report != "report:telegraph-cited-by-article" || len(a1.Attributions) != 1 || a1.Attributions[0].Source != usOfficials {
			t.Errorf("second appearance %+v", a1)
		}
		if x.Counts != (struct{ Outlets, Officials, Reports, Claims int }{1, 0, 2, 2}) {
			t.Errorf("counts %+v, want the outlet given, no official (all reused), two reports, two claims", x.Counts)
		}
		if len(x.Records) != 5 || x.Records[0].ID != "outlet:euromaidan-press" || x.Records[0].Kind != "outlet" || x.Records[4].Kind != "claim" {
			t.Errorf("records %+v", x.Records)
		}
	})

	t.Run("OKReviewNotes", func(t *testing.T) {
		// Ensure the review notes say what was reused and where each
		// attribution was read.
		notes := map[string]string{}
		var spans []textSpan
		for _, n := range x.Review {
			path := ""
			if n.Path != nil {
				path = *n.Path
			}
			notes[n.Record+" "+path] = n.Note
			if n.Record == "claim:they-will-not-abandon-ukraine" && path == "appearances[1].attributedTo[0]" {
				spans = n.Spans
			}
		}
		for _, id := range []string{"official:keir-starmer", usOfficials, "outlet:telegraph"} {
			if !strings.HasPrefix(notes[id+" "], "reused: in the graph as "+id) {
				t.Errorf("note of %s: %q", id, notes[id+" "])
			}
		}
		if len(spans) != 2 || spans[0].Text != "US officials" || spans[1].Text != "have made clear" ||
			spans[0].Start != codePoint(t, extractText, "US officials") {
			t.Errorf("spans of the officials' attribution: %+v", spans)
		}
	})

	t.Run("OKDocumentAsTheCLI", func(t *testing.T) {
		// Ensure the document is what 'hearsay extract --db' writes for the
		// same text and flags: the same pipeline over the same graph.
		quotes := extract.Extract(extractText)
		p, err := extract.Propose(context.Background(), extractText, extract.FindNested(extractText, quotes, extract.Extract),
			extract.ProposeOptions{Outlet: "outlet:euromaidan-press", Published: mustDate(t, "2025-04-26"), Lookup: extract.NewGraphLookup(s.DB)})
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := p.WriteJSON(&want); err != nil {
			t.Fatal(err)
		}
		if x.Document != want.String() {
			t.Errorf("document:\n%s\nwant:\n%s", x.Document, want.String())
		}
	})

	t.Run("OKReadOnlyThenImport", func(t *testing.T) {
		// Ensure extract wrote nothing, and that importDataset loads its
		// document as it is, after which the claim's chain is traced
		// through The Telegraph's report to the officials.
		const q = `{ claim(id: "claim:they-will-not-abandon-ukraine") { chains { hops { report { id } } terminal origin { ... on Official { id } } } } claims { totalCount } }`
		var before struct {
			Claim  any
			Claims struct{ TotalCount int }
		}
		s.MustQuery(t, q, nil, &before)
		if before.Claim != nil {
			t.Fatalf("the claim is in the graph after extract alone: %v", before.Claim)
		}
		s.MustMutate(t, `mutation($d: String!) { importDataset(data: $d) { claims } }`, map[string]any{"d": x.Document}, nil)
		var after struct {
			Claim struct {
				Chains []struct {
					Hops     []struct{ Report struct{ ID string } }
					Terminal string
					Origin   struct{ ID string }
				}
			}
			Claims struct{ TotalCount int }
		}
		s.MustQuery(t, q, nil, &after)
		if after.Claims.TotalCount != before.Claims.TotalCount+2 {
			t.Errorf("%d claims after the import, want %d", after.Claims.TotalCount, before.Claims.TotalCount+2)
		}
		found := false
		for _, c := range after.Claim.Chains {
			if len(c.Hops) == 2 && c.Hops[0].Report.ID == "report:article" && c.Hops[1].Report.ID == "report:telegraph-cited-by-article" &&
				c.Terminal == "OFFICIAL" && c.Origin.ID == usOfficials {
				found = true
			}
		}
		if !found {
			t.Errorf("no chain report:article → report:telegraph-cited-by-article → %s in %+v", usOfficials, after.Claim.Chains)
		}
	})
}

func TestExtractReuse(t *testing.T) {
	// Ensure a source in the server's graph is reused (the seed holds Keir
	// Starmer), and proposed anew over an empty graph.
	const q = `query($t: String!) { extract(text: $t) { records { id } claims { appearances { attributions { source } } } } }`
	text := "Keir Starmer said the budget would be “fair”."
	for _, c := range []struct {
		name     string
		opts     []ServerOption
		proposed bool
	}{{"OKSeedReused", nil, false}, {"OKEmptyProposed", []ServerOption{WithoutSeed()}, true}} {
		t.Run(c.name, func(t *testing.T) {
			var d struct {
				Extract struct {
					Records []struct{ ID string }
					Claims  []struct {
						Appearances []struct{ Attributions []struct{ Source string } }
					}
				}
			}
			MustServer(t, c.opts...).MustQuery(t, q, map[string]any{"t": text}, &d)
			proposed := false
			for _, r := range d.Extract.Records {
				proposed = proposed || r.ID == "official:keir-starmer"
			}
			if proposed != c.proposed {
				t.Errorf("official:keir-starmer proposed: %v, want %v (%+v)", proposed, c.proposed, d.Extract.Records)
			}
			if len(d.Extract.Claims) != 1 || d.Extract.Claims[0].Appearances[0].Attributions[0].Source != "official:keir-starmer" {
				t.Errorf("claims %+v", d.Extract.Claims)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	// Raise the body limit so that the text's own limit is what refuses.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.MaxBodyBytes = 4 << 20 }))
	const q = `query($t: String!, $o: ID, $r: ID, $p: String, $u: String, $ti: String) {
	  extract(text: $t, outlet: $o, report: $r, published: $p, url: $u, title: $ti) { quotes { confidence } } }`
	ok := "Officials said it was over."
	for _, c := range []struct {
		name string
		vars map[string]any
		msg  string
	}{
		{"ErrEmpty", map[string]any{"t": ""}, "text: the text is empty"},
		{"ErrBlank", map[string]any{"t": " \n\t "}, "text: the text is empty"},
		{"ErrNUL", map[string]any{"t": "a\x00b"}, "text: the input is binary, not text: a NUL byte at byte offset 1"},
		{"ErrControl", map[string]any{"t": "ab\x01\x02\x03"}, "text: the input is binary, not text: 3 of its 5 characters are control characters"},
		{"ErrTooLarge", map[string]any{"t": strings.Repeat("a", api.MaxExtractBytes+1)}, "text: the text is over the limit of 131072 bytes"},
		{"ErrOutletKind", map[string]any{"t": ok, "o": "report:x"}, "outlet: "},
		{"ErrOutletMalformed", map[string]any{"t": ok, "o": "nonsense"}, "outlet: "},
		{"ErrReport", map[string]any{"t": ok, "r": "outlet:x"}, "report: "},
		{"ErrPublished", map[string]any{"t": ok, "p": "2025-13-45"}, "published: "},
		{"ErrTitle", map[string]any{"t": ok, "ti": strings.Repeat("t", 100_000)}, "title: at most"},
		{"ErrURL", map[string]any{"t": ok, "u": strings.Repeat("u", 100_000)}, "url: at most"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Ensure the input is refused as BAD_USER_INPUT with the CLI's message.
			e := s.Query(t, q, c.vars).MustFail(t, http.StatusOK, api.CodeBadUserInput)
			if !strings.HasPrefix(e.Message, c.msg) {
				t.Errorf("message %q, want it to start with %q", e.Message, c.msg)
			}
		})
	}
	t.Run("OKAtTheLimit", func(t *testing.T) {
		// Ensure a text of exactly MaxExtractBytes is read.
		text := strings.Repeat("Officials said it was over. ", api.MaxExtractBytes/28)
		text += strings.Repeat(" ", api.MaxExtractBytes-len(text))
		var d struct{ Extract struct{ Quotes []any } }
		s.MustQuery(t, `query($t: String!) { extract(text: $t) { quotes { confidence } } }`, map[string]any{"t": text}, &d)
		if len(d.Extract.Quotes) != api.MaxExtractBytes/28 {
			t.Errorf("%d quotes, want %d", len(d.Extract.Quotes), api.MaxExtractBytes/28)
		}
	})
	t.Run("ErrNotUTF8AsReplacement", func(t *testing.T) {
		// JSON cannot carry bytes that are not UTF-8: the request's decoder
		// turns them into U+FFFD, which is text. A raw 0xff in a GET
		// query's string literal is refused before execution.
		r := s.Get(t, Request{Query: "{ extract(text: \"a \xff said b\") { quotes { confidence } } }"})
		if r.Status != http.StatusBadRequest || len(r.Errors) != 1 || r.Errors[0].Code() != api.CodeBadUserInput {
			t.Errorf("status %d: %s", r.Status, r.Short())
		}
	})
	t.Run("ErrTooComplex", func(t *testing.T) {
		// Ensure five extracts are over the complexity limit (four fit).
		var b strings.Builder
		b.WriteString(`query($t: String!) {`)
		for i := range 5 {
			b.WriteString(" a" + string(rune('0'+i)) + `: extract(text: $t) { document }`)
		}
		b.WriteString(" }")
		s.Query(t, b.String(), map[string]any{"t": ok}).MustFail(t, http.StatusBadRequest, api.CodeQueryTooComplex)
	})
	t.Run("ErrResponseTooLarge", func(t *testing.T) {
		// Ensure the document is metered like every field.
		small := MustServer(t, WithConfig(func(c *api.Config) { c.MaxResponseBytes = 2000 }))
		small.Query(t, `query($t: String!) { extract(text: $t) { document } }`, map[string]any{"t": extractText}).
			MustFail(t, http.StatusBadRequest, api.CodeResponseTooLarge)
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		// Ensure the extraction stops with the request's time limit.
		slow := MustServer(t, WithConfig(func(c *api.Config) { c.Timeout = time.Millisecond }))
		text := strings.Repeat("officials said that ", api.MaxExtractBytes/20)
		r := slow.Query(t, `query($t: String!) { extract(text: $t) { document } }`, map[string]any{"t": text})
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "time limit") {
			t.Errorf("status %d: %s", r.Status, r.Short())
		}
	})
}

func mustDate(t *testing.T, s string) graph.Date {
	t.Helper()
	d, err := graph.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// BenchmarkExtractWorstCase measures one extract request of MaxExtractBytes
// through the real handler, for the shapes of text that cost the most that
// we know of. Run it with
//
//	go test ./api -run '^$' -bench ExtractWorstCase -benchmem
func BenchmarkExtractWorstCase(b *testing.B) {
	s := MustServer(b)
	const q = `query($t: String!) { extract(text: $t) { quotes { cue { start } } review { record } document } }`
	for _, c := range []struct{ name, unit string }{
		{"OneSentence", "officials said that "},
		{"Quotes", "“We will not move,” she said. "},
		{"Nested", "The Telegraph reported that officials have made clear that Ms Smith said the plan was dead. "},
		{"Prose", "The weather was mild and the market opened late on Tuesday in the old town. "},
	} {
		text := strings.Repeat(c.unit, api.MaxExtractBytes/len(c.unit))
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				r := s.Query(b, q, map[string]any{"t": text})
				if r.Status != http.StatusOK {
					b.Fatalf("status %d: %s", r.Status, r.Short())
				}
			}
		})
	}
}
