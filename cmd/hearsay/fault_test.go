package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe_StorageFails runs 'hearsay serve', takes away what Badger
// needs to create its next memtable's log (the failure that used to wedge
// the server with nil-pointer panics) and writes until a write fails:
//
//   - NoInodes: the database is on a tmpfs whose inodes are then used up;
//   - ReadOnlyDir: the server runs as an unprivileged user (root ignores
//     permissions) and the database directory is made read-only under it.
//
// That write fails STORAGE_UNAVAILABLE naming the cause; the server logs
// why, drains and exits with exitStorage; started again once the fault is
// cleared, it holds every write it acknowledged and checks clean.
func TestServe_StorageFails(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildHearsay(t)
	t.Run("NoInodes", func(t *testing.T) {
		mnt := filepath.Join(t.TempDir(), "mnt")
		if err := os.Mkdir(mnt, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512m,nr_inodes=64", "tmpfs", mnt).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here (needs root): %v: %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
		fill := filepath.Join(mnt, "fill")
		storageFails(t, nil, bin, filepath.Join(mnt, "db"), t.TempDir(), "no space left on device",
			func() {
				if err := os.Mkdir(fill, 0o755); err != nil {
					t.Fatal(err)
				}
				for i := 0; ; i++ {
					f, err := os.Create(filepath.Join(fill, fmt.Sprint(i)))
					if errors.Is(err, syscall.ENOSPC) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					f.Close()
				}
			},
			func() {
				if err := os.RemoveAll(fill); err != nil {
					t.Fatal(err)
				}
			})
	})
	t.Run("ReadOnlyDir", func(t *testing.T) {
		const nobody = 65534
		setpriv, err := exec.LookPath("setpriv")
		if err != nil || os.Geteuid() != 0 {
			t.Skip("needs root and setpriv to run the server as another user")
		}
		// A directory the unprivileged server can reach, holding the
		// binary, its token and its database.
		work, err := os.MkdirTemp("", "hearsay-readonly-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(work) })
		if err := os.Chmod(work, 0o755); err != nil {
			t.Fatal(err)
		}
		exe, db := filepath.Join(work, "hearsay"), filepath.Join(work, "db")
		raw, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(exe, raw, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(db, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(db, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		wrap := []string{setpriv, fmt.Sprintf("--reuid=%d", nobody), fmt.Sprintf("--regid=%d", nobody), "--clear-groups"}
		// Every directory of the database, the live generation's included.
		chmodAll := func(mode os.FileMode) {
			err := filepath.WalkDir(db, func(path string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					err = os.Chmod(path, mode)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		storageFails(t, wrap, exe, db, work, "permission denied",
			func() { chmodAll(0o555) }, func() { chmodAll(0o755) })
	})
}

// storageFails starts the binary (under wrap, if any) on db, calls fault,
// writes until a write fails and checks the failure, the exit and the
// recovery after clear.
func storageFails(t *testing.T, wrap []string, bin, db, tokenDir, cause string, fault, clear func()) {
	tokenFile := filepath.Join(tokenDir, "token")
	if err := os.WriteFile(tokenFile, []byte("fault-token"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startCommand(t, append(wrap, bin), "--db", db, "--write-token-file", tokenFile, "--no-seed")
	fault()
	// Datasets of 1,000 outlets, to fill Badger's 64 MB memtable in few
	// requests.
	var acked []string
	var last *gqlAnswer
	for i := 0; i < 1000; i++ {
		var ds strings.Builder
		ds.WriteString(`{"format": "hearsay/v1", "outlets": [`)
		for j := range 1000 {
			if j > 0 {
				ds.WriteString(",")
			}
			fmt.Fprintf(&ds, `{"id": "outlet:o%04d-%04d", "name": %q}`, i, j, strings.Repeat("n", 400))
		}
		ds.WriteString("]}")
		a := p.post(t, "fault-token", `mutation($d: String!) { importDataset(data: $d) { nodes } }`, map[string]any{"d": ds.String()})
		if len(a.Errors) > 0 {
			last = a
			break
		}
		acked = append(acked, fmt.Sprintf("outlet:o%04d-0000", i), fmt.Sprintf("outlet:o%04d-0999", i))
	}
	if last == nil || last.code(t) != "STORAGE_UNAVAILABLE" || !strings.Contains(last.Errors[0].Message, cause) {
		t.Fatalf("after %d writes: %v", len(acked), last)
	}
	t.Logf("%d writes acknowledged, then %s", len(acked), last.body)
	var code int
	select {
	case code = <-p.done:
	case <-time.After(time.Minute): // a guard, not a measurement
		t.Fatal("the server did not exit after its storage failed")
	}
	if code != exitStorage {
		t.Errorf("exit code %d, want %d", code, exitStorage)
	}
	logged := false
	var lines []string
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.HasPrefix(l, "{") {
			lines = append(lines, l)
		}
	}
	for _, l := range logLines(t, strings.Join(lines, "\n")) {
		if msg, _ := l["message"].(string); strings.HasPrefix(msg, "storage failed: draining") &&
			l["reason"] != nil && l["exit_code"] == float64(exitStorage) {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no log line says why the server stops:\n%s", p.stderr)
	}
	// The fault is cleared; a supervisor starts the server again.
	clear()
	again := startServe(t, "--db", db, "--write-token-file", tokenFile, "--no-seed")
	resp, err := http.Get(again.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after the restart: %d", resp.StatusCode)
	}
	for _, id := range acked[max(0, len(acked)-6):] {
		var out struct{ Outlet *struct{ ID string } }
		again.post(t, "", fmt.Sprintf(`{ outlet(id: %q) { id } }`, id), nil).mustData(t, &out)
		if out.Outlet == nil {
			t.Errorf("acknowledged write %s lost", id)
		}
	}
	again.post(t, "fault-token", `mutation { createOutlet(input: {id: "outlet:after-restart", name: "x"}) { id } }`, nil).mustData(t, nil)
	if code := again.stop(t); code != exitOK {
		t.Errorf("stop after the restart: exit %d", code)
	}
	if code, out, stderr := hearsay(t, "check", "--db", db); code != exitOK {
		t.Errorf("check: %s %s", out, stderr)
	}
}

// startCommand runs 'hearsay serve' with args on 127.0.0.1:0, the command
// line ending with the built binary (a wrapper such as setpriv may come
// first), waits until it listens and returns it as a servedProcess whose
// done channel gets the exit code.
func startCommand(t *testing.T, command []string, args ...string) *servedProcess {
	t.Helper()
	p := &servedProcess{stdout: &serveOutput{}, stderr: &serveOutput{}, cancel: func() {}, done: make(chan int, 1)}
	cmd := exec.Command(command[0], append(append(command[1:], "serve", "--addr", "127.0.0.1:0", "--log-format", "json"), args...)...)
	cmd.Stdout = p.stdout
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		p.done <- cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	for deadline := time.Now().Add(time.Minute); p.url == ""; time.Sleep(10 * time.Millisecond) {
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			var line struct{ Message, Addr string }
			if json.Unmarshal([]byte(l), &line) == nil && line.Message == "serving" {
				p.url = "http://" + line.Addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", p.stderr)
		}
	}
	return p
}
