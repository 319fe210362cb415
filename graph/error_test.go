package graph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"hearsay/graph"
)

func TestErrorCode(t *testing.T) {
	secret := errors.New("badger: value log /var/db/000042.vlog truncated")
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		// Ensure a nil error has no code and no message.
		{"Nil", nil, "", ""},
		// Ensure an *Error gives its own code and message.
		{"Error", graph.Errorf(graph.ENOTFOUND, "claim %q not found", "claim:x"), graph.ENOTFOUND, `claim "claim:x" not found`},
		{"Conflict", &graph.Error{Code: graph.ECONFLICT, Message: "busy"}, graph.ECONFLICT, "busy"},
		// Ensure an *Error wrapped with %w, even twice, keeps its code and
		// message.
		{"Wrapped", fmt.Errorf("load: %w", graph.Errorf(graph.EINVALID, "bad")), graph.EINVALID, "bad"},
		{"WrappedTwice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", graph.Errorf(graph.EUNAUTHORIZED, "no"))), graph.EUNAUTHORIZED, "no"},
		{"Joined", errors.Join(secret, graph.Errorf(graph.EINVALID, "bad")), graph.EINVALID, "bad"},
		// Ensure any other error is internal, with a generic message.
		{"Plain", secret, graph.EINTERNAL, "Internal error."},
		{"PlainWrapped", fmt.Errorf("store: %w", secret), graph.EINTERNAL, "Internal error."},
		// Ensure %v formatting drops the *Error from the chain.
		{"FormattedNotWrapped", fmt.Errorf("load: %v", graph.Errorf(graph.EINVALID, "bad")), graph.EINTERNAL, "Internal error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := graph.ErrorCode(tt.err); code != tt.code {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, code, tt.code)
			}
			msg := graph.ErrorMessage(tt.err)
			if msg != tt.msg {
				t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, msg, tt.msg)
			}
			// Ensure no internal text leaks into the client message.
			if strings.Contains(msg, "badger") || strings.Contains(msg, "vlog") {
				t.Errorf("ErrorMessage leaks internal text: %q", msg)
			}
		})
	}
}

func TestError_Error(t *testing.T) {
	// Ensure Error() carries the code and the message for operators.
	err := graph.Errorf(graph.EINVALID, "first must not be negative, got %d", -1)
	if got, want := err.Error(), "hearsay: invalid: first must not be negative, got -1"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	// Ensure errors.As finds the *Error through a wrap.
	var e *graph.Error
	if !errors.As(fmt.Errorf("x: %w", err), &e) || e != err {
		t.Fatalf("errors.As did not find the *Error")
	}
}
