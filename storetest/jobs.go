package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

var jobTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := sampleJob(accountA, app1, "main")
		j.Version = 42 // ignored: a new job is at version 1
		f.check(f.s.CreateJob(f.ctx, j))
		if j.ID != 1 || j.Version != 1 {
			t.Fatalf("CreateJob assigned id %d, version %d; want 1, 1", j.ID, j.Version)
		}
		checkComplete(t, j)
		got, err := f.s.GetJob(f.ctx, accountA, app1, b.Name, 1)
		f.check(err)
		wantEqual(t, "job", got, j)
	}},
	{"ZeroTimes", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		j := &pier.Job{AccountID: accountA, AppID: app1, BranchName: "main", Status: pier.JobPending,
			Steps: []pier.Step{{Name: "BUILD"}}}
		f.check(f.s.CreateJob(f.ctx, j))
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		for name, tm := range map[string]time.Time{
			"CommitTime": got.CommitTime, "CreateTime": got.CreateTime, "StartTime": got.StartTime,
			"EndTime": got.EndTime, "Steps[0].StartTime": got.Steps[0].StartTime, "Steps[0].EndTime": got.Steps[0].EndTime,
			"LeaseUntil": got.LeaseUntil,
		} {
			if !tm.IsZero() {
				t.Errorf("%s = %v, want the zero time", name, tm)
			}
		}
		wantEqual(t, "job", got, j)
	}},
	{"IDsPerBranch", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		otherMain := f.branch(f.app(accountB, app2), "main")
		var got []int64
		for _, b := range []*pier.Branch{main, main, dev, main, otherMain, dev} {
			got = append(got, f.job(b).ID)
		}
		wantEqual(t, "job ids", got, []int64{1, 2, 1, 3, 1, 2})
		for _, c := range []struct {
			branch *pier.Branch
			want   int64
		}{{main, 3}, {dev, 2}, {otherMain, 1}} {
			b, err := f.s.GetBranch(f.ctx, c.branch.AccountID, c.branch.AppID, c.branch.Name)
			f.check(err)
			if b.LastJobID != c.want {
				t.Errorf("LastJobID of %s/%s = %d, want %d", b.AppID, b.Name, b.LastJobID, c.want)
			}
		}
	}},
	{"IDsNotReused", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		for range 3 {
			f.job(b)
		}
		f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", 3))
		if j := f.job(b); j.ID != 4 {
			t.Errorf("id after deleting the last job = %d, want 4", j.ID)
		}
		for _, id := range []int64{1, 2, 4} {
			f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", id))
		}
		if j := f.job(b); j.ID != 5 {
			t.Errorf("id after deleting every job = %d, want 5", j.ID)
		}
	}},
	{"Concurrent", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		const n = 20
		ids := make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				j := sampleJob(b.AccountID, b.AppID, b.Name)
				if err := f.s.CreateJob(f.ctx, j); err != nil {
					t.Errorf("CreateJob: %v", err)
				}
				ids[i] = j.ID
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		slices.Sort(ids)
		for i, id := range ids {
			if id != int64(i+1) {
				t.Fatalf("ids of %d concurrent jobs = %v, want 1…%d", n, ids, n)
			}
		}
		got, err := f.s.GetBranch(f.ctx, accountA, app1, "main")
		f.check(err)
		if got.LastJobID != n {
			t.Errorf("LastJobID = %d, want %d", got.LastJobID, n)
		}
		jobs := walk(t, 7, func(p pier.Page) ([]*pier.Job, string, error) {
			return f.s.ListJobs(f.ctx, accountA, app1, "main", p)
		})
		if len(jobs) != n {
			t.Errorf("ListJobs found %d jobs, want %d", len(jobs), n)
		}
	}},
	{"Update", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := f.job(b)
		j.Status = pier.JobSucceed
		j.StatusReason = ""
		j.Steps = append(j.Steps, pier.Step{Name: "VERIFY", Status: pier.JobSucceed, StartTime: t2, EndTime: t2})
		j.EndTime = t2.Add(time.Second)
		j.LeaseOwner = ""
		j.LeaseUntil = time.Time{}
		for want := int64(2); want <= 3; want++ {
			f.check(f.s.UpdateJob(f.ctx, j))
			if j.Version != want {
				t.Errorf("Version after an update = %d, want %d", j.Version, want)
			}
			got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
			f.check(err)
			wantEqual(t, "job", got, j)
		}
		if j := f.job(b); j.ID != 2 {
			t.Errorf("id after an update = %d, want 2", j.ID)
		}
	}},
	{"VersionConflict", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		f.job(b)
		j := f.job(b)
		runner, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		stopper, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)

		stopper.Status = pier.JobCancelling
		f.check(f.s.UpdateJob(f.ctx, stopper))
		runner.Status = pier.JobSucceed
		err = f.s.UpdateJob(f.ctx, runner)
		wantCode(t, err, pier.ECONFLICT)
		if msg, want := pier.ErrorMessage(err), "Job 2 was changed concurrently"; msg != want {
			t.Errorf("message = %q, want %q", msg, want)
		}
		if runner.Version != 1 {
			t.Errorf("Version after a refused update = %d, want 1", runner.Version)
		}
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		wantEqual(t, "job after the refused update", got, stopper)

		// Re-reading and retrying succeeds.
		got.Status = pier.JobCancelled
		f.check(f.s.UpdateJob(f.ctx, got))
		again, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		wantEqual(t, "job after the retry", again, got)
		if again.Version != 3 {
			t.Errorf("Version after two updates = %d, want 3", again.Version)
		}
	}},
	{"ConcurrentUpdates", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		const n = 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range n {
			wg.Go(func() {
				c := *j
				c.StatusReason = fmt.Sprintf("writer %d", i)
				err := f.s.UpdateJob(f.ctx, &c)
				switch pier.ErrorCode(err) {
				case "":
					mu.Lock()
					won++
					mu.Unlock()
				case pier.ECONFLICT:
				default:
					t.Errorf("UpdateJob: %v", err)
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("%d of %d updates of one version succeeded, want 1", won, n)
		}
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		if got.Version != 2 {
			t.Errorf("Version = %d, want 2", got.Version)
		}
	}},
	{"CreateUnknownBranch", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		for _, j := range []*pier.Job{
			sampleJob(accountA, app1, "dev"),
			sampleJob(accountA, app2, "main"),
			sampleJob(accountB, app1, "main"),
		} {
			wantCode(t, f.s.CreateJob(f.ctx, j), pier.ENOTFOUND)
		}
		if j := f.job(&pier.Branch{AccountID: accountA, AppID: app1, Name: "main"}); j.ID != 1 {
			t.Errorf("first job id after failed creations = %d, want 1", j.ID)
		}
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := f.job(b)
		_, err := f.s.GetJob(f.ctx, accountA, app1, "main", 2)
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetJob(f.ctx, accountA, app1, "dev", 1)
		wantCode(t, err, pier.ENOTFOUND)
		unknown := *j
		unknown.ID = 2
		wantCode(t, f.s.UpdateJob(f.ctx, &unknown), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteJob(f.ctx, accountA, app1, "main", 2), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := f.job(b)
		_, err := f.s.GetJob(f.ctx, accountB, app1, "main", j.ID)
		wantCode(t, err, pier.ENOTFOUND)
		other := *j
		other.AccountID = accountB
		wantCode(t, f.s.UpdateJob(f.ctx, &other), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteJob(f.ctx, accountB, app1, "main", j.ID), pier.ENOTFOUND)
		_, _, err = f.s.ListJobs(f.ctx, accountB, app1, "main", pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		wantEqual(t, "job", got, j)
	}},
	{"DeleteCascades", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j1, j2 := f.job(b), f.job(b)
		a1, a2 := f.artifact(j1, "one"), f.artifact(j1, "two")
		kept := f.artifact(j2, "three")
		f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", j1.ID))
		_, err := f.s.GetJob(f.ctx, accountA, app1, "main", j1.ID)
		wantCode(t, err, pier.ENOTFOUND)
		for _, a := range []*pier.Artifact{a1, a2} {
			_, err := f.s.GetArtifact(f.ctx, accountA, a.ID)
			wantCode(t, err, pier.ENOTFOUND)
		}
		got, err := f.s.GetArtifact(f.ctx, accountA, kept.ID)
		f.check(err)
		wantEqual(t, "artifact", got, kept)
	}},
	{"ListNewestFirst", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		jobs, next, err := f.s.ListJobs(f.ctx, accountA, app1, "main", pier.Page{Limit: 10})
		f.check(err)
		if len(jobs) != 0 || next != "" {
			t.Fatalf("ListJobs of a new branch = %d jobs, cursor %q", len(jobs), next)
		}
		var want []*pier.Job
		for range 3 {
			want = slices.Insert(want, 0, f.job(main))
			f.job(dev)
		}
		jobs, next, err = f.s.ListJobs(f.ctx, accountA, app1, "main", pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "jobs", jobs, want)
		if next != "" {
			t.Errorf("cursor after the last job = %q, want empty", next)
		}
		_, _, err = f.s.ListJobs(f.ctx, accountA, app1, "feature", pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		for range 6 {
			f.job(main)
			f.job(dev)
		}
		f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", 3))
		checkPages(t, jobIDs(6, 5, 4, 2, 1), jobKey, func(p pier.Page) ([]*pier.Job, string, error) {
			return f.s.ListJobs(f.ctx, accountA, app1, "main", p)
		})
	}},
	{"PageAfterDeletedCursor", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		for range 3 {
			f.job(b)
		}
		page, next, err := f.s.ListJobs(f.ctx, accountA, app1, "main", pier.Page{Limit: 2})
		f.check(err)
		wantEqual(t, "first page", keys(page, jobKey), jobIDs(3, 2))
		f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", 2))
		page, next, err = f.s.ListJobs(f.ctx, accountA, app1, "main", pier.Page{After: next, Limit: 2})
		f.check(err)
		wantEqual(t, "second page", keys(page, jobKey), jobIDs(1))
		if next != "" {
			t.Errorf("cursor after the last job = %q, want empty", next)
		}
	}},
}
