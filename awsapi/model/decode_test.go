package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

// decodeCase is one Decode call and its expected outcome.
type decodeCase struct {
	name    string
	op      string
	path    map[string]string
	query   url.Values
	body    string
	want    map[string]any // the whole result, checked when not nil
	wantErr string         // a part of the error message; "" means no error
}

var (
	app    = map[string]string{"appId": "d1abc"}
	branch = map[string]string{"appId": "d1abc", "branchName": "main"}
	arn    = map[string]string{"resourceArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1abc"}
)

func TestDecodeAmplify(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf(`"k%d":"v"`, i))
		}
		return `{"name":"x","tags":{` + strings.Join(kv, ",") + `}}`
	}
	domain := func(name string) string {
		return `{"domainName":"` + name + `","subDomainSettings":[{"prefix":"www","branchName":"main"}]}`
	}
	runDecodeCases(t, Amplify(), []decodeCase{
		// appId, jobId: unanchored patterns apply to the whole value.
		{name: "appId valid", op: "GetApp", path: app, want: map[string]any{"appId": "d1abc"}},
		{name: "appId uppercase", op: "GetApp", path: map[string]string{"appId": "D1"}, wantErr: "Value 'D1' at 'appId' failed to satisfy constraint: Member must satisfy regular expression pattern: d[a-z0-9]+"},
		{name: "appId with prefix", op: "GetApp", path: map[string]string{"appId": "xd1"}, wantErr: "at 'appId'"},
		{name: "appId with trailing newline", op: "GetApp", path: map[string]string{"appId": "d1\n"}, wantErr: "at 'appId'"},
		{name: "appId missing", op: "GetApp", wantErr: "Missing required field 'appId'"},
		{name: "jobId digits", op: "GetJob", path: map[string]string{"appId": "d1", "branchName": "main", "jobId": "12"}},
		{name: "jobId with letter", op: "GetJob", path: map[string]string{"appId": "d1", "branchName": "main", "jobId": "12a"}, wantErr: "Value '12a' at 'jobId'"},
		{name: "branchName with slash", op: "GetBranch", path: map[string]string{"appId": "d1", "branchName": "feature/x y"}, want: map[string]any{"appId": "d1", "branchName": "feature/x y"}},

		// Lengths count characters.
		{name: "name empty", op: "CreateApp", body: `{"name":""}`, wantErr: "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "name 255", op: "CreateApp", body: `{"name":"` + long(255) + `"}`},
		{name: "name 255 multibyte characters", op: "CreateApp", body: `{"name":"` + strings.Repeat("é", 255) + `"}`},
		{name: "name 256", op: "CreateApp", body: `{"name":"` + long(256) + `"}`, wantErr: "at 'name' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{name: "description 1000", op: "CreateApp", body: `{"name":"x","description":"` + long(1000) + `"}`},
		{name: "description 1001", op: "CreateApp", body: `{"name":"x","description":"` + long(1001) + `"}`, wantErr: "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000"},

		// Enums.
		{name: "platform valid", op: "CreateApp", body: `{"name":"x","platform":"WEB_COMPUTE"}`},
		{name: "platform lowercase", op: "CreateApp", body: `{"name":"x","platform":"web"}`, wantErr: "Value 'web' at 'platform' failed to satisfy constraint: Member must satisfy enum value set: [WEB, WEB_DYNAMIC, WEB_COMPUTE]"},

		// Tags: map size, key and value patterns.
		{name: "tags 50", op: "CreateApp", body: tags(50)},
		{name: "tags 51", op: "CreateApp", body: tags(51), wantErr: "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{name: "tag key aws prefix", op: "CreateApp", body: `{"name":"x","tags":{"aws:x":"v"}}`, wantErr: "Value 'aws:x' at 'tags' failed to satisfy constraint: Map keys must satisfy regular expression pattern"},
		{name: "tag key aws without colon", op: "CreateApp", body: `{"name":"x","tags":{"aws":"v"}}`},
		{name: "tag key in range +-=", op: "CreateApp", body: `{"name":"x","tags":{"k1=<;,":"v"}}`},
		{name: "tag key outside range", op: "CreateApp", body: `{"name":"x","tags":{"k>":"v"}}`, wantErr: "Value 'k>' at 'tags'"},
		{name: "tag key empty", op: "TagResource", path: arn, body: `{"tags":{"":"v"}}`, wantErr: "Map keys must have length greater than or equal to 1"},
		{name: "tag value letters and spaces", op: "TagResource", path: arn, body: `{"tags":{"k":"Grüße aus Köln 42"}}`, want: map[string]any{"resourceArn": arn["resourceArn"], "tags": map[string]any{"k": "Grüße aus Köln 42"}}},
		{name: "tag value emoji", op: "TagResource", path: arn, body: `{"tags":{"k":"ok 😀"}}`, wantErr: "Value 'ok 😀' at 'tags[k]' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{name: "tag value null", op: "TagResource", path: arn, body: `{"tags":{"k":null}}`, wantErr: "Value null at 'tags[k]' failed to satisfy constraint: Member must not be null"},
		{name: "resourceArn other service", op: "TagResource", path: map[string]string{"resourceArn": "arn:aws:s3:::b"}, body: `{"tags":{}}`, wantErr: "at 'resourceArn'"},

		// Domain names: look-ahead in the pattern.
		{name: "domainName leading hyphen", op: "CreateDomainAssociation", path: app, body: domain("-bad.com"), wantErr: "Value '-bad.com' at 'domainName'"},
		{name: "domainName label with leading hyphen", op: "CreateDomainAssociation", path: app, body: domain("a.-b.com"), wantErr: "at 'domainName'"},
		{name: "domainName", op: "CreateDomainAssociation", path: app, body: domain("example.com")},
		{name: "domainName absolute", op: "CreateDomainAssociation", path: app, body: domain("sub.example.com.")},
		{name: "subDomainSettings missing", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com"}`, wantErr: "Missing required field 'subDomainSettings'"},
		{name: "subDomainSettings prefix 256", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com","subDomainSettings":[{"prefix":"www","branchName":"main"},{"prefix":"` + long(256) + `","branchName":"main"}]}`, wantErr: "at 'subDomainSettings[1].prefix'"},
		{name: "certificateSettings type", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com","subDomainSettings":[],"certificateSettings":{"type":"OWN"}}`, wantErr: "Value 'OWN' at 'certificateSettings.type' failed to satisfy constraint: Member must satisfy enum value set: [AMPLIFY_MANAGED, CUSTOM]"},
		{name: "autoSubDomainIAMRole empty", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com","subDomainSettings":[],"autoSubDomainIAMRole":""}`},
		{name: "autoSubDomainIAMRole role", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com","subDomainSettings":[],"autoSubDomainIAMRole":"arn:aws:iam::123456789012:role/x"}`},
		{name: "autoSubDomainIAMRole other", op: "CreateDomainAssociation", path: app, body: `{"domainName":"example.com","subDomainSettings":[],"autoSubDomainIAMRole":"foo"}`, wantErr: "Value 'foo' at 'autoSubDomainIAMRole'"},

		// Query parameters.
		{name: "maxResults ListApps 100", op: "ListApps", query: url.Values{"maxResults": {"100"}}, want: map[string]any{"maxResults": json.Number("100")}},
		{name: "maxResults ListApps 101", op: "ListApps", query: url.Values{"maxResults": {"101"}}, wantErr: "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{name: "maxResults negative", op: "ListApps", query: url.Values{"maxResults": {"-1"}}, wantErr: "Member must have value greater than or equal to 0"},
		{name: "maxResults ListBranches 50", op: "ListBranches", path: app, query: url.Values{"maxResults": {"50"}}},
		{name: "maxResults ListBranches 51", op: "ListBranches", path: app, query: url.Values{"maxResults": {"51"}}, wantErr: "Member must have value less than or equal to 50"},
		{name: "maxResults not a number", op: "ListApps", query: url.Values{"maxResults": {"abc"}}, wantErr: "Value 'abc' at 'maxResults' failed to satisfy constraint: Member must be an integer"},
		{name: "maxResults beyond 32 bits", op: "ListApps", query: url.Values{"maxResults": {"4294967296"}}, wantErr: "Member must be an integer"},
		{name: "unknown query parameter", op: "ListApps", query: url.Values{"foo": {"bar"}}, want: map[string]any{}},
		{name: "tagKeys repeated", op: "UntagResource", path: arn, query: url.Values{"tagKeys": {"a", "k/2"}}, want: map[string]any{"resourceArn": arn["resourceArn"], "tagKeys": []any{"a", "k/2"}}},
		{name: "tagKeys missing", op: "UntagResource", path: arn, wantErr: "Missing required field 'tagKeys'"},
		{name: "tagKeys aws prefix", op: "UntagResource", path: arn, query: url.Values{"tagKeys": {"a", "aws:b"}}, wantErr: "Value 'aws:b' at 'tagKeys[1]'"},
		{name: "environmentName", op: "ListBackendEnvironments", path: app, query: url.Values{"environmentName": {"staging"}}, want: map[string]any{"appId": "d1abc", "environmentName": "staging"}},

		// Timestamps.
		{name: "commitTime integer", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":1704164645}`, want: map[string]any{"appId": "d1abc", "branchName": "main", "jobType": "RELEASE", "commitTime": json.Number("1704164645")}},
		{name: "commitTime float", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":1704164645.6}`, want: map[string]any{"appId": "d1abc", "branchName": "main", "jobType": "RELEASE", "commitTime": json.Number("1704164645.6")}},
		{name: "commitTime ISO-8601", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":"2024-01-02T03:04:05.6Z"}`, want: map[string]any{"appId": "d1abc", "branchName": "main", "jobType": "RELEASE", "commitTime": json.Number("1704164645.6")}},
		{name: "commitTime before 1970", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":"1969-12-31T23:59:58.75Z"}`, want: map[string]any{"appId": "d1abc", "branchName": "main", "jobType": "RELEASE", "commitTime": json.Number("-1.25")}},
		{name: "commitTime out of range", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":1e400}`, wantErr: "at 'commitTime' failed to satisfy constraint: Member must be a timestamp"},
		{name: "commitTime word", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":"yesterday"}`, wantErr: "Value 'yesterday' at 'commitTime' failed to satisfy constraint: Member must be a timestamp"},
		{name: "commitTime boolean", op: "StartJob", path: branch, body: `{"jobType":"RELEASE","commitTime":true}`, wantErr: "Value at 'commitTime' failed to satisfy constraint: Member must be a timestamp"},
		{name: "jobType missing", op: "StartJob", path: branch, body: `{}`, wantErr: "Missing required field 'jobType'"},
		{name: "jobType unknown", op: "StartJob", path: branch, body: `{"jobType":"REBUILD"}`, wantErr: "at 'jobType' failed to satisfy constraint: Member must satisfy enum value set"},

		// Nested structures.
		{name: "customRules", op: "CreateApp", body: `{"name":"x","customRules":[{"source":"/<*>","target":"/index.html","status":"404-200"}]}`},
		{name: "customRules target missing", op: "CreateApp", body: `{"name":"x","customRules":[{"source":"/a","target":"/b"},{"source":"/a"}]}`, wantErr: "1 validation error detected: Missing required field 'customRules[1].target'"},
		{name: "customRules status short", op: "CreateApp", body: `{"name":"x","customRules":[{"source":"/a","target":"/b","status":"30"}]}`, wantErr: "Value '30' at 'customRules[0].status' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{name: "customRules null entry", op: "CreateApp", body: `{"name":"x","customRules":[null]}`, wantErr: "Value null at 'customRules[0]'"},
		{name: "autoBranchCreationConfig stage", op: "CreateApp", body: `{"name":"x","autoBranchCreationConfig":{"stage":"STAGING"}}`, wantErr: "Value 'STAGING' at 'autoBranchCreationConfig.stage'"},
		{name: "environmentVariables value too long", op: "CreateApp", body: `{"name":"x","environmentVariables":{"NODE_ENV":"` + long(5501) + `"}}`, wantErr: "at 'environmentVariables[NODE_ENV]' failed to satisfy constraint: Member must have length less than or equal to 5500"},
		{name: "buildSpec empty", op: "CreateApp", body: `{"name":"x","buildSpec":""}`, wantErr: "Value at 'buildSpec' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "ttl digits", op: "CreateBranch", path: app, body: `{"branchName":"main","ttl":"5"}`},
		{name: "ttl letters", op: "CreateBranch", path: app, body: `{"branchName":"main","ttl":"abc"}`, wantErr: "Value 'abc' at 'ttl' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d*"},
		{name: "sourceUrl s3", op: "StartDeployment", path: branch, body: `{"sourceUrl":"s3://bucket/key.zip","sourceUrlType":"ZIP"}`},
		{name: "sourceUrl ftp", op: "StartDeployment", path: branch, body: `{"sourceUrl":"ftp://x"}`, wantErr: "Value 'ftp://x' at 'sourceUrl'"},

		// Types and nulls.
		{name: "name number", op: "CreateApp", body: `{"name":5}`, wantErr: "Value at 'name' failed to satisfy constraint: Member must be a string"},
		{name: "boolean as string", op: "CreateApp", body: `{"name":"x","enableBasicAuth":"true"}`, wantErr: "at 'enableBasicAuth' failed to satisfy constraint: Member must be a boolean"},
		{name: "map as list", op: "CreateApp", body: `{"name":"x","tags":[]}`, wantErr: "at 'tags' failed to satisfy constraint: Member must be a map"},
		{name: "list as object", op: "CreateApp", body: `{"name":"x","customRules":{}}`, wantErr: "at 'customRules' failed to satisfy constraint: Member must be a list"},
		{name: "structure as string", op: "CreateApp", body: `{"name":"x","autoBranchCreationConfig":"on"}`, wantErr: "Member must be an object"},
		{name: "name null", op: "CreateApp", body: `{"name":null}`, wantErr: "Missing required field 'name'"},
		{name: "optional null", op: "CreateApp", body: `{"name":"x","description":null}`, want: map[string]any{"name": "x"}},

		// Bodies.
		{name: "unknown keys dropped", op: "CreateApp", body: `{"name":"x","bogus":1,"appId":"d1","autoBranchCreationConfig":{"stage":"BETA","bogus":{}},"enableBasicAuth":false}`,
			want: map[string]any{"name": "x", "autoBranchCreationConfig": map[string]any{"stage": "BETA"}, "enableBasicAuth": false}},
		{name: "body keys do not override labels", op: "GetApp", path: app, body: `{"appId":"D1"}`, want: map[string]any{"appId": "d1abc"}},
		{name: "empty body", op: "CreateDeployment", path: branch, want: map[string]any{"appId": "d1abc", "branchName": "main"}},
		{name: "whitespace body", op: "CreateDeployment", path: branch, body: " \r\n\t", want: map[string]any{"appId": "d1abc", "branchName": "main"}},
		{name: "empty body missing required", op: "CreateApp", wantErr: "Missing required field 'name'"},
		{name: "fileMap", op: "CreateDeployment", path: branch, body: `{"fileMap":{"index.html":"d41d8cd98f00b204e9800998ecf8427e"}}`},
		{name: "body array", op: "CreateApp", body: `[]`, wantErr: "Malformed JSON"},
		{name: "body truncated literal", op: "CreateApp", body: `nul`, wantErr: "Malformed JSON"},
		{name: "body null", op: "CreateApp", body: `null`, wantErr: "Malformed JSON"},
		{name: "body string", op: "CreateApp", body: `"x"`, wantErr: "Malformed JSON"},
		{name: "body trailing data", op: "CreateApp", body: `{"name":"x"} {}`, wantErr: "Malformed JSON"},
		{name: "body unterminated", op: "CreateApp", body: `{"name":"x"`, wantErr: "Malformed JSON"},

		// Several violations.
		{name: "two violations", op: "CreateApp", body: `{"name":"","platform":"X"}`, wantErr: "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'X' at 'platform'"},
	})
}

func TestDecodeAmplifyBackend(t *testing.T) {
	auth := func(mfa, minLength string) string {
		return `{"backendEnvironmentName":"staging","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO",
			"userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"mfa":{"MFAMode":"` + mfa + `"},
			"passwordPolicy":{"minimumLength":` + minLength + `},"oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["EMAIL"],"redirectSignInURIs":[],"redirectSignOutURIs":[],
			"socialProviderSettings":{"Facebook":{"client_id":"id","client_secret":"s"}}}}}}`
	}
	storage := `{"backendEnvironmentName":"staging","resourceName":"s3res","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"],"unAuthenticated":["READ"]},"bucketName":"bkt"}}`
	runDecodeCases(t, AmplifyBackend(), []decodeCase{
		{name: "lowerCamel wire names", op: "CreateBackendStorage", path: app, body: storage, want: map[string]any{
			"appId": "d1abc", "backendEnvironmentName": "staging", "resourceName": "s3res",
			"resourceConfig": map[string]any{"serviceName": "S3", "bucketName": "bkt", "permissions": map[string]any{
				"authenticated": []any{"READ"}, "unAuthenticated": []any{"READ"},
			}},
		}},
		{name: "member names are not wire names", op: "CreateBackendStorage", path: app, body: `{"BackendEnvironmentName":"staging","resourceName":"s3res","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`, wantErr: "Missing required field 'backendEnvironmentName'"},
		{name: "nested enum", op: "CreateBackendStorage", path: app, body: strings.Replace(storage, `"READ"]}`, `"WRITE"]}`, 1), wantErr: "Value 'WRITE' at 'resourceConfig.permissions.unAuthenticated[0]'"},
		{name: "labels", op: "GetBackendJob", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging", "jobId": "j1"}, want: map[string]any{"appId": "d1abc", "backendEnvironmentName": "staging", "jobId": "j1"}},
		{name: "body maxResults 25", op: "ListBackendJobs", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging"}, body: `{"maxResults":25}`},
		{name: "body maxResults 26", op: "ListBackendJobs", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging"}, body: `{"maxResults":26}`, wantErr: "Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{name: "body maxResults 0", op: "ListBackendJobs", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging"}, body: `{"maxResults":0}`, wantErr: "Member must have value greater than or equal to 1"},
		{name: "body maxResults fraction", op: "ListBackendJobs", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging"}, body: `{"maxResults":2.5}`, wantErr: "Member must be an integer"},
		{name: "body maxResults string", op: "ListBackendJobs", path: map[string]string{"appId": "d1abc", "backendEnvironmentName": "staging"}, body: `{"maxResults":"2"}`, wantErr: "Member must be an integer"},
		{name: "empty input", op: "ListS3Buckets", body: `{}`, want: map[string]any{}},
		{name: "members without locationName", op: "CreateBackendAuth", path: app, body: auth("OFF", "8.50"), want: map[string]any{
			"appId": "d1abc", "backendEnvironmentName": "staging", "resourceName": "auth1",
			"resourceConfig": map[string]any{"authResources": "USER_POOL_ONLY", "service": "COGNITO", "userPoolConfigs": map[string]any{
				"userPoolName": "pool", "signInMethod": "EMAIL", "requiredSignUpAttributes": []any{"EMAIL"},
				"mfa": map[string]any{"MFAMode": "OFF"}, "passwordPolicy": map[string]any{"minimumLength": json.Number("8.5")},
				"oAuth": map[string]any{"oAuthGrantType": "CODE", "oAuthScopes": []any{"EMAIL"}, "redirectSignInURIs": []any{}, "redirectSignOutURIs": []any{},
					"socialProviderSettings": map[string]any{"Facebook": map[string]any{"client_id": "id", "client_secret": "s"}}},
			}},
		}},
		{name: "PascalCase enum member", op: "CreateBackendAuth", path: app, body: auth("SOMETIMES", "8"), wantErr: "Value 'SOMETIMES' at 'resourceConfig.userPoolConfigs.mfa.MFAMode'"},
		{name: "double as string", op: "CreateBackendAuth", path: app, body: auth("OFF", `"8"`), wantErr: "at 'resourceConfig.userPoolConfigs.passwordPolicy.minimumLength' failed to satisfy constraint: Member must be a number"},
	})
}

// runDecodeCases runs each case as a subtest against model m.
func runDecodeCases(t *testing.T, m *Model, cases []decodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // Decode is safe for concurrent use; -race checks it
			op := m.Operation(tc.op)
			if op == nil {
				t.Fatalf("no operation %s", tc.op)
			}
			got, err := op.Decode(tc.path, tc.query, []byte(tc.body))
			if tc.wantErr != "" {
				var perr *pier.Error
				if !errors.As(err, &perr) || perr.Code != pier.EINVALID {
					t.Fatalf("Decode() = %v, %v; want a pier.EINVALID error", got, err)
				}
				if !strings.Contains(perr.Message, tc.wantErr) {
					t.Errorf("message = %q\nwant it to contain %q", perr.Message, tc.wantErr)
				}
				if len(perr.Message) > maxMessage {
					t.Errorf("message is %d bytes long", len(perr.Message))
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode() = %#v\nwant %#v", got, tc.want)
			}
		})
	}
}
