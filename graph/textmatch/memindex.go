package textmatch

import (
	"context"
	"fmt"
	"sync"
)

// MemIndex is an Index held in memory, for tests, benchmarks and tools.
// It indexes a document's text with Terms, exactly as store does. It is
// safe for concurrent use.
type MemIndex struct {
	mu    sync.RWMutex
	ids   []string // by document number
	texts []string
	lens  []int32
	live  []bool
	byID  map[string]int32
	post  map[string][]memPosting
	docs  int64
	terms int64
}

type memPosting struct {
	doc int32
	tf  int32
}

var _ DocFreqIndex = (*MemIndex)(nil)

// NewMemIndex returns an empty MemIndex.
func NewMemIndex() *MemIndex {
	return &MemIndex{byID: map[string]int32{}, post: map[string][]memPosting{}}
}

// Add indexes text as document id, replacing what id held before.
func (m *MemIndex) Add(id, text string) {
	terms := Terms(text)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(id)
	n := int32(len(m.ids))
	m.ids = append(m.ids, id)
	m.texts = append(m.texts, text)
	m.lens = append(m.lens, int32(len(terms)))
	m.live = append(m.live, true)
	m.byID[id] = n
	tf := make(map[string]int32, len(terms))
	for _, t := range terms {
		tf[t]++
	}
	for t, c := range tf {
		m.post[t] = append(m.post[t], memPosting{doc: n, tf: c})
	}
	m.docs++
	m.terms += int64(len(terms))
}

// Delete removes document id; an unknown id is no error.
func (m *MemIndex) Delete(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(id)
}

func (m *MemIndex) remove(id string) {
	n, ok := m.byID[id]
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, t := range Terms(m.texts[n]) {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := m.post[t]
		out := ps[:0]
		for _, p := range ps {
			if p.doc != n {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			delete(m.post, t)
		} else {
			m.post[t] = out
		}
	}
	m.docs--
	m.terms -= int64(m.lens[n])
	m.live[n] = false
	m.texts[n] = ""
	delete(m.byID, id)
}

// Len returns the number of documents.
func (m *MemIndex) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int(m.docs)
}

// Stats implements Index.
func (m *MemIndex) Stats(ctx context.Context) (docs, terms int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.docs, m.terms, nil
}

// Postings implements Index. It calls fn with the lock held for reading:
// fn must not call Add or Delete.
func (m *MemIndex) Postings(ctx context.Context, term string, fn func(Posting) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, p := range m.post[term] {
		if !fn(Posting{ID: m.ids[p.doc], TF: int(p.tf), DocLen: int(m.lens[p.doc])}) {
			break
		}
	}
	return nil
}

// DocFreq implements DocFreqIndex.
func (m *MemIndex) DocFreq(ctx context.Context, term string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.post[term]), nil
}

// Document implements Index.
func (m *MemIndex) Document(ctx context.Context, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.byID[id]
	if !ok {
		return "", fmt.Errorf("textmatch: no document %q in the index", id)
	}
	return m.texts[n], nil
}
