package awsapi

import (
	"context"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/service"
)

// The amplifybackend output shapes (api-spec.md §7.5): lowerCamel keys,
// times as ISO-8601 strings. Only GetBackendStorageResourceConfig
// (serviceName, imported), BackendStoragePermissions (authenticated) and
// BackendJobRespObj (appId, backendEnvironmentName) have required members.

// backendStartOut is the answer of the operations that start a job.
type backendStartOut struct {
	AppID                  string  `json:"appId"`
	BackendEnvironmentName *string `json:"backendEnvironmentName,omitempty"`
	JobID                  string  `json:"jobId"`
	Operation              string  `json:"operation,omitempty"`
	Status                 string  `json:"status"`
	Error                  string  `json:"error,omitempty"`
}

// storageJobOut is the answer of the storage operations that start a job,
// which have no operation or error members.
type storageJobOut struct {
	AppID                  string `json:"appId"`
	BackendEnvironmentName string `json:"backendEnvironmentName"`
	JobID                  string `json:"jobId"`
	Status                 string `json:"status"`
}

// backendJobOut is GetBackendJobResponse, UpdateBackendJobResponse and
// BackendJobRespObj.
type backendJobOut struct {
	AppID                  string `json:"appId"`
	BackendEnvironmentName string `json:"backendEnvironmentName"`
	CreateTime             string `json:"createTime"`
	Error                  string `json:"error,omitempty"`
	JobID                  string `json:"jobId"`
	Operation              string `json:"operation"`
	Status                 string `json:"status"`
	UpdateTime             string `json:"updateTime"`
}

type permissionsOut struct {
	Authenticated   []string `json:"authenticated"`
	UnAuthenticated []string `json:"unAuthenticated"`
}

type storageConfigOut struct {
	BucketName  string         `json:"bucketName,omitempty"`
	Imported    bool           `json:"imported"`
	Permissions permissionsOut `json:"permissions"`
	ServiceName string         `json:"serviceName"`
}

type bucketOut struct {
	CreationDate string `json:"creationDate,omitempty"`
	Name         string `json:"name"`
}

// isoTime formats t as the ISO-8601 strings of amplifybackend.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func backendJob(j *pier.BackendJob, env string) backendJobOut {
	if j.Env != "" {
		env = j.Env
	}
	return backendJobOut{AppID: j.AppID, BackendEnvironmentName: env, CreateTime: isoTime(j.CreateTime), Error: j.Error,
		JobID: j.ID, Operation: j.Operation, Status: j.Status, UpdateTime: isoTime(j.UpdateTime)}
}

// jobResult answers a support operation that started j.
func jobResult(j *pier.BackendJob, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := backendStartOut{AppID: j.AppID, JobID: j.ID, Operation: j.Operation, Status: j.Status, Error: j.Error}
	if j.Env != "" {
		out.BackendEnvironmentName = &j.Env
	}
	return out, nil
}

// storageJobResult answers a storage operation that started j.
func storageJobResult(j *pier.BackendJob, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return storageJobOut{AppID: j.AppID, BackendEnvironmentName: j.Env, JobID: j.ID, Status: j.Status}, nil
}

func createBackend(ctx context.Context, s *Server, r *request) (any, error) {
	return jobResult(s.svc.CreateBackend(ctx, r.account, r.str("appId"), r.str("appName"), r.str("backendEnvironmentName")))
}

func getBackend(ctx context.Context, s *Server, r *request) (any, error) {
	d, err := s.svc.GetBackend(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"appId": d.Backend.AppID, "appName": d.Backend.AppName, "backendEnvironmentList": d.Environments}
	if d.Environment != "" {
		out["backendEnvironmentName"] = d.Environment
		out["amplifyMetaConfig"] = d.MetaConfig
	}
	return out, nil
}

func deleteBackend(ctx context.Context, s *Server, r *request) (any, error) {
	return jobResult(s.svc.DeleteBackend(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName")))
}

func removeAllBackends(ctx context.Context, s *Server, r *request) (any, error) {
	clean, _ := r.in["cleanAmplifyApp"].(bool)
	return jobResult(s.svc.RemoveAllBackends(ctx, r.account, r.str("appId"), clean))
}

func getBackendJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.GetBackendJob(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("jobId"))
	if err != nil {
		return nil, err
	}
	return backendJob(j, r.str("backendEnvironmentName")), nil
}

func updateBackendJob(ctx context.Context, s *Server, r *request) (any, error) {
	j, err := s.svc.UpdateBackendJob(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("jobId"), r.str("operation"), r.str("status"))
	if err != nil {
		return nil, err
	}
	return backendJob(j, r.str("backendEnvironmentName")), nil
}

func listBackendJobs(ctx context.Context, s *Server, r *request) (any, error) {
	env := r.str("backendEnvironmentName")
	f := pier.BackendJobFilter{ID: r.str("jobId"), Operation: r.str("operation"), Status: r.str("status")}
	jobs, next, err := s.svc.ListBackendJobs(ctx, r.account, r.str("appId"), env, f, r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	out := make([]backendJobOut, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, backendJob(j, env))
	}
	return listResult("jobs", out, next), nil
}

// storageConfigIn is the resourceConfig of CreateBackendStorage and
// UpdateBackendStorage.
type storageConfigIn struct {
	ResourceConfig struct {
		BucketName  string `json:"bucketName"`
		Permissions struct {
			Authenticated   []string `json:"authenticated"`
			UnAuthenticated []string `json:"unAuthenticated"`
		} `json:"permissions"`
	} `json:"resourceConfig"`
}

func (c *storageConfigIn) permissions() pier.StoragePermissions {
	p := c.ResourceConfig.Permissions
	return pier.StoragePermissions{Authenticated: p.Authenticated, UnAuthenticated: p.UnAuthenticated}
}

func createBackendStorage(ctx context.Context, s *Server, r *request) (any, error) {
	var in storageConfigIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return storageJobResult(s.svc.CreateBackendStorage(ctx, r.account, r.str("appId"), service.StorageInput{
		Env: r.str("backendEnvironmentName"), ResourceName: r.str("resourceName"),
		BucketName: in.ResourceConfig.BucketName, Permissions: in.permissions(),
	}))
}

func importBackendStorage(ctx context.Context, s *Server, r *request) (any, error) {
	return storageJobResult(s.svc.ImportBackendStorage(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("bucketName")))
}

func updateBackendStorage(ctx context.Context, s *Server, r *request) (any, error) {
	var in storageConfigIn
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return storageJobResult(s.svc.UpdateBackendStorage(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("resourceName"), in.permissions()))
}

func deleteBackendStorage(ctx context.Context, s *Server, r *request) (any, error) {
	return storageJobResult(s.svc.DeleteBackendStorage(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("resourceName")))
}

func getBackendStorage(ctx context.Context, s *Server, r *request) (any, error) {
	st, err := s.svc.GetBackendStorage(ctx, r.account, r.str("appId"), r.str("backendEnvironmentName"), r.str("resourceName"))
	if err != nil {
		return nil, err
	}
	perms := permissionsOut{Authenticated: st.Permissions.Authenticated, UnAuthenticated: st.Permissions.UnAuthenticated}
	if perms.Authenticated == nil {
		perms.Authenticated = []string{}
	}
	if perms.UnAuthenticated == nil {
		perms.UnAuthenticated = []string{}
	}
	return map[string]any{
		"appId": st.AppID, "backendEnvironmentName": st.Env, "resourceName": st.ResourceName,
		"resourceConfig": storageConfigOut{BucketName: st.BucketName, Imported: st.Imported, Permissions: perms, ServiceName: pier.BackendStorageS3},
	}, nil
}

func listS3Buckets(ctx context.Context, s *Server, r *request) (any, error) {
	if r.str("nextToken") != "" {
		return nil, pier.Errorf(pier.EINVALID, "Invalid nextToken: ListS3Buckets returns every bucket at once.")
	}
	buckets, err := s.svc.ListS3Buckets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]bucketOut, 0, len(buckets))
	for _, b := range buckets {
		out = append(out, bucketOut{Name: b.Name, CreationDate: isoTime(b.CreationDate)})
	}
	return map[string]any{"buckets": out}, nil
}
