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
	err := s.withTags(ctx, account, arn, false, func(t map[string]string) (map[string]string, error) {
		tags = t
		return t, nil
	})
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, err
}

// TagResource adds tags to an app or branch; a key it already has is
// overwritten. A merged tag set over the limit is EINVALID and not stored.
func (s *Service) TagResource(ctx context.Context, account, arn string, tags map[string]string) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.withTags(ctx, account, arn, true, func(t map[string]string) (map[string]string, error) {
		if t == nil {
			t = map[string]string{}
		}
		for k, v := range tags {
			t[k] = v
		}
		if len(t) > maxTags {
			return nil, pier.Errorf(pier.EINVALID, "Too many tags: a resource can have at most %d tags.", maxTags)
		}
		return t, nil
	})
}

// UntagResource removes tags from an app or branch; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, account, arn string, keys []string) error {
	if len(keys) == 0 {
		return pier.Errorf(pier.EINVALID, "Missing required field 'tagKeys'.")
	}
	return s.withTags(ctx, account, arn, true, func(t map[string]string) (map[string]string, error) {
		for _, k := range keys {
			delete(t, k)
		}
		return t, nil
	})
}

// withTags resolves arn to a resource of the caller and passes its tags to
// fn. If write is set, it stores what fn returns, unless fn fails; the read,
// fn and the write are retried together when another writer changed the
// resource in between, so concurrent tag changes are never lost (fn may run
// more than once, on fresh tags each time). An ARN that names nothing of the
// caller's is ENOTFOUND.
func (s *Service) withTags(ctx context.Context, account, arn string, write bool, fn func(map[string]string) (map[string]string, error)) error {
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
		return withTagsOf(ctx, &s.locks, appKey(account, a.AppID), write, func() (*pier.App, error) {
			app, err := s.store.GetApp(ctx, account, a.AppID)
			return app, tagNotFound(err, notFound)
		}, func(app *pier.App) *map[string]string { return &app.Tags }, func(app *pier.App) error {
			return tagNotFound(s.store.UpdateApp(ctx, app), notFound)
		}, fn)
	case pier.ResourceBranch:
		return withTagsOf(ctx, &s.locks, branchKey(account, a.AppID, a.Name), write, func() (*pier.Branch, error) {
			b, err := s.store.GetBranch(ctx, account, a.AppID, a.Name)
			return b, tagNotFound(err, notFound)
		}, func(b *pier.Branch) *map[string]string { return &b.Tags }, func(b *pier.Branch) error {
			return tagNotFound(s.store.UpdateBranch(ctx, b), notFound)
		}, fn)
	}
	return notFound
}

// withTagsOf passes the tags of the resource get reads to fn and, if write
// is set, stores what fn returns with put, through update (under the lock of
// key), unless fn fails.
func withTagsOf[T any](ctx context.Context, locks *keyLocks, key string, write bool, get func() (*T, error), tags func(*T) *map[string]string, put func(*T) error, fn func(map[string]string) (map[string]string, error)) error {
	if !write {
		v, err := get()
		if err != nil {
			return err
		}
		_, err = fn(*tags(v))
		return err
	}
	_, err := update(ctx, locks, key, get, func(v *T) (err error) {
		t := tags(v)
		*t, err = fn(*t)
		return err
	}, put)
	return err
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
