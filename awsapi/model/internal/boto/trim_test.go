package boto

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// model is a small botocore model; tests replace parts of it.
const model = `{
  "metadata": {"protocol": "rest-json"},
  "operations": {
    "GetThing": {
      "name": "GetThing",
      "http": {"method": "GET", "requestUri": "/things/{id}"},
      "input": {"shape": "GetThingRequest"},
      "output": {"shape": "GetThingResult"},
      "documentation": "Gets a thing."
    }
  },
  "shapes": {
    "GetThingRequest": {
      "type": "structure",
      "required": ["id"],
      "members": {
        "id": {"shape": "Id", "location": "uri", "locationName": "id", "documentation": "The id."},
        "keys": {"shape": "Keys", "location": "querystring", "locationName": "keys"},
        "tags": {"shape": "Tags"}
      }
    },
    "GetThingResult": {"type": "structure", "members": {"id": {"shape": "Id"}}},
    "Id": {"type": "string", "min": 1, "max": 20, "pattern": "[a-z]+", "documentation": "An id."},
    "Keys": {"type": "list", "member": {"shape": "Id"}, "max": 5},
    "Tags": {"type": "map", "key": {"shape": "Id"}, "value": {"shape": "Id"}}
  }
}`

func TestTrim(t *testing.T) {
	out, err := Trim([]byte(model))
	if err != nil {
		t.Fatal(err)
	}
	var svc Service
	if err := json.Unmarshal(out, &svc); err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(svc.Shapes)), []string{"GetThingRequest", "Id", "Keys", "Tags"}; !slices.Equal(got, want) {
		t.Errorf("shapes = %v, want %v (only those reachable from inputs)", got, want)
	}
	if strings.Contains(string(out), "documentation") || strings.Contains(string(out), "output") {
		t.Errorf("trimmed model keeps documentation or outputs:\n%s", out)
	}
	id := svc.Shapes["Id"]
	if *id.Min != 1 || *id.Max != 20 || id.Pattern != "[a-z]+" {
		t.Errorf("Id = %+v, constraints lost", id)
	}
	if op := svc.Operations["GetThing"]; op.HTTP.RequestURI != "/things/{id}" || op.Input.Shape != "GetThingRequest" {
		t.Errorf("GetThing = %+v", op)
	}
}

func TestTrimRejects(t *testing.T) {
	tests := []struct {
		name, old, new, wantErr string // new replaces old in model
	}{
		{"unknown shape trait", `"max": 20,`, `"max": 20, "jsonvalue": true,`, `unsupported trait "jsonvalue"`},
		{"unknown member trait", `"locationName": "id",`, `"locationName": "id", "idempotencyToken": true,`, `unsupported trait "idempotencyToken"`},
		{"trait of another type", `"member": {"shape": "Id"},`, `"member": {"shape": "Id"}, "pattern": "x",`, `unsupported trait "pattern"`},
		{"unknown type", `"type": "map"`, `"type": "blob"`, `unsupported type "blob"`},
		{"header binding", `"location": "querystring"`, `"location": "header"`, "unsupported header binding"},
		{"URI list", `"location": "querystring"`, `"location": "uri"`, "unsupported uri binding of a list"},
		{"query map", `{"shape": "Tags"}`, `{"shape": "Tags", "location": "querystring"}`, "unsupported querystring binding of a map"},
		{"undefined shape", `{"shape": "Tags"}`, `{"shape": "Nope"}`, "shape Nope is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Trim([]byte(strings.Replace(model, tt.old, tt.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Trim() error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
