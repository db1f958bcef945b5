// Package model decodes and validates the input of an AWS Amplify Hosting or
// AmplifyBackend operation against botocore's service model, so that every
// input constraint of the model (required members, types, lengths, ranges,
// enums and patterns) is enforced without per-field code.
//
// The models are trimmed copies of botocore's service-2.json files, written
// by ./gen and embedded, so the server does not need botocore at run time.
package model

//go:generate go run ./gen -out .

import (
	_ "embed"
	"slices"
	"sync"
)

var (
	//go:embed amplify.json
	amplifyJSON []byte
	//go:embed amplifybackend.json
	amplifyBackendJSON []byte

	amplify        = sync.OnceValue(func() *Model { return mustLoad("amplify", amplifyJSON) })
	amplifyBackend = sync.OnceValue(func() *Model { return mustLoad("amplifybackend", amplifyBackendJSON) })
)

// Model is the input side of one service model. It is immutable and safe for
// concurrent use.
type Model struct {
	ops    []*Operation // sorted by name
	byName map[string]*Operation
}

// Amplify returns the model of the Amplify Hosting API (amplify 2017-07-25),
// parsed on first use.
func Amplify() *Model { return amplify() }

// AmplifyBackend returns the model of the AmplifyBackend API (amplifybackend
// 2020-08-11), parsed on first use.
func AmplifyBackend() *Model { return amplifyBackend() }

// Operations returns the model's operations sorted by name.
func (m *Model) Operations() []*Operation { return slices.Clone(m.ops) }

// Operation returns the named operation (e.g. "CreateApp"), or nil if the
// model has no such operation.
func (m *Model) Operation(name string) *Operation { return m.byName[name] }

// Operation is one API operation of a model. Its fields must not be modified.
type Operation struct {
	Name       string // e.g. "CreateBranch"
	Method     string // HTTP method, e.g. "POST"
	RequestURI string // URI template, e.g. "/apps/{appId}/branches"

	input *shape // a structure; nil if the operation has no input
}
