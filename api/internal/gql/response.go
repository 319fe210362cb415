package gql

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/location"
)

// The GraphQL spec wants a response's fields in the order the query
// selected them. graphql-go returns maps, which encoding/json writes in
// sorted order, so responses are written here, walking the operation's
// selection sets beside the result.

// WriteResponse encodes {"errors": [...], "data": ...}: errors when there
// are some, data when execution started (hasData), in the operation's field
// order.
func WriteResponse(buf *bytes.Buffer, schema *graphql.Schema, op *ast.OperationDefinition, frags map[string]*ast.FragmentDefinition,
	data any, hasData bool, errs []gqlerrors.FormattedError) error {
	buf.WriteByte('{')
	wrote := false
	if len(errs) > 0 {
		buf.WriteString(`"errors":[`)
		for i, e := range errs {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeJSON(buf, wireError{Message: e.Message, Locations: e.Locations, Path: e.Path, Extensions: e.Extensions}); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		wrote = true
	}
	if hasData {
		if wrote {
			buf.WriteByte(',')
		}
		buf.WriteString(`"data":`)
		var sets []*ast.SelectionSet
		if op != nil {
			sets = []*ast.SelectionSet{op.SelectionSet}
		}
		o := orderedWriter{buf: buf, frags: frags, schema: schema}
		if err := o.value(data, sets); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// wireError is a GraphQL error as written: message first, empty parts left
// out.
type wireError struct {
	Message    string                    `json:"message"`
	Locations  []location.SourceLocation `json:"locations,omitempty"`
	Path       []any                     `json:"path,omitempty"`
	Extensions map[string]any            `json:"extensions,omitempty"`
}

type orderedWriter struct {
	buf    *bytes.Buffer
	frags  map[string]*ast.FragmentDefinition
	schema *graphql.Schema // to match fragments' type conditions; nil matches all
	// collected memoises collect for a single selection set and type: a
	// list of a thousand hops has one selection set.
	collected map[collectKey]collectedKeys
}

type collectKey struct {
	set      *ast.SelectionSet
	typename string
}

type collectedKeys struct {
	keys []string
	sub  map[string][]*ast.SelectionSet
}

// TypenameKey is the alias of a __typename field added to every selection
// set with a type condition (see AddTypenames), so that the writer knows
// which fragments applied to a result object. It is never written out.
const TypenameKey = "__hearsay_typename"

// AddTypenames adds `__hearsay_typename: __typename` to every selection set
// of the document that holds a fragment, after validation. A fragment on
// another type than the object's contributes no fields, and only the
// object's type tells which fragments those are.
func AddTypenames(doc *ast.Document) {
	var walk func(set *ast.SelectionSet)
	walk = func(set *ast.SelectionSet) {
		if set == nil {
			return
		}
		hasFragment := false
		for _, sel := range set.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				hasFragment = true
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				hasFragment = true
			}
		}
		if hasFragment {
			set.Selections = append(set.Selections, &ast.Field{Kind: "Field",
				Alias: &ast.Name{Kind: "Name", Value: TypenameKey}, Name: &ast.Name{Kind: "Name", Value: "__typename"}})
		}
	}
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			walk(d.SelectionSet)
		case *ast.FragmentDefinition:
			walk(d.SelectionSet)
		}
	}
}

// applies reports whether a fragment with type condition cond applies to
// an object of type typename.
func (o *orderedWriter) applies(cond *ast.Named, typename string) bool {
	if cond == nil || cond.Name == nil || typename == "" || o.schema == nil {
		return true
	}
	if cond.Name.Value == typename {
		return true
	}
	abstract, ok := o.schema.Type(cond.Name.Value).(graphql.Abstract)
	obj, isObj := o.schema.Type(typename).(*graphql.Object)
	return ok && isObj && o.schema.IsPossibleType(abstract, obj)
}

// value writes v, whose fields were selected by sets (several when fields
// of the same response key are merged).
func (o *orderedWriter) value(v any, sets []*ast.SelectionSet) error {
	switch x := v.(type) {
	case map[string]any:
		return o.object(x, sets)
	case []any:
		o.buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				o.buf.WriteByte(',')
			}
			if err := o.value(e, sets); err != nil {
				return err
			}
		}
		o.buf.WriteByte(']')
		return nil
	}
	return WriteScalar(o.buf, v)
}

// WriteScalar writes a serialized leaf value.
func WriteScalar(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case string:
		WriteJSONString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case nil:
		buf.WriteString("null")
	default:
		return encodeJSON(buf, v)
	}
	return nil
}

// WriteJSONString writes s as a JSON string, escaping what JSON requires
// and U+2028/U+2029 (for JavaScript readers), but not <, > and &.
func WriteJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c < 0x80 {
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// object writes a result object with its keys in selection order.
func (o *orderedWriter) object(m map[string]any, sets []*ast.SelectionSet) error {
	typename, _ := m[TypenameKey].(string)
	var keys []string
	var sub map[string][]*ast.SelectionSet
	if len(sets) == 1 {
		k := collectKey{sets[0], typename}
		c, ok := o.collected[k]
		if !ok {
			c.keys, c.sub = o.collect(sets, typename)
			if o.collected == nil {
				o.collected = make(map[collectKey]collectedKeys)
			}
			o.collected[k] = c
		}
		keys, sub = c.keys, c.sub
	} else {
		keys, sub = o.collect(sets, typename)
	}
	o.buf.WriteByte('{')
	n := 0
	written := map[string]bool{TypenameKey: true}
	write := func(k string, v any, sets []*ast.SelectionSet) error {
		if n > 0 {
			o.buf.WriteByte(',')
		}
		n++
		written[k] = true
		WriteJSONString(o.buf, k)
		o.buf.WriteByte(':')
		return o.value(v, sets)
	}
	for _, k := range keys {
		v, ok := m[k]
		if !ok || written[k] {
			continue
		}
		if err := write(k, v, sub[k]); err != nil {
			return err
		}
	}
	// Keys the selections did not name (none, for results of this
	// server's schema) are kept, in sorted order.
	var rest []string
	for k := range m {
		if !written[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		if err := write(k, m[k], nil); err != nil {
			return err
		}
	}
	o.buf.WriteByte('}')
	return nil
}

// collect flattens selection sets, fragments included, into response keys
// in order of first appearance, each with the sub-selections of every field
// under that key.
func (o *orderedWriter) collect(sets []*ast.SelectionSet, typename string) ([]string, map[string][]*ast.SelectionSet) {
	var keys []string
	sub := make(map[string][]*ast.SelectionSet)
	seen := make(map[string]bool)
	visiting := make(map[string]bool)
	var walk func(set *ast.SelectionSet)
	walk = func(set *ast.SelectionSet) {
		if set == nil {
			return
		}
		for _, sel := range set.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				key := s.Name.Value
				if s.Alias != nil && s.Alias.Value != "" {
					key = s.Alias.Value
				}
				if !seen[key] {
					seen[key] = true
					keys = append(keys, key)
				}
				if s.SelectionSet != nil {
					sub[key] = append(sub[key], s.SelectionSet)
				}
			case *ast.InlineFragment:
				if o.applies(s.TypeCondition, typename) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				name := s.Name.Value
				if f, ok := o.frags[name]; ok && !visiting[name] && o.applies(f.TypeCondition, typename) {
					visiting[name] = true
					walk(f.SelectionSet)
					delete(visiting, name)
				}
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	return keys, sub
}

// encodeJSON writes v as compact JSON without HTML escaping.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}
