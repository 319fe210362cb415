package store

import (
	"context"
	"fmt"

	"hearsay/graph"
)

// candidates is an ordered stream of node IDs to filter: every node of a
// kind, or the nodes found under one index prefix (reverse edges of a node,
// claims of a search word). Keys under the prefix sort by candidate ID, so
// pages follow ID order whatever the source.
type candidates struct {
	prefix []byte
	seek   func(after string) []byte // the first key at or after a candidate (not for a list)
	id     func(parsedKey) string    // the candidate a key names
	// list, when set, says the keys are a posting list's blocks: each
	// names the candidates in its value (posting.go), not id's one.
	list bool
}

func allOf(kind graph.Kind) candidates {
	return candidates{prefix: nodePrefix(kind), seek: nodeKey, id: func(k parsedKey) string { return k.Node }}
}

func reverseOf(e graph.EdgeKind, node string) candidates {
	return candidates{prefix: edgePrefix(e, dirReverse, node),
		seek: func(after string) []byte { return edgeKey(e, dirReverse, node, after, "") },
		id:   func(k parsedKey) string { return k.Other }}
}

func wordOf(word string) candidates {
	return candidates{prefix: wordPrefix(word), list: true}
}

// each calls fn with the candidates the iterator's key names, in order,
// until fn returns false; for a posting list, with all its candidates,
// the iterator left at its end.
func (src candidates) each(it kvIter, fn func(id string) (bool, error)) error {
	if !src.list {
		k, err := parseKey(it.key())
		if err != nil {
			return err
		}
		_, err = fn(src.id(k))
		return err
	}
	// A list is read whole, its blocks merged (posting.go).
	var ferr error
	err := eachListPosting(it, src.prefix, func(slug string, _, _ int) bool {
		var more bool
		more, ferr = fn(claimIDPrefix + slug)
		return more && ferr == nil
	})
	if err != nil {
		return err
	}
	return ferr
}

// filterPage streams the candidates, keeps those that load and match, and
// returns the page after page.After and the exact number of matches. With
// exactTotal >= 0 the total is known (an unfiltered kind) and the scan
// starts at the cursor and stops at the end of the page.
func filterPage[T any](ctx context.Context, db *DB, kind graph.Kind, page graph.Page, src candidates, exactTotal int64,
	load func(kvTxn, string, []byte) (T, error), match func(T) bool) ([]T, int, error) {
	if err := page.Validate(); err != nil {
		return nil, 0, err
	}
	if page.After != "" {
		if err := graph.CheckID(page.After, kind); err != nil {
			return nil, 0, graph.Errorf(graph.EINVALID, "bad cursor: %s", graph.ErrorMessage(err))
		}
	}
	var out []T
	total := 0
	err := db.view(ctx, func(txn kvTxn) error {
		it := txn.iterate(src.prefix, src.list)
		defer it.close()
		start := src.prefix
		if exactTotal >= 0 && page.After != "" {
			start = src.seek(page.After)
		}
		last := ""
		done := false
		visit := func(id string) (bool, error) {
			if id == last {
				return true, nil // one candidate under several keys (attributions)
			}
			last = id
			if total%256 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			node, err := readNode(txn, id, load)
			if err != nil {
				return false, err
			}
			if match != nil && !match(node) {
				return true, nil
			}
			total++
			if (page.After == "" || id > page.After) && len(out) < page.First {
				out = append(out, node)
			}
			done = exactTotal >= 0 && len(out) == page.First
			return !done, nil
		}
		if src.list { // read whole, from its first key
			if err := src.each(it, visit); err != nil {
				return fmt.Errorf("list %s: %w", kind, err)
			}
			return ctx.Err()
		}
		for it.seek(start); it.valid() && !done; it.next() {
			if err := src.each(it, visit); err != nil {
				return fmt.Errorf("list %s: %w", kind, err)
			}
		}
		return ctx.Err()
	})
	if exactTotal >= 0 {
		total = int(exactTotal)
	}
	return out, total, err
}

// count reads a kind's node counter in its own transaction.
func (db *DB) count(ctx context.Context, kind graph.Kind) (int64, error) {
	var n int64
	err := db.view(ctx, func(txn kvTxn) (err error) {
		n, err = readCount(txn, countKey(kind))
		return err
	})
	return n, err
}

// FindOutlets returns a page of the outlets that match the filter, in ID
// order, and how many match in all.
func (db *DB) FindOutlets(ctx context.Context, f graph.OutletFilter) ([]*graph.Outlet, int, error) {
	total := int64(-1)
	if f.Country == "" && f.Type == graph.OutletTypeUnset {
		var err error
		if total, err = db.count(ctx, graph.KindOutlet); err != nil {
			return nil, 0, err
		}
	}
	return filterPage(ctx, db, graph.KindOutlet, f.Page, allOf(graph.KindOutlet), total, loadOutlet, f.Match)
}

// FindReports returns a page of the reports that match the filter, in ID
// order, and how many match in all. Filters by outlet or by cited report
// read the reverse edges of that node rather than every report.
func (db *DB) FindReports(ctx context.Context, f graph.ReportFilter) ([]*graph.Report, int, error) {
	for _, id := range []struct {
		id   string
		kind graph.Kind
	}{{f.Outlet, graph.KindOutlet}, {f.Cites, graph.KindReport}} {
		if id.id != "" {
			if err := graph.CheckID(id.id, id.kind); err != nil {
				return nil, 0, err
			}
		}
	}
	switch {
	case f.Outlet != "":
		return filterPage(ctx, db, graph.KindReport, f.Page, reverseOf(graph.EdgePublishedBy, f.Outlet), -1, loadReport, f.Match)
	case f.Cites != "":
		return filterPage(ctx, db, graph.KindReport, f.Page, reverseOf(graph.EdgeCites, f.Cites), -1, loadReport, f.Match)
	case f.Status != graph.StatusUnset:
		return filterPage(ctx, db, graph.KindReport, f.Page, allOf(graph.KindReport), -1, loadReport, f.Match)
	}
	total, err := db.count(ctx, graph.KindReport)
	if err != nil {
		return nil, 0, err
	}
	return filterPage(ctx, db, graph.KindReport, f.Page, allOf(graph.KindReport), total, loadReport, nil)
}

// FindOfficials returns a page of the officials that match the filter, in
// ID order, and how many match in all.
func (db *DB) FindOfficials(ctx context.Context, f graph.OfficialFilter) ([]*graph.Official, int, error) {
	total := int64(-1)
	if f.Anonymous == nil && f.Form == graph.FormUnset && f.Country == "" {
		var err error
		if total, err = db.count(ctx, graph.KindOfficial); err != nil {
			return nil, 0, err
		}
	}
	return filterPage(ctx, db, graph.KindOfficial, f.Page, allOf(graph.KindOfficial), total, loadOfficial, f.Match)
}

// FindClaims returns a page of the claims that match the filter, in ID
// order, and how many match in all. A search reads the index entries of
// its first word and checks the rest on each candidate; filters by report
// or source read that node's reverse edges.
func (db *DB) FindClaims(ctx context.Context, f graph.ClaimFilter) ([]*graph.Claim, int, error) {
	if f.Report != "" {
		if err := graph.CheckID(f.Report, graph.KindReport); err != nil {
			return nil, 0, err
		}
	}
	if f.Source != "" {
		if k := graph.KindOf(f.Source); k != graph.KindOfficial && k != graph.KindReport && k != graph.KindOutlet {
			return nil, 0, graph.Errorf(graph.EINVALID, "source %q is not an official, report or outlet ID", f.Source)
		}
	}
	words := graph.Words(f.Search)
	if f.Search != "" && len(words) == 0 {
		return nil, 0, graph.Errorf(graph.EINVALID, "search %q has no words of %d or more letters or digits", f.Search, graph.MinWordLen)
	}
	switch {
	case len(words) > 0:
		return filterPage(ctx, db, graph.KindClaim, f.Page, wordOf(words[0]), -1, loadClaim, f.Match)
	case f.Report != "":
		return filterPage(ctx, db, graph.KindClaim, f.Page, reverseOf(graph.EdgeReportedBy, f.Report), -1, loadClaim, f.Match)
	case f.Source != "":
		return filterPage(ctx, db, graph.KindClaim, f.Page, reverseOf(graph.EdgeAttributedTo, f.Source), -1, loadClaim, f.Match)
	case f.Topic != "":
		return filterPage(ctx, db, graph.KindClaim, f.Page, allOf(graph.KindClaim), -1, loadClaim, f.Match)
	}
	total, err := db.count(ctx, graph.KindClaim)
	if err != nil {
		return nil, 0, err
	}
	return filterPage(ctx, db, graph.KindClaim, f.Page, allOf(graph.KindClaim), total, loadClaim, nil)
}

// FindAttributions returns a page of the attributions naming a source, in
// (claim, report) order, and how many there are.
func (db *DB) FindAttributions(ctx context.Context, f graph.AttributionFilter) ([]graph.AttributionRef, int, error) {
	if k := graph.KindOf(f.Source); k != graph.KindOfficial && k != graph.KindReport && k != graph.KindOutlet {
		return nil, 0, graph.Errorf(graph.EINVALID, "source %q is not an official, report or outlet ID", f.Source)
	}
	page := f.Page
	if err := page.Validate(); err != nil {
		return nil, 0, err
	}
	if page.After != "" {
		if _, _, err := graph.ParseAttributionCursor(page.After); err != nil {
			return nil, 0, err
		}
	}
	var out []graph.AttributionRef
	total := 0
	err := db.view(ctx, func(txn kvTxn) error {
		it := txn.iterate(edgePrefix(graph.EdgeAttributedTo, dirReverse, f.Source), false)
		defer it.close()
		claims := map[string]*graph.Claim{}
		for it.seek(nil); it.valid(); it.next() {
			k, err := parseKey(it.key())
			if err != nil {
				return fmt.Errorf("attributions of %q: %w", f.Source, err)
			}
			total++
			if cur := graph.AttributionCursor(k.Other, k.Ctx); page.After != "" && cur <= page.After || len(out) >= page.First {
				continue
			}
			c, ok := claims[k.Other]
			if !ok {
				if c, err = readNode(txn, k.Other, loadClaim); err != nil {
					return err
				}
				claims[k.Other] = c
			}
			ref := graph.AttributionRef{Claim: k.Other, Report: k.Ctx}
			if a, ok := c.Appearance(k.Ctx); ok {
				ref.Attribution, ref.RelayedBy, _ = graph.FindAttribution(a, f.Source)
			}
			out = append(out, ref)
		}
		return ctx.Err()
	})
	return out, total, err
}
