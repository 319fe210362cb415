package textmatch

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of the analyzer, so that indexing a huge text costs bounded time
// and memory.
const (
	// MaxTextBytes bounds the bytes of a text Terms analyses; the rest
	// (cut at a rune boundary) is ignored.
	MaxTextBytes = 1 << 16
	// MaxTerms bounds the terms Terms returns for one text.
	MaxTerms = 8192
	// maxWordBytes drops longer words (base64, hashes, run-together junk).
	maxWordBytes = 40
)

// token is one analysed word.
type token struct {
	term string // the index term: lower-case, stemmed, normalised
	cap  bool   // the word was written with a capital (a name, most likely)
	num  bool   // the word is a number
}

// Terms analyses text into index terms, in order, repeats kept:
//
//   - links (http://…, https://…, www.…, pic.twitter.com/…, host.tld/path),
//     @handles and a retweet's leading "RT" are dropped;
//   - a #hashtag is split into its words at case and letter-digit changes
//     (#AustralianFires → australian fire, #COVID19 → covid 19);
//   - words are runs of letters and digits; an apostrophe inside a word is
//     dropped (Trump's → trump), a comma inside a number too (1,000 → 1000),
//     a decimal point is kept (3.5) and dotted initials are joined
//     (U.S. → us);
//   - English negations are one term: not, n't forms (didn't, isn't,
//     cannot…) all become "not"; "no", "never", "nor" stay themselves;
//   - the upper-case "US" (and U.S.) becomes "usa", so the country is not
//     taken for the pronoun;
//   - common English function words are dropped (see stopWords; negations
//     are kept);
//   - the rest is lower-cased and reduced by Porter's stemmer.
//
// At most MaxTextBytes of text are read and at most MaxTerms terms returned.
func Terms(text string) []string {
	var out []string
	analyze(text, func(t token) bool {
		out = append(out, t.term)
		return len(out) < MaxTerms
	})
	return out
}

// analyze calls fn for each token of text, in order, until fn returns
// false.
func analyze(text string, fn func(token) bool) {
	if len(text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	first := true
	for len(text) > 0 {
		// Next whitespace-separated chunk.
		i := strings.IndexFunc(text, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			return
		}
		text = text[i:]
		j := strings.IndexFunc(text, unicode.IsSpace)
		if j < 0 {
			j = len(text)
		}
		chunk := text[:j]
		text = text[j:]
		if first && chunk == "RT" {
			first = false
			continue
		}
		first = false
		if !analyzeChunk(chunk, fn) {
			return
		}
	}
}

var linkStarts = []string{"http://", "https://", "www.", "pic.twitter.com", "HTTP://", "HTTPS://"}

// analyzeChunk analyses one whitespace-free chunk; false means stop.
func analyzeChunk(chunk string, fn func(token) bool) bool {
	for _, p := range linkStarts {
		if i := strings.Index(chunk, p); i >= 0 {
			chunk = chunk[:i]
		}
	}
	if isHostPath(chunk) {
		return true
	}
	// Leading punctuation goes, so "(@handle)" and "\"#tag" are seen.
	chunk = strings.TrimLeftFunc(chunk, func(r rune) bool {
		return r != '#' && r != '@' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if chunk == "" {
		return true
	}
	switch chunk[0] {
	case '@':
		return splitWords(chunk[1:], true, fn)
	case '#':
		return splitWords(chunk[1:], true, fn)
	}
	return splitWords(chunk, false, fn)
}

// isHostPath reports whether chunk looks like a link without a scheme:
// host.tld/path.
func isHostPath(chunk string) bool {
	slash := strings.IndexByte(chunk, '/')
	if slash <= 0 {
		return false
	}
	dot := strings.LastIndexByte(chunk[:slash], '.')
	if dot <= 0 || dot+1 >= slash {
		return false
	}
	for _, r := range chunk[dot+1 : slash] {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// splitWords cuts chunk into words and emits their tokens; a hashtag is
// also cut at case and letter-digit changes.
func splitWords(chunk string, hashtag bool, fn func(token) bool) bool {
	var w []rune
	flush := func() bool {
		if len(w) == 0 {
			return true
		}
		word := string(w)
		w = w[:0]
		if hashtag {
			for _, part := range camelParts(word) {
				if !emitWord(part, fn) {
					return false
				}
			}
			return true
		}
		return emitWord(word, fn)
	}
	rs := []rune(chunk)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w = append(w, r)
			continue
		case (r == '\'' || r == '’') && len(w) > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			continue // Trump's, didn't
		case r == ',' && len(w) > 0 && unicode.IsDigit(w[len(w)-1]) && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			continue // 1,000
		case r == '.' && len(w) > 0 && unicode.IsDigit(w[len(w)-1]) && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			w = append(w, r) // 3.5
			continue
		case r == '.' && len(w) == 1 && unicode.IsUpper(w[0]) && (i+1 < len(rs) && unicode.IsUpper(rs[i+1]) && (i+2 >= len(rs) || rs[i+2] == '.')):
			continue // U.S. → US (the next initial joins)
		case r == '.' && len(w) >= 2 && isInitials(w) && i+1 < len(rs) && unicode.IsUpper(rs[i+1]) && (i+2 >= len(rs) || rs[i+2] == '.'):
			continue // U.S.A.
		}
		if !flush() {
			return false
		}
	}
	return flush()
}

func isInitials(w []rune) bool {
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return len(w) <= 4
}

// camelParts splits a hashtag's word at lower→upper changes, before the
// last capital of a run of capitals followed by lower case (CBCNews →
// CBC News), at letter→digit changes, and at digit→letter changes when
// two or more letters follow (2020Election, but 5G stays).
func camelParts(word string) []string {
	rs := []rune(word)
	var parts []string
	start := 0
	for i := 1; i < len(rs); i++ {
		p, c := rs[i-1], rs[i]
		cut := false
		switch {
		case unicode.IsLower(p) && unicode.IsUpper(c):
			cut = true
		case unicode.IsUpper(p) && unicode.IsUpper(c) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			cut = true
		case unicode.IsLetter(p) && unicode.IsDigit(c):
			cut = true
		case unicode.IsDigit(p) && unicode.IsLetter(c) && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			cut = true
		}
		if cut {
			parts = append(parts, string(rs[start:i]))
			start = i
		}
	}
	return append(parts, string(rs[start:]))
}

// emitWord normalises one word and emits its token unless it is a stop
// word.
func emitWord(word string, fn func(token) bool) bool {
	if len(word) > maxWordBytes {
		return true
	}
	r, _ := utf8.DecodeRuneInString(word)
	t := token{cap: unicode.IsUpper(r)}
	if word == "US" {
		return fn(token{term: "usa", cap: true})
	}
	lw := strings.ToLower(word)
	if negations[lw] {
		return fn(token{term: "not"})
	}
	if stopWords[lw] {
		return true
	}
	t.num = isNumber(lw)
	t.term = stem(lw)
	return fn(t)
}

func isNumber(w string) bool {
	for _, r := range w {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// negations are written forms of "not" (apostrophes already dropped).
var negations = set("not", "didnt", "doesnt", "dont", "isnt", "arent", "wasnt", "werent",
	"cant", "cannot", "couldnt", "wont", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt",
	"aint", "neednt", "mustnt", "mightnt", "shant")

// negationTerms are the terms that make a text deny what it states.
var negationTerms = set("not", "no", "never", "nor", "neither", "nobody", "nothing", "none")

// stopWords are English function words too common to tell texts apart.
// Negations are not among them: "not" changes what a claim says.
var stopWords = set("a", "about", "above", "after", "again", "all", "am", "an", "and", "any",
	"are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
	"but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
	"for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
	"herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
	"itself", "just", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only",
	"or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
	"so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
	"then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
	"until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
	"who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
	"yourselves", "s", "t", "d", "ll", "m", "re", "ve", "amp", "via", "also", "it's", "im",
	"youre", "hes", "shes", "theyre", "thats", "whats", "lets", "ive", "id", "weve", "theyve")

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
