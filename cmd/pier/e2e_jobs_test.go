package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier"
)

// jobARN is the exact ARN of a job of the test account, id zero-padded.
func jobARN(appID, branch, paddedID string) string {
	return branchARN(appID, branch) + "/jobs/" + paddedID
}

// TestManualDeployment checks CreateDeployment and StartDeployment with a
// jobId: the job's states, its summary and the branch's job count.
func TestManualDeployment(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "manual")
	appID := *app.AppId
	createBranch(t, s.client, appID, "main")
	branch := aws.String("main")

	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: app.AppId, BranchName: branch})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "jobId", created.JobId, "1")
	wantURLUnder(t, "zipUploadUrl", aws.ToString(created.ZipUploadUrl), s.APIURL)
	if created.FileUploadUrls == nil || len(created.FileUploadUrls) != 0 {
		t.Errorf("fileUploadUrls = %#v, want {} without a fileMap", created.FileUploadUrls)
	}

	job, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if job.Job.Summary.Status != types.JobStatusCreated {
		t.Errorf("status after CreateDeployment = %q, want CREATED", job.Job.Summary.Status)
	}
	if job.Job.Steps == nil || len(job.Job.Steps) != 0 {
		t.Errorf("steps = %#v, want []", job.Job.Steps)
	}

	started, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: app.AppId, BranchName: branch, JobId: created.JobId})
	if err != nil {
		t.Fatal(err)
	}
	js := started.JobSummary
	wantString(t, "jobId", js.JobId, "1")
	wantString(t, "jobArn", js.JobArn, jobARN(appID, "main", "0000000001"))
	if js.Status != types.JobStatusPending {
		t.Errorf("status = %q, want PENDING", js.Status)
	}
	if js.JobType != types.JobTypeManual {
		t.Errorf("jobType = %q, want MANUAL", js.JobType)
	}
	wantString(t, "commitId", js.CommitId, "HEAD")
	wantString(t, "commitMessage", js.CommitMessage, "")
	wantRecent(t, "commitTime", js.CommitTime)
	wantRecent(t, "startTime", js.StartTime)
	if js.EndTime != nil {
		t.Errorf("endTime = %v on a pending job, want absent", js.EndTime)
	}

	got, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: branch, JobId: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(js, got.Job.Summary); diff != "" {
		t.Errorf("GetJob's summary differs from StartDeployment's:\n%s", diff)
	}

	t.Run("started twice", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: app.AppId, BranchName: branch, JobId: created.JobId})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown job", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: app.AppId, BranchName: branch, JobId: aws.String("99")})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("neither jobId nor sourceUrl", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: app.AppId, BranchName: branch})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown branch", func(t *testing.T) {
		_, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: app.AppId, BranchName: aws.String("nope")})
		wantCode(t, err, "NotFoundException", 404)
	})
	t.Run("job counts", func(t *testing.T) {
		b, err := s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: branch})
		if err != nil {
			t.Fatal(err)
		}
		wantString(t, "totalNumberOfJobs", b.Branch.TotalNumberOfJobs, "1")
		startSourceJob(t, s.client, appID, "main")
		b, err = s.client.GetBranch(ctx, &amplify.GetBranchInput{AppId: app.AppId, BranchName: branch})
		if err != nil {
			t.Fatal(err)
		}
		wantString(t, "totalNumberOfJobs", b.Branch.TotalNumberOfJobs, "2")
	})
}

// TestCreateDeploymentFileMap checks the upload URLs of a deployment given a
// fileMap: one per file, absolute, under the API's URL.
func TestCreateDeploymentFileMap(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "filemap")
	createBranch(t, s.client, *app.AppId, "feature/files")

	fileMap := map[string]string{
		"index.html":         "d41d8cd98f00b204e9800998ecf8427e",
		"assets/site.css":    "0cc175b9c0f1b6a831c399e269772661",
		"img/logo with.png":  "92eb5ffee6ae2fec3ad71c777531578f",
		"deep/a/b/c/app.mjs": "4a8a08f09d37b73795649038408b5f33",
	}
	out, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{
		AppId: app.AppId, BranchName: aws.String("feature/files"), FileMap: fileMap,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sortedKeys(out.FileUploadUrls), sortedKeys(fileMap)) {
		t.Errorf("fileUploadUrls keys = %v, want the fileMap's %v", sortedKeys(out.FileUploadUrls), sortedKeys(fileMap))
	}
	seen := map[string]bool{}
	for path, u := range out.FileUploadUrls {
		wantURLUnder(t, "fileUploadUrls["+path+"]", u, s.APIURL)
		if seen[u] {
			t.Errorf("fileUploadUrls[%s] repeats another file's URL", path)
		}
		seen[u] = true
	}
	zip := wantURLUnder(t, "zipUploadUrl", aws.ToString(out.ZipUploadUrl), s.APIURL)
	if seen[zip.String()] {
		t.Error("zipUploadUrl repeats a file URL")
	}

	for name, fm := range map[string]map[string]string{
		"not an md5":    {"index.html": "xyz"},
		"path with ..":  {"../escape.html": "d41d8cd98f00b204e9800998ecf8427e"},
		"absolute path": {"/../etc/passwd": "d41d8cd98f00b204e9800998ecf8427e"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: app.AppId, BranchName: aws.String("feature/files"), FileMap: fm})
			wantError[*types.BadRequestException](t, err)
		})
	}
}

// TestStartDeploymentSourceURL checks StartDeployment without a jobId: a new
// job that echoes its source.
func TestStartDeploymentSourceURL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "source")
	createBranch(t, s.client, *app.AppId, "main")

	cases := []struct {
		name     string
		url      string
		urlType  types.SourceUrlType
		wantType types.SourceUrlType
	}{
		{"zip by default", "https://example.com/site.zip", "", types.SourceUrlTypeZip},
		{"zip", "https://example.com/other.zip", types.SourceUrlTypeZip, types.SourceUrlTypeZip},
		{"bucket prefix", "s3://bucket/prefix/", types.SourceUrlTypeBucketPrefix, types.SourceUrlTypeBucketPrefix},
	}
	var ids []string
	for _, tc := range cases {
		out, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{
			AppId: app.AppId, BranchName: aws.String("main"), SourceUrl: aws.String(tc.url), SourceUrlType: tc.urlType,
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		js := out.JobSummary
		wantString(t, tc.name+": sourceUrl", js.SourceUrl, tc.url)
		if js.SourceUrlType != tc.wantType {
			t.Errorf("%s: sourceUrlType = %q, want %q", tc.name, js.SourceUrlType, tc.wantType)
		}
		if js.Status != types.JobStatusPending || js.JobType != types.JobTypeManual {
			t.Errorf("%s: status %q jobType %q, want PENDING MANUAL", tc.name, js.Status, js.JobType)
		}
		ids = append(ids, aws.ToString(js.JobId))
	}
	if !slices.Equal(ids, []string{"1", "2", "3"}) {
		t.Errorf("job ids = %v, want 1, 2, 3", ids)
	}
	t.Run("bucket prefix that is not s3", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{
			AppId: app.AppId, BranchName: aws.String("main"), SourceUrl: aws.String("https://example.com/x"), SourceUrlType: types.SourceUrlTypeBucketPrefix,
		})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown branch", func(t *testing.T) {
		_, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: app.AppId, BranchName: aws.String("nope"), SourceUrl: aws.String("https://example.com/x.zip")})
		wantError[*types.NotFoundException](t, err)
	})
}

// TestStartJob checks StartJob: RELEASE on a repository app, RETRY of a
// started job, and the job types a manual app refuses.
func TestStartJob(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	repo, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("git"), Repository: aws.String("https://github.com/example/site")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "repository", repo.App.Repository, "https://github.com/example/site")
	repoID := repo.App.AppId
	createBranch(t, s.client, *repoID, "main")
	commitTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("RELEASE", func(t *testing.T) {
		out, err := s.client.StartJob(ctx, &amplify.StartJobInput{
			AppId: repoID, BranchName: aws.String("main"), JobType: types.JobTypeRelease,
			CommitId: aws.String("abc123"), CommitMessage: aws.String("Fix the header"), CommitTime: &commitTime, JobReason: aws.String("test"),
		})
		if err != nil {
			t.Fatal(err)
		}
		js := out.JobSummary
		if js.Status != types.JobStatusPending || js.JobType != types.JobTypeRelease {
			t.Errorf("status %q jobType %q, want PENDING RELEASE", js.Status, js.JobType)
		}
		wantString(t, "jobId", js.JobId, "1")
		wantString(t, "commitId", js.CommitId, "abc123")
		wantString(t, "commitMessage", js.CommitMessage, "Fix the header")
		if js.CommitTime == nil || !js.CommitTime.Equal(commitTime) {
			t.Errorf("commitTime = %v, want %v", js.CommitTime, commitTime)
		}
	})
	t.Run("manual deployments refused on a repository app", func(t *testing.T) {
		_, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: repoID, BranchName: aws.String("main")})
		wantError[*types.BadRequestException](t, err)
	})

	manual := createApp(t, s.client, "manual")
	createBranch(t, s.client, *manual.AppId, "main")
	started := startSourceJob(t, s.client, *manual.AppId, "main")
	created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: manual.AppId, BranchName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("RETRY", func(t *testing.T) {
		out, err := s.client.StartJob(ctx, &amplify.StartJobInput{AppId: manual.AppId, BranchName: aws.String("main"), JobType: types.JobTypeRetry, JobId: started.JobId})
		if err != nil {
			t.Fatal(err)
		}
		js := out.JobSummary
		if js.Status != types.JobStatusPending || js.JobType != types.JobTypeRetry {
			t.Errorf("status %q jobType %q, want PENDING RETRY", js.Status, js.JobType)
		}
		wantString(t, "jobId", js.JobId, "3")
		wantString(t, "sourceUrl", js.SourceUrl, aws.ToString(started.SourceUrl))
	})
	bad := []struct {
		name string
		in   *amplify.StartJobInput
		want string
	}{
		{"RELEASE on a manual app", &amplify.StartJobInput{JobType: types.JobTypeRelease}, "BadRequestException"},
		{"RETRY without jobId", &amplify.StartJobInput{JobType: types.JobTypeRetry}, "BadRequestException"},
		{"RETRY of a job never started", &amplify.StartJobInput{JobType: types.JobTypeRetry, JobId: created.JobId}, "BadRequestException"},
		{"RETRY of an unknown job", &amplify.StartJobInput{JobType: types.JobTypeRetry, JobId: aws.String("99")}, "NotFoundException"},
		{"MANUAL", &amplify.StartJobInput{JobType: types.JobTypeManual}, "BadRequestException"},
		{"unknown job type", &amplify.StartJobInput{JobType: types.JobType("BOGUS")}, "BadRequestException"},
		{"unknown branch", &amplify.StartJobInput{JobType: types.JobTypeRetry, JobId: started.JobId, BranchName: aws.String("nope")}, "NotFoundException"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.AppId = manual.AppId
			if tc.in.BranchName == nil {
				tc.in.BranchName = aws.String("main")
			}
			_, err := s.client.StartJob(ctx, tc.in)
			switch tc.want {
			case "BadRequestException":
				wantError[*types.BadRequestException](t, err)
			case "NotFoundException":
				wantError[*types.NotFoundException](t, err)
			}
		})
	}
}

// TestStopAndDeleteJob checks StopJob's transitions and DeleteJob.
func TestStopAndDeleteJob(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "stop")
	createBranch(t, s.client, *app.AppId, "main")
	branch := aws.String("main")
	job := startSourceJob(t, s.client, *app.AppId, "main")

	_, err := s.client.DeleteJob(ctx, &amplify.DeleteJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	wantError[*types.BadRequestException](t, err) // a pending job must be stopped first

	stopped, err := s.client.StopJob(ctx, &amplify.StopJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if stopped.JobSummary.Status != types.JobStatusCancelled {
		t.Errorf("status after StopJob = %q, want CANCELLED", stopped.JobSummary.Status)
	}
	wantRecent(t, "endTime", stopped.JobSummary.EndTime)
	wantString(t, "jobId", stopped.JobSummary.JobId, aws.ToString(job.JobId))

	_, err = s.client.StopJob(ctx, &amplify.StopJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	wantError[*types.BadRequestException](t, err)

	got, err := s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Job.Summary.Status != types.JobStatusCancelled {
		t.Errorf("GetJob status = %q, want CANCELLED", got.Job.Summary.Status)
	}

	deleted, err := s.client.DeleteJob(ctx, &amplify.DeleteJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(got.Job.Summary, deleted.JobSummary); diff != "" {
		t.Errorf("DeleteJob's summary differs from GetJob's:\n%s", diff)
	}
	_, err = s.client.GetJob(ctx, &amplify.GetJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.DeleteJob(ctx, &amplify.DeleteJobInput{AppId: app.AppId, BranchName: branch, JobId: job.JobId})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.StopJob(ctx, &amplify.StopJobInput{AppId: app.AppId, BranchName: branch, JobId: aws.String("42")})
	wantError[*types.NotFoundException](t, err)

	t.Run("created deployment", func(t *testing.T) {
		created, err := s.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: app.AppId, BranchName: branch})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.DeleteJob(ctx, &amplify.DeleteJobInput{AppId: app.AppId, BranchName: branch, JobId: created.JobId}); err != nil {
			t.Errorf("DeleteJob of a deployment never started: %v", err)
		}
	})
	t.Run("ids are not reused", func(t *testing.T) {
		next := startSourceJob(t, s.client, *app.AppId, "main")
		if aws.ToString(next.JobId) == aws.ToString(job.JobId) {
			t.Errorf("a new job reuses the deleted job's id %s", *job.JobId)
		}
	})
}

// TestListJobs walks ListJobs to exhaustion, newest first.
func TestListJobs(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "list-jobs")
	createBranch(t, s.client, *app.AppId, "main")
	createBranch(t, s.client, *app.AppId, "other")
	var newestFirst []string
	for range 5 {
		newestFirst = slices.Insert(newestFirst, 0, aws.ToString(startSourceJob(t, s.client, *app.AppId, "main").JobId))
		startSourceJob(t, s.client, *app.AppId, "other")
	}
	if !slices.Equal(newestFirst, []string{"5", "4", "3", "2", "1"}) {
		t.Fatalf("job ids = %v, want 1..5", newestFirst)
	}

	t.Run("maxResults 1", func(t *testing.T) {
		got := pageAll(t, func(token *string) ([]string, *string, error) {
			out, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("main"), MaxResults: 1, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, j := range out.JobSummaries {
				ids = append(ids, aws.ToString(j.JobId))
			}
			return ids, out.NextToken, nil
		})
		if !slices.Equal(got, newestFirst) {
			t.Errorf("ListJobs = %v, want newest first %v", got, newestFirst)
		}
	})
	t.Run("paginator", func(t *testing.T) {
		p := amplify.NewListJobsPaginator(s.client, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("main"), MaxResults: 2})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range out.JobSummaries {
				got = append(got, aws.ToString(j.JobId))
				if !strings.HasSuffix(aws.ToString(j.JobArn), "/jobs/"+strings.Repeat("0", 10-len(*j.JobId))+*j.JobId) {
					t.Errorf("job %s has ARN %s", *j.JobId, aws.ToString(j.JobArn))
				}
			}
		}
		if !slices.Equal(got, newestFirst) {
			t.Errorf("ListJobs paginator = %v, want %v", got, newestFirst)
		}
	})
	t.Run("token of another branch", func(t *testing.T) {
		out, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("other"), MaxResults: 1})
		if err != nil || out.NextToken == nil {
			t.Fatalf("ListJobs: %v (nextToken %v)", err, out.NextToken)
		}
		_, err = s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("main"), NextToken: out.NextToken})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("maxResults 51", func(t *testing.T) {
		_, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("main"), MaxResults: 51})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown branch", func(t *testing.T) {
		_, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: app.AppId, BranchName: aws.String("nope")})
		wantCode(t, err, "NotFoundException", 404)
	})
}

// seedArtifacts stores artifacts of a job the way a build runner would,
// through a second connection to the server's database: the API itself
// cannot create artifacts.
func (s *testServer) seedArtifacts(t *testing.T, appID, branch string, jobID int64, names ...string) []string {
	t.Helper()
	store := s.openStore(t)
	var ids []string
	for i, name := range names {
		a := &pier.Artifact{
			AccountID: s.AdminKey.AccountID, ID: appID + "-" + strconv.FormatInt(jobID, 10) + "-" + strconv.Itoa(i),
			AppID: appID, BranchName: branch, JobID: jobID, FileName: name,
			BlobKey: "artifacts/" + name, CreateTime: time.Now().UTC(),
		}
		if err := store.CreateArtifact(t.Context(), a); err != nil {
			t.Fatalf("seed artifact %s: %v", name, err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// TestArtifacts checks ListArtifacts (empty for a manual deployment, paged
// when a job has some) and GetArtifactUrl.
func TestArtifacts(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "artifacts")
	createBranch(t, s.client, *app.AppId, "feature/tests")
	branch := aws.String("feature/tests")
	empty := startSourceJob(t, s.client, *app.AppId, "feature/tests")
	tested := startSourceJob(t, s.client, *app.AppId, "feature/tests")

	list := func(jobID *string) func(token *string) ([]string, *string, error) {
		return func(token *string) ([]string, *string, error) {
			out, err := s.client.ListArtifacts(ctx, &amplify.ListArtifactsInput{AppId: app.AppId, BranchName: branch, JobId: jobID, MaxResults: 1, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var ids []string
			for _, a := range out.Artifacts {
				ids = append(ids, aws.ToString(a.ArtifactId))
			}
			return ids, out.NextToken, nil
		}
	}

	t.Run("none", func(t *testing.T) {
		out, err := s.client.ListArtifacts(ctx, &amplify.ListArtifactsInput{AppId: app.AppId, BranchName: branch, JobId: empty.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if out.Artifacts == nil || len(out.Artifacts) != 0 {
			t.Errorf("artifacts = %#v, want []", out.Artifacts)
		}
		if out.NextToken != nil {
			t.Errorf("nextToken = %q, want absent", *out.NextToken)
		}
		if got := pageAll(t, list(empty.JobId)); len(got) != 0 {
			t.Errorf("paged artifacts = %v, want none", got)
		}
	})

	want := s.seedArtifacts(t, *app.AppId, "feature/tests", 2, "report.xml", "screenshots.zip", "video.mp4")
	t.Run("paged", func(t *testing.T) {
		wantSameItems(t, "ListArtifacts", pageAll(t, list(tested.JobId)), want)
		out, err := s.client.ListArtifacts(ctx, &amplify.ListArtifactsInput{AppId: app.AppId, BranchName: branch, JobId: tested.JobId})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range out.Artifacts {
			names = append(names, aws.ToString(a.ArtifactFileName))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"report.xml", "screenshots.zip", "video.mp4"}) {
			t.Errorf("artifactFileNames = %v", names)
		}
	})
	t.Run("GetArtifactUrl", func(t *testing.T) {
		out, err := s.client.GetArtifactUrl(ctx, &amplify.GetArtifactUrlInput{ArtifactId: aws.String(want[0])})
		if err != nil {
			t.Fatal(err)
		}
		wantString(t, "artifactId", out.ArtifactId, want[0])
		wantURLUnder(t, "artifactUrl", aws.ToString(out.ArtifactUrl), s.APIURL)
	})
	t.Run("unknown job", func(t *testing.T) {
		_, err := s.client.ListArtifacts(ctx, &amplify.ListArtifactsInput{AppId: app.AppId, BranchName: branch, JobId: aws.String("99")})
		wantCode(t, err, "NotFoundException", 404)
	})
	t.Run("unknown artifact", func(t *testing.T) {
		_, err := s.client.GetArtifactUrl(ctx, &amplify.GetArtifactUrlInput{ArtifactId: aws.String("no/such/artifact")})
		wantError[*types.NotFoundException](t, err)
	})
}
