package service

import (
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// newWebhookFixture returns the log fixture with a second app, connected to
// a repository, and a webhook on its branch main.
func newWebhookFixture(t *testing.T) (*logFixture, *pier.Webhook) {
	t.Helper()
	f := newLogFixture(t)
	ctx := t.Context()
	now := time.Now().UTC()
	if err := f.store.CreateApp(ctx, &pier.App{AccountID: logAccount, ID: "d1git", Name: "git", Repository: "https://git.example.com/site.git", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateBranch(ctx, &pier.Branch{AccountID: logAccount, AppID: "d1git", Name: "main", CreateTime: now, UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	w, err := f.svc.CreateWebhook(ctx, logAccount, "d1git", "main", "push")
	if err != nil {
		t.Fatal(err)
	}
	return f, w
}

func TestAuthorizeWebhook(t *testing.T) {
	f, w := newWebhookFixture(t)
	got, err := f.svc.AuthorizeWebhook(t.Context(), w.ID, w.Token)
	if err != nil {
		t.Fatalf("AuthorizeWebhook with the right token: %v", err)
	}
	if got.ID != w.ID || got.BranchName != "main" {
		t.Errorf("AuthorizeWebhook = %+v, want webhook %s of main", got, w.ID)
	}
	for _, tc := range []struct{ name, id, token string }{
		{"wrong token", w.ID, w.Token[:len(w.Token)-1] + "x"},
		{"missing token", w.ID, ""},
		{"longer token", w.ID, w.Token + "x"},
		{"unknown id", "no-such-webhook", w.Token},
		{"unknown id with the dummy token", "no-such-webhook", dummyWebhookToken},
		{"missing id", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.AuthorizeWebhook(t.Context(), tc.id, tc.token)
			if pier.ErrorCode(err) != pier.EUNAUTHORIZED || pier.ErrorMessage(err) != "Forbidden" {
				t.Errorf("AuthorizeWebhook = %v, want EUNAUTHORIZED Forbidden", err)
			}
		})
	}
}

func TestTriggerWebhook(t *testing.T) {
	f, w := newWebhookFixture(t)
	j, err := f.svc.TriggerWebhook(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.GetJob(t.Context(), logAccount, "d1git", "main", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Type != pier.JobTypeWebhook || stored.Status != pier.JobPending || !stored.Build || stored.Reason != "Webhook "+w.ID {
		t.Errorf("queued job = type %s status %s build %v reason %q, want a PENDING WEB_HOOK build with reason %q",
			stored.Type, stored.Status, stored.Build, stored.Reason, "Webhook "+w.ID)
	}

	t.Run("app without repository", func(t *testing.T) {
		hook, err := f.svc.CreateWebhook(t.Context(), logAccount, logApp, logBranch, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.TriggerWebhook(t.Context(), hook)
		if pier.ErrorCode(err) != pier.EINVALID {
			t.Errorf("TriggerWebhook of an app without repository = %v, want EINVALID", err)
		}
	})
}
