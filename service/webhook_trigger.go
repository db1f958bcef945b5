package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"

	"github.com/pier-hosting/pier"
)

// WebhookOperation is the only operation a webhook URL accepts.
const WebhookOperation = "startbuild"

// errWebhookForbidden is the one answer to a webhook call whose id is
// unknown or whose token is wrong: it must not tell the two apart.
var errWebhookForbidden = pier.Errorf(pier.EUNAUTHORIZED, "Forbidden")

// dummyWebhookToken is what a token is compared with when the id is
// unknown, so that both refusals cost the same comparison. No call is ever
// accepted against it.
const dummyWebhookToken = "pier-no-such-webhook-token"

// AuthorizeWebhook returns the webhook id if token is its token. An unknown
// id and a wrong or missing token both return the same EUNAUTHORIZED error
// ("Forbidden") after the same constant-time comparison.
func (s *Service) AuthorizeWebhook(ctx context.Context, id, token string) (*pier.Webhook, error) {
	w, err := s.store.FindWebhook(ctx, id)
	want := dummyWebhookToken
	switch pier.ErrorCode(err) {
	case "":
		want = w.Token
	case pier.ENOTFOUND:
		w = nil
	default:
		return nil, err
	}
	if !tokensEqual(token, want) || w == nil {
		return nil, errWebhookForbidden
	}
	return w, nil
}

// TriggerWebhook queues a WEB_HOOK job of w's branch, which builds the
// branch's head commit from the app's repository. EINVALID if the app is not
// connected to a repository.
func (s *Service) TriggerWebhook(ctx context.Context, w *pier.Webhook) (*pier.Job, error) {
	return s.StartJob(ctx, w.AccountID, w.AppID, w.BranchName, StartJobInput{
		JobType:   pier.JobTypeWebhook,
		JobReason: "Webhook " + w.ID,
	})
}

// tokensEqual compares two tokens in constant time. Hashing first makes the
// time independent of their lengths too.
func tokensEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
