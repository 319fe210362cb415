package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

func newFilterTypes(t *types) (outlet, report, official, claim *graphql.InputObject) {
	t.echoFilter = t.inputObject("EchoFilter", "Minimums of an outlet's echo; every one given must be reached.", inputList(
		inputField("minAppearances", graphql.Int, "At least this many appearances."),
		inputField("minSecondHand", graphql.Int, "At least this many appearances repeated from other reports or outlets."),
		inputField("minAnonymousOrigin", graphql.Int, "At least this many appearances with a chain ending at an anonymous official."),
	))
	outlet = t.inputObject("OutletFilter", "Which outlets to list; every field given must match.", inputList(
		inputField("country", graphql.String, "Outlets of this country, an ISO 3166-1 alpha-2 code."),
		inputField("outletType", t.outletType, "Outlets of this type."),
		inputField("echo", t.echoFilter, "Outlets whose echo reaches these minimums (each outlet's echo is computed: a costly filter)."),
	))
	report = t.inputObject("ReportFilter", "Which reports to list; every field given must match.", inputList(
		inputField("outlet", graphql.ID, "Reports published by this outlet."),
		inputField("cites", graphql.ID, "Reports that cite this report."),
		inputField("status", t.status, "Reports in this editorial state."),
	))
	official = t.inputObject("OfficialFilter", "Which officials to list; every field given must match.", inputList(
		inputField("anonymous", graphql.Boolean, "Only anonymous officials (true) or only named ones (false)."),
		inputField("form", t.form, "Officials of this form."),
		inputField("country", graphql.String, "Officials of this country, an ISO 3166-1 alpha-2 code."),
	))
	claim = t.inputObject("ClaimFilter", "Which claims to list; every field given must match.", inputList(
		inputField("search", graphql.String, "Words that must all occur in the claim's text or quotes."),
		inputField("report", graphql.ID, "Claims appearing in this report."),
		inputField("source", graphql.ID, "Claims attributed to this official, report or outlet."),
		inputField("topic", graphql.String, "Claims with this topic label, exactly."),
	))
	return
}

func newQueryType(s *Server, t *types) *graphql.Object {
	byID := func(name string, typ graphql.Output, kind graph.Kind, desc string) *field {
		return &field{
			Name: name, Type: typ, Description: desc,
			Args: []*inputValue{{Name: "id", Type: nonNull(graphql.ID), Description: "The node's ID, kind:slug."}},
			Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
				return s.nodeByID(p, argString(p.Args, "id"), kind)
			}),
		}
	}
	list := func(name, desc string, conn *graphql.Object, filter *graphql.InputObject, fn func(graphql.ResolveParams, map[string]any) (any, error)) *field {
		args := append(pageArgsConfig(), &inputValue{Name: "filter", Type: filter, Description: "Which items to list; all when absent."})
		return &field{Name: name, Description: desc, Type: nonNull(conn), Args: args, Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
			return fn(p, argObject(p.Args, "filter"))
		})}
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Query",
		Description: "Reads: nodes by ID, lists of them as Relay connections, a claim's chains and judgements, text matching and extraction.",
		Fields: t.fields("Query", fieldList{
			byID("node", t.node, graph.KindInvalid, "Any node by ID, or null."),
			byID("outlet", t.outlet, graph.KindOutlet, "An outlet by ID, or null."),
			byID("report", t.report, graph.KindReport, "A report by ID, or null."),
			byID("official", t.official, graph.KindOfficial, "An official by ID, or null."),
			byID("claim", t.claim, graph.KindClaim, "A claim by ID, or null."),
			newExtractField("extract", s, t),
			newSimilarClaimsField("similarClaims", s, t),
			list("outlets", "The outlets, by ID, a page at a time.", t.outletConn, t.outletFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				typ, err := argEnum(f, "outletType", graph.ParseOutletType)
				if err != nil {
					return nil, err
				}
				of := graph.OutletFilter{Country: argString(f, "country"), Type: typ}
				if err := graph.CheckCountry(of.Country); err != nil {
					return nil, err
				}
				if e := argObject(f, "echo"); e != nil {
					var ef echoFilter
					ef.minAppearances, _ = argInt(e, "minAppearances")
					ef.minSecondHand, _ = argInt(e, "minSecondHand")
					ef.minAnonymousOrigin, _ = argInt(e, "minAnonymousOrigin")
					return s.outletsByEcho(p, of, ef)
				}
				return s.outlets(p, of)
			}),
			list("reports", "The reports, by ID, a page at a time.", t.reportConn, t.reportFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				st, err := argEnum(f, "status", graph.ParseReportStatus)
				if err != nil {
					return nil, err
				}
				return s.reports(p, graph.ReportFilter{Outlet: argString(f, "outlet"), Cites: argString(f, "cites"), Status: st})
			}),
			list("officials", "The officials, by ID, a page at a time.", t.officialConn, t.officialFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				form, err := argEnum(f, "form", graph.ParseOfficialForm)
				if err != nil {
					return nil, err
				}
				of := graph.OfficialFilter{Form: form, Country: argString(f, "country")}
				if err := graph.CheckCountry(of.Country); err != nil {
					return nil, err
				}
				if v, ok := f["anonymous"].(bool); ok {
					of.Anonymous = &v
				}
				return s.officials(p, of)
			}),
			list("claims", "The claims, by ID, a page at a time.", t.claimConn, t.claimFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				return s.claims(p, graph.ClaimFilter{Search: argString(f, "search"), Report: argString(f, "report"),
					Source: argString(f, "source"), Topic: argString(f, "topic")})
			}),
		}),
	})
}
