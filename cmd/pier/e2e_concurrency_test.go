package main

import (
	"fmt"
	"maps"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
)

// TestConcurrentTagsAndUpdates fires 200 TagResource calls, UntagResource
// calls and UpdateApp calls at one app at once, and checks that no caller's
// change was lost: every written key holds one of the values written to it,
// every removed key is gone, the tags nobody touched are kept, and the
// description is one that was written. Each call is a read-modify-write of
// the app, which the service retries when another call stored the app in
// between.
func TestConcurrentTagsAndUpdates(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()

	const (
		keys    = 40 // at most 50 tags: 40 written, 5 removed, 1 kept
		writes  = 5  // values per key: 40 × 5 = 200 TagResource calls
		removed = 5
		updates = 20
	)
	initial := map[string]string{"keep": "yes"}
	for i := range removed {
		initial["gone-"+strconv.Itoa(i)] = "x"
	}
	out, err := s.client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("contended"), Tags: initial})
	if err != nil {
		t.Fatal(err)
	}
	appID, arn := aws.ToString(out.App.AppId), aws.ToString(out.App.AppArn)

	key := func(k int) string { return fmt.Sprintf("key-%02d", k) }
	value := func(w int) string { return "value-" + strconv.Itoa(w) }
	description := func(u int) string { return "description " + strconv.Itoa(u) }

	var wg sync.WaitGroup
	start := make(chan struct{})
	inFlight := make(chan struct{}, maxInFlight)
	call := func(name string, fn func() error) {
		wg.Go(func() {
			<-start
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			if err := fn(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	for w := range writes {
		for k := range keys {
			call(fmt.Sprintf("TagResource(%s=%s)", key(k), value(w)), func() error {
				_, err := s.client.TagResource(ctx, &amplify.TagResourceInput{
					ResourceArn: aws.String(arn), Tags: map[string]string{key(k): value(w)},
				})
				return err
			})
		}
	}
	for i := range removed {
		call("UntagResource(gone-"+strconv.Itoa(i)+")", func() error {
			_, err := s.client.UntagResource(ctx, &amplify.UntagResourceInput{
				ResourceArn: aws.String(arn), TagKeys: []string{"gone-" + strconv.Itoa(i)},
			})
			return err
		})
	}
	for u := range updates {
		call("UpdateApp("+description(u)+")", func() error {
			_, err := s.client.UpdateApp(ctx, &amplify.UpdateAppInput{AppId: aws.String(appID), Description: aws.String(description(u))})
			return err
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	tags := listTags(t, s.client, arn)
	for k := range keys {
		got, ok := tags[key(k)]
		if !ok {
			t.Errorf("tag %s was lost", key(k))
		} else if !written(got, writes, value) {
			t.Errorf("tag %s = %q, not a value written to it", key(k), got)
		}
	}
	for i := range removed {
		if v, ok := tags["gone-"+strconv.Itoa(i)]; ok {
			t.Errorf("removed tag gone-%d is back, = %q", i, v)
		}
	}
	if tags["keep"] != "yes" {
		t.Errorf("untouched tag keep = %q, want yes", tags["keep"])
	}
	if len(tags) != keys+1 {
		t.Errorf("app has %d tags, want %d: %v", len(tags), keys+1, sortedKeys(tags))
	}

	app, err := s.client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(app.App.Tags, tags) {
		t.Errorf("GetApp tags = %v, want %v", app.App.Tags, tags)
	}
	if !written(aws.ToString(app.App.Description), updates, description) {
		t.Errorf("description = %q, not one that was written", aws.ToString(app.App.Description))
	}
	wantString(t, "name", app.App.Name, "contended")
}

// maxInFlight bounds the requests the tests of this file have in flight at
// once: all of them. (It was 16 while the API's pattern checks had a
// wall-clock timeout that starved requests could reach; they now run in
// linear time.)
const maxInFlight = 256

// written reports whether got is one of the n values value(0), …, value(n-1).
func written(got string, n int, value func(int) string) bool {
	for i := range n {
		if got == value(i) {
			return true
		}
	}
	return false
}

// TestConcurrentDeployments starts 50 deployments of one branch at once and
// checks that they get distinct, consecutive job ids 1 to 50.
func TestConcurrentDeployments(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	appID := aws.ToString(createApp(t, s.client, "deployed at once").AppId)
	createBranch(t, s.client, appID, "main")

	const n = 50
	ids := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	inFlight := make(chan struct{}, maxInFlight)
	for i := range n {
		wg.Go(func() {
			<-start
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			out, err := s.client.StartDeployment(ctx, &amplify.StartDeploymentInput{
				AppId: aws.String(appID), BranchName: aws.String("main"), SourceUrl: aws.String("https://example.com/site.zip"),
			})
			if err != nil {
				t.Errorf("StartDeployment %d: %v", i, err)
				return
			}
			ids[i] = aws.ToString(out.JobSummary.JobId)
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	var want []string
	for id := 1; id <= n; id++ {
		want = append(want, strconv.Itoa(id))
	}
	wantSameItems(t, "job ids", ids, want)
	listed := pageAll(t, func(token *string) ([]string, *string, error) {
		out, err := s.client.ListJobs(ctx, &amplify.ListJobsInput{AppId: aws.String(appID), BranchName: aws.String("main"), MaxResults: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var page []string
		for _, j := range out.JobSummaries {
			page = append(page, aws.ToString(j.JobId))
		}
		return page, out.NextToken, nil
	})
	wantSameItems(t, "listed job ids", listed, want)
}
