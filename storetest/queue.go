package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// queued creates a job of b with the given type and status, without a lease.
func (f *fixture) queued(b *pier.Branch, typ, status string) *pier.Job {
	f.t.Helper()
	j := sampleJob(b.AccountID, b.AppID, b.Name)
	j.Type, j.Status = typ, status
	j.LeaseOwner, j.LeaseUntil = "", time.Time{}
	f.check(f.s.CreateJob(f.ctx, j))
	return j
}

// leased creates a job of b with the given status and lease.
func (f *fixture) leased(b *pier.Branch, status string, until time.Time) *pier.Job {
	f.t.Helper()
	j := sampleJob(b.AccountID, b.AppID, b.Name)
	j.Status, j.LeaseOwner, j.LeaseUntil = status, "runner-x", until
	f.check(f.s.CreateJob(f.ctx, j))
	return j
}

// jobPath identifies a job across accounts, apps and branches.
func jobPath(j *pier.Job) string {
	return fmt.Sprintf("%s/%s/%s/%d", j.AccountID, j.AppID, j.BranchName, j.ID)
}

var queueTests = []test{
	{"ClaimOldestOfTypes", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		other := f.branch(f.app(accountB, app2), "main")
		want := []*pier.Job{f.queued(main, pier.JobTypeRelease, pier.JobPending)}
		hook := f.queued(dev, pier.JobTypeWebhook, pier.JobPending)
		want = append(want, f.queued(other, pier.JobTypeManual, pier.JobPending))
		f.queued(main, pier.JobTypeRelease, pier.JobSucceed)
		want = append(want, f.queued(dev, pier.JobTypeManual, pier.JobPending))
		f.queued(main, pier.JobTypeRelease, pier.JobCancelled)
		want = append(want, f.queued(main, pier.JobTypeRelease, pier.JobPending))
		f.queued(main, pier.JobTypeRetry, pier.JobRunning)
		stale := *want[0]

		types := []string{pier.JobTypeManual, pier.JobTypeRelease}
		for i, w := range want {
			got, err := f.s.ClaimJob(f.ctx, types, "runner-a", t2)
			f.check(err)
			w.Status, w.LeaseOwner, w.LeaseUntil, w.Version = pier.JobRunning, "runner-a", t2, 2
			wantEqual(t, fmt.Sprintf("claim %d", i), got, w)
			stored, err := f.s.GetJob(f.ctx, w.AccountID, w.AppID, w.BranchName, w.ID)
			f.check(err)
			wantEqual(t, fmt.Sprintf("stored job of claim %d", i), stored, w)
		}
		_, err := f.s.ClaimJob(f.ctx, types, "runner-a", t2)
		wantCode(t, err, pier.ENOTFOUND)

		// A copy read before the claim is stale.
		stale.Status = pier.JobCancelled
		wantCode(t, f.s.UpdateJob(f.ctx, &stale), pier.ECONFLICT)

		_, err = f.s.ClaimJob(f.ctx, nil, "runner-b", t2)
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.ClaimJob(f.ctx, []string{pier.JobTypeWebhook, "UNKNOWN"}, "runner-b", t1)
		f.check(err)
		if jobPath(got) != jobPath(hook) || got.LeaseOwner != "runner-b" {
			t.Errorf("claimed %s for %s, want %s for runner-b", jobPath(got), got.LeaseOwner, jobPath(hook))
		}
		_, err = f.s.ClaimJob(f.ctx, []string{pier.JobTypeWebhook, pier.JobTypeManual, pier.JobTypeRelease, pier.JobTypeRetry}, "runner-b", t2)
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"ClaimConcurrent", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		const jobs, claimers = 20, 10
		want := map[string]bool{}
		for i := range jobs {
			b := main
			if i%3 == 0 {
				b = dev
			}
			want[jobPath(f.queued(b, pier.JobTypeRelease, pier.JobPending))] = true
		}
		claimed := make([][]*pier.Job, claimers)
		var wg sync.WaitGroup
		for i := range claimers {
			wg.Go(func() {
				owner := fmt.Sprintf("runner-%d", i)
				for {
					j, err := f.s.ClaimJob(f.ctx, []string{pier.JobTypeRelease}, owner, t2)
					if pier.ErrorCode(err) == pier.ENOTFOUND {
						return
					} else if err != nil {
						t.Errorf("ClaimJob: %v", err)
						return
					}
					if j.LeaseOwner != owner || j.Status != pier.JobRunning {
						t.Errorf("%s claimed %s, which is %s for %s", owner, jobPath(j), j.Status, j.LeaseOwner)
					}
					claimed[i] = append(claimed[i], j)
				}
			})
		}
		wg.Wait()
		got := map[string]int{}
		for _, js := range claimed {
			for _, j := range js {
				got[jobPath(j)]++
				stored, err := f.s.GetJob(f.ctx, j.AccountID, j.AppID, j.BranchName, j.ID)
				f.check(err)
				wantEqual(t, "stored claimed job", stored, j)
			}
		}
		for path := range want {
			if got[path] != 1 {
				t.Errorf("job %s claimed %d times, want once", path, got[path])
			}
		}
		if len(got) != len(want) {
			t.Errorf("claimed %d distinct jobs, want %d", len(got), len(want))
		}
	}},
	{"ExpiredJobs", func(t *testing.T, f *fixture) {
		now := t1
		main := f.branch(f.app(accountA, app1), "main")
		other := f.branch(f.app(accountB, app2), "main")
		renewed := f.leased(main, pier.JobRunning, t0)
		want := []*pier.Job{
			renewed,
			f.leased(other, pier.JobCancelling, now.Add(-time.Millisecond)),
			// No lease at all is a lease that ended long ago.
			f.leased(main, pier.JobRunning, time.Time{}),
		}
		f.leased(main, pier.JobRunning, now.Add(time.Millisecond))
		f.leased(other, pier.JobCancelling, t2)
		for _, status := range []string{pier.JobPending, pier.JobProvisioning, pier.JobSucceed, pier.JobFailed, pier.JobCancelled} {
			f.leased(main, status, t0)
		}
		got, err := f.s.ExpiredJobs(f.ctx, now)
		f.check(err)
		byPath := func(a, b *pier.Job) int { return cmp.Compare(jobPath(a), jobPath(b)) }
		slices.SortFunc(got, byPath)
		slices.SortFunc(want, byPath)
		wantEqual(t, "expired jobs", got, want)

		// Renewing a lease takes a job off the list.
		renewed.LeaseUntil = t2
		f.check(f.s.UpdateJob(f.ctx, renewed))
		got, err = f.s.ExpiredJobs(f.ctx, now)
		f.check(err)
		if len(got) != len(want)-1 || slices.ContainsFunc(got, func(j *pier.Job) bool { return jobPath(j) == jobPath(renewed) }) {
			t.Errorf("expired jobs after renewing %s: %v", jobPath(renewed), keys(got, jobPath))
		}

		none, err := f.s.ExpiredJobs(f.ctx, t0.Add(-time.Hour))
		f.check(err)
		if len(none) != 1 {
			t.Errorf("ExpiredJobs before any lease ended = %v, want only the job without a lease", keys(none, jobPath))
		}
	}},
}
