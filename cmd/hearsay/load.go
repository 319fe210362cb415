package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
)

// loadMemTableSize is the memtable size of 'hearsay load'.
const loadMemTableSize = 512 << 20

func cmdLoad(e *env, args []string) (err error) {
	fs, dir, level := e.flags("load", "FILE... (JSON or NDJSON; - reads standard input)")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"name at least one dataset file"}
	}
	// A file is loaded in one transaction, which Badger bounds at 15 % of
	// a memtable: a loading process, alone on the database, takes larger
	// memtables than a server to take larger files.
	db, err := e.open(*dir, false, func(o *store.Options) { o.MemTableSize = loadMemTableSize })
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	for _, name := range fs.Args() {
		if err := e.loadFile(db, name, !*quiet && isTerminal(e.stderr)); err != nil {
			return err
		}
	}
	return nil
}

// loadFile loads one file atomically and prints what it wrote.
func (e *env) loadFile(g graph.Graph, name string, progress bool) error {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	start := time.Now()
	opt := fixtures.Options{}
	if progress {
		opt.ProgressEvery = 10_000
		opt.Progress = func(n int) {
			el := time.Since(start).Seconds()
			fmt.Fprintf(e.stderr, "\r%s: %d records parsed (%.0f/s)", name, n, float64(n)/max(el, 1e-9))
		}
	}
	res, err := fixtures.Load(e.ctx, g, name, r, opt)
	if progress {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "loaded %s: %s, %s, %s, %s, %s in %s\n", name,
		count(res.Counts[graph.KindOutlet], "outlet"), count(res.Counts[graph.KindOfficial], "official"),
		count(res.Counts[graph.KindReport], "report"), count(res.Counts[graph.KindClaim], "claim"),
		count(res.Edges, "edge"), time.Since(start).Round(time.Millisecond))
	return nil
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

func cmdExport(e *env, args []string) (err error) {
	fs, dir, level := e.flags("export", "[FILE] (.ndjson or .jsonl for NDJSON; standard output by default)")
	ndjson := fs.Bool("ndjson", false, "write NDJSON even to standard output")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"export takes at most one FILE"}
	}
	db, err := e.open(*dir, true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	if fs.NArg() == 0 || fs.Arg(0) == "-" {
		return export(e, db, e.stdout, *ndjson)
	}
	name := fs.Arg(0)
	return writeOut(name, func(w io.Writer) error {
		return export(e, db, w, *ndjson || isNDJSONName(name))
	})
}

func export(e *env, g graph.Graph, w io.Writer, ndjson bool) error {
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
