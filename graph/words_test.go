package graph_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"hearsay/graph"
)

// wordsRef is the definition of Words, a rune at a time: the fast path
// must split every text as it does.
func wordsRef(text string) []string {
	var out []string
	seen := make(map[string]bool)
	var b strings.Builder
	flush := func() {
		w := b.String()
		b.Reset()
		if len(w) >= graph.MinWordLen && len(w) <= graph.MaxWordLen && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0:
		default:
			flush()
		}
	}
	flush()
	return out
}

var wordsCases = []string{
	"",
	"a",
	"The Prime Minister's 3.5% tax-cut: 'We WON'T raise it', said Boris Johnson in 2019",
	"«Président Macron» a dit que l'économie allait croître; Київ, 東京, naïve café, ÀÉÎ",
	"don’t ’quoted’ it's '' ' x'y",
	"repeat Repeat REPEAT repeat2 2repeat",
	"invalid \xff\xfe utf-8 ab\xc3cd \xe2\x80",
	strings.Repeat("x", graph.MaxWordLen) + " " + strings.Repeat("y", graph.MaxWordLen+1) + " z",
	"İstanbul ǅemal ΣΊΣΥΦΟΣ straße ＡＢＣ １２３",
	"tab\tnew\nline\r\nend_under-score.dot",
}

// Ensure Words splits text as its definition does, ASCII or not.
func TestWords(t *testing.T) {
	for _, text := range wordsCases {
		if got, want := graph.Words(text), wordsRef(text); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", text, got, want)
		}
	}
}

// Ensure ClaimWords holds the words of the text and of every quote,
// each once, in order of first use.
func TestClaimWords(t *testing.T) {
	c := &graph.Claim{Text: "Taxes rise", Appearances: []graph.Appearance{
		{Quote: "taxes will RISE soon", Attributions: []graph.Attribution{{Quote: "soon, said the minister"}}},
		{Quote: "Later"},
	}}
	want := []string{"taxes", "rise", "will", "soon", "said", "the", "minister", "later"}
	if got := graph.ClaimWords(c); !slices.Equal(got, want) {
		t.Errorf("ClaimWords = %q, want %q", got, want)
	}
}

func FuzzWords(f *testing.F) {
	for _, text := range wordsCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := graph.Words(text), wordsRef(text); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", text, got, want)
		}
	})
}
