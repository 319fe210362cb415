package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"hearsay/fixtures"
	"hearsay/fixtures/claimreview"
	"hearsay/graph"
	"hearsay/store"
)

// txnLoadLimit is the largest file 'hearsay load' imports in one Badger
// transaction on the live generation; larger files, and standard input,
// are bulk loaded into a new generation (store.BulkLoad).
// One transaction may hold 15 % of a 64 MB memtable, about 15,000 edges
// or 3 MB of NDJSON: 1 MB leaves room for verbose records.
const txnLoadLimit = 1 << 20

func cmdLoad(e *env, args []string) (err error) {
	fs, dir, level := e.flags("load", "FILE... (JSON or NDJSON; - reads standard input)")
	quiet := fs.Bool("quiet", false, "print no progress")
	method := fs.String("method", "auto", "`how` to write: txn (one transaction on the live database), bulk (a new generation, any size) or auto (txn up to 1 MB)")
	sortMem := fs.Int("sort-memory", store.DefaultSortMemory>>20, "`MB` of each of the two sort buffers of a bulk load")
	var rf replicaFlags
	rf.add(fs, false)
	wait := fs.Duration("wait", 30*time.Minute, "with --nats: wait this long for a node to report each file applied or refused (0: publish and return)")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name at least one dataset file"}
	}
	if rf.nats != "" {
		return e.loadNATS(&rf, fs.Args(), *wait)
	}
	switch *method {
	case "auto", "txn", "bulk":
	default:
		return usageError{fmt.Sprintf("--method is txn, bulk or auto, not %q", *method)}
	}
	if *sortMem < 1 || *sortMem > 16<<10 {
		return usageError{"--sort-memory is between 1 and 16384 MB"}
	}
	progress := !*quiet && isTerminal(e.stderr)
	// A bulk load's live memory is its two sort buffers, Badger's table
	// builders (32 MB each, two to four at once), its memtables (21 MB)
	// and the set of IDs read (about 40 bytes an ID): about 320 MB with
	// the default 64 MB buffers on 'hearsay gen --edges 1000000'. Without a
	// limit the collector lets the heap grow to twice that; 256 MB above
	// the buffers holds it at about 340 MB of RssAnon without collecting
	// noticeably more often (192 MB doubled the time). GOMEMLIMIT, when
	// set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(2*(*sortMem<<20) + 256<<20))
	}
	for _, name := range fs.Args() {
		bulk, retry, err := e.loadFile(*dir, name, *method, *sortMem<<20, progress)
		if retry && !bulk {
			// A file under the transaction limit can still hold more keys
			// than one transaction takes (many short claims, each with its
			// match index postings): nothing was written, so auto bulk
			// loads it instead.
			fmt.Fprintf(e.stderr, "%s: too large for one transaction; bulk loading it into a new generation\n", name)
			_, _, err = e.loadFile(*dir, name, "bulk", *sortMem<<20, progress)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadFile loads one file by method (txn, bulk or auto) and says whether it
// was bulk loaded and whether auto may retry it by a bulk load: a regular
// file that one transaction could not hold.
func (e *env) loadFile(dir, name, method string, sortMem int, progress bool) (bulk, retry bool, err error) {
	in, size, err := e.input(name)
	if err != nil {
		return false, false, err
	}
	defer func() {
		if cerr := in.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	bulk = method == "bulk" || (method == "auto" && (size < 0 || size > txnLoadLimit))
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(64 << 10)
	switch {
	case claimreview.Detect(head):
		err = e.claimReviewLoad(dir, name, br, bulk, sortMem, progress)
	case bulk:
		err = e.bulkLoad(dir, name, br, size, sortMem, progress)
	default:
		err = e.txnLoad(dir, name, br, progress, fixtures.Load)
	}
	retry = method == "auto" && size >= 0 && errors.Is(err, graph.ErrWriteTooLarge)
	return bulk, retry, err
}

// input opens a dataset file, or standard input for "-", with its size
// (-1 when unknown).
func (e *env) input(name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(e.stdin), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return f, -1, nil
	}
	return f, st.Size(), nil
}

// loader loads a dataset file into a graph: fixtures.Load or
// claimreview.Load.
type loader func(ctx context.Context, g graph.Graph, name string, r io.Reader, opt fixtures.Options) (fixtures.Result, error)

// txnLoad loads one file in one transaction on the live generation.
func (e *env) txnLoad(dir, name string, r io.Reader, progress bool, load loader) (err error) {
	db, err := e.open(dir, false)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	start := time.Now()
	opt := fixtures.Options{}
	if progress {
		opt.ProgressEvery = 10_000
		opt.Progress = func(n int) {
			el := time.Since(start).Seconds()
			fmt.Fprintf(e.stderr, "\r%s: %d records parsed (%.0f/s)", name, n, float64(n)/max(el, 1e-9))
		}
	}
	res, err := load(e.ctx, db, name, r, opt)
	if progress {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	e.printLoaded(name, res.Counts, res.Edges, time.Since(start))
	return nil
}

func (e *env) printLoaded(name string, counts map[graph.Kind]int, edges int, took time.Duration) {
	fmt.Fprintf(e.stdout, "loaded %s: %s, %s, %s, %s, %s in %s\n", name,
		count(counts[graph.KindOutlet], "outlet"), count(counts[graph.KindOfficial], "official"),
		count(counts[graph.KindReport], "report"), count(counts[graph.KindClaim], "claim"),
		count(edges, "edge"), took.Round(time.Millisecond))
}

// bulkLoad loads one file of any size into a new generation of the
// database, streaming it in bounded memory.
func (e *env) bulkLoad(dir, name string, r io.Reader, size int64, sortMem int, progress bool) error {
	start := time.Now()
	cr := &countingReader{r: r}
	opt := store.DefaultOptions(dir)
	opt.Logger = e.log
	bo := store.BulkOptions{Name: name, SortMemory: sortMem, ProgressEvery: 1 << 14, Validated: true}
	if progress {
		p := &progressLine{w: e.stderr, name: name, start: start}
		bo.Progress = func(bp store.BulkProgress) { p.show(bp, cr.n.Load(), size) }
		defer p.end()
	}
	src := func(emit func(int, any) error) error {
		_, err := fixtures.Stream(name, cr, fixtures.Options{}, emit)
		return err
	}
	res, err := store.BulkLoad(e.ctx, opt, src, bo)
	if err != nil {
		return err
	}
	e.printLoaded(name, res.Counts, res.Edges, time.Since(start))
	e.log.Info().Str("file", name).Int64("keys", res.Keys).Int("runs", res.Runs).
		Dur("read", res.Read).Dur("write", res.Write).Msg("bulk load done")
	return nil
}

// claimReviewLoad loads a ClaimReview JSON-LD file (at most
// claimreview.MaxBytes): in one transaction, or, when bulk, converted
// against the stored graph first and then bulk loaded as hearsay/v1.
func (e *env) claimReviewLoad(dir, name string, r io.Reader, bulk bool, sortMem int, progress bool) (err error) {
	if !bulk {
		return e.txnLoad(dir, name, r, progress, claimreview.Load)
	}
	db, err := e.open(dir, false)
	if err != nil {
		return err
	}
	c, err := claimreview.Convert(e.ctx, db, name, r)
	closeDB(db, &err)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	if err := e.bulkLoad(dir, name, &buf, int64(buf.Len()), sortMem, progress); err != nil {
		return c.Placed(err)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progressLine prints a bulk load's progress on one terminal line, at most
// a few times a second: the phase, how far it is, the rate and the time
// left.
type progressLine struct {
	w     io.Writer
	name  string
	start time.Time
	phase time.Time // when the write phase started
	last  time.Time
	shown bool
}

func (p *progressLine) show(bp store.BulkProgress, read, size int64) {
	now := time.Now()
	if bp.Phase == "write" && p.phase.IsZero() {
		p.phase = now
	}
	if now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	el := now.Sub(p.start).Seconds()
	rate := float64(bp.Records) / max(el, 1e-9)
	var line string
	switch {
	case bp.Phase == "read" && size > 0:
		frac := float64(read) / float64(size)
		left := time.Duration(el * (1 - frac) / max(frac, 1e-9) * float64(time.Second))
		line = fmt.Sprintf("%s: reading %3.0f%%, %d records (%.0f/s, %.1f MB/s), about %s left to read",
			p.name, 100*frac, bp.Records, rate, float64(read)/1e6/max(el, 1e-9), left.Round(time.Second))
	case bp.Phase == "read":
		line = fmt.Sprintf("%s: reading, %d records (%.0f/s)", p.name, bp.Records, rate)
	default:
		wel := now.Sub(p.phase).Seconds()
		frac := float64(bp.Keys) / float64(max(bp.TotalKeys, 1))
		krate := float64(bp.Keys) / max(wel, 1e-9)
		left := time.Duration(float64(max(bp.TotalKeys-bp.Keys, 0)) / max(krate, 1e-9) * float64(time.Second))
		line = fmt.Sprintf("%s: writing %3.0f%%, %d keys (%.0f/s), about %s left", p.name, 100*min(frac, 1), bp.Keys, krate, left.Round(time.Second))
	}
	fmt.Fprintf(p.w, "\r%-100s", line)
}

func (p *progressLine) end() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

func cmdStats(e *env, args []string) (err error) {
	fs, dir, level := e.flags("stats", "")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"stats takes no arguments"}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	s, err := db.Stats(e.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, s)
	}
	fmt.Fprintf(e.stdout, "outlets    %d\nofficials  %d\nreports    %d\nclaims     %d\nedges      %d\n",
		s.Outlets, s.Officials, s.Reports, s.Claims, s.Edges)
	return nil
}

// exportFormats maps each --format of 'hearsay export' to its writer; ndjson
// says whether hearsay/v1 is to be written as NDJSON.
var exportFormats = map[string]func(e *env, g graph.Graph, w io.Writer, ndjson, progress bool) error{
	"hearsay":     exportHearsay,
	"prov":        exportPROV,
	"stix":        exportSTIX,
	"claimreview": exportClaimReview,
}

func formatNames() string {
	names := slices.Sorted(maps.Keys(exportFormats))
	return strings.Join(names, ", ")
}

func cmdExport(e *env, args []string) (err error) {
	fs, dir, level := e.flags("export", "[--format FORMAT] [FILE] (.ndjson or .jsonl for NDJSON; standard output by default)")
	ndjson := fs.Bool("ndjson", false, "write NDJSON even to standard output (hearsay format)")
	format := fs.String("format", "hearsay", "`FORMAT` to write: "+formatNames())
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"export takes at most one FILE"}
	}
	write, ok := exportFormats[*format]
	if !ok {
		return usageError{fmt.Sprintf("unknown --format %q (want one of %s)", *format, formatNames())}
	}
	if *ndjson && *format != "hearsay" {
		return usageError{"--ndjson is for --format hearsay"}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	progress := !*quiet && isTerminal(e.stderr)
	if fs.NArg() == 0 || fs.Arg(0) == "-" {
		return write(e, db, e.stdout, *ndjson, progress)
	}
	name := fs.Arg(0)
	return writeOut(name, func(w io.Writer) error {
		return write(e, db, w, *ndjson || isNDJSONName(name), progress)
	})
}

// exportClaimReview writes every review as ClaimReview, with, on a
// terminal, the reviews written so far and their rate on one line.
func exportClaimReview(e *env, g graph.Graph, w io.Writer, _, progress bool) error {
	start := time.Now()
	var opt claimreview.ExportOptions
	var last time.Time
	if progress {
		opt.ProgressEvery = 1000
		opt.Progress = func(n int) {
			if now := time.Now(); now.Sub(last) >= 250*time.Millisecond {
				last = now
				fmt.Fprintf(e.stderr, "\rexport: %d claim reviews written (%.0f/s)", n, float64(n)/max(now.Sub(start).Seconds(), 1e-9))
			}
		}
	}
	res, err := claimreview.Export(e.ctx, g, w, opt)
	if progress && !last.IsZero() {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	if res.Skipped > 0 {
		fmt.Fprintf(e.stderr, "export: %s without an http(s) url left out (ClaimReview requires one)\n", count(res.Skipped, "review"))
	}
	return nil
}

func exportHearsay(e *env, g graph.Graph, w io.Writer, ndjson, _ bool) error {
	info := graph.DatasetInfo{ID: "hearsay-export", Title: "hearsay export"}
	if ndjson {
		return fixtures.ExportNDJSON(e.ctx, g, info, w)
	}
	return fixtures.Export(e.ctx, g, info, w)
}

func isNDJSONName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".ndjson" || ext == ".jsonl"
}

// writeOut writes the file name atomically, through a temporary file, when
// it is or will be a regular file; a device or a pipe (/dev/null, a FIFO)
// is written straight into, since renaming over it would replace it.
func writeOut(name string, write func(io.Writer) error) error {
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().IsRegular() {
		return writeFileAtomic(name, write)
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFileAtomic writes a file through a temporary file in the same
// directory and renames it into place, so a failed export leaves no
// half-written file.
func writeFileAtomic(name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".hearsay-export-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; an export is an ordinary file.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// count writes "1 claim" or "25 claims".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
