package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/rs/xid"
	"github.com/rs/zerolog"

	"hearsay/api/internal/gql"
	"hearsay/graph"
)

// Config configures a Server. Zero values take the defaults below.
type Config struct {
	// Graph is the graph the server reads and writes. Required.
	Graph graph.Graph
	// Logger receives access logs and internal errors.
	Logger zerolog.Logger
	// WriteToken is the bearer token writes must carry; "" disables writes.
	WriteToken string
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	// Timeout bounds one request's execution (default 10 s).
	Timeout time.Duration
	// MaxDepth and MaxComplexity bound a query (see limits.go).
	MaxDepth, MaxComplexity int
	// MaxFields bounds the fields of a query, fragments counted where they
	// are spread (default DefaultMaxFields), checked before validation.
	MaxFields int
	// MaxResponseBytes bounds the JSON answer of one request (default
	// DefaultMaxResponseBytes), enforced while it is built.
	MaxResponseBytes int
	// MaxTraceSteps bounds the traversal work of one request over all its
	// traces (default DefaultMaxTraceSteps; see graph.Budget).
	MaxTraceSteps int
	// MaxInFlight bounds how many GraphQL requests execute at once
	// (default DefaultMaxInFlight); a request over it is refused with 503
	// and Retry-After. /healthz, the explorer's page and the playground
	// are not counted.
	MaxInFlight int
	// CORSOrigins are the origins whose browser pages may call the server
	// ("https://factcheck.example", or "*" for any); none by default, and
	// then no response carries CORS headers.
	CORSOrigins []string
	// CacheSize is how many parsed and validated documents are kept
	// (default 512).
	CacheSize int
	// PlaygroundQuery is the query the playground opens with.
	PlaygroundQuery string
	// InstanceKey, when set, is a secret this server proves it knows:
	// /healthz answers a challenge with its HMAC (see identity.go), so a
	// client that read the key from the database directory can tell this
	// server from whatever else may listen at a stale address before it
	// sends the write token.
	InstanceKey []byte

	// Feed is the graph's change feed, which subscriptions read (see
	// stream.go); by default Graph's own when it has one.
	Feed graph.ChangeFeed
	// MaxSubscribers bounds the subscription streams open at once
	// (default DefaultMaxSubscribers); more are refused with 503.
	MaxSubscribers int
	// Heartbeat is how often an idle stream gets a comment line (default
	// DefaultHeartbeat).
	Heartbeat time.Duration
	// SubscriberQueue is how many events may wait for one stream's client
	// (default DefaultSubscriberQueue); a stream whose queue is full is
	// dropped.
	SubscriberQueue int
	// StreamWriteTimeout bounds one write to a stream's client (default
	// DefaultStreamWriteTimeout); a client that takes longer is dropped.
	StreamWriteTimeout time.Duration
	// CatchUpWait bounds how long a request carrying Hearsay-Min-Seq
	// waits for a replicated graph to apply the log that far (default
	// DefaultCatchUpWait; replica.go).
	CatchUpWait time.Duration

	// NoMetrics turns /metrics off (metrics.go); it is on by default and,
	// like every read, needs no token.
	NoMetrics bool
}

// Defaults.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultCacheSize    = 512
	// DefaultMaxResponseBytes is 16 MiB: a page of 100 claims with their
	// chains is a few MB. With the trace budget it bounds what one request
	// allocates (BenchmarkWorstCaseRequest).
	DefaultMaxResponseBytes = 16 << 20
	// DefaultMaxTraceSteps lets a request trace 10 claims of 10,000
	// chain steps each; one step is an appearance visited or a hop of a
	// returned chain (about 170 bytes).
	DefaultMaxTraceSteps = 100_000
)

// Server serves GraphQL at /graphql (subscriptions as event streams, see
// stream.go), the chain explorer at / (explorer.go), the GraphiQL
// playground at /graphiql, /healthz, and /metrics (metrics.go).
type Server struct {
	cfg       Config
	schema    graphql.Schema
	intro     *gql.Introspection // what introspection answers with (see schema.go)
	cache     *docCache
	persisted *persistedQueries // see persisted.go
	gate      *gate
	tokenHash []byte // SHA-256 of the write token; nil when writes are off
	handler   http.Handler
	plans     planStats // see exec.go
	feed      graph.ChangeFeed
	streams   *streams
	events    *eventCache
	refs      *refsCache
	metrics   *metrics // nil with NoMetrics
}

// New builds a server and its schema.
func New(cfg Config) (*Server, error) {
	if cfg.Graph == nil {
		return nil, fmt.Errorf("api: no graph")
	}
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.CatchUpWait, DefaultCatchUpWait)
	setDefault(&cfg.Timeout, DefaultTimeout)
	setDefault(&cfg.MaxDepth, DefaultMaxDepth)
	setDefault(&cfg.MaxComplexity, DefaultMaxComplexity)
	setDefault(&cfg.MaxFields, DefaultMaxFields)
	setDefault(&cfg.MaxResponseBytes, DefaultMaxResponseBytes)
	setDefault(&cfg.MaxTraceSteps, DefaultMaxTraceSteps)
	setDefault(&cfg.MaxInFlight, DefaultMaxInFlight)
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.Feed == nil {
		cfg.Feed, _ = cfg.Graph.(graph.ChangeFeed)
	}
	setDefault(&cfg.MaxSubscribers, DefaultMaxSubscribers)
	setDefault(&cfg.Heartbeat, DefaultHeartbeat)
	setDefault(&cfg.SubscriberQueue, DefaultSubscriberQueue)
	setDefault(&cfg.StreamWriteTimeout, DefaultStreamWriteTimeout)
	if cfg.PlaygroundQuery == "" {
		cfg.PlaygroundQuery = DefaultPlaygroundQuery
	}
	cors, err := newCORS(cfg.CORSOrigins)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	s := &Server{cfg: cfg, cache: newDocCache(cfg.CacheSize), persisted: newPersistedQueries(cfg.CacheSize), gate: newGate(cfg.MaxInFlight),
		feed: cfg.Feed, streams: newStreams(cfg.MaxSubscribers), events: newEventCache(), refs: newRefsCache()}
	if cfg.WriteToken != "" {
		sum := sha256.Sum256([]byte(cfg.WriteToken))
		s.tokenHash = sum[:]
		s.cfg.WriteToken = "" // only the hash is kept
	}
	if s.schema, s.intro, err = newSchema(s); err != nil {
		return nil, fmt.Errorf("api: schema: %w", err)
	}
	meterSchema(&s.schema)
	playground, err := playgroundHandler(cfg.PlaygroundQuery)
	if err != nil {
		return nil, fmt.Errorf("api: playground: %w", err)
	}
	explorer, err := explorerHandler()
	if err != nil {
		return nil, fmt.Errorf("api: explorer: %w", err)
	}
	mux := http.NewServeMux()
	if !cfg.NoMetrics {
		s.metrics = newMetrics(s)
		mux.HandleFunc("/metrics", s.serveMetrics)
	}
	mux.HandleFunc("/graphql", s.serveGraphQL)
	mux.HandleFunc("/healthz", s.serveHealth)
	mux.HandleFunc("/admin/backup", s.serveBackup)
	mux.HandleFunc("/admin/replica", s.serveReplica)
	mux.Handle("/graphiql", playground)
	mux.Handle("/playground", playground)
	mux.Handle("/playground/", playground)
	mux.Handle("/", explorer)
	s.handler = s.logged(cors.wrap(mux))
	return s, nil
}

// setDefault sets *v to d when it is unset (zero) or negative.
func setDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// WritesEnabled reports whether a write token is configured.
func (s *Server) WritesEnabled() bool { return s.tokenHash != nil }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serveHealth answers /healthz with 200 when the graph can be read, else
// 503 with the reason: {"status":"unavailable","code":"STORAGE_UNAVAILABLE",
// "reason":"…"} when the store says why (its storage failed, or the disk is
// too full to write), the request ID of the logged error otherwise.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	s.proveIdentity(w, r)
	err := graphHealth(s.cfg.Graph)
	var st graph.Stats
	if err == nil {
		st, err = s.cfg.Graph.Stats(r.Context())
	}
	if err != nil {
		body := map[string]string{"status": "unavailable"}
		if graph.ErrorCode(err) == graph.EUNAVAILABLE {
			body["code"], body["reason"] = CodeStorage, graph.ErrorMessage(err)
		} else {
			logger(r.Context()).Error().Err(err).Msg("health check")
			body["requestId"] = requestID(r.Context())
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	_, _ = fmt.Fprintf(w, `{"status":"ok","claims":%d,"edges":%d}`+"\n", st.Claims, st.Edges)
}

// graphHealth asks the graph whether it takes reads and writes, when it
// can tell (store.DB.Health).
func graphHealth(g graph.Graph) error {
	if h, ok := g.(interface{ Health() error }); ok {
		return h.Health()
	}
	return nil
}

// logged adds the request ID (X-Request-Id), a request-scoped logger (made
// when something logs) and one access-log line per request with status,
// duration and the GraphQL
// operation's name. Headers, bodies and tokens are never logged. It is
// zerolog's hlog.NewHandler, RequestIDHandler and AccessHandler in one
// wrapper: one copy of the request instead of four.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// One context value holds what the request's handlers need of
		// it (its ID, its logger, what /metrics is told); hlog's handlers
		// and our own values were 10 of the 61 allocations of a
		// { __typename } request (BenchmarkTypenameQuery).
		n := &note{id: xid.New().String(), base: &s.cfg.Logger}
		w.Header()["X-Request-Id"] = []string{n.id}
		rw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), noteKey{}, n))
		next.ServeHTTP(rw, r)
		status := rw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		ev := s.cfg.Logger.Info()
		if status >= 500 {
			ev = s.cfg.Logger.Warn()
		}
		ev = ev.Str(logFieldRequestID, n.id)
		if n.name != "" {
			ev = ev.Str(logFieldOperation, n.name)
		}
		if s.metrics != nil {
			s.metrics.observe(r, n, status, d)
		}
		ev.Str("method", r.Method).Str("path", r.URL.Path).Int("status", status).Int("size", rw.size).
			Dur("duration", d).Msg("request")
	})
}

// statusWriter records the status and size of an answer for the access
// log. http.ResponseController reaches the writer under it (Unwrap), for
// flushes and deadlines.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// DefaultPlaygroundQuery is the query the playground opens with: the seed's
// headline chain, Euromaidan Press → The Telegraph → unnamed US negotiators.
const DefaultPlaygroundQuery = `# Trace a claim hop by hop to its origins.
query TraceHeadlineClaim {
  claim(id: "claim:us-negotiators-willing-to-support-western-force") {
    text
    chains {
      terminal
      hops {
        report { id published }
        outlet { name reliability }
        mode
        quote
        to { ... on Official { name anonymous } ... on Report { id } ... on Outlet { name } }
      }
      origin { ... on Official { name anonymous } ... on Outlet { name } }
    }
    origins { ... on Official { name anonymous } ... on Outlet { name } }
    independentOrigins { min max }
    credibility { grade label why }
  }
}
`
