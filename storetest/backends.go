package storetest

import (
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

func sampleBackend(accountID, appID string) *pier.Backend {
	return &pier.Backend{AccountID: accountID, AppID: appID, AppName: `app "Ünïcode"`, CreateTime: t0, UpdateTime: t1}
}

func sampleStorage(accountID, appID, env, name string) *pier.BackendStorage {
	return &pier.BackendStorage{
		AccountID: accountID, AppID: appID, Env: env, ResourceName: name, BucketName: "bucket-" + name,
		Imported:    true,
		Permissions: pier.StoragePermissions{Authenticated: []string{pier.StorageRead, pier.StorageDelete}, UnAuthenticated: []string{pier.StorageRead}},
		CreateTime:  t0, UpdateTime: t1,
	}
}

func sampleBackendJob(accountID, appID, env, id string) *pier.BackendJob {
	return &pier.BackendJob{
		ID: id, AccountID: accountID, AppID: appID, Env: env, Operation: "CreateBackendStorage", ResourceName: "files",
		Status: pier.BackendJobInProgress, Error: `it's "broken"`, LeaseUntil: t2, CreateTime: t0, UpdateTime: t1,
	}
}

func sampleCredential(accountID, appID, env string) *pier.BackendCredential {
	return &pier.BackendCredential{AccountID: accountID, AppID: appID, Env: env, AccessKey: "AKPIER" + env, SealedSecret: "sealed:xyz", CreateTime: t0}
}

func backendJobKey(j *pier.BackendJob) string { return j.ID }

var backendTests = []test{
	{"BackendRoundTrip", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		b := sampleBackend(accountA, app1)
		checkComplete(t, b)
		f.check(f.s.CreateBackend(f.ctx, b))
		got, err := f.s.GetBackend(f.ctx, accountA, app1)
		f.check(err)
		wantEqual(t, "backend", got, b)
		wantCode(t, f.s.CreateBackend(f.ctx, sampleBackend(accountA, app1)), pier.ECONFLICT)
		wantCode(t, f.s.CreateBackend(f.ctx, sampleBackend(accountA, app2)), pier.ENOTFOUND)
		wantCode(t, f.s.CreateBackend(f.ctx, sampleBackend(accountB, app1)), pier.ENOTFOUND)
		_, err = f.s.GetBackend(f.ctx, accountB, app1)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackend(f.ctx, accountB, app1), pier.ENOTFOUND)
		f.check(f.s.DeleteBackend(f.ctx, accountA, app1))
		_, err = f.s.GetBackend(f.ctx, accountA, app1)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackend(f.ctx, accountA, app1), pier.ENOTFOUND)
	}},
	{"StorageRoundTrip", func(t *testing.T, f *fixture) {
		f.env(f.app(accountA, app1), "dev")
		st := sampleStorage(accountA, app1, "dev", "files")
		checkComplete(t, st)
		f.check(f.s.CreateBackendStorage(f.ctx, st))
		got, err := f.s.GetBackendStorage(f.ctx, accountA, app1, "dev", "files")
		f.check(err)
		wantEqual(t, "storage", got, st)
		found, err := f.s.FindBackendStorageByBucket(f.ctx, st.BucketName)
		f.check(err)
		wantEqual(t, "storage found by bucket", found, st)
		_, err = f.s.FindBackendStorageByBucket(f.ctx, "other")
		wantCode(t, err, pier.ENOTFOUND)

		st.Permissions = pier.StoragePermissions{Authenticated: []string{}, UnAuthenticated: nil}
		st.BucketName, st.Imported, st.UpdateTime = "renamed", false, t2
		f.check(f.s.UpdateBackendStorage(f.ctx, st))
		got, err = f.s.GetBackendStorage(f.ctx, accountA, app1, "dev", "files")
		f.check(err)
		wantEqual(t, "updated storage", got, st)
		_, err = f.s.FindBackendStorageByBucket(f.ctx, "renamed")
		f.check(err)
	}},
	{"StorageErrors", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.env(a, "dev")
		f.env(a, "prod")
		f.check(f.s.CreateBackendStorage(f.ctx, sampleStorage(accountA, app1, "dev", "files")))
		wantCode(t, f.s.CreateBackendStorage(f.ctx, sampleStorage(accountA, app1, "dev", "files")), pier.ECONFLICT)
		f.check(f.s.CreateBackendStorage(f.ctx, sampleStorage(accountA, app1, "prod", "files"))) // unique per environment
		for _, st := range []*pier.BackendStorage{
			sampleStorage(accountA, app1, "test", "files"),
			sampleStorage(accountA, app2, "dev", "files"),
			sampleStorage(accountB, app1, "dev", "files"),
		} {
			wantCode(t, f.s.CreateBackendStorage(f.ctx, st), pier.ENOTFOUND)
			wantCode(t, f.s.UpdateBackendStorage(f.ctx, st), pier.ENOTFOUND)
		}
		_, err := f.s.GetBackendStorage(f.ctx, accountB, app1, "dev", "files")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBackendStorage(f.ctx, accountA, app1, "dev", "other")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackendStorage(f.ctx, accountB, app1, "dev", "files"), pier.ENOTFOUND)
		f.check(f.s.DeleteBackendStorage(f.ctx, accountA, app1, "dev", "files"))
		wantCode(t, f.s.DeleteBackendStorage(f.ctx, accountA, app1, "dev", "files"), pier.ENOTFOUND)
		_, err = f.s.GetBackendStorage(f.ctx, accountA, app1, "dev", "files")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"StorageList", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.env(a, "dev")
		f.env(a, "prod")
		var want []*pier.BackendStorage
		for _, name := range []string{"b", "a", "c"} {
			st := sampleStorage(accountA, app1, "dev", name)
			f.check(f.s.CreateBackendStorage(f.ctx, st))
			want = append(want, st)
			f.check(f.s.CreateBackendStorage(f.ctx, sampleStorage(accountA, app1, "prod", name+"x")))
		}
		got, err := f.s.ListBackendStorage(f.ctx, accountA, app1, "dev")
		f.check(err)
		wantEqual(t, "storage of dev", got, want)
		got, err = f.s.ListBackendStorage(f.ctx, accountA, app1, "none")
		f.check(err)
		wantEqual(t, "storage of an unknown environment", len(got), 0)
		// Deleting the environment deletes its resources.
		f.check(f.s.DeleteBackendEnvironment(f.ctx, accountA, app1, "dev"))
		f.env(a, "dev")
		got, err = f.s.ListBackendStorage(f.ctx, accountA, app1, "dev")
		f.check(err)
		wantEqual(t, "storage of a recreated environment", len(got), 0)
	}},
	{"JobRoundTrip", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		j := sampleBackendJob(accountA, app1, "dev", "job-1")
		checkComplete(t, j)
		f.check(f.s.CreateBackendJob(f.ctx, j)) // no environment needed: jobs outlive theirs
		got, err := f.s.GetBackendJob(f.ctx, accountA, app1, "job-1")
		f.check(err)
		wantEqual(t, "job", got, j)
		wantCode(t, f.s.CreateBackendJob(f.ctx, sampleBackendJob(accountA, app1, "dev", "job-1")), pier.ECONFLICT)
		wantCode(t, f.s.CreateBackendJob(f.ctx, sampleBackendJob(accountA, app2, "dev", "job-2")), pier.ENOTFOUND)
		wantCode(t, f.s.CreateBackendJob(f.ctx, sampleBackendJob(accountB, app1, "dev", "job-2")), pier.ENOTFOUND)
		_, err = f.s.GetBackendJob(f.ctx, accountB, app1, "job-1")
		wantCode(t, err, pier.ENOTFOUND)

		j.Status, j.Error, j.UpdateTime, j.LeaseUntil = pier.BackendJobCompleted, "", t2, time.Time{}
		f.check(f.s.UpdateBackendJob(f.ctx, j))
		got, err = f.s.GetBackendJob(f.ctx, accountA, app1, "job-1")
		f.check(err)
		wantEqual(t, "updated job", got, j)
		wantCode(t, f.s.UpdateBackendJob(f.ctx, sampleBackendJob(accountA, app1, "dev", "job-2")), pier.ENOTFOUND)
		wantCode(t, f.s.UpdateBackendJob(f.ctx, sampleBackendJob(accountB, app1, "dev", "job-1")), pier.ENOTFOUND)
	}},
	{"JobList", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		f.app(accountA, app2)
		add := func(app, env, id, op, status string) {
			j := sampleBackendJob(accountA, app, env, id)
			j.Operation, j.Status = op, status
			f.check(f.s.CreateBackendJob(f.ctx, j))
		}
		add(app1, "dev", "j1", "CreateBackend", pier.BackendJobCompleted)
		add(app1, "dev", "j2", "CreateBackendStorage", pier.BackendJobFailed)
		add(app1, "prod", "j3", "CreateBackendStorage", pier.BackendJobCompleted)
		add(app2, "dev", "j4", "CreateBackendStorage", pier.BackendJobCompleted)
		add(app1, "", "j5", "RemoveAllBackends", pier.BackendJobInProgress)
		add(app1, "dev", "j6", "CreateBackendStorage", pier.BackendJobCompleted)
		for _, c := range []struct {
			name string
			env  string
			f    pier.BackendJobFilter
			want []string
		}{
			{"all of dev, newest first", "dev", pier.BackendJobFilter{}, []string{"j6", "j5", "j2", "j1"}},
			{"prod", "prod", pier.BackendJobFilter{}, []string{"j5", "j3"}},
			{"by operation", "dev", pier.BackendJobFilter{Operation: "CreateBackendStorage"}, []string{"j6", "j2"}},
			{"by status", "dev", pier.BackendJobFilter{Status: pier.BackendJobFailed}, []string{"j2"}},
			{"by id", "dev", pier.BackendJobFilter{ID: "j1"}, []string{"j1"}},
			{"by id of another environment", "dev", pier.BackendJobFilter{ID: "j3"}, nil},
			{"all filters", "dev", pier.BackendJobFilter{ID: "j6", Operation: "CreateBackendStorage", Status: pier.BackendJobCompleted}, []string{"j6"}},
			{"no match", "dev", pier.BackendJobFilter{Status: "NOPE"}, nil},
		} {
			checkPages(t, c.want, backendJobKey, func(p pier.Page) ([]*pier.BackendJob, string, error) {
				return f.s.ListBackendJobs(f.ctx, accountA, app1, c.env, c.f, p)
			})
		}
		_, _, err := f.s.ListBackendJobs(f.ctx, accountA, app3, "dev", pier.BackendJobFilter{}, pier.Page{Limit: 5})
		wantCode(t, err, pier.ENOTFOUND)
		_, _, err = f.s.ListBackendJobs(f.ctx, accountB, app1, "dev", pier.BackendJobFilter{}, pier.Page{Limit: 5})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"JobExpired", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		f.app(accountB, app2)
		add := func(account, app, id, status string, lease time.Time) {
			j := sampleBackendJob(account, app, "dev", id)
			j.Status, j.LeaseUntil = status, lease
			f.check(f.s.CreateBackendJob(f.ctx, j))
		}
		now := t1
		add(accountA, app1, "expired", pier.BackendJobInProgress, now.Add(-time.Second))
		add(accountA, app1, "leased", pier.BackendJobInProgress, now.Add(time.Minute))
		add(accountA, app1, "done", pier.BackendJobCompleted, now.Add(-time.Hour))
		add(accountB, app2, "other-account", pier.BackendJobInProgress, now.Add(-time.Hour))
		jobs, err := f.s.ExpiredBackendJobs(f.ctx, now)
		f.check(err)
		wantEqual(t, "expired jobs", keys(jobs, backendJobKey), []string{"expired", "other-account"})
	}},
	{"Credential", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.env(a, "dev")
		c := sampleCredential(accountA, app1, "dev")
		checkComplete(t, c)
		f.check(f.s.CreateBackendCredential(f.ctx, c))
		got, err := f.s.GetBackendCredential(f.ctx, accountA, app1, "dev")
		f.check(err)
		wantEqual(t, "credential", got, c)
		wantCode(t, f.s.CreateBackendCredential(f.ctx, sampleCredential(accountA, app1, "dev")), pier.ECONFLICT)
		wantCode(t, f.s.CreateBackendCredential(f.ctx, sampleCredential(accountA, app1, "prod")), pier.ENOTFOUND)
		wantCode(t, f.s.CreateBackendCredential(f.ctx, sampleCredential(accountB, app1, "dev")), pier.ENOTFOUND)
		_, err = f.s.GetBackendCredential(f.ctx, accountB, app1, "dev")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackendCredential(f.ctx, accountB, app1, "dev"), pier.ENOTFOUND)
		f.check(f.s.DeleteBackendCredential(f.ctx, accountA, app1, "dev"))
		_, err = f.s.GetBackendCredential(f.ctx, accountA, app1, "dev")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"DeleteAppCascades", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.env(a, "dev")
		f.check(f.s.CreateBackend(f.ctx, sampleBackend(accountA, app1)))
		f.check(f.s.CreateBackendStorage(f.ctx, sampleStorage(accountA, app1, "dev", "files")))
		f.check(f.s.CreateBackendJob(f.ctx, sampleBackendJob(accountA, app1, "dev", "j1")))
		f.check(f.s.CreateBackendCredential(f.ctx, sampleCredential(accountA, app1, "dev")))
		f.check(f.s.DeleteApp(f.ctx, accountA, app1))
		f.env(f.app(accountA, app1), "dev")
		_, err := f.s.GetBackend(f.ctx, accountA, app1)
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBackendStorage(f.ctx, accountA, app1, "dev", "files")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBackendJob(f.ctx, accountA, app1, "j1")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBackendCredential(f.ctx, accountA, app1, "dev")
		wantCode(t, err, pier.ENOTFOUND)
	}},
}
