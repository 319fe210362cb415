package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"hearsay/store"
)

// Snapshots (DESIGN.md section 6.1): a node publishes a backup of its
// database (store.DB.Backup, the ordinary backup format) into the
// JetStream object store bucket Stream+"_SNAPSHOTS", as the object
// "node-NAME", replicated like the stream. A backup holds the applied
// sequence it was taken at (it is a key of the database), and the object
// carries it too, in its metadata, so that a node can choose the newest
// without reading them. A node whose next command the stream has dropped
// restores the newest snapshot and applies the stream after it.

const metaApplied = "applied"

func bucket(opt Options) string { return opt.Stream + "_SNAPSHOTS" }

// snapshots opens the snapshot bucket, creating it if it does not exist
// (an existing one is used as it is).
func snapshots(ctx context.Context, js jetstream.JetStream, opt Options) (jetstream.ObjectStore, error) {
	obs, err := js.ObjectStore(ctx, bucket(opt))
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return obs, err
	}
	obs, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: bucket(opt), Storage: jetstream.FileStorage, Replicas: opt.Replicas,
		Description: "hearsay snapshots: each node's latest backup and the log sequence it holds"})
	if errors.Is(err, jetstream.ErrBucketExists) { // another node made it meanwhile
		return js.ObjectStore(ctx, bucket(opt))
	}
	return obs, err
}

// PublishSnapshot publishes a backup of the node's database and returns
// the applied sequence it holds at least (the one it was taken at may be
// later: the backup reads one snapshot of the database, after this
// sequence was read).
func (n *Node) PublishSnapshot(ctx context.Context) (uint64, error) {
	obs, err := snapshots(ctx, n.js, n.opt)
	if err != nil {
		return 0, fmt.Errorf("open the snapshot bucket: %w", err)
	}
	applied, err := n.DB.Applied(ctx)
	if err != nil {
		return 0, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(n.DB.Backup(ctx, pw)) }()
	_, err = obs.Put(ctx, jetstream.ObjectMeta{Name: "node-" + n.opt.Node,
		Metadata: map[string]string{metaApplied: strconv.FormatUint(applied, 10)}}, pr)
	pr.CloseWithError(err)
	if err != nil {
		return 0, fmt.Errorf("publish a snapshot: %w", err)
	}
	n.log.Info().Uint64("applied", applied).Msg("published a snapshot")
	return applied, nil
}

// Snapshots publishes a snapshot every interval while ctx lasts, when the
// node has applied something since the last one.
func (n *Node) Snapshots(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if a := n.Applied(); a != last {
			if got, err := n.PublishSnapshot(ctx); err != nil {
				n.log.Warn().Err(err).Msg("snapshot")
			} else {
				last = got
			}
		}
	}
}

// RestoreSnapshot replaces the database at opt.Dir with the newest
// snapshot of the cluster, as a new generation of that directory made live
// by one rename (store.RestoreOver checks the whole file before writing):
// a crash at any moment leaves the old database or the snapshot. The
// database must be closed. It returns the sequence the snapshot holds at
// least.
func RestoreSnapshot(ctx context.Context, ropt Options, opt store.Options) (uint64, error) {
	ropt.defaults()
	nc, js, st, err := Connect(ctx, ropt)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	obs, err := snapshots(ctx, js, ropt)
	if err != nil {
		return 0, err
	}
	list, err := obs.List(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0, err
	}
	var best *jetstream.ObjectInfo
	var bestSeq uint64
	for _, o := range list {
		s, err := strconv.ParseUint(o.Metadata[metaApplied], 10, 64)
		if err == nil && (best == nil || s > bestSeq) {
			best, bestSeq = o, s
		}
	}
	if best == nil || bestSeq+1 < info.State.FirstSeq {
		return 0, fmt.Errorf("%w, and no snapshot covers the gap (the newest holds %d, the stream starts at %d): restore a backup with 'hearsay restore' or raise the stream's retention",
			ErrBehindStream, bestSeq, info.State.FirstSeq)
	}
	r, err := obs.Get(ctx, best.Name)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if _, err := store.RestoreOver(ctx, opt, r); err != nil {
		return 0, fmt.Errorf("restore the snapshot %s: %w", best.Name, err)
	}
	return bestSeq, nil
}
