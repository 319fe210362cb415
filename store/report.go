package store

import (
	"context"
	"slices"

	"hearsay/graph"
)

// loadReport decodes a report value and reads its citations inside txn.
func loadReport(txn kvTxn, id string, v []byte) (*graph.Report, error) {
	r, err := decodeReport(id, v)
	if err != nil {
		return nil, err
	}
	r.Cites, err = getAdj(txn, graph.EdgeCites, id, decodeIDs)
	return r, err
}

// FindReportByID returns the report with its citations, or ENOTFOUND.
func (db *DB) FindReportByID(ctx context.Context, id string) (*graph.Report, error) {
	return findNode(ctx, db, graph.KindReport, id, loadReport)
}

// CreateReport creates a report; its ID must be new and its outlet and
// cited reports must exist.
func (db *DB) CreateReport(ctx context.Context, r *graph.Report) error {
	if r.Status == graph.StatusUnset {
		r.Status = graph.StatusPublished
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return db.create(ctx, r.ID, func(w *writer) error { return w.checkRefs(r, nil) },
		func(w *writer) error { return w.put(r) })
}

// UpdateReport changes some fields of a report, its outlet included.
func (db *DB) UpdateReport(ctx context.Context, id string, upd graph.ReportUpdate) (*graph.Report, error) {
	return db.updateReport(ctx, id, func(r *graph.Report) error { upd.Apply(r); return nil })
}

func (db *DB) updateReport(ctx context.Context, id string, change func(*graph.Report) error) (*graph.Report, error) {
	if err := graph.CheckID(id, graph.KindReport); err != nil {
		return nil, err
	}
	var out *graph.Report
	err := db.write(ctx, func(w *writer) (err error) {
		out, err = w.updateReport(id, change)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddCitation records that report cites cited.
func (db *DB) AddCitation(ctx context.Context, report, cited string) (*graph.Report, error) {
	if err := graph.CheckID(cited, graph.KindReport); err != nil {
		return nil, err
	}
	return db.updateReport(ctx, report, func(r *graph.Report) error {
		if slices.Contains(r.Cites, cited) {
			return graph.Errorf(graph.ECONFLICT, "report %q already cites %q", report, cited)
		}
		r.Cites = append(r.Cites, cited)
		return nil
	})
}

// RemoveCitation removes the citation of cited from report.
func (db *DB) RemoveCitation(ctx context.Context, report, cited string) (*graph.Report, error) {
	return db.updateReport(ctx, report, func(r *graph.Report) error {
		if !slices.Contains(r.Cites, cited) {
			return graph.Errorf(graph.ENOTFOUND, "report %q does not cite %q", report, cited)
		}
		r.Cites = slices.DeleteFunc(r.Cites, func(c string) bool { return c == cited })
		return nil
	})
}

// DeleteReport deletes a report. Without cascade, a report in which claims
// appear, or which attributions name or reports cite, is refused with
// ECONFLICT; with it, those appearances, attributions and citations are
// removed.
func (db *DB) DeleteReport(ctx context.Context, id string, cascade bool) error {
	if err := graph.CheckID(id, graph.KindReport); err != nil {
		return err
	}
	return db.write(ctx, func(w *writer) error { return w.deleteReport(id, cascade) })
}
