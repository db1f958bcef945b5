package s3admin

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pier-hosting/pier"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPolicyDocument compares the bucket policies that permissions become
// with testdata/policy-NAME.json; "null" where no policy is written.
func TestPolicyDocument(t *testing.T) {
	tests := []struct {
		name   string
		policy pier.BucketPolicy
	}{
		{"empty", pier.BucketPolicy{}},
		{"nothing-granted", pier.BucketPolicy{Anonymous: []string{}, Users: map[string][]string{"KEY": nil}}},
		{"anonymous-read", pier.BucketPolicy{Anonymous: []string{pier.StorageRead}}},
		{"anonymous-all", pier.BucketPolicy{Anonymous: []string{pier.StorageDelete, pier.StorageCreateAndUpdate, pier.StorageRead, pier.StorageRead}}},
		{"users", pier.BucketPolicy{Users: map[string][]string{
			"USERB": {pier.StorageCreateAndUpdate},
			"USERA": {pier.StorageRead, pier.StorageDelete},
		}}},
		{"anonymous-and-users", pier.BucketPolicy{
			Anonymous: []string{pier.StorageRead},
			Users:     map[string][]string{"USERA": {pier.StorageRead, pier.StorageCreateAndUpdate, pier.StorageDelete}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := policyDocument("amplify-storage", tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			got := []byte("null\n")
			if doc != nil {
				var b bytes.Buffer
				if err := json.Indent(&b, doc, "", "  "); err != nil {
					t.Fatal(err)
				}
				got = append(b.Bytes(), '\n')
			}
			golden := filepath.Join("testdata", "policy-"+tt.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("policy differs from %s (run go test -update):\n%s", golden, got)
			}
		})
	}
}

// TestPolicyDocumentInvalid checks the grants no policy can express.
func TestPolicyDocumentInvalid(t *testing.T) {
	tests := []struct {
		name   string
		policy pier.BucketPolicy
	}{
		{"unknown anonymous permission", pier.BucketPolicy{Anonymous: []string{"WRITE"}}},
		{"unknown user permission", pier.BucketPolicy{Users: map[string][]string{"USERA": {"read"}}}},
		{"empty access key", pier.BucketPolicy{Users: map[string][]string{"": {pier.StorageRead}}}},
		{"wildcard access key", pier.BucketPolicy{Users: map[string][]string{"*": {pier.StorageRead}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := policyDocument("amplify-storage", tt.policy); pier.ErrorCode(err) != pier.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
		})
	}
}
