package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// The Subscription type. Its fields resolve one change of the graph's
// change feed at a time (stream.go): the change being delivered is in the
// execution's context, and the subscription's arguments are read once,
// when it starts, by an execution in setup mode (subSetup).

// subEventKey holds the graph.Change an execution delivers.
type subEventKey struct{}

// subSetupKey holds the *subSetup of the execution that starts a
// subscription.
type subSetupKey struct{}

// subSetup is what a subscription's root field asks for, read from its
// arguments as graphql-go coerced them.
type subSetup struct {
	field string
	claim string              // claimChanged's id
	kinds map[graph.Kind]bool // graphChanged's kinds; empty: every kind
	err   error
}

// claimChange is a ClaimChange: the change that affected a claim, and the
// claim as it is now (nil once deleted).
type claimChange struct {
	cause graph.Change
	op    graph.Op
	claim *graph.Claim
}

func newSubscriptionType(s *Server, t *types) *graphql.Object {
	kindVals := graphql.EnumValueConfigMap{}
	var kindNames []string
	for _, k := range graph.Kinds {
		kindNames = append(kindNames, upper(k.String()))
		kindVals[upper(k.String())] = &graphql.EnumValueConfig{Value: k, Description: "A node of type " + kindTypes[k] + "."}
	}
	t.order.Declare("Kind", kindNames...)
	kind := graphql.NewEnum(graphql.EnumConfig{Name: "Kind", Description: "The kind of a node, the part of its ID before the colon.", Values: kindVals})
	for _, k := range graph.Kinds { // build the lookup maps now (see enumOf)
		kind.Serialize(k)
	}
	op := enumOf(t, "ChangeOp", "What a write did to a node.", []valueDoc[graph.Op]{
		{graph.OpCreated, "The node was created."},
		{graph.OpUpdated, "The node's fields or edges were rewritten, or an official's possibly-same-as list changed."},
		{graph.OpDeleted, "The node was deleted."},
	})
	seq := &field{Type: nonNull(graphql.ID),
		Description: "The change's number in the graph's change sequence, in commit order; also the SSE event's id, to send back as Last-Event-ID."}
	graphChange := graphql.NewObject(graphql.ObjectConfig{
		Name:        "GraphChange",
		Description: "A node created, updated or deleted by a committed write.",
		Fields: t.fields("GraphChange", fieldList{
			{Name: "seq", Type: seq.Type, Description: seq.Description,
				Resolve: func(p graphql.ResolveParams) (any, error) { return seqString(p.Source.(graph.Change).Seq), nil }},
			{Name: "kind", Type: nonNull(kind), Description: "The kind of the node written.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Change).Kind, nil }},
			{Name: "id", Type: nonNull(graphql.ID), Description: "The ID of the node written.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Change).ID, nil }},
			{Name: "op", Type: nonNull(op), Description: "What the write did to it.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(graph.Change).Op.String(), nil }},
		}),
	})
	claimChangeType := graphql.NewObject(graphql.ObjectConfig{
		Name: "ClaimChange",
		Description: "A change affecting a claim: a write to the claim itself (its text, appearances, attributions, reviews; " +
			"including edits cascading from deleted reports and sources), or to a report it appears in (retracted, corrected, " +
			"deleted), to the outlet publishing such a report (a new rating), or to a source its attributions name.",
		Fields: t.fields("ClaimChange", fieldList{
			{Name: "seq", Type: seq.Type, Description: seq.Description,
				Resolve: func(p graphql.ResolveParams) (any, error) { return seqString(p.Source.(*claimChange).cause.Seq), nil }},
			{Name: "op", Type: nonNull(op), Description: "What happened to the claim: DELETED once it is gone, UPDATED when a node it depends on changed.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*claimChange).op.String(), nil }},
			{Name: "cause", Type: nonNull(graphChange), Description: "The write's change: to the claim itself, or to the node it depends on.",
				Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(*claimChange).cause, nil }},
			{Name: "claim", Type: t.claim, Description: "The claim as it is now; null once deleted.",
				Resolve: func(p graphql.ResolveParams) (any, error) {
					if c := p.Source.(*claimChange).claim; c != nil {
						return c, nil
					}
					return nil, nil
				}},
		}),
	})
	return graphql.NewObject(graphql.ObjectConfig{
		Name: "Subscription",
		Description: "Live changes, over Server-Sent Events (GraphQL over SSE, distinct connections mode): " +
			"POST or GET /graphql with Accept: text/event-stream. See the README.",
		Fields: t.fields("Subscription", fieldList{
			{Name: "claimChanged",
				Type:        nonNull(claimChangeType),
				Description: "The claim's new state after each change affecting it (see ClaimChange).",
				Args:        []*inputValue{{Name: "id", Type: nonNull(graphql.ID), Description: "The claim's ID, claim:slug."}},
				Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					id, _ := p.Args["id"].(string)
					if su, ok := p.Context.Value(subSetupKey{}).(*subSetup); ok {
						su.field, su.claim, su.err = "claimChanged", id, graph.CheckID(id, graph.KindClaim)
						return nil, nil
					}
					ch, _ := p.Context.Value(subEventKey{}).(graph.Change)
					cc := &claimChange{cause: ch, op: graph.OpUpdated}
					if ch.ID == id {
						cc.op = ch.Op
					}
					n, err := s.nodeByID(p, id, graph.KindClaim)
					if err != nil {
						return nil, err
					}
					if c, ok := n.(*graph.Claim); ok {
						cc.claim = c
					} else {
						cc.op = graph.OpDeleted
					}
					return cc, nil
				}),
			},
			{Name: "graphChanged",
				Type:        nonNull(graphChange),
				Description: "Every node created, updated or deleted, of the given kinds (all when none are given).",
				Args:        []*inputValue{{Name: "kinds", Type: graphql.NewList(nonNull(kind)), Description: "The kinds of node to follow; every kind when absent or empty."}},
				Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					if su, ok := p.Context.Value(subSetupKey{}).(*subSetup); ok {
						su.field, su.kinds = "graphChanged", map[graph.Kind]bool{}
						list, _ := p.Args["kinds"].([]any)
						for _, v := range list {
							if k, ok := v.(graph.Kind); ok {
								su.kinds[k] = true
							}
						}
						return nil, nil
					}
					ch, _ := p.Context.Value(subEventKey{}).(graph.Change)
					return ch, nil
				}),
			},
		}),
	})
}

// kindTypes names the GraphQL type of each node kind.
var kindTypes = map[graph.Kind]string{graph.KindOutlet: "Outlet", graph.KindReport: "Report", graph.KindOfficial: "Official", graph.KindClaim: "Claim"}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
