package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"hearsay/api/internal/gql"
)

// Automatic persisted queries, as Apollo's clients send them: a request
// whose extensions hold persistedQuery {version: 1, sha256Hash} may leave
// out its query once the server has seen it with that hash. The store is
// a bounded LRU of Config.CacheSize queries of at most gql.MaxCachedQuery
// bytes each (512 × 16 KiB = 8 MiB by default); a query that is longer is
// run but not kept, and a hash the store has dropped is answered with
// PERSISTED_QUERY_NOT_FOUND, on which the client sends the query again.

// persistedQueryNotFound is the message Apollo's clients look for, with
// CodePersistedQueryNotFound.
const persistedQueryNotFound = "PersistedQueryNotFound"

// persistedQueries maps the SHA-256 (lowercase hex) of a query to it.
type persistedQueries = gql.Cache[string]

func newPersistedQueries(max int) *persistedQueries { return gql.NewCache[string](max) }

// usePersisted applies the persistedQuery extension to req, if it has
// one: it checks and keeps a query sent with its hash, or fills in the
// query of a hash sent alone.
func (s *Server) usePersisted(req *request) *httpError {
	raw, ok := req.Extensions["persistedQuery"]
	if !ok || raw == nil {
		return nil
	}
	pq, ok := raw.(map[string]any)
	if !ok {
		return refuse(http.StatusBadRequest, CodeBadUserInput, "extensions.persistedQuery must be an object with version and sha256Hash.")
	}
	if v, ok := pq["version"].(float64); !ok || v != 1 {
		return refuse(http.StatusBadRequest, CodeBadUserInput, "extensions.persistedQuery.version must be 1, the only version served.")
	}
	hash, _ := pq["sha256Hash"].(string)
	if len(hash) != sha256.Size*2 || !isLowerHex(hash) {
		return refuse(http.StatusBadRequest, CodeBadUserInput,
			"extensions.persistedQuery.sha256Hash must be the SHA-256 of the query in 64 lowercase hexadecimal digits.")
	}
	if req.Query == "" {
		q, ok := s.persisted.Get(hash)
		if !ok {
			return refuse(http.StatusOK, CodePersistedQueryNotFound, persistedQueryNotFound)
		}
		req.Query = q
		return nil
	}
	sum := sha256.Sum256([]byte(req.Query))
	if hex.EncodeToString(sum[:]) != hash {
		return refuse(http.StatusBadRequest, CodeBadUserInput,
			"extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.")
	}
	if len(req.Query) <= gql.MaxCachedQuery {
		s.persisted.Put(hash, req.Query)
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
