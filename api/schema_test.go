package api_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// introspectionQuery is the query GraphiQL sends when the playground opens
// (graphql-js getIntrospectionQuery with its defaults: descriptions on).
const introspectionQuery = `
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

type schemaType struct {
	Kind, Name string
	Fields     []struct {
		Name string
		Args []struct{ Name string }
		Type typeRef
	}
	InputFields   []struct{ Name string }
	EnumValues    []struct{ Name string }
	PossibleTypes []struct{ Name string }
	Interfaces    []struct{ Name string }
}

// typeRef is a field's type: wrappers (NON_NULL, LIST) and a named type.
type typeRef struct {
	Kind, Name string
	OfType     *typeRef
}

// named returns the named type under the wrappers.
func (r typeRef) named() string {
	for r.Name == "" && r.OfType != nil {
		r = *r.OfType
	}
	return r.Name
}

func TestSchema(t *testing.T) {
	s := MustServer(t)
	var data struct {
		Schema struct {
			QueryType, MutationType struct{ Name string }
			SubscriptionType        *struct{ Name string }
			Types                   []schemaType
		} `json:"__schema"`
	}
	t.Run("OKIntrospection", func(t *testing.T) {
		// Ensure the playground's introspection query passes the limits.
		s.MustQuery(t, introspectionQuery, nil, &data)
		if data.Schema.QueryType.Name != "Query" || data.Schema.MutationType.Name != "Mutation" ||
			data.Schema.SubscriptionType == nil || data.Schema.SubscriptionType.Name != "Subscription" {
			t.Errorf("root types %+v", data.Schema)
		}
	})
	types := map[string]schemaType{}
	for _, typ := range data.Schema.Types {
		types[typ.Name] = typ
	}
	names := func(typ string) []string {
		var out []string
		for _, f := range types[typ].Fields {
			out = append(out, f.Name)
		}
		for _, f := range types[typ].EnumValues {
			out = append(out, f.Name)
		}
		for _, f := range types[typ].PossibleTypes {
			out = append(out, f.Name)
		}
		sort.Strings(out)
		return out
	}
	// DESIGN.md section 3, without the reliability fields the next issue adds.
	for _, tt := range []struct {
		typ  string
		want []string
	}{
		{"Query", []string{"claim", "claims", "node", "official", "officials", "outlet", "outlets", "report", "reports"}},
		{"Node", []string{"id"}},
		{"Source", []string{"Official", "Outlet", "Report"}},
		{"Reliability", []string{"A", "B", "C", "D", "E", "F"}},
		{"AttributionMode", []string{"AGGREGATION", "CITES_REPORT", "DIRECT_QUOTE", "PARAPHRASE", "TRANSLATION", "UNATTRIBUTED"}},
		{"Terminal", []string{"CIRCULAR", "CITED_REPORT_UNRECORDED", "DEPTH_LIMIT", "OFFICIAL", "OUTLET_UNRECORDED", "UNATTRIBUTED"}},
		{"Outlet", []string{"country", "domain", "echo", "id", "name", "ratings", "reliability", "reports"}},
		{"Report", []string{"appearances", "citedBy", "cites", "id", "outlet", "published", "status", "title", "url"}},
		{"Official", []string{"affiliation", "anonymous", "attributions", "form", "id", "name", "possiblySameAs", "reliability", "role"}},
		{"Claim", []string{"appearances", "chains", "credibility", "firstAppearance", "id", "independentOrigins", "origins", "reviews", "text"}},
		{"Appearance", []string{"attributions", "claim", "hedge", "mode", "quote", "report"}},
		{"Attribution", []string{"inferred", "mode", "quote", "source"}},
		{"Chain", []string{"confidence", "flags", "from", "hops", "origin", "terminal", "weakestHop"}},
		{"Hop", []string{"inferred", "mode", "outlet", "quote", "reliabilityAtPublication", "report", "to"}},
		{"Range", []string{"max", "min"}},
		{"Credibility", []string{"grade", "label", "why"}},
		{"Echo", []string{"anonymousOrigin", "appearances", "secondHand"}},
		{"PageInfo", []string{"endCursor", "hasNextPage"}},
		{"ClaimConnection", []string{"edges", "pageInfo", "totalCount"}},
		{"Mutation", []string{"addAppearance", "addAttribution", "addCitation", "addRating", "addReview",
			"createClaim", "createOfficial", "createOutlet", "createReport", "deleteClaim", "deleteOfficial", "deleteOutlet", "deleteReport",
			"importDataset", "removeAppearance", "removeAttribution", "removeCitation",
			"updateClaim", "updateOfficial", "updateOutlet", "updateReport"}},
	} {
		t.Run("OK"+tt.typ, func(t *testing.T) {
			// Ensure the type has every member the design names.
			got := names(tt.typ)
			if len(got) == 0 {
				t.Fatalf("no type %s", tt.typ)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s lacks %s (has %q)", tt.typ, w, got)
				}
			}
		})
	}
	t.Run("OKConnectionsArgs", func(t *testing.T) {
		// Ensure every connection field takes first and after.
		n := 0
		defer func() {
			if n != 6 {
				t.Errorf("found %d connection fields, want 6 (4 lists, Outlet.reports, Official.attributions)", n)
			}
		}()
		for _, typ := range data.Schema.Types {
			for _, f := range typ.Fields {
				if !strings.HasSuffix(f.Type.named(), "Connection") {
					continue
				}
				n++
				var args []string
				for _, a := range f.Args {
					args = append(args, a.Name)
				}
				if !slices.Contains(args, "first") || !slices.Contains(args, "after") {
					t.Errorf("%s.%s takes %q", typ.Name, f.Name, args)
				}
			}
		}
	})
	t.Run("ErrStrictFilter", func(t *testing.T) {
		// Ensure filters are strict input objects: an unknown key is refused.
		for _, q := range []string{
			`{ outlets(filter: {name: "x"}) { totalCount } }`,
			`{ reports(filter: {title: "x"}) { totalCount } }`,
			`{ officials(filter: {role: "x"}) { totalCount } }`,
			`{ claims(filter: {text: "x"}) { totalCount } }`,
		} {
			s.Query(t, q, nil).MustFail(t, http.StatusBadRequest, "BAD_USER_INPUT")
		}
	})
}
