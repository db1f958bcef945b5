package s3admin

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/pier-hosting/pier"
)

// Actions of S3 bucket policies that AmplifyBackend permissions grant.
const (
	actionGetObject    = "s3:GetObject"
	actionPutObject    = "s3:PutObject"
	actionDeleteObject = "s3:DeleteObject"
	actionListBucket   = "s3:ListBucket"
)

// policy is an S3 bucket policy document.
type policy struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// statement is an Allow statement of a bucket policy. Principal is "*" or
// {"AWS": [access keys]}.
type statement struct {
	Sid       string   `json:"Sid"`
	Effect    string   `json:"Effect"`
	Principal any      `json:"Principal"`
	Action    []string `json:"Action"`
	Resource  []string `json:"Resource"`
}

// awsPrincipal is the Principal of a statement naming accounts.
type awsPrincipal struct {
	AWS []string `json:"AWS"`
}

// policyDocument returns the bucket policy granting p on bucket, nil if p
// grants nothing, or EINVALID for an unknown permission. Users are in the
// order of their access keys, so that the same grants give the same
// document.
func policyDocument(bucket string, p pier.BucketPolicy) ([]byte, error) {
	doc := policy{Version: "2012-10-17"}
	anonymous, err := actions(p.Anonymous, false)
	if err != nil {
		return nil, err
	}
	if len(anonymous) > 0 {
		doc.Statement = append(doc.Statement, statement{
			Sid:       "PierAnonymous",
			Effect:    "Allow",
			Principal: "*",
			Action:    anonymous,
			Resource:  []string{"arn:aws:s3:::" + bucket + "/*"},
		})
	}
	users := make([]string, 0, len(p.Users))
	for user := range p.Users {
		users = append(users, user)
	}
	slices.Sort(users)
	for i, user := range users {
		if user == "" || user == "*" {
			return nil, pier.Errorf(pier.EINVALID, "Invalid access key %q in the policy of bucket %q.", user, bucket)
		}
		granted, err := actions(p.Users[user], true)
		if err != nil {
			return nil, err
		}
		if len(granted) == 0 {
			continue
		}
		resources := []string{"arn:aws:s3:::" + bucket + "/*"}
		if slices.Contains(granted, actionListBucket) {
			resources = append(resources, "arn:aws:s3:::"+bucket)
		}
		doc.Statement = append(doc.Statement, statement{
			Sid:       "PierUser" + strconv.Itoa(i),
			Effect:    "Allow",
			Principal: awsPrincipal{AWS: []string{user}},
			Action:    granted,
			Resource:  resources,
		})
	}
	if len(doc.Statement) == 0 {
		return nil, nil
	}
	return json.Marshal(doc)
}

// actions returns the S3 actions that permissions grant, without
// duplicates, in a fixed order; list adds s3:ListBucket to READ.
func actions(permissions []string, list bool) ([]string, error) {
	var read, write, del bool
	for _, p := range permissions {
		switch p {
		case pier.StorageRead:
			read = true
		case pier.StorageCreateAndUpdate:
			write = true
		case pier.StorageDelete:
			del = true
		default:
			return nil, pier.Errorf(pier.EINVALID, "Unknown storage permission %q.", p)
		}
	}
	var out []string
	if read {
		out = append(out, actionGetObject)
		if list {
			out = append(out, actionListBucket)
		}
	}
	if write {
		out = append(out, actionPutObject)
	}
	if del {
		out = append(out, actionDeleteObject)
	}
	return out, nil
}
