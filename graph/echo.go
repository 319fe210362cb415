package graph

import "context"

// Echo says how an outlet carries claims: how many appearances its reports
// hold, how many of them repeat other reports or outlets (second-hand),
// and how many end, on some chain, at an anonymous official.
type Echo struct {
	Appearances     int
	SecondHand      int
	AnonymousOrigin int
	// Partial is true when the outlet has more than MaxEchoAppearances
	// appearances and only the first were counted.
	Partial bool
}

// FirstHand returns the appearances the outlet carries on its own
// authority: attributed to officials, or to no one.
func (e Echo) FirstHand() int { return e.Appearances - e.SecondHand }

// MaxEchoAppearances bounds the appearances one echo counts.
const MaxEchoAppearances = 10_000

// EchoReader is what OutletEcho reads.
type EchoReader interface {
	JudgeReader
	FindReports(ctx context.Context, f ReportFilter) ([]*Report, int, error)
	FindClaims(ctx context.Context, f ClaimFilter) ([]*Claim, int, error)
}

// OutletEcho counts an outlet's appearances: all of them, the second-hand
// ones (whose ways onward, Leads, include a report or an outlet: the
// outlet repeats others, inferred citations included), and those with a
// chain ending at an anonymous official.
func OutletEcho(ctx context.Context, r EchoReader, outlet string) (Echo, error) {
	var e Echo
	anonymous := map[string]bool{}
	reportID := func(x *Report) string { return x.ID }
	claimID := func(x *Claim) string { return x.ID }
	err := EachPage(func(p Page) ([]*Report, error) {
		reports, _, err := r.FindReports(ctx, ReportFilter{Page: p, Outlet: outlet})
		return reports, err
	}, reportID, func(rep *Report) (bool, error) {
		err := EachPage(func(p Page) ([]*Claim, error) {
			claims, _, err := r.FindClaims(ctx, ClaimFilter{Page: p, Report: rep.ID})
			return claims, err
		}, claimID, func(c *Claim) (bool, error) {
			if e.Appearances == MaxEchoAppearances {
				e.Partial = true
				return false, nil
			}
			return true, e.count(ctx, r, c, rep, anonymous)
		})
		return !e.Partial, err
	})
	return e, err
}

// count adds one appearance of c in rep to the echo.
func (e *Echo) count(ctx context.Context, r EchoReader, c *Claim, rep *Report, anonymous map[string]bool) error {
	app, ok := c.Appearance(rep.ID)
	if !ok {
		return nil
	}
	e.Appearances++
	for _, l := range Leads(c, app, rep) {
		if k := KindOf(l.Source); k == KindReport || k == KindOutlet {
			e.SecondHand++
			break
		}
	}
	chains, err := TraceAppearance(ctx, r, c.ID, rep.ID, TraceOptions{})
	if err != nil {
		return err
	}
	for _, ch := range chains {
		if KindOf(ch.Origin) != KindOfficial {
			continue
		}
		anon, ok := anonymous[ch.Origin]
		if !ok {
			o, err := r.FindOfficialByID(ctx, ch.Origin)
			if err != nil {
				return err
			}
			anon = o.Anonymous
			anonymous[ch.Origin] = anon
		}
		if anon {
			e.AnonymousOrigin++
			break
		}
	}
	return nil
}

// EachPage reads a list a page of MaxPageSize at a time and calls visit
// for every item in order, until visit returns false or an error, or the
// list ends. id gives the cursor of an item.
func EachPage[T any](find func(Page) ([]T, error), id func(T) string, visit func(T) (bool, error)) error {
	p := Page{First: MaxPageSize}
	for {
		items, err := find(p)
		if err != nil {
			return err
		}
		for _, it := range items {
			if more, err := visit(it); err != nil || !more {
				return err
			}
		}
		if len(items) < p.First {
			return nil
		}
		p.After = id(items[len(items)-1])
	}
}
