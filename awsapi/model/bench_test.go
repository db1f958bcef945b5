package model

import (
	"strings"
	"testing"
)

// BenchmarkDecodeCreateApp decodes a CreateApp body with every kind of
// member: strings with patterns, enums, booleans, maps and nested structures.
func BenchmarkDecodeCreateApp(b *testing.B) {
	body := []byte(`{
		"name": "my-app",
		"description": "A sample app",
		"repository": "https://github.com/example/app",
		"platform": "WEB",
		"iamServiceRoleArn": "arn:aws:iam::123456789012:role/amplify",
		"enableBranchAutoBuild": true,
		"enableBasicAuth": false,
		"buildSpec": "` + strings.Repeat(`version: 1\nfrontend:\n  phases:\n    build:\n      commands: [npm run build]\n`, 6) + `",
		"environmentVariables": {"NODE_ENV": "production", "API_URL": "https://api.example.com"},
		"tags": {"team": "web", "cost-center": "1234"},
		"customRules": [
			{"source": "/<*>", "target": "/index.html", "status": "404-200"},
			{"source": "https://example.com", "target": "https://www.example.com", "status": "302"}
		],
		"autoBranchCreationPatterns": ["feature/*", "release/*"],
		"autoBranchCreationConfig": {"stage": "DEVELOPMENT", "enableAutoBuild": true, "framework": "React"}
	}`)
	op := Amplify().Operation("CreateApp")
	if _, err := op.Decode(nil, nil, body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op.Decode(nil, nil, body); err != nil {
			b.Fatal(err)
		}
	}
}
