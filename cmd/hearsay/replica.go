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
	"slices"
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

// loadNATS publishes each file's dataset to the cluster as imports of at
// most batch nodes each (all of a file in one when batch is 0): each
// import is atomic, applied by every node at its place in the log.
func (e *env) loadNATS(r *replicaFlags, files []string, batch int) error {
	p, err := replica.NewPublisher(e.ctx, r.options(e))
	if err != nil {
		return err
	}
	defer p.Close()
	for _, name := range files {
		in, _, err := e.input(name)
		if err != nil {
			return err
		}
		ds, err := fixtures.Parse(name, in, fixtures.Options{})
		in.Close()
		if err != nil {
			return err
		}
		parts := splitDataset(ds, batch)
		var first, last uint64
		start := time.Now()
		for i, part := range parts {
			seq, err := p.Publish(e.ctx, &store.Command{Op: store.OpImportDataset, Dataset: part})
			if err != nil {
				return fmt.Errorf("%s: import %d of %d: %w", name, i+1, len(parts), err)
			}
			if i == 0 {
				first = seq
			}
			last = seq
		}
		fmt.Fprintf(e.stdout, "%s: published %d import(s) at log sequences %d-%d in %s; every node applies them in order (Hearsay-Min-Seq: %d reads them)\n",
			name, len(parts), first, last, time.Since(start).Round(time.Millisecond), last)
	}
	return nil
}

// splitDataset cuts a dataset into parts of at most batch nodes, in the
// order outlets, officials, reports, claims, each part an import of its
// own that the graph must accept alone: every reference of a part must
// name a node of that part or an earlier one. A report citing a report
// of a later part, or an official possibly the same as one of a later
// part, goes in without that reference first and again whole in a last
// part, once every node is in (an import replaces a node with its
// edges, and merges possibly-same-as links).
func splitDataset(ds *graph.Dataset, batch int) []*graph.Dataset {
	nodes := ds.Nodes()
	if batch <= 0 || len(nodes) <= batch {
		return []*graph.Dataset{ds}
	}
	placed := make(map[string]bool, len(nodes))
	var out []*graph.Dataset
	var again []any
	add := func(part *graph.Dataset, n any) {
		switch n := n.(type) {
		case *graph.Outlet:
			part.Outlets = append(part.Outlets, n)
		case *graph.Official:
			part.Officials = append(part.Officials, n)
		case *graph.Report:
			part.Reports = append(part.Reports, n)
		case *graph.Claim:
			part.Claims = append(part.Claims, n)
		}
	}
	for i := 0; i < len(nodes); i += batch {
		chunk := nodes[i:min(len(nodes), i+batch)]
		for _, n := range chunk {
			id, _ := graph.NodeID(n)
			placed[id] = true
		}
		part := &graph.Dataset{Info: ds.Info}
		for _, n := range chunk {
			switch v := n.(type) {
			case *graph.Report:
				if !allPlaced(placed, v.Cites) {
					cp := *v
					cp.Cites = slices.DeleteFunc(slices.Clone(v.Cites), func(id string) bool { return !placed[id] })
					add(part, &cp)
					again = append(again, v)
					continue
				}
			case *graph.Official:
				var ids []string
				for _, s := range v.PossiblySameAs {
					ids = append(ids, s.Official)
				}
				if !allPlaced(placed, ids) {
					cp := *v
					cp.PossiblySameAs = slices.DeleteFunc(slices.Clone(v.PossiblySameAs), func(s graph.SameAs) bool { return !placed[s.Official] })
					add(part, &cp)
					again = append(again, v)
					continue
				}
			}
			add(part, n)
		}
		out = append(out, part)
	}
	for i := 0; i < len(again); i += batch {
		part := &graph.Dataset{Info: ds.Info}
		for _, n := range again[i:min(len(again), i+batch)] {
			add(part, n)
		}
		out = append(out, part)
	}
	return out
}

func allPlaced(placed map[string]bool, ids []string) bool {
	for _, id := range ids {
		if !placed[id] {
			return false
		}
	}
	return true
}
