package api_test

import (
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
)

// relayData has report:a of outlet:x (B) attribute claim:c to
// official:starmer (D), who relays official:trump (unrated), who relays
// official:witkoff; and claim:d to official:trump directly.
const relayData = `{"format": "hearsay/v1", "dataset": {"id": "relay"},
 "outlets": [{"id": "outlet:x", "name": "X", "ratings": [{"rating": "B", "ratedAt": "2020-01-01"}]}],
 "officials": [
  {"id": "official:starmer", "name": "Keir Starmer", "form": "PERSON", "ratings": [{"rating": "D", "ratedAt": "2020-01-01"}]},
  {"id": "official:trump", "name": "Donald Trump", "form": "PERSON"},
  {"id": "official:macron", "name": "Emmanuel Macron", "form": "PERSON"},
  {"id": "official:witkoff", "name": "Steve Witkoff", "form": "PERSON", "ratings": [{"rating": "A", "ratedAt": "2020-01-01"}]}],
 "reports": [{"id": "report:a", "outlet": "outlet:x", "published": "2025-04-25"}],
 "claims": [
  {"id": "claim:c", "text": "The US will back a European force.", "appearances": [{"report": "report:a", "mode": "PARAPHRASE",
   "attributedTo": [{"source": "official:starmer", "mode": "PARAPHRASE", "quote": "Starmer said", "relaying": [
     {"source": "official:trump", "mode": "PARAPHRASE", "quote": "he'd have our back", "relaying": [
       {"source": "official:witkoff", "mode": "DIRECT_QUOTE", "quote": "we are in"}]}]}]}]},
  {"id": "claim:d", "text": "Talks go on.", "appearances": [{"report": "report:a", "mode": "PARAPHRASE",
   "attributedTo": [{"source": "official:trump", "mode": "DIRECT_QUOTE"}]}]}]}`

type idOnly struct{ ID string }

func TestRelayedSpeech(t *testing.T) {
	s := MustServer(t, WithoutSeed())
	var imported struct{ ImportDataset struct{ Claims int } }
	s.MustMutate(t, `mutation($d: String!) { importDataset(data: $d) { claims } }`, map[string]any{"d": relayData}, &imported)
	if imported.ImportDataset.Claims != 2 {
		t.Fatalf("imported %+v", imported)
	}

	// Ensure a chain shows its relays, each with its official, whom they
	// relayed, mode, quote and the official's grade at publication; the
	// origin is the innermost official, and the weakest link a relay.
	t.Run("Chain", func(t *testing.T) {
		var data struct {
			Claim struct {
				Chains []struct {
					Hops []struct {
						To idOnly
					}
					Relays []struct {
						Official, To             idOnly
						Mode, Quote              string
						ReliabilityAtPublication string
					}
					Origin       idOnly
					Terminal     string
					Confidence   float64
					LimitedBy    string
					WeakestRelay *struct{ Official idOnly }
				}
			}
		}
		s.MustQuery(t, `{ claim(id: "claim:c") { chains {
			hops { to { ... on Official { id } } }
			relays { official { id } to { id } mode quote reliabilityAtPublication }
			origin { ... on Official { id } } terminal confidence limitedBy weakestRelay { official { id } } } } }`, nil, &data)
		chains := data.Claim.Chains
		if len(chains) != 1 {
			t.Fatalf("%d chains, want 1", len(chains))
		}
		ch := chains[0]
		if len(ch.Hops) != 1 || ch.Hops[0].To.ID != "official:starmer" || ch.Origin.ID != "official:witkoff" || ch.Terminal != "OFFICIAL" {
			t.Fatalf("chain = %+v", ch)
		}
		if len(ch.Relays) != 2 {
			t.Fatalf("relays = %+v", ch.Relays)
		}
		r0, r1 := ch.Relays[0], ch.Relays[1]
		if r0.Official.ID != "official:starmer" || r0.To.ID != "official:trump" || r0.Mode != "PARAPHRASE" || r0.Quote != "he'd have our back" || r0.ReliabilityAtPublication != "D" {
			t.Errorf("relay 0 = %+v", r0)
		}
		if r1.Official.ID != "official:trump" || r1.To.ID != "official:witkoff" || r1.Mode != "DIRECT_QUOTE" || r1.ReliabilityAtPublication != "F" {
			t.Errorf("relay 1 = %+v", r1)
		}
		// B 0.85 × Starmer D 0.4 × Trump F 0.5 × Witkoff A 1.0.
		if ch.Confidence != 0.17 || ch.LimitedBy != "Keir Starmer (D)" || ch.WeakestRelay == nil || ch.WeakestRelay.Official.ID != "official:starmer" {
			t.Errorf("confidence %v, limitedBy %q, weakestRelay %+v", ch.Confidence, ch.LimitedBy, ch.WeakestRelay)
		}
	})

	// Ensure an appearance's attribution shows what it relays, nested,
	// each relayed attribution naming who relayed it.
	t.Run("Attribution", func(t *testing.T) {
		var data struct {
			Claim struct {
				Appearances []struct {
					Attributions []struct {
						Source    idOnly
						RelayedBy *idOnly
						Relaying  []struct {
							Source    idOnly
							Quote     string
							RelayedBy *idOnly
						}
					}
				}
			}
		}
		s.MustQuery(t, `{ claim(id: "claim:c") { appearances { attributions { source { ... on Official { id } } relayedBy { id }
			relaying { source { ... on Official { id } } quote relayedBy { id } } } } } }`, nil, &data)
		at := data.Claim.Appearances[0].Attributions[0]
		if at.Source.ID != "official:starmer" || at.RelayedBy != nil || len(at.Relaying) != 1 {
			t.Fatalf("attribution = %+v", at)
		}
		r := at.Relaying[0]
		if r.Source.ID != "official:trump" || r.Quote != "he'd have our back" || r.RelayedBy == nil || r.RelayedBy.ID != "official:starmer" {
			t.Errorf("relayed = %+v", r)
		}
	})

	// Ensure an official's attributions list the relayed ones with who
	// relayed them, beside the direct ones.
	t.Run("OfficialAttributions", func(t *testing.T) {
		var data struct {
			Official struct {
				Attributions struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Claim     idOnly
							RelayedBy *idOnly
							Quote     string
							Relaying  []struct{ Source idOnly }
						}
					}
				}
			}
		}
		s.MustQuery(t, `{ official(id: "official:trump") { attributions { totalCount edges { node {
			claim { id } relayedBy { id } quote relaying { source { ... on Official { id } } } } } } } }`, nil, &data)
		a := data.Official.Attributions
		if a.TotalCount != 2 || len(a.Edges) != 2 {
			t.Fatalf("attributions = %+v", a)
		}
		relayed, direct := a.Edges[0].Node, a.Edges[1].Node
		if relayed.Claim.ID != "claim:c" || relayed.RelayedBy == nil || relayed.RelayedBy.ID != "official:starmer" ||
			len(relayed.Relaying) != 1 || relayed.Relaying[0].Source.ID != "official:witkoff" {
			t.Errorf("relayed = %+v", relayed)
		}
		if direct.Claim.ID != "claim:d" || direct.RelayedBy != nil {
			t.Errorf("direct = %+v", direct)
		}
		// The innermost official was relayed by the one who relays it.
		var w struct {
			Official struct {
				Attributions struct {
					Edges []struct{ Node struct{ RelayedBy *idOnly } }
				}
			}
		}
		s.MustQuery(t, `{ official(id: "official:witkoff") { attributions { edges { node { relayedBy { id } } } } } }`, nil, &w)
		if e := w.Official.Attributions.Edges; len(e) != 1 || e[0].Node.RelayedBy == nil || e[0].Node.RelayedBy.ID != "official:trump" {
			t.Errorf("witkoff's attributions = %+v", e)
		}
	})

	// Ensure addAttribution accepts relaying, and the relayed official's
	// attributions then list it.
	t.Run("AddAttribution", func(t *testing.T) {
		var data struct {
			AddAttribution struct {
				Appearances []struct {
					Attributions []struct {
						Source   idOnly
						Relaying []struct{ Source idOnly }
					}
				}
			}
		}
		s.MustMutate(t, `mutation { addAttribution(claim: "claim:d", report: "report:a", input: {source: "official:starmer", mode: PARAPHRASE,
			relaying: [{source: "official:witkoff", mode: DIRECT_QUOTE, quote: "we are in"}]}) {
			appearances { attributions { source { ... on Official { id } } relaying { source { ... on Official { id } } } } } } }`, nil, &data)
		ats := data.AddAttribution.Appearances[0].Attributions
		if len(ats) != 2 || ats[0].Source.ID != "official:starmer" || len(ats[0].Relaying) != 1 || ats[0].Relaying[0].Source.ID != "official:witkoff" {
			t.Fatalf("attributions = %+v", ats)
		}
	})

	// Ensure relaying an official already named in the appearance,
	// relaying under a source that is no official, and relaying nested
	// too deep are refused as invalid and write nothing.
	t.Run("ErrInvalid", func(t *testing.T) {
		before := s.snapshot(t)
		deep := `{source: "official:witkoff", mode: PARAPHRASE}`
		for range 9 {
			deep = `{source: "official:starmer", mode: PARAPHRASE, relaying: [` + deep + `]}`
		}
		for name, input := range map[string]string{
			"AlreadyNamed": `{source: "official:macron", mode: PARAPHRASE, relaying: [{source: "official:trump", mode: PARAPHRASE}]}`,
			"UnderOutlet":  `{source: "outlet:x", mode: PARAPHRASE, relaying: [{source: "official:macron", mode: PARAPHRASE}]}`,
			"TooDeep":      deep,
		} {
			r := s.Mutate(t, `mutation { addAttribution(claim: "claim:c", report: "report:a", input: `+input+`) { id } }`, nil)
			e := r.MustFail(t, http.StatusOK, api.CodeBadUserInput)
			if name == "TooDeep" && !strings.Contains(e.Message, "over 8 levels deep") {
				t.Errorf("%s: message %q", name, e.Message)
			}
		}
		if s.snapshot(t) != before {
			t.Error("a refused write changed the graph")
		}
	})
}
