package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

var webhookTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		w := sampleWebhook(accountA, "8d4a1c9e-hook", app1, "main")
		w.Version = 42 // ignored: a new webhook is at version 1
		f.check(f.s.CreateWebhook(f.ctx, w))
		if w.Version != 1 {
			t.Fatalf("CreateWebhook set version %d, want 1", w.Version)
		}
		checkComplete(t, w)
		got, err := f.s.GetWebhook(f.ctx, accountA, w.ID)
		f.check(err)
		wantEqual(t, "webhook", got, w)
	}},
	{"IDsUniqueAcrossAccounts", func(t *testing.T, f *fixture) {
		w := f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		f.branch(f.app(accountB, app2), "main")
		wantCode(t, f.s.CreateWebhook(f.ctx, sampleWebhook(accountB, "hook", app2, "main")), pier.ECONFLICT)
		wantCode(t, f.s.CreateWebhook(f.ctx, sampleWebhook(accountA, "hook", app1, "main")), pier.ECONFLICT)
		_, err := f.s.GetWebhook(f.ctx, accountB, "hook")
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetWebhook(f.ctx, accountA, "hook")
		f.check(err)
		wantEqual(t, "webhook", got, w)
	}},
	{"FindAcrossAccounts", func(t *testing.T, f *fixture) {
		a := f.webhook(f.branch(f.app(accountA, app1), "main"), "hook-a")
		b := f.webhook(f.branch(f.app(accountB, app2), "main"), "hook-b")
		for _, want := range []*pier.Webhook{a, b} {
			got, err := f.s.FindWebhook(f.ctx, want.ID)
			f.check(err)
			wantEqual(t, "webhook", got, want)
		}
		_, err := f.s.FindWebhook(f.ctx, "other")
		wantCode(t, err, pier.ENOTFOUND)
		f.check(f.s.DeleteWebhook(f.ctx, accountB, b.ID))
		_, err = f.s.FindWebhook(f.ctx, b.ID)
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"CreateUnknownBranch", func(t *testing.T, f *fixture) {
		f.branch(f.app(accountA, app1), "main")
		for _, w := range []*pier.Webhook{
			sampleWebhook(accountA, "hook", app1, "dev"),
			sampleWebhook(accountA, "hook", app2, "main"),
			sampleWebhook(accountB, "hook", app1, "main"),
		} {
			wantCode(t, f.s.CreateWebhook(f.ctx, w), pier.ENOTFOUND)
		}
	}},
	{"VersionConflict", func(t *testing.T, f *fixture) {
		f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		checkVersionConflict(t, webhookVersions(f, accountA, "hook"), "Webhook hook was changed concurrently")
	}},
	{"ConcurrentUpdates", func(t *testing.T, f *fixture) {
		f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		checkConcurrentUpdates(t, webhookVersions(f, accountA, "hook"))
	}},
	{"Update", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		w := f.webhook(f.branch(a, "main"), "hook")
		f.branch(a, "dev")
		w.BranchName = "dev"
		w.Description = ""
		w.Token = "rotated"
		w.UpdateTime = t2
		f.check(f.s.UpdateWebhook(f.ctx, w))
		if w.Version != 2 {
			t.Errorf("Version after an update = %d, want 2", w.Version)
		}
		got, err := f.s.GetWebhook(f.ctx, accountA, "hook")
		f.check(err)
		wantEqual(t, "webhook", got, w)

		// The webhook now belongs to dev: it goes with dev, not with main.
		f.check(f.s.DeleteBranch(f.ctx, accountA, app1, "main"))
		_, err = f.s.GetWebhook(f.ctx, accountA, "hook")
		f.check(err)
		f.check(f.s.DeleteBranch(f.ctx, accountA, app1, "dev"))
		_, err = f.s.GetWebhook(f.ctx, accountA, "hook")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"UpdateUnknownBranch", func(t *testing.T, f *fixture) {
		w := f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		moved := *w
		moved.BranchName = "dev"
		wantCode(t, f.s.UpdateWebhook(f.ctx, &moved), pier.ENOTFOUND)
		got, err := f.s.GetWebhook(f.ctx, accountA, "hook")
		f.check(err)
		wantEqual(t, "webhook", got, w)
	}},
	{"Unknown", func(t *testing.T, f *fixture) {
		f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		_, err := f.s.GetWebhook(f.ctx, accountA, "other")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateWebhook(f.ctx, sampleWebhook(accountA, "other", app1, "main")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteWebhook(f.ctx, accountA, "other"), pier.ENOTFOUND)
	}},
	{"OtherAccount", func(t *testing.T, f *fixture) {
		w := f.webhook(f.branch(f.app(accountA, app1), "main"), "hook")
		f.branch(f.app(accountB, app2), "main")
		_, err := f.s.GetWebhook(f.ctx, accountB, "hook")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.UpdateWebhook(f.ctx, sampleWebhook(accountB, "hook", app2, "main")), pier.ENOTFOUND)
		wantCode(t, f.s.DeleteWebhook(f.ctx, accountB, "hook"), pier.ENOTFOUND)
		_, _, err = f.s.ListWebhooks(f.ctx, accountB, app1, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
		got, err := f.s.GetWebhook(f.ctx, accountA, "hook")
		f.check(err)
		wantEqual(t, "webhook", got, w)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		b := f.branch(f.app(accountA, app1), "main")
		f.webhook(b, "hook")
		kept := f.webhook(b, "kept")
		f.check(f.s.DeleteWebhook(f.ctx, accountA, "hook"))
		_, err := f.s.GetWebhook(f.ctx, accountA, "hook")
		wantCode(t, err, pier.ENOTFOUND)
		wantCode(t, f.s.DeleteWebhook(f.ctx, accountA, "hook"), pier.ENOTFOUND)
		hooks, _, err := f.s.ListWebhooks(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "webhooks", hooks, []*pier.Webhook{kept})
	}},
	{"List", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		other := f.branch(f.app(accountA, app2), "main")
		hooks, next, err := f.s.ListWebhooks(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		if len(hooks) != 0 || next != "" {
			t.Fatalf("ListWebhooks of a new app = %d webhooks, cursor %q", len(hooks), next)
		}
		z := f.webhook(main, "z")
		f.webhook(other, "o")
		m := f.webhook(dev, "m")
		a2 := f.webhook(main, "a")
		hooks, next, err = f.s.ListWebhooks(f.ctx, accountA, app1, pier.Page{Limit: 10})
		f.check(err)
		wantEqual(t, "webhooks", hooks, []*pier.Webhook{z, m, a2})
		if next != "" {
			t.Errorf("cursor after the last webhook = %q, want empty", next)
		}
		_, _, err = f.s.ListWebhooks(f.ctx, accountA, app3, pier.Page{Limit: 10})
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"Pages", func(t *testing.T, f *fixture) {
		a := f.app(accountA, app1)
		main, dev := f.branch(a, "main"), f.branch(a, "dev")
		other := f.branch(f.app(accountA, app2), "main")
		ids := []string{"e", "d", "c", "b", "a"}
		for i, id := range ids {
			f.webhook([]*pier.Branch{main, dev}[i%2], id)
			f.webhook(other, "other-"+id)
		}
		checkPages(t, ids, webhookKey, func(p pier.Page) ([]*pier.Webhook, string, error) {
			return f.s.ListWebhooks(f.ctx, accountA, app1, p)
		})
	}},
}
