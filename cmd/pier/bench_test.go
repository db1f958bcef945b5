package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
)

// benchServer starts pier serve on a free port with n apps and returns an
// SDK client for it and the id of the first app.
func benchServer(b *testing.B, n int) (*amplify.Client, string) {
	b.Helper()
	env := map[string]string{envAccessKeyID: "AKIABENCHMARK0000000", envSecretAccessKey: "bench-secret"}
	m := NewMain(&bytes.Buffer{}, func(k string) string { return env[k] })
	args := []string{"--data-dir", b.TempDir(), "--api-addr", "127.0.0.1:0", "--edge-addr", "127.0.0.1:0", "--log-level", "error"}
	if db := os.Getenv("PIER_BENCH_DATABASE"); db != "" { // e.g. a postgres:// URL of an empty database
		args = append(args, "--database", db)
	}
	if err := m.ParseFlags(args); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Run(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	client := amplify.New(amplify.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(m.APIURL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: env[envAccessKeyID], SecretAccessKey: env[envSecretAccessKey]}, nil
		}),
	})
	var first string
	for i := range n {
		out, err := client.CreateApp(ctx, &amplify.CreateAppInput{Name: aws.String("bench-" + strconv.Itoa(i))})
		if err != nil {
			b.Fatal(err)
		}
		if first == "" {
			first = *out.App.AppId
		}
	}
	return client, first
}

// reportLatency runs call b.N times and reports the p50 and p99 latency.
func reportLatency(b *testing.B, call func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := call(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkGetApp measures GetApp through the SDK against a running server.
func BenchmarkGetApp(b *testing.B) {
	client, appID := benchServer(b, 100)
	ctx := context.Background()
	reportLatency(b, func() error {
		_, err := client.GetApp(ctx, &amplify.GetAppInput{AppId: aws.String(appID)})
		return err
	})
}

// BenchmarkListApps100 measures ListApps returning 100 apps in one page.
func BenchmarkListApps100(b *testing.B) {
	client, _ := benchServer(b, 100)
	ctx := context.Background()
	reportLatency(b, func() error {
		out, err := client.ListApps(ctx, &amplify.ListAppsInput{MaxResults: 100})
		if err == nil && len(out.Apps) != 100 {
			b.Fatalf("ListApps returned %d apps, want 100", len(out.Apps))
		}
		return err
	})
}
