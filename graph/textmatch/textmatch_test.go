package textmatch_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"hearsay/graph/textmatch"
)

func TestTerms(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"Stems", "Caresses ponies relational hopping", []string{"caress", "poni", "relat", "hop"}},
		{"StopWords", "The claim is that it was in the news", []string{"claim", "new"}},
		{"Links", "see https://t.co/abc and pic.twitter.com/xyz www.example.com bit.ly/q", []string{"see"}},
		{"LinkGluedToHashtag", "#DefundTheCBChttps://t.co/CsHG8R9cHp", []string{"defund", "cbc"}},
		{"Handles", "(@realDonaldTrump) said", []string{"real", "donald", "trump", "said"}},
		{"Hashtags", "#AustralianFires #COVID19 #CBCNews #5G", []string{"australian", "fire", "covid", "19", "cbc", "new", "5g"}},
		{"Retweet", "RT @jane: hello", []string{"jane", "hello"}},
		{"Negations", "didn't, isn’t, cannot, never, no, not", []string{"not", "not", "not", "never", "no", "not"}},
		{"Numbers", "1,000 people, 3.5% of $20", []string{"1000", "peopl", "3.5", "20"}},
		{"Country", "the U.S. and US but not us", []string{"usa", "usa", "not"}},
		{"Possessive", "Trump's hotels", []string{"trump", "hotel"}},
		{"Empty", " \t\n ", nil},
		{"NonASCII", "Ärzte café", []string{"ärzte", "café"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure the analyzer normalises text as documented.
			got := textmatch.Terms(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestTerms_Deterministic(t *testing.T) {
	// Ensure the same text always gives the same terms.
	const text = "RT @CDCgov: #Vaccines don't cause autism, 12,000 kids studied https://t.co/x — Dr. Who (@who) May 1, 2019"
	a, b := textmatch.Terms(text), textmatch.Terms(text)
	if !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("Terms not deterministic: %q vs %q", a, b)
	}
}

func TestTerms_Bounded(t *testing.T) {
	t.Run("ManyWords", func(t *testing.T) {
		// Ensure a huge text gives at most MaxTerms terms.
		got := textmatch.Terms(strings.Repeat("alpha beta ", 1<<20))
		if len(got) > textmatch.MaxTerms {
			t.Fatalf("got %d terms, want at most %d", len(got), textmatch.MaxTerms)
		}
	})
	t.Run("TextCut", func(t *testing.T) {
		// Ensure only MaxTextBytes are read: a word past them is not seen.
		text := strings.Repeat(" ", textmatch.MaxTextBytes) + "zebra"
		if got := textmatch.Terms(text); len(got) != 0 {
			t.Fatalf("Terms read past MaxTextBytes: %q", got)
		}
	})
	t.Run("RuneCut", func(t *testing.T) {
		// Ensure the cut never splits a rune into an invalid term.
		text := strings.Repeat("é", textmatch.MaxTextBytes)
		for _, term := range textmatch.Terms(text[1:]) {
			if !utf8.ValidString(term) {
				t.Fatalf("invalid UTF-8 term %q", term)
			}
		}
	})
	t.Run("LongWord", func(t *testing.T) {
		// Ensure run-together junk longer than a word is dropped.
		if got := textmatch.Terms(strings.Repeat("x", 100) + " ok"); !slices.Equal(got, []string{"ok"}) {
			t.Fatalf("got %q", got)
		}
	})
}

// claims are hand-written: a claim line and a fact-check title line, as
// store indexes a claim with its reviews' titles.
var claims = map[string]string{
	"claim:5g-covid":     "5G towers caused the coronavirus outbreak.\nDid 5G Cause COVID-19?",
	"claim:5g-not":       "The coronavirus outbreak was not caused by 5G towers.\nNo, 5G Towers Are Not Behind the Pandemic",
	"claim:5g-2020":      "5G towers were switched on in Wuhan in 2020.",
	"claim:4g-2019":      "4G towers were switched on in Wuhan in 2019.",
	"claim:omar-iran":    "Ilhan Omar advised Iran to attack Trump hotels.\nDid Ilhan Omar Give Military Advice to Iran?",
	"claim:tlaib-iran":   "Rashida Tlaib advised Iran to attack Trump hotels.",
	"claim:koala":        "Koalas are functionally extinct because of the Australian bushfires.\nAre Koalas Functionally Extinct?",
	"claim:amazon":       "The Amazon rainforest was on fire in August 2019.",
	"claim:pelosi":       "A video shows Nancy Pelosi drunk and slurring her speech.",
	"claim:gates-who":    "Bill Gates owns the World Health Organization.",
	"claim:gates-notwho": "Bill Gates does not own the World Health Organization.",
	"claim:bees":         "Honey bees are going extinct in North America.",
}

func newIndex(t testing.TB) *textmatch.MemIndex {
	t.Helper()
	ix := textmatch.NewMemIndex()
	for id, text := range claims {
		ix.Add(id, text)
	}
	return ix
}

func rankOf(ms []textmatch.Match, id string) int {
	for i, m := range ms {
		if m.ID == id {
			return i
		}
	}
	return len(ms) + 1000
}

func TestRank_Paraphrase(t *testing.T) {
	ix := newIndex(t)
	for _, tt := range []struct{ query, want string }{
		{"My kids will never get to see a koala, the bushfires in Australia wiped them out #AustraliaFires", "claim:koala"},
		{"The Amazon has been burning for 3 weeks and nobody talks about it #PrayForAmazonia", "claim:amazon"},
		{"Look at @SpeakerPelosi slurring her words, is she drunk? pic.twitter.com/abc", "claim:pelosi"},
		{"@IlhanMN told Iran to go after Trump's hotels — that's treason", "claim:omar-iran"},
	} {
		// Ensure a tweet ranks the claim it restates first.
		ms, err := textmatch.Rank(context.Background(), ix, tt.query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].ID != tt.want {
			t.Errorf("Rank(%q) = %v, want %s first", tt.query, ms, tt.want)
		}
	}
}

func TestRank_Negation(t *testing.T) {
	ix := newIndex(t)
	for _, tt := range []struct{ query, paraphrase, opposite string }{
		{"5G towers did not cause the coronavirus outbreak", "claim:5g-not", "claim:5g-covid"},
		{"It is not true that Bill Gates owns the World Health Organization", "claim:gates-notwho", "claim:gates-who"},
		{"Bill Gates owns the WHO, the World Health Organization", "claim:gates-who", "claim:gates-notwho"},
	} {
		// Ensure a claim saying the opposite ranks below the paraphrase.
		ms, err := textmatch.Rank(context.Background(), ix, tt.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		if rankOf(ms, tt.paraphrase) >= rankOf(ms, tt.opposite) {
			t.Errorf("Rank(%q) = %v: want %s above %s", tt.query, ms, tt.paraphrase, tt.opposite)
		}
	}
}

func TestRank_NumbersAndNames(t *testing.T) {
	ix := newIndex(t)
	for _, tt := range []struct{ query, right, wrong string }{
		{"5G towers in Wuhan switched on in 2020", "claim:5g-2020", "claim:4g-2019"},
		{"4G towers in Wuhan 2019", "claim:4g-2019", "claim:5g-2020"},
		{"Rashida Tlaib wants Iran to attack Trump hotels", "claim:tlaib-iran", "claim:omar-iran"},
		{"Ilhan Omar wants Iran to attack Trump hotels", "claim:omar-iran", "claim:tlaib-iran"},
	} {
		// Ensure numbers and names decide between otherwise alike claims.
		ms, err := textmatch.Rank(context.Background(), ix, tt.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		if rankOf(ms, tt.right) >= rankOf(ms, tt.wrong) {
			t.Errorf("Rank(%q) = %v: want %s above %s", tt.query, ms, tt.right, tt.wrong)
		}
	}
}

func TestRank(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		// Ensure matches come best first with scores in (0, 1).
		ms, err := textmatch.Rank(ctx, newIndex(t), "bill gates who koalas towers", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) < 3 {
			t.Fatalf("got %d matches", len(ms))
		}
		seen := map[string]bool{}
		for i, m := range ms {
			if m.Score <= 0 || m.Score >= 1 || math.IsNaN(m.Score) {
				t.Errorf("match %d: score %v out of (0, 1)", i, m.Score)
			}
			if i > 0 && m.Score > ms[i-1].Score {
				t.Errorf("match %d scores %v above match %d's %v", i, m.Score, i-1, ms[i-1].Score)
			}
			if seen[m.ID] || claims[m.ID] == "" {
				t.Errorf("match %d: unknown or repeated ID %q", i, m.ID)
			}
			seen[m.ID] = true
		}
	})
	t.Run("TiesByID", func(t *testing.T) {
		// Ensure documents with the same text are ordered by ID.
		ix := textmatch.NewMemIndex()
		for _, id := range []string{"claim:c", "claim:a", "claim:b"} {
			ix.Add(id, "Bees are going extinct")
		}
		ix.Add("claim:z", "Wasps are fine")
		ms, err := textmatch.Rank(ctx, ix, "bees extinct", 3)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, []string{"claim:a", "claim:b", "claim:c"}) || ms[0].Score != ms[2].Score {
			t.Fatalf("got %v", ms)
		}
	})
	t.Run("K", func(t *testing.T) {
		ix := textmatch.NewMemIndex()
		for i := range 300 {
			text := "common word claim number"
			if i%2 == 1 {
				text = "something else entirely"
			}
			ix.Add("claim:"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26), text)
		}
		for _, tt := range []struct{ k, want int }{{-1, 0}, {0, 0}, {1, 1}, {7, 7}, {textmatch.MaxResults + 50, textmatch.MaxResults}} {
			// Ensure k bounds the matches, and MaxResults bounds k.
			ms, err := textmatch.Rank(ctx, ix, "common claim", tt.k)
			if err != nil || len(ms) != tt.want {
				t.Errorf("k=%d: got %d matches, %v; want %d", tt.k, len(ms), err, tt.want)
			}
		}
	})
	t.Run("EmptyIndex", func(t *testing.T) {
		// Ensure an empty index gives no matches and no error.
		ms, err := textmatch.Rank(ctx, textmatch.NewMemIndex(), "anything", 5)
		if err != nil || len(ms) != 0 {
			t.Fatalf("got %v, %v", ms, err)
		}
	})
	t.Run("NoTerms", func(t *testing.T) {
		// Ensure a text of stop words and links matches nothing.
		ms, err := textmatch.Rank(ctx, newIndex(t), "the of and https://t.co/x", 5)
		if err != nil || len(ms) != 0 {
			t.Fatalf("got %v, %v", ms, err)
		}
	})
	t.Run("ErrPostings", func(t *testing.T) {
		// Ensure an index error is returned, not hidden.
		_, err := textmatch.Rank(ctx, failingIndex{newIndex(t), "postings"}, "koalas extinct", 5)
		if !errors.Is(err, errBroken) {
			t.Fatalf("got %v, want errBroken", err)
		}
	})
	t.Run("ErrDocument", func(t *testing.T) {
		// Ensure a failing Document read is returned.
		_, err := textmatch.Rank(ctx, failingIndex{newIndex(t), "document"}, "koalas extinct", 5)
		if !errors.Is(err, errBroken) {
			t.Fatalf("got %v, want errBroken", err)
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		// Ensure a canceled context stops the query.
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := textmatch.Rank(c, newIndex(t), "koalas", 5); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

var errBroken = errors.New("broken index")

type failingIndex struct {
	*textmatch.MemIndex
	fail string
}

func (f failingIndex) Postings(ctx context.Context, term string, fn func(textmatch.Posting) bool) error {
	if f.fail == "postings" {
		return errBroken
	}
	return f.MemIndex.Postings(ctx, term, fn)
}

func (f failingIndex) Document(ctx context.Context, id string) (string, error) {
	if f.fail == "document" {
		return "", errBroken
	}
	return f.MemIndex.Document(ctx, id)
}

// countingIndex counts what a query reads.
type countingIndex struct {
	*textmatch.MemIndex
	postings, terms, docs int
}

func (c *countingIndex) Postings(ctx context.Context, term string, fn func(textmatch.Posting) bool) error {
	c.terms++
	return c.MemIndex.Postings(ctx, term, func(p textmatch.Posting) bool {
		c.postings++
		return fn(p)
	})
}

func (c *countingIndex) Document(ctx context.Context, id string) (string, error) {
	c.docs++
	return c.MemIndex.Document(ctx, id)
}

func TestRank_BoundedWork(t *testing.T) {
	// Ensure a query looks up at most MaxQueryTerms terms, reads at most
	// MaxPostings+1 postings of each and at most Depth documents, however
	// common its words.
	ix := &countingIndex{MemIndex: textmatch.NewMemIndex()}
	var words []string
	for i := range 100 {
		words = append(words, "word"+strings.Repeat("q", i%10)+string(rune('a'+i/10)))
	}
	all := strings.Join(words, " ")
	for i := range textmatch.MaxPostings + 500 {
		ix.Add("claim:"+strings.Repeat("n", i%50)+string(rune('a'+i%26))+string(rune('0'+i/1300)), all)
	}
	ms, err := textmatch.Rank(context.Background(), ix, all, 5)
	if err != nil {
		t.Fatal(err)
	}
	if ix.terms > textmatch.MaxQueryTerms {
		t.Errorf("looked up %d terms, want at most %d", ix.terms, textmatch.MaxQueryTerms)
	}
	if max := ix.terms * (textmatch.MaxPostings + 1); ix.postings > max {
		t.Errorf("read %d postings, want at most %d", ix.postings, max)
	}
	if ix.docs > textmatch.Depth {
		t.Errorf("read %d documents, want at most %d", ix.docs, textmatch.Depth)
	}
	// Every word is in every claim: all are too common to score.
	if len(ms) != 0 {
		t.Errorf("got %d matches from stop-word-like terms", len(ms))
	}
}

func TestModel(t *testing.T) {
	m := textmatch.DefaultModel
	// Ensure the trained model is usable: finite weights, a negation
	// penalty, and the penalty lowers the score.
	for i, w := range m.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			t.Errorf("weight %s = %v", textmatch.FeatureNames[i], w)
		}
	}
	if m.NegationPenalty <= 0 {
		t.Fatalf("NegationPenalty = %v, want > 0", m.NegationPenalty)
	}
	c := textmatch.Candidate{ID: "x"}
	c.Features[0] = 1
	n := c
	n.NegationDiffers = true
	if d := m.Logit(c) - m.Logit(n); math.Abs(d-m.NegationPenalty) > 1e-9 {
		t.Fatalf("negation lowers the logit by %v, want %v", d, m.NegationPenalty)
	}
	names := map[string]bool{}
	for _, n := range textmatch.FeatureNames {
		if n == "" || names[n] {
			t.Fatalf("feature name %q empty or repeated", n)
		}
		names[n] = true
	}
}

func TestMemIndex(t *testing.T) {
	ctx := context.Background()
	ix := textmatch.NewMemIndex()
	ix.Add("claim:a", "koalas extinct")
	ix.Add("claim:b", "koalas thriving")
	ix.Add("claim:a", "bees extinct now") // replaces
	t.Run("Stats", func(t *testing.T) {
		// Ensure Stats counts documents and terms after a replace.
		docs, terms, err := ix.Stats(ctx)
		if err != nil || docs != 2 || terms != 5 {
			t.Fatalf("Stats = %d, %d, %v; want 2, 5", docs, terms, err)
		}
	})
	t.Run("Postings", func(t *testing.T) {
		// Ensure a replaced document leaves the postings of its old terms.
		var ids []string
		ix.Postings(ctx, "koala", func(p textmatch.Posting) bool { ids = append(ids, p.ID); return true })
		if !slices.Equal(ids, []string{"claim:b"}) {
			t.Fatalf("postings of koala: %v", ids)
		}
	})
	t.Run("Document", func(t *testing.T) {
		// Ensure Document returns the indexed text, and an error for an unknown ID.
		if d, err := ix.Document(ctx, "claim:a"); err != nil || d != "bees extinct now" {
			t.Fatalf("Document = %q, %v", d, err)
		}
		if _, err := ix.Document(ctx, "claim:nope"); err == nil {
			t.Fatal("no error for an unknown document")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		// Ensure Delete removes the document from stats and postings.
		ix.Delete("claim:b")
		ix.Delete("claim:b")
		n := 0
		ix.Postings(ctx, "koala", func(textmatch.Posting) bool { n++; return true })
		if docs, _, _ := ix.Stats(ctx); docs != 1 || n != 0 || ix.Len() != 1 {
			t.Fatalf("after Delete: %d docs, %d koala postings", docs, n)
		}
	})
}

func FuzzRank(f *testing.F) {
	for _, s := range []string{"", "5G towers did not cause covid", "RT @a: #B https://x", "\xff\xfe", strings.Repeat("é ", 100)} {
		f.Add(s, uint8(5))
	}
	ix := newIndex(f)
	f.Fuzz(func(t *testing.T, text string, k uint8) {
		ms, err := textmatch.Rank(context.Background(), ix, text, int(k))
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) > int(k) {
			t.Fatalf("%d matches for k=%d", len(ms), k)
		}
		seen := map[string]bool{}
		for i, m := range ms {
			if claims[m.ID] == "" || seen[m.ID] {
				t.Fatalf("unknown or repeated ID %q", m.ID)
			}
			seen[m.ID] = true
			if !(m.Score > 0 && m.Score < 1) {
				t.Fatalf("score %v out of (0, 1)", m.Score)
			}
			if i > 0 && (m.Score > ms[i-1].Score || m.Score == ms[i-1].Score && m.ID < ms[i-1].ID) {
				t.Fatalf("matches out of order: %v", ms)
			}
		}
	})
}

func TestCompareIDs(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"claim:vclaim-9", "claim:vclaim-10", -1},
		{"claim:vclaim-10", "claim:vclaim-9", 1},
		{"claim:vclaim-10", "claim:vclaim-10", 0},
		{"claim:vclaim-010", "claim:vclaim-10", -1}, // equal by value, then by bytes
		{"claim:a", "claim:b", -1},
		{"claim:vclaim-1", "claim:vclaim-1a", -1},
		{"", "a", -1},
		{"x2y", "x10y", -1},
	} {
		if got := textmatch.CompareIDs(c.a, c.b); got != c.want {
			t.Errorf("CompareIDs(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := textmatch.CompareIDs(c.b, c.a); got != -c.want {
			t.Errorf("CompareIDs(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestAssociations(t *testing.T) {
	a := textmatch.ParseAssociations("migrant immigr:0.8 border:0.5 bad:x :0.3 neg:-1\nwig toupe:2\n\nlonely")
	if got := len(a["migrant"]); got != 2 {
		t.Fatalf("migrant has %d associations, want 2 (malformed pairs skipped): %v", got, a["migrant"])
	}
	if a["wig"][0].Strength != 1 {
		t.Errorf("strength %v, want capped at 1", a["wig"][0].Strength)
	}
	if _, ok := a["lonely"]; ok {
		t.Error("a term without pairs got associations")
	}
	// The document says "immigrants" where the query says "migrants":
	// half its two distinct terms (immigr, beach) associate, at 0.8.
	if got := textmatch.AssocFeature(a, "migrants", "Immigrants beach"); math.Abs(got-0.4) > 1e-9 {
		t.Errorf("AssocFeature = %v, want 0.4", got)
	}
	// A term the query holds itself is the BM25 features' business.
	if got := textmatch.AssocFeature(a, "migrants immigrants", "Immigrants beach"); got != 0 {
		t.Errorf("AssocFeature with the term in the query = %v, want 0", got)
	}
	// The learned associations are there and parse.
	if len(textmatch.DefaultAssociations()) < 1000 {
		t.Errorf("DefaultAssociations holds %d terms, want the generated ones", len(textmatch.DefaultAssociations()))
	}
}

// TestRank_DuplicatesTie: two documents of the same text score exactly the
// same on every run (no map-order rounding) and go in natural ID order.
func TestRank_DuplicatesTie(t *testing.T) {
	ix := textmatch.NewMemIndex()
	text := "Undocumented immigrants invaded a beach in Spain, shocking sunbathers.\nDid Migrants Invade a Beach?"
	ix.Add("claim:dup-10", text)
	ix.Add("claim:dup-9", text)
	ix.Add("claim:other", "Koalas are functionally extinct.\nAre Koalas Extinct?")
	for range 20 {
		ms, err := textmatch.Rank(context.Background(), ix, "Migrants run off their boat onto a beach in southern Spain, surprising sunbathers", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) < 2 || ms[0].ID != "claim:dup-9" || ms[1].ID != "claim:dup-10" || ms[0].Score != ms[1].Score {
			t.Fatalf("Rank = %v, want claim:dup-9 then claim:dup-10 with equal scores", ms)
		}
	}
}

// postingsOnly hides MemIndex's DocFreq: an Index that can only read
// postings.
type postingsOnly struct{ textmatch.Index }

// TestRank_DocFreq: an index that tells a term's document frequency gets
// the same ranking, scores included, while Rank reads none of the postings
// of a term too common to score.
func TestRank_DocFreq(t *testing.T) {
	ix := textmatch.NewMemIndex()
	topics := []string{"vaccines cause autism", "the moon landing was staged", "5G towers spread the virus",
		"Obama released Guantanamo detainees", "Mexico will pay for the wall"}
	for i := range 3000 {
		// "reported" is in every claim: over the limit (10 % of 3,000).
		ix.Add(fmt.Sprintf("claim:c%04d", i), fmt.Sprintf("%s reported in %d, item %d", topics[i%len(topics)], 2000+i%25, i))
	}
	counted := &countingIndex{MemIndex: ix}
	for _, q := range []string{"reported: vaccines cause autism in 2010", "the wall will be paid by Mexico, it was reported",
		"item 42 reported", "reported reported"} {
		want, err := textmatch.Rank(context.Background(), postingsOnly{counted}, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		without := counted.postings
		counted.postings = 0
		got, err := textmatch.Rank(context.Background(), counted, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: with DocFreq %v, without %v", q, got, want)
		}
		if counted.postings > without-300 {
			t.Errorf("%q: read %d postings with DocFreq, %d without; want the 300+ of 'reported' left unread", q, counted.postings, without)
		}
		counted.postings = 0
	}
}
