package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

// App ids of the tests, in descending order so that creation order differs
// from the order of the ids.
const (
	app1 = "dzzzzzzzzzzzz1"
	app2 = "dmmmmmmmmmmmm2"
	app3 = "daaaaaaaaaaaa3"
)

var appTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		a := sampleApp(accountA, app1)
		a.Version = 42 // ignored: a new app is at version 1
		f.check(f.s.CreateApp(f.ctx, a))
		if a.Version != 1 {
			t.Fatalf("CreateApp set version %d, want 1", a.Version)
		}
		checkComplete(t, a)
		got, err := f.s.GetApp(f.ctx, accountA, app1)
		f.check(err)
		wantEqual(t, "app", got, a)
	}},
	{"Update", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		a.Name = "renamed"
		a.Description = ""
		a.EnvironmentVariables = map[string]string{"C": "3"}
		a.CustomRules = nil
		a.AutoBranchCreationConfig = nil
		a.EnableBasicAuth = false
		a.UpdateTime = t2
		for want := int64(2); want <= 3; want++ {
			f.check(f.s.UpdateApp(f.ctx, a))
			if a.Version != want {
				t.Errorf("Version after an update = %d, want %d", a.Version, want)
			}
			got, err := f.s.GetApp(f.ctx, accountA, app1)
			f.check(err)
			wantEqual(t, "app", got, a)
		}
	}},
	{"VersionConflict", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		checkVersionConflict(t, appVersions(f, accountA, app1), "App "+app1+" was changed concurrently")
	}},
	{"ConcurrentUpdates", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		checkConcurrentUpdates(t, appVersions(f, accountA, app1))
	}},
	{"FindAcrossAccounts", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		b := f.app(accountB, app2)
		for _, want := range []*pier.App{a, b} {
			got, err := f.s.FindApp(f.ctx, want.ID)
			f.check(err)
			wantEqual(t, "app", got, want)
		}
		_, err := f.s.FindApp(f.ctx, app3)
		wantCode(t, err, pier.ENOTFOUND)
		f.check(f.s.DeleteApp(f.ctx, accountB, app2))
		_, err = f.s.FindApp(f.ctx, app2)
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		wantCode(t, f.s.CreateApp(f.ctx, sampleApp(accountA, app1)), pier.ECONFLICT)
		// App ids are unique across accounts: the edge finds apps by id.
		wantCode(t, f.s.CreateApp(f.ctx, sampleApp(accountB, app1)), pier.ECONFLICT)
		got, err := f.s.GetApp(f.ctx, accountA, app1)
		f.check(err)
		wantEqual(t, "app", got, a)
	}},
	{"CreateUnknownAccount", func(t *testing.T, f *fixture) {
		wantCode(t, f.s.CreateApp(f.ctx, sampleApp("999999999999", app1)), pier.ENOTFOUND)
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		_, err := f.s.GetApp(f.ctx, accountA, app2)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateApp(f.ctx, sampleApp(accountA, app2)), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteApp(f.ctx, accountA, app2), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		_, err := f.s.GetApp(f.ctx, accountB, app1)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateApp(f.ctx, sampleApp(accountB, app1)), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteApp(f.ctx, accountB, app1), pier.ENOTFOUND)
		apps, next, err := f.s.ListApps(f.ctx, accountB, pier.Page{Limit: 10})
		f.check(err)
		if len(apps) != 0 || next != "" {
			t.Fatalf("ListApps of the other account = %d apps, cursor %q", len(apps), next)
		}
		got, err := f.s.GetApp(f.ctx, accountA, app1)
		f.check(err)
		wantEqual(t, "app", got, a)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		other := f.app(accountA, app2)
		f.check(f.s.DeleteApp(f.ctx, accountA, app1))
		_, err := f.s.GetApp(f.ctx, accountA, app1)
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteApp(f.ctx, accountA, app1), pier.ENOTFOUND)
		got, err := f.s.GetApp(f.ctx, accountA, app2)
		f.check(err)
		wantEqual(t, "app", got, other)
	}},
	{"DeleteCascades", func(t *testing.T, f *fixture) {
		doomed := f.tree(accountA, app1)
		kept := f.tree(accountA, app2)
		f.check(f.s.DeleteApp(f.ctx, accountA, app1))
		for _, l := range f.lookups(doomed) {
			if pier.ErrorCode(l.err) != pier.ENOTFOUND {
				t.Errorf("%s of the deleted app: error %v, want ENOTFOUND", l.name, l.err)
			}
		}
		for _, l := range f.lookups(kept) {
			if l.err != nil {
				t.Errorf("%s of the other app: %v", l.name, l.err)
			}
		}
		wantEqual(t, "deployment ids", f.deploymentIDs(), []string{kept.deployment.ID})

		// Recreating the app finds nothing of the old one.
		a := f.app(accountA, app1)
		b := f.branch(a, doomed.branch.Name)
		if j := f.job(b); j.ID != 1 {
			t.Errorf("first job of the recreated branch has id %d, want 1", j.ID)
		}
		webhooks, _, err := f.s.ListWebhooks(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		domains, _, err := f.s.ListDomainAssociations(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		envs, _, err := f.s.ListBackendEnvironments(f.ctx, accountA, app1, "", pier.Page{Limit: 10})
		f.check(err)
		artifacts, _, err := f.s.ListArtifacts(f.ctx, accountA, app1, b.Name, 1, pier.Page{Limit: 10})
		f.check(err)
		if len(webhooks)+len(domains)+len(envs)+len(artifacts) != 0 {
			t.Errorf("recreated app has %d webhooks, %d domains, %d environments, %d artifacts; want none",
				len(webhooks), len(domains), len(envs), len(artifacts))
		}
	}},
	{"List", func(t *testing.T, f *fixture) {
		apps, next, err := f.s.ListApps(f.ctx, accountA, pier.Page{Limit: 10})
		f.check(err)
		if len(apps) != 0 || next != "" {
			t.Fatalf("ListApps of a new account = %d apps, cursor %q", len(apps), next)
		}
		a1 := f.app(accountA, app1)
		b1 := f.app(accountB, "dbbbbbbbbbbbb1")
		a2 := f.app(accountA, app2)
		a3 := f.app(accountA, app3)
		apps, next, err = f.s.ListApps(f.ctx, accountA, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "apps", apps, []*pier.App{a1, a2, a3})
		if next != "" {
			t.Errorf("cursor after the last app = %q, want empty", next)
		}
		apps, _, err = f.s.ListApps(f.ctx, accountB, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "apps of account B", apps, []*pier.App{b1})
	}},
	{"ListAll", func(t *testing.T, f *fixture) {
		var want []string
		for i, id := range []string{"d5", "d4", "d3", "d2", "d1"} {
			account := accountA
			if i%2 == 1 {
				account = accountB
			}
			f.app(account, id)
			if i == 2 {
				f.check(f.s.DeleteApp(f.ctx, account, id)) // a hole in the sequence
				continue
			}
			want = append(want, id)
		}
		checkPages(t, want, appKey, func(p pier.Page) ([]*pier.App, string, error) {
			return f.s.ListAllApps(f.ctx, p)
		})
		_, _, err := f.s.ListAllApps(f.ctx, pier.Page{After: "not a cursor", Limit: 1})
		wantCode(t, err, pier.EINVALID)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		var want []string
		for i, id := range []string{"d5", "d4", "d3", "d2", "d1"} {
			f.app(accountA, id)
			f.app(accountB, id+"b")
			if i == 2 {
				f.check(f.s.DeleteApp(f.ctx, accountA, id)) // a hole in the sequence
				continue
			}
			want = append(want, id)
		}
		checkPages(t, want, appKey, func(p pier.Page) ([]*pier.App, string, error) {
			return f.s.ListApps(f.ctx, accountA, p)
		})
	}},
	{"PageAfterDeletedCursor", func(t *testing.T, f *fixture) {
		for _, id := range []string{app1, app2, app3} {
			f.app(accountA, id)
		}
		page, next, err := f.s.ListApps(f.ctx, accountA, pier.Page{Limit: 2})
		f.check(err)
		wantEqual(t, "first page", keys(page, appKey), []string{app1, app2})
		f.check(f.s.DeleteApp(f.ctx, accountA, app2))
		page, next, err = f.s.ListApps(f.ctx, accountA, pier.Page{After: next, Limit: 2})
		f.check(err)
		wantEqual(t, "second page", keys(page, appKey), []string{app3})
		if next != "" {
			t.Errorf("cursor after the last app = %q, want empty", next)
		}
	}},
	{"BadPage", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		_, _, err := f.s.ListApps(f.ctx, accountA, pier.Page{After: "not a cursor", Limit: 1})
		wantCode(t, err, pier.EINVALID)
		_, _, err = f.s.ListApps(f.ctx, accountA, pier.Page{Limit: 0})
		wantCode(t, err, pier.EINVALID)
	}},
}

// tree is an app with one of everything an app can own.
type tree struct {
	app        *pier.App
	branch     *pier.Branch
	job        *pier.Job
	artifact   *pier.Artifact
	deployment *pier.Deployment
	webhook    *pier.Webhook
	domain     *pier.DomainAssociation
	env        *pier.BackendEnvironment
}

// tree creates an app with a branch "main", which has a job with an
// artifact, a live deployment and a webhook, and a domain and a backend
// environment.
func (f *fixture) tree(accountID, appID string) tree {
	f.t.Helper()
	var tr tree
	tr.app = f.app(accountID, appID)
	tr.branch = f.branch(tr.app, "main")
	tr.job = f.job(tr.branch)
	tr.artifact = f.artifact(tr.job, "artifact-"+appID)
	tr.deployment = f.deployment(tr.job, "deployment-"+appID)
	f.publish(tr.job, tr.deployment)
	tr.webhook = f.webhook(tr.branch, "webhook-"+appID)
	tr.domain = f.domain(tr.app, appID+".example.com")
	tr.env = f.env(tr.app, "staging")
	return tr
}

// lookup is the result of getting one resource.
type lookup struct {
	name string
	err  error
}

// lookups gets every resource of tr below the app.
func (f *fixture) lookups(tr tree) []lookup {
	_, branchErr := f.s.GetBranch(f.ctx, tr.app.AccountID, tr.app.ID, tr.branch.Name)
	_, jobErr := f.s.GetJob(f.ctx, tr.app.AccountID, tr.app.ID, tr.branch.Name, tr.job.ID)
	_, artifactErr := f.s.GetArtifact(f.ctx, tr.app.AccountID, tr.artifact.ID)
	_, deploymentErr := f.s.GetDeployment(f.ctx, tr.deployment.ID)
	_, webhookErr := f.s.GetWebhook(f.ctx, tr.app.AccountID, tr.webhook.ID)
	_, domainErr := f.s.GetDomainAssociation(f.ctx, tr.app.AccountID, tr.app.ID, tr.domain.DomainName)
	_, envErr := f.s.GetBackendEnvironment(f.ctx, tr.app.AccountID, tr.app.ID, tr.env.Name)
	return []lookup{
		{"branch", branchErr},
		{"job", jobErr},
		{"artifact", artifactErr},
		{"deployment", deploymentErr},
		{"webhook", webhookErr},
		{"domain association", domainErr},
		{"backend environment", envErr},
	}
}
