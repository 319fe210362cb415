package api

import (
	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

func newFilterTypes(t *types) (outlet, report, official, claim *graphql.InputObject) {
	t.echoFilter = graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        "EchoFilter",
		Description: "Minimums of an outlet's echo.",
		Fields: graphql.InputObjectConfigFieldMap{
			"minAppearances":     {Type: graphql.Int},
			"minSecondHand":      {Type: graphql.Int},
			"minAnonymousOrigin": {Type: graphql.Int},
		},
	})
	outlet = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "OutletFilter",
		Fields: graphql.InputObjectConfigFieldMap{
			"country":    {Type: graphql.String, Description: "ISO 3166-1 alpha-2 code."},
			"outletType": {Type: t.outletType},
			"echo":       {Type: t.echoFilter, Description: "Keep outlets whose echo reaches these minimums."},
		},
	})
	report = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "ReportFilter",
		Fields: graphql.InputObjectConfigFieldMap{
			"outlet": {Type: graphql.ID, Description: "Reports published by this outlet."},
			"cites":  {Type: graphql.ID, Description: "Reports that cite this report."},
			"status": {Type: t.status},
		},
	})
	official = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "OfficialFilter",
		Fields: graphql.InputObjectConfigFieldMap{
			"anonymous": {Type: graphql.Boolean},
			"form":      {Type: t.form},
			"country":   {Type: graphql.String},
		},
	})
	claim = graphql.NewInputObject(graphql.InputObjectConfig{
		Name: "ClaimFilter",
		Fields: graphql.InputObjectConfigFieldMap{
			"search": {Type: graphql.String, Description: "Words that must all occur in the claim's text or quotes."},
			"report": {Type: graphql.ID, Description: "Claims appearing in this report."},
			"source": {Type: graphql.ID, Description: "Claims attributed to this official, report or outlet."},
			"topic":  {Type: graphql.String},
		},
	})
	return
}

func newQueryType(s *Server, t *types) *graphql.Object {
	byID := func(typ graphql.Output, kind graph.Kind, desc string) *graphql.Field {
		return &graphql.Field{
			Type: typ, Description: desc,
			Args: graphql.FieldConfigArgument{"id": {Type: nonNull(graphql.ID)}},
			Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
				return s.nodeByID(p, argString(p.Args, "id"), kind)
			}),
		}
	}
	list := func(conn *graphql.Object, filter *graphql.InputObject, fn func(graphql.ResolveParams, map[string]any) (any, error)) *graphql.Field {
		args := pageArgsConfig()
		args["filter"] = &graphql.ArgumentConfig{Type: filter}
		return &graphql.Field{Type: nonNull(conn), Args: args, Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
			return fn(p, argObject(p.Args, "filter"))
		})}
	}
	return graphql.NewObject(graphql.ObjectConfig{
		Name: "Query",
		Fields: graphql.Fields{
			"node":          byID(t.node, graph.KindInvalid, "Any node by ID, or null."),
			"outlet":        byID(t.outlet, graph.KindOutlet, "An outlet by ID, or null."),
			"report":        byID(t.report, graph.KindReport, "A report by ID, or null."),
			"official":      byID(t.official, graph.KindOfficial, "An official by ID, or null."),
			"claim":         byID(t.claim, graph.KindClaim, "A claim by ID, or null."),
			"extract":       newExtractField(s, t),
			"similarClaims": newSimilarClaimsField(s, t),
			"outlets": list(t.outletConn, t.outletFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
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
			"reports": list(t.reportConn, t.reportFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				st, err := argEnum(f, "status", graph.ParseReportStatus)
				if err != nil {
					return nil, err
				}
				return s.reports(p, graph.ReportFilter{Outlet: argString(f, "outlet"), Cites: argString(f, "cites"), Status: st})
			}),
			"officials": list(t.officialConn, t.officialFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
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
			"claims": list(t.claimConn, t.claimFilter, func(p graphql.ResolveParams, f map[string]any) (any, error) {
				return s.claims(p, graph.ClaimFilter{Search: argString(f, "search"), Report: argString(f, "report"),
					Source: argString(f, "source"), Topic: argString(f, "topic")})
			}),
		},
	})
}
