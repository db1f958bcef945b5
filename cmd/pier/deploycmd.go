package main

import (
	"archive/zip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// deployFile is one file of the directory being deployed.
type deployFile struct {
	rel, path, md5 string
	size           int64
}

// runDeploy implements "pier deploy DIR --app ID --branch NAME": it uploads
// a directory as a manual deployment, waits for it and prints the URL.
func runDeploy(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("pier deploy", flag.ContinueOnError)
	fs.SetOutput(stdout)
	appID := fs.String("app", "", "app id (required)")
	branch := fs.String("branch", "", "branch name (required)")
	endpoint := fs.String("endpoint", firstNonEmpty(getenv("PIER_ENDPOINT"), "http://127.0.0.1:8750"), "Pier API endpoint (env PIER_ENDPOINT)")
	region := fs.String("region", firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1"), "region to sign requests for")
	asZip := fs.Bool("zip", false, "upload one zip instead of individual files")
	timeout := fs.Duration("timeout", 30*time.Minute, "how long to wait for the deployment")
	// Flags may follow DIR, as in the usage line.
	var dir string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if dir != "" {
			return fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		dir, rest = fs.Arg(0), fs.Args()[1:]
	}
	if dir == "" || *appID == "" || *branch == "" {
		return fmt.Errorf("usage: pier deploy DIR --app APP_ID --branch NAME [--endpoint URL] [--zip]")
	}
	files, err := walkSite(dir)
	if err != nil {
		return err
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(*region))
	if err != nil {
		return fmt.Errorf("load AWS credentials: %w", err)
	}
	client := amplify.NewFromConfig(cfg, func(o *amplify.Options) { o.BaseEndpoint = aws.String(*endpoint) })
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var jobID string
	if *asZip {
		jobID, err = uploadZip(ctx, client, *appID, *branch, dir, files, stdout)
	} else {
		jobID, err = uploadFiles(ctx, client, *appID, *branch, files, stdout)
	}
	if err != nil {
		return err
	}
	if _, err := client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: appID, BranchName: branch, JobId: &jobID}); err != nil {
		return fmt.Errorf("start deployment: %w", err)
	}
	fmt.Fprintf(stdout, "Deploying (job %s)…\n", jobID)
	job, err := waitJob(ctx, client, *appID, *branch, jobID)
	if err != nil {
		return err
	}
	if job.Summary.Status != types.JobStatusSucceed {
		return fmt.Errorf("deployment %s: %s", job.Summary.Status, stepReason(job))
	}
	site, err := siteURL(ctx, client, *endpoint, *appID, *branch)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deployed %d files. Live at %s\n", len(files), site)
	return nil
}

// walkSite lists the regular files under dir with their md5.
func walkSite(dir string) ([]deployFile, error) {
	var files []deployFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		sum, size, err := md5File(p)
		if err != nil {
			return err
		}
		files = append(files, deployFile{rel: filepath.ToSlash(rel), path: p, md5: sum, size: size})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no files to deploy", dir)
	}
	sort.Slice(files, func(a, b int) bool { return files[a].rel < files[b].rel })
	return files, nil
}

// md5File returns the hex md5 and size of a file.
func md5File(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// uploadFiles creates a fileMap deployment and uploads the files Pier does
// not already have (a HEAD of the upload URL answers 200 for those).
func uploadFiles(ctx context.Context, c *amplify.Client, appID, branch string, files []deployFile, out io.Writer) (string, error) {
	fileMap := make(map[string]string, len(files))
	for _, f := range files {
		fileMap[f.rel] = f.md5
	}
	d, err := c.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: &appID, BranchName: &branch, FileMap: fileMap})
	if err != nil {
		return "", fmt.Errorf("create deployment: %w", err)
	}
	var sent, skipped int
	var bytes int64
	for i, f := range files {
		u := d.FileUploadUrls[f.rel]
		if have, err := headOK(ctx, u); err != nil {
			return "", err
		} else if have {
			skipped++
			continue
		}
		if err := putFile(ctx, u, f.path, f.size); err != nil {
			return "", fmt.Errorf("upload %s: %w", f.rel, err)
		}
		sent++
		bytes += f.size
		fmt.Fprintf(out, "[%d/%d] %s (%s)\n", i+1, len(files), f.rel, humanBytes(f.size))
	}
	fmt.Fprintf(out, "Uploaded %d files (%s); %d unchanged files skipped\n", sent, humanBytes(bytes), skipped)
	return aws.ToString(d.JobId), nil
}

// uploadZip zips dir, creates a zip deployment and uploads the archive.
func uploadZip(ctx context.Context, c *amplify.Client, appID, branch, dir string, files []deployFile, out io.Writer) (string, error) {
	tmp, err := os.CreateTemp("", "pier-deploy-*.zip")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	for _, f := range files {
		w, err := zw.Create(f.rel)
		if err != nil {
			return "", err
		}
		src, err := os.Open(f.path)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(w, src)
		src.Close()
		if err != nil {
			return "", err
		}
	}
	if err := errors.Join(zw.Close(), tmp.Close()); err != nil {
		return "", err
	}
	info, err := os.Stat(tmp.Name())
	if err != nil {
		return "", err
	}
	d, err := c.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: &appID, BranchName: &branch})
	if err != nil {
		return "", fmt.Errorf("create deployment: %w", err)
	}
	if err := putFile(ctx, aws.ToString(d.ZipUploadUrl), tmp.Name(), info.Size()); err != nil {
		return "", fmt.Errorf("upload zip: %w", err)
	}
	fmt.Fprintf(out, "Uploaded %s zip of %d files\n", humanBytes(info.Size()), len(files))
	return aws.ToString(d.JobId), nil
}

// headOK reports whether a HEAD of u answers 200.
func headOK(ctx context.Context, u string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// putFile PUTs a file's bytes to a signed upload URL.
func putFile(ctx context.Context, u, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("HTTP %s: %s", resp.Status, e.Message)
	}
	return nil
}

// waitJob polls a job until it ends.
func waitJob(ctx context.Context, c *amplify.Client, appID, branch, jobID string) (*types.Job, error) {
	for {
		out, err := c.GetJob(ctx, &amplify.GetJobInput{AppId: &appID, BranchName: &branch, JobId: &jobID})
		if err != nil {
			return nil, fmt.Errorf("get job: %w", err)
		}
		switch out.Job.Summary.Status {
		case types.JobStatusSucceed, types.JobStatusFailed, types.JobStatusCancelled:
			return out.Job, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for job %s: %w", jobID, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stepReason returns the reason of a job's failed step.
func stepReason(j *types.Job) string {
	for _, s := range j.Steps {
		if s.Status == types.JobStatusFailed && aws.ToString(s.StatusReason) != "" {
			return aws.ToString(s.StatusReason)
		}
	}
	return "no reason given"
}

// siteURL returns the URL the branch is served at: the edge's scheme and
// port (from /_pier/info) with {displayName}.{defaultDomain} as host.
func siteURL(ctx context.Context, c *amplify.Client, endpoint, appID, branch string) (string, error) {
	app, err := c.GetApp(ctx, &amplify.GetAppInput{AppId: &appID})
	if err != nil {
		return "", err
	}
	b, err := c.GetBranch(ctx, &amplify.GetBranchInput{AppId: &appID, BranchName: &branch})
	if err != nil {
		return "", err
	}
	host := aws.ToString(b.Branch.DisplayName) + "." + aws.ToString(app.App.DefaultDomain)
	edge := "https://" + host + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/_pier/info", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return edge, nil
	}
	defer resp.Body.Close()
	var info struct {
		EdgeURL string `json:"edgeUrl"`
	}
	if json.NewDecoder(resp.Body).Decode(&info) != nil || info.EdgeURL == "" {
		return edge, nil
	}
	u, err := url.Parse(info.EdgeURL)
	if err != nil {
		return edge, nil
	}
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host + "/", nil
}

// humanBytes renders a byte count.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// firstNonEmpty returns the first of values that is not "".
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
