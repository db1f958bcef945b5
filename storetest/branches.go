package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/pier-hosting/pier"
)

var branchTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := sampleBranch(accountA, a.ID, "feature/ünï-✓")
		b.Version = 42 // ignored: a new branch is at version 1
		f.check(f.s.CreateBranch(f.ctx, b))
		if b.Version != 1 {
			t.Fatalf("CreateBranch set version %d, want 1", b.Version)
		}
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, b.Name)
		f.check(err)
		wantEqual(t, "new branch", got, b)

		// The pointers are the store's to set: CreateJob and PublishDeployment.
		j := f.job(b)
		d := f.deployment(j, "deployment")
		f.publish(j, d)
		b.LastJobID, b.ActiveJobID, b.DeploymentID = 1, "1", d.ID
		checkComplete(t, b)
		got, err = f.s.GetBranch(f.ctx, accountA, a.ID, b.Name)
		f.check(err)
		wantEqual(t, "published branch", got, b)
	}},
	{"CreateIgnoresPointers", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := sampleBranch(accountA, a.ID, "main")
		b.LastJobID = 42
		b.ActiveJobID = "42"
		b.DeploymentID = "no-such-deployment"
		f.check(f.s.CreateBranch(f.ctx, b))
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		f.check(err)
		want := *b
		want.LastJobID, want.ActiveJobID, want.DeploymentID = 0, "", ""
		wantEqual(t, "new branch", got, &want)
		if j := f.job(b); j.ID != 1 {
			t.Errorf("first job id = %d, want 1", j.ID)
		}
	}},
	{"Update", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.branch(a, "main")
		f.job(b)
		f.job(b)
		for i, lastJobID := range []int64{0, 99} {
			b.Description = "updated"
			b.EnableAutoBuild = false
			b.EnvironmentVariables = nil
			b.UpdateTime = t2
			// Ignored: only CreateJob and PublishDeployment set the pointers.
			b.LastJobID = lastJobID
			b.ActiveJobID = "2"
			b.DeploymentID = "no-such-deployment"
			f.check(f.s.UpdateBranch(f.ctx, b))
			if want := int64(2 + i); b.Version != want {
				t.Errorf("Version after an update = %d, want %d", b.Version, want)
			}
			got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
			f.check(err)
			want := *b
			want.LastJobID, want.ActiveJobID, want.DeploymentID = 2, "", ""
			wantEqual(t, "branch", got, &want)
		}
		if j := f.job(b); j.ID != 3 {
			t.Errorf("job id after the updates = %d, want 3", j.ID)
		}
	}},
	{"UpdateKeepsPublishedPointers", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.branch(a, "main")
		stale := *b // read before the job and the publish, as a slow UpdateBranch call does
		j := f.job(b)
		d := f.deployment(j, "deployment")
		f.publish(j, d)
		stale.Description = "updated"
		stale.UpdateTime = t2
		f.check(f.s.UpdateBranch(f.ctx, &stale))
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		f.check(err)
		want := stale
		want.LastJobID, want.ActiveJobID, want.DeploymentID = 1, "1", d.ID
		wantEqual(t, "branch", got, &want)
		if want.Version != 2 {
			t.Errorf("Version after a job, a publish and an update = %d, want 2", want.Version)
		}
	}},
	{"VersionConflict", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		checkVersionConflict(t, branchVersions(f, accountA, app1, "main"), "Branch main of app "+app1+" was changed concurrently")
	}},
	{"ConcurrentUpdates", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		checkConcurrentUpdates(t, branchVersions(f, accountA, app1, "main"))
	}},
	{"ConcurrentUpdatesAndJobs", func(t *testing.T, f *fixture) {
		// Job ids and versions are independent: creating jobs neither
		// conflicts with updates nor is lost to them.
		b := f.branch(f.app(accountA, app1), "main")
		const n = 10
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if err := f.s.CreateJob(f.ctx, sampleJob(accountA, app1, "main")); err != nil {
					t.Errorf("CreateJob: %v", err)
				}
			})
		}
		for i := range n {
			c := *b
			c.Description = fmt.Sprintf("update %d", i)
			f.check(f.s.UpdateBranch(f.ctx, &c))
			b.Version = c.Version
		}
		wg.Wait()
		got, err := f.s.GetBranch(f.ctx, accountA, app1, "main")
		f.check(err)
		if got.LastJobID != n || got.Version != n+1 || got.Description != fmt.Sprintf("update %d", n-1) {
			t.Errorf("branch after %d jobs and updates: last job %d, version %d, description %q; want %d, %d, %q",
				n, got.LastJobID, got.Version, got.Description, n, n+1, fmt.Sprintf("update %d", n-1))
		}
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.branch(a, "main")
		wantCode(t, f.s.CreateBranch(f.ctx, sampleBranch(accountA, a.ID, "main")), pier.ECONFLICT)
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		f.check(err)
		wantEqual(t, "branch", got, b)
		// Names are unique per app only.
		f.branch(f.app(accountA, app2), "main")
		f.branch(f.app(accountB, app3), "main")
	}},
	{"CreateUnknownApp", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		wantCode(t, f.s.CreateBranch(f.ctx, sampleBranch(accountA, app2, "main")), pier.ENOTFOUND)
		wantCode(t, f.s.CreateBranch(f.ctx, sampleBranch(accountB, app1, "main")), pier.ENOTFOUND)
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.branch(a, "main")
		_, err := f.s.GetBranch(f.ctx, accountA, a.ID, "dev")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBranch(f.ctx, accountA, app2, "main")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateBranch(f.ctx, sampleBranch(accountA, a.ID, "dev")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBranch(f.ctx, accountA, a.ID, "dev"), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.branch(a, "main")
		_, err := f.s.GetBranch(f.ctx, accountB, a.ID, "main")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateBranch(f.ctx, sampleBranch(accountB, a.ID, "main")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBranch(f.ctx, accountB, a.ID, "main"), pier.ENOTFOUND)
		_, _, err = f.s.ListBranches(f.ctx, accountB, a.ID, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		f.check(err)
		wantEqual(t, "branch", got, b)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.branch(a, "main")
		dev := f.branch(a, "dev")
		f.check(f.s.DeleteBranch(f.ctx, accountA, a.ID, "main"))
		_, err := f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBranch(f.ctx, accountA, a.ID, "main"), pier.ENOTFOUND)
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "dev")
		f.check(err)
		wantEqual(t, "branch", got, dev)
	}},
	{"DeleteCascades", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		mainJob, devJob := f.job(main), f.job(dev)
		f.job(main)
		mainArtifact, devArtifact := f.artifact(mainJob, "main-artifact"), f.artifact(devJob, "dev-artifact")
		mainHook, devHook := f.webhook(main, "main-hook"), f.webhook(dev, "dev-hook")
		mainLive, devLive := f.deployment(mainJob, "main-live"), f.deployment(devJob, "dev-live")
		f.deployment(mainJob, "main-old")
		f.publish(mainJob, mainLive)
		f.publish(devJob, devLive)
		f.check(f.s.DeleteBranch(f.ctx, accountA, a.ID, "main"))

		_, err := f.s.GetJob(f.ctx, accountA, a.ID, "main", mainJob.ID)
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetArtifact(f.ctx, accountA, mainArtifact.ID)
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetWebhook(f.ctx, accountA, mainHook.ID)
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetJob(f.ctx, accountA, a.ID, "dev", devJob.ID)
		f.check(err)
		_, err = f.s.GetArtifact(f.ctx, accountA, devArtifact.ID)
		f.check(err)
		hooks, _, err := f.s.ListWebhooks(f.ctx, accountA, a.ID, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "webhooks", hooks, []*pier.Webhook{devHook})
		wantEqual(t, "deployment ids", f.deploymentIDs(), []string{devLive.ID})
		got, err := f.s.GetBranch(f.ctx, accountA, a.ID, "dev")
		f.check(err)
		if got.DeploymentID != devLive.ID {
			t.Errorf("DeploymentID of the other branch = %q, want %q", got.DeploymentID, devLive.ID)
		}

		// Recreating the branch starts afresh.
		main = f.branch(a, "main")
		got, err = f.s.GetBranch(f.ctx, accountA, a.ID, "main")
		f.check(err)
		wantEqual(t, "recreated branch", got, main)
		j := f.job(main)
		jobs, _, err := f.s.ListJobs(f.ctx, accountA, a.ID, "main", pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "jobs of the recreated branch", jobs, []*pier.Job{j})
		if j.ID != 1 {
			t.Errorf("first job of the recreated branch has id %d, want 1", j.ID)
		}
	}},
	{"List", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		other := f.app(accountA, app2)
		branches, next, err := f.s.ListBranches(f.ctx, accountA, a.ID, pier.Page{Limit: 10})
		f.check(err)
		if len(branches) != 0 || next != "" {
			t.Fatalf("ListBranches of a new app = %d branches, cursor %q", len(branches), next)
		}
		zeta := f.branch(a, "zeta")
		f.branch(other, "beta")
		alpha := f.branch(a, "alpha")
		mid := f.branch(a, "mid")
		f.job(mid)
		mid.LastJobID = 1
		branches, next, err = f.s.ListBranches(f.ctx, accountA, a.ID, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "branches", branches, []*pier.Branch{zeta, alpha, mid})
		if next != "" {
			t.Errorf("cursor after the last branch = %q, want empty", next)
		}
		_, _, err = f.s.ListBranches(f.ctx, accountA, app3, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		names := []string{"e", "d", "c", "b", "a"}
		for _, name := range names {
			f.branch(a, name)
			f.branch(other, name)
		}
		checkPages(t, names, branchKey, func(p pier.Page) ([]*pier.Branch, string, error) {
			return f.s.ListBranches(f.ctx, accountA, a.ID, p)
		})
	}},
}
