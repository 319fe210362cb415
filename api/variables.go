package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// checkVariables refuses, 400 BAD_USER_INPUT, a request whose variables do
// not fit the types the operation declares. graphql-go v0.8.1 lets
// anything pass as an ID or String (an object became the ID
// "map[a:[1 2]]") and answers other mismatches 200; the README promises
// 400. Messages name the variable, the place in it and the JSON kinds,
// never the value.
func checkVariables(schema *graphql.Schema, op *ast.OperationDefinition, vars map[string]any) *httpError {
	for _, def := range op.VariableDefinitions {
		if def.Variable == nil || def.Variable.Name == nil {
			continue
		}
		name := def.Variable.Name.Value
		v, given := vars[name]
		_, nonNull := def.Type.(*ast.NonNull)
		switch {
		case !given && nonNull && def.DefaultValue == nil:
			return refuse(http.StatusBadRequest, CodeBadUserInput, "Variable $%s of type %s is required, and the request does not give it.", name, typeString(def.Type))
		case !given:
			continue // its default, or null
		case v == nil && nonNull:
			// Given as null, a variable is null, whatever its default.
			return refuse(http.StatusBadRequest, CodeBadUserInput, "Variable $%s of type %s must not be null.", name, typeString(def.Type))
		case v == nil:
			continue
		}
		if msg := fitsType(schema, def.Type, v, 0); msg != "" {
			return refuse(http.StatusBadRequest, CodeBadUserInput, "Variable $%s: %s", name, msg)
		}
	}
	return nil
}

// maxValueDepth bounds how deep fitsType follows a variable's value;
// decoding JSON bounds it already (encoding/json nests 10,000 deep), and
// no input type of the schema nests lists or objects this deep.
const maxValueDepth = 64

// fitsType returns "" when v (decoded JSON) fits t, else what is wrong.
func fitsType(schema *graphql.Schema, t ast.Type, v any, depth int) string {
	if depth > maxValueDepth {
		return "the value nests too deep."
	}
	switch t := t.(type) {
	case *ast.NonNull:
		if v == nil {
			return fmt.Sprintf("expected %s, found null.", typeString(t))
		}
		return fitsType(schema, t.Type, v, depth)
	case *ast.List:
		if v == nil {
			return ""
		}
		items, ok := v.([]any)
		if !ok {
			return fitsType(schema, t.Type, v, depth+1) // one value stands for a list of it
		}
		for i, item := range items {
			if msg := fitsType(schema, t.Type, item, depth+1); msg != "" {
				return fmt.Sprintf("item %d: %s", i, msg)
			}
		}
		return ""
	case *ast.Named:
		if v == nil {
			return ""
		}
		return fitsNamed(schema, t.Name.Value, v, depth)
	}
	return ""
}

func fitsNamed(schema *graphql.Schema, name string, v any, depth int) string {
	wrong := func(want string) string {
		return fmt.Sprintf("expected %s (%s), found %s.", name, want, jsonKind(v))
	}
	switch typ := schema.Type(name).(type) {
	case *graphql.Scalar:
		switch name {
		case "ID":
			if _, ok := v.(string); ok || isInteger(v) {
				return ""
			}
			return wrong("a string or an integer")
		case "String":
			if _, ok := v.(string); ok {
				return ""
			}
			return wrong("a string")
		case "Int":
			if f, ok := number(v); ok && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32 {
				return ""
			}
			return wrong("an integer of 32 bits")
		case "Float":
			if _, ok := number(v); ok {
				return ""
			}
			return wrong("a number")
		case "Boolean":
			if _, ok := v.(bool); ok {
				return ""
			}
			return wrong("true or false")
		}
		return ""
	case *graphql.Enum:
		s, ok := v.(string)
		if !ok {
			return wrong("one of its names, as a string")
		}
		for _, ev := range typ.Values() {
			if ev.Name == s {
				return ""
			}
		}
		if len(s) > 40 {
			return fmt.Sprintf("expected %s, found a string that is not one of its values.", name)
		}
		return fmt.Sprintf("expected %s, found %q, not one of its values.", name, s)
	case *graphql.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		fields := typ.Fields()
		for k, fv := range m {
			f, ok := fields[k]
			if !ok {
				if len(k) > 40 {
					return fmt.Sprintf("%s has no such field.", name)
				}
				return fmt.Sprintf("%s has no field %q.", name, k)
			}
			if msg := fitsOutputType(schema, f.Type, fv, depth+1); msg != "" {
				return fmt.Sprintf("field %s: %s", k, msg)
			}
		}
		for k, f := range fields {
			if _, nonNull := f.Type.(*graphql.NonNull); nonNull && m[k] == nil {
				return fmt.Sprintf("%s needs its field %s.", name, k)
			}
		}
	}
	return ""
}

// fitsOutputType is fitsType for an input object field's schema type.
func fitsOutputType(schema *graphql.Schema, t graphql.Input, v any, depth int) string {
	return fitsType(schema, astType(t), v, depth)
}

// astType returns the syntax of a schema type.
func astType(t graphql.Type) ast.Type {
	switch t := t.(type) {
	case *graphql.NonNull:
		return &ast.NonNull{Type: astType(t.OfType)}
	case *graphql.List:
		return &ast.List{Type: astType(t.OfType)}
	}
	return &ast.Named{Name: &ast.Name{Value: t.Name()}}
}

func typeString(t ast.Type) string {
	switch t := t.(type) {
	case *ast.NonNull:
		return typeString(t.Type) + "!"
	case *ast.List:
		return "[" + typeString(t.Type) + "]"
	case *ast.Named:
		if t.Name != nil {
			return t.Name.Value
		}
	}
	return "?"
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	}
	return 0, false
}

func isInteger(v any) bool {
	f, ok := number(v)
	return ok && f == math.Trunc(f)
}

// jsonKind names the JSON kind of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number, int:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value"
}
