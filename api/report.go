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
			return t.fields("Report", fieldList{
				{Name: "id", Type: nonNull(graphql.ID), Description: "The report's ID, report:slug.", Resolve: str(func(v any) string { return r(v).ID })},
				{Name: "title", Type: graphql.String, Description: "Its headline or title; null when not recorded.", Resolve: str(func(v any) string { return r(v).Title })},
				{Name: "url", Type: graphql.String, Description: "Where it is published; null when not recorded.", Resolve: str(func(v any) string { return r(v).URL })},
				{Name: "published", Type: graphql.String, Description: "When it was published, as precise as is known: YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time; null when unknown.",
					Resolve: date(func(v any) graph.Date { return r(v).Published })},
				{Name: "language", Type: graphql.String, Description: "Its language, a BCP 47 tag; null when not recorded.", Resolve: str(func(v any) string { return r(v).Language })},
				{Name: "status", Type: nonNull(t.status), Description: "PUBLISHED, CORRECTED or RETRACTED.", Resolve: enumValue(func(v any) graph.ReportStatus { return r(v).Status })},
				{Name: "outlet", Type: nonNull(t.outlet), Description: "The outlet that published it.", Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
					return s.loaderFrom(p.Context).outlet(p.Context, r(p.Source).Outlet)
				})},
				{Name: "cites", Type: listOf(t.report), Description: "Reports this report cites or links as a whole.",
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
				{Name: "citedBy", Type: listOf(t.report), Description: "Reports that cite this one (at most 1000).",
					Resolve: resolve(func(p graphql.ResolveParams) (any, error) {
						return collect(func(pg graph.Page) ([]*graph.Report, error) {
							items, _, err := s.cfg.Graph.FindReports(p.Context, graph.ReportFilter{Page: pg, Cites: r(p.Source).ID})
							return items, err
						}, func(x *graph.Report) string { return x.ID })
					})},
				{Name: "appearances", Type: listOf(t.appearance), Description: "The claims that appear in this report (at most 1000).",
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
			})
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
	reportFields := func(create bool) func() []*inputValue {
		var fs []*inputValue
		if create {
			fs = append(fs, inputField("id", nonNull(graphql.ID), "The new report's ID, report:slug."),
				inputField("outlet", nonNull(graphql.ID), "The outlet that published it."))
		} else {
			fs = append(fs, inputField("outlet", graphql.ID, "The outlet that published it."))
		}
		fs = append(fs,
			inputField("title", graphql.String, "Its headline or title."),
			inputField("url", graphql.String, "Where it is published."),
			inputField("published", graphql.String, "When it was published: "+dateDesc),
			inputField("language", graphql.String, "Its language, a BCP 47 tag (en, uk, pt-BR)."),
			inputField("status", t.status, "PUBLISHED (the default), CORRECTED or RETRACTED."))
		if create {
			fs = append(fs, inputField("cites", graphql.NewList(nonNull(graphql.ID)), "The reports it cites or links as a whole."))
		}
		return inputList(fs...)
	}
	in.report = t.inputObject("ReportInput", "A new report.", reportFields(true))
	in.reportUpd = t.inputObject("ReportUpdateInput", "Fields to change; absent or null fields stay, \"\" clears an optional one.", reportFields(false))
}

// reportMutations are the report mutations, citations included.
func (mt *mutations) reportMutations() fieldList {
	return fieldList{
		mt.mutate("createReport", nonNull(mt.t.report), "Creates a report.", []*inputValue{inputArg(mt.in.report)},
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
		mt.mutate("updateReport", nonNull(mt.t.report), "Changes some fields of a report, such as its status (CORRECTED, RETRACTED).",
			[]*inputValue{idArg("id"), inputArg(mt.in.reportUpd)},
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
		mt.mutate("deleteReport", nonNull(graphql.ID), "Deletes a report; with cascade, the appearances, attributions and citations that refer to it.",
			[]*inputValue{idArg("id"), cascadeArg()},
			func(ctx context.Context, a map[string]any) (any, error) {
				id := argString(a, "id")
				return deleted(id, mt.g().DeleteReport(ctx, id, argBool(a, "cascade")))
			}),
		mt.mutate("addCitation", nonNull(mt.t.report), "Records that report cites another report.",
			[]*inputValue{idArg("report"), idArg("cites")},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().AddCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
		mt.mutate("removeCitation", nonNull(mt.t.report), "Removes a citation.",
			[]*inputValue{idArg("report"), idArg("cites")},
			func(ctx context.Context, a map[string]any) (any, error) {
				return mt.g().RemoveCitation(ctx, argString(a, "report"), argString(a, "cites"))
			}),
	}
}
