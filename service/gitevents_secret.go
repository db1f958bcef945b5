package service

import (
	"context"

	"github.com/pier-hosting/pier"
)

// GitEventsEndpoint is where an app's Git provider sends its events.
type GitEventsEndpoint struct {
	// URL is the app's endpoint: {public URL}/pier/events/{appId}.
	URL string `json:"url"`
	// Secret signs the events (GitHub, Gitea, Forgejo, Bitbucket) or is
	// sent as the token (GitLab).
	Secret string `json:"secret"`
}

// GitEvents returns the Git event endpoint of an app of account; ENOTFOUND
// if there is no such app.
func (s *Service) GitEvents(ctx context.Context, account, appID string) (*GitEventsEndpoint, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	return &GitEventsEndpoint{URL: s.cfg.PublicURL + "/pier/events/" + appID, Secret: s.GitEventsSecret(appID)}, nil
}

// GitEventsSecret returns the secret of an app's Git event endpoint. It is
// derived from a server-wide key and the app id, so every node knows it
// without storing it, and it exists for any id: checking a signature tells
// nothing about whether the app exists.
func (s *Service) GitEventsSecret(appID string) string {
	return s.events.sum("git-events", appID)
}

// FindGitEventsApp returns the app of a Git event endpoint whatever its
// account, once the event's signature has been checked against
// GitEventsSecret; ENOTFOUND if there is none.
func (s *Service) FindGitEventsApp(ctx context.Context, appID string) (*pier.App, error) {
	return s.store.FindApp(ctx, appID)
}
