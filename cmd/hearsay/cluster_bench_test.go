package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// clusterForBench starts a three-server NATS cluster and n hearsay nodes.
func clusterForBench(b *testing.B, n int) (*natsCluster, []*hearsayNode, string, string) {
	bin := buildHearsay(b)
	work := b.TempDir()
	token := filepath.Join(work, "token")
	if err := os.WriteFile(token, []byte("bench-token\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	nc := startNATSCluster(b, 3)
	var nodes []*hearsayNode
	for i := range n {
		nd := &hearsayNode{name: fmt.Sprintf("h%d", i), db: filepath.Join(work, fmt.Sprintf("h%d", i))}
		startNode(b, bin, nc.urls(), token, nd)
		nodes = append(nodes, nd)
	}
	return nc, nodes, bin, token
}

// BenchmarkCluster_Writes measures acknowledged writes per second through
// three nodes (16 clients, createOutlet), and the replication lag: for a
// sample of writes, a read of the write on another node with
// Hearsay-Min-Seq sent at the acknowledgement, timed until it answers
// (so the lag includes one loopback HTTP round trip).
func BenchmarkCluster_Writes(b *testing.B) {
	_, nodes, _, _ := clusterForBench(b, 3)
	const tok = "bench-token"
	const clients = 16
	var next atomic.Int64
	var lagMu sync.Mutex
	var lags []time.Duration
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				n := nodes[int(i)%3]
				id := fmt.Sprintf("outlet:b%d-%d", c, i)
				status, seq, ans, err := post(n.url, tok, createOutlet, map[string]any{"id": id}, 0)
				if err != nil || status != 200 || ans["errors"] != nil {
					b.Errorf("write: %d %v %v", status, ans, err)
					return
				}
				if i%4 == 0 {
					other := nodes[(int(i)+1)%3]
					t0 := time.Now()
					status, _, ans, err := post(other.url, tok, `query($id: ID!) { outlet(id: $id) { id } }`, map[string]any{"id": id}, seq)
					d := time.Since(t0)
					if err != nil || status != 200 || ans["errors"] != nil {
						b.Errorf("read back: %d %v %v", status, ans, err)
						return
					}
					lagMu.Lock()
					lags = append(lags, d)
					lagMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "writes/s")
	if len(lags) > 0 {
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "lag-p50-µs")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "lag-p99-µs")
	}
}

// BenchmarkCluster_CatchUp1M publishes HEARSAY_BENCH_DATASET (an NDJSON
// dataset, e.g. 'hearsay gen --edges 1000000') to the cluster with
// 'hearsay load --nats' (one bulk import), then starts a node from an empty
// directory and measures how long it takes to apply the whole stream.
func BenchmarkCluster_CatchUp1M(b *testing.B) {
	file := os.Getenv("HEARSAY_BENCH_DATASET")
	if file == "" {
		b.Fatal("set HEARSAY_BENCH_DATASET to an NDJSON dataset (hearsay gen --edges 1000000 > g1m.ndjson)")
	}
	nc, _, bin, token := clusterForBench(b, 0)
	t0 := time.Now()
	out, err := exec.Command(bin, "load", "--nats", nc.urls(), "--wait", "0", file).CombinedOutput()
	if err != nil {
		b.Fatalf("load --nats: %v\n%s", err, out)
	}
	b.Logf("published in %s: %s", time.Since(t0).Round(time.Millisecond), out)
	var last uint64
	if _, err := fmt.Sscanf(string(out[bytesIndex(out, "at log sequence ")+len("at log sequence "):]), "%d", &last); err != nil {
		b.Fatalf("no sequence in %q: %v", out, err)
	}
	b.ResetTimer()
	for i := range b.N {
		nd := &hearsayNode{name: fmt.Sprintf("c%d", i), db: filepath.Join(b.TempDir(), "db")}
		start := time.Now()
		startNode(b, bin, nc.urls(), token, nd)
		for {
			status, _, _, err := post(nd.url, "bench-token", `{ outlets { totalCount } }`, nil, last)
			if err == nil && status == 200 {
				break
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "catch-up-s")
		nd.stop(syscall.SIGTERM)
		st, rep := graphState(b, nd.db)
		b.Logf("caught up to %d: %+v, %d check problems", last, st, rep.Total)
	}
}

func bytesIndex(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -len(s)
}
