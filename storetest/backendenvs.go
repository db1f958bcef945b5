package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

var backendEnvironmentTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		e := sampleBackendEnvironment(accountA, app1, "staging")
		checkComplete(t, e)
		f.check(f.s.CreateBackendEnvironment(f.ctx, e))
		got, err := f.s.GetBackendEnvironment(f.ctx, accountA, app1, "staging")
		f.check(err)
		wantEqual(t, "backend environment", got, e)
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		e := f.env(a, "staging")
		wantCode(t, f.s.CreateBackendEnvironment(f.ctx, sampleBackendEnvironment(accountA, app1, "staging")), pier.ECONFLICT)
		got, err := f.s.GetBackendEnvironment(f.ctx, accountA, app1, "staging")
		f.check(err)
		wantEqual(t, "backend environment", got, e)
		f.env(f.app(accountA, app2), "staging") // names are unique per app only
	}},
	{"CreateUnknownApp", func(t *testing.T, f *fixture) {
		f.app(accountA, app1)
		wantCode(t, f.s.CreateBackendEnvironment(f.ctx, sampleBackendEnvironment(accountA, app2, "staging")), pier.ENOTFOUND)
		wantCode(t, f.s.CreateBackendEnvironment(f.ctx, sampleBackendEnvironment(accountB, app1, "staging")), pier.ENOTFOUND)
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.env(f.app(accountA, app1), "staging")
		_, err := f.s.GetBackendEnvironment(f.ctx, accountA, app1, "prod")
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetBackendEnvironment(f.ctx, accountA, app2, "staging")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackendEnvironment(f.ctx, accountA, app1, "prod"), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		e := f.env(f.app(accountA, app1), "staging")
		_, err := f.s.GetBackendEnvironment(f.ctx, accountB, app1, "staging")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackendEnvironment(f.ctx, accountB, app1, "staging"), pier.ENOTFOUND)
		_, _, err = f.s.ListBackendEnvironments(f.ctx, accountB, app1, "", pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetBackendEnvironment(f.ctx, accountA, app1, "staging")
		f.check(err)
		wantEqual(t, "backend environment", got, e)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		f.env(a, "staging")
		kept := f.env(a, "prod")
		f.check(f.s.DeleteBackendEnvironment(f.ctx, accountA, app1, "staging"))
		_, err := f.s.GetBackendEnvironment(f.ctx, accountA, app1, "staging")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteBackendEnvironment(f.ctx, accountA, app1, "staging"), pier.ENOTFOUND)
		envs, _, err := f.s.ListBackendEnvironments(f.ctx, accountA, app1, "", pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "backend environments", envs, []*pier.BackendEnvironment{kept})
	}},
	{"List", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		envs, next, err := f.s.ListBackendEnvironments(f.ctx, accountA, app1, "", pier.Page{Limit: 10})
		f.check(err)
		if len(envs) != 0 || next != "" {
			t.Fatalf("ListBackendEnvironments of a new app = %d environments, cursor %q", len(envs), next)
		}
		staging := f.env(a, "staging")
		f.env(other, "dev")
		dev := f.env(a, "dev")
		envs, next, err = f.s.ListBackendEnvironments(f.ctx, accountA, app1, "", pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "backend environments", envs, []*pier.BackendEnvironment{staging, dev})
		if next != "" {
			t.Errorf("cursor after the last environment = %q, want empty", next)
		}
		_, _, err = f.s.ListBackendEnvironments(f.ctx, accountA, app3, "", pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"ListByName", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		f.env(a, "staging")
		f.env(other, "dev")
		dev := f.env(a, "dev")
		f.env(a, "dev2")
		for _, c := range []struct {
			name string
			want []*pier.BackendEnvironment
		}{
			{"dev", []*pier.BackendEnvironment{dev}},
			{"de", nil},
			{"prod", nil},
		} {
			envs, next, err := f.s.ListBackendEnvironments(f.ctx, accountA, app1, c.name, pier.Page{Limit: 10})
			f.check(err)
			wantEqual(t, "environments named "+c.name, envs, c.want)
			if next != "" {
				t.Errorf("cursor after the environments named %s = %q, want empty", c.name, next)
			}
		}
		_, _, err := f.s.ListBackendEnvironments(f.ctx, accountA, app3, "dev", pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		a, other := f.app(accountA, app1), f.app(accountA, app2)
		names := []string{"e", "d", "c", "b", "a"}
		for _, name := range names {
			f.env(a, name)
			f.env(other, name)
		}
		checkPages(t, names, envKey, func(p pier.Page) ([]*pier.BackendEnvironment, string, error) {
			return f.s.ListBackendEnvironments(f.ctx, accountA, app1, "", p)
		})
	}},
}
