package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// Times of the samples: nanoseconds and a zone other than UTC, which a store
// may not keep (the instant is what counts).
var (
	t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	t1 = time.Date(2025, 3, 5, 6, 7, 8, 987654321, time.FixedZone("UTC+2", 2*60*60))
	t2 = time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC)
)

// The samples set every field (checkComplete verifies it), with text that
// needs escaping in most encodings. Versions are 1, what Create sets.

func sampleApp(accountID, id string) *pier.App {
	return &pier.App{
		AccountID:                accountID,
		ID:                       id,
		Name:                     "app " + id,
		Description:              `Ünïcode ✓ 'single' "double" \ back`,
		Repository:               "https://git.example.com/team/site.git",
		Platform:                 pier.PlatformWeb,
		ComputeRoleARN:           "arn:aws:iam::" + accountID + ":role/compute",
		IAMServiceRoleARN:        "arn:aws:iam::" + accountID + ":role/service",
		OAuthToken:               "oauth-token",
		AccessToken:              "access-token",
		EnvironmentVariables:     map[string]string{"A": "1", "EMPTY": ""},
		EnableBranchAutoBuild:    true,
		EnableBranchAutoDeletion: true,
		EnableBasicAuth:          true,
		BasicAuthCredentials:     "dXNlcjpwYXNz",
		CustomRules: []pier.CustomRule{
			{Source: "/<*>", Target: "/index.html", Status: "404-200", Condition: "<US>"},
			{Source: "/old", Target: "/new", Status: "301", Condition: "<CA>"},
		},
		BuildSpec:                  "version: 1\nfrontend:\n  phases: {}\n",
		CustomHeaders:              "customHeaders:\n  - pattern: '**'\n",
		EnableAutoBranchCreation:   true,
		AutoBranchCreationPatterns: []string{"feature/*", "release/**"},
		AutoBranchCreationConfig: &pier.AutoBranchCreationConfig{
			Stage:                      pier.StageDevelopment,
			Framework:                  "React",
			EnableAutoBuild:            new(true),
			EnvironmentVariables:       map[string]string{"B": "2"},
			BasicAuthCredentials:       "YTpi",
			EnableBasicAuth:            new(false),
			EnablePerformanceMode:      new(true),
			BuildSpec:                  "version: 1",
			EnablePullRequestPreview:   new(false),
			PullRequestEnvironmentName: "pr",
		},
		CacheConfigType:  pier.DefaultCacheConfigType,
		BuildComputeType: pier.DefaultBuildComputeType,
		Tags:             map[string]string{"team": "web", "cost-center": "42"},
		Version:          1,
		CreateTime:       t0,
		UpdateTime:       t1,
	}
}

func sampleBranch(accountID, appID, name string) *pier.Branch {
	return &pier.Branch{
		AccountID:                  accountID,
		AppID:                      appID,
		Name:                       name,
		Description:                "branch " + name,
		Stage:                      pier.StageProduction,
		DisplayName:                pier.DisplayNameFor(name),
		Framework:                  "Next.js - SSR",
		EnableNotification:         true,
		EnableAutoBuild:            true,
		EnableSkewProtection:       true,
		EnableBasicAuth:            true,
		BasicAuthCredentials:       "dXNlcjpwYXNz",
		EnablePerformanceMode:      true,
		EnablePullRequestPreview:   true,
		PullRequestEnvironmentName: "preview",
		EnvironmentVariables:       map[string]string{"STAGE": "prod"},
		BuildSpec:                  "version: 1",
		TTL:                        pier.DefaultTTL,
		BackendEnvironmentARN:      "arn:aws:amplify:us-east-1:" + accountID + ":apps/" + appID + "/backendenvironments/prod",
		BackendStackARN:            "arn:aws:cloudformation:us-east-1:" + accountID + ":stack/s/1",
		ComputeRoleARN:             "arn:aws:iam::" + accountID + ":role/compute",
		Tags:                       map[string]string{"branch": name},
		PullRequest:                &pier.PullRequest{Number: 7, SourceBranch: "feature/ü", DestinationBranch: name},
		Version:                    1,
		CreateTime:                 t0,
		UpdateTime:                 t1,
	}
}

func sampleJob(accountID, appID, branch string) *pier.Job {
	return &pier.Job{
		AccountID:     accountID,
		AppID:         appID,
		BranchName:    branch,
		Type:          pier.JobTypeRetry,
		Status:        pier.JobRunning,
		StatusReason:  "building",
		Reason:        "a 'retry' ✓",
		CommitID:      "0123456789abcdef0123456789abcdef01234567",
		CommitMessage: "Fix \"everything\"\n\nSigned-off-by: someone",
		CommitTime:    t0,
		SourceURL:     "s3://bucket/prefix/",
		SourceURLType: pier.SourceURLTypeBucketPrefix,
		FileMap:       map[string]string{"index.html": "d41d8cd98f00b204e9800998ecf8427e", "a b/ü.css": "0cc175b9c0f1b6a831c399e269772661"},
		RetryOf:       2,
		Build:         true,
		DeploymentID:  "dep-of-" + branch,
		Steps: []pier.Step{
			{Name: "BUILD", Status: pier.JobSucceed, StatusReason: "ok", StartTime: t0, EndTime: t1,
				LogKey: "logs/1/build", ArtifactsKey: "artifacts/1/build", Context: "ctx-build"},
			{Name: "DEPLOY", Status: pier.JobRunning, StatusReason: "deploying", StartTime: t1, EndTime: t2,
				LogKey: "logs/1/deploy", ArtifactsKey: "artifacts/1/deploy", Context: "ctx-deploy"},
		},
		LeaseOwner: "runner-1",
		LeaseUntil: t2,
		CreateTime: t0,
		StartTime:  t1,
		EndTime:    t2,
	}
}

func sampleDomain(accountID, appID, domain string) *pier.DomainAssociation {
	return &pier.DomainAssociation{
		AccountID:                     accountID,
		AppID:                         appID,
		DomainName:                    domain,
		EnableAutoSubDomain:           true,
		AutoSubDomainCreationPatterns: []string{"*", "pr*"},
		AutoSubDomainIAMRole:          "arn:aws:iam::" + accountID + ":role/domains",
		Status:                        pier.DomainPendingVerification,
		StatusReason:                  "waiting for DNS",
		UpdateStatus:                  pier.DomainUpdating,
		CertificateType:               pier.CertificateCustom,
		CustomCertificateARN:          "arn:aws:acm:us-east-1:" + accountID + ":certificate/1",
		CertificateVerificationRecord: "_abc." + domain + ". CNAME _def.acm-validations.aws.",
		SubDomains: []pier.SubDomain{
			{Prefix: "www", BranchName: "main", Verified: true, DNSRecord: "www CNAME d1.example.net", Auto: true},
			{Prefix: "dev", BranchName: "dev", Verified: true, DNSRecord: "dev CNAME d2.example.net", Auto: true},
		},
		CertificateVerified: true,
		CheckSince:          t0,
		NextCheck:           t1,
		IssueAttempts:       2,
		IssuedNames:         []string{"www." + domain},
		Version:             1,
		CreateTime:          t0,
		UpdateTime:          t1,
	}
}

func sampleWebhook(accountID, id, appID, branch string) *pier.Webhook {
	return &pier.Webhook{
		AccountID:   accountID,
		ID:          id,
		AppID:       appID,
		BranchName:  branch,
		Description: "hook " + id,
		Token:       "token-" + id,
		Version:     1,
		CreateTime:  t0,
		UpdateTime:  t1,
	}
}

func sampleBackendEnvironment(accountID, appID, name string) *pier.BackendEnvironment {
	return &pier.BackendEnvironment{
		AccountID:           accountID,
		AppID:               appID,
		Name:                name,
		StackName:           "amplify-" + name,
		DeploymentArtifacts: "amplify-" + name + "-deployment",
		CreateTime:          t0,
		UpdateTime:          t1,
	}
}

func sampleArtifact(accountID, id, appID, branch string, jobID int64) *pier.Artifact {
	return &pier.Artifact{
		AccountID:  accountID,
		ID:         id,
		AppID:      appID,
		BranchName: branch,
		JobID:      jobID,
		FileName:   "dist/" + id + ".zip",
		BlobKey:    "artifacts/" + id,
		CreateTime: t0,
	}
}

func sampleDeployment(accountID, id, appID, branch string, jobID int64) *pier.Deployment {
	return &pier.Deployment{
		ID:         id,
		AccountID:  accountID,
		AppID:      appID,
		BranchName: branch,
		JobID:      jobID,
		Files: map[string]pier.File{
			"/index.html": {
				Body:        pier.Body{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 4096, Pack: "sha256/cc/dd", Offset: 3},
				MD5:         "098f6bcd4621d373cade4e832627b4f6",
				ContentType: "text/html; charset=utf-8",
				Gzip:        &pier.Body{SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", Size: 1024, Pack: "sha256/aa/bb", Offset: 7},
				Brotli:      &pier.Body{SHA256: "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13", Size: 900, Pack: "sha256/aa/bb", Offset: 1031},
			},
			"/assets/ünï ✓.png": {
				Body:        pier.Body{SHA256: "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3", Size: 70000},
				MD5:         "202cb962ac59075b964b07152d234b70",
				ContentType: "image/png",
			},
			"/empty.txt": {
				Body:        pier.Body{SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
				MD5:         "d41d8cd98f00b204e9800998ecf8427e",
				ContentType: "text/plain; charset=utf-8",
			},
		},
		CreateTime: t1,
	}
}

// checkComplete fails the test if a field of the struct v points to, or of a
// struct inside it (including slice elements and map values), is zero, except the fields named in except (as
// "Type.Field"). It keeps the samples complete: a field added to a domain type
// fails the suite until its sample sets it, so that its round trip is tested.
func checkComplete(t *testing.T, v any, except ...string) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Map:
			for iter := v.MapRange(); iter.Next(); {
				walk(fmt.Sprintf("%s[%v]", path, iter.Key()), iter.Value())
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				field := v.Type().Field(i)
				if slices.Contains(except, v.Type().Name()+"."+field.Name) {
					continue
				}
				p := path + "." + field.Name
				if v.Field(i).IsZero() {
					t.Errorf("the sample leaves %s zero", p)
					continue
				}
				walk(p, v.Field(i))
			}
		}
	}
	walk(reflect.TypeOf(v).Elem().Name(), reflect.ValueOf(v))
}
