package graph

import (
	"context"
	"slices"
)

// BatchReader is an optional extension of a reader: many nodes of one kind
// read at once, from one snapshot. Traversals use it, when the reader has
// it, to read a whole level of a claim's tree in one go instead of a read
// per node. IDs that name no stored node are absent from the maps; the
// maps are the caller's to keep and change.
type BatchReader interface {
	FindReportsByID(ctx context.Context, ids []string) (map[string]*Report, error)
	FindOutletsByID(ctx context.Context, ids []string) (map[string]*Outlet, error)
	FindOfficialsByID(ctx context.Context, ids []string) (map[string]*Official, error)
}

// Snapshot is a read-only view of a graph as it was at one moment, for
// the reads of one request: every read in one storage transaction instead
// of one each, so that a chain's reports, outlets and officials cost their
// reads and nothing more, and agree with each other. Close releases it;
// reads after Close fail. It is safe for concurrent use.
type Snapshot interface {
	JudgeReader
	BatchReader
	OutletIndex
	Close()
}

// Snapshotter is implemented by a graph that takes snapshots (store.DB).
type Snapshotter interface {
	Snapshot(ctx context.Context) (Snapshot, error)
}

// memo is a JudgeReader that remembers every claim, report, outlet and
// official it has read, and reads many at once through a BatchReader when
// the reader under it is one. A judgement reads the same sources many
// times (every chain through an outlet rates it again), and the claim
// twice (its trace, then its judgement: thousands of appearances decoded
// each time).
type memo struct {
	JudgeReader
	claims    map[string]*Claim
	reports   map[string]*Report
	outlets   map[string]*Outlet
	officials map[string]*Official
}

func newMemo(r JudgeReader) *memo {
	if m, ok := r.(*memo); ok {
		return m
	}
	return &memo{JudgeReader: r, claims: map[string]*Claim{}, reports: map[string]*Report{}, outlets: map[string]*Outlet{},
		officials: map[string]*Official{}}
}

func (m *memo) FindClaimByID(ctx context.Context, id string) (*Claim, error) {
	return remember(ctx, m.claims, id, m.JudgeReader.FindClaimByID)
}

func (m *memo) FindReportByID(ctx context.Context, id string) (*Report, error) {
	return remember(ctx, m.reports, id, m.JudgeReader.FindReportByID)
}

func (m *memo) FindOutletByID(ctx context.Context, id string) (*Outlet, error) {
	return remember(ctx, m.outlets, id, m.JudgeReader.FindOutletByID)
}

func (m *memo) FindOfficialByID(ctx context.Context, id string) (*Official, error) {
	return remember(ctx, m.officials, id, m.JudgeReader.FindOfficialByID)
}

func remember[T any](ctx context.Context, seen map[string]*T, id string, find func(context.Context, string) (*T, error)) (*T, error) {
	if n, ok := seen[id]; ok {
		return n, nil
	}
	n, err := find(ctx, id)
	if err != nil {
		return nil, err
	}
	seen[id] = n
	return n, nil
}

// The memo is a BatchReader itself, so that the tracer's batch lands in
// it and the judgement that follows finds the reports there.

func (m *memo) FindReportsByID(ctx context.Context, ids []string) (map[string]*Report, error) {
	return memoBatch(ctx, m, ids, &m.reports, m.FindReportByID)
}

func (m *memo) FindOutletsByID(ctx context.Context, ids []string) (map[string]*Outlet, error) {
	return memoBatch(ctx, m, ids, &m.outlets, m.FindOutletByID)
}

func (m *memo) FindOfficialsByID(ctx context.Context, ids []string) (map[string]*Official, error) {
	return memoBatch(ctx, m, ids, &m.officials, m.FindOfficialByID)
}

// memoBatch answers a batch from the memo, reading what it lacks in one
// batch when it can, else one at a time.
func memoBatch[T any](ctx context.Context, m *memo, ids []string, memo *map[string]*T,
	one func(context.Context, string) (*T, error)) (map[string]*T, error) {
	if err := m.prefetch(ctx, ids); err != nil {
		return nil, err
	}
	seen := *memo // after prefetch, which may replace it
	_, batched := m.JudgeReader.(BatchReader)
	out := make(map[string]*T, len(ids))
	for _, id := range ids {
		if n, ok := seen[id]; ok {
			out[id] = n
			continue
		}
		if batched {
			continue // not stored
		}
		n, err := one(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, nil
}

// prefetch reads, in one batch per kind, the nodes of ids not yet
// remembered. Without a BatchReader it does nothing: they are read one at
// a time when asked for.
func (m *memo) prefetch(ctx context.Context, ids []string) error {
	b, ok := m.JudgeReader.(BatchReader)
	if !ok {
		return nil
	}
	var reports, outlets, officials []string
	for _, id := range ids {
		switch KindOf(id) {
		case KindReport:
			if _, ok := m.reports[id]; !ok {
				reports = append(reports, id)
			}
		case KindOutlet:
			if _, ok := m.outlets[id]; !ok {
				outlets = append(outlets, id)
			}
		case KindOfficial:
			if _, ok := m.officials[id]; !ok {
				officials = append(officials, id)
			}
		}
	}
	if err := fetchInto(ctx, &m.reports, reports, b.FindReportsByID); err != nil {
		return err
	}
	if err := fetchInto(ctx, &m.outlets, outlets, b.FindOutletsByID); err != nil {
		return err
	}
	return fetchInto(ctx, &m.officials, officials, b.FindOfficialsByID)
}

// fetchInto reads ids in one batch into *into. The first batch's map,
// the reader's to give (BatchReader), becomes *into: copying ten thousand
// nodes into an empty map spent 15 % of a large judgement growing it.
func fetchInto[T any](ctx context.Context, into *map[string]*T, ids []string,
	find func(context.Context, []string) (map[string]*T, error)) error {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	got, err := find(ctx, slices.Compact(ids))
	if err != nil {
		return err
	}
	if len(*into) == 0 && got != nil {
		*into = got
		return nil
	}
	for id, n := range got {
		(*into)[id] = n
	}
	return nil
}
