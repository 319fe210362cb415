package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hearsay/fixtures"
	"hearsay/store"
)

// seedFile is the seed dataset as a file, the way a user loads it.
var seedFile = filepath.Join("..", "..", "fixtures", fixtures.SeedName)

// hearsay runs the command in process and returns its exit code, stdout
// and stderr.
func hearsay(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun runs the command and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := hearsay(t, args...)
	if code != exitOK {
		t.Fatalf("hearsay %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestLoadStatsTrace(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	out := mustRun(t, "load", "--db", db, seedFile)
	if !strings.Contains(out, "loaded") || !strings.Contains(out, "25 claims") {
		t.Fatalf("load printed %q", out)
	}

	// Ensure stats --json prints the counts.
	t.Run("Stats", func(t *testing.T) {
		var s map[string]int64
		if err := json.Unmarshal([]byte(mustRun(t, "stats", "--db", db, "--json")), &s); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"outlets", "officials", "reports", "claims", "edges"} {
			if s[k] <= 0 {
				t.Errorf("stats %s = %d, want > 0 (%v)", k, s[k], s)
			}
		}
		if s["claims"] != 25 || s["reports"] != 2 || s["outlets"] != 2 || s["officials"] != 11 {
			t.Errorf("stats %v", s)
		}
	})

	// Ensure trace --json gives the headline chain hop by hop.
	t.Run("TraceJSON", func(t *testing.T) {
		var tr struct {
			Claim  string
			Chains []struct {
				From string
				Hops []struct {
					Report, Outlet, Mode string
					Inferred             bool
					To                   *string
				}
				Terminal string
				Origin   *string
				Flags    []string
			}
		}
		out := mustRun(t, "trace", "--db", db, "--json", fixtures.SeedClaim)
		if err := json.Unmarshal([]byte(out), &tr); err != nil {
			t.Fatal(err)
		}
		if tr.Claim != fixtures.SeedClaim || len(tr.Chains) != 2 {
			t.Fatalf("got %s", out)
		}
		c := tr.Chains[0]
		if c.From != "report:euromaidanpress-2025-us-backstop" || len(c.Hops) != 2 || c.Terminal != "OFFICIAL" ||
			c.Origin == nil || *c.Origin != "official:us-negotiators-unnamed" || c.Flags == nil {
			t.Fatalf("first chain: %+v", c)
		}
		if h := c.Hops[0]; h.Report != c.From || h.Outlet != "outlet:euromaidanpress" || h.Mode != "CITES_REPORT" ||
			h.To == nil || *h.To != "report:telegraph-2025-04-25-us-backstop" {
			t.Fatalf("first hop: %+v", h)
		}
		if h := c.Hops[1]; h.Outlet != "outlet:telegraph" || h.To == nil || *h.To != "official:us-negotiators-unnamed" {
			t.Fatalf("second hop: %+v", h)
		}
	})

	// Ensure the trace of the headline claim ends with its judgement, and
	// --json carries origins, independence and credibility.
	t.Run("TraceJudgement", func(t *testing.T) {
		const headline = "claim:us-offers-security-guarantees"
		out := strings.TrimSpace(mustRun(t, "trace", "--db", db, headline))
		last := out[strings.LastIndex(out, "\n")+1:]
		want := "2 reports, 1–2 independent origins (unnamed US negotiators and unnamed US officials, anonymous and possibly the same people, unrated) — credibility 3, possibly true"
		if last != want {
			t.Errorf("summary line\n  %s\nwant\n  %s", last, want)
		}
		var tr struct {
			Origins            []string
			IndependentOrigins struct{ Min, Max int }
			Credibility        struct {
				Grade      int
				Label, Why string
			}
			Chains []struct {
				Confidence float64
				LimitedBy  string
			}
		}
		if err := json.Unmarshal([]byte(mustRun(t, "trace", "--db", db, "--json", headline)), &tr); err != nil {
			t.Fatal(err)
		}
		if len(tr.Origins) != 2 || tr.IndependentOrigins.Min != 1 || tr.IndependentOrigins.Max != 2 ||
			tr.Credibility.Grade != 3 || tr.Credibility.Label != "possibly true" || !strings.Contains(tr.Credibility.Why, "possibly the same people") {
			t.Errorf("got %+v", tr)
		}
		if len(tr.Chains) != 4 || tr.Chains[0].Confidence != 0.2975 || tr.Chains[0].LimitedBy != "unnamed US negotiators (F)" {
			t.Errorf("chains %+v", tr.Chains)
		}
	})

	// Ensure the readable trace names the outlets and the origin.
	t.Run("TraceText", func(t *testing.T) {
		out := mustRun(t, "trace", "--db", db, fixtures.SeedClaim)
		for _, want := range []string{"Euromaidan Press", "The Telegraph, 2025-04-25", "unnamed US negotiators", "ends: OFFICIAL"} {
			if !strings.Contains(out, want) {
				t.Errorf("trace output lacks %q:\n%s", want, out)
			}
		}
	})

	// Ensure --max-depth cuts the chain.
	t.Run("MaxDepth", func(t *testing.T) {
		out := mustRun(t, "trace", "--db", db, "--json", "--max-depth", "1", fixtures.SeedClaim)
		if !strings.Contains(out, `"terminal": "DEPTH_LIMIT"`) {
			t.Fatalf("got %s", out)
		}
	})

	// Ensure an unknown claim exits non-zero with a clear message.
	t.Run("ErrNotFound", func(t *testing.T) {
		code, _, errOut := hearsay(t, "trace", "--db", db, "claim:nothing-like-this")
		if code != exitError || !strings.Contains(errOut, `no claim "claim:nothing-like-this"`) {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})

	// Ensure a malformed ID or a bad depth is a usage error.
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"trace", "--db", db, "report:x"},
			{"trace", "--db", db},
			{"trace", "--db", db, "--max-depth", "65", fixtures.SeedClaim},
			{"load", "--db", db},
			{"frobnicate"},
			{},
		} {
			if code, _, errOut := hearsay(t, args...); code != exitUsage {
				t.Errorf("hearsay %v: exit %d, want %d (%s)", args, code, exitUsage, errOut)
			}
		}
	})
}

func TestLoad_BadFileChangesNothing(t *testing.T) {
	// Ensure a rejected file exits non-zero, names the place, and changes nothing.
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	mustRun(t, "load", "--db", db, seedFile)
	before := mustRun(t, "export", "--db", db)
	bad := filepath.Join(dir, "bad.json")
	data := `{"format": "hearsay/v1", "outlets": [{"id": "outlet:x", "name": "X"}],
 "reports": [{"id": "report:x", "outlet": "outlet:x", "published": "2024-13-45"}]}`
	if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := hearsay(t, "load", "--db", db, bad)
	if code != exitError || !strings.Contains(errOut, `bad.json: reports[0].published: invalid date "2024-13-45"`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if after := mustRun(t, "export", "--db", db); after != before {
		t.Fatal("the rejected file changed the graph")
	}
}

func TestExport_RoundTrip(t *testing.T) {
	// Ensure load → export → load → export is byte-identical through the CLI, in both forms.
	dir := t.TempDir()
	for _, ext := range []string{".json", ".ndjson"} {
		a, b := filepath.Join(dir, "a"+ext), filepath.Join(dir, "b"+ext)
		mustRun(t, "load", "--db", filepath.Join(dir, "db1"+ext), seedFile)
		mustRun(t, "export", "--db", filepath.Join(dir, "db1"+ext), a)
		mustRun(t, "load", "--db", filepath.Join(dir, "db2"+ext), a)
		mustRun(t, "export", "--db", filepath.Join(dir, "db2"+ext), b)
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if len(ab) == 0 || !bytes.Equal(ab, bb) {
			t.Fatalf("%s exports differ or are empty (%d and %d bytes)", ext, len(ab), len(bb))
		}
	}
}

func TestStats_NoDatabase(t *testing.T) {
	// Ensure reading commands do not create a database where there is none.
	db := filepath.Join(t.TempDir(), "missing")
	code, _, errOut := hearsay(t, "stats", "--db", db)
	if code != exitError || !strings.Contains(errOut, "no database at") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatal("stats created a database directory")
	}
}

// TestSignal_ClosesCleanly runs the real binary, interrupts a load, and
// checks that the database was closed cleanly (a read-only open fails
// after an unclean stop) and holds all of the file or none of it.
func TestSignal_ClosesCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildHearsay(t)
	data := filepath.Join(dir, "big.ndjson")
	writeBig(t, data, 20_000)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "db")
			cmd := exec.Command(bin, "load", "--db", db, data)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The command traps signals before it creates the database,
			// so wait for the directory rather than for a fixed time.
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(db); err == nil || time.Now().After(deadline) {
					break
				}
			}
			_ = cmd.Process.Signal(sig)
			_ = cmd.Wait()
			if !cmd.ProcessState.Exited() {
				t.Fatalf("hearsay did not exit by itself: %v", cmd.ProcessState)
			}
			opt := store.DefaultOptions(db)
			opt.ReadOnly = true
			s, err := openStats(opt)
			if err != nil {
				t.Fatalf("read-only open after %s: %v (the database was not closed cleanly)", sig, err)
			}
			t.Logf("after %s: exit %d, %d claims", sig, cmd.ProcessState.ExitCode(), s)
			if s != 0 && s != 20_000 {
				t.Fatalf("after %s the database holds %d claims, want all or none", sig, s)
			}
		})
	}
}

func openStats(opt store.Options) (int64, error) {
	db, err := store.Open(opt)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	s, err := db.Stats(context.Background())
	return s.Claims, err
}

func writeBig(t *testing.T, name string, n int) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"kind": "dataset", "format": "hearsay/v1", "id": "big"}` + "\n")
	b.WriteString(`{"kind": "outlet", "id": "outlet:wire", "name": "Wire"}` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `{"kind": "report", "id": "report:r%06d", "outlet": "outlet:wire"}`+"\n", i)
		fmt.Fprintf(&b, `{"kind": "claim", "id": "claim:c%06d", "text": "Claim %d.", "appearances": [{"report": "report:r%06d", "mode": "PARAPHRASE"}]}`+"\n", i, i, i)
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	// Ensure flags after positional arguments are flags, for every command,
	// and that "--" ends the flags: 'hearsay load FILE --db DIR' loads
	// into DIR, not into ./hearsay.db with "--db" taken for a file.
	seed, err := filepath.Abs(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	db := filepath.Join(dir, "db")
	out := mustRun(t, "load", seed, "--db", db, "--quiet")
	if !strings.Contains(out, "25 claims") {
		t.Fatalf("load printed %q", out)
	}
	if _, err := os.Stat("hearsay.db"); !os.IsNotExist(err) {
		t.Fatal("load wrote ./hearsay.db although --db came after the file")
	}
	if out := mustRun(t, "stats", "--db", db, "--json"); !strings.Contains(out, `"claims":25`) && !strings.Contains(out, `"claims": 25`) {
		t.Fatalf("stats printed %q", out)
	}
	if out := mustRun(t, "trace", "claim:us-offers-security-guarantees", "--db", db, "--json"); !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("trace with --json after the ID printed %q", out)
	}
	exp := filepath.Join(dir, "out.json")
	mustRun(t, "export", exp, "--db", db, "--ndjson")
	if b, err := os.ReadFile(exp); err != nil || !bytes.HasPrefix(b, []byte(`{"kind":"dataset"`)) {
		t.Fatalf("export FILE --ndjson wrote %.40q (%v)", b, err)
	}
	bak := filepath.Join(dir, "b.bak")
	mustRun(t, "backup", bak, "--db", db)
	mustRun(t, "restore", bak, "--db", filepath.Join(dir, "restored"))
	mustRun(t, "check", "--db", filepath.Join(dir, "restored"))
	gen := filepath.Join(dir, "g.ndjson")
	mustRun(t, "gen", "--edges", "100", "--out", gen, "--quiet")

	// After "--" everything is an argument, even what looks like a flag.
	code, _, errOut := hearsay(t, "load", "--db", filepath.Join(dir, "db3"), "--", "--quiet")
	if code != exitError || !strings.Contains(errOut, "--quiet") {
		t.Fatalf("load -- --quiet: exit %d, stderr %q", code, errOut)
	}
	// An unknown flag after the file is refused before anything is written.
	db4 := filepath.Join(dir, "db4")
	code, _, errOut = hearsay(t, "load", seed, "--db", db4, "--nope")
	if code != exitUsage {
		t.Fatalf("load FILE --nope: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(db4); !os.IsNotExist(err) {
		t.Fatal("a refused command line created the database")
	}
	if _, err := os.Stat("hearsay.db"); !os.IsNotExist(err) {
		t.Fatal("a command wrote ./hearsay.db")
	}
}

func TestLoad_BulkNamesPlacesLikeTxn(t *testing.T) {
	// Ensure a bulk load names the place of a problem as the one-transaction
	// load does: the JSON path in a JSON document, the line and the path in
	// NDJSON, and both places of an ID given twice.
	const (
		outlet   = `{"id": "outlet:a", "name": "A"}`
		official = `{"id": "official:x", "name": "X", "form": "GROUP"}`
		report   = `{"id": "report:r1", "outlet": "outlet:a"}`
		header   = `{"kind": "dataset", "format": "hearsay/v1", "id": "t"}`
	)
	doc := func(outlets, officials, reports, claims string) string {
		return fmt.Sprintf(`{"format": "hearsay/v1", "outlets": [%s], "officials": [%s], "reports": [%s], "claims": [%s]}`,
			outlets, officials, reports, claims)
	}
	nd := func(lines ...string) string { return header + "\n" + strings.Join(lines, "\n") + "\n" }
	for _, tt := range []struct{ name, file, data, want string }{
		{"DocUnknownSource", "u.json", doc(outlet, official, report,
			`{"id": "claim:c", "text": "C.", "appearances": [{"report": "report:r1", "mode": "PARAPHRASE", "attributedTo": [{"source": "official:x", "mode": "PARAPHRASE"}, {"source": "official:nobody", "mode": "PARAPHRASE"}]}]}`),
			`u.json: claims[0].appearances[0].attributedTo[1].source: unknown official "official:nobody"`},
		{"DocUnknownCite", "u.json", doc(outlet, "", report+`, {"id": "report:r2", "outlet": "outlet:a", "cites": ["report:r1", "report:gone"]}`, ""),
			`u.json: reports[1].cites[1]: unknown report "report:gone"`},
		{"DocUnknownSameAs", "u.json", doc("", `{"id": "official:x", "name": "X", "form": "GROUP", "possiblySameAs": ["official:y"]}`, "", ""),
			`u.json: officials[0].possiblySameAs[0]: unknown official "official:y"`},
		{"DocDuplicate", "d.json", doc(outlet+`, {"id": "outlet:b", "name": "B"}, `+outlet, "", "", ""),
			`d.json: outlets[2].id: "outlet:a" is given twice (first at outlets[0])`},
		{"NDJSONUnknownOutlet", "u.ndjson", nd(`{"kind": "report", "id": "report:r1", "outlet": "outlet:gone"}`),
			`u.ndjson:2: outlet: unknown outlet "outlet:gone"`},
		// A node's own rules are checked once, by the parser, which the
		// bulk load trusts (BulkOptions.Validated): the place is the same.
		{"NDJSONNodeRule", "r.ndjson", nd(`{"kind": "outlet", "id": "outlet:a", "name": "A"}`, `{"kind": "report", "id": "report:r1", "outlet": "outlet:a", "cites": ["report:r1"]}`),
			`r.ndjson:3: cites[0]: a report cannot cite itself`},
		{"NDJSONDuplicate", "d.ndjson", nd(`{"kind": "outlet", "id": "outlet:a", "name": "A"}`, `{"kind": "outlet", "id": "outlet:b", "name": "B"}`, `{"kind": "outlet", "id": "outlet:a", "name": "C"}`),
			`d.ndjson:4: id: "outlet:a" is given twice (first at line 2)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, tt.file)
			if err := os.WriteFile(file, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, method := range []string{"txn", "bulk"} {
				code, _, errOut := hearsay(t, "load", "--db", filepath.Join(dir, "db-"+method), "--method", method, file)
				if code != exitError || !strings.Contains(errOut, file+":") || !strings.Contains(errOut, tt.want) {
					t.Errorf("--method %s: exit %d, stderr\n  %s\nwant it to contain\n  %s", method, code, errOut, tt.want)
				}
			}
		})
	}
}
