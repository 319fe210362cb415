package graph_test

import (
	"strings"
	"testing"

	"hearsay/graph"
)

func TestSplitID(t *testing.T) {
	long := "outlet:" + strings.Repeat("a", graph.MaxIDLen-len("outlet:"))
	tests := []struct {
		name string
		id   string
		kind graph.Kind // KindInvalid for an error
		slug string
	}{
		// Ensure each kind's IDs split into kind and slug.
		{"Outlet", "outlet:telegraph", graph.KindOutlet, "telegraph"},
		{"Report", "report:telegraph-2025-04-25-us-backstop", graph.KindReport, "telegraph-2025-04-25-us-backstop"},
		{"Official", "official:us.negotiators_unnamed", graph.KindOfficial, "us.negotiators_unnamed"},
		{"Claim", "claim:0", graph.KindClaim, "0"},
		{"MaxLen", long, graph.KindOutlet, long[len("outlet:"):]},

		// Ensure malformed IDs are rejected.
		{"Empty", "", graph.KindInvalid, ""},
		{"NoColon", "telegraph", graph.KindInvalid, ""},
		{"EmptyKind", ":telegraph", graph.KindInvalid, ""},
		{"UnknownKind", "person:telegraph", graph.KindInvalid, ""},
		{"UppercaseKind", "Outlet:telegraph", graph.KindInvalid, ""},
		{"UppercaseSlug", "outlet:Telegraph", graph.KindInvalid, ""},
		{"EmptySlug", "outlet:", graph.KindInvalid, ""},
		{"LeadingDash", "outlet:-telegraph", graph.KindInvalid, ""},
		{"LeadingDot", "outlet:.telegraph", graph.KindInvalid, ""},
		{"LeadingUnderscore", "outlet:_telegraph", graph.KindInvalid, ""},
		{"Space", "outlet:the telegraph", graph.KindInvalid, ""},
		{"SecondColon", "outlet:tele:graph", graph.KindInvalid, ""},
		{"Slash", "outlet:tele/graph", graph.KindInvalid, ""},
		{"NonASCII", "outlet:télégraph", graph.KindInvalid, ""},
		{"TooLong", long + "a", graph.KindInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, slug, err := graph.SplitID(tt.id)
			if tt.kind == graph.KindInvalid {
				if code := graph.ErrorCode(err); code != graph.EINVALID {
					t.Fatalf("SplitID(%q) error code = %q (%v), want %q", tt.id, code, err, graph.EINVALID)
				}
				if kind != graph.KindInvalid || slug != "" {
					t.Errorf("SplitID(%q) = %v, %q with an error, want KindInvalid, \"\"", tt.id, kind, slug)
				}
				if graph.KindOf(tt.id) != graph.KindInvalid {
					t.Errorf("KindOf(%q) = %v, want KindInvalid", tt.id, graph.KindOf(tt.id))
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitID(%q): %v", tt.id, err)
			}
			if kind != tt.kind || slug != tt.slug {
				t.Errorf("SplitID(%q) = %v, %q, want %v, %q", tt.id, kind, slug, tt.kind, tt.slug)
			}
			if graph.KindOf(tt.id) != tt.kind {
				t.Errorf("KindOf(%q) = %v, want %v", tt.id, graph.KindOf(tt.id), tt.kind)
			}
			if id := graph.MakeID(kind, slug); id != tt.id {
				t.Errorf("MakeID(%v, %q) = %q, want %q", kind, slug, id, tt.id)
			}
		})
	}
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		slug string
		ok   bool
	}{
		{"telegraph", true},
		{"0", true},
		{"a", true},
		{"us-negotiators.unnamed_2", true},
		{"9-", true},
		{"a..b", true},
		{"", false},
		{"-a", false},
		{".a", false},
		{"_a", false},
		{"A", false},
		{"aB", false},
		{"a b", false},
		{"a:b", false},
		{"a/b", false},
		{"a+b", false},
		{"é", false},
	}
	for _, tt := range tests {
		// Ensure the slug matches [a-z0-9][a-z0-9._-]* exactly.
		if got := graph.ValidSlug(tt.slug); got != tt.ok {
			t.Errorf("ValidSlug(%q) = %v, want %v", tt.slug, got, tt.ok)
		}
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want graph.Kind
		ok   bool
		msg  []string // parts of the error message
	}{
		// Ensure an ID of the wanted kind passes.
		{"OK", "report:a", graph.KindReport, true, nil},
		{"OKOfficial", "official:o", graph.KindOfficial, true, nil},
		// Ensure an ID of another kind fails, naming the ID and both kinds.
		{"WrongKind", "report:a", graph.KindClaim, false, []string{`"report:a"`, "report", "claim"}},
		{"WrongKindOutlet", "official:o", graph.KindOutlet, false, []string{`"official:o"`, "official", "outlet"}},
		// Ensure the checks of SplitID apply.
		{"Empty", "", graph.KindReport, false, []string{"empty ID"}},
		{"NoColon", "a", graph.KindReport, false, []string{`"a"`, "kind"}},
		{"UnknownKind", "person:a", graph.KindReport, false, []string{`"person:a"`, `"person"`}},
		{"Uppercase", "report:A", graph.KindReport, false, []string{`"report:A"`, "slug"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := graph.CheckID(tt.id, tt.want)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckID(%q, %v): %v", tt.id, tt.want, err)
				}
				return
			}
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("CheckID(%q, %v) error code = %q (%v), want %q", tt.id, tt.want, code, err, graph.EINVALID)
			}
			msg := graph.ErrorMessage(err)
			for _, part := range tt.msg {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not contain %q", msg, part)
				}
			}
		})
	}
}

func TestKind(t *testing.T) {
	// Ensure every kind round-trips through its prefix and is valid.
	t.Run("OK", func(t *testing.T) {
		want := []string{"outlet", "report", "official", "claim"}
		if len(graph.Kinds) != len(want) {
			t.Fatalf("Kinds has %d entries, want %d", len(graph.Kinds), len(want))
		}
		for i, k := range graph.Kinds {
			if k.String() != want[i] || !k.Valid() {
				t.Errorf("Kinds[%d] = %q valid=%v, want %q valid", i, k, k.Valid(), want[i])
			}
			if p, ok := graph.ParseKind(k.String()); !ok || p != k {
				t.Errorf("ParseKind(%q) = %v, %v", k, p, ok)
			}
		}
	})

	// Ensure unknown prefixes and out-of-range kinds are rejected.
	t.Run("Invalid", func(t *testing.T) {
		for _, s := range []string{"", "Outlet", "person", "outlets"} {
			if k, ok := graph.ParseKind(s); ok || k != graph.KindInvalid {
				t.Errorf("ParseKind(%q) = %v, %v, want KindInvalid, false", s, k, ok)
			}
		}
		for _, k := range []graph.Kind{graph.KindInvalid, graph.Kind(5), graph.Kind(255)} {
			if k.Valid() {
				t.Errorf("Kind(%d).Valid() = true", k)
			}
		}
		if s := graph.Kind(9).String(); s != "kind(9)" {
			t.Errorf("Kind(9).String() = %q, want kind(9)", s)
		}
	})
}

func FuzzSplitID(f *testing.F) {
	for _, s := range []string{"outlet:telegraph", "report:a.b_c-d", "claim:", ":x", "official:-x", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		kind, slug, err := graph.SplitID(id)
		if err != nil {
			if code := graph.ErrorCode(err); code != graph.EINVALID {
				t.Fatalf("SplitID(%q) error code %q, want %q", id, code, graph.EINVALID)
			}
			return
		}
		// Ensure an accepted ID is a valid kind and slug that join back to it.
		if !kind.Valid() || !graph.ValidSlug(slug) || graph.MakeID(kind, slug) != id || len(id) > graph.MaxIDLen {
			t.Fatalf("SplitID(%q) = %v, %q", id, kind, slug)
		}
		if err := graph.CheckID(id, kind); err != nil {
			t.Fatalf("CheckID(%q, %v): %v", id, kind, err)
		}
	})
}
