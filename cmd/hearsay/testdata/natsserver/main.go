// Command natsserver runs one embedded NATS server with JetStream in a
// cluster, for TestCluster: the test builds it (without the race
// detector, which would slow the cluster's elections down tenfold) and
// kills it with SIGKILL. Its one argument is a JSON natsChild.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

type child struct {
	Name        string
	Port, Route int
	Routes      []int
	Dir         string
	Log         bool
}

func main() {
	var c child
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: natsserver JSON")
		os.Exit(2)
	}
	if err := json.Unmarshal([]byte(os.Args[1]), &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var routes []string
	for _, p := range c.Routes {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	s, err := server.NewServer(&server.Options{
		ServerName: c.Name, Host: "127.0.0.1", Port: c.Port,
		JetStream: true, StoreDir: c.Dir, JetStreamMaxMemory: 64 << 20, JetStreamMaxStore: 1 << 30,
		Cluster: server.ClusterOpts{Name: "hearsay-test", Host: "127.0.0.1", Port: c.Route},
		Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		NoSigs:  true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if c.Log {
		s.ConfigureLogger()
	}
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		fmt.Fprintln(os.Stderr, "nats: not ready")
		os.Exit(2)
	}
	s.WaitForShutdown()
}
