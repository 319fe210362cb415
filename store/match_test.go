package store_test

import (
	"context"
	"strings"
	"testing"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// matchClaims are hand-written claims: paraphrases of the queries below
// among claims sharing some of their words.
var matchClaims = []*graph.Claim{
	{ID: "claim:vaccine-autism", Text: "Vaccines cause autism in children."},
	{ID: "claim:vaccine-safe", Text: "The measles vaccine is safe for children, regulators say."},
	{ID: "claim:wall-mexico", Text: "Mexico will pay for the border wall."},
	{ID: "claim:wall-taxpayers", Text: "American taxpayers are paying for the wall on the southern border."},
	{ID: "claim:unemployment", Text: "Unemployment fell to 3.5 percent in September 2019."},
	{ID: "claim:moon", Text: "The moon landing in 1969 was staged in a studio."},
}

func mustCreateClaims(tb testing.TB, db *store.DB, cs ...*graph.Claim) {
	tb.Helper()
	for _, c := range cs {
		if err := db.CreateClaim(context.Background(), c); err != nil {
			tb.Fatalf("CreateClaim %s: %v", c.ID, err)
		}
	}
}

func mustSimilar(tb testing.TB, db *store.DB, text string, first int) []graph.ClaimMatch {
	tb.Helper()
	ms, err := db.SimilarClaims(context.Background(), text, first)
	if err != nil {
		tb.Fatalf("SimilarClaims(%q): %v", text, err)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Score > ms[i-1].Score {
			tb.Errorf("SimilarClaims(%q): match %d scores %v, above match %d's %v", text, i, ms[i].Score, i-1, ms[i-1].Score)
		}
	}
	return ms
}

func matchIDs(ms []graph.ClaimMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Claim.ID)
	}
	return out
}

func TestSimilarClaims(t *testing.T) {
	db := MustOpenDB(t)
	mustCreateClaims(t, db, matchClaims...)
	checkStored(t, db)
	for _, tt := range []struct{ query, want string }{
		{"BREAKING: autism is caused by vaccines, study of children shows", "claim:vaccine-autism"},
		{"Who pays for the border wall? Mexico, says the president", "claim:wall-mexico"},
		{"unemployment rate 3.5 percent lowest since 1969", "claim:unemployment"},
		{"Was the 1969 moon landing faked in a studio?", "claim:moon"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			// Ensure a paraphrase ranks its claim first, with the claim read whole.
			ms := mustSimilar(t, db, tt.query, 3)
			if len(ms) == 0 || ms[0].Claim.ID != tt.want {
				t.Fatalf("SimilarClaims(%q) = %v, want %s first", tt.query, matchIDs(ms), tt.want)
			}
			if ms[0].Claim.Text == "" || ms[0].Score <= 0 {
				t.Errorf("first match = %+v, want the claim's text and a positive score", ms[0])
			}
		})
	}
	t.Run("First", func(t *testing.T) {
		// Ensure first bounds the matches, and 0 means the default of 5.
		if ms := mustSimilar(t, db, "the wall children vaccine moon unemployment", 0); len(ms) != graph.DefaultMatches {
			t.Errorf("default: %d matches, want %d", len(ms), graph.DefaultMatches)
		}
		if ms := mustSimilar(t, db, "the wall children vaccine moon unemployment", 2); len(ms) != 2 {
			t.Errorf("first 2: %d matches", len(ms))
		}
	})
	t.Run("NoMatch", func(t *testing.T) {
		// Ensure a text sharing no term with any claim matches nothing.
		if ms := mustSimilar(t, db, "zebra xylophone quokka", 5); len(ms) != 0 {
			t.Errorf("matches %v, want none", matchIDs(ms))
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		// Ensure bad queries are EINVALID, naming the argument.
		for _, tt := range []struct {
			text  string
			first int
			want  string
		}{
			{"", 5, "text"},
			{" \t- !", 5, "text"},
			{strings.Repeat("a", graph.MaxMatchRunes+1), 5, "text"},
			{"bad \xff utf-8", 5, "text"},
			{"vaccines", -1, "first"},
			{"vaccines", graph.MaxMatches + 1, "first"},
		} {
			_, err := db.SimilarClaims(context.Background(), tt.text, tt.first)
			if graph.ErrorCode(err) != graph.EINVALID || !strings.HasPrefix(graph.ErrorMessage(err), tt.want+":") {
				t.Errorf("SimilarClaims(%.20q, %d) = %v, want EINVALID on %s", tt.text, tt.first, err, tt.want)
			}
		}
		if _, err := db.SimilarClaims(context.Background(), strings.Repeat("é", graph.MaxMatchRunes), 1); err != nil {
			t.Errorf("a text of exactly %d runes: %v", graph.MaxMatchRunes, err)
		}
	})
}

// TestSimilarClaims_Writes: the index follows every write that changes a
// claim's text, and stays exact (checkStored recomputes it).
func TestSimilarClaims_Writes(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mustCreateClaims(t, db, matchClaims...)
	const query = "giraffes are the tallest animals"
	if ms := mustSimilar(t, db, query, 5); len(ms) != 0 {
		t.Fatalf("before: %v", matchIDs(ms))
	}
	text := "Giraffes are the tallest animals on earth."
	if _, err := db.UpdateClaim(ctx, "claim:moon", graph.ClaimUpdate{Text: &text}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, db)
	if ms := mustSimilar(t, db, query, 5); len(ms) != 1 || ms[0].Claim.ID != "claim:moon" || ms[0].Claim.Text != text {
		t.Fatalf("after the update: %v", matchIDs(ms))
	}
	if ms := mustSimilar(t, db, "moon landing staged studio", 5); len(ms) != 0 {
		t.Errorf("the old text still matches: %v", matchIDs(ms))
	}
	// A review changes nothing of the match text today: nothing moves.
	if _, err := db.AddReview(ctx, "claim:moon", graph.Review{Verdict: graph.VerdictFalse, ReviewedBy: "snopes"}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, db)
	if err := db.DeleteClaim(ctx, "claim:moon"); err != nil {
		t.Fatal(err)
	}
	checkStored(t, db)
	if ms := mustSimilar(t, db, query, 5); len(ms) != 0 {
		t.Errorf("after the delete: %v", matchIDs(ms))
	}
}

// TestMatchIndex_BuiltAtOpen: a database without the index (written before
// it existed) gets it at its first open for writing; a read-only open
// refuses to rank, and check says why, until then.
func TestMatchIndex_BuiltAtOpen(t *testing.T) {
	ctx := context.Background()
	opt := diskOptions(t)
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fixtures.LoadSeed(ctx, db); err != nil {
		t.Fatal(err)
	}
	seeded := checkStored(t, db)
	// Take the index away, as a database of an older build has none.
	for _, tag := range []byte{store.TagTerm, store.TagDoc} {
		for _, kv := range mustRaw(t, db, []byte{tag}) {
			if err := store.DeleteRaw(db, kv.Key); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range []string{store.MatchTerms, store.MatchVersion} {
		if err := store.DeleteRaw(db, store.MetaKey(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ro := opt
	ro.ReadOnly = true
	rdb, err := store.Open(ro)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.SimilarClaims(ctx, "troops", 5); graph.ErrorCode(err) != graph.EUNAVAILABLE ||
		!strings.Contains(graph.ErrorMessage(err), "no claim match index") {
		t.Errorf("query on a database without the index = %v, want EUNAVAILABLE saying so", err)
	}
	if rep := mustCheck(t, rdb, false); rep.Total != 1 || !strings.Contains(rep.Problems[0].String(), "no claim match index") {
		t.Errorf("check without the index: %v", rep.Problems)
	}
	if err := rdb.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := checkStored(t, db); len(got.Claims) != len(seeded.Claims) {
		t.Errorf("%d claims after the upgrade, %d before", len(got.Claims), len(seeded.Claims))
	}
	if rep := mustCheck(t, db, false); rep.Total != 0 {
		t.Errorf("check after the upgrade: %v", rep.Problems)
	}
	if ms := mustSimilar(t, db, seeded.Claims[0].Text, 1); len(ms) != 1 || ms[0].Claim.ID != seeded.Claims[0].ID {
		t.Errorf("a claim's own text after the upgrade ranks %v first, want %s", matchIDs(ms), seeded.Claims[0].ID)
	}
}
