package awsapi

import (
	"context"

	"github.com/pier-hosting/pier"
)

func createApp(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.AppInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	a, err := s.svc.CreateApp(ctx, r.account, in)
	return s.appResult(ctx, a, err)
}

func getApp(ctx context.Context, s *Server, r *request) (any, error) {
	a, err := s.svc.GetApp(ctx, r.account, r.str("appId"))
	return s.appResult(ctx, a, err)
}

func updateApp(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.AppInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	in.Tags = nil // not an UpdateApp member
	a, err := s.svc.UpdateApp(ctx, r.account, r.str("appId"), in)
	return s.appResult(ctx, a, err)
}

func deleteApp(ctx context.Context, s *Server, r *request) (any, error) {
	a, err := s.svc.GetApp(ctx, r.account, r.str("appId"))
	if err != nil {
		return nil, err
	}
	out, err := s.app(ctx, a) // rendered before its branches are gone
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.DeleteApp(ctx, r.account, a.ID); err != nil {
		return nil, err
	}
	return map[string]any{"app": out}, nil
}

func listApps(ctx context.Context, s *Server, r *request) (any, error) {
	apps, next, err := s.svc.ListApps(ctx, r.account, r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]appOut, 0, len(apps))
	for _, a := range apps {
		o, err := s.app(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return listResult("apps", out, next), nil
}

// appResult wraps an operation's app as {"app": …}.
func (s *Server) appResult(ctx context.Context, a *pier.App, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out, err := s.app(ctx, a)
	if err != nil {
		return nil, err
	}
	return map[string]any{"app": out}, nil
}

// listResult is the output of a list operation: the items under key, and
// nextToken only when there is another page.
func listResult(key string, items any, next string) map[string]any {
	out := map[string]any{key: items}
	if next != "" {
		out["nextToken"] = next
	}
	return out
}
