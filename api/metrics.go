package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graphql-go/graphql/language/ast"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"hearsay/graph"
)

// /metrics serves the server's figures in Prometheus's text format, from
// a registry of its own (a process may run many servers, as the tests do):
//
//	hearsay_graphql_requests_total{operation,status}   GraphQL requests answered (event streams apart)
//	hearsay_graphql_request_duration_seconds{operation} their latency, 50 µs to 10 s
//	hearsay_graphql_in_flight                          GraphQL requests executing now
//	hearsay_graphql_refusals_total{limit}              requests refused by a limit
//	hearsay_graphql_subscribers                        subscription streams open
//	hearsay_document_cache_hits_total, _misses_total   the parsed-document cache
//	hearsay_store_write_wait_seconds                   writes' wait for their turn
//	hearsay_badger_lsm_bytes, hearsay_badger_vlog_bytes Badger's sizes on disk
//	hearsay_store_generation                           the open generation's number
//
// with Go's runtime and the process's collectors. The storage's figures
// come from the graph when it reports them (graph.StorageStater); a
// scrape reads no key.
//
// Operation names come from clients, so they would make as many series as
// clients make up names: a name is a label only while a document of the
// cache has an operation of that name (at most CacheSize names); any other
// request, anonymous ones included, is counted as "other". When the cache
// lets the last document of a name go, the name's series are removed.

// The limits a request may be refused by, the values of the limit label.
const (
	limitBody            = "body"
	limitDepth           = "depth"  // gql.LimitDepth
	limitFields          = "fields" // gql.LimitFields
	limitComplexity      = "complexity"
	limitResponseSize    = "response_size"
	limitTraceSteps      = "trace_steps"
	limitTimeout         = "timeout"
	limitInFlight        = "inflight"
	limitSubscribers     = "subscribers"
	limitSubscriberQueue = "subscriber_queue" // a slow subscriber dropped
)

// otherOperation is the operation label of a request whose operation's
// name is not one of a cached document.
const otherOperation = "other"

// latencyBuckets are the request duration histogram's bounds, in seconds.
var latencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// metrics holds a server's collectors.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	refusals *prometheus.CounterVec
	handler  http.Handler

	// mu guards names and docs; series of a name are added under its read
	// lock and removed under its write lock, so none outlives its name.
	mu    sync.RWMutex
	max   int
	names map[string]int         // operation name → cached documents naming it
	docs  map[*document][]string // the names each cached document added
}

// newMetrics builds the registry of s. s.cache is watched from now on.
func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearsay_graphql_requests_total",
			Help: "GraphQL requests answered, by operation name (a cached document's, else \"other\") and HTTP status; event streams are not counted.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hearsay_graphql_request_duration_seconds",
			Help:    "Time from a GraphQL request's arrival to its answer, by operation name.",
			Buckets: latencyBuckets,
		}, []string{"operation"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearsay_graphql_refusals_total",
			Help: "Requests refused or stopped by a limit: body, depth, fields, complexity, response_size, trace_steps, timeout, inflight, subscribers, subscriber_queue (a slow subscriber dropped).",
		}, []string{"limit"}),
		max:   max(s.cfg.CacheSize, 0),
		names: make(map[string]int),
		docs:  make(map[*document][]string),
	}
	for _, l := range []string{limitBody, limitDepth, limitFields, limitComplexity, limitResponseSize,
		limitTraceSteps, limitTimeout, limitInFlight, limitSubscribers, limitSubscriberQueue} {
		m.refusals.WithLabelValues(l) // every limit shows, at 0
	}
	hits := func() float64 { h, _ := s.cache.Stats(); return float64(h) }
	misses := func() float64 { _, n := s.cache.Stats(); return float64(n) }
	m.reg.MustRegister(m.requests, m.latency, m.refusals,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hearsay_graphql_in_flight",
			Help: "GraphQL requests executing now (at most --max-in-flight).",
		}, func() float64 { return float64(len(s.gate.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hearsay_graphql_subscribers",
			Help: "Subscription streams open now.",
		}, func() float64 { return float64(s.Subscribers()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hearsay_document_cache_hits_total",
			Help: "Queries whose parsed and validated document was in the cache.",
		}, hits),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hearsay_document_cache_misses_total",
			Help: "Queries parsed and validated because their document was not in the cache.",
		}, misses),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if st, ok := s.cfg.Graph.(graph.StorageStater); ok {
		m.reg.MustRegister(storageCollector{st})
	}
	s.cache.Watch(m.added, m.evicted)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4})
	return m
}

// serveMetrics answers /metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Use GET for /metrics.", http.StatusMethodNotAllowed)
		return
	}
	s.metrics.handler.ServeHTTP(w, r)
}

// added takes the operation names of a document the cache took, while
// there is room for them.
func (m *metrics) added(doc *document) {
	if doc.AST == nil || doc.Errs != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var took []string
	for _, def := range doc.AST.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok || op.Name == nil || op.Name.Value == "" || op.Name.Value == otherOperation {
			continue
		}
		name := op.Name.Value
		if m.names[name] == 0 && len(m.names) >= m.max {
			continue // full: the name is counted as other
		}
		m.names[name]++
		took = append(took, name)
	}
	if len(took) > 0 {
		m.docs[doc] = append(m.docs[doc], took...)
	}
}

// evicted lets go of the names of a document the cache dropped, and of
// the series of a name no cached document has any more.
func (m *metrics) evicted(doc *document) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range m.docs[doc] {
		if m.names[name]--; m.names[name] > 0 {
			continue
		}
		delete(m.names, name)
		m.requests.DeletePartialMatch(prometheus.Labels{"operation": name})
		m.latency.DeleteLabelValues(name)
	}
	delete(m.docs, doc)
}

// observe counts one answered request: its refusal, if a limit refused
// it, and, for a GraphQL request that is not an event stream, its
// operation, status and duration.
func (m *metrics) observe(r *http.Request, n *note, status int, d time.Duration) {
	if limit, _ := n.limit.Load().(string); limit != "" {
		m.refusals.WithLabelValues(limit).Inc()
	}
	if r.URL.Path != "/graphql" || wantsStream(r) {
		return
	}
	op := n.name
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.names[op] == 0 {
		op = otherOperation
	}
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

// note is what the logging handler (server.go) keeps of each request, in
// its context: its ID (X-Request-Id, an error's requestId), its logger,
// made when something logs, and what its handlers tell the access log
// and /metrics beyond its status: the operation's name, set by the
// request's goroutine, and the limit that refused it, which resolvers may
// set concurrently.
type note struct {
	id    string
	name  string
	limit atomic.Value // a string

	base *zerolog.Logger
	once sync.Once
	log  zerolog.Logger // base with the request's ID
}

type noteKey struct{}

func requestNote(ctx context.Context) *note {
	n, _ := ctx.Value(noteKey{}).(*note)
	return n
}

// logger returns the logger of the request of ctx, whose events carry its
// ID; outside a request, the context's own (zerolog.Ctx).
func logger(ctx context.Context) *zerolog.Logger {
	n := requestNote(ctx)
	if n == nil {
		return zerolog.Ctx(ctx)
	}
	n.once.Do(func() { n.log = n.base.With().Str(logFieldRequestID, n.id).Logger() })
	return &n.log
}

// setOperation names the request's operation for the access log and
// /metrics.
func setOperation(ctx context.Context, name string) {
	if n := requestNote(ctx); n != nil && name != "" {
		n.name = name
	}
}

// noteLimit records that limit refused or stopped the request of ctx; ""
// records nothing.
func noteLimit(ctx context.Context, limit string) {
	if limit == "" {
		return
	}
	if n := requestNote(ctx); n != nil {
		n.limit.Store(limit)
	}
}

// of marks a refusal as made by a limit.
func (h *httpError) of(limit string) *httpError {
	h.err.limit = limit
	return h
}

// storageCollector reports a graph's storage figures at each scrape.
type storageCollector struct{ g graph.StorageStater }

var (
	lsmDesc = prometheus.NewDesc("hearsay_badger_lsm_bytes",
		"Size of Badger's LSM tree on disk (Badger's estimate, refreshed about once a minute).", nil, nil)
	vlogDesc = prometheus.NewDesc("hearsay_badger_vlog_bytes",
		"Size of Badger's value log on disk (Badger's estimate, refreshed about once a minute).", nil, nil)
	generationDesc = prometheus.NewDesc("hearsay_store_generation",
		"Number of the database directory's open generation (a bulk load or a restore makes a new one); 0 in memory.", nil, nil)
	writeWaitDesc = prometheus.NewDesc("hearsay_store_write_wait_seconds",
		"Time a write waited for its turn: the store runs writes one at a time.", nil, nil)
)

func (c storageCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- lsmDesc
	ch <- vlogDesc
	ch <- generationDesc
	ch <- writeWaitDesc
}

func (c storageCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.g.StorageStats()
	ch <- prometheus.MustNewConstMetric(lsmDesc, prometheus.GaugeValue, float64(st.LSMBytes))
	ch <- prometheus.MustNewConstMetric(vlogDesc, prometheus.GaugeValue, float64(st.ValueLogBytes))
	ch <- prometheus.MustNewConstMetric(generationDesc, prometheus.GaugeValue, float64(st.Generation))
	buckets := make(map[float64]uint64, len(graph.WaitBounds))
	for i, b := range graph.WaitBounds {
		if i < len(st.WriteWait.Buckets) {
			buckets[b] = st.WriteWait.Buckets[i]
		}
	}
	ch <- prometheus.MustNewConstHistogram(writeWaitDesc, st.WriteWait.Count, st.WriteWait.Sum.Seconds(), buckets)
}
