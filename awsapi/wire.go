package awsapi

import (
	"context"
	"strconv"

	"github.com/pier-hosting/pier"
)

// The types below are the amplify output shapes. Members the model marks as
// required have no omitempty: they are always present.

type appOut struct {
	AppID                      string                         `json:"appId"`
	AppARN                     string                         `json:"appArn"`
	Name                       string                         `json:"name"`
	Tags                       map[string]string              `json:"tags,omitempty"`
	Description                string                         `json:"description"`
	Repository                 string                         `json:"repository"`
	Platform                   string                         `json:"platform"`
	CreateTime                 epoch                          `json:"createTime"`
	UpdateTime                 epoch                          `json:"updateTime"`
	ComputeRoleARN             string                         `json:"computeRoleArn,omitempty"`
	IAMServiceRoleARN          string                         `json:"iamServiceRoleArn,omitempty"`
	EnvironmentVariables       map[string]string              `json:"environmentVariables"`
	DefaultDomain              string                         `json:"defaultDomain"`
	EnableBranchAutoBuild      bool                           `json:"enableBranchAutoBuild"`
	EnableBranchAutoDeletion   bool                           `json:"enableBranchAutoDeletion"`
	EnableBasicAuth            bool                           `json:"enableBasicAuth"`
	BasicAuthCredentials       string                         `json:"basicAuthCredentials,omitempty"`
	CustomRules                []pier.CustomRule              `json:"customRules"`
	ProductionBranch           *productionBranchOut           `json:"productionBranch,omitempty"`
	BuildSpec                  string                         `json:"buildSpec,omitempty"`
	CustomHeaders              string                         `json:"customHeaders,omitempty"`
	EnableAutoBranchCreation   bool                           `json:"enableAutoBranchCreation"`
	AutoBranchCreationPatterns []string                       `json:"autoBranchCreationPatterns,omitempty"`
	AutoBranchCreationConfig   *pier.AutoBranchCreationConfig `json:"autoBranchCreationConfig,omitempty"`
	RepositoryCloneMethod      string                         `json:"repositoryCloneMethod,omitempty"`
	CacheConfig                typeOut                        `json:"cacheConfig"`
	JobConfig                  buildComputeOut                `json:"jobConfig"`
}

type productionBranchOut struct {
	LastDeployTime *epoch `json:"lastDeployTime,omitempty"`
	Status         string `json:"status,omitempty"`
	BranchName     string `json:"branchName,omitempty"`
}

type typeOut struct {
	Type string `json:"type"`
}

type buildComputeOut struct {
	BuildComputeType string `json:"buildComputeType"`
}

type branchOut struct {
	BranchARN                  string            `json:"branchArn"`
	BranchName                 string            `json:"branchName"`
	Description                string            `json:"description"`
	Tags                       map[string]string `json:"tags,omitempty"`
	Stage                      string            `json:"stage"`
	DisplayName                string            `json:"displayName"`
	EnableNotification         bool              `json:"enableNotification"`
	CreateTime                 epoch             `json:"createTime"`
	UpdateTime                 epoch             `json:"updateTime"`
	EnvironmentVariables       map[string]string `json:"environmentVariables"`
	EnableAutoBuild            bool              `json:"enableAutoBuild"`
	EnableSkewProtection       bool              `json:"enableSkewProtection"`
	CustomDomains              []string          `json:"customDomains"`
	Framework                  string            `json:"framework"`
	ActiveJobID                string            `json:"activeJobId"`
	TotalNumberOfJobs          string            `json:"totalNumberOfJobs"`
	EnableBasicAuth            bool              `json:"enableBasicAuth"`
	EnablePerformanceMode      bool              `json:"enablePerformanceMode"`
	BasicAuthCredentials       string            `json:"basicAuthCredentials,omitempty"`
	BuildSpec                  string            `json:"buildSpec,omitempty"`
	TTL                        string            `json:"ttl"`
	EnablePullRequestPreview   bool              `json:"enablePullRequestPreview"`
	PullRequestEnvironmentName string            `json:"pullRequestEnvironmentName,omitempty"`
	BackendEnvironmentARN      string            `json:"backendEnvironmentArn,omitempty"`
	Backend                    *stackOut         `json:"backend,omitempty"`
	ComputeRoleARN             string            `json:"computeRoleArn,omitempty"`
}

type stackOut struct {
	StackARN string `json:"stackArn,omitempty"`
}

type jobSummaryOut struct {
	JobARN        string `json:"jobArn"`
	JobID         string `json:"jobId"`
	CommitID      string `json:"commitId"`
	CommitMessage string `json:"commitMessage"`
	CommitTime    epoch  `json:"commitTime"`
	StartTime     epoch  `json:"startTime"`
	Status        string `json:"status"`
	EndTime       *epoch `json:"endTime,omitempty"`
	JobType       string `json:"jobType"`
	SourceURL     string `json:"sourceUrl,omitempty"`
	SourceURLType string `json:"sourceUrlType,omitempty"`
}

type jobOut struct {
	Summary jobSummaryOut `json:"summary"`
	Steps   []stepOut     `json:"steps"`
}

type stepOut struct {
	StepName     string `json:"stepName"`
	StartTime    epoch  `json:"startTime"`
	Status       string `json:"status"`
	EndTime      epoch  `json:"endTime"`
	LogURL       string `json:"logUrl,omitempty"`
	ArtifactsURL string `json:"artifactsUrl,omitempty"`
	StatusReason string `json:"statusReason,omitempty"`
	Context      string `json:"context,omitempty"`
}

type domainAssociationOut struct {
	DomainAssociationARN          string         `json:"domainAssociationArn"`
	DomainName                    string         `json:"domainName"`
	EnableAutoSubDomain           bool           `json:"enableAutoSubDomain"`
	AutoSubDomainCreationPatterns []string       `json:"autoSubDomainCreationPatterns,omitempty"`
	AutoSubDomainIAMRole          string         `json:"autoSubDomainIAMRole,omitempty"`
	DomainStatus                  string         `json:"domainStatus"`
	UpdateStatus                  string         `json:"updateStatus,omitempty"`
	StatusReason                  string         `json:"statusReason"`
	CertificateVerificationRecord string         `json:"certificateVerificationDNSRecord,omitempty"`
	SubDomains                    []subDomainOut `json:"subDomains"`
	Certificate                   certificateOut `json:"certificate"`
}

type subDomainOut struct {
	SubDomainSetting pier.SubDomainSetting `json:"subDomainSetting"`
	Verified         bool                  `json:"verified"`
	DNSRecord        string                `json:"dnsRecord"`
}

type certificateOut struct {
	Type                          string `json:"type"`
	CustomCertificateARN          string `json:"customCertificateArn,omitempty"`
	CertificateVerificationRecord string `json:"certificateVerificationDNSRecord,omitempty"`
}

type webhookOut struct {
	WebhookARN  string `json:"webhookArn"`
	WebhookID   string `json:"webhookId"`
	WebhookURL  string `json:"webhookUrl"`
	AppID       string `json:"appId"`
	BranchName  string `json:"branchName"`
	Description string `json:"description"`
	CreateTime  epoch  `json:"createTime"`
	UpdateTime  epoch  `json:"updateTime"`
}

type backendEnvironmentOut struct {
	BackendEnvironmentARN string `json:"backendEnvironmentArn"`
	EnvironmentName       string `json:"environmentName"`
	StackName             string `json:"stackName,omitempty"`
	DeploymentArtifacts   string `json:"deploymentArtifacts,omitempty"`
	CreateTime            epoch  `json:"createTime"`
	UpdateTime            epoch  `json:"updateTime"`
}

type artifactOut struct {
	ArtifactFileName string `json:"artifactFileName"`
	ArtifactID       string `json:"artifactId"`
}

// app renders an app, with its production branch.
func (s *Server) app(ctx context.Context, a *pier.App) (appOut, error) {
	out := appOut{
		AppID: a.ID, AppARN: pier.AppARN(s.svc.Region(), a.AccountID, a.ID), Name: a.Name,
		Tags: a.Tags, Description: a.Description, Repository: a.Repository, Platform: a.Platform,
		CreateTime: epoch(a.CreateTime), UpdateTime: epoch(a.UpdateTime),
		ComputeRoleARN: a.ComputeRoleARN, IAMServiceRoleARN: a.IAMServiceRoleARN,
		EnvironmentVariables: nonNilMap(a.EnvironmentVariables), DefaultDomain: s.svc.DefaultDomain(a.ID),
		EnableBranchAutoBuild: a.EnableBranchAutoBuild, EnableBranchAutoDeletion: a.EnableBranchAutoDeletion,
		EnableBasicAuth: a.EnableBasicAuth, BasicAuthCredentials: a.BasicAuthCredentials,
		CustomRules: a.CustomRules, BuildSpec: a.BuildSpec, CustomHeaders: a.CustomHeaders,
		EnableAutoBranchCreation: a.EnableAutoBranchCreation, AutoBranchCreationPatterns: a.AutoBranchCreationPatterns,
		AutoBranchCreationConfig: a.AutoBranchCreationConfig,
		CacheConfig:              typeOut{Type: a.CacheConfigType},
		JobConfig:                buildComputeOut{BuildComputeType: a.BuildComputeType},
	}
	if out.CustomRules == nil {
		out.CustomRules = []pier.CustomRule{}
	}
	if a.Repository != "" {
		out.RepositoryCloneMethod = pier.CloneMethod(a.Repository)
	}
	pb, err := s.svc.ProductionBranch(ctx, a)
	if err != nil {
		return out, err
	}
	if pb != nil {
		out.ProductionBranch = &productionBranchOut{BranchName: pb.BranchName, Status: pb.Status, LastDeployTime: optEpoch(pb.LastDeployTime)}
	}
	return out, nil
}

// branch renders a branch; domains maps branch names to their custom domains.
func (s *Server) branch(b *pier.Branch, domains map[string][]string) branchOut {
	out := branchOut{
		BranchARN: pier.BranchARN(s.svc.Region(), b.AccountID, b.AppID, b.Name), BranchName: b.Name,
		Description: b.Description, Tags: b.Tags, Stage: b.Stage, DisplayName: b.DisplayName,
		EnableNotification: b.EnableNotification, CreateTime: epoch(b.CreateTime), UpdateTime: epoch(b.UpdateTime),
		EnvironmentVariables: nonNilMap(b.EnvironmentVariables), EnableAutoBuild: b.EnableAutoBuild,
		EnableSkewProtection: b.EnableSkewProtection, CustomDomains: domains[b.Name], Framework: b.Framework,
		ActiveJobID: b.ActiveJobID, TotalNumberOfJobs: strconv.FormatInt(b.LastJobID, 10),
		EnableBasicAuth: b.EnableBasicAuth, EnablePerformanceMode: b.EnablePerformanceMode,
		BasicAuthCredentials: b.BasicAuthCredentials, BuildSpec: b.BuildSpec, TTL: b.TTL,
		EnablePullRequestPreview: b.EnablePullRequestPreview, PullRequestEnvironmentName: b.PullRequestEnvironmentName,
		BackendEnvironmentARN: b.BackendEnvironmentARN, ComputeRoleARN: b.ComputeRoleARN,
	}
	if out.CustomDomains == nil {
		out.CustomDomains = []string{}
	}
	if b.BackendStackARN != "" {
		out.Backend = &stackOut{StackARN: b.BackendStackARN}
	}
	return out
}

// jobSummary renders the summary of a job.
func (s *Server) jobSummary(j *pier.Job) jobSummaryOut {
	return jobSummaryOut{
		JobARN: pier.JobARN(s.svc.Region(), j.AccountID, j.AppID, j.BranchName, j.ID), JobID: j.IDString(),
		CommitID: j.CommitID, CommitMessage: j.CommitMessage, CommitTime: epoch(j.CommitTime),
		StartTime: epoch(j.StartTime), Status: j.Status, EndTime: optEpoch(j.EndTime), JobType: j.Type,
		SourceURL: j.SourceURL, SourceURLType: j.SourceURLType,
	}
}

// job renders a job with its steps. A step still running reports its start
// as its end, because the model requires an end time.
func (s *Server) job(j *pier.Job) jobOut {
	out := jobOut{Summary: s.jobSummary(j), Steps: []stepOut{}}
	for _, st := range j.Steps {
		end := st.EndTime
		if end.IsZero() {
			end = st.StartTime
		}
		out.Steps = append(out.Steps, stepOut{
			StepName: st.Name, StartTime: epoch(st.StartTime), Status: st.Status, EndTime: epoch(end),
			LogURL: s.blobURL(st.LogKey), ArtifactsURL: s.blobURL(st.ArtifactsKey), StatusReason: st.StatusReason, Context: st.Context,
		})
	}
	return out
}

// domainAssociation renders a domain association.
func (s *Server) domainAssociation(d *pier.DomainAssociation) domainAssociationOut {
	out := domainAssociationOut{
		DomainAssociationARN: pier.DomainAssociationARN(s.svc.Region(), d.AccountID, d.AppID, d.DomainName),
		DomainName:           d.DomainName, EnableAutoSubDomain: d.EnableAutoSubDomain,
		AutoSubDomainCreationPatterns: d.AutoSubDomainCreationPatterns, AutoSubDomainIAMRole: d.AutoSubDomainIAMRole,
		DomainStatus: d.Status, UpdateStatus: d.UpdateStatus, StatusReason: d.StatusReason,
		CertificateVerificationRecord: d.CertificateVerificationRecord,
		SubDomains:                    []subDomainOut{},
		Certificate: certificateOut{
			Type: d.CertificateType, CustomCertificateARN: d.CustomCertificateARN,
			CertificateVerificationRecord: d.CertificateVerificationRecord,
		},
	}
	for _, sd := range d.SubDomains {
		out.SubDomains = append(out.SubDomains, subDomainOut{
			SubDomainSetting: pier.SubDomainSetting{Prefix: sd.Prefix, BranchName: sd.BranchName},
			Verified:         sd.Verified, DNSRecord: sd.DNSRecord,
		})
	}
	return out
}

// webhook renders a webhook.
func (s *Server) webhook(w *pier.Webhook) webhookOut {
	return webhookOut{
		WebhookARN: pier.WebhookARN(s.svc.Region(), w.AccountID, w.AppID, w.ID), WebhookID: w.ID,
		WebhookURL: s.svc.WebhookURL(w), AppID: w.AppID, BranchName: w.BranchName, Description: w.Description,
		CreateTime: epoch(w.CreateTime), UpdateTime: epoch(w.UpdateTime),
	}
}

// backendEnvironment renders a backend environment.
func (s *Server) backendEnvironment(e *pier.BackendEnvironment) backendEnvironmentOut {
	return backendEnvironmentOut{
		BackendEnvironmentARN: pier.BackendEnvironmentARN(s.svc.Region(), e.AccountID, e.AppID, e.Name),
		EnvironmentName:       e.Name, StackName: e.StackName, DeploymentArtifacts: e.DeploymentArtifacts,
		CreateTime: epoch(e.CreateTime), UpdateTime: epoch(e.UpdateTime),
	}
}

// nonNilMap returns m, or an empty map for nil so required maps render as {}.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
