package gql

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
)

// graphql-go builds its "Did you mean" lists for unknown fields and types
// from Go maps and sorts them with an unstable sort, keeping the first
// five: names at the same distance come in a different order, and a
// different five, from one request to the next. StableSuggestions writes
// those lists again from the schema, nearest first and by name among
// equals, so the same query always gets the same answer.
var (
	unknownField = regexp.MustCompile(`^(Cannot query field "([^"]*)" on type "([^"]*)"\.) Did you mean "[^?]*"\?$`)
	unknownType  = regexp.MustCompile(`^(Unknown type "([^"]*)"\.) Did you mean "[^?]*"\?$`)
)

// maxSuggestions is graphql-go's and graphql-js's bound on a list.
const maxSuggestions = 5

// StableSuggestions rewrites, in place, the suggestion lists of errors
// about an unknown field or type.
func StableSuggestions(schema *graphql.Schema, errs []gqlerrors.FormattedError) {
	for i := range errs {
		e := &errs[i]
		if m := unknownField.FindStringSubmatch(e.Message); m != nil {
			var names []string
			switch t := schema.Type(m[3]).(type) {
			case *graphql.Object:
				names = fieldNames(t.Fields())
			case *graphql.Interface:
				names = fieldNames(t.Fields())
			default:
				continue
			}
			e.Message = withSuggestions(m[1], m[2], names)
		} else if m := unknownType.FindStringSubmatch(e.Message); m != nil {
			names := make([]string, 0, len(schema.TypeMap()))
			for name := range schema.TypeMap() {
				names = append(names, name)
			}
			e.Message = withSuggestions(m[1], m[2], names)
		}
	}
}

func fieldNames(fields graphql.FieldDefinitionMap) []string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	return names
}

// withSuggestions appends to message the options near input, chosen as
// graphql-go chooses them (within half the longer name's length, at least
// one edit) but ordered nearest first, then by name.
func withSuggestions(message, input string, options []string) string {
	type near struct {
		name string
		dist int
	}
	var list []near
	for _, opt := range options {
		d := editDistance(input, opt)
		if d <= max(len(input)/2, len(opt)/2, 1) {
			list = append(list, near{opt, d})
		}
	}
	if len(list) == 0 {
		return message
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		return list[i].name < list[j].name
	})
	list = list[:min(len(list), maxSuggestions)]
	quoted := make([]string, len(list))
	for i, n := range list {
		quoted[i] = fmt.Sprintf("%q", n.name)
	}
	var or string
	switch len(quoted) {
	case 1:
		or = quoted[0]
	case 2:
		or = quoted[0] + " or " + quoted[1]
	default:
		or = strings.Join(quoted[:len(quoted)-1], ", ") + ", or " + quoted[len(quoted)-1]
	}
	return message + " Did you mean " + or + "?"
}

// editDistance is the Levenshtein distance between a and b in bytes, as
// graphql-go computes it (its transposition case never fires).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for k := range prev {
		prev[k] = k
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for k := 1; k <= len(b); k++ {
			cost := 1
			if a[i-1] == b[k-1] {
				cost = 0
			}
			cur[k] = min(prev[k]+1, cur[k-1]+1, prev[k-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
