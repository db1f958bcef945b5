// Command gen writes the trimmed botocore models that package model embeds.
// It reads the models of the botocore that python3 imports, or of the data
// directory given with -botocore.
//
// Usage (from awsapi/model, via go generate):
//
//	go run ./gen [-botocore DIR] [-out DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pier-hosting/pier/awsapi/model/internal/boto"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	dataDir := flag.String("botocore", "", "botocore data directory (default: the one python3 imports)")
	outDir := flag.String("out", ".", "directory to write the trimmed models to")
	flag.Parse()
	if *dataDir == "" {
		dir, err := boto.DataDir(context.Background())
		if err != nil {
			return err
		}
		*dataDir = dir
	}
	for _, svc := range boto.Services {
		out, err := boto.TrimFile(filepath.Join(*dataDir, svc.Model))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*outDir, svc.File), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}
