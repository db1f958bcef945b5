package service

import (
	"context"
	"reflect"
	"testing"

	"github.com/pier-hosting/pier"
)

func TestHeadChanges(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after map[string]string
		want          []GitEvent
	}{
		{"nothing changed", map[string]string{"main": "a"}, map[string]string{"main": "a"}, nil},
		{"moved head", map[string]string{"main": "a"}, map[string]string{"main": "b"},
			[]GitEvent{{Kind: GitPush, Branch: "main", Commit: "b"}}},
		{"new branch", map[string]string{}, map[string]string{"x/y": "c"},
			[]GitEvent{{Kind: GitBranchCreated, Branch: "x/y", Commit: "c"}, {Kind: GitPush, Branch: "x/y", Commit: "c"}}},
		{"vanished branch", map[string]string{"old": "a"}, map[string]string{},
			[]GitEvent{{Kind: GitBranchDeleted, Branch: "old"}}},
		{"all at once, in branch order", map[string]string{"b": "1", "c": "1"}, map[string]string{"a": "2", "b": "3"},
			[]GitEvent{{Kind: GitBranchCreated, Branch: "a", Commit: "2"}, {Kind: GitPush, Branch: "a", Commit: "2"},
				{Kind: GitPush, Branch: "b", Commit: "3"}, {Kind: GitBranchDeleted, Branch: "c"}}},
		{"nil before", nil, map[string]string{"a": "1"},
			[]GitEvent{{Kind: GitBranchCreated, Branch: "a", Commit: "1"}, {Kind: GitPush, Branch: "a", Commit: "1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HeadChanges(tc.before, tc.after); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("HeadChanges = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// fakeHeads is a repository whose heads the test sets.
type fakeHeads map[string]string

func (h fakeHeads) Heads(context.Context, *pier.App) (map[string]string, error) { return h, nil }

func TestPoll(t *testing.T) {
	f, app := newGitEventFixture(t)
	ctx := t.Context()
	heads := fakeHeads{"main": "aaaaaaa", "dev": "bbbbbbb"}
	p := f.svc.NewPoller(heads, 0)
	step := func(name string, change func(), want map[string][]string) {
		t.Helper()
		change()
		if err := p.Poll(ctx, app); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for branch, commits := range want {
			if got := jobsOf(t, f, branch); !reflect.DeepEqual(got, commits) {
				t.Errorf("%s: jobs of %s = %q, want %q", name, branch, got, commits)
			}
		}
	}
	step("first poll records", func() {}, map[string][]string{"main": {}, "dev": {}})
	step("pushed commit", func() { heads["main"] = "ccccccc" }, map[string][]string{"main": {"ccccccc"}})
	step("no change", func() {}, map[string][]string{"main": {"ccccccc"}})
	step("new branch", func() { heads["feature/p"] = "ddddddd" }, map[string][]string{"feature/p": {"ddddddd"}})
	step("deleted branch", func() { delete(heads, "dev") }, map[string][]string{"dev": nil})

	// Another poller (a restarted node) goes on from the recorded heads.
	heads["main"] = "eeeeeee"
	f.svc.NewPoller(heads, 0).PollAll(ctx)
	if got := jobsOf(t, f, "main"); !reflect.DeepEqual(got, []string{"ccccccc", "eeeeeee"}) {
		t.Errorf("after a new poller: jobs of main = %q", got)
	}
}
