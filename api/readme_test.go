package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"hearsay/fixtures"
)

// readmeExample is one GraphQL request the README shows.
type readmeExample struct {
	Line      int            // line of the README where it starts
	Query     string         // the document
	Variables map[string]any // from a following <!-- variables --> json block, or the curl body
}

// readmeMinExamples is how many runnable examples the README holds at
// least, so that a parser that finds none cannot pass.
const readmeMinExamples = 9

// readmeExamples reads every ```graphql block of the README (with its
// variables, when a block marked <!-- variables --> follows it) and the
// GraphQL body of every curl command of a ```sh block (its -d or --data
// argument), and the query of a ```js block's client call.
func readmeExamples(tb testing.TB, path string) []readmeExample {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	type block struct {
		line       int
		lang, body string
		variables  bool // preceded by <!-- variables -->
	}
	var blocks []block
	var cur *block
	marked := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &block{line: n, lang: strings.TrimPrefix(line, "```"), variables: marked}
			marked = false
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case line == "<!-- variables -->":
			marked = true
		case line != "":
			marked = false
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if cur != nil {
		tb.Fatalf("%s:%d: the code block is not closed", path, cur.line)
	}
	var out []readmeExample
	for i, b := range blocks {
		switch {
		case b.lang == "graphql":
			ex := readmeExample{Line: b.line, Query: b.body}
			if i+1 < len(blocks) && blocks[i+1].variables {
				v := blocks[i+1]
				if v.lang != "json" {
					tb.Fatalf("%s:%d: a <!-- variables --> block must be ```json", path, v.line)
				}
				if err := json.Unmarshal([]byte(v.body), &ex.Variables); err != nil {
					tb.Fatalf("%s:%d: variables: %v", path, v.line, err)
				}
			}
			out = append(out, ex)
		case b.variables && (i == 0 || blocks[i-1].lang != "graphql"):
			tb.Fatalf("%s:%d: a <!-- variables --> block must follow a ```graphql block", path, b.line)
		case b.lang == "sh" && strings.Contains(b.body, "curl"):
			out = append(out, curlBodies(tb, path, b.line, b.body)...)
		case b.lang == "js" && strings.Contains(b.body, "query:"):
			out = append(out, jsRequests(tb, path, b.line, b.body)...)
		}
	}
	return out
}

// curlData finds a curl command's body: -d or --data and a single-quoted
// argument, which may span lines.
var curlData = regexp.MustCompile(`(?s)(?:-d|--data(?:-raw|-binary)?)\s+'([^']*)'`)

func curlBodies(tb testing.TB, path string, line int, sh string) []readmeExample {
	tb.Helper()
	var out []readmeExample
	for _, m := range curlData.FindAllStringSubmatch(sh, -1) {
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.Unmarshal([]byte(m[1]), &body); err != nil {
			tb.Fatalf("%s:%d: the curl body is not JSON: %v\n%s", path, line, err, m[1])
		}
		if body.Query == "" {
			tb.Fatalf("%s:%d: the curl body has no query", path, line)
		}
		out = append(out, readmeExample{Line: line, Query: body.Query, Variables: body.Variables})
	}
	return out
}

// jsQuery finds a JavaScript client's request: a single-quoted query and,
// optionally, variables written as an object of single-quoted strings.
var (
	jsQuery     = regexp.MustCompile(`(?s)query:\s*'([^']*)'(?:,\s*variables:\s*\{([^}]*)\})?`)
	jsStringVar = regexp.MustCompile(`(\w+):\s*'([^']*)'`)
)

func jsRequests(tb testing.TB, path string, line int, js string) []readmeExample {
	tb.Helper()
	var out []readmeExample
	for _, m := range jsQuery.FindAllStringSubmatch(js, -1) {
		ex := readmeExample{Line: line, Query: m[1]}
		if m[2] != "" {
			ex.Variables = map[string]any{}
			for _, v := range jsStringVar.FindAllStringSubmatch(m[2], -1) {
				ex.Variables[v[1]] = v[2]
			}
			if len(ex.Variables) == 0 {
				tb.Fatalf("%s:%d: variables %q: only single-quoted strings are read", path, line, m[2])
			}
		}
		out = append(out, ex)
	}
	if len(out) == 0 {
		tb.Fatalf("%s:%d: no query: '…' in the JavaScript example", path, line)
	}
	return out
}

// operationKind is "query", "mutation" or "subscription": the first word of
// the document, a query when it opens with a selection set.
func operationKind(doc string) string {
	for _, kind := range []string{"mutation", "subscription"} {
		if strings.HasPrefix(strings.TrimSpace(doc), kind) {
			return kind
		}
	}
	return "query"
}

// inlineOperation matches an inline code span of prose that is a whole
// operation rather than a name: the README's convention is that those are
// fenced ```graphql blocks, which this test runs.
var inlineOperation = regexp.MustCompile("`\\s*(?:(?:query|mutation|subscription)\\b[^`{]*|[\\w.]+(?:\\([^`)]*\\))?\\s*)?\\{\\s*\\w+[^`{}]*\\{[^`]*`")

// TestReadme runs every GraphQL example of README.md against a server over
// the seed: queries on one server, each mutation on a fresh one with the
// write token, each subscription through the SSE endpoint until a write's
// event reaches it.
func TestReadme(t *testing.T) {
	const path = "../README.md"
	examples := readmeExamples(t, path)
	if len(examples) < readmeMinExamples {
		t.Fatalf("%d examples found in %s, want at least %d", len(examples), path, readmeMinExamples)
	}
	t.Logf("%d examples", len(examples))
	reads := MustServer(t)
	kinds := map[string]int{}
	for _, ex := range examples {
		kind := operationKind(ex.Query)
		kinds[kind]++
		t.Run(fmt.Sprintf("%s_line%d", kind, ex.Line), func(t *testing.T) {
			// Ensure the README's example at this line runs without errors.
			if strings.Contains(ex.Query, "…") {
				t.Fatalf("%s:%d: the example has a placeholder: %s", path, ex.Line, ex.Query)
			}
			switch kind {
			case "query":
				r := reads.Query(t, ex.Query, ex.Variables)
				mustReadmeData(t, path, ex, r)
			case "mutation":
				r := MustServer(t).Mutate(t, ex.Query, ex.Variables)
				mustReadmeData(t, path, ex, r)
			case "subscription":
				s := MustServer(t)
				st := openStream(t, s.URL, ex.Query, ex.Variables, "")
				if st.Status != http.StatusOK {
					t.Fatalf("%s:%d: status %d", path, ex.Line, st.Status)
				}
				waitSubscribers(t, s.API, 1)
				addReview(t, s, "readme")
				var ev struct {
					Data   map[string]any
					Errors []GQLError
				}
				decodeEvent(t, st.Next(t), &ev)
				if len(ev.Errors) > 0 || len(ev.Data) == 0 {
					t.Fatalf("%s:%d: event %+v, want data without errors", path, ex.Line, ev)
				}
				for field, v := range ev.Data {
					if v == nil {
						t.Errorf("%s:%d: %s is null", path, ex.Line, field)
					}
				}
			}
		})
	}
	for _, kind := range []string{"query", "mutation", "subscription"} {
		if kinds[kind] == 0 {
			t.Errorf("no %s among the README's examples", kind)
		}
	}

	t.Run("Convention", func(t *testing.T) {
		// Ensure no operation hides in an inline code span of prose, where
		// this test would not run it.
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inFence := false
		for n, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inFence = !inFence
				continue
			}
			if m := inlineOperation.FindString(line); !inFence && m != "" {
				t.Errorf("%s:%d: inline operation %s: make it a ```graphql block", path, n+1, m)
			}
		}
	})

	t.Run("SeedClaim", func(t *testing.T) {
		// Ensure the examples name the seed's headline claim as it is.
		var all strings.Builder
		for _, ex := range examples {
			all.WriteString(ex.Query)
		}
		if !strings.Contains(all.String(), fixtures.SeedClaim) {
			t.Errorf("no example names %s", fixtures.SeedClaim)
		}
	})
}

func mustReadmeData(t *testing.T, path string, ex readmeExample, r *Response) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("%s:%d: status %d, want 200 without errors:\n%s\n%s", path, ex.Line, r.Status, ex.Query, r.Short())
	}
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil || len(data) == 0 {
		t.Fatalf("%s:%d: data %s, want an object", path, ex.Line, r.Data)
	}
	for field, v := range data {
		if v == nil {
			t.Errorf("%s:%d: %s is null:\n%s", path, ex.Line, field, ex.Query)
		}
	}
}
