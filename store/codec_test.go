package store

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"hearsay/graph"
)

// Dates at every precision, including the ends of the supported range and a
// date-time given with an offset (stored in UTC).
var (
	dateNone     = graph.Date{}
	dateYear     = graph.MustParseDate("2019")
	dateMonth    = graph.MustParseDate("2024-11")
	dateDay      = graph.MustParseDate("2025-04-25")
	dateSecond   = graph.MustParseDate("2025-04-25T10:30:07Z")
	dateOffset   = graph.MustParseDate("2025-04-26T01:15:00+03:00")
	dateFirst    = graph.MustParseDate("0001-01-01")
	dateLast     = graph.MustParseDate("9999-12-31T23:59:59Z")
	datePreEpoch = graph.MustParseDate("1969-12-31T23:59:59Z")
)

// fullRatings uses every reliability grade and every date precision.
func fullRatings() []graph.Rating {
	return []graph.Rating{
		{Rating: graph.ReliabilityA, RatedBy: "Media Bias Desk", RatedAt: dateFirst, Note: "founding rating"},
		{Rating: graph.ReliabilityB, RatedBy: "NewsGuard", RatedAt: dateYear, Note: "usually reliable"},
		{Rating: graph.ReliabilityC, RatedBy: "desk", RatedAt: dateMonth, Note: ""},
		{Rating: graph.ReliabilityD, RatedBy: "", RatedAt: dateDay, Note: "contested: «non-ASCII» ✓"},
		{Rating: graph.ReliabilityE, RatedBy: "x", RatedAt: dateSecond, Note: "n"},
		{Rating: graph.ReliabilityF, RatedBy: "y", RatedAt: dateNone, Note: "cannot be judged"},
		{Rating: graph.ReliabilityB, RatedBy: "z", RatedAt: dateLast, Note: string(make([]byte, 300))},
		{Rating: graph.ReliabilityC, RatedBy: "w", RatedAt: datePreEpoch, Note: "before 1970"},
	}
}

func fullOutlet() *graph.Outlet {
	return &graph.Outlet{
		ID:       "outlet:telegraph",
		Name:     "The Telegraph",
		Domain:   "telegraph.co.uk",
		Country:  "GB",
		Language: "en-GB",
		Type:     graph.OutletSocialAccount,
		Ratings:  fullRatings(),
	}
}

func fullReport(d graph.Date) *graph.Report {
	return &graph.Report{
		ID:        "report:telegraph-2025-04-25-us-backstop",
		Outlet:    "outlet:telegraph",
		Title:     "US offers 'backstop' to coalition of the willing",
		URL:       "https://www.telegraph.co.uk/world-news/2025/04/25/us-backstop/",
		Published: d,
		Language:  "en",
		Status:    graph.StatusRetracted,
	}
}

func fullOfficial() *graph.Official {
	return &graph.Official{
		ID:          "official:us-negotiators-unnamed",
		Name:        "unnamed US negotiators",
		Form:        graph.FormInstitution,
		Anonymous:   true,
		Role:        "negotiators",
		Affiliation: "US government",
		Country:     "US",
		Description: "with direct knowledge of the talks",
		Ratings:     fullRatings(),
	}
}

func fullClaim() *graph.Claim {
	return &graph.Claim{
		ID:     "claim:us-offers-backstop",
		Text:   "The US offered a security backstop to a European force in Ukraine.",
		Topics: []string{"ukraine", "security-guarantees", ""},
		Reviews: []graph.Review{
			{Verdict: graph.VerdictTrue, ReviewedBy: "Full Fact", ReviewedAt: dateDay, URL: "https://fullfact.org/a"},
			{Verdict: graph.VerdictMostlyTrue, ReviewedBy: "b", ReviewedAt: dateSecond, URL: ""},
			{Verdict: graph.VerdictMixed, ReviewedBy: "c", ReviewedAt: dateYear, URL: "u"},
			{Verdict: graph.VerdictMostlyFalse, ReviewedBy: "d", ReviewedAt: dateMonth, URL: "u"},
			{Verdict: graph.VerdictFalse, ReviewedBy: "e", ReviewedAt: dateNone, URL: "u"},
			{Verdict: graph.VerdictUnproven, ReviewedBy: "f", ReviewedAt: dateLast, URL: "u"},
		},
	}
}

func fullAppearances() []graph.Appearance {
	return []graph.Appearance{
		{
			Report: "report:euromaidan-2025-04-26", Quote: "the US reportedly offered", Mode: graph.ModeTranslation,
			Language: "uk", Hedge: "reportedly",
			Attributions: []graph.Attribution{
				{Source: "outlet:telegraph", Mode: graph.ModeCitesReport, Quote: "according to The Telegraph"},
				{Source: "report:telegraph-2025-04-25-us-backstop", Mode: graph.ModeAggregation, Quote: ""},
			},
		},
		{Report: "report:kyiv-post-2025-04-27", Mode: graph.ModeUnattributed},
		{
			Report: "report:telegraph-2025-04-25-us-backstop", Quote: "“we'll have your back”", Mode: graph.ModeDirectQuote,
			Language: "en", Hedge: "according to",
			Attributions: []graph.Attribution{
				{Source: "official:us-negotiators-unnamed", Mode: graph.ModeParaphrase, Quote: "US negotiators said"},
			},
		},
	}
}

// codecCase is one value, its encoding, and its decoder erased to any.
type codecCase struct {
	name   string
	want   any
	data   []byte
	decode func([]byte) (any, error)
}

func newCodecCase[T any](name string, v T, enc func(T) []byte, dec func([]byte) (T, error)) codecCase {
	return codecCase{
		name: name,
		want: v,
		data: enc(v),
		decode: func(b []byte) (any, error) {
			v, err := dec(b)
			return v, err
		},
	}
}

// withID adapts a node decoder to the one-argument form.
func withID[T any](id string, dec func(string, []byte) (T, error)) func([]byte) (T, error) {
	return func(b []byte) (T, error) { return dec(id, b) }
}

// codecCases returns a fully populated and a minimal value for every
// encode/decode pair.
func codecCases() []codecCase {
	full := fullOutlet()
	minOutlet := &graph.Outlet{ID: "outlet:x", Name: "x"}
	off := fullOfficial()
	minOfficial := &graph.Official{ID: "official:x", Name: "x", Form: graph.FormPerson}
	claim := fullClaim()
	minClaim := &graph.Claim{ID: "claim:x", Text: "x"}
	titled := fullClaim()
	titled.Reviews[0].Title = "Did the US offer a backstop? «non-ASCII» ✓"
	titled.Reviews[0].RatingText = "Pants on Fire"
	titled.Reviews[3].RatingText = "Half True"
	cs := []codecCase{
		newCodecCase("Outlet", full, encodeOutlet, withID(full.ID, decodeOutlet)),
		newCodecCase("OutletMinimal", minOutlet, encodeOutlet, withID(minOutlet.ID, decodeOutlet)),
		newCodecCase("Official", off, encodeOfficial, withID(off.ID, decodeOfficial)),
		newCodecCase("OfficialMinimal", minOfficial, encodeOfficial, withID(minOfficial.ID, decodeOfficial)),
		newCodecCase("Claim", claim, encodeClaim, withID(claim.ID, decodeClaim)),
		newCodecCase("ClaimMinimal", minClaim, encodeClaim, withID(minClaim.ID, decodeClaim)),
		newCodecCase("ClaimTitled", titled, encodeClaim, withID(titled.ID, decodeClaim)),
		newCodecCase("Appearances", fullAppearances(), encodeAppearances, decodeAppearances),
		newCodecCase("AppearancesEmpty", []graph.Appearance(nil), encodeAppearances, decodeAppearances),
		newCodecCase("AppearancesRelayed", relayedAppearances(), encodeAppearances, decodeAppearances),
		newCodecCase("IDs", []string{"report:a", "report:b", "report:c-d"}, encodeIDs, decodeIDs),
		newCodecCase("IDsEmpty", []string(nil), encodeIDs, decodeIDs),
		newCodecCase("SameAs", []graph.SameAs{
			{Official: "official:a", Note: "both unnamed US sources"},
			{Official: "official:b", Note: ""},
		}, encodeSameAs, decodeSameAs),
		newCodecCase("SameAsEmpty", []graph.SameAs(nil), encodeSameAs, decodeSameAs),
	}
	for _, d := range []struct {
		name string
		date graph.Date
	}{
		{"None", dateNone}, {"Year", dateYear}, {"Month", dateMonth}, {"Day", dateDay},
		{"Second", dateSecond}, {"Offset", dateOffset}, {"First", dateFirst}, {"Last", dateLast}, {"PreEpoch", datePreEpoch},
	} {
		r := fullReport(d.date)
		cs = append(cs, newCodecCase("Report/"+d.name, r, encodeReport, withID(r.ID, decodeReport)))
	}
	for _, n := range []int64{0, 1, -1, 63, 64, -65, 1 << 40, math.MaxInt64, math.MinInt64} {
		cs = append(cs, newCodecCase(fmt.Sprintf("Count/%d", n), n, encodeCount, decodeCount))
	}
	return cs
}

func TestCodec_RoundTrip(t *testing.T) {
	for _, tt := range codecCases() {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure decoding an encoded value gives back every field.
			got, err := tt.decode(tt.data)
			if err != nil {
				t.Fatalf("decode(%x): %v", tt.data, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCodec_Dates(t *testing.T) {
	// Ensure a date keeps its instant and its precision, whatever its
	// precision, including dates before 1970.
	for _, d := range []graph.Date{dateNone, dateYear, dateMonth, dateDay, dateSecond, dateOffset, dateFirst, dateLast, datePreEpoch} {
		got, err := decodeReport("report:x", encodeReport(&graph.Report{Published: d}))
		if err != nil {
			t.Fatalf("date %q: %v", d, err)
		}
		if !got.Published.Equal(d) || got.Published.Precision() != d.Precision() || got.Published.String() != d.String() {
			t.Errorf("date %q (%v) came back as %q (%v)", d, d.Precision(), got.Published, got.Published.Precision())
		}
	}
}

func TestCodec_Truncated(t *testing.T) {
	for _, tt := range codecCases() {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure every proper prefix of a value fails with errCorrupt.
			for i := 0; i < len(tt.data); i++ {
				if _, err := tt.decode(tt.data[:i]); !errors.Is(err, errCorrupt) {
					t.Errorf("decode of the first %d of %d bytes (%x): err = %v, want errCorrupt", i, len(tt.data), tt.data[:i], err)
				}
			}
		})
	}
}

func TestCodec_TrailingBytes(t *testing.T) {
	for _, tt := range codecCases() {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a value followed by extra bytes fails with errCorrupt.
			b := append(append([]byte(nil), tt.data...), 0x00)
			if _, err := tt.decode(b); !errors.Is(err, errCorrupt) {
				t.Fatalf("decode(%x): err = %v, want errCorrupt", b, err)
			}
		})
	}
}

func TestCodec_UnknownVersion(t *testing.T) {
	for _, tt := range codecCases() {
		if strings.HasPrefix(tt.name, "Count/") {
			continue // counters carry no version byte
		}
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a value with any version byte but codecV1 (and, for
			// appearances, codecV2; for claims, codecV3) fails with
			// errCorrupt.
			next := []byte{codecV1 + 1}
			switch {
			case strings.HasPrefix(tt.name, "Appearances"):
				next = []byte{codecV2 + 1}
			case strings.HasPrefix(tt.name, "Claim"):
				next = []byte{codecV2, codecV3 + 1}
			}
			for _, v := range append([]byte{0, 0x7f, 0xff}, next...) {
				b := append([]byte{v}, tt.data[1:]...)
				if _, err := tt.decode(b); !errors.Is(err, errCorrupt) {
					t.Errorf("decode with version %d: err = %v, want errCorrupt", v, err)
				}
			}
		})
	}
}

func TestCodec_Corrupt(t *testing.T) {
	// enc starts a value and lets the test finish it by hand.
	enc := func(fn func(e *encoder)) []byte {
		e := newEncoder()
		fn(e)
		return e.b
	}
	huge := uint64(1) << 62
	outletHead := func(e *encoder) { e.str("n"); e.str(""); e.str(""); e.str(""); e.byte(1) }
	tests := []struct {
		name   string
		data   []byte
		decode func([]byte) error
	}{
		// Ensure a declared list length far beyond the value fails before
		// any allocation (1<<62 elements would panic in make).
		{"IDsHugeCount", enc(func(e *encoder) { e.uvarint(huge) }), errOf(decodeIDs)},
		{"IDsMaxCount", enc(func(e *encoder) { e.uvarint(math.MaxUint64) }), errOf(decodeIDs)},
		{"IDsCountOneOver", enc(func(e *encoder) { e.uvarint(2); e.str("") }), errOf(decodeIDs)},
		{"AppearancesHugeCount", enc(func(e *encoder) { e.uvarint(huge); e.str("report:a") }), errOf(decodeAppearances)},
		{"AttributionsHugeCount", enc(func(e *encoder) {
			e.uvarint(1)
			e.str("report:a")
			e.str("")
			e.byte(1)
			e.str("")
			e.str("")
			e.uvarint(huge)
		}), errOf(decodeAppearances)},
		{"RelayingHugeCount", relayedValue(func(e *encoder) { e.uvarint(huge) }), errOf(decodeAppearances)},
		{"RelayTooDeep", relayedValue(func(e *encoder) {
			// official:s relays graph.MaxRelayDepth+1 levels deep.
			for range graph.MaxRelayDepth + 1 {
				e.uvarint(1)
				e.str("official:r")
				e.byte(byte(graph.ModeParaphrase))
				e.str("")
			}
			e.uvarint(0)
		}), errOf(decodeAppearances)},
		{"SameAsHugeCount", enc(func(e *encoder) { e.uvarint(huge) }), errOf(decodeSameAs)},
		{"RatingsHugeCount", enc(func(e *encoder) { outletHead(e); e.uvarint(huge) }), nodeErr(decodeOutlet)},
		{"TopicsHugeCount", enc(func(e *encoder) { e.str("t"); e.uvarint(huge) }), nodeErr(decodeClaim)},
		{"ReviewsHugeCount", enc(func(e *encoder) { e.str("t"); e.uvarint(0); e.uvarint(huge) }), nodeErr(decodeClaim)},
		{"StringHugeLength", enc(func(e *encoder) { e.uvarint(huge) }), nodeErr(decodeOutlet)},
		{"StringMaxLength", enc(func(e *encoder) { e.uvarint(math.MaxUint64) }), nodeErr(decodeOutlet)},
		{"UvarintOverflow", enc(func(e *encoder) {
			e.b = append(e.b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
		}), errOf(decodeIDs)},

		// Ensure bytes no encoder writes are rejected.
		{"BadBool", enc(func(e *encoder) {
			e.str("n")
			e.byte(byte(graph.FormPerson))
			e.byte(2) // anonymous
			e.str("")
			e.str("")
			e.str("")
			e.str("")
			e.uvarint(0)
		}), nodeErr(decodeOfficial)},
		{"BadPrecision", enc(func(e *encoder) {
			e.str("outlet:x")
			e.str("")
			e.str("")
			e.byte(byte(graph.PrecisionSecond) + 1)
			e.varint(0)
			e.str("")
			e.byte(byte(graph.StatusPublished))
		}), nodeErr(decodeReport)},
		{"Empty", nil, nodeErr(decodeClaim)},
		{"CountEmpty", nil, func(b []byte) error { _, err := decodeCount(b); return err }},
		{"CountTrailing", append(encodeCount(5), 0), func(b []byte) error { _, err := decodeCount(b); return err }},
		{"CountOverflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(b []byte) error { _, err := decodeCount(b); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(tt.data); !errors.Is(err, errCorrupt) {
				t.Fatalf("decode(%x): err = %v, want errCorrupt", tt.data, err)
			}
		})
	}
}

func TestCodec_HugeCountAllocatesNothing(t *testing.T) {
	// Ensure a declared list length of a million on a value of a few bytes
	// is refused before the list is allocated (which would take megabytes).
	const n = 1 << 20
	enc := func(fn func(e *encoder)) []byte {
		e := newEncoder()
		fn(e)
		return e.b
	}
	tests := []struct {
		name   string
		data   []byte
		decode func([]byte) error
	}{
		{"IDs", enc(func(e *encoder) { e.uvarint(n); e.str("a") }), errOf(decodeIDs)},
		{"Appearances", enc(func(e *encoder) { e.uvarint(n); e.str("a") }), errOf(decodeAppearances)},
		{"SameAs", enc(func(e *encoder) { e.uvarint(n); e.str("a") }), errOf(decodeSameAs)},
		{"Ratings", enc(func(e *encoder) {
			e.str("n")
			e.str("")
			e.str("")
			e.str("")
			e.byte(1)
			e.uvarint(n)
		}), nodeErr(decodeOutlet)},
		{"Topics", enc(func(e *encoder) { e.str("t"); e.uvarint(n) }), nodeErr(decodeClaim)},
		{"Reviews", enc(func(e *encoder) { e.str("t"); e.uvarint(0); e.uvarint(n) }), nodeErr(decodeClaim)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err = tt.decode(tt.data)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decode(%x): err = %v, want errCorrupt", tt.data, err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Fatalf("decode(%x) allocated %d bytes before failing", tt.data, got)
			}
		})
	}
}

// errOf drops a list decoder's value.
func errOf[T any](dec func([]byte) (T, error)) func([]byte) error {
	return func(b []byte) error { _, err := dec(b); return err }
}

// nodeErr drops a node decoder's value.
func nodeErr[T any](dec func(string, []byte) (T, error)) func([]byte) error {
	return func(b []byte) error { _, err := dec("claim:x", b); return err }
}

func FuzzDecode(f *testing.F) {
	for _, c := range codecCases() {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Ensure no decoder panics, and each fails only with errCorrupt.
		for _, dec := range []func([]byte) error{
			nodeErr(decodeOutlet), nodeErr(decodeReport), nodeErr(decodeOfficial), nodeErr(decodeClaim),
			errOf(decodeAppearances), errOf(decodeIDs), errOf(decodeSameAs), errOf(decodeCount),
		} {
			if err := dec(b); err != nil && !errors.Is(err, errCorrupt) {
				t.Fatalf("decode(%x): %v does not wrap errCorrupt", b, err)
			}
		}
	})
}

// relayedAppearances has relayed speech: a relay beside a plain
// attribution, nested two levels, and an appearance that relays nothing.
func relayedAppearances() []graph.Appearance {
	as := fullAppearances()
	as[2].Attributions = append(as[2].Attributions, graph.Attribution{
		Source: "official:starmer", Mode: graph.ModeParaphrase, Quote: "Starmer said",
		Relaying: []graph.Attribution{
			{Source: "official:macron", Mode: graph.ModeDirectQuote, Quote: "« nous sommes prêts »"},
			{Source: "official:trump", Mode: graph.ModeParaphrase, Quote: "he'd have our back", Relaying: []graph.Attribution{
				{Source: "official:witkoff", Mode: graph.ModeParaphrase},
			}},
		},
	})
	return as
}

// relayedValue is a codecV2 appearances value of one appearance with one
// attribution to official:s, whose relaying rest writes.
func relayedValue(rest func(e *encoder)) []byte {
	e := &encoder{b: []byte{codecV2}}
	e.uvarint(1)
	e.str("report:a")
	e.str("")
	e.byte(byte(graph.ModeParaphrase))
	e.str("")
	e.str("")
	e.uvarint(1)
	e.str("official:s")
	e.byte(byte(graph.ModeParaphrase))
	e.str("")
	rest(e)
	return e.b
}

func TestCodec_AppearancesVersions(t *testing.T) {
	// v1 is the appearances value as written before relayed speech, built
	// by hand: version 1, one appearance, one attribution.
	v1 := []byte{codecV1, 1}
	for _, s := range []string{"report:a", "q"} {
		v1 = append(append(v1, byte(len(s))), s...)
	}
	v1 = append(v1, byte(graph.ModeParaphrase), 0, 0, 1)
	v1 = append(append(v1, byte(len("official:o"))), "official:o"...)
	v1 = append(v1, byte(graph.ModeDirectQuote), 0)
	apps := []graph.Appearance{{Report: "report:a", Quote: "q", Mode: graph.ModeParaphrase,
		Attributions: []graph.Attribution{{Source: "official:o", Mode: graph.ModeDirectQuote}}}}
	// Ensure appearances without relayed speech are still written as
	// codecV1, byte for byte, so that older databases and binaries agree.
	t.Run("NoRelaysWriteV1", func(t *testing.T) {
		if got := encodeAppearances(apps); string(got) != string(v1) {
			t.Fatalf("encodeAppearances = %x, want the v1 bytes %x", got, v1)
		}
	})
	// Ensure a value written before relayed speech decodes.
	t.Run("V1Decodes", func(t *testing.T) {
		got, err := decodeAppearances(v1)
		if err != nil || !reflect.DeepEqual(got, apps) {
			t.Fatalf("decodeAppearances(v1) = %+v, %v", got, err)
		}
	})
	// Ensure relayed speech is written as codecV2 and read back whole.
	t.Run("RelaysWriteV2", func(t *testing.T) {
		b := encodeAppearances(relayedAppearances())
		if b[0] != codecV2 {
			t.Fatalf("version byte = %d, want %d", b[0], codecV2)
		}
		got, err := decodeAppearances(b)
		if err != nil || !reflect.DeepEqual(got, relayedAppearances()) {
			t.Fatalf("round trip = %+v, %v", got, err)
		}
	})
}

func TestCodec_ClaimVersions(t *testing.T) {
	// v1 is a claim value as written before review titles, built by hand:
	// version 1, text, no topics, one review (verdict, reviewedBy, a date
	// without precision, URL).
	v1 := []byte{codecV1, 1, 'x', 0, 1, byte(graph.VerdictFalse), 1, 'f', 0, 1, 'u'}
	c := &graph.Claim{ID: "claim:x", Text: "x", Reviews: []graph.Review{{Verdict: graph.VerdictFalse, ReviewedBy: "f", URL: "u"}}}
	// Ensure a claim whose reviews have no title or rating text is still
	// written as codecV1, byte for byte, so older databases and binaries
	// agree.
	t.Run("UntitledWriteV1", func(t *testing.T) {
		if got := encodeClaim(c); string(got) != string(v1) {
			t.Fatalf("encodeClaim = %x, want the v1 bytes %x", got, v1)
		}
	})
	// Ensure a claim value written before review titles decodes, with
	// empty titles and rating texts.
	t.Run("V1Decodes", func(t *testing.T) {
		got, err := decodeClaim("claim:x", v1)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("decodeClaim(v1) = %+v, %v", got, err)
		}
	})
	// Ensure a review with only a rating text is written as codecV3 and
	// every review reads back whole, the untitled ones included.
	t.Run("TitledWriteV3", func(t *testing.T) {
		c2 := &graph.Claim{ID: "claim:x", Text: "x", Reviews: []graph.Review{
			{Verdict: graph.VerdictFalse, ReviewedBy: "f", URL: "u"},
			{Verdict: graph.VerdictTrue, ReviewedBy: "g", RatingText: "Correct Attribution"},
		}}
		b := encodeClaim(c2)
		if b[0] != codecV3 {
			t.Fatalf("version byte = %d, want %d", b[0], codecV3)
		}
		got, err := decodeClaim("claim:x", b)
		if err != nil || !reflect.DeepEqual(got, c2) {
			t.Fatalf("round trip = %+v, %v", got, err)
		}
	})
}
