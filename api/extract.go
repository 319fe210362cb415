package api

import (
	"bytes"
	"context"
	"sync"
	"unicode/utf8"

	"github.com/graphql-go/graphql"

	"hearsay/fixtures"
	"hearsay/fixtures/extract"
	"hearsay/graph"
)

// The read-only query extract: the attributions of an article's text and
// the hearsay/v1 proposal 'hearsay extract' makes of them, with sources
// already in the server's graph reused (as with 'hearsay extract --db').
// Nothing is written; importing the proposal is importDataset's.

// MaxExtractBytes bounds the text of one extract field, checked before
// anything reads it (the request body limit bounds it too, but an operator
// may raise that one). The extractor's work grows faster than the text on
// pathological input (one endless sentence of reporting clauses), so the
// bound is set by what such a text costs, not by the body limit: see
// BenchmarkExtractWorstCase. News articles are 5 to 50 KB.
const MaxExtractBytes = 128 << 10

// extraction is the answer of one extract field. Its quotes are found at
// once; the proposal, which reads the graph, only when a field asks for it.
type extraction struct {
	text   string
	quotes []extract.Quote
	opt    extract.ProposeOptions
	once   sync.Once
	prop   *extract.Proposal
	doc    string
	err    error
}

// proposal proposes the records once, however many fields ask.
func (x *extraction) proposal(ctx context.Context) (*extract.Proposal, error) {
	x.once.Do(func() {
		// FindNested reads every content again; once the request is
		// over, it is given nothing more to read.
		find := func(s string) []extract.Quote {
			if ctx.Err() != nil {
				return nil
			}
			return extract.Extract(s)
		}
		nested := extract.FindNested(x.text, x.quotes, find)
		if x.err = ctx.Err(); x.err != nil {
			return
		}
		if x.prop, x.err = extract.Propose(ctx, x.text, nested, x.opt); x.err != nil {
			return
		}
		if x.err = ctx.Err(); x.err != nil {
			return
		}
		var b bytes.Buffer
		if x.err = x.prop.WriteJSON(&b); x.err == nil {
			x.doc = b.String()
		}
	})
	return x.prop, x.err
}

// extractArgs reads the field's arguments as 'hearsay extract' reads its
// flags, with the same messages, as BAD_USER_INPUT.
func extractArgs(a map[string]any) (string, extract.ProposeOptions, error) {
	var opt extract.ProposeOptions
	text := argString(a, "text")
	if len(text) > MaxExtractBytes {
		return "", opt, graph.Errorf(graph.EINVALID, "text: the text is over the limit of %d bytes", MaxExtractBytes)
	}
	if err := extract.CheckText([]byte(text)); err != nil {
		return "", opt, graph.Errorf(graph.EINVALID, "text: %s", err)
	}
	var err error
	for _, k := range []struct {
		name string
		kind graph.Kind
		to   *string
	}{{"outlet", graph.KindOutlet, &opt.Outlet}, {"report", graph.KindReport, &opt.Report}} {
		if argString(a, k.name) == "" {
			continue
		}
		if *k.to, err = argID(a, k.name, k.kind); err != nil {
			return "", opt, err
		}
	}
	if opt.Published, err = argDate(a, "published"); err != nil {
		return "", opt, err
	}
	opt.Title, opt.URL = argString(a, "title"), argString(a, "url")
	if len(opt.Title) > graph.MaxNameLen || !utf8.ValidString(opt.Title) {
		return "", opt, graph.Errorf(graph.EINVALID, "title: at most %d bytes of UTF-8", graph.MaxNameLen)
	}
	if len(opt.URL) > graph.MaxURLLen || !utf8.ValidString(opt.URL) {
		return "", opt, graph.Errorf(graph.EINVALID, "url: at most %d bytes of UTF-8", graph.MaxURLLen)
	}
	return text, opt, nil
}

// newExtractField builds the field Query.extract and its types.
func newExtractField(name string, s *Server, t *types) *field {
	span := graphql.NewObject(graphql.ObjectConfig{
		Name:        "TextSpan",
		Description: "A stretch [start, end) of the text, in Unicode code points (not bytes, not UTF-16 units), and its text.",
		Fields: t.fields("TextSpan", fieldList{
			{Name: "start", Type: nonNull(graphql.Int), Description: "Where the span starts: the offset, in code points, of its first character.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(extract.Span).Start, nil }},
			{Name: "end", Type: nonNull(graphql.Int), Description: "Where the span ends: the offset, in code points, just after its last character.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(extract.Span).End, nil }},
			{Name: "text", Type: nonNull(graphql.String), Description: "The span's text.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(extract.Span).Text, nil }},
		}),
	})
	quote := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ExtractedQuote",
		Description: "One attribution found in the text, as 'hearsay extract --format citron' prints it.",
		Fields: t.fields("ExtractedQuote", fieldList{
			{Name: "cue", Type: nonNull(span), Description: "The reporting expression: \"said\", \"according to\", \"has learned\".",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(extract.Quote).Cue, nil }},
			{Name: "sources", Type: listOf(span), Description: "Who said it.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilSpans(p.Source.(extract.Quote).Sources), nil }},
			{Name: "contents", Type: listOf(span), Description: "What was said; several spans when a quote is split.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilSpans(p.Source.(extract.Quote).Contents), nil }},
			{Name: "confidence", Type: nonNull(graphql.Float), Description: "In [0,1].",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(extract.Quote).Confidence, nil }},
		}),
	})
	note := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ReviewNote",
		Description: "One entry of the proposal's review section: where in the text a proposed record (or one of its appearances or attributions) was read, and how sure the extractor is.",
		Fields: t.fields("ReviewNote", fieldList{
			{Name: "record", Type: nonNull(graphql.ID), Description: "The ID of the proposed record.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(fixtures.ReviewNote).Record, nil }},
			{Name: "path", Type: graphql.String, Description: "The part of the record, as appearances[0].attributions[1]; null for the record itself.",
				Resolve: str(func(v any) string { return v.(fixtures.ReviewNote).Path })},
			{Name: "spans", Type: listOf(span), Description: "Where in the text it was read.", Resolve: func(p graphql.ResolveParams) (any, error) {
				var out []extract.Span
				for _, sp := range p.Source.(fixtures.ReviewNote).Spans {
					out = append(out, extract.Span{Start: sp.Start, End: sp.End, Text: sp.Text})
				}
				return nonNilSpans(out), nil
			}},
			{Name: "confidence", Type: nonNull(graphql.Float), Description: "How sure the extractor is, in [0,1].", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(fixtures.ReviewNote).Confidence, nil }},
			{Name: "note", Type: graphql.String, Description: "What a reviewer should check; null when nothing.", Resolve: str(func(v any) string { return v.(fixtures.ReviewNote).Note })},
		}),
	})
	record := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ProposedRecord",
		Description: "A record the proposal would add: sources already in the graph are reused, not proposed.",
		Fields: t.fields("ProposedRecord", fieldList{
			{Name: "id", Type: nonNull(graphql.ID), Description: "The record's proposed ID (kind:slug).", Resolve: func(p graphql.ResolveParams) (any, error) { id, _ := proposedRecord(p.Source); return id, nil }},
			{Name: "kind", Type: nonNull(graphql.String), Description: "outlet, official, report or claim.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					id, _ := proposedRecord(p.Source)
					k, _, _ := graph.SplitID(id)
					return k.String(), nil
				}},
			{Name: "name", Type: graphql.String, Description: "An outlet's or official's name, a report's title, a claim's text.",
				Resolve: str(func(v any) string { _, name := proposedRecord(v); return name })},
		}),
	})
	var attribution *graphql.Object
	attribution = graphql.NewObject(graphql.ObjectConfig{
		Name:        "ProposedAttribution",
		Description: "To whom a proposed appearance attributes its claim.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			at := func(v any) graph.Attribution { return v.(graph.Attribution) }
			return t.fields("ProposedAttribution", fieldList{
				{Name: "source", Type: nonNull(graphql.ID), Description: "The ID of the official, report or outlet, proposed or already in the graph.", Resolve: func(p graphql.ResolveParams) (any, error) { return at(p.Source).Source, nil }},
				{Name: "mode", Type: nonNull(t.mode), Description: "How the article attributes the claim.", Resolve: enumValue(func(v any) graph.Mode { return at(v).Mode })},
				{Name: "quote", Type: graphql.String, Description: "The attributing words as printed; null when none.", Resolve: str(func(v any) string { return at(v).Quote })},
				{Name: "relaying", Type: listOf(attribution), Description: "Relayed speech: whom the source passed on.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilAttributions(at(p.Source).Relaying), nil }},
			})
		}),
	})
	appearance := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ProposedAppearance",
		Description: "A report a proposed claim appears in: this article, or a report it cites.",
		Fields: t.fields("ProposedAppearance", fieldList{
			{Name: "report", Type: nonNull(graphql.ID), Description: "The report's ID.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Appearance).Report, nil }},
			{Name: "quote", Type: graphql.String, Description: "The words as printed.", Resolve: str(func(v any) string { return v.(graph.Appearance).Quote })},
			{Name: "mode", Type: t.mode, Description: "How the report carries the claim; null when unset.", Resolve: enumValue(func(v any) graph.Mode { return v.(graph.Appearance).Mode })},
			{Name: "hedge", Type: graphql.String, Description: "\"reportedly\", \"according to\" and the like; null when none.", Resolve: str(func(v any) string { return v.(graph.Appearance).Hedge })},
			{Name: "attributions", Type: listOf(attribution), Description: "Whom the report attributes the claim to.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					return nonNilAttributions(p.Source.(graph.Appearance).Attributions), nil
				}},
		}),
	})
	claim := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ProposedClaim",
		Description: "A claim the proposal would add, one per attributed statement.",
		Fields: t.fields("ProposedClaim", fieldList{
			{Name: "id", Type: nonNull(graphql.ID), Description: "The claim's proposed ID, claim:slug.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*graph.Claim).ID, nil }},
			{Name: "text", Type: nonNull(graphql.String), Description: "The statement, as the article gives it.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*graph.Claim).Text, nil }},
			{Name: "appearances", Type: listOf(appearance), Description: "The reports the claim appears in.", Resolve: func(p graphql.ResolveParams) (any, error) {
				if a := p.Source.(*graph.Claim).Appearances; a != nil {
					return a, nil
				}
				return []graph.Appearance{}, nil
			}},
		}),
	})
	count := func(name string, get func(*graph.Dataset) int) *field {
		return &field{Name: name, Type: nonNull(graphql.Int), Description: "How many " + name + " the proposal would add.", Resolve: func(p graphql.ResolveParams) (any, error) { return get(p.Source.(*graph.Dataset)), nil }}
	}
	counts := graphql.NewObject(graphql.ObjectConfig{
		Name:        "ProposalCounts",
		Description: "How many records of each kind the proposal would add.",
		Fields: t.fields("ProposalCounts", fieldList{
			count("outlets", func(d *graph.Dataset) int { return len(d.Outlets) }),
			count("officials", func(d *graph.Dataset) int { return len(d.Officials) }),
			count("reports", func(d *graph.Dataset) int { return len(d.Reports) }),
			count("claims", func(d *graph.Dataset) int { return len(d.Claims) }),
		}),
	})
	// proposed resolves a field of the proposal, proposing it on first use.
	proposed := func(get func(*extraction) any) graphql.FieldResolveFn {
		return resolve(func(p graphql.ResolveParams) (any, error) {
			x := p.Source.(*extraction)
			if _, err := x.proposal(p.Context); err != nil {
				return nil, err
			}
			return get(x), nil
		})
	}
	extractionType := graphql.NewObject(graphql.ObjectConfig{
		Name:        "Extraction",
		Description: "The attributions of a text and the hearsay/v1 records proposed for them, to review and then load with importDataset.",
		Fields: t.fields("Extraction", fieldList{
			{Name: "quotes", Type: listOf(quote), Description: "The attributions found, in text order.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*extraction).quotes, nil }},
			{Name: "review", Type: listOf(note), Description: "The review notes of the proposal: the document's review section.",
				Resolve: proposed(func(x *extraction) any {
					if x.prop.Review == nil {
						return []fixtures.ReviewNote{}
					}
					return x.prop.Review
				})},
			{Name: "counts", Type: nonNull(counts), Description: "How many records of each kind the proposal would add.", Resolve: proposed(func(x *extraction) any { return x.prop.Dataset })},
			{Name: "records", Type: listOf(record), Description: "The proposed records: outlets, officials, reports, then claims.",
				Resolve: proposed(func(x *extraction) any {
					out := []any{}
					for _, n := range x.prop.Dataset.Nodes() {
						out = append(out, n)
					}
					return out
				})},
			{Name: "claims", Type: listOf(claim), Description: "The proposed claims, with their appearances and attributions.", Resolve: proposed(func(x *extraction) any {
				if x.prop.Dataset.Claims == nil {
					return []*graph.Claim{}
				}
				return x.prop.Dataset.Claims
			})},
			{Name: "document", Type: nonNull(graphql.String),
				Description: "The proposal as one hearsay/v1 JSON document, what 'hearsay extract --db' prints for the same text and flags, ready for importDataset(data:).",
				Resolve:     proposed(func(x *extraction) any { return x.doc })},
		}),
	})
	return &field{
		Name: name,
		Type: nonNull(extractionType),
		Description: "Finds the attributions in an article's text and proposes hearsay/v1 records for them, reusing the sources the graph holds. " +
			"Read-only: load the document with importDataset after review. The text is at most 131072 bytes.",
		Args: []*inputValue{
			{Name: "text", Type: nonNull(graphql.String), Description: "The article as plain text."},
			{Name: "outlet", Type: graphql.ID, Description: "The article's outlet; default a placeholder."},
			{Name: "report", Type: graphql.ID, Description: "The article's report ID; default derived from title."},
			{Name: "published", Type: graphql.String, Description: "The article's publication date, " + dateDesc},
			{Name: "url", Type: graphql.String, Description: "The article's URL, for the proposed report."},
			{Name: "title", Type: graphql.String, Description: "The article's headline, for the proposed report."},
		},
		Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
			text, opt, err := extractArgs(p.Args)
			if err != nil {
				return nil, err
			}
			opt.Lookup = extract.NewGraphLookup(s.cfg.Graph)
			x := &extraction{text: text, opt: opt, quotes: extract.Extract(text)}
			if x.quotes == nil {
				x.quotes = []extract.Quote{}
			}
			return x, p.Context.Err()
		}),
	}
}

// proposedRecord returns a proposed node's ID and what ProposedRecord.name
// shows of it.
func proposedRecord(v any) (id, name string) {
	switch n := v.(type) {
	case *graph.Outlet:
		return n.ID, n.Name
	case *graph.Official:
		return n.ID, n.Name
	case *graph.Report:
		return n.ID, n.Title
	case *graph.Claim:
		return n.ID, n.Text
	}
	return "", ""
}

func nonNilSpans(s []extract.Span) []extract.Span {
	if s == nil {
		return []extract.Span{}
	}
	return s
}

func nonNilAttributions(a []graph.Attribution) []graph.Attribution {
	if a == nil {
		return []graph.Attribution{}
	}
	return a
}
