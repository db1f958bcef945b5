package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/sandbox"
	"github.com/pier-hosting/pier/internal/peertest"
)

// cluster is Pier scaled out: "pier serve" processes sharing one PostgreSQL
// database and one S3 bucket.
type cluster struct {
	bin   string
	flags []string // --database, --blob
	env   []string // the bucket's keys
}

// node starts a node with roles on free ports and its own data dir, and
// returns the process and a testServer view of it (its API client and edge
// URL, when it has those roles).
func (c *cluster) node(t *testing.T, roles string) (*pierProcess, *testServer) {
	t.Helper()
	apiAddr, edgeAddr := freeAddr(t), freeAddr(t)
	args := append([]string{"--data-dir", t.TempDir(), "--api-addr", apiAddr, "--edge-addr", edgeAddr,
		"--roles", roles, "--log-level", "warn"}, c.flags...)
	p := startPierEnv(t, c.bin, c.env, args...)
	s := &testServer{Main: &Main{APIURL: "http://" + apiAddr, EdgeURL: "http://" + edgeAddr}}
	s.client = s.clientFor(testAccessKeyID, testSecretKey)
	return p, s
}

// waitEdge polls the edge at edgeURL until it serves want at path of branch
// main, and fails the test if it does not within a few seconds: edges learn
// of a publish by another node within SiteTTL (a second).
func waitEdge(t *testing.T, edgeURL, appID, path, want string) {
	t.Helper()
	const patience = 5 * time.Second
	deadline := time.Now().Add(patience)
	for {
		r, err := edgeGet(t, edgeURL, appID, path, nil)
		if err == nil && r.Status == http.StatusOK && string(r.Body) == want {
			t.Logf("edge %s served the new %s after %v of polling", edgeURL, path, time.Since(deadline.Add(-patience)).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("edge %s: GET %s is %d %q (error %v) %v after the job succeeded, want %q",
				edgeURL, path, r.Status, clip(r.Body), err, patience, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMultiNode runs three nodes on PostgreSQL and versitygw — A and B with
// the API and edge roles, C with the runner role — and checks that they act
// as one Pier: an app created through A is deployed through B, built by C
// and served by both edges; a runner killed mid-deployment leaves a failed
// job that another runner ends; concurrent calls through both APIs leave
// consistent state.
func TestMultiNode(t *testing.T) {
	if testBackend != "" {
		t.Skip("starts its own PostgreSQL and S3 cluster; runs once, in the default pass")
	}
	t.Parallel()
	pg := peertest.SharedPostgres(t)
	gw := peertest.SharedVersitygw(t)
	c := &cluster{
		bin: buildPier(t),
		flags: []string{"--database", pg.DSN(pg.NewDatabase(t)),
			"--blob", "s3://" + gw.NewBucket(t) + "/pier?endpoint=" + url.QueryEscape(gw.Endpoint)},
		// Every node seals and opens repository tokens with one key.
		env: []string{"PIER_S3_ACCESS_KEY_ID=" + gw.AccessKeyID, "PIER_S3_SECRET_ACCESS_KEY=" + gw.SecretAccessKey,
			"PIER_SEAL_KEY=" + base64.StdEncoding.EncodeToString([]byte(pier.NewSecret(32))[:32])},
	}
	isolation := "bubblewrap"
	if !sandbox.Available() {
		isolation = "none" // the build subtests still run, unsandboxed
	}
	c.flags = append(c.flags, "--build-isolation", isolation, "--build-dir", buildDir(t))
	// One after the other: the first creates the schema and the key.
	_, a := c.node(t, "api,edge")
	_, b := c.node(t, "api,edge")
	runnerC, _ := c.node(t, "runner")
	ctx := t.Context()

	app := createApp(t, a.client, "multinode")
	appID := aws.ToString(app.AppId)
	createBranch(t, a.client, appID, "main")

	v1 := files{"index.html": "<h1>v1 from B, built by C</h1>"}
	v2 := files{"index.html": "<h1>v2 replaces v1 on both edges</h1>"}
	t.Run("deployed through B, served by A and B", func(t *testing.T) {
		job := b.deploy(t, appID, v1) // only C runs jobs
		wantString(t, "jobId", job.Summary.JobId, "1")
		waitEdge(t, a.EdgeURL, appID, "/", v1["index.html"])
		waitEdge(t, b.EdgeURL, appID, "/", v1["index.html"])
		// Both edges have v1 cached now: they must notice v2.
		b.deploy(t, appID, v2)
		waitEdge(t, a.EdgeURL, appID, "/", v2["index.html"])
		waitEdge(t, b.EdgeURL, appID, "/", v2["index.html"])
	})
	t.Run("access logs of both edges in one CSV", func(t *testing.T) {
		for edgeURL, path := range map[string]string{a.EdgeURL: "/from-a", b.EdgeURL: "/from-b"} {
			if _, err := edgeGet(t, edgeURL, appID, path, nil); err != nil {
				t.Fatal(err)
			}
		}
		domain := strings.ToLower(appID) + ".localhost"
		deadline := time.Now().Add(30 * time.Second)
		for {
			seen := map[string]bool{}
			for _, r := range accessLogRows(t, b, &amplify.GenerateAccessLogsInput{AppId: aws.String(appID), DomainName: aws.String(domain)}) {
				seen[r["cs-uri-stem"]+" "+r["sc-status"]] = true
			}
			if seen["/from-a 404"] && seen["/from-b 404"] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GenerateAccessLogs through B after a request to each edge: %v", seen)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	repo := newRepo(t)
	gitApp := ""
	t.Run("created through A, started through B, built by C from Git", func(t *testing.T) {
		repo.push(t, "main", "first", files{"amplify.yml": siteSpec("<h1>built from git by C</h1>")})
		gitApp = newGitApp(t, a, repo, nil)
		job := waitJobWith(t, b.client, gitApp, b.startBuild(t, gitApp))
		wantSucceeded(t, job)
		waitEdge(t, a.EdgeURL, gitApp, "/", "<h1>built from git by C</h1>\n")
		waitEdge(t, b.EdgeURL, gitApp, "/", "<h1>built from git by C</h1>\n")
	})
	if t.Failed() {
		t.Fatalf("runner output:\n%s", runnerC.output())
	}

	t.Run("runner killed mid-deployment", func(t *testing.T) {
		if testing.Short() {
			t.Skip("waits for the killed runner's 30-second lease to run out; skipped in -short mode")
		}
		// A build runs on C (its command never ends) while C deploys (it
		// runs two jobs at once).
		repo.push(t, "main", "endless", files{"amplify.yml": siteSpec("never", "sleep 600")})
		buildID := a.startBuild(t, gitApp)
		building := time.Now().Add(jobTimeout)
		for !strings.Contains(tryStepLog(pollJob(t, a.client, gitApp, buildID, func(types.JobStatus) bool { return true }), "BUILD"), "Executing command: sleep 600") {
			if time.Now().After(building) {
				t.Fatal("the endless build never started its command")
			}
			time.Sleep(50 * time.Millisecond)
		}
		// 128 MiB of random data keeps C busy long enough to kill it.
		created, err := b.client.CreateDeployment(ctx, &amplify.CreateDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main")})
		if err != nil {
			t.Fatal(err)
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(randomSiteZip(pw, 8, 16<<20)) }()
		if status, msg := put(t, aws.ToString(created.ZipUploadUrl), pr); status != http.StatusOK {
			t.Fatalf("PUT the large zip: %d %s", status, msg)
		}
		jobID := aws.ToString(created.JobId)
		if _, err := a.client.StartDeployment(ctx, &amplify.StartDeploymentInput{AppId: aws.String(appID), BranchName: aws.String("main"), JobId: created.JobId}); err != nil {
			t.Fatal(err)
		}
		running := pollJob(t, a.client, appID, jobID, func(st types.JobStatus) bool { return st != types.JobStatusPending })
		if running.Summary.Status != types.JobStatusRunning {
			t.Fatalf("job %s went from PENDING to %s before the test could kill the runner; the site must be larger", jobID, running.Summary.Status)
		}
		runnerC.kill()
		killed := time.Now()

		// D cannot tell a dead runner from a slow one until the lease ends.
		runnerD, _ := c.node(t, "runner")
		job := waitJobWith(t, b.client, appID, jobID)
		t.Logf("the killed runner's job ended %s %v after the kill", job.Summary.Status, time.Since(killed).Round(100*time.Millisecond))
		wantFailed(t, job, "runner stopped")
		build := waitJobWith(t, b.client, gitApp, buildID)
		wantFailed(t, build, "runner stopped")
		for _, st := range append(job.Steps, build.Steps...) {
			if st.Status == types.JobStatusRunning {
				t.Errorf("step %s is still RUNNING", aws.ToString(st.StepName))
			}
		}
		waitEdge(t, b.EdgeURL, gitApp, "/", "<h1>built from git by C</h1>\n")
		waitEdge(t, a.EdgeURL, appID, "/", v2["index.html"]) // the live site is untouched

		v3 := files{"index.html": "<h1>v3 after the runner died</h1>"}
		a.deploy(t, appID, v3)
		waitEdge(t, a.EdgeURL, appID, "/", v3["index.html"])
		waitEdge(t, b.EdgeURL, appID, "/", v3["index.html"])
		// No runner from here on: the concurrent jobs below stay PENDING.
		runnerD.kill()
	})
	runnerC.kill()

	t.Run("200 concurrent calls across A and B", func(t *testing.T) {
		const branches, jobs, tags = 90, 60, 50 // a resource holds at most 50 tags
		createBranch(t, a.client, appID, "load")
		arn := aws.ToString(app.AppArn)
		calls := make([]func(c *amplify.Client) error, 0, branches+jobs+tags)
		for i := range branches {
			calls = append(calls, func(c *amplify.Client) error {
				_, err := c.CreateBranch(ctx, &amplify.CreateBranchInput{AppId: aws.String(appID), BranchName: aws.String(fmt.Sprintf("b-%03d", i))})
				return err
			})
		}
		for range jobs {
			calls = append(calls, func(c *amplify.Client) error {
				_, err := c.StartDeployment(ctx, &amplify.StartDeploymentInput{
					AppId: aws.String(appID), BranchName: aws.String("load"), SourceUrl: aws.String("https://example.com/site.zip"),
				})
				return err
			})
		}
		for i := range tags {
			calls = append(calls, func(c *amplify.Client) error {
				_, err := c.TagResource(ctx, &amplify.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{fmt.Sprintf("k%03d", i): strconv.Itoa(i)}})
				return err
			})
		}
		// Interleave the kinds, and alternate the nodes.
		order := make([]int, len(calls))
		for i := range order {
			order[i] = (i*7 + 3) % len(calls) // 7 is prime to 200: a permutation
		}
		errs := make([]error, len(calls))
		var wg sync.WaitGroup
		ready := make(chan struct{})
		for n, i := range order {
			node := a
			if n%2 == 1 {
				node = b
			}
			wg.Go(func() {
				<-ready
				errs[i] = calls[i](node.client)
			})
		}
		start := time.Now()
		close(ready)
		wg.Wait()
		t.Logf("%d concurrent calls through two nodes took %v", len(calls), time.Since(start).Round(time.Millisecond))
		for i, err := range errs {
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}

		// Every branch is there.
		var names []string
		pager := amplify.NewListBranchesPaginator(b.client, &amplify.ListBranchesInput{AppId: aws.String(appID), MaxResults: 50})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, br := range page.Branches {
				names = append(names, aws.ToString(br.BranchName))
			}
		}
		want := []string{"load", "main"}
		for i := range branches {
			want = append(want, fmt.Sprintf("b-%03d", i))
		}
		wantSameItems(t, "branches", names, want)

		// The jobs of the branch are numbered 1…60, each once.
		var ids []int
		jp := amplify.NewListJobsPaginator(a.client, &amplify.ListJobsInput{AppId: aws.String(appID), BranchName: aws.String("load"), MaxResults: 50})
		for jp.HasMorePages() {
			page, err := jp.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range page.JobSummaries {
				id, err := strconv.Atoi(aws.ToString(j.JobId))
				if err != nil {
					t.Fatalf("job id %q", aws.ToString(j.JobId))
				}
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		wantIDs := make([]int, jobs)
		for i := range wantIDs {
			wantIDs[i] = i + 1
		}
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("job ids of branch load = %v, want 1…%d each once", ids, jobs)
		}

		// No tag was lost.
		out, err := b.client.ListTagsForResource(ctx, &amplify.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var lost []string
		for i := range tags {
			if k := fmt.Sprintf("k%03d", i); out.Tags[k] != strconv.Itoa(i) {
				lost = append(lost, k)
			}
		}
		if len(lost) > 0 {
			t.Errorf("%d of %d tags written concurrently are lost: %v", len(lost), tags, lost)
		}
	})
}
