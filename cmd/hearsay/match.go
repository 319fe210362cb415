package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"hearsay/graph"
)

// Bounds of 'hearsay match --queries'.
const (
	// maxQueryLine bounds one line of a queries file, in bytes: a query
	// is at most graph.MaxMatchRunes characters (4 bytes each at most),
	// plus its ID.
	maxQueryLine = 4*graph.MaxMatchRunes + 1024
	// maxQueries bounds the queries of one file; all are read and checked
	// before the first is run, so a bad file prints nothing.
	maxQueries = 100_000
	// maxQueryID bounds a query's ID, in bytes.
	maxQueryID = 256
	// maxQueriesBytes bounds a whole queries file, read into memory
	// before the first query runs.
	maxQueriesBytes = 64 << 20
)

func cmdMatch(e *env, args []string) (err error) {
	fs, dir, level := e.flags("match", "TEXT | --queries FILE.tsv")
	top := fs.Int("top", graph.DefaultMatches, fmt.Sprintf("print the best `K` claims (1–%d)", graph.MaxMatches))
	queries := fs.String("queries", "", "rank the claims for each query of `FILE` (a header line, then ID<TAB>TEXT per line; - for standard input) and print TREC run lines")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if *top < 1 || *top > graph.MaxMatches {
		return usageError{fmt.Sprintf("--top must be between 1 and %d", graph.MaxMatches)}
	}
	var qs []matchQuery
	switch {
	case *queries != "" && fs.NArg() != 0:
		return usageError{"give either a TEXT or --queries FILE, not both"}
	case *queries != "":
		if qs, err = e.readQueries(*queries); err != nil {
			return err
		}
	case fs.NArg() != 1:
		return usageError{"give the text to match as one argument (quote it), or --queries FILE"}
	default:
		if _, err := graph.CheckMatchQuery(fs.Arg(0), *top); err != nil {
			return usageError{graph.ErrorMessage(err)}
		}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	w := bufio.NewWriter(e.stdout)
	if *queries == "" {
		ms, err := db.SimilarClaims(e.ctx, fs.Arg(0), *top)
		if err != nil {
			return err
		}
		for i, m := range ms {
			fmt.Fprintf(w, "%d %.4f %s %s\n", i+1, m.Score, m.Claim.ID, oneLine(m.Claim.Text))
		}
		return w.Flush()
	}
	for _, q := range qs {
		ms, err := db.SimilarClaims(e.ctx, q.text, *top)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", q.file, q.line, err)
		}
		for i, m := range ms {
			// TREC run format: QUERY-ID Q0 DOC-ID RANK SCORE RUN-NAME.
			fmt.Fprintf(w, "%s Q0 %s %d %.6f hearsay\n", q.id, m.Claim.ID, i+1, m.Score)
		}
	}
	return w.Flush()
}

// matchQuery is one query of a queries file.
type matchQuery struct {
	file     string
	line     int
	id, text string
}

// readQueries reads and checks a whole queries file: a header line, then
// ID<TAB>TEXT per line. A text quoted as in CSV ("…", with "" for a
// quote) is unquoted; blank lines are skipped. Any bad line is an error
// naming it.
func (e *env) readQueries(name string) ([]matchQuery, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	seen := make(map[string]int)
	var out []matchQuery
	read := 0
	for n := 1; ; n++ {
		line, err := readLine(br, maxQueryLine)
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errLongLine) {
			return nil, graph.Errorf(graph.EINVALID, "%s:%d: the line is over %d bytes", name, n, maxQueryLine)
		}
		if err != nil {
			return nil, err
		}
		if read += len(line) + 1; read > maxQueriesBytes {
			return nil, graph.Errorf(graph.EINVALID, "%s:%d: the file is over %d MiB: split it", name, n, maxQueriesBytes>>20)
		}
		if n == 1 || strings.TrimSpace(line) == "" {
			continue // the header
		}
		id, text, ok := strings.Cut(line, "\t")
		bad := func(format string, args ...any) error {
			return graph.Errorf(graph.EINVALID, "%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		switch {
		case !ok:
			return nil, bad("no tab: a line is ID<TAB>TEXT")
		case id == "" || len(id) > maxQueryID || strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
			return nil, bad("the query ID %q must be 1 to %d bytes without spaces", id, maxQueryID)
		case seen[id] > 0:
			return nil, bad("the query ID %q is given twice (first on line %d)", id, seen[id])
		case len(out) == maxQueries:
			return nil, bad("over %d queries in one file", maxQueries)
		}
		text = unquoteField(text)
		if _, err := graph.CheckMatchQuery(text, 1); err != nil {
			return nil, bad("%s", graph.ErrorMessage(err))
		}
		seen[id] = n
		out = append(out, matchQuery{file: name, line: n, id: id, text: text})
	}
	if len(out) == 0 {
		return nil, graph.Errorf(graph.EINVALID, "%s: no queries after the header line", name)
	}
	return out, nil
}

var errLongLine = errors.New("line too long")

// readLine reads one line without its end (\n or \r\n), refusing one over
// limit bytes before it is read whole.
func readLine(br *bufio.Reader, limit int) (string, error) {
	var buf []byte
	for {
		part, err := br.ReadSlice('\n')
		buf = append(buf, part...)
		if len(buf) > limit+2 {
			return "", errLongLine
		}
		switch {
		case err == nil:
			return string(bytes.TrimRight(buf, "\r\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return string(bytes.TrimRight(buf, "\r")), nil
		}
		return "", err
	}
}

// unquoteField undoes CSV quoting of a whole field: "a ""b""" → a "b".
func unquoteField(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	if strings.Count(inner, `"`) != 2*strings.Count(inner, `""`) {
		return s // not a quoted field after all
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}

// oneLine folds a text onto one line for a table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
