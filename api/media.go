package api

import (
	"net/http"
	"strconv"
	"strings"
)

// The media types /graphql answers in, besides text/event-stream
// (stream.go), chosen from the request's Accept header as GraphQL over
// HTTP says.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// answerMedia is the media type of one answer and the status codes it
// brings.
type answerMedia int

const (
	// mediaLegacy: no Accept, or only a wildcard (*/*, application/*).
	// application/json with the status codes hearsay always gave: 4xx for a
	// request that fails to parse or validate.
	mediaLegacy answerMedia = iota
	// mediaPlainJSON: Accept prefers application/json. The spec's
	// application/json answer: 200 for every well-formed GraphQL-over-HTTP
	// request, even one that fails to parse or validate.
	mediaPlainJSON
	// mediaGraphQL: Accept prefers application/graphql-response+json. 4xx
	// for a request that fails to parse or validate, 200 once it executes.
	mediaGraphQL
)

// contentType is the Content-Type header of an answer in m.
func (m answerMedia) contentType() string {
	if m == mediaGraphQL {
		return mediaGraphQLResponse + "; charset=utf-8"
	}
	return mediaJSON + "; charset=utf-8"
}

// status is the HTTP status of an answer in m that would have status in
// hearsay's own codes. A 400 about the GraphQL request (its document,
// operation or variables; never its HTTP form) becomes 200 under
// application/json.
func (m answerMedia) status(status int) int {
	if m == mediaPlainJSON && status == http.StatusBadRequest {
		return http.StatusOK
	}
	return status
}

// negotiate picks the answer's media type from an Accept header: the
// acceptable range with the highest q, the first listed on a tie. It
// returns false when Accept names nothing /graphql serves (406).
// text/event-stream is found before this, by wantsStream.
func negotiate(accept string) (answerMedia, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaLegacy, true
	}
	best, bestQ, found := mediaLegacy, -1.0, false
	for _, part := range strings.Split(accept, ",") {
		rng, params, _ := strings.Cut(part, ";")
		var m answerMedia
		switch strings.ToLower(strings.TrimSpace(rng)) {
		case mediaGraphQLResponse:
			m = mediaGraphQL
		case mediaJSON:
			m = mediaPlainJSON
		case "*/*", "application/*":
			m = mediaLegacy
		default:
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		if q > 0 && q > bestQ {
			best, bestQ, found = m, q, true
		}
	}
	return best, found
}
