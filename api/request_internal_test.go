package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// referenceRequest is encoding/json's reading of a body, which
// decodeRequest must agree with.
func referenceRequest(body []byte) (request, error) {
	var req request
	err := json.NewDecoder(bytes.NewReader(body)).Decode(&req)
	return req, err
}

var requestBodies = []string{
	`{"query":"{ __typename }"}`,
	` { "query" : "{ claims { totalCount } }" , "operationName" : "Q" } `,
	`{"query":"query($n: Int) { outlets(first: $n) { totalCount } }","variables":{"n":3}}`,
	`{"query":"{ a }","variables":null,"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`,
	`{"query":"{ a }","variables":{"s":"} ] \" {"}}`,
	`{"query":"{ claim(id: \"claim:x\") { id } }"}`,
	`{"query":"\u00e9\ud83d\ude00 \/ \\ \n"}`,
	`{"query":"\ud800 lone surrogate"}`,
	`{"query":"bad escape \x"}`,
	`{"query":"héllo — ünïcode"}`,
	"{\"query\":\"bad \xff utf-8\"}",
	"{\"query\":\"bad \xff utf-8 \\\" escaped\"}",
	`{"Query":"{ a }"}`,                         // case-insensitive field match
	`{"query":"{ a }","query":"{ b }"}`,         // repeated key: the last wins
	`{"variables":{"a":1},"variables":{"b":2}}`, // repeated map: merged
	`{"query":"{ a }","other":[1,{"x":"]"}]}`,
	`{"query":null}`,
	`{"query":12}`,
	`{"variables":"x"}`,
	`{"variables":[1]}`,
	`{"variables":{"a":}}`,
	`{"variables":nul}`,
	`{"query":"{ a }"} {"query":"{ b }"}`,
	`{"query":"{ a }"}]`,
	`{"query":"{ a }"`,
	`{"query":"{ a }",}`,
	`{"query":"{ a }"  x`,
	`{}`,
	` {  } `,
	`[]`,
	``,
	`null`,
	"{\"query\":\"tab\tinside\"}",
	`{"variables":{"deep":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`,
}

// TestDecodeRequest holds decodeRequest to encoding/json: the same request
// for every body encoding/json takes, its error for every body it refuses,
// and errTrailing for more than one value.
func TestDecodeRequest(t *testing.T) {
	fast := 0
	for _, body := range requestBodies {
		checkDecodeRequest(t, []byte(body))
		var req request
		if fastRequest([]byte(body), &req) {
			fast++
		}
	}
	// The common shapes must take the fast path, or it saves nothing.
	if fast < 8 {
		t.Errorf("only %d of the bodies took the fast path", fast)
	}
	for _, body := range []string{`{"query":"{ a }"} {"query":"{ b }"}`, `{"query":"{ a }"}]`, `{} 1`} {
		var req request
		if err := decodeRequest([]byte(body), &req); err != errTrailing {
			t.Errorf("%s: %v, want errTrailing", body, err)
		}
	}
}

func checkDecodeRequest(t *testing.T, body []byte) {
	t.Helper()
	want, werr := referenceRequest(body)
	var fast request
	if fastRequest(body, &fast) {
		if werr != nil {
			t.Fatalf("%.80q: the fast path took a body encoding/json refuses (%v)", body, werr)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%.80q: fast path %+v, encoding/json %+v", body, fast, want)
		}
	}
	var got request
	err := decodeRequest(body, &got)
	switch {
	case werr != nil && err == nil:
		t.Fatalf("%.80q: accepted, encoding/json says %v", body, werr)
	case werr != nil && err.Error() != werr.Error():
		t.Fatalf("%.80q: error %q, encoding/json's %q", body, err, werr)
	case werr == nil && err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("%.80q: decoded %+v, encoding/json %+v", body, got, want)
	case werr == nil && err != nil && err != errTrailing:
		t.Fatalf("%.80q: %v, encoding/json accepts it", body, err)
	}
}

// FuzzDecodeRequest is TestDecodeRequest on any body:
//
//	go test ./api -run '^$' -fuzz '^FuzzDecodeRequest$' -fuzztime 5m
func FuzzDecodeRequest(f *testing.F) {
	for _, b := range requestBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeRequest(t, body)
	})
}
