package pier_test

import (
	"testing"

	"github.com/pier-hosting/pier"
)

func TestParseARN(t *testing.T) {
	const acct = "123456789012"
	tests := []struct {
		name string
		arn  string
		want pier.ARN
		bad  bool
	}{
		{name: "app", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/d1abc", want: pier.ARN{Region: "us-east-1", AccountID: acct, Kind: pier.ResourceApp, AppID: "d1abc"}},
		{name: "branch with slash", arn: "arn:aws:amplify:eu-west-1:" + acct + ":apps/d1abc/branches/feature/x y", want: pier.ARN{Region: "eu-west-1", AccountID: acct, Kind: pier.ResourceBranch, AppID: "d1abc", Name: "feature/x y"}},
		{name: "branch named like a job ARN", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/d1abc/branches/release/jobs/2", want: pier.ARN{Region: "us-east-1", AccountID: acct, Kind: pier.ResourceBranch, AppID: "d1abc", Name: "release/jobs/2"}},
		{name: "domain", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/d1abc/domains/example.com", want: pier.ARN{Region: "us-east-1", AccountID: acct, Kind: pier.ResourceDomainAssociation, AppID: "d1abc", Name: "example.com"}},
		{name: "other service", arn: "arn:aws:s3:us-east-1:" + acct + ":apps/d1abc", bad: true},
		{name: "short account", arn: "arn:aws:amplify:us-east-1:1234:apps/d1abc", bad: true},
		{name: "bad app id", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/X1", bad: true},
		{name: "unknown kind", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/d1abc/things/x", bad: true},
		{name: "missing name", arn: "arn:aws:amplify:us-east-1:" + acct + ":apps/d1abc/branches/", bad: true},
		{name: "not apps", arn: "arn:aws:amplify:us-east-1:" + acct + ":webhooks/x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pier.ParseARN(tt.arn)
			if tt.bad {
				if pier.ErrorCode(err) != pier.EINVALID {
					t.Fatalf("ParseARN(%q) error = %v, want EINVALID", tt.arn, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseARN(%q) = %+v, %v; want %+v", tt.arn, got, err, tt.want)
			}
		})
	}
}

func TestARNRoundTrip(t *testing.T) {
	for _, s := range []string{
		pier.AppARN("us-east-1", "000000000000", "d1"),
		pier.BranchARN("us-east-1", "000000000000", "d1", "release/6.2"),
		pier.JobARN("us-east-1", "000000000000", "d1", "main", 42),
	} {
		if _, err := pier.ParseARN(s); err != nil {
			t.Errorf("ParseARN(%q): %v", s, err)
		}
	}
	if got, want := pier.JobARN("us-east-1", "000000000000", "d1", "main", 1), "arn:aws:amplify:us-east-1:000000000000:apps/d1/branches/main/jobs/0000000001"; got != want {
		t.Errorf("JobARN = %q, want %q", got, want)
	}
}
