package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"hearsay/graph"
	"hearsay/store"
)

// natsChild is what a NATS server of the cluster test is told, as JSON
// (testdata/natsserver, a child process, so that one can be killed with
// SIGKILL).
type natsChild struct {
	Name        string
	Port, Route int
	Routes      []int
	Dir         string
	Log         bool // NATS's own log on stderr (HEARSAY_TEST_NATS_LOG=1)
}

var builtNATS struct {
	once sync.Once
	bin  string
	err  error
	out  []byte
}

// buildNATSServer builds testdata/natsserver once per test binary, beside
// the hearsay binary, without the race detector: under it the NATS
// servers' elections slow down tenfold.
func buildNATSServer(tb testing.TB) string {
	tb.Helper()
	buildHearsay(tb) // makes built.dir
	builtNATS.once.Do(func() {
		builtNATS.bin = filepath.Join(built.dir, "natsserver")
		builtNATS.out, builtNATS.err = exec.Command("go", "build", "-o", builtNATS.bin, "./testdata/natsserver").CombinedOutput()
	})
	if builtNATS.err != nil {
		tb.Fatalf("build the NATS server: %v\n%s", builtNATS.err, builtNATS.out)
	}
	return builtNATS.bin
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type natsCluster struct {
	t     testing.TB
	bin   string
	conf  []natsChild
	procs []*exec.Cmd
}

func startNATSCluster(t testing.TB, n int) *natsCluster {
	c := &natsCluster{t: t, bin: buildNATSServer(t), procs: make([]*exec.Cmd, n)}
	for i := range n {
		c.conf = append(c.conf, natsChild{Name: fmt.Sprintf("n%d", i), Port: freePort(t), Route: freePort(t),
			Dir: filepath.Join(t.TempDir(), "js"), Log: os.Getenv("HEARSAY_TEST_NATS_LOG") != ""})
	}
	for i := range c.conf {
		for j := range c.conf {
			if j != i {
				c.conf[i].Routes = append(c.conf[i].Routes, c.conf[j].Route)
			}
		}
	}
	for i := range n {
		c.start(i)
	}
	t.Cleanup(func() {
		for i := range c.procs {
			c.kill(i)
		}
	})
	return c
}

func (c *natsCluster) start(i int) {
	c.t.Helper()
	b, _ := json.Marshal(c.conf[i])
	cmd := exec.Command(c.bin, string(b))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.procs[i] = cmd
	for range 300 {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.conf[i].Port)); err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("NATS server %d never listened", i)
}

func (c *natsCluster) kill(i int) {
	if p := c.procs[i]; p != nil {
		_ = p.Process.Signal(syscall.SIGKILL)
		_ = p.Wait()
		c.procs[i] = nil
	}
}

func (c *natsCluster) urls() string {
	var u []string
	for _, cf := range c.conf {
		u = append(u, fmt.Sprintf("nats://127.0.0.1:%d", cf.Port))
	}
	return strings.Join(u, ",")
}

// hearsayNode is one 'hearsay serve --nats' child process.
type hearsayNode struct {
	name, db string
	cmd      *exec.Cmd
	mu       sync.Mutex // guards url, which a restart changes under the writers
	url      string
}

func (n *hearsayNode) URL() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.url
}

func startNode(t testing.TB, bin, nats, token string, n *hearsayNode, flags ...string) {
	t.Helper()
	args := append([]string{"serve", "--db", n.db, "--addr", "127.0.0.1:0", "--log-format", "json",
		"--write-token-file", token, "--nats", nats, "--node", n.name}, flags...)
	cmd := exec.Command(bin, append(args, "--log-level", "warn")...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = nil
	// serverURL reads the info line "serving": keep that level.
	cmd.Args[len(cmd.Args)-1] = "info"
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.cmd = cmd
	url := serverURL(t, io.TeeReader(stderr, &prefixWriter{name: n.name}))
	n.mu.Lock()
	n.url = url
	n.mu.Unlock()
	t.Cleanup(func() { n.stop(syscall.SIGKILL) })
}

func (n *hearsayNode) stop(sig syscall.Signal) {
	if n.cmd != nil {
		_ = n.cmd.Process.Signal(sig)
		_ = n.cmd.Wait()
		n.cmd = nil
	}
}

// post sends one GraphQL request, with Hearsay-Min-Seq if minSeq > 0, and
// returns the status, the Hearsay-Seq header and the decoded answer.
func post(url, token, query string, vars map[string]any, minSeq uint64) (int, uint64, map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if minSeq > 0 {
		req.Header.Set("Hearsay-Min-Seq", strconv.FormatUint(minSeq, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	var ans map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return resp.StatusCode, 0, nil, err
	}
	seq, _ := strconv.ParseUint(resp.Header.Get("Hearsay-Seq"), 10, 64)
	return resp.StatusCode, seq, ans, nil
}

const createOutlet = `mutation($id: ID!) { createOutlet(input: {id: $id, name: "replicated"}) { id } }`

// TestCluster runs three hearsay nodes on a three-server NATS JetStream
// cluster, all child processes on loopback. It writes through every node
// and reads back from every node (waiting with Hearsay-Min-Seq); writes
// while one hearsay node and one NATS server are killed with SIGKILL; and
// then checks that every acknowledged write is on every node, that each
// checks clean, that their key digests agree, and that a node started
// from an empty directory catches up from the stream to the same digest.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS cluster and three servers")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	token := filepath.Join(work, "token")
	if err := os.WriteFile(token, []byte("cluster-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const tok = "cluster-token"
	nc := startNATSCluster(t, 3)
	snapshots := []string{"--snapshot-every", "1s"}
	nodes := make([]*hearsayNode, 3)
	for i := range nodes {
		nodes[i] = &hearsayNode{name: fmt.Sprintf("h%d", i), db: filepath.Join(work, fmt.Sprintf("h%d", i))}
		startNode(t, bin, nc.urls(), token, nodes[i], snapshots...)
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	var maxSeq uint64
	var lastErr string // the last write refused, for a failure's message
	ack := func(id string, seq uint64) {
		mu.Lock()
		acked[id] = true
		maxSeq = max(maxSeq, seq)
		mu.Unlock()
	}

	// Ensure a write through each node is acknowledged with its sequence
	// and read back from every node once it has applied that far.
	for i, n := range nodes {
		id := fmt.Sprintf("outlet:first-%d", i)
		status, seq, ans, err := post(n.url, tok, createOutlet, map[string]any{"id": id}, 0)
		if err != nil || status != 200 || ans["errors"] != nil || seq == 0 {
			t.Fatalf("write through %s: %d %v %v seq %d", n.name, status, ans, err, seq)
		}
		ext, _ := ans["extensions"].(map[string]any)
		if h, _ := ext["hearsay"].(map[string]any); h == nil || h["seq"] != float64(seq) {
			t.Fatalf("write through %s: extensions %v, header seq %d", n.name, ans["extensions"], seq)
		}
		ack(id, seq)
		for _, r := range nodes {
			status, _, ans, err := post(r.url, tok, `query($id: ID!) { outlet(id: $id) { id name } }`, map[string]any{"id": id}, seq)
			data, _ := ans["data"].(map[string]any)
			if err != nil || status != 200 || data["outlet"] == nil {
				t.Fatalf("read %s from %s at %d: %d %v %v", id, r.name, seq, status, ans, err)
			}
		}
	}
	// Ensure a write the graph refuses is refused with the error the node
	// gives alone (CONFLICT), and takes a place in the log like any other.
	status, _, ans, err := post(nodes[1].url, tok, createOutlet, map[string]any{"id": "outlet:first-0"}, 0)
	if err != nil || status != 200 || !strings.Contains(fmt.Sprint(ans["errors"]), "CONFLICT") {
		t.Fatalf("duplicate create: %d %v %v", status, ans, err)
	}
	// Ensure a node far behind a Hearsay-Min-Seq says so.
	status, _, ans, _ = post(nodes[2].url, tok, `{ outlets { totalCount } }`, nil, 1<<40)
	if status != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(ans["errors"]), "NOT_CAUGHT_UP") {
		t.Fatalf("unreachable Hearsay-Min-Seq: %d %v", status, ans)
	}

	// Writes through all three nodes, while hearsay node 2 and NATS
	// server 2 are killed.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				n := nodes[(w+i)%3]
				url := n.URL()
				id := fmt.Sprintf("outlet:w%d-%d", w, i)
				status, seq, ans, err := post(url, tok, createOutlet, map[string]any{"id": id}, 0)
				if err == nil && status == 200 && ans["errors"] == nil && seq > 0 {
					ack(id, seq)
				} else {
					mu.Lock()
					lastErr = fmt.Sprintf("%s: %d %v %v", n.name, status, ans["errors"], err)
					mu.Unlock()
				}
			}
		}()
	}
	waitAcked := func(n int) {
		t.Helper()
		// A liveness bound, not a measurement: writes must go on while
		// one node and one NATS server are down.
		for range 6000 {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		t.Fatalf("writes stopped being acknowledged at %d (waiting for %d); the last refused: %s", len(acked), n, lastErr)
	}
	waitAcked(60)
	nodes[2].stop(syscall.SIGKILL)
	waitAcked(120)
	nc.kill(2)
	waitAcked(200)
	nc.start(2)
	startNode(t, bin, nc.urls(), token, nodes[2], snapshots...)
	waitAcked(260)
	close(stop)
	wg.Wait()
	t.Logf("%d writes acknowledged, up to log sequence %d", len(acked), maxSeq)

	// Ensure every node catches up, then stop them all.
	caughtUp := func(n *hearsayNode) {
		t.Helper()
		for range 120 {
			status, _, _, err := post(n.url, tok, `{ outlets { totalCount } }`, nil, maxSeq)
			if err == nil && status == 200 {
				return
			}
		}
		t.Fatalf("%s never applied the log up to %d", n.name, maxSeq)
	}
	for _, n := range nodes {
		caughtUp(n)
	}
	// A file of more than a thousand nodes, more than one transaction
	// holds, loaded through the cluster as one bulk import: the loader
	// waits for a node to report it applied, every node applies it (the
	// digests compared below), and so does the node from empty.
	big := filepath.Join(work, "big.ndjson")
	mustRun(t, "gen", "--edges", "20000", "--seed", "3", "--out", big)
	loaded := mustRun(t, "load", "--nats", nc.urls(), big)
	at := strings.Index(loaded, "applied at log sequence ")
	if at < 0 {
		t.Fatalf("load --nats printed %q", loaded)
	}
	if _, err := fmt.Sscanf(loaded[at+len("applied at log sequence "):], "%d", &maxSeq); err != nil {
		t.Fatalf("load --nats printed %q: %v", loaded, err)
	}
	for _, n := range nodes {
		caughtUp(n)
	}
	// A node from an empty directory catches up from the stream.
	fresh := &hearsayNode{name: "h3", db: filepath.Join(work, "h3")}
	startNode(t, bin, nc.urls(), token, fresh, snapshots...)
	caughtUp(fresh)
	nodes = append(nodes, fresh)

	// Retention drops the whole stream (a purge, as a retention limit
	// would): a node from empty can no longer replay it, restores the
	// newest snapshot the nodes publish (--snapshot-every), and applies
	// what follows it.
	js, err := jetstream.New(natsConnect(t, nc.urls()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		if obs, err := js.ObjectStore(ctx, "HEARSAY_SNAPSHOTS"); err == nil && snapshotAt(ctx, obs) >= maxSeq {
			break
		}
		if i == 3000 {
			t.Fatalf("no snapshot reached %d", maxSeq)
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, err := js.Stream(ctx, "HEARSAY")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSequence(maxSeq+1)); err != nil {
		t.Fatal(err)
	}
	status, seq, ans, err := post(nodes[0].url, tok, createOutlet, map[string]any{"id": "outlet:after-purge"}, 0)
	if err != nil || status != 200 || ans["errors"] != nil {
		t.Fatalf("write after the purge: %d %v %v", status, ans, err)
	}
	ack("outlet:after-purge", seq)
	restored := &hearsayNode{name: "h4", db: filepath.Join(work, "h4")}
	startNode(t, bin, nc.urls(), token, restored, snapshots...)
	for _, n := range append(nodes, restored) {
		caughtUp(n)
	}
	nodes = append(nodes, restored)
	// Ensure the running nodes, with no writes coming, say they agree.
	var urls []string
	for _, n := range nodes {
		urls = append(urls, n.url)
	}
	if out := mustRun(t, "replica", "status", "--server", strings.Join(urls, ","), "--write-token-file", token); !strings.Contains(out, "agree: 5 nodes") {
		t.Errorf("replica status of the running nodes: %s", out)
	}

	// Quorum lost: two of the three NATS servers down. A write is
	// refused STORAGE_UNAVAILABLE (it may or may not be in the log, so
	// nothing is asserted of it later), reads go on, and writes resume
	// once a second server is back.
	nc.kill(1)
	nc.kill(2)
	status, _, ans, err = post(nodes[0].URL(), tok, createOutlet, map[string]any{"id": "outlet:no-quorum"}, 0)
	if err != nil || status != 200 || !strings.Contains(fmt.Sprint(ans["errors"]), "STORAGE_UNAVAILABLE") {
		t.Fatalf("a write without a quorum: %d %v %v", status, ans, err)
	}
	status, _, ans, err = post(nodes[1].URL(), tok, `{ outlets { totalCount } }`, nil, 0)
	if err != nil || status != 200 || ans["errors"] != nil {
		t.Fatalf("a read without a quorum: %d %v %v", status, ans, err)
	}
	nc.start(1)
	for i := 0; ; i++ {
		id := fmt.Sprintf("outlet:quorum-back-%d", i) // a refused attempt may still be in the log
		status, seq, ans, err := post(nodes[0].URL(), tok, createOutlet, map[string]any{"id": id}, 0)
		if err == nil && status == 200 && ans["errors"] == nil {
			ack(id, seq)
			break
		}
		if i == 300 { // a liveness bound
			t.Fatalf("writes did not resume with the quorum back: %d %v %v", status, ans, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	nc.start(2)
	for _, n := range nodes {
		caughtUp(n)
	}
	for _, n := range nodes {
		n.stop(syscall.SIGTERM)
	}

	ids := make([]string, 0, len(acked))
	for id := range acked {
		ids = append(ids, id)
	}
	var digests []store.Digest
	for _, n := range nodes {
		mustRun(t, "check", "--db", n.db) // exits 1 on any problem
		st, rep := graphState(t, n.db)
		if rep.Total != 0 {
			t.Errorf("%s: check: %d problems: %v", n.name, rep.Total, rep.Problems)
		}
		db, err := store.Open(func() store.Options { o := store.DefaultOptions(n.db); o.ReadOnly = true; return o }())
		if err != nil {
			t.Fatal(err)
		}
		found, err := db.Exists(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, ok := found[id]; !ok {
				t.Errorf("%s: acknowledged write %s lost", n.name, id)
			}
		}
		d, err := db.Digest(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		// 'hearsay replica status' prints the same digest.
		out := mustRun(t, "replica", "status", "--db", n.db)
		var printed graph.ReplicaStatus
		if err := json.Unmarshal([]byte(out), &printed); err != nil || printed.SHA256 != d.SHA256 || printed.Applied != d.Applied || printed.Keys != d.Keys {
			t.Errorf("%s: replica status printed %q, the digest is %+v", n.name, out, d)
		}
		if d.Applied < maxSeq {
			t.Errorf("%s: applied %d, below the last acknowledged %d", n.name, d.Applied, maxSeq)
		}
		t.Logf("%s: %d outlets, applied %d, %d keys, sha256 %s", n.name, st.Outlets, d.Applied, d.Keys, d.SHA256[:16])
		digests = append(digests, d)
	}
	for i, d := range digests[1:] {
		if d.SHA256 != digests[0].SHA256 || d.Keys != digests[0].Keys || d.Applied != digests[0].Applied {
			t.Errorf("%s disagrees with %s: %+v vs %+v", nodes[i+1].name, nodes[0].name, d, digests[0])
		}
	}
}

// prefixWriter shows a node's log lines until it serves, for a failure.
type prefixWriter struct{ name string }

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if !bytes.Contains(l, []byte(`"serving"`)) && !bytes.Contains(l, []byte(`"request"`)) {
			fmt.Fprintf(os.Stderr, "%s: %s\n", p.name, l)
		}
	}
	return len(b), nil
}

func natsConnect(t *testing.T, urls string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(urls)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// snapshotAt returns the highest log position a published snapshot holds.
func snapshotAt(ctx context.Context, obs jetstream.ObjectStore) uint64 {
	list, err := obs.List(ctx)
	if err != nil {
		return 0
	}
	var best uint64
	for _, o := range list {
		if v, err := strconv.ParseUint(o.Metadata["applied"], 10, 64); err == nil {
			best = max(best, v)
		}
	}
	return best
}
