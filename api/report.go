package api

import (
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
