package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/pier-hosting/pier"
)

// HeadLister lists the branches of an app's repository with their head
// commits (git ls-remote), with the app's credentials.
type HeadLister interface {
	Heads(ctx context.Context, app *pier.App) (map[string]string, error)
}

// Poller finds the changes of Git-connected apps' repositories without
// webhooks: it lists their branch heads at an interval and hands what
// changed since the last poll to HandleGitEvent. The heads last seen are
// kept in the blob store (pier.GitHeadsKey), so any node can go on polling
// after a restart. The first poll of an app only records its heads.
//
// Several runners each poll: a change may then be handled more than once,
// which HandleGitEvent makes harmless (a commit already built is not built
// again, a deleted branch is gone).
type Poller struct {
	svc      *Service
	heads    HeadLister
	interval time.Duration
}

// NewPoller returns a Poller of s's apps listing heads with heads every
// interval.
func (s *Service) NewPoller(heads HeadLister, interval time.Duration) *Poller {
	return &Poller{svc: s, heads: heads, interval: interval}
}

// Run polls every interval until ctx is done, and returns ctx's error.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.PollAll(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// PollAll polls every Git-connected app once. An app that cannot be polled
// (its repository is unreachable, say) is logged and skipped.
func (p *Poller) PollAll(ctx context.Context) {
	log := p.svc.cfg.Logger
	page := pier.Page{Limit: 100}
	for {
		apps, next, err := p.svc.store.ListAllApps(ctx, page)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("git poll: list apps", "err", err)
			}
			return
		}
		for _, app := range apps {
			if app.Repository == "" {
				continue
			}
			if err := p.Poll(ctx, app); err != nil && ctx.Err() == nil {
				log.Warn("git poll failed", "app_id", app.ID, "err", err)
			}
		}
		if next == "" {
			return
		}
		page.After = next
	}
}

// Poll compares app's branch heads with those of its last poll and handles
// the differences. The heads are recorded once every change was handled,
// so a change whose handling failed is tried again at the next poll.
func (p *Poller) Poll(ctx context.Context, app *pier.App) error {
	now, err := p.heads.Heads(ctx, app)
	if err != nil {
		return err
	}
	key := pier.GitHeadsKey(app.AccountID, app.ID)
	before, err := p.load(ctx, key)
	switch {
	case pier.ErrorCode(err) == pier.ENOTFOUND:
		return p.save(ctx, key, now) // first poll
	case err != nil:
		return err
	}
	for _, ev := range HeadChanges(before, now) {
		res, err := p.svc.HandleGitEvent(ctx, app, ev)
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.Kind, ev.Branch, err)
		}
		p.svc.cfg.Logger.Info("git poll", "app_id", app.ID, "event", ev.Kind, "git_branch", ev.Branch, "commit", ev.Commit,
			"branch", res.Branch, "created", res.Created, "deleted", res.Deleted, "job_started", res.Job != nil, "ignored", res.Ignored)
	}
	return p.save(ctx, key, now)
}

// HeadChanges returns the events that turn heads before into heads after,
// in branch order: a new branch is created and pushed, a moved head is
// pushed, a vanished branch is deleted. Commit messages are unknown to
// ls-remote, so no push is skipped with [skip-cd].
func HeadChanges(before, after map[string]string) []GitEvent {
	names := map[string]string{}
	maps.Copy(names, before)
	maps.Copy(names, after)
	var out []GitEvent
	for _, name := range slices.Sorted(maps.Keys(names)) {
		old, had := before[name]
		head, has := after[name]
		switch {
		case !has:
			out = append(out, GitEvent{Kind: GitBranchDeleted, Branch: name})
		case !had:
			out = append(out, GitEvent{Kind: GitBranchCreated, Branch: name, Commit: head},
				GitEvent{Kind: GitPush, Branch: name, Commit: head})
		case old != head:
			out = append(out, GitEvent{Kind: GitPush, Branch: name, Commit: head})
		}
	}
	return out
}

// load reads the heads recorded under key.
func (p *Poller) load(ctx context.Context, key string) (map[string]string, error) {
	r, _, err := p.svc.blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var heads map[string]string
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(&heads); err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return heads, nil
}

// save records heads under key.
func (p *Poller) save(ctx context.Context, key string, heads map[string]string) error {
	b, err := json.Marshal(heads)
	if err != nil {
		return err
	}
	if err := p.svc.blobs.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return fmt.Errorf("record heads: %w", err)
	}
	return nil
}
