package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pier-hosting/pier"
)

// deploymentIDs returns the ids ListDeploymentIDs reports, sorted.
func (f *fixture) deploymentIDs() []string {
	f.t.Helper()
	var ids []string
	f.check(f.s.ListDeploymentIDs(f.ctx, func(id string) error {
		ids = append(ids, id)
		return nil
	}))
	slices.Sort(ids)
	return ids
}

// pointers returns the live deployment and active job of a branch.
func (f *fixture) pointers(b *pier.Branch) (deploymentID, activeJobID string) {
	f.t.Helper()
	got, err := f.s.GetBranch(f.ctx, b.AccountID, b.AppID, b.Name)
	f.check(err)
	return got.DeploymentID, got.ActiveJobID
}

// wantPointers fails the test unless the branch serves deploymentID of job
// activeJobID.
func (f *fixture) wantPointers(b *pier.Branch, deploymentID, activeJobID string) {
	f.t.Helper()
	d, j := f.pointers(b)
	if d != deploymentID || j != activeJobID {
		f.t.Fatalf("branch %s serves deployment %q of job %q, want %q of job %q", b.Name, d, j, deploymentID, activeJobID)
	}
}

var deploymentTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		d := sampleDeployment(accountA, "deployment-1", app1, "main", j.ID)
		// The other files leave out the variants on purpose: nil must stay nil.
		checkComplete(t, &pier.Deployment{ID: d.ID, AccountID: d.AccountID, AppID: d.AppID, BranchName: d.BranchName,
			JobID: d.JobID, Files: map[string]pier.File{"/index.html": d.Files["/index.html"]}, CreateTime: d.CreateTime})
		f.check(f.s.CreateDeployment(f.ctx, d))
		got, err := f.s.GetDeployment(f.ctx, d.ID)
		f.check(err)
		wantEqual(t, "deployment", got, d)
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		other := f.job(f.branch(f.app(accountB, app2), "main"))
		d := f.deployment(j, "deployment")
		wantCode(t, f.s.CreateDeployment(f.ctx, sampleDeployment(accountA, d.ID, app1, "main", j.ID)), pier.ECONFLICT)
		// Deployment ids are unique across accounts: the edge finds deployments by id.
		wantCode(t, f.s.CreateDeployment(f.ctx, sampleDeployment(accountB, d.ID, app2, "main", other.ID)), pier.ECONFLICT)
		got, err := f.s.GetDeployment(f.ctx, d.ID)
		f.check(err)
		wantEqual(t, "deployment", got, d)
	}},
	{"CreateUnknownBranch", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		for _, d := range []*pier.Deployment{
			sampleDeployment(accountA, "d1", app1, "dev", 1),
			sampleDeployment(accountA, "d2", app2, "main", 1),
			sampleDeployment(accountB, "d3", app1, "main", 1),
		} {
			wantCode(t, f.s.CreateDeployment(f.ctx, d), pier.ENOTFOUND)
		}
		if ids := f.deploymentIDs(); len(ids) != 0 {
			t.Errorf("deployments after failed creations: %q", ids)
		}
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.deployment(f.job(f.branch(f.app(accountA, app1), "main")), "deployment")
		_, err := f.s.GetDeployment(f.ctx, "other")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteDeployment(f.ctx, "other"), pier.ENOTFOUND)
	}},
	{"Publish", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.branch(a, "main")
		dev := f.branch(a, "dev")
		f.wantPointers(b, "", "")
		j1 := f.job(b)
		d1 := f.deployment(j1, "d1")
		j1.Status, j1.DeploymentID = pier.JobSucceed, d1.ID
		f.check(f.s.PublishDeployment(f.ctx, j1, d1.ID))
		if j1.Version != 2 {
			t.Errorf("Version after publishing = %d, want 2", j1.Version)
		}
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j1.ID)
		f.check(err)
		wantEqual(t, "published job", got, j1)
		f.wantPointers(b, d1.ID, "1")
		f.wantPointers(dev, "", "")

		// The next publish moves the pointers; a retry republishes an older one.
		j2 := f.job(b)
		d2 := f.deployment(j2, "d2")
		f.publish(j2, d2)
		f.wantPointers(b, d2.ID, "2")
		j3 := f.job(b)
		f.publish(j3, d1)
		f.wantPointers(b, d1.ID, "3")
		got, err = f.s.GetJob(f.ctx, accountA, app1, "main", j3.ID)
		f.check(err)
		wantEqual(t, "republishing job", got, j3)
	}},
	{"PublishStale", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j1 := f.job(b)
		d1 := f.deployment(j1, "d1")
		f.publish(j1, d1)
		j2 := f.job(b)
		d2 := f.deployment(j2, "d2")
		stopped, err := f.s.GetJob(f.ctx, accountA, app1, "main", j2.ID)
		f.check(err)
		stopped.Status = pier.JobCancelled
		f.check(f.s.UpdateJob(f.ctx, stopped))

		j2.Status, j2.DeploymentID = pier.JobSucceed, d2.ID
		err = f.s.PublishDeployment(f.ctx, j2, d2.ID)
		wantCode(t, err, pier.ECONFLICT)
		if msg, want := pier.ErrorMessage(err), "Job 2 was changed concurrently"; msg != want {
			t.Errorf("message = %q, want %q", msg, want)
		}
		if j2.Version != 1 {
			t.Errorf("Version after a refused publish = %d, want 1", j2.Version)
		}
		f.wantPointers(b, d1.ID, "1")
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j2.ID)
		f.check(err)
		wantEqual(t, "job after the refused publish", got, stopped)
	}},
	{"PublishOtherBranch", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		other := f.branch(f.app(accountB, app2), "main")
		j := f.job(main)
		for _, d := range []*pier.Deployment{
			f.deployment(f.job(dev), "dev-deployment"),
			f.deployment(f.job(other), "other-account"),
		} {
			c := *j
			c.Status = pier.JobSucceed
			wantCode(t, f.s.PublishDeployment(f.ctx, &c, d.ID), pier.EINVALID)
		}
		f.wantPointers(main, "", "")
		f.wantPointers(dev, "", "")
		f.wantPointers(other, "", "")
		got, err := f.s.GetJob(f.ctx, accountA, app1, "main", j.ID)
		f.check(err)
		wantEqual(t, "job after the refused publishes", got, j)
	}},
	{"PublishUnknown", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := f.job(b)
		d := f.deployment(j, "deployment")
		c := *j
		wantCode(t, f.s.PublishDeployment(f.ctx, &c, "other"), pier.ENOTFOUND)
		c.ID = 2
		wantCode(t, f.s.PublishDeployment(f.ctx, &c, d.ID), pier.ENOTFOUND)
		f.wantPointers(b, "", "")
	}},
	{"ListIDs", func(t *testing.T, f *fixture) {
		if ids := f.deploymentIDs(); len(ids) != 0 {
			t.Fatalf("deployments of a new store: %q", ids)
		}
		a := f.app(accountA, app1)
		main, dev := f.job(f.branch(a, "main")), f.job(f.branch(a, "dev"))
		other := f.job(f.branch(f.app(accountB, app2), "main"))
		want := []string{
			f.deployment(main, "c").ID,
			f.deployment(other, "a").ID,
			f.deployment(dev, "b").ID,
			f.deployment(main, "d").ID,
		}
		slices.Sort(want)
		wantEqual(t, "deployment ids", f.deploymentIDs(), want)

		stop := errors.New("stop")
		calls := 0
		err := f.s.ListDeploymentIDs(f.ctx, func(string) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("ListDeploymentIDs with a failing fn: error %v after %d calls, want %v after 1", err, calls, stop)
		}
	}},
	{"ListIDsMany", func(t *testing.T, f *fixture) {
		// More ids than a store is likely to read at once.
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		var want []string
		for i := range 1234 {
			d := &pier.Deployment{ID: fmt.Sprintf("d%04d", i), AccountID: accountA, AppID: app1, BranchName: "main", JobID: j.ID}
			f.check(f.s.CreateDeployment(f.ctx, d))
			want = append(want, d.ID)
		}
		wantEqual(t, "deployment ids", f.deploymentIDs(), want)
	}},
	{"ListIDsWhileDeleting", func(t *testing.T, f *fixture) {
		// A collector deletes what it lists.
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		live := f.deployment(j, "live")
		f.publish(j, live)
		for _, id := range []string{"old-1", "old-2", "old-3"} {
			f.deployment(j, id)
		}
		var refused []string
		f.check(f.s.ListDeploymentIDs(f.ctx, func(id string) error {
			err := f.s.DeleteDeployment(f.ctx, id)
			if pier.ErrorCode(err) == pier.ECONFLICT {
				refused = append(refused, id)
				return nil
			}
			return err
		}))
		wantEqual(t, "refused deletions", refused, []string{live.ID})
		wantEqual(t, "deployment ids", f.deploymentIDs(), []string{live.ID})
	}},
	{"DeleteLive", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j1 := f.job(b)
		d1 := f.deployment(j1, "d1")
		f.publish(j1, d1)
		wantCode(t, f.s.DeleteDeployment(f.ctx, d1.ID), pier.ECONFLICT)
		got, err := f.s.GetDeployment(f.ctx, d1.ID)
		f.check(err)
		wantEqual(t, "live deployment", got, d1)
		f.wantPointers(b, d1.ID, "1")

		j2 := f.job(b)
		d2 := f.deployment(j2, "d2")
		f.publish(j2, d2)
		f.check(f.s.DeleteDeployment(f.ctx, d1.ID))
		_, err = f.s.GetDeployment(f.ctx, d1.ID)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteDeployment(f.ctx, d1.ID), pier.ENOTFOUND)
		f.wantPointers(b, d2.ID, "2")
	}},
	{"DeleteJobKeepsDeployment", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		j := f.job(b)
		d := f.deployment(j, "deployment")
		f.publish(j, d)
		f.check(f.s.DeleteJob(f.ctx, accountA, app1, "main", j.ID))
		got, err := f.s.GetDeployment(f.ctx, d.ID)
		f.check(err)
		wantEqual(t, "deployment of a deleted job", got, d)
		f.wantPointers(b, d.ID, "1")
	}},
}
