package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
	"hearsay/graph"
)

type similarData struct {
	SimilarClaims []struct {
		Claim struct{ ID, Text string }
		Score float64
	}
}

func (d similarData) ids() []string {
	var out []string
	for _, m := range d.SimilarClaims {
		out = append(out, m.Claim.ID)
	}
	return out
}

const similarQuery = `query($text: String!, $first: Int) { similarClaims(text: $text, first: $first) { claim { id text } score } }`

func TestSimilarClaims(t *testing.T) {
	s := MustServer(t)
	// Hand-written claims beside the seed's.
	MustLoad(t, s.DB, `{"kind":"dataset","format":"hearsay/v1","id":"match"}
{"kind":"claim","id":"claim:vaccines-autism","text":"Vaccines cause autism in children."}
{"kind":"claim","id":"claim:vaccines-safe","text":"The measles vaccine is safe for children, regulators say."}
`)
	for _, tt := range []struct{ text, want string }{
		// Paraphrases of the seed's claims and of the hand-written ones.
		{"Washington privately offers Starmer's coalition of the willing security guarantees", "claim:us-offers-security-guarantees"},
		{"For two months Starmer has pushed Trump on security guarantees", "claim:starmer-pressing-trump-two-months"},
		{"autism in children is caused by vaccines, says a blog", "claim:vaccines-autism"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			// Ensure a paraphrase ranks its claim first, best first, within first.
			var data similarData
			s.MustQuery(t, similarQuery, map[string]any{"text": tt.text, "first": 3}, &data)
			if len(data.SimilarClaims) == 0 || len(data.SimilarClaims) > 3 || data.SimilarClaims[0].Claim.ID != tt.want {
				t.Fatalf("similarClaims(%q) = %v, want %s first", tt.text, data.ids(), tt.want)
			}
			for i := 1; i < len(data.SimilarClaims); i++ {
				if data.SimilarClaims[i].Score > data.SimilarClaims[i-1].Score {
					t.Errorf("not best first: %+v", data.SimilarClaims)
				}
			}
			if data.SimilarClaims[0].Claim.Text == "" || data.SimilarClaims[0].Score <= 0 {
				t.Errorf("first match %+v", data.SimilarClaims[0])
			}
		})
	}
	t.Run("DefaultFirst", func(t *testing.T) {
		// Ensure first defaults to 5.
		var data similarData
		s.MustQuery(t, `{ similarClaims(text: "US security guarantees Ukraine Starmer Trump coalition") { claim { id } score } }`, nil, &data)
		if len(data.SimilarClaims) != graph.DefaultMatches {
			t.Errorf("%d matches, want %d", len(data.SimilarClaims), graph.DefaultMatches)
		}
	})
	t.Run("NoMatch", func(t *testing.T) {
		// Ensure a text sharing no word with any claim is an empty list, not null.
		r := s.Query(t, similarQuery, map[string]any{"text": "zebra quokka xylophone"})
		var data similarData
		r.MustData(t, &data)
		if len(data.SimilarClaims) != 0 || !strings.Contains(string(r.Data), `"similarClaims":[]`) {
			t.Errorf("data %s", r.Data)
		}
	})
	for _, tt := range []struct {
		name string
		vars map[string]any
		want string
	}{
		{"ErrEmpty", map[string]any{"text": ""}, "text: is required"},
		{"ErrNoWord", map[string]any{"text": " -- !"}, "text: is required"},
		{"ErrLong", map[string]any{"text": strings.Repeat("a", graph.MaxMatchRunes+1)}, "text: is over the limit"},
		{"ErrFirst0", map[string]any{"text": "guarantees", "first": 0}, "first: must be between 1 and 100"},
		{"ErrFirst101", map[string]any{"text": "guarantees", "first": 101}, "first: must be between 1 and 100"},
		{"ErrFirstNegative", map[string]any{"text": "guarantees", "first": -3}, "first: must be between 1 and 100"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a bad argument is BAD_USER_INPUT naming it.
			e := s.Query(t, similarQuery, tt.vars).MustFail(t, http.StatusOK, api.CodeBadUserInput)
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message %q, want %q", e.Message, tt.want)
			}
		})
	}
	t.Run("ErrComplexity", func(t *testing.T) {
		// Ensure each similarClaims is costed for its work: enough aliases
		// exceed the complexity limit before anything runs.
		var b strings.Builder
		b.WriteString("{")
		for i := range 45 {
			fmt.Fprintf(&b, ` m%d: similarClaims(text: "security guarantees", first: 1) { score }`, i)
		}
		b.WriteString("}")
		r := s.Query(t, b.String(), nil)
		if len(r.Errors) == 0 || !strings.Contains(strings.ToLower(r.Errors[0].Message), "complex") {
			t.Errorf("45 similarClaims: %s", r.Short())
		}
	})
}

// TestImportDataset_Matches: with matchThreshold, importDataset reports for
// each new claim the claims stored before it that may say the same; an
// updated claim and a claim of the same dataset are not reported.
func TestImportDataset_Matches(t *testing.T) {
	s := MustServer(t)
	const data = `{"kind":"dataset","format":"hearsay/v1","id":"dupes"}
{"kind":"claim","id":"claim:washington-guarantees","text":"Washington has privately offered security guarantees to Starmer's coalition of the willing."}
{"kind":"claim","id":"claim:unrelated-giraffes","text":"Giraffes are the tallest animals."}
{"kind":"claim","id":"claim:starmer-pressing-trump-two-months","text":"Keir Starmer has been pressing Donald Trump for security guarantees for two months."}
`
	const m = `mutation($data: String!, $th: Float, $first: Int) { importDataset(data: $data, matchThreshold: $th, matchFirst: $first) {
		claims matches { claim { id text } similar { claim { id text } score } } } }`
	var got struct {
		ImportDataset struct {
			Claims  int
			Matches []struct {
				Claim   struct{ ID, Text string }
				Similar []struct {
					Claim struct{ ID, Text string }
					Score float64
				}
			}
		}
	}
	s.MustMutate(t, m, map[string]any{"data": data, "th": graph.DefaultMatchThreshold, "first": 2}, &got)
	r := got.ImportDataset
	if r.Claims != 3 || len(r.Matches) != 1 {
		t.Fatalf("import: %+v, want 3 claims and matches for the one new claim that repeats a stored one", r)
	}
	if r.Matches[0].Claim.ID != "claim:washington-guarantees" || len(r.Matches[0].Similar) == 0 || len(r.Matches[0].Similar) > 2 ||
		r.Matches[0].Similar[0].Claim.ID != "claim:us-offers-security-guarantees" || r.Matches[0].Similar[0].Score < graph.DefaultMatchThreshold {
		t.Errorf("matches: %+v", r.Matches)
	}
	for _, sim := range r.Matches[0].Similar {
		if sim.Claim.ID == "claim:unrelated-giraffes" || sim.Claim.ID == "claim:washington-guarantees" {
			t.Errorf("a claim of the import itself is reported: %+v", sim)
		}
	}
	// The claims are stored now, and a threshold above every score (they
	// are probabilities) reports nothing.
	var again struct {
		ImportDataset struct {
			Matches []any
		}
	}
	s.MustMutate(t, m, map[string]any{"data": strings.Replace(data, "washington-guarantees", "washington-guarantees-2", 1), "th": 1.01}, &again)
	if len(again.ImportDataset.Matches) != 0 {
		t.Errorf("threshold 1.01: %+v", again.ImportDataset.Matches)
	}
	// Without a threshold, nothing is matched.
	s.MustMutate(t, m, map[string]any{"data": strings.Replace(data, "washington-guarantees", "washington-guarantees-3", 1)}, &again)
	if len(again.ImportDataset.Matches) != 0 {
		t.Errorf("no threshold: %+v", again.ImportDataset.Matches)
	}
	for _, vars := range []map[string]any{{"data": data, "th": -1.0}, {"data": data, "th": 1.0, "first": 0}} {
		// Ensure bad match arguments are BAD_USER_INPUT and write nothing.
		s.Mutate(t, m, vars).MustFail(t, http.StatusOK, api.CodeBadUserInput)
	}
}
