package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

func newChainType(s *Server, t *types) *graphql.Object {
	c := func(v any) *chain { return v.(*chain) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Chain",
		Description: "One root-to-leaf path of a claim's attribution tree, from an appearance to where it ends.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.fields("Chain", fieldList{
				{Name: "from", Type: nonNull(t.appearance), Description: "The appearance the chain starts at.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						ch := c(p.Source)
						cl, err := s.loaderFrom(p.Context).FindClaimByID(p.Context, ch.Claim)
						if err != nil {
							return nil, err
						}
						a, ok := cl.Appearance(ch.From)
						if !ok {
							return nil, graph.Errorf(graph.EINTERNAL, "chain of %q starts at %q, where it has no appearance", ch.Claim, ch.From)
						}
						return appearance{claim: cl, app: a}, nil
					})},
				{Name: "hops", Type: listOf(t.hop), Description: "The reports on the path, from first.", Resolve: func(p graphql.ResolveParams) (any, error) { return c(p.Source).Hops, nil }},
				{Name: "relays", Type: listOf(t.relay),
					Description: "Relayed speech after the last hop: the official it names relayed another, who may relay another in turn; empty when none.",
					Resolve:     func(p graphql.ResolveParams) (any, error) { return c(p.Source).relays(), nil }},
				{Name: "terminal", Type: nonNull(t.terminal), Description: "Why the chain ended.", Resolve: enumValue(func(v any) graph.Terminal { return c(v).Terminal })},
				{Name: "origin", Type: t.source, Description: "The source that stands behind the chain; null for CIRCULAR and DEPTH_LIMIT.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						if id := c(p.Source).Origin; id != "" {
							return s.loaderFrom(p.Context).node(p.Context, id)
						}
						return nil, nil
					})},
				{Name: "flags", Type: listOf(graphql.String), Description: "TEMPORAL_ANOMALY, VISIT_LIMIT, RETRACTED, CORRECTED.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return nonNilStrings(c(p.Source).Flags), nil }},
				{Name: "confidence", Type: nonNull(graphql.Float),
					Description: "In [0,1]: the weights of the reliability of every hop's outlet, of every official who relayed, and of the origin, multiplied, times 0.1 for a retracted and 0.9 for a corrected report on the path.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := c(p.Source).judge(p.Context, s.loaderFrom(p.Context))
						return j.Confidence, err
					})},
				{Name: "weakestRelay", Type: t.relay, Description: "The relay whose official limits the chain, when one does; null otherwise.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						ch := c(p.Source)
						j, err := ch.judge(p.Context, s.loaderFrom(p.Context))
						if err != nil || j.WeakestRelay < 0 {
							return nil, err
						}
						return ch.relays()[j.WeakestRelay], nil
					})},
				{Name: "weakestHop", Type: t.hop, Description: "The hop that limits the chain: the weakest outlet, or the last hop when an official who relayed or the origin is weakest.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						ch := c(p.Source)
						j, err := ch.judge(p.Context, s.loaderFrom(p.Context))
						if err != nil || j.WeakestHop < 0 {
							return nil, err
						}
						return ch.Hops[j.WeakestHop], nil
					})},
				{Name: "limitedBy", Type: nonNull(graphql.String), Description: "The weakest link and its grade, e.g. \"unnamed US negotiators (F)\".",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						j, err := c(p.Source).judge(p.Context, s.loaderFrom(p.Context))
						return j.LimitedBy, err
					})},
			})
		}),
	})
}

func newHopType(s *Server, t *types) *graphql.Object {
	h := func(v any) graph.Hop { return v.(graph.Hop) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Hop",
		Description: "One report on a chain: how it words the claim and where it sends the reader next.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.fields("Hop", fieldList{
				{Name: "report", Type: nonNull(t.report), Description: "The report.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).FindReportByID(p.Context, h(p.Source).Report)
				})},
				{Name: "outlet", Type: nonNull(t.outlet), Description: "The outlet that published it.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).outlet(p.Context, h(p.Source).Outlet)
				})},
				{Name: "published", Type: graphql.String, Description: "When the report was published, as precise as is known; null when unknown.", Resolve: date(func(v any) graph.Date { return h(v).Published })},
				{Name: "reliabilityAtPublication", Type: nonNull(t.reliability),
					Description: "The outlet's rating in force when the report was published; F when it was unrated then.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						o, err := s.loaderFrom(p.Context).outlet(p.Context, h(p.Source).Outlet)
						if err != nil {
							return nil, err
						}
						return graph.Judged(graph.RatingAt(o.Ratings, h(p.Source).Published)).String(), nil
					})},
				{Name: "mode", Type: nonNull(t.mode), Description: "The mode of the attribution followed out of this report; UNATTRIBUTED when there is none.",
					Resolve: enumValue(func(v any) graph.Mode { return h(v).Mode })},
				{Name: "quote", Type: graphql.String, Description: "How this report words the claim.", Resolve: str(func(v any) string { return h(v).Quote })},
				{Name: "hedge", Type: graphql.String, Description: "How this report hedges the claim (\"reportedly\"); null when it does not.", Resolve: str(func(v any) string { return h(v).Hedge })},
				{Name: "attributionQuote", Type: graphql.String, Description: "The words this report attributes the claim with (\"a senior official said\"); null when none were recorded.", Resolve: str(func(v any) string { return h(v).AttributionQuote })},
				{Name: "inferred", Type: nonNull(graphql.Boolean), Description: "The next hop was found through a citation, not an attribution.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return h(p.Source).Inferred, nil }},
				{Name: "temporalAnomaly", Type: nonNull(graphql.Boolean), Description: "The next hop is a report published after this one.",
					Resolve: func(p graphql.ResolveParams) (any, error) { return h(p.Source).TemporalAnomaly, nil }},
				{Name: "to", Type: t.source, Description: "The source this report attributes the claim to; null when it gives none.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						if id := h(p.Source).To; id != "" {
							return s.loaderFrom(p.Context).node(p.Context, id)
						}
						return nil, nil
					})},
			})
		}),
	})
}

// relay is a resolved Relay, with the publication date of its chain's last
// report, at which its official is weighed.
type relay struct {
	graph.Relay
	at graph.Date
}

// relays returns the chain's relays, resolved.
func (c *chain) relays() []relay {
	out := make([]relay, len(c.Relays))
	for i, r := range c.Relays {
		out[i] = relay{Relay: r, at: c.Hops[len(c.Hops)-1].Published}
	}
	return out
}

func newRelayType(s *Server, t *types) *graphql.Object {
	r := func(v any) relay { return v.(relay) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Relay",
		Description: "One step of relayed speech on a chain: official passed on what to had told them.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.fields("Relay", fieldList{
				{Name: "official", Type: nonNull(t.official), Description: "Who relayed.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.loaderFrom(p.Context).FindOfficialByID(p.Context, r(p.Source).Official)
					})},
				{Name: "to", Type: nonNull(t.official), Description: "Whom they relayed.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return s.loaderFrom(p.Context).FindOfficialByID(p.Context, r(p.Source).To)
					})},
				{Name: "mode", Type: nonNull(t.mode), Description: "How the official relayed the words: quoted or paraphrased.", Resolve: enumValue(func(v any) graph.Mode { return r(v).Mode })},
				{Name: "quote", Type: graphql.String, Description: "The relaying words as printed; null when not recorded.", Resolve: str(func(v any) string { return r(v).Quote })},
				{Name: "reliabilityAtPublication", Type: nonNull(t.reliability),
					Description: "The relaying official's rating in force when the chain's last report was published; F when unrated then.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						o, err := s.loaderFrom(p.Context).FindOfficialByID(p.Context, r(p.Source).Official)
						if err != nil {
							return nil, err
						}
						return graph.Judged(graph.RatingAt(o.Ratings, r(p.Source).at)).String(), nil
					})},
			})
		}),
	})
}
