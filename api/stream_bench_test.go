package api_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// BenchmarkSubscribers_1K opens 1,000 subscription streams on loopback
// (graphChanged, or claimChanged on the seed's headline claim with the
// claim's text and credibility) and makes b.N writes, one at a time; each
// write's change is timed from just before the write to its arrival at
// every subscriber. It reports the delivery latency over all subscribers
// and writes (p50, p99, max), how long the writes themselves took, and
// the memory each open stream costs: the live heap and goroutine stacks
// of the whole process (server and clients, both in it) per stream, after
// the streams opened, less before. Run it with
//
//	go test ./api -run '^$' -bench 'Subscribers_1K$' -benchtime 20x
func BenchmarkSubscribers_1K(b *testing.B) {
	for _, tc := range []struct{ name, query string }{
		{"graphChanged", `subscription { graphChanged { seq kind id op } }`},
		{"claimChanged", `subscription { claimChanged(id: "` + headline + `") { seq op claim { text credibility { grade } } } }`},
	} {
		b.Run(tc.name, func(b *testing.B) { benchSubscribers(b, 1000, tc.query) })
	}
}

func benchSubscribers(b *testing.B, n int, query string) {
	db, err := store.Open(store.SmallOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := fixtures.LoadSeed(ctx, db); err != nil {
		b.Fatal(err)
	}
	srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop(), MaxSubscribers: n, Heartbeat: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	before := liveBytes()
	type arrival struct {
		seq uint64
		at  time.Time
	}
	arrivals := make(chan arrival, n*64)
	var wg sync.WaitGroup
	conns := make([]net.Conn, n)
	body := fmt.Sprintf(`{"query":%q}`, query)
	for i := range conns {
		c, err := net.Dial("tcp", hs.Listener.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
		fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := bufio.NewReaderSize(c, 1024)
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				if id, ok := strings.CutPrefix(string(line), "id: "); ok {
					seq, _ := strconv.ParseUint(strings.TrimSpace(id), 10, 64)
					arrivals <- arrival{seq, time.Now()}
				}
			}
		}()
	}
	for deadline := time.Now().Add(time.Minute); srv.Subscribers() != n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d subscribers connected", srv.Subscribers(), n)
		}
	}
	perStream := float64(liveBytes()-before) / float64(n)

	var lat, writes []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		c, err := db.AddReview(ctx, headline, graph.Review{Verdict: graph.VerdictUnproven, ReviewedBy: "bench " + strconv.Itoa(i)})
		if err != nil || c == nil {
			b.Fatal(err)
		}
		writes = append(writes, time.Since(start))
		seq := db.ChangesAfter(0, 0).Head
		for got := 0; got < n; {
			select {
			case a := <-arrivals:
				if a.seq == seq {
					lat = append(lat, a.at.Sub(start))
					got++
				}
			case <-time.After(30 * time.Second):
				b.Fatalf("write %d reached %d of %d subscribers in 30 s", i, got, n)
			}
		}
	}
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	slices.Sort(lat)
	slices.Sort(writes)
	q := func(d []time.Duration, p float64) float64 {
		return float64(d[min(len(d)-1, int(float64(len(d))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(q(lat, 0.50), "p50-ms")
	b.ReportMetric(q(lat, 0.99), "p99-ms")
	b.ReportMetric(q(lat, 1), "max-ms")
	b.ReportMetric(q(writes, 0.99), "write-p99-ms")
	b.ReportMetric(perStream/1024, "KiB/stream")
}

// liveBytes is the process's live heap and goroutine stacks, after a GC.
func liveBytes() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}
