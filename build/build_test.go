package build

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
)

// fakeSteps records what a Builder reports.
type fakeSteps struct {
	begun []string
	ended []error
	log   bytes.Buffer
}

func (f *fakeSteps) Begin(_ context.Context, name string) (io.Writer, error) {
	f.begun = append(f.begun, name)
	return &f.log, nil
}

func (f *fakeSteps) End(_ context.Context, err error) error {
	f.ended = append(f.ended, err)
	return err
}

func (f *fakeSteps) SetCommit(context.Context, string, string, time.Time) error { return nil }

func TestDisabledBuilderFailsBuilds(t *testing.T) {
	b := New(Config{Disabled: "no sandbox here"})
	steps := &fakeSteps{}
	_, err := b.Build(t.Context(), &pier.Job{ID: 1}, steps)
	if pier.ErrorCode(err) != pier.EINVALID || pier.ErrorMessage(err) != "no sandbox here" {
		t.Fatalf("Build = %v, want EINVALID with the reason", err)
	}
	if len(steps.begun) != 1 || steps.begun[0] != stepBuild || len(steps.ended) != 1 {
		t.Errorf("steps = %v begun, %v ended; want one BUILD step that failed", steps.begun, steps.ended)
	}
}
