// Package boto describes the subset of botocore's service-2.json format that
// package model understands, trims a full botocore model down to it and finds
// the installed botocore. The trimmed file is itself a valid (partial)
// botocore model: field names and meanings are botocore's.
package boto

// Service is a trimmed botocore service model: every operation, and only the
// shapes reachable from operation inputs.
type Service struct {
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]Shape     `json:"shapes"`
}

// Operation is one API operation: its HTTP binding and its input shape.
type Operation struct {
	Name  string `json:"name"`
	HTTP  HTTP   `json:"http"`
	Input *Ref   `json:"input,omitempty"`
}

// HTTP is an operation's HTTP binding.
type HTTP struct {
	Method     string `json:"method"`
	RequestURI string `json:"requestUri"`
}

// Ref names a shape.
type Ref struct {
	Shape string `json:"shape"`
}

// Shape is a named type with its constraints. Min and Max bound a string's
// length in characters, a list's or map's number of entries, or a number's
// value; nil means unbounded.
type Shape struct {
	Type      string            `json:"type"`
	Members   map[string]Member `json:"members,omitempty"`
	Required  []string          `json:"required,omitempty"`
	Min       *int64            `json:"min,omitempty"`
	Max       *int64            `json:"max,omitempty"`
	Pattern   string            `json:"pattern,omitempty"`
	Enum      []string          `json:"enum,omitempty"`
	Member    *Ref              `json:"member,omitempty"`
	Key       *Ref              `json:"key,omitempty"`
	Value     *Ref              `json:"value,omitempty"`
	Sensitive bool              `json:"sensitive,omitempty"`
}

// Member is a structure member. Location is "uri", "querystring" or empty
// (the JSON body); LocationName is the URI label, query key or JSON key when
// it differs from the member name.
type Member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location,omitempty"`
	LocationName string `json:"locationName,omitempty"`
}

// A ServiceFile names a botocore service model and the trimmed file made from it.
type ServiceFile struct {
	Model string // path under botocore's data directory
	File  string // trimmed file name in package model
}

// Services lists the models package model embeds.
var Services = []ServiceFile{
	{Model: "amplify/2017-07-25/service-2.json.gz", File: "amplify.json"},
	{Model: "amplifybackend/2020-08-11/service-2.json.gz", File: "amplifybackend.json"},
}
