package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
)

// genDataset returns a generated dataset of about n edges.
func genDataset(tb testing.TB, n int, seed uint64) *graph.Dataset {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := synth.Generate(&buf, synth.Options{Edges: n, Seed: seed}); err != nil {
		tb.Fatal(err)
	}
	ds, err := fixtures.Parse("gen.ndjson", &buf, fixtures.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// datasetSource emits a dataset's nodes in file order, numbering lines
// from 2 as an NDJSON file after its header would.
func datasetSource(ds *graph.Dataset) store.RecordStream {
	return func(emit func(int, any) error) error {
		line := 1
		for _, n := range ds.Nodes() {
			line++
			if err := emit(line, n); err != nil {
				return err
			}
		}
		return nil
	}
}

// diskOptions returns options for a database in a fresh directory.
func diskOptions(tb testing.TB) store.Options {
	opt := store.DefaultOptions(filepath.Join(tb.TempDir(), "db"))
	opt.MemTableSize = 16 << 20
	opt.BlockCacheSize = 0
	return opt
}

func bulkLoad(tb testing.TB, opt store.Options, ds *graph.Dataset) store.BulkResult {
	tb.Helper()
	res, err := store.BulkLoad(context.Background(), opt, datasetSource(ds), store.BulkOptions{Name: "test.ndjson", SortMemory: 64 << 10})
	if err != nil {
		tb.Fatalf("BulkLoad: %v", err)
	}
	return res
}

// dump returns every stored key and value of the database at opt.Dir.
func dump(tb testing.TB, opt store.Options) []store.RawKV {
	tb.Helper()
	opt.ReadOnly = true
	db, err := store.Open(opt)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer db.Close()
	kvs, err := store.RawKVs(db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return kvs
}

// sameKVs fails unless two dumps hold the same keys with the same values.
func sameKVs(tb testing.TB, got, want []store.RawKV) {
	tb.Helper()
	i, j, shown := 0, 0, 0
	for (i < len(got) || j < len(want)) && shown < 10 {
		switch {
		case j >= len(want) || i < len(got) && bytes.Compare(got[i].Key, want[j].Key) < 0:
			tb.Errorf("extra key %q", got[i].Key)
			i++
			shown++
		case i >= len(got) || bytes.Compare(got[i].Key, want[j].Key) > 0:
			tb.Errorf("missing key %q", want[j].Key)
			j++
			shown++
		default:
			if !bytes.Equal(got[i].Value, want[j].Value) {
				tb.Errorf("key %q: value %x, want %x", got[i].Key, got[i].Value, want[j].Value)
				shown++
			}
			i++
			j++
		}
	}
}

// importAll imports datasets one after another, each in one transaction.
func importAll(tb testing.TB, opt store.Options, dss ...*graph.Dataset) {
	tb.Helper()
	db, err := store.Open(opt)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, ds := range dss {
		mustImport(tb, db, ds)
	}
}

// TestBulkLoadMatchesImport: a bulk load writes exactly the keys and
// values, counters included, that ImportDataset writes for the same data,
// with sort runs spilled to disk (64 KB buffers), relayed speech included.
func TestBulkLoadMatchesImport(t *testing.T) {
	ds := genDataset(t, 3000, 7)
	if withRelays(ds) == 0 {
		t.Fatal("no relayed speech added")
	}
	viaTxn, viaBulk := diskOptions(t), diskOptions(t)
	importAll(t, viaTxn, ds)
	res := bulkLoad(t, viaBulk, ds)
	if res.Runs < 2 {
		t.Errorf("Runs = %d, want the sort to spill several runs", res.Runs)
	}
	want := dump(t, viaTxn)
	sameKVs(t, dump(t, viaBulk), want)
	// Both write what the write model says, and the checker, which takes
	// its expectations from the same model, finds both clean.
	var stored []store.RawKV
	for _, kv := range want {
		if kv.Key[0] != store.TagMeta && !store.IsSameAsList(kv.Key) {
			stored = append(stored, kv)
		}
	}
	sameKVs(t, stored, store.ModelKVs(ds))
	for _, opt := range []store.Options{viaTxn, viaBulk} {
		opt.ReadOnly = true
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		// Check counts the change sequence's key too, which dumps leave
		// out, and posting lists' blocks, not their postings.
		stored, err := store.StoredKVs(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep := mustCheck(t, db, false); rep.Total != 0 || rep.Keys != int64(len(stored))+1 {
			t.Errorf("Check: %d problems, %d keys of %d+1: %v", rep.Total, rep.Keys, len(stored), rep.Problems)
		}
		db.Close()
	}
	edges := 0
	for _, kv := range want {
		if kv.Key[0] == store.TagEdge {
			edges++
		}
	}
	if res.Stats.Edges < int64(edges) || res.Edges != int(res.Stats.Edges) {
		t.Errorf("Stats.Edges = %d, result edges %d, reverse keys %d", res.Stats.Edges, res.Edges, edges)
	}
	if n := len(ds.Outlets) + len(ds.Officials) + len(ds.Reports) + len(ds.Claims); res.Nodes != n {
		t.Errorf("Nodes = %d, want %d", res.Nodes, n)
	}
}

// TestBulkLoadUnorderedMatchesImport: claims given out of ID order (the
// loader gathers a list's postings and sorts them by claim before the
// external sort) are written as ImportDataset writes them.
func TestBulkLoadUnorderedMatchesImport(t *testing.T) {
	ds := genDataset(t, 2000, 11)
	slices.Reverse(ds.Claims)
	viaTxn, viaBulk := diskOptions(t), diskOptions(t)
	importAll(t, viaTxn, ds)
	bulkLoad(t, viaBulk, ds)
	sameKVs(t, dump(t, viaBulk), dump(t, viaTxn))
}

// changed returns a copy of ds with nodes replaced the ways an update
// file replaces them: citations and appearances dropped and added, texts
// reworded, possibly-same-as links added, and new nodes.
func changed(ds *graph.Dataset) *graph.Dataset {
	out := &graph.Dataset{}
	for i, o := range ds.Officials {
		if i%5 == 0 && i+1 < len(ds.Officials) {
			c := *o
			c.PossiblySameAs = append(slices.Clone(o.PossiblySameAs), graph.SameAs{Official: ds.Officials[i+1].ID, Note: fmt.Sprintf("note %d", i)})
			if slices.ContainsFunc(o.PossiblySameAs, func(s graph.SameAs) bool { return s.Official == ds.Officials[i+1].ID }) {
				c.PossiblySameAs = o.PossiblySameAs
			}
			c.Role = "updated role"
			out.Officials = append(out.Officials, &c)
		}
	}
	for i, r := range ds.Reports {
		switch i % 7 {
		case 0:
			c := *r
			c.Cites = nil
			c.Title = "retitled"
			out.Reports = append(out.Reports, &c)
		case 3:
			if i > 0 && r.Outlet != "" && !slices.Contains(r.Cites, ds.Reports[0].ID) && r.ID != ds.Reports[0].ID {
				c := *r
				c.Cites = append(slices.Clone(r.Cites), ds.Reports[0].ID)
				out.Reports = append(out.Reports, &c)
			}
		}
	}
	for i, cl := range ds.Claims {
		if i%4 != 0 {
			continue
		}
		c := *cl
		c.Text = fmt.Sprintf("Reworded claim %d about ceasefire guarantees", i)
		if len(c.Appearances) > 1 {
			c.Appearances = slices.Clone(c.Appearances[1:])
		}
		out.Claims = append(out.Claims, &c)
	}
	out.Outlets = append(out.Outlets, &graph.Outlet{ID: "outlet:new-outlet", Name: "New Outlet"})
	out.Reports = append(out.Reports, &graph.Report{ID: "report:new-report", Outlet: "outlet:new-outlet", Status: graph.StatusPublished,
		Cites: []string{ds.Reports[1].ID}})
	out.Claims = append(out.Claims, &graph.Claim{ID: "claim:new-claim", Text: "A brand new claim",
		Appearances: []graph.Appearance{{Report: "report:new-report", Mode: graph.ModeParaphrase,
			Attributions: []graph.Attribution{{Source: ds.Officials[0].ID, Mode: graph.ModeDirectQuote, Quote: "said so"}}}}})
	return out
}

// TestBulkLoadUpsertMatchesImport: loading an update file into a stored
// graph gives the keys ImportDataset gives: replaced nodes lose their old
// reverse and index keys, links merge, counters stay exact.
func TestBulkLoadUpsertMatchesImport(t *testing.T) {
	ds := genDataset(t, 2000, 3)
	update := changed(ds)
	viaTxn, viaBulk, mixed := diskOptions(t), diskOptions(t), diskOptions(t)
	importAll(t, viaTxn, ds, update)
	bulkLoad(t, viaBulk, ds)
	bulkLoad(t, viaBulk, update)
	importAll(t, mixed, ds)
	bulkLoad(t, mixed, update)
	want := dump(t, viaTxn)
	t.Run("bulk then bulk", func(t *testing.T) { sameKVs(t, dump(t, viaBulk), want) })
	t.Run("import then bulk", func(t *testing.T) { sameKVs(t, dump(t, mixed), want) })
	// Posting lists packed by a bulk load, then changed by a transaction
	// (claims added as blocks of their own inside packed blocks' ranges,
	// others changed or deleted in them), then merged by a bulk load
	// again: the same postings each time, and a clean check.
	t.Run("bulk then import then bulk", func(t *testing.T) {
		opt := diskOptions(t)
		bulkLoad(t, opt, ds)
		importAll(t, opt, update)
		sameKVs(t, dump(t, opt), want)
		bulkLoad(t, opt, update)
		sameKVs(t, dump(t, opt), want)
		opt.ReadOnly = true
		db, err := store.Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if rep := mustCheck(t, db, false); rep.Total != 0 {
			t.Errorf("Check: %v", rep.Problems)
		}
	})

	// The index follows the rewording.
	opt := viaBulk
	opt.ReadOnly = true
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, total, err := db.FindClaims(context.Background(), graph.ClaimFilter{Search: "reworded ceasefire", Page: graph.Page{First: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (len(ds.Claims) + 3) / 4; total != want {
		t.Errorf("search finds %d reworded claims, want %d", total, want)
	}
}

// TestBulkLoadRefusesAndKeepsLive: a bad input fails whole, with a message
// naming the file, the line and the field, and leaves the live generation
// as it was with nothing left behind.
func TestBulkLoadRefusesAndKeepsLive(t *testing.T) {
	base := genDataset(t, 500, 1)
	opt := diskOptions(t)
	bulkLoad(t, opt, base)
	before := dump(t, opt)
	outlet := base.Outlets[0].ID
	cases := []struct {
		name string
		ds   *graph.Dataset
		want string
	}{
		{"unknown reference", &graph.Dataset{Reports: []*graph.Report{
			{ID: "report:ok", Outlet: outlet, Status: graph.StatusPublished},
			{ID: "report:bad", Outlet: outlet, Status: graph.StatusPublished, Cites: []string{"report:nowhere"}},
		}}, `test.ndjson:3: cites[0]: unknown report "report:nowhere"`},
		{"unknown outlet", &graph.Dataset{Reports: []*graph.Report{
			{ID: "report:lost", Outlet: "outlet:nowhere", Status: graph.StatusPublished},
		}}, `test.ndjson:2: outlet: unknown outlet "outlet:nowhere"`},
		{"unknown source", &graph.Dataset{Claims: []*graph.Claim{{ID: "claim:x", Text: "x",
			Appearances: []graph.Appearance{{Report: base.Reports[0].ID, Mode: graph.ModeParaphrase,
				Attributions: []graph.Attribution{{Source: "official:ghost", Mode: graph.ModeParaphrase}}}}}}},
			`test.ndjson:2: appearances[0].attributedTo[0].source: unknown official "official:ghost"`},
		{"ID given twice", &graph.Dataset{Outlets: []*graph.Outlet{
			{ID: "outlet:twice", Name: "a"}, {ID: "outlet:other", Name: "b"}, {ID: "outlet:twice", Name: "c"},
		}}, `test.ndjson:4: id: "outlet:twice" is given twice (first at line 2)`},
		{"invalid node", &graph.Dataset{Outlets: []*graph.Outlet{{ID: "outlet:noname"}}},
			`test.ndjson:2: name: is required`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.BulkLoad(context.Background(), opt, datasetSource(c.ds), store.BulkOptions{Name: "test.ndjson"})
			if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want EINVALID containing %q", err, c.want)
			}
			sameKVs(t, dump(t, opt), before)
			onlyLive(t, opt.Dir)
		})
	}
	t.Run("JSON document places", func(t *testing.T) {
		// A JSON document's records come with minus their position in
		// their section; errors name them by JSON path.
		docSource := func(nodes ...any) store.RecordStream {
			return func(emit func(int, any) error) error {
				pos := map[graph.Kind]int{}
				for _, n := range nodes {
					k := graph.KindOf(reflect.ValueOf(n).Elem().FieldByName("ID").String())
					pos[k]++
					if err := emit(-pos[k], n); err != nil {
						return err
					}
				}
				return nil
			}
		}
		for _, c := range []struct {
			src  store.RecordStream
			want string
		}{
			{docSource(&graph.Outlet{ID: "outlet:twice", Name: "a"}, &graph.Outlet{ID: "outlet:other", Name: "b"}, &graph.Outlet{ID: "outlet:twice", Name: "c"}),
				`test.json: outlets[2].id: "outlet:twice" is given twice (first at outlets[0])`},
			{docSource(&graph.Outlet{ID: "outlet:o", Name: "o"}, &graph.Report{ID: "report:a", Outlet: outlet, Status: graph.StatusPublished},
				&graph.Report{ID: "report:b", Outlet: "outlet:o", Status: graph.StatusPublished, Cites: []string{"report:z", "report:a", "report:nowhere"}}),
				`test.json: reports[1].cites[2]: unknown report "report:nowhere"`},
		} {
			_, err := store.BulkLoad(context.Background(), opt, c.src, store.BulkOptions{Name: "test.json"})
			if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want EINVALID containing %q", err, c.want)
			}
			sameKVs(t, dump(t, opt), before)
		}
	})
	t.Run("source fails midway", func(t *testing.T) {
		stop := errors.New("disk on fire")
		n := 0
		src := func(emit func(int, any) error) error {
			return datasetSource(genDataset(t, 500, 2))(func(line int, node any) error {
				if n++; n == 100 {
					return stop
				}
				return emit(line, node)
			})
		}
		if _, err := store.BulkLoad(context.Background(), opt, src, store.BulkOptions{}); !errors.Is(err, stop) {
			t.Fatalf("err = %v, want the source's", err)
		}
		sameKVs(t, dump(t, opt), before)
		onlyLive(t, opt.Dir)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		src := func(emit func(int, any) error) error {
			cancel()
			return datasetSource(base)(emit)
		}
		if _, err := store.BulkLoad(ctx, opt, src, store.BulkOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		sameKVs(t, dump(t, opt), before)
	})
}

// onlyLive fails unless dir holds only the lock, CURRENT and the
// generation CURRENT names.
func onlyLive(tb testing.TB, dir string) {
	tb.Helper()
	cur, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "CURRENT", "hearsay.lock", strings.TrimSpace(string(cur)):
		default:
			tb.Errorf("%s holds %s besides the live generation %s", dir, e.Name(), strings.TrimSpace(string(cur)))
		}
	}
}

// TestLayout: a crash's leftovers are removed on open, a second writer is
// refused while the first holds the directory, and a directory in the old
// flat layout is refused with what to do.
func TestLayout(t *testing.T) {
	opt := diskOptions(t)
	bulkLoad(t, opt, genDataset(t, 200, 1))
	before := dump(t, opt)
	for _, junk := range []string{"g000007", "g000007.sort", "g000001"} {
		if err := os.MkdirAll(filepath.Join(opt.Dir, junk), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(opt.Dir, junk, "junk"), []byte("half a load"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	onlyLive(t, opt.Dir)
	if _, err := store.Open(opt); graph.ErrorCode(err) != graph.ECONFLICT || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second open: %v, want ECONFLICT in use", err)
	}
	if _, err := store.BulkLoad(context.Background(), opt, datasetSource(&graph.Dataset{}), store.BulkOptions{}); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("bulk load on an open database: %v, want ECONFLICT", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	sameKVs(t, dump(t, opt), before)

	flat := filepath.Join(t.TempDir(), "flat")
	if err := os.MkdirAll(flat, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(flat, "MANIFEST"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(store.DefaultOptions(flat)); err == nil || !strings.Contains(err.Error(), "export it") {
		t.Errorf("flat layout: %v", err)
	}
	ro := store.DefaultOptions(filepath.Join(t.TempDir(), "nothing"))
	ro.ReadOnly = true
	if _, err := store.Open(ro); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("read-only open of nothing: %v, want ENOTFOUND", err)
	}
}

// tableBytes returns the size of the table files under dir.
func tableBytes(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || filepath.Ext(path) != ".sst" {
			return err
		}
		fi, err := d.Info()
		n += fi.Size()
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestCompression checks that the default options compress the tables
// a bulk load writes, and that a database reads the same with or without
// compression, whichever wrote its tables.
func TestCompression(t *testing.T) {
	ds := genDataset(t, 20_000, 1)
	comp := store.DefaultOptions(filepath.Join(t.TempDir(), "db"))
	plain := comp
	plain.Dir = filepath.Join(t.TempDir(), "db")
	plain.Compress, plain.BlockCacheSize = false, 0
	bulkLoad(t, comp, ds)
	bulkLoad(t, plain, ds)
	// Ensure the compressed tables take well under the plain ones (0.42 of
	// them at 1M edges).
	cb, pb := tableBytes(t, comp.Dir), tableBytes(t, plain.Dir)
	if cb == 0 || pb == 0 || float64(cb) > 0.7*float64(pb) {
		t.Fatalf("tables: %d bytes compressed, %d plain; want at most 0.7 of them", cb, pb)
	}
	// Ensure each reads the same with the other's options: tables record
	// their own compression.
	want := dump(t, plain)
	for _, opt := range []store.Options{comp, plain} {
		other := opt
		other.Compress, other.BlockCacheSize = !opt.Compress, 0
		if other.Compress {
			other.BlockCacheSize = 8 << 20
		}
		if got := dump(t, other); !reflect.DeepEqual(got, want) {
			t.Fatalf("the database at %s read with Compress %v differs from the plain one", opt.Dir, other.Compress)
		}
	}
	if got := dump(t, comp); !reflect.DeepEqual(got, want) {
		t.Fatal("the compressed database differs from the plain one")
	}
}
