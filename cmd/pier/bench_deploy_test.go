package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// siteZip returns a zip of n text files of size bytes each, different on
// every call (so nothing is deduplicated against an earlier deployment).
func siteZip(b *testing.B, n, size int) []byte {
	b.Helper()
	words := []string{"alpha ", "beta ", "gamma ", "delta ", "<div class=\"x\">", "</div>\n", "function f(a){return a+1}\n"}
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, seed))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.Create(fmt.Sprintf("dir%02d/page%04d.html", i%20, i))
		if err != nil {
			b.Fatal(err)
		}
		var page bytes.Buffer
		fmt.Fprintf(&page, "<!-- %d %d -->", seed, i)
		for page.Len() < size {
			page.WriteString(words[rng.IntN(len(words))])
		}
		if _, err := w.Write(page.Bytes()[:size]); err != nil {
			b.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDeploy1000Files measures a 1,000-file, 20 MB zip deployment from
// StartDeployment to SUCCEED (the job's own start and end times).
func BenchmarkDeploy1000Files(b *testing.B) {
	client, appID := benchServer(b, 1)
	ctx := context.Background()
	if _, err := client.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: &appID, BranchName: aws.String("main")}); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for range b.N {
		b.StopTimer()
		body := siteZip(b, 1000, 20_000)
		d, err := client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: &appID, BranchName: aws.String("main")})
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPut, *d.ZipUploadUrl, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("upload: %v %v", err, resp)
		}
		resp.Body.Close()
		b.StartTimer()
		if _, err := client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: &appID, BranchName: aws.String("main"), JobId: d.JobId}); err != nil {
			b.Fatal(err)
		}
		for {
			out, err := client.GetJob(ctx, &amplify.GetJobInput{AppId: &appID, BranchName: aws.String("main"), JobId: d.JobId})
			if err != nil {
				b.Fatal(err)
			}
			s := out.Job.Summary
			if s.Status == types.JobStatusSucceed {
				total += s.EndTime.Sub(*s.StartTime)
				break
			}
			if s.Status == types.JobStatusFailed {
				b.Fatalf("job failed: %+v", out.Job.Steps)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-start-to-succeed")
}
