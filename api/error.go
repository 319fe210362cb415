package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/graphql-go/graphql"

	"hearsay/api/internal/gql"
	"hearsay/graph"
)

// MaxNesting bounds how deep brackets, braces and parentheses nest in a
// query (gql.MaxNesting).
const MaxNesting = gql.MaxNesting

// The extensions.code values of hearsay's GraphQL errors.
const (
	CodeBadUserInput     = gql.CodeBadUserInput
	CodeNotFound         = "NOT_FOUND"
	CodeConflict         = "CONFLICT"
	CodeUnauthenticated  = "UNAUTHENTICATED"
	CodeForbidden        = "FORBIDDEN"
	CodeQueryTooComplex  = gql.CodeQueryTooComplex
	CodeResponseTooLarge = "RESPONSE_TOO_LARGE"
	CodeStorage          = "STORAGE_UNAVAILABLE"
	CodeInternal         = "INTERNAL"
	// CodePersistedQueryNotFound: a persisted query's hash was sent
	// without its query, and the server does not hold it (persisted.go);
	// Apollo's clients then send the query with its hash.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	extensionCode              = gql.ExtensionCode
	extensionRequestID         = "requestId"
	logFieldRequestID          = "req_id"
	logFieldOperation          = "operation"
	logFieldError              = "error"
	internalErrorMessage       = "Internal error; the server logged it with this request's ID."
)

// clientError is an error as a client sees it. It implements graphql-go's
// ExtendedError, so its code reaches the response's extensions.
type clientError struct {
	code      string
	message   string
	requestID string
	limit     string // the limit that refused the request, for /metrics (metrics.go); "" for none
}

func (e *clientError) Error() string { return e.message }

// Extensions implements gqlerrors.ExtendedError.
func (e *clientError) Extensions() map[string]any {
	m := map[string]any{extensionCode: e.code}
	if e.requestID != "" {
		m[extensionRequestID] = e.requestID
	}
	return m
}

func newClientError(code, format string, args ...any) *clientError {
	return &clientError{code: code, message: fmt.Sprintf(format, args...)}
}

// graphCodes maps the domain's error codes onto GraphQL extension codes.
var graphCodes = map[string]string{
	graph.EINVALID:      CodeBadUserInput,
	graph.ENOTFOUND:     CodeNotFound,
	graph.ECONFLICT:     CodeConflict,
	graph.EUNAUTHORIZED: CodeUnauthenticated,
	graph.EUNAVAILABLE:  CodeStorage,
}

// clientError converts any error into the error a client may see. This is
// the one place where errors are converted: domain errors keep their
// message; everything else is logged with the request ID and replaced by a
// message that carries the ID.
func toClientError(ctx context.Context, err error) *clientError {
	var ce *clientError
	if errors.As(err, &ce) {
		noteLimit(ctx, ce.limit)
		return ce
	}
	if code, ok := graphCodes[graph.ErrorCode(err)]; ok {
		return &clientError{code: code, message: graph.ErrorMessage(err)}
	}
	id := requestID(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		noteLimit(ctx, limitTimeout)
		return &clientError{code: CodeInternal, message: "The request ran past its time limit and was stopped.", requestID: id, limit: limitTimeout}
	}
	if errors.Is(err, context.Canceled) {
		return &clientError{code: CodeInternal, message: "The request was cancelled.", requestID: id}
	}
	if l, ok := ctx.Value(loaderKey{}).(*loader); !ok || !l.quiet {
		logger(ctx).Error().Err(err).Msg("internal error")
	}
	return &clientError{code: CodeInternal, message: internalErrorMessage, requestID: id}
}

// requestID returns the request's ID, "" outside an HTTP request.
func requestID(ctx context.Context) string {
	if n := requestNote(ctx); n != nil {
		return n.id
	}
	return ""
}

// resolve wraps a resolver so that its errors, and its panics, reach the
// client converted by toClientError.
func resolve(fn graphql.FieldResolveFn) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (out any, err error) {
		defer func() {
			if r := recover(); r != nil {
				out, err = nil, toClientError(p.Context, fmt.Errorf("panic in resolver %s: %v", p.Info.FieldName, r))
			}
		}()
		out, err = fn(p)
		if err != nil {
			return nil, toClientError(p.Context, err)
		}
		return out, nil
	}
}
