package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/replica"
)

func cmdServe(e *env, args []string) (err error) {
	fs, dir, level := e.flags("serve", "")
	addr := fs.String("addr", "127.0.0.1:8080", "listen `ADDRESS` (host:port; port 0 picks a free one)")
	tokenFile := fs.String("write-token-file", "", "read the write token from `FILE` (else $HEARSAY_WRITE_TOKEN; none: writes are refused)")
	format := fs.String("log-format", "", "log format: json or console (default: console when stderr is a terminal)")
	maxBody := fs.Int64("max-body", api.DefaultMaxBodyBytes, "largest request body in `BYTES`")
	timeout := fs.Duration("timeout", api.DefaultTimeout, "time limit of one request")
	maxDepth := fs.Int("max-depth", api.DefaultMaxDepth, "deepest query nesting allowed")
	maxComplexity := fs.Int("max-complexity", api.DefaultMaxComplexity, "largest query complexity allowed")
	maxFields := fs.Int("max-fields", api.DefaultMaxFields, "largest query: its fields (fragments counted where spread), arguments, directives, variables and values")
	maxResponse := fs.Int("max-response", api.DefaultMaxResponseBytes, "largest answer in `BYTES`; a query past it is refused 400 RESPONSE_TOO_LARGE")
	maxTraceSteps := fs.Int("max-trace-steps", api.DefaultMaxTraceSteps, "traversal work of one request over all its traces (appearances visited and chain hops returned); past it 400 QUERY_TOO_COMPLEX")
	maxInFlight := fs.Int("max-inflight", api.DefaultMaxInFlight, "most GraphQL requests run at once; more are refused with 503 and Retry-After")
	var corsOrigins originList
	fs.Var(&corsOrigins, "cors-origin", "let browser pages of `ORIGIN` (https://host[:port], or *) call the API; repeat or separate with commas (default: none)")
	var lim httpLimits
	fs.DurationVar(&lim.readHeader, "read-header-timeout", api.DefaultReadHeaderTimeout, "time a client has to send a request's headers")
	fs.DurationVar(&lim.read, "read-timeout", api.DefaultReadTimeout, "time a client has to send a whole request, body included")
	fs.DurationVar(&lim.write, "write-timeout", 0, "time from the end of a request's headers to the end of its answer (default: --read-timeout + --timeout)")
	fs.DurationVar(&lim.idle, "idle-timeout", api.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	noSeed := fs.Bool("no-seed", false, "do not load the seed dataset into an empty database")
	maxSubscribers := fs.Int("max-subscribers", api.DefaultMaxSubscribers, "most subscription streams open at once; more are refused with 503 and Retry-After")
	heartbeat := fs.Duration("heartbeat", api.DefaultHeartbeat, "how often an idle subscription stream gets a comment line")
	subscriberQueue := fs.Int("subscriber-queue", api.DefaultSubscriberQueue, "events that may wait for one subscription's client; a queue full for --stream-write-timeout drops the client")
	streamWrite := fs.Duration("stream-write-timeout", api.DefaultStreamWriteTimeout, "time a subscription's client has to take one write, or its full queue to move")
	metrics := fs.Bool("metrics", true, "serve /metrics in Prometheus's text format, without a token like other reads (--metrics=false turns it off)")
	feedSize := fs.Int("feed-size", store.DefaultFeedSize, "recent changes kept for subscribers resuming with Last-Event-ID; older ones get EVENTS_MISSED")
	var rf replicaFlags
	rf.add(fs, true)
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"serve takes no arguments"}
	}
	if rf.nats == "" && (rf.snapshotEvery != 0 || rf.stream != replica.DefaultStream) {
		return usageError{"--stream and --snapshot-every need --nats"}
	}
	if rf.snapshotEvery < 0 || rf.replicas < 1 {
		return usageError{fmt.Sprintf("bad --snapshot-every %s or --replicas %d", rf.snapshotEvery, rf.replicas)}
	}
	if err := lim.check(*timeout); err != nil {
		return err
	}
	if *maxInFlight < 1 || *maxFields < 1 {
		return usageError{fmt.Sprintf("bad --max-inflight %d or --max-fields %d (want at least 1)", *maxInFlight, *maxFields)}
	}
	if *maxSubscribers < 1 || *subscriberQueue < 1 || *feedSize < 1 || *heartbeat <= 0 || *streamWrite <= 0 {
		return usageError{fmt.Sprintf("bad --max-subscribers %d, --subscriber-queue %d, --feed-size %d, --heartbeat %s or --stream-write-timeout %s (want positive values)",
			*maxSubscribers, *subscriberQueue, *feedSize, *heartbeat, *streamWrite)}
	}
	if err := e.setLogFormat(*format); err != nil {
		return err
	}
	token, err := writeToken(*tokenFile)
	if err != nil {
		return err
	}
	// Bind first, so that a busy port fails before anything is created.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (choose another address with --addr)", err)
	}
	defer ln.Close()
	tune := func(o *store.Options) { o.FeedSize = *feedSize }
	db, err := e.open(*dir, false, tune)
	if err != nil {
		return err
	}
	// Closed last (a replicated node stops applying first); db may be
	// replaced by a snapshot's restore.
	defer func() {
		if db != nil {
			closeDB(db, &err)
		}
	}()
	var g graph.Graph = db
	if rf.nats != "" {
		// A replicated node (DESIGN.md section 6.1): writes go to the
		// stream, every node applies it; the seed is not loaded (load
		// data into the cluster with 'hearsay load --nats').
		var n *replica.Node
		if db, n, err = e.openReplica(db, *dir, &rf, tune); err != nil {
			return err
		}
		defer n.Close()
		g = n
		*noSeed = true
		if rf.snapshotEvery > 0 {
			sctx, stop := context.WithCancel(e.ctx)
			done := make(chan struct{})
			go func() { defer close(done); n.Snapshots(sctx, rf.snapshotEvery) }()
			defer func() { stop(); <-done }() // before the node and the database close
		}
	}
	if !*noSeed {
		if err := e.seedIfEmpty(db); err != nil {
			return err
		}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	srv, err := api.New(api.Config{
		Graph: g, Logger: e.log, WriteToken: token, MaxBodyBytes: *maxBody, Timeout: *timeout,
		MaxDepth: *maxDepth, MaxComplexity: *maxComplexity, MaxInFlight: *maxInFlight,
		MaxFields: *maxFields, CORSOrigins: corsOrigins,
		MaxResponseBytes: *maxResponse, MaxTraceSteps: *maxTraceSteps, InstanceKey: key,
		MaxSubscribers: *maxSubscribers, Heartbeat: *heartbeat, SubscriberQueue: *subscriberQueue,
		StreamWriteTimeout: *streamWrite, NoMetrics: !*metrics,
	})
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/"
	e.log.Info().Str("addr", ln.Addr().String()).Str("db", *dir).Bool("writes", srv.WritesEnabled()).
		Strs("cors_origins", corsOrigins).Int("max_inflight", *maxInFlight).Msg("serving")
	fmt.Fprintf(e.stdout, "hearsay: serving %s (GraphQL at %sgraphql)\n", url, url)
	// 'hearsay backup' finds the server holding the database here, and
	// the key it proves itself with before it sends the token
	// (api/identity.go).
	defer e.record(filepath.Join(*dir, serverURLFile), strings.TrimSuffix(url, "/"), "address")()
	defer e.record(filepath.Join(*dir, serverKeyFile), hex.EncodeToString(key), "key")()
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}

	hc := lim.config(e.log)
	hc.Failed = db.Failed()
	hc.OnFailed = func() error { return e.storageFailed(db.Health()) }
	err = api.Serve(e.ctx, ln, srv, hc)
	var failed errStorageFailed
	if err != nil && !errors.As(err, &failed) {
		return err
	}
	e.log.Info().Msg("stopped: requests drained; closing the database")
	return err
}

// seedIfEmpty loads the embedded seed dataset into an empty database.
func (e *env) seedIfEmpty(db *store.DB) error {
	stats, err := db.Stats(e.ctx)
	if err != nil {
		return err
	}
	if stats.Outlets+stats.Officials+stats.Reports+stats.Claims != 0 {
		return nil
	}
	res, err := fixtures.LoadSeed(e.ctx, db)
	if err != nil {
		return fmt.Errorf("load the seed dataset: %w", err)
	}
	e.log.Info().Str("dataset", res.Info.ID).Int("nodes", res.Nodes).Int("edges", res.Edges).
		Msg("the database was empty: loaded the embedded seed dataset")
	return nil
}

// record writes line to the file name (mode 0600, by writeFileAtomic) for
// 'hearsay backup' and returns what removes it; a failure is logged, not
// fatal: backups can still name the server with --server.
func (e *env) record(name, line, what string) (remove func()) {
	if err := writeFileAtomic(name, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, line)
		return err
	}); err != nil {
		e.log.Warn().Err(err).Msgf("could not record the server's %s for 'hearsay backup'", what)
	}
	return func() { os.Remove(name) }
}

// storageFailed is what the server does when its storage fails: Badger
// cannot go on after a failed write (store/fault.go), every request now
// fails with STORAGE_UNAVAILABLE and /healthz answers 503. It logs why
// and returns the error that drains the server and exits with
// exitStorage, so that a supervisor starts it again; the next open
// recovers from the logs.
func (e *env) storageFailed(health error) error {
	failed := errStorageFailed{health}
	e.log.Error().Str("reason", graph.ErrorMessage(failed)).Int("exit_code", exitStorage).
		Msg("storage failed: draining requests and exiting so that a supervisor restarts the server")
	return failed
}

// errStorageFailed ends 'hearsay serve' after a storage failure, with
// exit code exitStorage.
type errStorageFailed struct{ err error }

func (e errStorageFailed) Error() string { return "the storage failed: " + graph.ErrorMessage(e.err) }
func (e errStorageFailed) Unwrap() error { return e.err }

// httpLimits are the http.Server's timeouts, which cut off clients that
// send or read slowly (slow loris) before they tie up connections.
type httpLimits struct {
	readHeader, read, write, idle time.Duration
}

// check validates the timeouts and derives the write timeout: the answer
// must be written after a whole request was read and executed, so it
// defaults to --read-timeout + --timeout and may not be shorter than
// --timeout.
func (l *httpLimits) check(timeout time.Duration) error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"read-header-timeout", l.readHeader}, {"read-timeout", l.read}, {"idle-timeout", l.idle}, {"timeout", timeout}} {
		if f.d <= 0 {
			return usageError{fmt.Sprintf("bad --%s %v (want a positive duration)", f.name, f.d)}
		}
	}
	switch {
	case l.write == 0:
		l.write = l.read + timeout
	case l.write <= timeout:
		return usageError{fmt.Sprintf("bad --write-timeout %v (want longer than --timeout %v, or the answers of slow queries are cut off)", l.write, timeout)}
	}
	return nil
}

// config returns api.Serve's configuration with the limits.
func (l *httpLimits) config(log zerolog.Logger) api.HTTPConfig {
	return api.HTTPConfig{ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read, WriteTimeout: l.write,
		IdleTimeout: l.idle, Logger: log}
}

// originList is a repeatable flag of comma-separated values.
type originList []string

func (o *originList) String() string { return strings.Join(*o, ",") }

func (o *originList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if err := api.CheckCORSOrigin(s); err != nil {
			return err
		}
		*o = append(*o, s)
	}
	return nil
}

// writeToken reads the write token from a file or $HEARSAY_WRITE_TOKEN.
func writeToken(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read --write-token-file: %w", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("--write-token-file %s is empty", file)
		}
		return tok, nil
	}
	return strings.TrimSpace(os.Getenv("HEARSAY_WRITE_TOKEN")), nil
}

// setLogFormat switches the logger to JSON or console lines.
func (e *env) setLogFormat(format string) error {
	switch format {
	case "":
		if isTerminal(e.stderr) {
			return nil
		}
		format = "json"
	case "json", "console":
	default:
		return usageError{fmt.Sprintf("bad --log-format %q (want json or console)", format)}
	}
	level := e.log.GetLevel()
	if format == "json" {
		e.log = zerolog.New(e.stderr).Level(level).With().Timestamp().Logger()
	} else {
		e.log = zerolog.New(zerolog.ConsoleWriter{Out: e.stderr, NoColor: !isTerminal(e.stderr)}).Level(level).With().Timestamp().Logger()
	}
	return nil
}
