package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fullIntrospectionQuery is graphql-js's getIntrospectionQuery with every
// option on (descriptions, specifiedByUrl, directiveIsRepeatable,
// schemaDescription, inputValueDeprecation, oneOf).
const fullIntrospectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives {
      name description isRepeatable locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) {
    name description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

// introType is a type as fullIntrospectionQuery reads it.
type introType struct {
	Kind, Name     string
	Description    *string
	SpecifiedByURL *string
	IsOneOf        *bool
	Fields         []struct {
		Name         string
		Description  *string
		Args         []introInput
		IsDeprecated bool
	}
	InputFields []introInput
	EnumValues  []struct {
		Name        string
		Description *string
	}
	PossibleTypes []struct{ Name string }
	Interfaces    []struct{ Name string }
}

type introInput struct {
	Name              string
	Description       *string
	DefaultValue      *string
	IsDeprecated      bool
	DeprecationReason *string
}

type introSchema struct {
	Schema struct {
		Description *string
		QueryType   struct{ Name string }
		Types       []introType
		Directives  []struct {
			Name         string
			Description  *string
			IsRepeatable bool
			Locations    []string
			Args         []introInput
		}
	} `json:"__schema"`
}

// mustIntrospect posts fullIntrospectionQuery with an Accept header and
// returns the answer's body, which must be 200.
func mustIntrospect(t *testing.T, s *Server, accept string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": fullIntrospectionQuery})
	req := mustRequest(t, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	r := s.Do(t, req)
	if r.Status != http.StatusOK {
		t.Fatalf("Accept %s: status %d: %s", accept, r.Status, r.Short())
	}
	return r.Body
}

func TestIntrospection(t *testing.T) {
	s := MustServer(t)
	var data introSchema
	body := mustIntrospect(t, s, "application/json")
	s.Query(t, fullIntrospectionQuery, nil).MustData(t, &data)
	types := map[string]introType{}
	for _, typ := range data.Schema.Types {
		types[typ.Name] = typ
	}

	t.Run("OKEveryOption", func(t *testing.T) {
		// Ensure the current spec's fields answer as they should: the
		// schema's description, no specifiedByURL (no custom scalars),
		// isOneOf false on input objects and null elsewhere, no
		// repeatable directive, no deprecated input value.
		for _, accept := range []string{"application/graphql-response+json", "application/json", "*/*"} {
			mustIntrospect(t, s, accept)
		}
		if d := data.Schema.Description; d == nil || !strings.HasPrefix(*d, "hearsay:") {
			t.Errorf("__schema.description = %v", d)
		}
		for _, typ := range data.Schema.Types {
			if typ.SpecifiedByURL != nil {
				t.Errorf("%s.specifiedByURL = %q", typ.Name, *typ.SpecifiedByURL)
			}
			if (typ.IsOneOf != nil) != (typ.Kind == "INPUT_OBJECT") || typ.IsOneOf != nil && *typ.IsOneOf {
				t.Errorf("%s (%s).isOneOf = %v", typ.Name, typ.Kind, typ.IsOneOf)
			}
			for _, in := range typ.InputFields {
				if in.IsDeprecated || in.DeprecationReason != nil {
					t.Errorf("%s.%s is deprecated", typ.Name, in.Name)
				}
			}
		}
		var dirs []string
		for _, d := range data.Schema.Directives {
			dirs = append(dirs, d.Name)
			if d.IsRepeatable {
				t.Errorf("@%s is repeatable", d.Name)
			}
			if d.Name == "deprecated" && !slices.Equal(d.Locations, []string{"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"}) {
				t.Errorf("@deprecated on %q", d.Locations)
			}
		}
		if want := []string{"include", "skip", "deprecated", "specifiedBy", "oneOf"}; !slices.Equal(dirs, want) {
			t.Errorf("directives %q, want %q", dirs, want)
		}
		if got := *types["Claim"].Fields[slices.IndexFunc(types["Claim"].Fields, func(f struct {
			Name         string
			Description  *string
			Args         []introInput
			IsDeprecated bool
		}) bool {
			return f.Name == "chains"
		})].Args[1].DefaultValue; got != "16" {
			t.Errorf("Claim.chains(maxDepth:) defaults to %s, want 16", got)
		}
	})

	t.Run("OKStable", func(t *testing.T) {
		// Ensure the same introspection gives byte-identical answers, on
		// the same server and on another one, whose schema graphql-go
		// built again from maps iterated in another order.
		if again := mustIntrospect(t, s, "application/json"); !bytes.Equal(body, again) {
			t.Error("two introspections of one server differ")
		}
		for range 3 {
			if other := mustIntrospect(t, MustServer(t, WithoutSeed()), "application/json"); !bytes.Equal(body, other) {
				t.Fatal("the introspections of two servers differ")
			}
		}
	})

	t.Run("OKDeclarationOrder", func(t *testing.T) {
		// Ensure fields, arguments, enum values, input fields and types
		// come in the order the schema declares them (api/*.go).
		names := func(typ string) []string {
			var out []string
			it := types[typ]
			for _, f := range it.Fields {
				out = append(out, f.Name)
			}
			for _, v := range it.EnumValues {
				out = append(out, v.Name)
			}
			for _, f := range it.InputFields {
				out = append(out, f.Name)
			}
			for _, p := range it.PossibleTypes {
				out = append(out, p.Name)
			}
			return out
		}
		args := func(typ, field string) []string {
			var out []string
			for _, f := range types[typ].Fields {
				if f.Name == field {
					for _, a := range f.Args {
						out = append(out, a.Name)
					}
				}
			}
			return out
		}
		for _, tt := range []struct {
			what string
			got  []string
			want []string
		}{
			{"Query", names("Query"), []string{"node", "outlet", "report", "official", "claim", "extract", "similarClaims", "outlets", "reports", "officials", "claims"}},
			{"Outlet", names("Outlet"), []string{"id", "name", "domain", "country", "language", "outletType", "reliability", "ratings", "echo", "reports"}},
			{"Chain", names("Chain"), []string{"from", "hops", "relays", "terminal", "origin", "flags", "confidence", "weakestRelay", "weakestHop", "limitedBy"}},
			{"Reliability", names("Reliability"), []string{"A", "B", "C", "D", "E", "F"}},
			{"Terminal", names("Terminal"), []string{"OFFICIAL", "UNATTRIBUTED", "CITED_REPORT_UNRECORDED", "OUTLET_UNRECORDED", "CIRCULAR", "DEPTH_LIMIT"}},
			{"OutletInput", names("OutletInput"), []string{"id", "name", "domain", "country", "language", "outletType", "ratings"}},
			{"AttributionInput", names("AttributionInput"), []string{"source", "mode", "quote", "relaying"}},
			{"Source", names("Source"), []string{"Official", "Report", "Outlet"}},
			{"Node", names("Node"), []string{"id", "Outlet", "Report", "Claim", "Official"}}, // its implementations in type order
			{"Claim.chains", args("Claim", "chains"), []string{"from", "maxDepth"}},
			{"Query.outlets", args("Query", "outlets"), []string{"first", "after", "filter"}},
			{"Mutation.deleteReport", args("Mutation", "deleteReport"), []string{"id", "cascade"}},
			{"__Type", names("__Type"), []string{"kind", "name", "description", "specifiedByURL", "fields", "interfaces", "possibleTypes", "enumValues", "inputFields", "ofType", "isOneOf"}},
			{"__TypeKind", names("__TypeKind"), []string{"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL"}},
			{"__DirectiveLocation", names("__DirectiveLocation"), []string{"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
				"FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION",
				"INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"}},
		} {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
			}
		}
		var first []string
		for _, typ := range data.Schema.Types[:4] {
			first = append(first, typ.Name)
		}
		if want := []string{"Query", "Node", "ID", "Outlet"}; !slices.Equal(first, want) {
			t.Errorf("types start %q, want %q (the query type, then what it refers to, depth first)", first, want)
		}
	})

	t.Run("OKDescriptions", func(t *testing.T) {
		// Ensure every type, field, argument, enum value, input field and
		// directive is described, hearsay's and the introspection's own,
		// and that no description is "" (absent is null).
		if bytes.Contains(body, []byte(`"description":""`)) {
			t.Error(`an answer has "description":""`)
		}
		missing := func(what string, d *string) {
			if d == nil || strings.TrimSpace(*d) == "" {
				t.Errorf("%s has no description", what)
			}
		}
		n := 0
		for _, typ := range data.Schema.Types {
			missing(typ.Name, typ.Description)
			for _, f := range typ.Fields {
				missing(typ.Name+"."+f.Name, f.Description)
				for _, a := range f.Args {
					missing(typ.Name+"."+f.Name+"("+a.Name+":)", a.Description)
					n++
				}
				n++
			}
			for _, f := range typ.InputFields {
				missing(typ.Name+"."+f.Name, f.Description)
				n++
			}
			for _, v := range typ.EnumValues {
				missing(typ.Name+"."+v.Name, v.Description)
				n++
			}
			n++
		}
		for _, d := range data.Schema.Directives {
			missing("@"+d.Name, d.Description)
			for _, a := range d.Args {
				missing("@"+d.Name+"("+a.Name+":)", a.Description)
			}
		}
		if n < 500 {
			t.Errorf("walked %d schema elements, want the whole schema (over 500)", n)
		}
	})
}

// TestIntrospectionClient runs graphql-js (npm graphql, pinned by
// testdata/http-audit/package-lock.json, installed by `npm ci --prefix
// api/testdata/http-audit`, which .ci/run does): getIntrospectionQuery with
// no option, each option and all of them, under both response media
// types, each answer rebuilt with buildClientSchema and checked with
// assertValidSchema (testdata/http-audit/introspect.mjs).
func TestIntrospectionClient(t *testing.T) {
	dir := filepath.Join("testdata", "http-audit")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "graphql", "package.json"))
	}
	if err != nil {
		if os.Getenv("HEARSAY_CI") == "1" {
			t.Fatalf("node and graphql are needed (npm ci --prefix api/testdata/http-audit): %v", err)
		}
		t.Skipf("node or graphql is missing (npm ci --prefix api/testdata/http-audit): %v", err)
	}
	s := MustServer(t)
	cmd := exec.Command(node, "introspect.mjs", s.URL+"/graphql")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node introspect.mjs: %v\n%s", err, out)
	}
	var res struct {
		Runs []struct {
			Options, Accept, ContentType, Error string
			Status, Types                       int
		}
		SDL string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("introspect.mjs output is not JSON: %v\n%s", err, out)
	}
	if len(res.Runs) != 16 {
		t.Fatalf("%d runs, want 16 (8 option sets, 2 media types)", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Status != http.StatusOK || r.Error != "" || !strings.HasPrefix(r.ContentType, r.Accept) || r.Types < 50 {
			t.Errorf("options %s, Accept %s: status %d, %s, %d types: %s", r.Options, r.Accept, r.Status, r.ContentType, r.Types, r.Error)
		}
	}
	// The client's schema has the server's description and order.
	for _, want := range []string{
		"\"\"\"\nhearsay: a knowledge graph",
		"type Query {",
		"  node(\n    \"\"\"The node's ID, kind:slug.\"\"\"\n    id: ID!\n  ): Node\n",
		"enum Reliability {\n  \"\"\"Completely reliable",
	} {
		if !strings.Contains(res.SDL, want) {
			t.Errorf("the client's schema lacks %q", want)
		}
	}
	if q, o := strings.Index(res.SDL, "\n  outlet("), strings.Index(res.SDL, "\n  outlets("); q < 0 || o < q {
		t.Errorf("Query.outlet should come before Query.outlets in the client's schema")
	}
}
