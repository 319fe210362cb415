package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hearsay/api"
	"hearsay/graph"
	"hearsay/store"
)

// serverURLFile is written by 'hearsay serve' into the database directory
// while it runs: how 'hearsay backup' finds the server holding the
// database.
const serverURLFile = "server.url"

// serverKeyFile holds, beside it and readable by the owner only, the key
// with which the server proves it is the one holding the database
// (api/identity.go) before 'hearsay backup' sends it the write token.
const serverKeyFile = "server.key"

func cmdBackup(e *env, args []string) (err error) {
	fs, dir, level := e.flags("backup", "FILE (- for standard output)")
	server := fs.String("server", "", "back up through the running server at `URL` (found in the database directory when not given)")
	tokenFile := fs.String("token-file", "", "read the server's write token from `FILE` (else $HEARSAY_WRITE_TOKEN)")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"name the backup FILE"}
	}
	out := fs.Arg(0)
	start := time.Now()
	via := "the database"
	write := func(w io.Writer) error {
		if *server != "" {
			via = *server
			return e.backupRemote(*server, *tokenFile, w)
		}
		db, err := e.open(*dir, true, func(o *store.Options) { o.ReadOnly = true })
		if graph.ErrorCode(err) == graph.ECONFLICT {
			url, rerr := os.ReadFile(filepath.Join(*dir, serverURLFile))
			if rerr != nil {
				return fmt.Errorf("%w; if a hearsay server has it, run 'hearsay backup --server http://ADDR %s' "+
					"with HEARSAY_WRITE_TOKEN set", err, out)
			}
			via = strings.TrimSpace(string(url))
			if err := e.verifyServer(*dir, via); err != nil {
				return err
			}
			return e.backupRemote(via, *tokenFile, w)
		}
		if err != nil {
			return err
		}
		defer closeDB(db, &err)
		return db.Backup(e.ctx, w)
	}
	if out == "-" {
		return write(e.stdout)
	}
	if err := writeOut(out, write); err != nil {
		return err
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := store.VerifyBackup(e.ctx, f); err != nil {
		return fmt.Errorf("the backup written to %s does not verify: %w", out, err)
	}
	st, _ := f.Stat()
	fmt.Fprintf(e.stdout, "backed up %s through %s to %s (%d bytes, checksum verified) in %s\n",
		*dir, via, out, st.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// verifyServer makes sure the server at url is the one holding the
// database in dir before the write token is sent to it: server.url may be
// stale (a server killed without removing it) and its port taken by
// another program. The server must answer a fresh challenge with its
// HMAC under the key in server.key.
func (e *env) verifyServer(dir, url string) error {
	stale := func(why string) error {
		return fmt.Errorf("%s names %s, but %s; the write token was not sent. If a hearsay server holds %s, "+
			"run 'hearsay backup --server http://ADDR' with its address", serverURLFile, url, why, dir)
	}
	hexKey, err := os.ReadFile(filepath.Join(dir, serverKeyFile))
	if err != nil {
		return stale("there is no " + serverKeyFile + " to check it with")
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(hexKey)))
	if err != nil || len(key) == 0 {
		return stale(serverKeyFile + " is damaged")
	}
	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/healthz", nil)
	if err != nil {
		return stale("that is not a URL")
	}
	req.Header.Set(api.HeaderChallenge, hex.EncodeToString(challenge))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return stale("nothing answers there")
	}
	resp.Body.Close()
	proof, err := hex.DecodeString(resp.Header.Get(api.HeaderProof))
	if err != nil || !hmac.Equal(proof, api.Proof(key, challenge)) {
		return stale("what answers there is not the server holding this database")
	}
	return nil
}

// backupRemote streams a backup from a running server's /admin/backup.
func (e *env) backupRemote(server, tokenFile string, w io.Writer) error {
	token := os.Getenv("HEARSAY_WRITE_TOKEN")
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return err
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return errors.New("a backup through the server needs its write token: set HEARSAY_WRITE_TOKEN or pass --token-file")
	}
	req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, strings.TrimSuffix(server, "/")+"/admin/backup", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reach the server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("the server refused the backup: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

func cmdRestore(e *env, args []string) error {
	fs, dir, level := e.flags("restore", "FILE (- for standard input)")
	replace := fs.Bool("replace", false, "replace the database in --db whole (stopped: no process may hold it); a crash or a bad file leaves it as it was")
	if err := e.parse(fs, level, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"name the backup FILE"}
	}
	in, _, err := e.input(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	start := time.Now()
	opt := store.DefaultOptions(*dir)
	opt.Logger = e.log
	restore := store.Restore
	if *replace {
		// Verified whole first, loaded into a new generation beside the
		// live one and switched in by one rename of CURRENT.
		restore = store.RestoreOver
	}
	st, err := restore(e.ctx, opt, in)
	if graph.ErrorCode(err) == graph.ECONFLICT && !*replace {
		return graph.Errorf(graph.ECONFLICT, "%s, or pass --replace to replace that database whole", graph.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s into %s: %d outlets, %d officials, %d reports, %d claims, %d edges in %s\n",
		fs.Arg(0), *dir, st.Outlets, st.Officials, st.Reports, st.Claims, st.Edges, time.Since(start).Round(time.Millisecond))
	return nil
}
