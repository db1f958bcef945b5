package build

import (
	"context"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/gitsource"
)

// Heads lists the branches of app's repository with their head commits,
// authenticating as its builds do. It implements service.HeadLister for
// the poller of repositories without webhooks.
func (b *Builder) Heads(ctx context.Context, app *pier.App) (map[string]string, error) {
	token := app.AccessToken
	if token == "" {
		token = app.OAuthToken
	}
	token, err := b.cfg.Sealer.Open(token, app.ID)
	if err != nil {
		return nil, err
	}
	auth := gitsource.Auth{Token: token}
	if pier.CloneMethod(app.Repository) == "SSH" {
		auth = gitsource.Auth{SSHKey: []byte(token)}
	}
	return gitsource.Heads(ctx, app.Repository, auth)
}
