package gql

import (
	"testing"

	"github.com/graphql-go/graphql"
)

func suggestSchema(t *testing.T) *graphql.Schema {
	t.Helper()
	str := func(name string) *graphql.Object {
		return graphql.NewObject(graphql.ObjectConfig{Name: name, Fields: graphql.Fields{
			"id": &graphql.Field{Type: graphql.String},
		}})
	}
	fields := graphql.Fields{}
	for _, name := range []string{"bat", "bar", "baz", "bax", "baw", "bav", "ban", "barn", "zzzzzz"} {
		fields[name] = &graphql.Field{Type: graphql.String}
	}
	for _, o := range []*graphql.Object{str("Official"), str("OfficialEdge"), str("OfficialForm")} {
		fields[o.Name()] = &graphql.Field{Type: o}
	}
	s, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: fields})})
	if err != nil {
		t.Fatal(err)
	}
	return &s
}

// TestStableSuggestions checks that the "Did you mean" lists are the same
// on every preparation, nearest first and by name among equals: graphql-go
// draws them from maps, and FuzzPlans found two servers answering one
// query with the names in two orders.
func TestStableSuggestions(t *testing.T) {
	schema := suggestSchema(t)
	for query, want := range map[string]string{
		`{ bay }`: `Cannot query field "bay" on type "Query". Did you mean "ban", "bar", "bat", "bav", or "baw"?`,
		`{ OfficialForm { ...on fficia { id } } }`: `Unknown type "fficia". Did you mean "Official", "OfficialEdge", or "OfficialForm"?`,
		`{ zzzzzq }`: `Cannot query field "zzzzzq" on type "Query". Did you mean "zzzzzz"?`,
	} {
		for range 20 {
			doc := Prepare(schema, query, Options{MaxFields: 100, MaxDepth: 10})
			if len(doc.Errs) != 1 || doc.Errs[0].Message != want {
				t.Fatalf("%s: errors %+v, want one: %s", query, doc.Errs, want)
			}
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"fficia", "Official", 2}, {"ab", "ba", 2}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
