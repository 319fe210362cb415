//go:build unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// The adjacency benchmarks compare two on-disk layouts of a node's
// out-edges of one kind, on the same graph, opened with DefaultOptions:
//
//	packed:   one value per node, adjKey(edge, node) → encodeIDs(sorted targets),
//	          read with one txn.Get
//	edgekeys: one key per edge, edgeKey(edge, dirForward, node, target, ""),
//	          empty value, read by a keys-only scan of edgePrefix(edge,
//	          dirForward, node)
//
// The graph has a power-law out-degree: degree = 1 + Zipf(s=2, v=1), at most
// 5,000, so 94 % of nodes have 1–10 out-edges, the mean is about 5.4, and
// about 80 hubs (at 1M edges) have 1,000 or more. Targets are uniform and
// distinct. It is built from a fixed seed, so every run measures the same
// graph. IDs are report:r000000 upwards.
//
// BenchmarkAdjacency loads each layout once per size into a temporary
// directory and measures warm reads from random nodes in two states:
// "fresh", the database as the load left it and still open, and
// "compacted", after Close (which flushes the memtable and compacts level 0,
// see Open), a reopen and Flatten. With DefaultOptions' 64 MB memtables a
// 1M-edge load of either layout is still entirely in the memtable when
// fresh; no table reaches level 0 before Close. The tables, L0-tables and
// %keys-in-tables metrics show where the data was. cpu-µs/op is the
// process's CPU time per op, which a busy machine inflates less than the
// wall clock (hence unix only: getrusage). Run it with a fixed iteration
// count:
//
//	go test ./store -run '^$' -bench '^BenchmarkAdjacency$' -benchtime 200000x -count 3 -timeout 30m
//
// BenchmarkAdjacencyLoad measures loading the whole graph, in transactions
// of 50,000 Sets in key order, Close included; one op is one whole load, so
// run it with -benchtime 1x:
//
//	go test ./store -run '^$' -bench '^BenchmarkAdjacencyLoad$' -benchtime 1x -count 5 -timeout 30m
//
// Add /edges=100K to either pattern for a quick run.

// adjEdge is the edge kind the benchmarks store: report → report, the kind
// hearsay packs today.
const adjEdge = graph.EdgeCites

// adjMaxDegree caps the out-degree of the generated graph.
const adjMaxDegree = 5000

// adjBatch is how many Sets the load puts in one transaction.
const adjBatch = 50_000

var adjSizes = []struct {
	name  string
	edges int
}{
	{"100K", 100_000},
	{"1M", 1_000_000},
}

// adjLayout is one of the two layouts measured.
type adjLayout int

const (
	adjPacked adjLayout = iota
	adjEdgeKeys
)

var adjLayouts = []adjLayout{adjPacked, adjEdgeKeys}

func (l adjLayout) String() string {
	if l == adjPacked {
		return "packed"
	}
	return "edgekeys"
}

// adjGraph is the generated graph in compressed sparse row form. Node i has
// ID ids[i]; IDs sort in index order, so index order is key order.
type adjGraph struct {
	edges int
	ids   []string
	off   []int32 // node i's targets are tgt[off[i]:off[i+1]]
	tgt   []int32 // sorted within each node
	picks []int32 // random nodes the read benchmarks start from
	hub   int     // a node of the highest degree
}

// String describes the graph's shape.
func (g *adjGraph) String() string {
	small, hubs := 0, 0
	for i := range g.ids {
		switch d := len(g.out(i)); {
		case d <= 10:
			small++
		case d >= 1000:
			hubs++
		}
	}
	return fmt.Sprintf("%d nodes, %d edges; %.1f %% of nodes have 1–10 out-edges, %d have 1,000 or more, the largest %d",
		len(g.ids), g.edges, 100*float64(small)/float64(len(g.ids)), hubs, len(g.out(g.hub)))
}

func (g *adjGraph) out(i int) []int32 { return g.tgt[g.off[i]:g.off[i+1]] }

// targetIDs returns node i's targets as IDs, in buf.
func (g *adjGraph) targetIDs(buf []string, i int) []string {
	buf = buf[:0]
	for _, t := range g.out(i) {
		buf = append(buf, g.ids[t])
	}
	return buf
}

func newAdjGraph(edges int) *adjGraph {
	r := rand.New(rand.NewPCG(0x6865617273617921, uint64(edges)))
	zipf := rand.NewZipf(r, 2, 1, adjMaxDegree-1)
	var deg []int32
	for sum := 0; sum < edges; {
		d := min(1+int(zipf.Uint64()), edges-sum)
		deg = append(deg, int32(d))
		sum += d
	}
	n := len(deg)
	if n > 999_999 {
		panic("adjacency benchmark: too many nodes for six-digit slugs")
	}
	g := &adjGraph{edges: edges, ids: make([]string, n), off: make([]int32, n+1), tgt: make([]int32, edges)}
	for i, d := range deg {
		g.ids[i] = fmt.Sprintf("report:r%06d", i)
		g.off[i+1] = g.off[i] + d
		if d > deg[g.hub] {
			g.hub = i
		}
	}
	if int(deg[g.hub]) >= n {
		panic("adjacency benchmark: a hub has more out-edges than there are other nodes")
	}
	seen := make(map[int32]struct{}, adjMaxDegree)
	for i := range n {
		ts := g.out(i)
		clear(seen)
		for j := range ts {
			for {
				t := int32(r.IntN(n))
				if _, dup := seen[t]; t == int32(i) || dup {
					continue
				}
				seen[t] = struct{}{}
				ts[j] = t
				break
			}
		}
		slices.Sort(ts)
	}
	g.picks = make([]int32, 1<<16)
	for i := range g.picks {
		g.picks[i] = int32(r.IntN(n))
	}
	return g
}

// adjWriter sets keys in transactions of adjBatch entries, committing early
// when a transaction is full.
type adjWriter struct {
	db  *badger.DB
	txn *badger.Txn
	n   int
}

func (w *adjWriter) set(k, v []byte) error {
	if w.txn == nil {
		w.txn = w.db.NewTransaction(true)
	}
	err := w.txn.Set(k, v)
	if errors.Is(err, badger.ErrTxnTooBig) {
		if err := w.commit(); err != nil {
			return err
		}
		w.txn = w.db.NewTransaction(true)
		err = w.txn.Set(k, v)
	}
	if err != nil {
		return err
	}
	if w.n++; w.n >= adjBatch {
		return w.commit()
	}
	return nil
}

func (w *adjWriter) commit() error {
	if w.txn == nil {
		return nil
	}
	err := w.txn.Commit()
	w.txn, w.n = nil, 0
	return err
}

// adjLoad writes the whole graph in layout l, in key order.
func adjLoad(db *badger.DB, g *adjGraph, l adjLayout) error {
	w := &adjWriter{db: db}
	var buf []string
	for i, id := range g.ids {
		switch l {
		case adjPacked:
			buf = g.targetIDs(buf, i)
			if err := w.set(adjKey(adjEdge, id), encodeIDs(buf)); err != nil {
				return err
			}
		case adjEdgeKeys:
			for _, t := range g.out(i) {
				if err := w.set(edgeKey(adjEdge, dirForward, id, g.ids[t], ""), nil); err != nil {
					return err
				}
			}
		}
	}
	return w.commit()
}

// adjReadPacked reads a node's out-edges from its packed value.
func adjReadPacked(txn *badger.Txn, id string) ([]string, error) {
	item, err := txn.Get(adjKey(adjEdge, id))
	if err != nil {
		return nil, err
	}
	var ids []string
	err = item.Value(func(v []byte) error {
		ids, err = decodeIDs(v)
		return err
	})
	return ids, err
}

// adjReadEdgeKeys reads a node's out-edges by a keys-only prefix scan with
// its own iterator.
func adjReadEdgeKeys(txn *badger.Txn, id string) ([]string, error) {
	prefix := edgePrefix(adjEdge, dirForward, id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	return adjScan(it, prefix)
}

// adjScan collects the targets of the edge keys under prefix, seeking it.
func adjScan(it *badger.Iterator, prefix []byte) ([]string, error) {
	var ids []string
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		k, err := parseKey(it.Item().Key())
		if err != nil {
			return nil, err
		}
		ids = append(ids, k.Other)
	}
	return ids, nil
}

// adjFixture is one layout of one graph, loaded once and shared by the
// sub-benchmarks below it.
type adjFixture struct {
	g         *adjGraph
	layout    adjLayout
	dir       string
	db        *DB
	common    []byte // the prefix every edgePrefix of the graph starts with
	compacted bool
	diskBytes int64 // *.sst and *.vlog after the first Close
}

func (f *adjFixture) read(txn *badger.Txn, id string) ([]string, error) {
	if f.layout == adjPacked {
		return adjReadPacked(txn, id)
	}
	return adjReadEdgeKeys(txn, id)
}

// newAdjFixture loads g in layout l into a temporary directory. The
// database is closed and the directory removed when b ends.
func newAdjFixture(b *testing.B, g *adjGraph, l adjLayout) *adjFixture {
	f := &adjFixture{g: g, layout: l, dir: b.TempDir()}
	db, err := Open(DefaultOptions(f.dir))
	if err != nil {
		b.Fatal(err)
	}
	f.db = db
	b.Cleanup(func() {
		if err := f.db.Close(); err != nil {
			b.Error(err)
		}
	})
	start := time.Now()
	if err := adjLoad(db.live.current().db, g, l); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	lo, hi := edgePrefix(adjEdge, dirForward, g.ids[0]), edgePrefix(adjEdge, dirForward, g.ids[len(g.ids)-1])
	n := 0
	for n < len(lo) && n < len(hi) && lo[n] == hi[n] {
		n++
	}
	f.common = lo[:n]
	b.Logf("%s: loaded %d edges in %v (%.0f edges/s); as loaded: %s",
		l, g.edges, took.Round(time.Millisecond), float64(g.edges)/took.Seconds(), adjLevelsOf(db.live.current().db))
	return f
}

// compact closes the database (compacting level 0, see Open), measures its
// files, reopens it and flattens it. It does so once.
func (f *adjFixture) compact(b *testing.B) {
	if f.compacted {
		return
	}
	start := time.Now()
	if err := f.db.Close(); err != nil {
		b.Fatal(err)
	}
	closeTook := time.Since(start)
	size, err := adjDiskBytes(f.dir)
	if err != nil {
		b.Fatal(err)
	}
	f.diskBytes = size
	db, err := Open(DefaultOptions(f.dir))
	if err != nil {
		b.Fatal(err)
	}
	f.db = db
	afterClose := adjLevelsOf(db.live.current().db)
	if err := db.live.current().db.Flatten(2); err != nil {
		b.Fatal(err)
	}
	lv := adjLevelsOf(db.live.current().db)
	f.compacted = true
	b.Logf("%s: closed in %v: %.1f bytes/edge on disk; reopened: %s; flattened: %s",
		f.layout, closeTook.Round(time.Millisecond), float64(size)/float64(f.g.edges), afterClose, lv)
	if lv.l0 > 0 {
		b.Logf("%s: %d tables still in level 0 after Close and Flatten", f.layout, lv.l0)
	}
}

// check reads every node once, comparing with the graph; this also warms
// the caches.
func (f *adjFixture) check(b *testing.B) {
	g := f.g
	var buf []string
	err := f.db.live.current().db.View(func(txn *badger.Txn) error {
		for i, id := range g.ids {
			got, err := f.read(txn, id)
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if buf = g.targetIDs(buf, i); !slices.Equal(got, buf) {
				return fmt.Errorf("%s: read %d out-edges, want %d", id, len(got), len(buf))
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// adjLevels summarises where the tables of a database are.
type adjLevels struct {
	l0, tables int
	keys       uint64
	text       string
}

func (l adjLevels) String() string { return l.text }

func adjLevelsOf(db *badger.DB) adjLevels {
	var lv adjLevels
	count := map[int]int{}
	size := map[int]int64{}
	var levels []int
	for _, t := range db.Tables() {
		if count[t.Level] == 0 {
			levels = append(levels, t.Level)
		}
		count[t.Level]++
		size[t.Level] += int64(t.OnDiskSize)
		lv.keys += uint64(t.KeyCount)
		lv.tables++
	}
	lv.l0 = count[0]
	slices.Sort(levels)
	var s []string
	for _, l := range levels {
		s = append(s, fmt.Sprintf("L%d %d tables %.1f MB", l, count[l], float64(size[l])/1e6))
	}
	if len(s) == 0 {
		s = append(s, "no tables")
	}
	lv.text = fmt.Sprintf("%s, %d keys in tables", strings.Join(s, ", "), lv.keys)
	return lv
}

// adjDiskBytes sums the sizes of the table and value log files under dir.
func adjDiskBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); ext == ".sst" || ext == ".vlog" {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

var adjSink int

// adjCPU returns the CPU time the process has used, all threads.
func adjCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkAdjacency(b *testing.B) {
	if testing.Short() {
		b.Skip("loads graphs of up to 1M edges on disk")
	}
	for _, size := range adjSizes {
		b.Run("edges="+size.name, func(b *testing.B) {
			g := newAdjGraph(size.edges)
			b.Logf("%s", g)
			for _, l := range adjLayouts {
				b.Run("layout="+l.String(), func(b *testing.B) {
					f := newAdjFixture(b, g, l)
					b.Run("state=fresh", func(b *testing.B) {
						f.check(b)
						adjReads(b, f)
					})
					b.Run("state=compacted", func(b *testing.B) {
						f.compact(b)
						f.check(b)
						adjReads(b, f)
					})
				})
			}
		})
	}
}

// adjReads runs the read benchmarks on f in its current state.
func adjReads(b *testing.B, f *adjFixture) {
	b.Run("out-edges", func(b *testing.B) {
		g := f.g
		b.ReportAllocs()
		i, edges := 0, 0
		cpu := adjCPU()
		for b.Loop() {
			id := g.ids[g.picks[i%len(g.picks)]]
			i++
			err := f.db.live.current().db.View(func(txn *badger.Txn) error {
				ids, err := f.read(txn, id)
				edges += len(ids)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		cpu = adjCPU() - cpu
		adjSink += edges
		b.ReportMetric(float64(edges)/float64(b.N), "edges/read")
		adjReport(b, f, cpu)
	})
	b.Run("walk6", func(b *testing.B) {
		adjWalk(b, f, func(txn *badger.Txn) (func(string) ([]string, error), func()) {
			return func(id string) ([]string, error) { return f.read(txn, id) }, func() {}
		})
	})
	if f.layout == adjEdgeKeys {
		// One iterator for the whole walk, its Prefix the part every
		// node's prefix shares; each hop seeks it.
		b.Run("walk6-reused-iter", func(b *testing.B) {
			adjWalk(b, f, func(txn *badger.Txn) (func(string) ([]string, error), func()) {
				it := txn.NewIterator(badger.IteratorOptions{Prefix: f.common, PrefetchValues: false})
				return func(id string) ([]string, error) {
					return adjScan(it, edgePrefix(adjEdge, dirForward, id))
				}, it.Close
			})
		})
	}
}

// adjWalk measures 6-hop walks from random nodes, each following the first
// out-edge of the node it reached, all in one transaction. reader returns
// the function reading one node's out-edges within txn, and the function
// releasing what it holds before the transaction ends.
func adjWalk(b *testing.B, f *adjFixture, reader func(txn *badger.Txn) (func(string) ([]string, error), func())) {
	g := f.g
	b.ReportAllocs()
	i, edges := 0, 0
	cpu := adjCPU()
	for b.Loop() {
		id := g.picks[i%len(g.picks)]
		i++
		err := f.db.live.current().db.View(func(txn *badger.Txn) error {
			read, done := reader(txn)
			defer done()
			cur := g.ids[id]
			for range 6 {
				ids, err := read(cur)
				if err != nil {
					return fmt.Errorf("%s: %w", cur, err)
				}
				if len(ids) == 0 {
					return fmt.Errorf("%s has no out-edges", cur)
				}
				edges += len(ids)
				cur = ids[0]
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu = adjCPU() - cpu
	adjSink += edges
	b.ReportMetric(float64(edges)/float64(b.N)/6, "edges/read")
	adjReport(b, f, cpu)
}

// adjReport adds the metrics common to the read benchmarks: the time per op
// in µs, the process's CPU time per op (cpu, which a busy machine inflates
// less than the wall clock), where the tables are now (a memtable may have
// been flushed since the load), and the share of the graph's keys in tables
// rather than in memtables.
func adjReport(b *testing.B, f *adjFixture, cpu time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N), "µs/op")
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	if f.compacted {
		b.ReportMetric(float64(f.diskBytes)/float64(f.g.edges), "bytes/edge")
	}
	lv := adjLevelsOf(f.db.live.current().db)
	keys := len(f.g.ids)
	if f.layout == adjEdgeKeys {
		keys = f.g.edges
	}
	b.ReportMetric(float64(lv.l0), "L0-tables")
	b.ReportMetric(float64(lv.tables), "tables")
	b.ReportMetric(100*float64(lv.keys)/float64(keys), "%keys-in-tables")
}

func BenchmarkAdjacencyLoad(b *testing.B) {
	if testing.Short() {
		b.Skip("loads graphs of up to 1M edges on disk")
	}
	for _, size := range adjSizes {
		b.Run("edges="+size.name, func(b *testing.B) {
			g := newAdjGraph(size.edges)
			for _, l := range adjLayouts {
				b.Run("layout="+l.String(), func(b *testing.B) {
					if b.N > 10 {
						b.Skipf("one op loads the whole graph (b.N = %d); run with -benchtime 1x", b.N)
					}
					var write, closing time.Duration
					var disk int64
					for range b.N {
						b.StopTimer()
						dir := b.TempDir()
						db, err := Open(DefaultOptions(dir))
						if err != nil {
							b.Fatal(err)
						}
						runtime.GC()
						b.StartTimer()
						start := time.Now()
						if err := adjLoad(db.live.current().db, g, l); err != nil {
							b.Fatal(err)
						}
						wrote := time.Now()
						if err := db.Close(); err != nil {
							b.Fatal(err)
						}
						b.StopTimer()
						write += wrote.Sub(start)
						closing += time.Since(wrote)
						n, err := adjDiskBytes(dir)
						if err != nil {
							b.Fatal(err)
						}
						disk += n
						if err := os.RemoveAll(dir); err != nil {
							b.Fatal(err)
						}
					}
					edges := float64(g.edges) * float64(b.N)
					b.ReportMetric(edges/(write+closing).Seconds(), "edges/s")
					b.ReportMetric(edges/write.Seconds(), "edges/s-before-close")
					b.ReportMetric(float64(closing.Milliseconds())/float64(b.N), "close-ms")
					b.ReportMetric(float64(disk)/edges, "bytes/edge")
				})
			}
		})
	}
}
