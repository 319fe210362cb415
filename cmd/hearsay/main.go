// Command hearsay is the source-reliability knowledge graph's one binary.
//
//	hearsay serve [--addr 127.0.0.1:8080]  serve GraphQL, the chain explorer and the playground
//	hearsay load FILE...              load hearsay/v1 datasets (JSON or NDJSON) or ClaimReview JSON-LD
//	hearsay stats [--json]            count nodes and edges
//	hearsay trace [--json] CLAIM-ID   trace a claim to its origins
//	hearsay export [--format hearsay|prov|stix|claimreview] [FILE]  write the graph as hearsay/v1, PROV-JSON, STIX 2.1 or ClaimReview
//	hearsay gen --edges N [--seed S] [--out FILE]  write a synthetic NDJSON dataset
//	hearsay extract [--format hearsay|citron] FILE|-  propose an article's attributions
//
// Every command takes --db DIR (default $HEARSAY_DB, else ./hearsay.db).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rs/zerolog"

	"hearsay/graph"
	"hearsay/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitStorage: 'hearsay serve' stopped because its storage failed (a
	// read-only or full file system, an I/O error); start it again once
	// the fault is fixed.
	exitStorage = 75
)

// env is what a command runs with; tests build their own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    zerolog.Logger
	// ready, if set, is told the address a server listens on (tests).
	ready func(addr string)
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

var commands = []command{
	{"serve", "serve GraphQL at /graphql, the chain explorer at / and GraphiQL at /graphiql (loads the seed into an empty database)", cmdServe},
	{"load", "load hearsay/v1 datasets (JSON or NDJSON) or ClaimReview JSON-LD into the database", cmdLoad},
	{"stats", "count the nodes and edges of the database", cmdStats},
	{"trace", "trace a claim hop by hop to its origins", cmdTrace},
	{"match", "rank the stored claims that say what a text says (TEXT, or --queries FILE.tsv for a TREC run)", cmdMatch},
	{"export", "write the whole graph as a hearsay/v1 dataset, PROV-JSON (--format prov), a STIX 2.1 bundle (--format stix) or its reviews as ClaimReview (--format claimreview)", cmdExport},
	{"gen", "write a synthetic hearsay/v1 NDJSON dataset of about N edges", cmdGen},
	{"replica", "replica status --db DIR: the applied log sequence, counts and key checksum of a replicated node's database, to compare nodes", cmdReplica},
	{"check", "verify both edge directions, every reference, the indexes and the counters; --repair fixes", cmdCheck},
	{"backup", "write a checksummed backup of the database, directly or through the running server", cmdBackup},
	{"restore", "restore a backup into a new database directory, or over one (--replace)", cmdRestore},
	{"extract", "propose an article's attributions as a hearsay/v1 dataset to review (or Citron JSON); writes nothing", cmdExtract},
	{"bench", "generate, load and measure a graph of N edges against DESIGN.md section 5", cmdBench},
}

// usageError is a mistake in the command line; it exits with exitUsage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, args, stdin, stdout, stderr, nil)
}

// runWith is run with a hook told the address 'hearsay serve' listens on,
// for tests that start the real server on port 0.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, ready func(addr string)) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, ready: ready,
		log: zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: !isTerminal(stderr)}).Level(zerolog.WarnLevel).With().Timestamp().Logger()}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(e, args[1:])
		var u usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &u):
			if u.msg != "" {
				fmt.Fprintf(stderr, "hearsay %s: %s\n", c.name, u.msg)
			}
			return exitUsage
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "hearsay %s: interrupted\n", c.name)
			return exitError
		case errors.As(err, new(errStorageFailed)):
			fmt.Fprintf(stderr, "hearsay %s: %s\n", c.name, err)
			return exitStorage
		}
		fmt.Fprintf(stderr, "hearsay %s: %s\n", c.name, describe(err))
		return exitError
	}
	fmt.Fprintf(stderr, "hearsay: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// describe turns an error into the line a user reads: domain errors by
// their message, anything else in full (the CLI's user is the operator).
func describe(err error) string {
	if graph.ErrorCode(err) == graph.EINTERNAL {
		return err.Error()
	}
	return graph.ErrorMessage(err)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: hearsay COMMAND [--db DIR] [flags] [args]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The database directory is --db, else $HEARSAY_DB, else ./hearsay.db.")
	fmt.Fprintln(w, "Flags may come before or after the arguments; -- ends the flags.")
	fmt.Fprintln(w, "Run 'hearsay COMMAND -h' for a command's flags.")
}

// flags returns a flag set with the options every command shares.
func (e *env) flags(name, args string) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := fs.String("db", defaultDB(), "database `DIR`")
	defLevel := "warn"
	if name == "serve" {
		defLevel = "info" // a server logs each request
	}
	level := fs.String("log-level", defLevel, "log `LEVEL`: trace, debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: hearsay %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs, db, level
}

// parse parses a command's flags and applies the log level.
func (e *env) parse(fs *flag.FlagSet, level *string, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := zerolog.ParseLevel(*level)
	if err != nil || *level == "" {
		return usageError{fmt.Sprintf("bad --log-level %q", *level)}
	}
	e.log = e.log.Level(l)
	return nil
}

// parseFlags parses flags wherever they stand among the arguments, so that
// 'hearsay load FILE --db DIR' means what it says: the flag package alone
// stops at the first argument and would take "--db" for a file. "--" ends
// the flags; "-" is an argument (standard input). Errors are usageErrors
// or flag.ErrHelp, returned before the command does anything.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		// A flag that is not boolean takes the next argument as its value.
		f := fs.Lookup(name)
		if f == nil {
			continue // the flag package refuses it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(append(append(flags, "--"), rest...)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{} // the flag package has printed the error and the usage
	}
	return nil
}

func defaultDB() string {
	if d := os.Getenv("HEARSAY_DB"); d != "" {
		return d
	}
	return "hearsay.db"
}

// open opens the database directory for a command.
func (e *env) open(dir string, mustExist bool, tune ...func(*store.Options)) (*store.DB, error) {
	if mustExist {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (load one with 'hearsay load --db %s FILE')", dir, dir)
		}
	}
	opt := store.DefaultOptions(dir)
	opt.Logger = e.log
	for _, t := range tune {
		t(&opt)
	}
	db, err := store.Open(opt)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// closeDB closes the database, keeping the first error.
func closeDB(db *store.DB, err *error) {
	if cerr := db.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
