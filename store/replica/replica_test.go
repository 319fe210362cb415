package replica_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/replica"
)

// runNATS starts one NATS server with JetStream in process.
func runNATS(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func options(url string) replica.Options {
	// One NATS server: one copy; small messages, so that imports are
	// chunked.
	return replica.Options{URLs: []string{url}, Stream: "TEST", Node: "t", Replicas: 1, MaxMessage: 4 << 10,
		WriteWait: 10 * time.Second}
}

func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	opt := store.DefaultOptions(dir)
	opt.MemTableSize, opt.SyncWrites = 4<<20, false
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func openNode(t *testing.T, db *store.DB, opt replica.Options) *replica.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := replica.Open(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bigDataset is an import larger than several messages.
func bigDataset(prefix string, n int) *graph.Dataset {
	ds := &graph.Dataset{Info: graph.DatasetInfo{ID: "big"}}
	for i := range n {
		ds.Outlets = append(ds.Outlets, &graph.Outlet{ID: fmt.Sprintf("outlet:%s%04d", prefix, i), Name: fmt.Sprintf("Outlet number %d with a long name", i)})
	}
	return ds
}

func wait(t *testing.T, n *replica.Node, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.WaitApplied(ctx, seq); err != nil {
		t.Fatalf("wait for %d (at %d): %v", seq, n.Applied(), err)
	}
}

func digest(t *testing.T, db *store.DB) store.Digest {
	t.Helper()
	d, err := db.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNode_ExactlyOnce writes through a node (a chunked import among
// them, and refused writes), restarts it on its database, writes more,
// and starts a second node from empty: both hold the same keys, and the
// writer got the refusal the store gives alone.
func TestNode_ExactlyOnce(t *testing.T) {
	url := runNATS(t)
	ctx := context.Background()
	dirA := filepath.Join(t.TempDir(), "a")
	dbA := openDB(t, dirA)
	a := openNode(t, dbA, options(url))

	ctx, ws := graph.WithWriteSeq(ctx)
	res, err := a.ImportDataset(ctx, bigDataset("a", 300))
	if err != nil || res.Nodes != 300 {
		t.Fatalf("chunked import: %+v %v", res, err)
	}
	// Ensure the write noted its sequence, past its chunks.
	if ws.Seq() < 3 {
		t.Fatalf("import acknowledged at %d: not chunked", ws.Seq())
	}
	if err := a.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:x", Name: "X"}); err != nil {
		t.Fatal(err)
	}
	// Ensure a refused write returns what the store alone returns.
	err = a.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:x", Name: "X"})
	alone := dbA.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:x", Name: "X"})
	if graph.ErrorCode(err) != graph.ECONFLICT || graph.ErrorMessage(err) != graph.ErrorMessage(alone) {
		t.Fatalf("refusal: %v, alone %v", err, alone)
	}
	o, err := a.UpdateOutlet(ctx, "outlet:x", graph.OutletUpdate{Name: ptr("Y")})
	if err != nil || o.Name != "Y" {
		t.Fatalf("update: %+v %v", o, err)
	}
	if _, err := a.UpdateOutlet(ctx, "outlet:none", graph.OutletUpdate{Name: ptr("Y")}); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Fatalf("update of nothing: %v", err)
	}
	before := a.Applied()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	dbA.Close()

	// Restart: nothing is applied twice (a second apply of the import or
	// the create would be refused and change the applied counts).
	dbA = openDB(t, dirA)
	defer dbA.Close()
	a = openNode(t, dbA, options(url))
	defer a.Close()
	if got := a.Applied(); got != before {
		t.Fatalf("after restart: applied %d, was %d", got, before)
	}
	if _, err := a.ImportDataset(ctx, bigDataset("b", 200)); err != nil {
		t.Fatal(err)
	}
	st, err := dbA.Stats(ctx)
	if err != nil || st.Outlets != 501 {
		t.Fatalf("stats %+v %v", st, err)
	}

	dbB := openDB(t, filepath.Join(t.TempDir(), "b"))
	defer dbB.Close()
	b := openNode(t, dbB, options(url))
	defer b.Close()
	wait(t, b, a.Applied())
	da, db := digest(t, dbA), digest(t, dbB)
	if da != db {
		t.Fatalf("digests differ: %+v, %+v", da, db)
	}
	rep, err := dbB.Check(ctx, false)
	if err != nil || rep.Total != 0 {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
}

func ptr[T any](v T) *T { return &v }

// TestNode_CatchUpFromSnapshot drops the head of the stream (as retention
// does) after a snapshot: a node from empty is refused with
// ErrBehindStream, restores the snapshot, applies the rest of the stream,
// and agrees with the node that wrote.
func TestNode_CatchUpFromSnapshot(t *testing.T) {
	url := runNATS(t)
	ctx := context.Background()
	dbA := openDB(t, filepath.Join(t.TempDir(), "a"))
	defer dbA.Close()
	a := openNode(t, dbA, options(url))
	defer a.Close()
	for i := range 20 {
		if err := a.CreateOutlet(ctx, &graph.Outlet{ID: fmt.Sprintf("outlet:s%02d", i), Name: "S"}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := a.PublishSnapshot(ctx)
	if err != nil || snap != 20 {
		t.Fatalf("snapshot at %d: %v", snap, err)
	}
	for i := range 10 {
		if err := a.CreateOutlet(ctx, &graph.Outlet{ID: fmt.Sprintf("outlet:t%02d", i), Name: "T"}); err != nil {
			t.Fatal(err)
		}
	}
	// Retention drops everything up to the snapshot's sequence.
	js, err := jetstream.New(natsConn(t, url))
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "TEST")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSequence(snap+1)); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "c")
	dbC := openDB(t, dir)
	_, err = replica.Open(ctx, dbC, options(url))
	if !errors.Is(err, replica.ErrBehindStream) {
		t.Fatalf("open behind the stream: %v", err)
	}
	dbC.Close()
	opt := store.DefaultOptions(dir)
	opt.MemTableSize, opt.SyncWrites = 4<<20, false
	got, err := replica.RestoreSnapshot(ctx, options(url), opt)
	if err != nil || got != snap {
		t.Fatalf("restore: %d %v", got, err)
	}
	dbC = openDB(t, dir)
	defer dbC.Close()
	c := openNode(t, dbC, options(url))
	defer c.Close()
	wait(t, c, a.Applied())
	if da, dc := digest(t, dbA), digest(t, dbC); da != dc {
		t.Fatalf("digests differ: %+v, %+v", da, dc)
	}
}

func natsConn(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}
