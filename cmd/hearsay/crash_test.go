package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"hearsay/fixtures/synth"
	"hearsay/graph"
	"hearsay/store"
)

// graphState is what a database holds, for all-or-nothing comparisons.
func graphState(t testing.TB, dir string) (graph.Stats, store.CheckReport) {
	t.Helper()
	opt := store.DefaultOptions(dir)
	opt.ReadOnly = true
	db, err := store.Open(opt)
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.Check(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return st, rep
}

// seededDB returns a new database directory holding the seed.
func seededDB(t *testing.T) string {
	db := filepath.Join(t.TempDir(), "db")
	mustRun(t, "load", "--db", db, seedFile)
	return db
}

// killRuns runs command on a new database holding the seed kills times, SIGKILLs each run
// at a random moment within 1.25 × took (how long a whole run takes), and
// requires every killed database to open, check clean and hold before or
// after (the whole work); the last one is then run to its end and must
// hold after. It returns how many kills left none of the work and all.
func killRuns(t *testing.T, rng *rand.Rand, kills int, took time.Duration, before, after graph.Stats,
	command func(db string) *exec.Cmd) map[string]int {
	t.Helper()
	outcomes := map[string]int{}
	for i := range kills {
		db := seededDB(t)
		cmd := command(db)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Int64N(int64(took + took/4)))
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		st, rep := graphState(t, db)
		if rep.Total != 0 {
			t.Fatalf("kill %d after %s: %d problems: %v", i, delay, rep.Total, rep.Problems)
		}
		switch st {
		case before:
			outcomes["none"]++
		case after:
			outcomes["all"]++
		default:
			t.Fatalf("kill %d after %s: the database holds %+v, neither what it held %+v nor all %+v", i, delay, st, before, after)
		}
		// The database takes the work after the crash.
		if i == kills-1 {
			if out, err := command(db).CombinedOutput(); err != nil {
				t.Fatalf("%s after a kill: %v\n%s", cmd.Args[1], err, out)
			}
			if st, rep := graphState(t, db); st != after || rep.Total != 0 {
				t.Fatalf("%s after a kill: %+v, %d problems", cmd.Args[1], st, rep.Total)
			}
		}
	}
	return outcomes
}

// TestKill9_Load kills 'hearsay load' with SIGKILL at random moments (see
// testSeed to replay them), over
// and over, for each way a file is loaded (a bulk NDJSON file, a bulk JSON
// document, a file small enough for one transaction), on a database that
// already holds the seed. After every kill the database opens, checks
// clean, and holds either the seed alone or the seed and the whole file.
func TestKill9_Load(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	var big bytes.Buffer
	if _, err := synth.Generate(&big, synth.Options{Edges: 25_000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	// The same dataset as one JSON document: hearsay's own export.
	bigPath, docPath := filepath.Join(work, "big.ndjson"), filepath.Join(work, "big.json")
	if err := os.WriteFile(bigPath, big.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "export")
	mustRun(t, "load", "--db", tmp, bigPath)
	mustRun(t, "export", "--db", tmp, docPath)
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var small bytes.Buffer
	if _, err := synth.Generate(&small, synth.Options{Edges: 3_000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name, method string
		data         []byte
	}{
		{"big.ndjson", "bulk", big.Bytes()},
		{"big.json", "bulk", doc},
		{"small.ndjson", "txn", small.Bytes()},
	}
	rng := rand.New(rand.NewPCG(testSeed(t), 9))
	const kills = 5
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(work, f.name)
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			// One load to the end: how long it takes and what it leaves.
			db := seededDB(t)
			before, _ := graphState(t, db)
			start := time.Now()
			if out, err := exec.Command(bin, "load", "--method", f.method, "--db", db, path).CombinedOutput(); err != nil {
				t.Fatalf("full load: %v\n%s", err, out)
			}
			took := time.Since(start)
			after, rep := graphState(t, db)
			if rep.Total != 0 || after == before {
				t.Fatalf("full load: %d problems, stats %+v", rep.Total, after)
			}
			outcomes := killRuns(t, rng, kills, took, before, after, func(db string) *exec.Cmd {
				return exec.Command(bin, "load", "--method", f.method, "--db", db, path)
			})
			t.Logf("%s: full load %s; %d kills: %v", f.name, took.Round(time.Millisecond), kills, outcomes)
		})
	}
}

// TestKill9_RestoreReplace SIGKILLs 'hearsay restore --replace' at random
// moments while it replaces a database holding the seed with a backup of
// another (the seed and 25,000 generated edges): after every kill the
// database opens, checks clean and holds the seed alone or the whole
// backup, and a restore run again to its end gives the backup's graph.
func TestKill9_RestoreReplace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	src, gen, backup := filepath.Join(work, "src"), filepath.Join(work, "gen.ndjson"), filepath.Join(work, "src.backup")
	mustRun(t, "gen", "--edges", "25000", "--seed", "11", "--out", gen)
	mustRun(t, "load", "--db", src, seedFile)
	mustRun(t, "load", "--db", src, gen)
	mustRun(t, "backup", "--db", src, backup)
	want, _ := graphState(t, src)
	db := seededDB(t)
	before, _ := graphState(t, db)
	start := time.Now()
	if out, err := exec.Command(bin, "restore", "--replace", "--db", db, backup).CombinedOutput(); err != nil {
		t.Fatalf("full restore: %v\n%s", err, out)
	}
	took := time.Since(start)
	if st, rep := graphState(t, db); st != want || rep.Total != 0 {
		t.Fatalf("full restore: %+v (want %+v), %d problems", st, want, rep.Total)
	}
	rng := rand.New(rand.NewPCG(testSeed(t), 13))
	outcomes := killRuns(t, rng, 6, took, before, want, func(db string) *exec.Cmd {
		return exec.Command(bin, "restore", "--replace", "--db", db, backup)
	})
	t.Logf("full restore %s; 6 kills: %v", took.Round(time.Millisecond), outcomes)
}

// TestKill9_ServerUnderWrites SIGKILLs a real server while clients write
// through it: creates, updates and importDataset, several at once. After
// each kill, every write the server acknowledged is in the database, which
// opens and checks clean; the server starts again on it.
func TestKill9_ServerUnderWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	db := filepath.Join(work, "db")
	tokenFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte("kill-test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(testSeed(t), 5))
	acked := map[string]bool{}
	for round := range 3 {
		cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-format", "json", "--write-token-file", tokenFile)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		url := serverURL(t, stderr)
		var mu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("outlet:r%d-w%d-%d", round, w, i)
					var q string
					var vars map[string]any
					if i%5 == 4 {
						ds := fmt.Sprintf(`{"format": "hearsay/v1", "outlets": [{"id": %q, "name": "imported"}]}`, id)
						q, vars = `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ds}
					} else {
						q, vars = `mutation($id: ID!) { createOutlet(input: {id: $id, name: "written"}) { id } }`, map[string]any{"id": id}
					}
					if postOK(url, "kill-test-token", q, vars) {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		close(stop)
		wg.Wait()

		st, rep := graphState(t, db)
		if rep.Total != 0 {
			t.Fatalf("round %d: %d problems after the kill: %v", round, rep.Total, rep.Problems)
		}
		d, err := store.Open(func() store.Options { o := store.DefaultOptions(db); o.ReadOnly = true; return o }())
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 0, len(acked))
		for id := range acked {
			ids = append(ids, id)
		}
		found, err := d.Exists(context.Background(), ids)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, ok := found[id]; !ok {
				t.Errorf("round %d: acknowledged write %s lost", round, id)
			}
		}
		t.Logf("round %d: %d writes acknowledged so far, all present; %d outlets stored", round, len(acked), st.Outlets)
	}
}

// serverURL reads the server's log until it says where it listens.
func serverURL(t testing.TB, stderr io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var line struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "serving" {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return "http://" + line.Addr
		}
	}
	t.Fatal("the server never said where it listens")
	return ""
}

// postOK sends one GraphQL request and reports whether it was answered 200
// without errors.
func postOK(url, token, query string, vars map[string]any) bool {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return false
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var ans struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&ans) != nil {
		return false
	}
	return len(ans.Errors) == 0
}

// TestKill9_BulkImport SIGKILLs a replicated node at random moments while
// it applies a bulk import (a 25,000-edge file published with 'hearsay
// load --nats' to a one-server NATS in process): after every kill its
// database opens, checks clean and holds none of the file or all of it;
// restarted, the node applies it, once. Then 'load --nats' of a file with a
// dangling reference fails with the node's refusal, one cut in half fails
// before publishing, and neither changes the node.
func TestKill9_BulkImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	bin := buildHearsay(t)
	work := t.TempDir()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: filepath.Join(work, "nats"), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(ns.Shutdown)
	url := ns.ClientURL()
	token := filepath.Join(work, "token")
	if err := os.WriteFile(token, []byte("kill-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(work, "big.ndjson")
	mustRun(t, "gen", "--edges", "25000", "--seed", "5", "--out", file)
	out := mustRun(t, "load", "--nats", url, "--replicas", "1", "--wait", "0", file)
	var seq uint64
	if at := strings.Index(out, "at log sequence "); at < 0 {
		t.Fatalf("load printed %q", out)
	} else if _, err := fmt.Sscanf(out[at+len("at log sequence "):], "%d", &seq); err != nil {
		t.Fatal(err)
	}
	applied := func(n *hearsayNode) {
		t.Helper()
		for range 600 {
			status, _, _, err := post(n.URL(), "kill-token", `{ outlets { totalCount } }`, nil, seq)
			if err == nil && status == 200 {
				return
			}
		}
		t.Fatalf("%s never applied %d", n.name, seq)
	}
	// One node to the end: how long it takes and what it leaves.
	n := &hearsayNode{name: "full", db: filepath.Join(work, "full")}
	start := time.Now()
	startNode(t, bin, url, token, n, "--replicas", "1")
	applied(n)
	took := time.Since(start)
	n.stop(syscall.SIGTERM)
	all, rep := graphState(t, n.db)
	if rep.Total != 0 || all.Edges < 20_000 {
		t.Fatalf("full apply: %d problems, %+v", rep.Total, all)
	}
	rng := rand.New(rand.NewPCG(testSeed(t), 11))
	outcomes := map[string]int{}
	const kills = 6
	for i := range kills {
		n := &hearsayNode{name: fmt.Sprintf("k%d", i), db: filepath.Join(work, fmt.Sprintf("k%d", i))}
		startNode(t, bin, url, token, n, "--replicas", "1")
		// From half the full apply's time to a quarter past its end: the
		// build, the switch and just after.
		delay := took/2 + time.Duration(rng.Int64N(int64(took*3/4)))
		time.Sleep(delay)
		n.stop(syscall.SIGKILL)
		st, rep := graphState(t, n.db)
		if rep.Total != 0 {
			t.Fatalf("kill %d after %s: %d problems: %v", i, delay, rep.Total, rep.Problems)
		}
		switch st {
		case graph.Stats{}:
			outcomes["none"]++
		case all:
			outcomes["all"]++
		default:
			t.Fatalf("kill %d after %s: the node holds %+v, neither nothing nor all %+v", i, delay, st, all)
		}
		if i == kills-1 {
			startNode(t, bin, url, token, n, "--replicas", "1")
			applied(n)
			// Ensure a file a node refuses makes 'load' fail with the
			// node's error, and one that does not parse is refused
			// before anything is published.
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			at := bytes.LastIndex(data, []byte(`"report":"report:r`)) + len(`"report":"report:r`)
			copy(data[at:], "zzzzzzz")
			bad := filepath.Join(work, "bad.ndjson")
			if err := os.WriteFile(bad, data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := hearsay(t, "load", "--nats", url, "--replicas", "1", bad)
			if code == exitOK || !strings.Contains(errOut, "refused by every node") || !strings.Contains(errOut, `unknown report "report:rzzzzzzz"`) {
				t.Fatalf("load of a dangling reference: exit %d, %s", code, errOut)
			}
			broken := filepath.Join(work, "broken.ndjson")
			if err := os.WriteFile(broken, data[:len(data)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := hearsay(t, "load", "--nats", url, "--replicas", "1", broken)
			if code == exitOK || strings.Contains(out, "published") || !strings.Contains(errOut, "broken.ndjson:") {
				t.Fatalf("load of a cut file: exit %d, %s %s", code, out, errOut)
			}
			n.stop(syscall.SIGTERM)
			if st, rep := graphState(t, n.db); st != all || rep.Total != 0 {
				t.Fatalf("restarted after a kill: %+v, %d problems", st, rep.Total)
			}
		}
	}
	t.Logf("full apply %s; kills: %v", took.Round(time.Millisecond), outcomes)
}
