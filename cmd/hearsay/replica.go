package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"hearsay/fixtures"
	"hearsay/graph"
	"hearsay/store"
	"hearsay/store/replica"
)

// replicaFlags are the flags of a command that talks to a replicated
// deployment (DESIGN.md section 6.1).
type replicaFlags struct {
	nats, stream, node string
	replicas           int
	snapshotEvery      time.Duration
}

func (r *replicaFlags) add(fs *flag.FlagSet, serve bool) {
	fs.StringVar(&r.nats, "nats", "", "replicate through the NATS JetStream cluster at `URL[,URL...]` (nats://host:4222); without it nothing uses NATS")
	fs.StringVar(&r.stream, "stream", replica.DefaultStream, "the JetStream stream `NAME` of the replicated log")
	fs.IntVar(&r.replicas, "replicas", 3, "copies of the stream the cluster keeps (3: a write survives one NATS server lost)")
	if serve {
		host, _ := os.Hostname()
		fs.StringVar(&r.node, "node", host, "this node's `NAME` in logs and snapshots")
		fs.DurationVar(&r.snapshotEvery, "snapshot-every", 0, "publish a snapshot of this node's database to the cluster this often (0: never), for nodes that fall behind the stream's retention")
	}
}

func (r *replicaFlags) options(e *env) replica.Options {
	var urls []string
	for u := range strings.SplitSeq(r.nats, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return replica.Options{URLs: urls, Stream: r.stream, Node: r.node, Replicas: r.replicas, Logger: e.log}
}

// openReplica starts this node's replication on db. A node that the
// stream's retention has left behind restores the cluster's newest
// snapshot first: db is closed, replaced and opened again, and returned.
func (e *env) openReplica(db *store.DB, dir string, r *replicaFlags, tune func(*store.Options)) (*store.DB, *replica.Node, error) {
	opt := r.options(e)
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	n, err := replica.Open(ctx, db, opt)
	if !errors.Is(err, replica.ErrBehindStream) {
		return db, n, err
	}
	e.log.Warn().Err(err).Msg("behind the stream: restoring the cluster's newest snapshot")
	if cerr := db.Close(); cerr != nil {
		return nil, nil, cerr
	}
	sopt := store.DefaultOptions(dir)
	sopt.Logger = e.log
	tune(&sopt)
	seq, err := replica.RestoreSnapshot(e.ctx, opt, sopt)
	if err != nil {
		return nil, nil, err
	}
	e.log.Info().Uint64("applied", seq).Msg("restored a snapshot")
	if db, err = e.open(dir, false, tune); err != nil {
		return nil, nil, err
	}
	n, err = replica.Open(ctx, db, opt)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, n, nil
}

// cmdReplica: 'hearsay replica status' prints what an operator compares
// between nodes: from a stopped node's directory (--db), or from running
// nodes (--server URL,URL..., GET /admin/replica with the write token),
// and then whether they agree.
func cmdReplica(e *env, args []string) (err error) {
	if len(args) == 0 || args[0] != "status" {
		return usageError{"usage: hearsay replica status [--db DIR | --server URL[,URL...]] (the applied log sequence, the counts and a SHA-256 of the keys)"}
	}
	fs, dir, level := e.flags("replica status", "")
	servers := fs.String("server", "", "ask the running nodes at `URL[,URL...]` (http://host:port) instead of opening --db")
	tokenFile := fs.String("write-token-file", "", "read the write token /admin/replica needs from `FILE` (else $HEARSAY_WRITE_TOKEN)")
	if err := e.parse(fs, level, args[1:]); err != nil {
		return err
	}
	var all []graph.ReplicaStatus
	if *servers == "" {
		db, err := e.open(*dir, true, func(o *store.Options) { o.ReadOnly = true })
		if err != nil {
			return err
		}
		defer closeDB(db, &err)
		d, err := db.Digest(e.ctx)
		if err != nil {
			return err
		}
		all = append(all, graph.ReplicaStatus{Node: *dir, Applied: d.Applied, Stats: d.Stats, Keys: d.Keys, SHA256: d.SHA256})
	} else {
		token, err := writeToken(*tokenFile)
		if err != nil {
			return err
		}
		for u := range strings.SplitSeq(*servers, ",") {
			st, err := fetchReplicaStatus(e.ctx, strings.TrimSpace(u), token)
			if err != nil {
				return err
			}
			all = append(all, st)
		}
	}
	enc := json.NewEncoder(e.stdout)
	for _, st := range all {
		if err := enc.Encode(st); err != nil {
			return err
		}
	}
	if len(all) < 2 {
		return nil
	}
	for _, st := range all[1:] {
		if st.Applied != all[0].Applied {
			fmt.Fprintf(e.stdout, "at different log positions (%d and %d): compare again when writes pause\n", all[0].Applied, st.Applied)
			return nil
		}
	}
	for _, st := range all[1:] {
		if st.SHA256 != all[0].SHA256 || st.Keys != all[0].Keys {
			return fmt.Errorf("the nodes disagree at log position %d: %s and %s hold different keys", all[0].Applied, all[0].Node, st.Node)
		}
	}
	fmt.Fprintf(e.stdout, "agree: %d nodes at log position %d, %d keys, sha256 %s\n", len(all), all[0].Applied, all[0].Keys, all[0].SHA256)
	return nil
}

// fetchReplicaStatus asks a running node for its status.
func fetchReplicaStatus(ctx context.Context, base, token string) (graph.ReplicaStatus, error) {
	var st graph.ReplicaStatus
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/admin/replica", nil)
	if err != nil {
		return st, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return st, err
	}
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("%s/admin/replica: %s: %s", base, resp.Status, bytes.TrimSpace(body))
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("%s/admin/replica: %w", base, err)
	}
	return st, nil
}

// loadNATS publishes each file to the cluster as one bulk import
// (replica.PublishBulk): its bytes in chunks and a commit, which every
// node applies atomically, whatever the file's size, at the commit's
// place in the log. The file is parsed here first, so that a format error
// is reported without publishing anything; what only the graph can judge
// (references to stored nodes, an ID given twice) is judged by every
// node alike. With wait > 0 it waits that long for the first node to
// report the outcome, and a refusal is the command's error.
func (e *env) loadNATS(r *replicaFlags, files []string, wait time.Duration) error {
	p, err := replica.NewPublisher(e.ctx, r.options(e))
	if err != nil {
		return err
	}
	defer p.Close()
	for _, name := range files {
		if err := e.publishFile(p, name, wait); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) publishFile(p *replica.Publisher, name string, wait time.Duration) error {
	f, size, err := e.spooled(name)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	records := 0
	if _, err := fixtures.Stream(name, f, fixtures.Options{}, func(int, any) error { records++; return nil }); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := p.PublishBulk(e.ctx, name, f, size)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Fprintf(e.stdout, "%s: published %d records, %d bytes (sha256 %s) as %d chunk(s) and a commit at log sequence %d in %s\n",
		name, records, size, w.SHA256, w.Chunks, w.Seq, time.Since(start).Round(time.Millisecond))
	if wait <= 0 {
		fmt.Fprintf(e.stdout, "%s: every node applies it, or refuses it, in order (Hearsay-Min-Seq: %d reads it; 'hearsay replica status' compares nodes)\n", name, w.Seq)
		return nil
	}
	ctx, cancel := context.WithTimeout(e.ctx, wait)
	defer cancel()
	out, err := w.Wait(ctx)
	if err != nil {
		return fmt.Errorf("%s: published at log sequence %d, but no node reported applying it within %s (%v): "+
			"check with 'hearsay replica status --server ...' or read with Hearsay-Min-Seq: %d", name, w.Seq, wait, err, w.Seq)
	}
	if out.Error != "" {
		return graph.Errorf(out.Code, "%s: refused by every node at log sequence %d, nothing changed: %s", name, out.Seq, out.Error)
	}
	fmt.Fprintf(e.stdout, "%s: applied at log sequence %d (node %s reported first): %d nodes, %d edges, in %s\n",
		name, out.Seq, out.Node, out.Nodes, out.Edges, time.Since(start).Round(time.Millisecond))
	return nil
}

// spooled opens a file to be read twice: standard input, or anything but a
// regular file, is copied to a temporary file first (removed on Close).
func (e *env) spooled(name string) (*os.File, int64, error) {
	in, size, err := e.input(name)
	if err != nil {
		return nil, 0, err
	}
	if f, ok := in.(*os.File); ok && size >= 0 {
		return f, size, nil
	}
	defer in.Close()
	tmp, err := os.CreateTemp("", "hearsay-load-*")
	if err != nil {
		return nil, 0, err
	}
	_ = os.Remove(tmp.Name()) // the open file stays readable
	size, err = io.Copy(tmp, in)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		tmp.Close()
		return nil, 0, fmt.Errorf("%s: spool: %w", name, err)
	}
	return tmp, size, nil
}
