package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// bigCSS is a stylesheet large enough to be precompressed.
var bigCSS = func() string {
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, ".rule-%d { color: #%06x; margin: %dpx; }\n", i, i*2654435761&0xffffff, i%40)
	}
	return b.String()
}()

// TestDeployZip deploys a zip uploaded to zipUploadUrl and checks the job,
// its logs, the branch and the app, and the site as the edge serves it.
func TestDeployZip(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	ctx := t.Context()
	appID := newSite(t, s, "zip")
	site := files{
		"index.html":          "<!DOCTYPE html><h1>zip v1</h1>",
		"about.html":          "<h1>about</h1>",
		"blog/index.html":     "<h1>blog</h1>",
		"blog/2024/post.html": "<h1>a post</h1>",
		"assets/style.css":    bigCSS,
		"img/logo.png":        "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
	}

	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, aws.ToString(created.ZipUploadUrl), zipOf(t, site))
	started, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	jobID := aws.ToString(started.JobSummary.JobId)
	job := s.waitJob(t, appID, jobID)
	wantSucceeded(t, job)

	t.Run("job", func(t *testing.T) {
		if job.Summary.JobType != types.JobTypeManual {
			t.Errorf("jobType = %q, want MANUAL", job.Summary.JobType)
		}
		wantRecent(t, "endTime", job.Summary.EndTime)
		var names []string
		for _, st := range job.Steps {
			name := aws.ToString(st.StepName)
			names = append(names, name)
			if st.Status != types.JobStatusSucceed {
				t.Errorf("step %s: status %q, want SUCCEED", name, st.Status)
			}
			wantRecent(t, name+" startTime", st.StartTime)
			wantRecent(t, name+" endTime", st.EndTime)
			if st.StartTime != nil && st.EndTime != nil && st.EndTime.Before(*st.StartTime) {
				t.Errorf("step %s ends (%v) before it starts (%v)", name, st.EndTime, st.StartTime)
			}
			wantURLUnder(t, name+" logUrl", aws.ToString(st.LogUrl), s.APIURL)
		}
		if strings.Join(names, ",") != "DEPLOY,VERIFY" {
			t.Fatalf("steps = %v, want DEPLOY, VERIFY", names)
		}
		resp, err := http.Get(aws.ToString(job.Steps[0].LogUrl))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		log, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("GET DEPLOY logUrl: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), log)
		}
		if want := fmt.Sprintf("%d files", len(site)); !strings.Contains(string(log), want) {
			t.Errorf("DEPLOY log does not mention %q:\n%s", want, log)
		}
	})
	t.Run("branch and app", func(t *testing.T) {
		b := s.getBranch(t, appID)
		wantString(t, "activeJobId", b.ActiveJobId, jobID)
		wantString(t, "totalNumberOfJobs", b.TotalNumberOfJobs, "1")
		app, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)})
		if err != nil {
			t.Fatal(err)
		}
		pb := app.App.ProductionBranch
		if pb == nil {
			t.Fatal("productionBranch is absent")
		}
		wantString(t, "productionBranch.branchName", pb.BranchName, "main")
		wantString(t, "productionBranch.status", pb.Status, "SUCCEED")
		wantRecent(t, "productionBranch.lastDeployTime", pb.LastDeployTime)
	})

	edge := []struct {
		name, path  string
		status      int
		body        string // checked when not ""
		contentType string // checked when not ""
		location    string // checked when not ""
	}{
		{"index at /", "/", 200, site["index.html"], "text/html; charset=utf-8", ""},
		{"file", "/index.html", 200, site["index.html"], "text/html; charset=utf-8", ""},
		{"clean URL", "/about", 200, site["about.html"], "text/html; charset=utf-8", ""},
		{"directory with slash", "/blog/", 200, site["blog/index.html"], "", ""},
		{"directory without slash", "/blog", 301, "", "", "/blog/"},
		{"nested file", "/blog/2024/post.html", 200, site["blog/2024/post.html"], "text/html; charset=utf-8", ""},
		{"image", "/img/logo.png", 200, site["img/logo.png"], "image/png", ""},
		{"stylesheet", "/assets/style.css", 200, bigCSS, "text/css; charset=utf-8", ""},
		{"missing file", "/nope.html", 404, "", "", ""},
		{"missing directory", "/nope/", 404, "", "", ""},
	}
	for _, tc := range edge {
		t.Run("edge "+tc.name, func(t *testing.T) {
			r := s.get(t, appID, tc.path, http.Header{"Accept-Encoding": {"identity"}})
			if r.Status != tc.status {
				t.Fatalf("GET %s: status %d, want %d (body %q)", tc.path, r.Status, tc.status, clip(r.Body))
			}
			if tc.body != "" && string(r.Body) != tc.body {
				t.Errorf("GET %s: body %q, want %q", tc.path, clip(r.Body), clip([]byte(tc.body)))
			}
			if got := r.Header.Get("Content-Type"); tc.contentType != "" && got != tc.contentType {
				t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
			}
			if got := r.Header.Get("Location"); tc.location != "" && got != tc.location {
				t.Errorf("GET %s: Location %q, want %q", tc.path, got, tc.location)
			}
		})
	}
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	}
	for coding, decode := range decoders {
		t.Run("edge "+coding, func(t *testing.T) {
			r := s.get(t, appID, "/assets/style.css", http.Header{"Accept-Encoding": {coding}})
			if r.Status != 200 || r.Header.Get("Content-Encoding") != coding {
				t.Fatalf("GET /assets/style.css with Accept-Encoding %s: status %d, Content-Encoding %q", coding, r.Status, r.Header.Get("Content-Encoding"))
			}
			if len(r.Body) >= len(bigCSS) {
				t.Errorf("the %s body has %d bytes, no fewer than the %d of the file", coding, len(r.Body), len(bigCSS))
			}
			if got := r.Header.Get("Content-Type"); got != "text/css; charset=utf-8" {
				t.Errorf("Content-Type = %q, want the file's, text/css; charset=utf-8", got)
			}
			if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding", r.Header.Get("Vary"))
			}
			dec, err := decode(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(dec)
			if err != nil || string(plain) != bigCSS {
				t.Errorf("the %s body decodes to %d bytes (err %v), want the file's %d", coding, len(plain), err, len(bigCSS))
			}
		})
	}
}

// TestDeployFileMap deploys files uploaded one by one to fileUploadUrls, and
// checks that an upload whose md5 differs from the fileMap's is refused and
// that a deployment missing a file fails without touching the live site.
func TestDeployFileMap(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	ctx := t.Context()
	appID := newSite(t, s, "filemap")
	branch := aws.String("main")

	create := func(t *testing.T, site files) *amplify.CreateDeploymentOutput {
		t.Helper()
		fileMap := map[string]string{}
		for name, body := range site {
			fileMap[name] = md5Hex(body)
		}
		out, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: branch, FileMap: fileMap})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.FileUploadUrls) != len(site) {
			t.Fatalf("fileUploadUrls has %d entries, want one per file (%d)", len(out.FileUploadUrls), len(site))
		}
		return out
	}
	start := func(t *testing.T, jobID *string) *types.Job {
		t.Helper()
		if _, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: branch, JobId: jobID}); err != nil {
			t.Fatal(err)
		}
		return s.waitJob(t, appID, aws.ToString(jobID))
	}

	v1 := files{"index.html": "<h1>filemap v1</h1>", "docs/guide.html": "<h1>guide v1</h1>"}
	created := create(t, v1)
	for name, body := range v1 {
		mustPut(t, created.FileUploadUrls[name], []byte(body))
	}
	wantSucceeded(t, start(t, created.JobId))
	s.wantServed(t, appID, v1)

	t.Run("md5 mismatch and missing file", func(t *testing.T) {
		v2 := files{"index.html": "<h1>filemap v2</h1>", "about.html": "<h1>about v2</h1>"}
		created := create(t, v2)
		mustPut(t, created.FileUploadUrls["index.html"], []byte(v2["index.html"]))
		status, msg := put(t, created.FileUploadUrls["about.html"], strings.NewReader("<h1>not what the fileMap says</h1>"))
		if status < 400 || status > 499 {
			t.Errorf("PUT with a body that does not match the declared md5: status %d %s, want 4xx", status, msg)
		}
		// HEAD on an upload URL says whether Pier holds the file.
		for name, want := range map[string]int{"index.html": 200, "about.html": 404} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodHead, created.FileUploadUrls[name], nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("HEAD upload URL of %s: %d, want %d", name, resp.StatusCode, want)
			}
		}
		wantFailed(t, start(t, created.JobId), "about.html")
		s.wantServed(t, appID, v1)
		if r := s.get(t, appID, "/about.html", nil); r.Status != http.StatusNotFound {
			t.Errorf("GET /about.html of the failed deployment: %d, want 404", r.Status)
		}
		wantString(t, "activeJobId", s.getBranch(t, appID).ActiveJobId, "1")
	})
	t.Run("upload URL with another path", func(t *testing.T) {
		created := create(t, files{"index.html": "x"})
		u := strings.Replace(created.FileUploadUrls["index.html"], "index.html", "other.html", 1)
		if status, _ := put(t, u, strings.NewReader("x")); status < 400 || status > 499 {
			t.Errorf("PUT to a signed URL whose path was changed: status %d, want 4xx", status)
		}
	})
}

// TestDeploySourceURL deploys a zip that the runner downloads from an HTTP
// server, and fails a deployment whose URL answers 404.
func TestDeploySourceURL(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	appID := newSite(t, s, "source-url")
	site := files{"index.html": "<h1>from a URL</h1>", "js/app.js": "console.log('hi')"}
	zipped := zipOf(t, site)
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/releases/site.zip":
			w.Header().Set("Content-Type", "application/zip")
			_, _ = w.Write(zipped)
		case "/releases/page.zip":
			_, _ = io.WriteString(w, "<html>this is no zip</html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(src.Close)

	startURL := func(t *testing.T, u string) *types.Job {
		t.Helper()
		out, err := s.client.StartDeployment(t.Context(), &amplify.StartDeploymentInput{
			AppId: aws.String(appID), BranchName: aws.String("main"), SourceUrl: aws.String(u), SourceUrlType: types.SourceUrlTypeZip,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s.waitJob(t, appID, aws.ToString(out.JobSummary.JobId))
	}

	job := startURL(t, src.URL+"/releases/site.zip")
	wantSucceeded(t, job)
	wantString(t, "sourceUrl", job.Summary.SourceUrl, src.URL+"/releases/site.zip")
	s.wantServed(t, appID, site)

	t.Run("404", func(t *testing.T) {
		wantFailed(t, startURL(t, src.URL+"/releases/gone.zip"), "404")
		s.wantServed(t, appID, site)
	})
	t.Run("not a zip", func(t *testing.T) {
		wantFailed(t, startURL(t, src.URL+"/releases/page.zip"), "not a readable zip")
		s.wantServed(t, appID, site)
	})
}
