package model

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/pier-hosting/pier/awsapi/model/internal/boto"
)

func TestOperations(t *testing.T) {
	tests := []struct {
		name  string
		model *Model
		ops   []string
	}{
		{"amplify", Amplify(), []string{
			"CreateApp", "CreateBackendEnvironment", "CreateBranch", "CreateDeployment", "CreateDomainAssociation",
			"CreateWebhook", "DeleteApp", "DeleteBackendEnvironment", "DeleteBranch", "DeleteDomainAssociation",
			"DeleteJob", "DeleteWebhook", "GenerateAccessLogs", "GetApp", "GetArtifactUrl", "GetBackendEnvironment",
			"GetBranch", "GetDomainAssociation", "GetJob", "GetWebhook", "ListApps", "ListArtifacts",
			"ListBackendEnvironments", "ListBranches", "ListDomainAssociations", "ListJobs", "ListTagsForResource",
			"ListWebhooks", "StartDeployment", "StartJob", "StopJob", "TagResource", "UntagResource", "UpdateApp",
			"UpdateBranch", "UpdateDomainAssociation", "UpdateWebhook",
		}},
		{"amplifybackend", AmplifyBackend(), []string{
			"CloneBackend", "CreateBackend", "CreateBackendAPI", "CreateBackendAuth", "CreateBackendConfig",
			"CreateBackendStorage", "CreateToken", "DeleteBackend", "DeleteBackendAPI", "DeleteBackendAuth",
			"DeleteBackendStorage", "DeleteToken", "GenerateBackendAPIModels", "GetBackend", "GetBackendAPI",
			"GetBackendAPIModels", "GetBackendAuth", "GetBackendJob", "GetBackendStorage", "GetToken",
			"ImportBackendAuth", "ImportBackendStorage", "ListBackendJobs", "ListS3Buckets", "RemoveAllBackends",
			"RemoveBackendConfig", "UpdateBackendAPI", "UpdateBackendAuth", "UpdateBackendConfig",
			"UpdateBackendJob", "UpdateBackendStorage",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, op := range tt.model.Operations() {
				got = append(got, op.Name)
				if tt.model.Operation(op.Name) != op {
					t.Errorf("Operation(%q) is not the listed operation", op.Name)
				}
			}
			if !slices.Equal(got, tt.ops) {
				t.Errorf("operations = %v, want %v", got, tt.ops)
			}
			if op := tt.model.Operation("Nope"); op != nil {
				t.Errorf("Operation(Nope) = %v, want nil", op)
			}
		})
	}
}

func TestOperationBindings(t *testing.T) {
	tests := []struct {
		model      *Model
		op, method string
		requestURI string
	}{
		{Amplify(), "CreateApp", "POST", "/apps"},
		{Amplify(), "ListApps", "GET", "/apps"},
		{Amplify(), "GetBranch", "GET", "/apps/{appId}/branches/{branchName}"},
		{Amplify(), "StopJob", "DELETE", "/apps/{appId}/branches/{branchName}/jobs/{jobId}/stop"},
		{Amplify(), "UntagResource", "DELETE", "/tags/{resourceArn}"},
		{Amplify(), "GenerateAccessLogs", "POST", "/apps/{appId}/accesslogs"},
		{Amplify(), "GetArtifactUrl", "GET", "/artifacts/{artifactId}"},
		{AmplifyBackend(), "CreateBackendStorage", "POST", "/backend/{appId}/storage"},
		{AmplifyBackend(), "GetBackendJob", "GET", "/backend/{appId}/job/{backendEnvironmentName}/{jobId}"},
		{AmplifyBackend(), "ListS3Buckets", "POST", "/s3Buckets"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			op := tt.model.Operation(tt.op)
			if op == nil {
				t.Fatalf("no operation %s", tt.op)
			}
			if op.Method != tt.method || op.RequestURI != tt.requestURI {
				t.Errorf("binding = %s %s, want %s %s", op.Method, op.RequestURI, tt.method, tt.requestURI)
			}
		})
	}
}

// TestURILabels checks that the labels of every request URI are exactly the
// operation's required URI members, which Decode looks up by wire name.
func TestURILabels(t *testing.T) {
	label := regexp.MustCompile(`\{([^}]+)\}`)
	for _, m := range []*Model{Amplify(), AmplifyBackend()} {
		for _, op := range m.Operations() {
			t.Run(op.Name, func(t *testing.T) {
				var labels, members []string
				for _, l := range label.FindAllStringSubmatch(op.RequestURI, -1) {
					labels = append(labels, l[1])
				}
				for _, mem := range op.input.members {
					if mem.location == "uri" {
						members = append(members, mem.wire)
						if !mem.required {
							t.Errorf("URI member %s is optional", mem.wire)
						}
					}
				}
				slices.Sort(labels)
				slices.Sort(members)
				if !slices.Equal(labels, members) {
					t.Errorf("labels %v, URI members %v", labels, members)
				}
			})
		}
	}
}

// TestEmbeddedModelsAreGenerated checks that the committed files are what the
// generator makes from the installed botocore.
func TestEmbeddedModelsAreGenerated(t *testing.T) {
	dir, err := boto.DataDir(t.Context())
	if err != nil {
		t.Skipf("botocore is not installed: %v", err)
	}
	for _, svc := range boto.Services {
		t.Run(svc.File, func(t *testing.T) {
			want, err := boto.TrimFile(filepath.Join(dir, svc.Model))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(svc.File)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the installed botocore model; run go generate ./awsapi/model", svc.File)
			}
		})
	}
}
