package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

var artifactTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		a := sampleArtifact(accountA, "artifact", app1, "main", j.ID)
		checkComplete(t, a)
		f.check(f.s.CreateArtifact(f.ctx, a))
		got, err := f.s.GetArtifact(f.ctx, accountA, "artifact")
		f.check(err)
		wantEqual(t, "artifact", got, a)
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		a := f.artifact(j, "artifact")
		wantCode(t, f.s.CreateArtifact(f.ctx, sampleArtifact(accountA, "artifact", app1, "main", j.ID)), pier.ECONFLICT)
		got, err := f.s.GetArtifact(f.ctx, accountA, "artifact")
		f.check(err)
		wantEqual(t, "artifact", got, a)
	}},
	{"CreateUnknownJob", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		for _, a := range []*pier.Artifact{
			sampleArtifact(accountA, "artifact", app1, "main", j.ID+1),
			sampleArtifact(accountA, "artifact", app1, "dev", j.ID),
			sampleArtifact(accountA, "artifact", app2, "main", j.ID),
			sampleArtifact(accountB, "artifact", app1, "main", j.ID),
		} {
			wantCode(t, f.s.CreateArtifact(f.ctx, a), pier.ENOTFOUND)
		}
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.artifact(f.job(f.branch(f.app(accountA, app1), "main")), "artifact")
		_, err := f.s.GetArtifact(f.ctx, accountA, "other")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		j := f.job(f.branch(f.app(accountA, app1), "main"))
		a := f.artifact(j, "artifact")
		_, err := f.s.GetArtifact(f.ctx, accountB, "artifact")
		wantCode(t, err, pier.ENOTFOUND)
		_, _, err = f.s.ListArtifacts(f.ctx, accountB, app1, "main", j.ID, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetArtifact(f.ctx, accountA, "artifact")
		f.check(err)
		wantEqual(t, "artifact", got, a)
	}},
	{"List", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main := f.branch(a, "main")
		j1, j2 := f.job(main), f.job(main)
		devJob := f.job(f.branch(a, "dev"))
		artifacts, next, err := f.s.ListArtifacts(f.ctx, accountA, app1, "main", j1.ID, pier.Page{Limit: 10})
		f.check(err)
		if len(artifacts) != 0 || next != "" {
			t.Fatalf("ListArtifacts of a new job = %d artifacts, cursor %q", len(artifacts), next)
		}
		z := f.artifact(j1, "z")
		f.artifact(j2, "o")
		f.artifact(devJob, "d")
		m := f.artifact(j1, "m")
		artifacts, next, err = f.s.ListArtifacts(f.ctx, accountA, app1, "main", j1.ID, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "artifacts", artifacts, []*pier.Artifact{z, m})
		if next != "" {
			t.Errorf("cursor after the last artifact = %q, want empty", next)
		}
		_, _, err = f.s.ListArtifacts(f.ctx, accountA, app1, "main", 99, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		main := f.branch(f.app(accountA, app1), "main")
		j1, j2 := f.job(main), f.job(main)
		ids := []string{"e", "d", "c", "b", "a"}
		for _, id := range ids {
			f.artifact(j1, id)
			f.artifact(j2, "other-"+id)
		}
		checkPages(t, ids, artifactKey, func(p pier.Page) ([]*pier.Artifact, string, error) {
			return f.s.ListArtifacts(f.ctx, accountA, app1, "main", j1.ID, p)
		})
	}},
}
