package service

import (
	"context"
	"strings"

	"github.com/pier-hosting/pier"
)

// maxTags is the most tags a resource may carry.
const maxTags = 50

// ListTagsForResource returns the tags of an app or branch named by its ARN.
func (s *Service) ListTagsForResource(ctx context.Context, account, arn string) (map[string]string, error) {
	var tags map[string]string
	err := s.withTags(ctx, account, arn, false, func(t map[string]string) map[string]string {
		tags = t
		return t
	})
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, err
}

// TagResource adds tags to an app or branch; a key it already has is overwritten.
func (s *Service) TagResource(ctx context.Context, account, arn string, tags map[string]string) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	var total int
	err := s.withTags(ctx, account, arn, true, func(t map[string]string) map[string]string {
		if t == nil {
			t = map[string]string{}
		}
		for k, v := range tags {
			t[k] = v
		}
		total = len(t)
		return t
	})
	if err == nil && total > maxTags {
		return pier.Errorf(pier.EINVALID, "Too many tags: a resource can have at most %d tags.", maxTags)
	}
	return err
}

// UntagResource removes tags from an app or branch; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, account, arn string, keys []string) error {
	if len(keys) == 0 {
		return pier.Errorf(pier.EINVALID, "Missing required field 'tagKeys'.")
	}
	return s.withTags(ctx, account, arn, true, func(t map[string]string) map[string]string {
		for _, k := range keys {
			delete(t, k)
		}
		return t
	})
}

// withTags resolves arn to a resource of the caller, passes its tags to fn
// and, if write is set, stores what fn returns. A merged tag set over the
// limit is not stored. An ARN that names nothing of the caller's is ENOTFOUND.
func (s *Service) withTags(ctx context.Context, account, arn string, write bool, fn func(map[string]string) map[string]string) error {
	a, err := pier.ParseARN(arn)
	if err != nil {
		return err
	}
	notFound := pier.Errorf(pier.ENOTFOUND, "Resource %s not found.", truncate(arn, 200))
	if a.AccountID != account || a.Region != s.cfg.Region {
		return notFound
	}
	switch a.Kind {
	case pier.ResourceApp:
		app, err := s.store.GetApp(ctx, account, a.AppID)
		if err != nil {
			return tagNotFound(err, notFound)
		}
		app.Tags = fn(app.Tags)
		if !write || len(app.Tags) > maxTags {
			return nil
		}
		return s.store.UpdateApp(ctx, app)
	case pier.ResourceBranch:
		b, err := s.store.GetBranch(ctx, account, a.AppID, a.Name)
		if err != nil {
			return tagNotFound(err, notFound)
		}
		b.Tags = fn(b.Tags)
		if !write || len(b.Tags) > maxTags {
			return nil
		}
		return s.store.UpdateBranch(ctx, b)
	}
	return notFound
}

// tagNotFound replaces a store's ENOTFOUND with the tag operations' message.
func tagNotFound(err error, notFound error) error {
	if pier.ErrorCode(err) == pier.ENOTFOUND {
		return notFound
	}
	return err
}

// validateTags checks the rules of tag maps given to create and tag operations.
func validateTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return pier.Errorf(pier.EINVALID, "Invalid input for 'tags': at most %d tags are allowed.", maxTags)
	}
	for k := range tags {
		if k == "" {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'tags': keys must not be empty.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'tags': key %q uses the reserved prefix aws:.", truncate(k, 64))
		}
	}
	return nil
}
