package replica_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"hearsay/fixtures"
	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/replica"
)

func publishBulk(t *testing.T, p *replica.Publisher, name string, data []byte) replica.BulkOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := p.PublishBulk(ctx, name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("PublishBulk: %v", err)
	}
	defer w.Close()
	if w.Chunks < 2 {
		t.Fatalf("%d bytes published in %d chunk(s): not chunked", len(data), w.Chunks)
	}
	out, err := w.Wait(ctx)
	if err != nil {
		t.Fatalf("wait for the outcome: %v", err)
	}
	if out.Seq != w.Seq {
		t.Fatalf("outcome of %d, published at %d", out.Seq, w.Seq)
	}
	return out
}

func claims(t *testing.T, g graph.Graph) int {
	t.Helper()
	_, n, err := g.FindClaims(context.Background(), graph.ClaimFilter{Page: graph.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNode_BulkImport publishes a 50,000-edge file, more than one
// transaction holds, as a bulk import: two nodes apply it atomically (a
// reader of one sees none of it or all of it), agree on their keys, and
// hold what a local load of the file holds. A file with a dangling
// reference in its last record, a commit whose digest is not its chunks'
// and one that names a message that is not its chunk are refused alike on
// both, with nothing changed but the applied sequence.
func TestNode_BulkImport(t *testing.T) {
	url := runNATS(t)
	ctx := context.Background()
	opt := options(url)
	opt.MaxMessage = 256 << 10
	var file bytes.Buffer
	if _, err := synth.Generate(&file, synth.Options{Edges: 50_000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	ds, err := fixtures.Parse("g.ndjson", bytes.NewReader(file.Bytes()), fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Ensure the import is more than one transaction holds.
	scratch := openDB(t, filepath.Join(t.TempDir(), "scratch"))
	if _, err := scratch.ImportDataset(ctx, ds); !errors.Is(err, graph.ErrWriteTooLarge) {
		t.Fatalf("the file in one transaction: %v, want ErrWriteTooLarge", err)
	}
	scratch.Close()

	dbA, dbB := openDB(t, filepath.Join(t.TempDir(), "a")), openDB(t, filepath.Join(t.TempDir(), "b"))
	defer dbA.Close()
	defer dbB.Close()
	optB := opt
	optB.Node = "b"
	a, b := openNode(t, dbA, opt), openNode(t, dbB, optB)
	defer a.Close()
	defer b.Close()
	if err := a.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:first", Name: "First"}); err != nil {
		t.Fatal(err)
	}
	wait(t, b, a.Applied())

	// A reader of b counts claims through the import.
	var stop atomic.Bool
	var mu sync.Mutex
	counted := make(map[int]bool)
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			n := claims(t, b)
			mu.Lock()
			counted[n] = true
			mu.Unlock()
		}
	})
	p, err := replica.NewPublisher(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out := publishBulk(t, p, "g.ndjson", file.Bytes())
	if out.Code != "" || out.Nodes != len(ds.Nodes()) {
		t.Fatalf("outcome %+v, want applied with %d nodes", out, len(ds.Nodes()))
	}
	wait(t, a, out.Seq)
	wait(t, b, out.Seq)
	stop.Store(true)
	wg.Wait()
	want := len(ds.Claims)
	for n := range counted {
		if n != 0 && n != want {
			t.Errorf("a reader of b counted %d claims: neither 0 nor %d", n, want)
		}
	}
	dA, dB := digest(t, dbA), digest(t, dbB)
	if dA != dB {
		t.Fatalf("the nodes disagree after the import: %+v, %+v", dA, dB)
	}
	if dA.Applied != out.Seq || dA.Stats.Claims != int64(want) || dA.Stats.Outlets != int64(len(ds.Outlets)+1) {
		t.Fatalf("after the import: %+v", dA)
	}
	for _, db := range []*store.DB{dbA, dbB} {
		if rep, err := db.Check(ctx, false); err != nil || rep.Total != 0 {
			t.Fatalf("check: %v %+v", err, rep.Problems)
		}
	}

	// Refusals: each changes nothing on either node but the applied
	// sequence.
	refused := func(name string, seq uint64) {
		t.Helper()
		wait(t, a, seq)
		wait(t, b, seq)
		for _, db := range []*store.DB{dbA, dbB} {
			d := digest(t, db)
			if d.Applied != seq || d.Keys != dA.Keys || d.SHA256 != dA.SHA256 {
				t.Errorf("%s: after the refusal at %d: %+v, want the keys of %+v", name, seq, d, dA)
			}
		}
	}
	bad := bytes.Clone(file.Bytes())
	i := bytes.LastIndex(bad, []byte(`"report":"report:r`))
	copy(bad[i+len(`"report":"report:r`):], "zzzzzzz") // same length: a report nobody has
	out = publishBulk(t, p, "bad.ndjson", bad)
	if out.Code != graph.EINVALID || !strings.Contains(out.Error, "bad.ndjson:") || !strings.Contains(out.Error, "unknown report") {
		t.Fatalf("dangling reference: %+v", out)
	}
	refused("dangling reference", out.Seq)

	// Corrupt commits, published by hand in the documented format.
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	pub := func(kind string, data []byte) uint64 {
		t.Helper()
		m := nats.NewMsg(opt.Stream + ".cmd")
		m.Header.Set("Hearsay-Kind", kind)
		m.Data = data
		ack, err := js.PublishMsg(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return ack.Sequence
	}
	id := []byte("corruptcorrupt16")
	body := []byte(`{"kind":"dataset","format":"hearsay/v1","id":"x"}` + "\n" + `{"kind":"outlet","id":"outlet:sneaky","name":"Sneaky"}` + "\n")
	chunk := append(binary.AppendUvarint(binary.AppendUvarint(bytes.Clone(id), 0), 1), body...)
	commit := func(sum []byte, seqs ...uint64) []byte {
		c := binary.AppendUvarint(bytes.Clone(id), uint64(len(seqs)))
		c = binary.AppendUvarint(c, uint64(len(body)))
		c = append(c, sum...)
		c = binary.AppendUvarint(c, uint64(len("x.ndjson")))
		c = append(c, "x.ndjson"...)
		for _, s := range seqs {
			c = binary.AppendUvarint(c, s)
		}
		return c
	}
	good := sha256.Sum256(body)
	wrong := sha256.Sum256([]byte("something else"))
	cs := pub("chunk", chunk)
	refused("wrong digest", pub("bulk", commit(wrong[:], cs)))
	other := pub("command", []byte{1})
	refused("not its chunk", pub("bulk", commit(good[:], other)))
	// The same chunk with its right digest is applied: the refusals
	// were the corruption's.
	seq := pub("bulk", commit(good[:], cs))
	wait(t, a, seq)
	wait(t, b, seq)
	if o, err := dbA.FindOutletByID(ctx, "outlet:sneaky"); err != nil || o.Name != "Sneaky" {
		t.Fatalf("the good commit: %+v %v", o, err)
	}
	if dA, dB := digest(t, dbA), digest(t, dbB); dA != dB {
		t.Fatalf("the nodes disagree: %+v, %+v", dA, dB)
	}
}
