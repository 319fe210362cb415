package api

import (
	"net/http"
	"testing"

	"github.com/rs/zerolog"
)

func TestRefuseOnPanic(t *testing.T) {
	// Ensure a panic while parsing or validating, deferred-recovered as
	// document does, becomes a cached 400 BAD_USER_INPUT document.
	s := &Server{cfg: Config{Logger: zerolog.Nop()}, cache: newDocCache(8)}
	const query = "{ claims { totalCount } }"
	doc := func() (doc *document) {
		defer s.refuseOnPanic(query, &doc)
		panic("a nil type in graphql-go's validator")
	}()
	if doc == nil || doc.Status != http.StatusBadRequest || len(doc.Errs) != 1 || doc.Errs[0].Extensions[extensionCode] != CodeBadUserInput {
		t.Fatalf("document %+v, want one BAD_USER_INPUT error with status 400", doc)
	}
	if cached, ok := s.cache.Get(query); !ok || cached != doc {
		t.Error("the refused document was not cached")
	}
}
