package awsapi

import (
	"context"

	"github.com/pier-hosting/pier"
)

func createDomainAssociation(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.DomainAssociationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	d, err := s.svc.CreateDomainAssociation(ctx, r.account, r.str("appId"), in)
	return s.domainResult(d, err)
}

func getDomainAssociation(ctx context.Context, s *Server, r *request) (any, error) {
	d, err := s.svc.GetDomainAssociation(ctx, r.account, r.str("appId"), r.str("domainName"))
	return s.domainResult(d, err)
}

func updateDomainAssociation(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.DomainAssociationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	d, err := s.svc.UpdateDomainAssociation(ctx, r.account, r.str("appId"), r.str("domainName"), in)
	return s.domainResult(d, err)
}

func deleteDomainAssociation(ctx context.Context, s *Server, r *request) (any, error) {
	d, err := s.svc.DeleteDomainAssociation(ctx, r.account, r.str("appId"), r.str("domainName"))
	return s.domainResult(d, err)
}

func listDomainAssociations(ctx context.Context, s *Server, r *request) (any, error) {
	ds, next, err := s.svc.ListDomainAssociations(ctx, r.account, r.str("appId"), r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]domainAssociationOut, 0, len(ds))
	for _, d := range ds {
		out = append(out, s.domainAssociation(d))
	}
	return listResult("domainAssociations", out, next), nil
}

// domainResult wraps an operation's domain association.
func (s *Server) domainResult(d *pier.DomainAssociation, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any{"domainAssociation": s.domainAssociation(d)}, nil
}

func createWebhook(ctx context.Context, s *Server, r *request) (any, error) {
	w, err := s.svc.CreateWebhook(ctx, r.account, r.str("appId"), r.str("branchName"), r.str("description"))
	return s.webhookResult(w, err)
}

func getWebhook(ctx context.Context, s *Server, r *request) (any, error) {
	w, err := s.svc.GetWebhook(ctx, r.account, r.str("webhookId"))
	return s.webhookResult(w, err)
}

func updateWebhook(ctx context.Context, s *Server, r *request) (any, error) {
	w, err := s.svc.UpdateWebhook(ctx, r.account, r.str("webhookId"), r.strp("branchName"), r.strp("description"))
	return s.webhookResult(w, err)
}

func deleteWebhook(ctx context.Context, s *Server, r *request) (any, error) {
	w, err := s.svc.DeleteWebhook(ctx, r.account, r.str("webhookId"))
	return s.webhookResult(w, err)
}

func listWebhooks(ctx context.Context, s *Server, r *request) (any, error) {
	ws, next, err := s.svc.ListWebhooks(ctx, r.account, r.str("appId"), r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]webhookOut, 0, len(ws))
	for _, w := range ws {
		out = append(out, s.webhook(w))
	}
	return listResult("webhooks", out, next), nil
}

// webhookResult wraps an operation's webhook.
func (s *Server) webhookResult(w *pier.Webhook, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any{"webhook": s.webhook(w)}, nil
}

func createBackendEnvironment(ctx context.Context, s *Server, r *request) (any, error) {
	e, err := s.svc.CreateBackendEnvironment(ctx, r.account, r.str("appId"), &pier.BackendEnvironment{
		Name: r.str("environmentName"), StackName: r.str("stackName"), DeploymentArtifacts: r.str("deploymentArtifacts"),
	})
	return s.backendEnvironmentResult(e, err)
}

func getBackendEnvironment(ctx context.Context, s *Server, r *request) (any, error) {
	e, err := s.svc.GetBackendEnvironment(ctx, r.account, r.str("appId"), r.str("environmentName"))
	return s.backendEnvironmentResult(e, err)
}

func deleteBackendEnvironment(ctx context.Context, s *Server, r *request) (any, error) {
	e, err := s.svc.DeleteBackendEnvironment(ctx, r.account, r.str("appId"), r.str("environmentName"))
	return s.backendEnvironmentResult(e, err)
}

func listBackendEnvironments(ctx context.Context, s *Server, r *request) (any, error) {
	es, next, err := s.svc.ListBackendEnvironments(ctx, r.account, r.str("appId"), r.str("environmentName"), r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]backendEnvironmentOut, 0, len(es))
	for _, e := range es {
		out = append(out, s.backendEnvironment(e))
	}
	return listResult("backendEnvironments", out, next), nil
}

// backendEnvironmentResult wraps an operation's backend environment.
func (s *Server) backendEnvironmentResult(e *pier.BackendEnvironment, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any{"backendEnvironment": s.backendEnvironment(e)}, nil
}

func generateAccessLogs(ctx context.Context, s *Server, r *request) (any, error) {
	u, err := s.svc.GenerateAccessLogs(ctx, r.account, r.str("appId"), r.str("domainName"), r.time("startTime"), r.time("endTime"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"logUrl": u}, nil
}

func tagResource(ctx context.Context, s *Server, r *request) (any, error) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return struct{}{}, s.svc.TagResource(ctx, r.account, r.str("resourceArn"), in.Tags)
}

func untagResource(ctx context.Context, s *Server, r *request) (any, error) {
	var in struct {
		TagKeys []string `json:"tagKeys"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return struct{}{}, s.svc.UntagResource(ctx, r.account, r.str("resourceArn"), in.TagKeys)
}

func listTagsForResource(ctx context.Context, s *Server, r *request) (any, error) {
	tags, err := s.svc.ListTagsForResource(ctx, r.account, r.str("resourceArn"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": tags}, nil
}
