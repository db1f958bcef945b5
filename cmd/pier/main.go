// Command pier runs Pier — self-hosted web hosting that speaks the AWS
// Amplify Hosting API — and administers its data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pier:", err)
		}
		os.Exit(1)
	}
}

const usage = `Usage:
  pier serve [flags]          run Pier (API, edge and runner roles)
  pier deploy DIR --app ID --branch NAME [flags]
                              deploy a directory, wait, print the URL
  pier trace URL [flags]      explain how the edge answers a request for URL
  pier logs APP BRANCH [JOB] [--follow]
                              print a job's log (the latest job without JOB)
  pier logs access APP [--follow] [--since DURATION]
                              print the app's access log as CSV
  pier events APP             print the URL and secret of the app's Git provider webhook
  pier backend-credentials APP ENV
                              print the S3 credential of a backend environment's signed-in users
  pier keys create [flags]    create an access key (and its account if new)
  pier certs import CERT KEY  import a certificate for CUSTOM domains, print its ARN
  pier certs list|delete ARN  list or delete imported certificates

Run "pier COMMAND -h" for the flags of a command.
`

// run dispatches a command line.
func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		m := NewMain(stdout, getenv)
		if err := m.ParseFlags(args[1:]); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			_ = m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "deploy":
		return runDeploy(ctx, args[1:], stdout, getenv)
	case "trace":
		return runTrace(ctx, args[1:], stdout, getenv)
	case "logs":
		return runLogs(ctx, args[1:], stdout, getenv)
	case "events":
		return runEvents(ctx, args[1:], stdout, getenv)
	case "backend-credentials":
		return runBackendCredentials(ctx, args[1:], stdout, getenv)
	case "keys":
		return runKeys(ctx, args[1:], stdout)
	case "certs":
		return runCerts(ctx, args[1:], stdout, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
