package service

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pier-hosting/pier"
)

// DefaultLogPollInterval is how often a follower of a running job checks
// for more log.
const DefaultLogPollInterval = 250 * time.Millisecond

// JobLogInput selects the log FollowJobLog writes.
type JobLogInput struct {
	// JobID is the job whose log to write; "" means the branch's latest job.
	JobID string
	// Follow keeps writing as the job runs, until it has ended and all its
	// log is written. Without it, FollowJobLog writes what exists and returns.
	Follow bool
	// PollInterval is how often a follower checks for more log
	// (DefaultLogPollInterval when zero).
	PollInterval time.Duration
}

// FollowJobLog writes the log of a job to w: the log of each step in order,
// introduced by a line "==== NAME ====", every byte exactly once. It calls
// flush once the job is found, before writing anything, and after each batch
// of writes, so a caller can commit a response and push what was written.
//
// A follower moves on to the next step only once a step has ended (or the
// job has): until then the runner may still rewrite the step's log with more
// lines. A step without a log blob shows its header only.
//
// It returns ENOTFOUND for an unknown job (or, for JobID "", a branch
// without jobs), and ctx's error when ctx ends while following.
func (s *Service) FollowJobLog(ctx context.Context, account, appID, branch string, in JobLogInput, w io.Writer, flush func()) error {
	j, err := s.findJob(ctx, account, appID, branch, in.JobID)
	if err != nil {
		return err
	}
	flush()
	poll := in.PollInterval
	if poll <= 0 {
		poll = DefaultLogPollInterval
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	f := &logFollower{s: s, w: w}
	for {
		// The job is read before its logs, so a job read as ended has
		// final logs.
		last := !in.Follow || j.Terminal()
		before := f.written
		if err := f.copy(ctx, j, last); err != nil {
			return err
		}
		if f.written > before {
			flush()
		}
		if last {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if j, err = s.store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID); err != nil {
			return err
		}
	}
}

// findJob returns job jobID of a branch, or its latest job when jobID is "".
func (s *Service) findJob(ctx context.Context, account, appID, branch, jobID string) (*pier.Job, error) {
	if jobID != "" {
		return s.store.GetJob(ctx, account, appID, branch, parseJobID(jobID))
	}
	b, err := s.store.GetBranch(ctx, account, appID, branch)
	if err != nil {
		return nil, err
	}
	if b.LastJobID == 0 {
		return nil, pier.Errorf(pier.ENOTFOUND, "Branch %s has no jobs.", branch)
	}
	return s.store.GetJob(ctx, account, appID, branch, b.LastJobID)
}

// logFollower remembers how much of a job's log it has written: whole steps
// before step, and offset bytes of step's log after its header if started.
type logFollower struct {
	s       *Service
	w       io.Writer
	step    int
	started bool
	offset  int64
	written int64 // bytes written in all, headers included
}

// copy writes what is new in the logs of j's steps. It moves past a step once
// the step has ended, or at once when last says this is the last pass.
func (f *logFollower) copy(ctx context.Context, j *pier.Job, last bool) error {
	for f.step < len(j.Steps) {
		st := &j.Steps[f.step]
		if !f.started {
			n, err := fmt.Fprintf(f.w, "==== %s ====\n", st.Name)
			f.written += int64(n)
			if err != nil {
				return err
			}
			f.started = true
		}
		key := pier.LogKey(j.AccountID, j.AppID, j.BranchName, j.ID, st.Name)
		n, err := f.copyFrom(ctx, key)
		f.offset += n
		f.written += n
		if err != nil {
			return err
		}
		if !last && st.EndTime.IsZero() {
			return nil // still running: its log may grow
		}
		f.step, f.started, f.offset = f.step+1, false, 0
	}
	return nil
}

// copyFrom writes the blob at key past the follower's offset and returns how
// many bytes it wrote; a missing blob has none.
func (f *logFollower) copyFrom(ctx context.Context, key string) (int64, error) {
	info, err := f.s.blobs.Stat(ctx, key)
	if pier.ErrorCode(err) == pier.ENOTFOUND || err == nil && info.Size <= f.offset {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("stat log %s: %w", key, err)
	}
	rc, _, err := f.s.blobs.Open(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("open log %s: %w", key, err)
	}
	defer rc.Close()
	if _, err := rc.Seek(f.offset, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek log %s: %w", key, err)
	}
	return io.Copy(f.w, rc)
}
