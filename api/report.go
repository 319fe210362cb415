package api

import (
	"context"

	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// maxListed bounds the plain (unpaged) reverse lists of a report:
// appearances and citedBy.
const maxListed = 1000

func newReportType(s *Server, t *types) *graphql.Object {
	r := func(v any) *graph.Report { return v.(*graph.Report) }
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "Report",
		Description: "One published item: an article, broadcast, press release or post.",
		Interfaces:  []*graphql.Interface{t.node},
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":    {Type: nonNull(graphql.ID), Resolve: str(func(v any) string { return r(v).ID })},
				"title": {Type: graphql.String, Resolve: str(func(v any) string { return r(v).Title })},
				"url":   {Type: graphql.String, Resolve: str(func(v any) string { return r(v).URL })},
				"published": {Type: graphql.String, Description: "YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time: as precise as is known.",
					Resolve: date(func(v any) graph.Date { return r(v).Published })},
				"language": {Type: graphql.String, Resolve: str(func(v any) string { return r(v).Language })},
				"status":   {Type: nonNull(t.status), Resolve: enumValue(func(v any) graph.ReportStatus { return r(v).Status })},
				"outlet": {Type: nonNull(t.outlet), Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).outlet(p.Context, r(p.Source).Outlet)
				})},
				"cites": {Type: listOf(t.report), Description: "Reports this report cites or links as a whole.",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						l := s.loaderFrom(p.Context)
						out := make([]*graph.Report, 0, len(r(p.Source).Cites))
						for _, id := range r(p.Source).Cites {
							rep, err := l.FindReportByID(p.Context, id)
							if err != nil {
								return nil, err
							}
							out = append(out, rep)
						}
						return out, nil
					})},
				"citedBy": {Type: listOf(t.report), Description: "Reports that cite this one (at most 1000).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return collect(func(pg graph.Page) ([]*graph.Report, error) {
							items, _, err := s.cfg.Graph.FindReports(p.Context, graph.ReportFilter{Page: pg, Cites: r(p.Source).ID})
							return items, err
						}, func(x *graph.Report) string { return x.ID })
					})},
				"appearances": {Type: listOf(t.appearance), Description: "The claims that appear in this report (at most 1000).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						rep := r(p.Source)
						claims, err := collect(func(pg graph.Page) ([]*graph.Claim, error) {
							items, _, err := s.cfg.Graph.FindClaims(p.Context, graph.ClaimFilter{Page: pg, Report: rep.ID})
							return items, err
						}, func(x *graph.Claim) string { return x.ID })
						if err != nil {
							return nil, err
						}
						out := make([]appearance, 0, len(claims))
						for _, c := range claims {
							if a, ok := c.Appearance(rep.ID); ok {
								out = append(out, appearance{claim: c, app: a})
							}
						}
						return out, nil
					})},
			}
		}),
	})
}

// collect reads up to maxListed items through pages of a finder.
func collect[T any](find func(graph.Page) ([]T, error), id func(T) string) ([]T, error) {
	var out []T
	err := graph.EachPage(find, id, func(it T) (bool, error) {
		out = append(out, it)
		return len(out) < maxListed, nil
	})
	return out, err
}

// reports resolves a page of reports.
func (s *Server) reports(p graphql.ResolveParams, f graph.ReportFilter) (any, error) {
	return connect(p, func(page graph.Page) ([]*graph.Report, int, error) {
		f.Page = page
		return s.cfg.Graph.FindReports(p.Context, f)
	}, func(x *graph.Report) string { return x.ID })
}

// addReportInputs builds the inputs of createReport and updateReport.
func addReportInputs(t *types, in *inputs) {
	reportFields := func(create bool) graphql.InputObjectConfigFieldMap {
		m := graphql.InputObjectConfigFieldMap{
			"outlet": inputField(graphql.ID, ""), "title": inputField(graphql.String, ""), "url": inputField(graphql.String, ""),
			"published": inputField(graphql.String, dateDesc), "language": inputField(graphql.String, ""), "status": inputField(t.status, ""),
		}
		if create {
			m["id"], m["outlet"] = inputField(nonNull(graphql.ID), "report:slug"), inputField(nonNull(graphql.ID), "")
			m["cites"] = inputField(graphql.NewList(nonNull(graphql.ID)), "")
		}
		return m
	}
	in.report = inputObject("ReportInput", "A new report.", reportFields(true))
	in.reportUpd = inputObject("ReportUpdateInput", "Fields to change; absent fields stay.", reportFields(false))
}

// reportMutations are the report mutations, citations included.
func (mt *mutations) reportMutations() graphql.Fields {
	return graphql.Fields{
		"createReport": mt.mutate(nonNull(mt.t.report), "Creates a report.", graphql.FieldConfigArgument{"input": {Type: nonNull(mt.in.report)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				st, err := argEnum(m, "status", graph.ParseReportStatus)
				if err != nil {
					return nil, err
				}
				pub, err := argDate(m, "published")
				if err != nil {
					return nil, err
				}
				r := &graph.Report{ID: argString(m, "id"), Outlet: argString(m, "outlet"), Title: argString(m, "title"),
					URL: argString(m, "url"), Published: pub, Language: argString(m, "language"), Status: st, Cites: argStrings(m, "cites")}
				if err := mt.g().CreateReport(ctx, r); err != nil {
					return nil, err
				}
				return mt.g().FindReportByID(ctx, r.ID)
			}),
		"updateReport": mt.mutate(nonNull(mt.t.report), "Changes some fields of a report, such as its status (CORRECTED, RETRACTED).",
			graphql.FieldConfigArgument{"id": idArg(), "input": {Type: nonNull(mt.in.reportUpd)}},
			func(ctx context.Context, a map[string]any) (any, error) {
				m := argObject(a, "input")
				upd := graph.ReportUpdate{Title: optStringField(m, "title"), URL: optStringField(m, "url"), Language: optStringField(m, "language")}
				if _, ok := m["outlet"]; ok {
					upd.Outlet = optStringField(m, "outlet")
				}
				if _, ok := m["published"]; ok {
					d, err := argDate(m, "published")
					if err != nil {
						return nil, err
					}
					upd.Published = &d
				}
				if _, ok := m["status"]; ok {
					st, err := argEnum(m, "status", graph.ParseReportStatus)
					if err != nil {
						return nil, err
					}
					upd.Status = &st
				}
				return mt.g().UpdateReport(ctx, argString(a, "id"), upd)
			}),
		"deleteReport": mt.mutate(nonNull(graphql.ID), "Deletes a report; with cascade, the appearances, attributions and citations that refer to it.",
			graphql.FieldConfigArgument{"id": idArg(), "cascade": cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteReport(ctx, id, argBool(a, "cascade")))
			}),
		"addCitation": mt.mutate(nonNull(mt.t.report), "Records that report cites another report.",
			graphql.FieldConfigArgument{"report": idArg(), "cites": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().AddCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
		"removeCitation": mt.mutate(nonNull(mt.t.report), "Removes a citation.",
			graphql.FieldConfigArgument{"report": idArg(), "cites": idArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
	}
}
