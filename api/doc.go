// Package api serves hearsay's graph over GraphQL and HTTP.
//
// The schema (DESIGN.md section 3) is built once per Server from graph's
// service interfaces; resolvers are closures over the server and never see
// the store. Every request goes parse → validate → hearsay's limits (depth
// and complexity) → execute, with parsed and validated documents cached in
// a bounded LRU keyed by the query text. Responses are written in the order
// the query asked for its fields. Errors are converted once, in
// resolve/clientError, into GraphQL errors carrying extensions.code;
// internal errors are logged with the request ID and never shown.
//
// /metrics (metrics.go) counts requests, latencies and refusals by limit
// in Prometheus's text format, from a registry per Server, with operation
// names bounded by the document cache; the storage's figures come through
// graph.StorageStater, so api still never imports store.
package api
