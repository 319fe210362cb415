package textmatch

// stem reduces an English word to its stem by M. F. Porter's 1980
// algorithm ("An algorithm for suffix stripping", Program 14(3)), as in
// his reference C implementation. Words of two letters or fewer and
// words holding anything but a–z are returned unchanged.
func stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	b := []byte(w)
	b = step1ab(b)
	if len(b) > 1 {
		b = step1c(b)
		b = stepList(b, step2, 0)
		b = stepList(b, step3, 0)
		b = step4(b)
		b = step5(b)
	}
	return string(b)
}

// cons reports whether b[i] is a consonant: not a vowel, and a y only
// when it follows a vowel or starts the word.
func cons(b []byte, i int) bool {
	switch b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !cons(b, i-1)
	}
	return true
}

// measure is Porter's m: the number of vowel-consonant sequences in b,
// read as [C](VC)^m[V].
func measure(b []byte) int {
	n, i := 0, 0
	for i < len(b) && cons(b, i) {
		i++
	}
	for i < len(b) {
		for i < len(b) && !cons(b, i) {
			i++
		}
		if i >= len(b) {
			break
		}
		for i < len(b) && cons(b, i) {
			i++
		}
		n++
	}
	return n
}

func hasVowel(b []byte) bool {
	for i := range b {
		if !cons(b, i) {
			return true
		}
	}
	return false
}

// doubleCons reports whether b ends in a doubled consonant.
func doubleCons(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-1] == b[n-2] && cons(b, n-1)
}

// cvc reports whether b ends consonant-vowel-consonant, the last not
// w, x or y (Porter's *o).
func cvc(b []byte) bool {
	n := len(b)
	if n < 3 || !cons(b, n-3) || cons(b, n-2) || !cons(b, n-1) {
		return false
	}
	c := b[n-1]
	return c != 'w' && c != 'x' && c != 'y'
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

func step1ab(b []byte) []byte {
	switch {
	case hasSuffix(b, "sses"), hasSuffix(b, "ies"):
		b = b[:len(b)-2]
	case hasSuffix(b, "ss"):
	case hasSuffix(b, "s"):
		b = b[:len(b)-1]
	}
	if hasSuffix(b, "eed") {
		if measure(b[:len(b)-3]) > 0 {
			b = b[:len(b)-1]
		}
		return b
	}
	var cut int
	switch {
	case hasSuffix(b, "ed") && hasVowel(b[:len(b)-2]):
		cut = 2
	case hasSuffix(b, "ing") && hasVowel(b[:len(b)-3]):
		cut = 3
	default:
		return b
	}
	b = b[:len(b)-cut]
	switch {
	case hasSuffix(b, "at"), hasSuffix(b, "bl"), hasSuffix(b, "iz"):
		b = append(b, 'e')
	case doubleCons(b):
		if c := b[len(b)-1]; c != 'l' && c != 's' && c != 'z' {
			b = b[:len(b)-1]
		}
	case measure(b) == 1 && cvc(b):
		b = append(b, 'e')
	}
	return b
}

func step1c(b []byte) []byte {
	if hasSuffix(b, "y") && hasVowel(b[:len(b)-1]) {
		b[len(b)-1] = 'i'
	}
	return b
}

type rule struct{ suffix, repl string }

// Longest suffixes first where one ends another: the first rule whose
// suffix matches decides, as in Porter's C code.
var step2 = []rule{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"},
	{"izer", "ize"}, {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"},
	{"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"},
	{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"},
}

var step3 = []rule{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	{"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

// stepList applies the first matching rule of rules when the stem left
// has a measure above min.
func stepList(b []byte, rules []rule, min int) []byte {
	for _, r := range rules {
		if hasSuffix(b, r.suffix) {
			s := b[:len(b)-len(r.suffix)]
			if measure(s) > min {
				return append(s, r.repl...)
			}
			return b
		}
	}
	return b
}

var step4Suffixes = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
	"ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
}

func step4(b []byte) []byte {
	// The longest matching suffix decides.
	best := ""
	for _, s := range step4Suffixes {
		if len(s) > len(best) && hasSuffix(b, s) {
			best = s
		}
	}
	if best == "" {
		return b
	}
	s := b[:len(b)-len(best)]
	if measure(s) <= 1 {
		return b
	}
	if best == "ion" && (len(s) == 0 || (s[len(s)-1] != 's' && s[len(s)-1] != 't')) {
		return b
	}
	return s
}

func step5(b []byte) []byte {
	if hasSuffix(b, "e") {
		s := b[:len(b)-1]
		if m := measure(s); m > 1 || m == 1 && !cvc(s) {
			b = s
		}
	}
	if measure(b) > 1 && doubleCons(b) && b[len(b)-1] == 'l' {
		b = b[:len(b)-1]
	}
	return b
}
