// Package storetest is the conformance suite of pier.Store. Every
// implementation runs it, so that they all keep the contract the interface
// documents: error codes, account isolation, faithful round trips, job ids,
// versions and claims, publishing, list order and pagination, cascading
// deletes and concurrency.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pier-hosting/pier"
)

// Run runs the suite against the stores open returns. open is called once
// per subtest and must return a new, empty store; Run closes it when the
// subtest ends.
func Run(t *testing.T, open func(t *testing.T) pier.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Account", accountTests},
		{"App", appTests},
		{"Branch", branchTests},
		{"Job", jobTests},
		{"JobQueue", queueTests},
		{"DomainAssociation", domainTests},
		{"Webhook", webhookTests},
		{"BackendEnvironment", backendEnvironmentTests},
		{"Artifact", artifactTests},
		{"Deployment", deploymentTests},
		{"Secret", secretTests},
		{"Backend", backendTests},
		{"Value", valueTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.run(t, newFixture(t, open))
				})
			}
		})
	}
}

// test is one named case of the suite.
type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// Accounts every fixture starts with. Most tests put their resources in
// accountA and check that accountB cannot see them.
const (
	accountA = "111111111111"
	accountB = "222222222222"
)

// fixture is a fresh store with two accounts, and helpers that create
// resources in it, failing the test on error.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   pier.Store
}

func newFixture(t *testing.T, open func(t *testing.T) pier.Store) *fixture {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	f := &fixture{t: t, ctx: t.Context(), s: s}
	for _, id := range []string{accountA, accountB} {
		f.check(s.CreateAccount(f.ctx, &pier.Account{ID: id, CreateTime: t0}))
	}
	return f
}

// check fails the test if err is not nil.
func (f *fixture) check(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("unexpected error: %v", err)
	}
}

func (f *fixture) app(accountID, id string) *pier.App {
	f.t.Helper()
	a := sampleApp(accountID, id)
	f.check(f.s.CreateApp(f.ctx, a))
	return a
}

func (f *fixture) branch(a *pier.App, name string) *pier.Branch {
	f.t.Helper()
	b := sampleBranch(a.AccountID, a.ID, name)
	f.check(f.s.CreateBranch(f.ctx, b))
	return b
}

func (f *fixture) job(b *pier.Branch) *pier.Job {
	f.t.Helper()
	j := sampleJob(b.AccountID, b.AppID, b.Name)
	f.check(f.s.CreateJob(f.ctx, j))
	return j
}

func (f *fixture) domain(a *pier.App, name string) *pier.DomainAssociation {
	f.t.Helper()
	d := sampleDomain(a.AccountID, a.ID, name)
	f.check(f.s.CreateDomainAssociation(f.ctx, d))
	return d
}

func (f *fixture) webhook(b *pier.Branch, id string) *pier.Webhook {
	f.t.Helper()
	w := sampleWebhook(b.AccountID, id, b.AppID, b.Name)
	f.check(f.s.CreateWebhook(f.ctx, w))
	return w
}

func (f *fixture) env(a *pier.App, name string) *pier.BackendEnvironment {
	f.t.Helper()
	e := sampleBackendEnvironment(a.AccountID, a.ID, name)
	f.check(f.s.CreateBackendEnvironment(f.ctx, e))
	return e
}

func (f *fixture) artifact(j *pier.Job, id string) *pier.Artifact {
	f.t.Helper()
	a := sampleArtifact(j.AccountID, id, j.AppID, j.BranchName, j.ID)
	f.check(f.s.CreateArtifact(f.ctx, a))
	return a
}

func (f *fixture) deployment(j *pier.Job, id string) *pier.Deployment {
	f.t.Helper()
	d := sampleDeployment(j.AccountID, id, j.AppID, j.BranchName, j.ID)
	f.check(f.s.CreateDeployment(f.ctx, d))
	return d
}

// publish makes d the live deployment of j's branch, as a runner that
// finished j does.
func (f *fixture) publish(j *pier.Job, d *pier.Deployment) {
	f.t.Helper()
	j.Status = pier.JobSucceed
	j.DeploymentID = d.ID
	f.check(f.s.PublishDeployment(f.ctx, j, d.ID))
}

// wantCode fails the test unless err has the error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := pier.ErrorCode(err); got != want {
		t.Fatalf("error %v has code %q, want %q", err, got, want)
	}
}

// cmpOptions compare times to the millisecond, the least precision a store
// may keep.
var cmpOptions = cmp.Options{cmpopts.EquateApproxTime(time.Millisecond)}

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpOptions); diff != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, diff)
	}
}
