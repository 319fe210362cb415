package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"

	"hearsay/api/internal/gql"
	"hearsay/graph"
)

// request is one GraphQL request, from a POST body or GET parameters.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// httpError is a request refused before execution, with its HTTP status.
type httpError struct {
	status int
	err    *clientError
}

func refuse(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, err: newClientError(code, format, args...)}
}

// serveGraphQL answers /graphql, following GraphQL over HTTP: POST with a
// JSON body, or GET with query, operationName and variables parameters
// for queries only.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if wantsStream(r) {
		s.serveStream(w, r)
		return
	}
	media, ok := negotiate(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media.contentType())
	if !ok {
		s.writeRefusal(w, r, refuse(http.StatusNotAcceptable, CodeBadUserInput,
			"The Accept header names nothing /graphql serves; accept application/graphql-response+json, application/json or, for subscriptions, text/event-stream."))
		return
	}
	req, herr := s.readRequest(w, r)
	if herr == nil && !s.gate.enter() {
		herr = s.gate.overloaded()
	} else if herr == nil {
		defer s.gate.leave()
		var buf *bytes.Buffer
		var status int
		ctx, ws := graph.WithWriteSeq(r.Context())
		if herr = s.waitMinSeq(ctx, r); herr == nil {
			buf, status, herr = s.execute(ctx, r, req)
		}
		if herr == nil {
			out := buf.Bytes()
			if seq := ws.Seq(); seq > 0 {
				w.Header().Set(headerSeq, strconv.FormatUint(seq, 10))
				out = withSeqExtension(out, seq)
			}
			w.WriteHeader(media.status(status))
			_, _ = w.Write(out)
			putBuffer(buf)
			return
		}
		// A refusal of the GraphQL request itself (its operation,
		// variables or limits), not of its HTTP form.
		herr.status = media.status(herr.status)
	}
	s.writeRefusal(w, r, herr)
}

func (s *Server) writeRefusal(w http.ResponseWriter, r *http.Request, herr *httpError) {
	noteLimit(r.Context(), herr.err.limit)
	if herr.err.requestID == "" && herr.status >= 500 {
		herr.err.requestID = requestID(r.Context())
	}
	var buf bytes.Buffer
	fe := gqlerrors.FormattedError{Message: herr.err.message, Extensions: herr.err.Extensions()}
	_ = gql.WriteResponse(&buf, nil, nil, nil, nil, false, []gqlerrors.FormattedError{fe})
	if w.Header().Get("Content-Type") == "" { // serveGraphQL sets the one it negotiated
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	switch herr.status {
	case http.StatusMethodNotAllowed:
		if w.Header().Get("Allow") == "" { // /admin/backup sets its own
			w.Header().Set("Allow", "GET, POST")
		}
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfterValue)
	}
	w.WriteHeader(herr.status)
	_, _ = w.Write(buf.Bytes())
}

// readRequest decodes the request's query, operation name and variables.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (*request, *httpError) {
	req := &request{}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The variables parameter is not a JSON object: %s.", jsonProblem(err))
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Extensions); err != nil {
				return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The extensions parameter is not a JSON object: %s.", jsonProblem(err))
			}
		}
	case http.MethodPost:
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			return nil, refuse(http.StatusUnsupportedMediaType, CodeBadUserInput, "The request has no Content-Type; send it as application/json.")
		}
		if !strings.HasPrefix(strings.ToLower(ct), "application/json") {
			return nil, refuse(http.StatusUnsupportedMediaType, CodeBadUserInput, "Send the request as application/json, not %q.", ct)
		}
		buf := getBuffer()
		defer putBuffer(buf)
		if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, refuse(http.StatusRequestEntityTooLarge, CodeBadUserInput,
					"The request body is over the limit of %d bytes.", s.cfg.MaxBodyBytes).of(limitBody)
			}
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				return nil, refuse(http.StatusRequestTimeout, CodeBadUserInput,
					"The request body did not arrive within the server's read time limit.")
			}
			return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The request body could not be read: %v.", err)
		}
		if err := decodeRequest(buf.Bytes(), req); err != nil {
			if err == errTrailing {
				return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The request body holds more than one JSON value.")
			}
			return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The request body is not a GraphQL request in JSON: %s.", jsonProblem(err))
		}
	default:
		return nil, refuse(http.StatusMethodNotAllowed, CodeBadUserInput, "Use GET or POST for /graphql.")
	}
	if herr := s.usePersisted(req); herr != nil {
		return nil, herr
	}
	if strings.TrimSpace(req.Query) == "" {
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The request has no query.")
	}
	return req, nil
}

// document returns the prepared document of a query (gql.Prepare), from
// the cache when it was seen before.
func (s *Server) document(query string) (doc *document) {
	if doc, ok := s.cache.Get(query); ok {
		return doc
	}
	defer s.refuseOnPanic(query, &doc)
	doc = gql.Prepare(&s.schema, query, gql.Options{MaxFields: s.cfg.MaxFields, MaxDepth: s.cfg.MaxDepth,
		Warn: func(msg string) { s.cfg.Logger.Warn().Msg(msg) }})
	if doc.Cacheable() {
		s.cache.Put(query, doc)
	}
	return doc
}

// operation picks the operation to run.
func operation(doc *ast.Document, name string) (*ast.OperationDefinition, *httpError) {
	var found *ast.OperationDefinition
	n := 0
	for _, def := range doc.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		n++
		if name == "" || op.Name != nil && op.Name.Value == name {
			found = op
		}
	}
	switch {
	case name == "" && n > 1:
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The document has %d operations; name one with operationName.", n)
	case found == nil && name != "":
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The document has no operation named %q.", name)
	case found == nil:
		return nil, refuse(http.StatusBadRequest, CodeBadUserInput, "The document has no operation.")
	}
	return found, nil
}

// execute runs one request through parse → validate → limits → auth →
// execute and returns the encoded response.
func (s *Server) execute(ctx context.Context, r *http.Request, req *request) (*bytes.Buffer, int, *httpError) {
	doc := s.document(req.Query)
	if doc.Errs != nil {
		noteLimit(ctx, doc.Limit)
		buf := getBuffer()
		if err := gql.WriteResponse(buf, nil, nil, nil, nil, false, doc.Errs); err != nil {
			return nil, 0, refuse(http.StatusInternalServerError, CodeInternal, internalErrorMessage)
		}
		return buf, doc.Status, nil
	}
	op, herr := operation(doc.AST, req.OperationName)
	if herr != nil {
		return nil, 0, herr
	}
	setOperation(ctx, operationName(op))
	isMutation := op.Operation == ast.OperationTypeMutation
	if isMutation && r.Method == http.MethodGet {
		return nil, 0, refuse(http.StatusMethodNotAllowed, CodeBadUserInput, "Mutations need POST; GET runs queries only.")
	}
	if op.Operation == ast.OperationTypeSubscription {
		return nil, 0, refuse(http.StatusBadRequest, CodeBadUserInput,
			"Subscriptions are served as event streams: send the request with Accept: text/event-stream (GraphQL over SSE, as the graphql-sse client does).")
	}
	if herr := checkVariables(&s.schema, op, req.Variables); herr != nil {
		return nil, 0, herr
	}
	if doc.Depth > s.cfg.MaxDepth {
		return nil, 0, refuse(http.StatusBadRequest, CodeQueryTooComplex,
			"The query is %d fields deep; the limit is %d.", doc.Depth, s.cfg.MaxDepth).of(limitDepth)
	}
	if c := doc.Cost(op, costArgs, func() int {
		return complexity(&s.schema, op, gql.Fragments(doc.AST), req.Variables, s.cfg.MaxComplexity)
	}); c > s.cfg.MaxComplexity {
		return nil, 0, refuse(http.StatusBadRequest, CodeQueryTooComplex,
			"The query's complexity is over %d (estimated at least %d: each field costs 1, times the items its lists may return); ask for fewer items with first, or fewer nested lists.",
			s.cfg.MaxComplexity, c).of(limitComplexity)
	}
	if isMutation {
		if herr := s.authorize(r); herr != nil {
			return nil, 0, herr
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return nil, 0, &httpError{status: http.StatusOK, err: toClientError(ctx, err)}
	}
	if buf, herr, ok := s.runPlan(ctx, doc, op, req.Variables); ok {
		return buf, http.StatusOK, herr
	}
	ctx, run := s.newRun(ctx)
	run.perField = graphqlGoFieldCost
	l := newLoader(s.cfg.Graph)
	if !isMutation {
		defer l.snapshot(ctx)()
	}
	ctx = context.WithValue(ctx, loaderKey{}, l)
	ctx = gql.WithIntrospection(ctx, s.intro)
	res := graphql.Execute(graphql.ExecuteParams{
		Schema:        s.schema,
		AST:           gql.ExecutableAST(doc.AST, op, req.Variables),
		OperationName: req.OperationName,
		Args:          req.Variables,
		Context:       ctx,
	})
	if !isMutation {
		// A query stopped by a limit is refused whole; a mutation has
		// written, and its answer says which fields did not fit.
		if herr := run.refusal(ctx); herr != nil && herr.status != http.StatusOK {
			return nil, 0, herr
		}
	}
	errs := s.finishErrors(ctx, doc.Relocate(res.Errors))
	if res.Data == nil && len(errs) > 0 && ctx.Err() == nil && pathless(errs) {
		// graphql-go refused the request before executing it (its
		// variables): 400 with the errors, no data.
		buf := getBuffer()
		if err := gql.WriteResponse(buf, nil, nil, nil, nil, false, errs); err != nil {
			return nil, 0, refuse(http.StatusInternalServerError, CodeInternal, internalErrorMessage)
		}
		return buf, http.StatusBadRequest, nil
	}
	buf := getBuffer()
	if err := gql.WriteResponse(buf, &s.schema, op, gql.Fragments(doc.AST), res.Data, true, errs); err != nil {
		logger(ctx).Error().Err(err).Msg("encode response")
		return nil, 0, refuse(http.StatusInternalServerError, CodeInternal, internalErrorMessage)
	}
	if buf.Len() > s.cfg.MaxResponseBytes {
		// The meter's estimate fell short of the JSON.
		if isMutation {
			return nil, 0, (&httpError{status: http.StatusOK, err: newClientError(CodeResponseTooLarge,
				"The mutation ran, but its answer is over the limit of %d bytes; ask for fewer fields to learn its result.", s.cfg.MaxResponseBytes)}).of(limitResponseSize)
		}
		return nil, 0, &httpError{status: http.StatusBadRequest, err: run.tooLarge}
	}
	return buf, http.StatusOK, nil
}

// finishErrors gives every execution error a code. Resolver errors carry
// theirs (see resolve). graphql-go's own errors without a path are about
// the request (a variable of the wrong type); those with a path are
// failures of the server, logged and hidden.
func (s *Server) finishErrors(ctx context.Context, errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	// graphql-go resolves a selection's fields in map order, so its errors
	// come in random order; list them in the order of the query.
	sort.SliceStable(errs, func(i, j int) bool { return errorPlace(errs[i]) < errorPlace(errs[j]) })
	for i := range errs {
		e := &errs[i]
		if _, ok := e.Extensions[extensionCode]; ok {
			continue
		}
		if err := ctx.Err(); err != nil && e.Message == err.Error() {
			ce := toClientError(ctx, err)
			e.Message, e.Extensions = ce.message, ce.Extensions()
			continue
		}
		if len(e.Path) == 0 {
			e.Extensions = map[string]any{extensionCode: CodeBadUserInput}
			continue
		}
		ce := toClientError(ctx, fmt.Errorf("graphql: %s at %v", e.Message, e.Path))
		e.Message, e.Extensions = ce.message, ce.Extensions()
	}
	return errs
}

// authorize checks a write's bearer token in constant time.
func (s *Server) authorize(r *http.Request) *httpError {
	if len(s.tokenHash) == 0 {
		return refuse(http.StatusForbidden, CodeForbidden,
			"Writes are disabled on this server. Start it with HEARSAY_WRITE_TOKEN set, or --write-token-file FILE, and send Authorization: Bearer <token>.")
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return refuse(http.StatusUnauthorized, CodeUnauthenticated, "Writes need an Authorization: Bearer <token> header.")
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], s.tokenHash) != 1 {
		return refuse(http.StatusUnauthorized, CodeUnauthenticated, "The bearer token is not valid for writes.")
	}
	return nil
}

func operationName(op *ast.OperationDefinition) string {
	if op.Name != nil {
		return op.Name.Value
	}
	return ""
}

// errorPlace orders errors by where they point in the query, then by path.
func errorPlace(e gqlerrors.FormattedError) string {
	line, col := 0, 0
	if len(e.Locations) > 0 {
		line, col = e.Locations[0].Line, e.Locations[0].Column
	}
	return fmt.Sprintf("%08d:%08d:%v", line, col, e.Path)
}

// pathless reports whether no error has a path: errors of the request,
// not of a field.
func pathless(errs []gqlerrors.FormattedError) bool {
	for _, e := range errs {
		if len(e.Path) > 0 {
			return false
		}
	}
	return true
}

// jsonProblem says what is wrong with a request's JSON in the client's
// terms; encoding/json's messages name Go types ("api.request",
// "map[string]interface {}").
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("it is not valid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		want := "a value of another kind"
		switch typ.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Map, reflect.Struct:
			want = "an object"
		}
		if typ.Field == "" {
			return fmt.Sprintf("it must be %s, not %s", want, article(typ.Value))
		}
		return fmt.Sprintf("its %q must be %s, not %s", typ.Field, want, article(typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "it ends before its JSON does"
	}
	return "it is not valid JSON"
}

// article puts "a" or "an" before a JSON kind ("array", "number", ...).
func article(kind string) string {
	if kind == "" {
		return "a value of another kind"
	}
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
