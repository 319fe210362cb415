package gql

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/graphql-go/graphql"
)

// Introspection as the current GraphQL specification has it (the October
// 2021 edition, with the working draft's @oneOf input objects and
// deprecated input values, as graphql-js 16 asks for them), over
// graphql-go v0.8.1, whose introspection types are package-level objects
// of an older edition:
//
//   - UpgradeIntrospection adds the fields clients ask for since
//     (__Schema.description, __Type.specifiedByURL and isOneOf,
//     __Directive.isRepeatable, __InputValue.isDeprecated and
//     deprecationReason, includeDeprecated on args and inputFields), once,
//     before the first schema is built; Directives are the directives of
//     that edition.
//   - An absent description is null, not "" as graphql-go answers.
//   - Lists come in a stable order: graphql-go keeps fields, arguments,
//     enum values and input fields in maps and lists types in map order,
//     so the same query got its fields in another order on each request.
//     The order is the one the schema declares them in, recorded by an
//     Order while the schema is built; an Introspection, carried in the
//     request's context (WithIntrospection), answers with it. Without one
//     (graphql.Do on the schema, as 'hearsay bench' runs it) names are
//     sorted.
//
// graphql-go's validator reads the same types, so a query asking for the
// new fields is valid, and graphql-go's executor answers it: plans never
// run introspection (Compile).

// Order records the order a schema declares its fields, arguments, enum
// values and input fields in, which graphql-go's maps forget. Declare
// while building the schema, before NewIntrospection reads it; it is not
// safe for concurrent use.
type Order struct {
	names map[string][]string // by type name, and by "Type.field" for arguments
}

// NewOrder returns an empty Order.
func NewOrder() *Order { return &Order{names: make(map[string][]string)} }

// Declare records the fields, enum values or input fields of a type, in
// order; declaring a type again appends.
func (o *Order) Declare(typeName string, names ...string) {
	o.names[typeName] = append(o.names[typeName], names...)
}

// DeclareArgs records the arguments of a field, in order.
func (o *Order) DeclareArgs(typeName, field string, names ...string) {
	o.names[typeName+"."+field] = append(o.names[typeName+"."+field], names...)
}

// Declared returns what was declared for a type, or for "Type.field".
func (o *Order) Declared(key string) []string { return o.names[key] }

// specOrder is the order of the introspection types' own members, as the
// specification lists them.
var specOrder = map[string][]string{
	"__Schema":            {"description", "types", "queryType", "mutationType", "subscriptionType", "directives"},
	"__Type":              {"kind", "name", "description", "specifiedByURL", "fields", "interfaces", "possibleTypes", "enumValues", "inputFields", "ofType", "isOneOf"},
	"__Field":             {"name", "description", "args", "type", "isDeprecated", "deprecationReason"},
	"__InputValue":        {"name", "description", "type", "defaultValue", "isDeprecated", "deprecationReason"},
	"__EnumValue":         {"name", "description", "isDeprecated", "deprecationReason"},
	"__Directive":         {"name", "description", "isRepeatable", "locations", "args", "onOperation", "onFragment", "onField"},
	"__TypeKind":          {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL"},
	"__DirectiveLocation": {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"},
}

// specDocs describes the introspection types' fields, which graphql-go
// (like graphql-js) mostly leaves undescribed.
var specDocs = map[string]map[string]string{
	"__Schema": {
		"description": "What this server's schema is for.",
	},
	"__Type": {
		"kind":           "What kind of type this is; it says which of the other fields apply.",
		"name":           "The type's name; null for LIST and NON_NULL.",
		"description":    "What the type is for; null when it has none.",
		"specifiedByURL": "For a custom SCALAR, the URL of the specification of its values; null otherwise.",
		"fields":         "The fields of an OBJECT or INTERFACE, in the order the schema declares them; null for other kinds.",
		"interfaces":     "The interfaces an OBJECT or INTERFACE implements; null for other kinds.",
		"possibleTypes":  "The object types an INTERFACE or UNION may be at runtime; null for other kinds.",
		"enumValues":     "The values of an ENUM, in the order the schema declares them; null for other kinds.",
		"inputFields":    "The fields of an INPUT_OBJECT, in the order the schema declares them; null for other kinds.",
		"ofType":         "The type a LIST or NON_NULL wraps; null for other kinds.",
		"isOneOf":        "For an INPUT_OBJECT, whether exactly one of its fields must be given (@oneOf); null for other kinds.",
	},
	"__Field": {
		"name":              "The field's name.",
		"description":       "What the field holds; null when it has none.",
		"args":              "The field's arguments, in the order the schema declares them.",
		"type":              "The type of the field's value.",
		"isDeprecated":      "Whether the field is deprecated and should no longer be used.",
		"deprecationReason": "Why the field is deprecated, and what to use instead; null when it is not.",
	},
	"__InputValue": {
		"name":              "The argument's or input field's name.",
		"description":       "What the value means; null when it has none.",
		"type":              "The type of the value.",
		"isDeprecated":      "Whether the argument or input field is deprecated and should no longer be used.",
		"deprecationReason": "Why it is deprecated, and what to use instead; null when it is not.",
	},
	"__EnumValue": {
		"name":              "The value as written in queries and answers.",
		"description":       "What the value means; null when it has none.",
		"isDeprecated":      "Whether the value is deprecated and should no longer be used.",
		"deprecationReason": "Why the value is deprecated, and what to use instead; null when it is not.",
	},
	"__Directive": {
		"name":         "The directive's name, written after @.",
		"description":  "What the directive does; null when it has none.",
		"isRepeatable": "Whether the directive may appear more than once at one location.",
		"locations":    "Where the directive may appear.",
		"args":         "The directive's arguments.",
		"onOperation":  "Whether the directive may appear on an operation.",
		"onFragment":   "Whether the directive may appear on a fragment.",
		"onField":      "Whether the directive may appear on a field.",
	},
}

var upgradeOnce sync.Once

// UpgradeIntrospection adds the current specification's introspection
// fields to graphql-go's introspection types, describes their fields and
// makes absent descriptions null. It changes package-level objects of
// graphql-go, once, under a sync.Once: call it before building a schema
// (graphql-go reads them when it builds one, and its validator and
// executor when they run).
func UpgradeIntrospection() {
	upgradeOnce.Do(upgrade)
}

func upgrade() {
	includeDeprecated := graphql.FieldConfigArgument{"includeDeprecated": {
		Type: graphql.Boolean, DefaultValue: false,
		Description: "Also list the deprecated ones.",
	}}
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	graphql.SchemaType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if in := lookup(p); in != nil {
				return nullable(in.description), nil
			}
			return nil, nil
		}})
	graphql.SchemaType.AddFieldConfig("types", &graphql.Field{Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.TypeType))),
		Description: "Every type of the schema: the root types, then the types they refer to, as they are first met in declaration order.",
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if in := lookup(p); in != nil {
				return in.types, nil
			}
			return sortedTypes(p.Info.Schema), nil
		}})

	graphql.TypeType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if t, ok := p.Source.(graphql.Type); ok {
				return nullable(t.Description()), nil
			}
			return nil, nil
		}})
	graphql.TypeType.AddFieldConfig("specifiedByURL", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) { return nil, nil }}) // no custom scalars here
	graphql.TypeType.AddFieldConfig("isOneOf", &graphql.Field{Type: graphql.Boolean,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if _, ok := p.Source.(*graphql.InputObject); ok {
				return false, nil // graphql-go has no @oneOf input objects
			}
			return nil, nil
		}})
	graphql.TypeType.AddFieldConfig("fields", &graphql.Field{Type: graphql.NewList(graphql.NewNonNull(graphql.FieldType)), Args: includeDeprecated,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			var fields []*graphql.FieldDefinition
			switch t := p.Source.(type) {
			case *graphql.Object:
				fields = fieldsOf(lookup(p), t, t.Fields())
			case *graphql.Interface:
				fields = fieldsOf(lookup(p), t, t.Fields())
			default:
				return nil, nil
			}
			if b, _ := p.Args["includeDeprecated"].(bool); b {
				return fields, nil
			}
			out := make([]*graphql.FieldDefinition, 0, len(fields))
			for _, f := range fields {
				if f.DeprecationReason == "" {
					out = append(out, f)
				}
			}
			return out, nil
		}})
	graphql.TypeType.AddFieldConfig("interfaces", &graphql.Field{Type: graphql.NewList(graphql.NewNonNull(graphql.TypeType)),
		Resolve: func(p graphql.ResolveParams) (any, error) {
			switch t := p.Source.(type) {
			case *graphql.Object:
				return t.Interfaces(), nil
			case *graphql.Interface:
				return []*graphql.Interface{}, nil // graphql-go: interfaces implement none
			}
			return nil, nil
		}})
	graphql.TypeType.AddFieldConfig("possibleTypes", &graphql.Field{Type: graphql.NewList(graphql.NewNonNull(graphql.TypeType)),
		Resolve: func(p graphql.ResolveParams) (any, error) {
			switch t := p.Source.(type) {
			case *graphql.Union:
				return t.Types(), nil // as declared
			case *graphql.Interface:
				if in := lookup(p); in != nil {
					return in.possible[t], nil
				}
				return sortedObjects(p.Info.Schema.PossibleTypes(t)), nil
			}
			return nil, nil
		}})
	graphql.TypeType.AddFieldConfig("enumValues", &graphql.Field{Type: graphql.NewList(graphql.NewNonNull(graphql.EnumValueType)), Args: includeDeprecated,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			t, ok := p.Source.(*graphql.Enum)
			if !ok {
				return nil, nil
			}
			values := enumValuesOf(lookup(p), t)
			if b, _ := p.Args["includeDeprecated"].(bool); b {
				return values, nil
			}
			out := make([]*graphql.EnumValueDefinition, 0, len(values))
			for _, v := range values {
				if v.DeprecationReason == "" {
					out = append(out, v)
				}
			}
			return out, nil
		}})
	graphql.TypeType.AddFieldConfig("inputFields", &graphql.Field{Type: graphql.NewList(graphql.NewNonNull(graphql.InputValueType)), Args: includeDeprecated,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if t, ok := p.Source.(*graphql.InputObject); ok {
				return inputFieldsOf(lookup(p), t), nil // graphql-go cannot deprecate them
			}
			return nil, nil
		}})

	graphql.FieldType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if f, ok := p.Source.(*graphql.FieldDefinition); ok {
				return nullable(f.Description), nil
			}
			return nil, nil
		}})
	graphql.FieldType.AddFieldConfig("args", &graphql.Field{Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.InputValueType))), Args: includeDeprecated,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if f, ok := p.Source.(*graphql.FieldDefinition); ok {
				return argsOf(lookup(p), f), nil // graphql-go cannot deprecate them
			}
			return []*graphql.Argument{}, nil
		}})

	graphql.InputValueType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			switch v := p.Source.(type) {
			case *graphql.Argument:
				return nullable(v.Description()), nil
			case *graphql.InputObjectField:
				return nullable(v.Description()), nil
			}
			return nil, nil
		}})
	graphql.InputValueType.AddFieldConfig("isDeprecated", &graphql.Field{Type: graphql.NewNonNull(graphql.Boolean),
		Resolve: func(p graphql.ResolveParams) (any, error) { return false, nil }})
	graphql.InputValueType.AddFieldConfig("deprecationReason", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) { return nil, nil }})

	graphql.EnumValueType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if v, ok := p.Source.(*graphql.EnumValueDefinition); ok {
				return nullable(v.Description), nil
			}
			return nil, nil
		}})

	graphql.DirectiveType.AddFieldConfig("description", &graphql.Field{Type: graphql.String,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if d, ok := p.Source.(*graphql.Directive); ok {
				return nullable(d.Description), nil
			}
			return nil, nil
		}})
	graphql.DirectiveType.AddFieldConfig("isRepeatable", &graphql.Field{Type: graphql.NewNonNull(graphql.Boolean),
		Resolve: func(p graphql.ResolveParams) (any, error) { return false, nil }}) // none of Directives is
	graphql.DirectiveType.AddFieldConfig("args", &graphql.Field{Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.InputValueType))), Args: includeDeprecated,
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if d, ok := p.Source.(*graphql.Directive); ok {
				return sortedArgs(d.Args), nil
			}
			return []*graphql.Argument{}, nil
		}})

	// graphql-go's __DirectiveLocation lacks VARIABLE_DEFINITION (its
	// parser reads no directive on a variable, so no directive is allowed
	// there); the specification's enum lists it all the same.
	locations := graphql.EnumValueConfigMap{}
	for name, v := range directiveLocations {
		locations[name] = &graphql.EnumValueConfig{Value: name, Description: v}
	}
	graphql.DirectiveLocationEnumType = graphql.NewEnum(graphql.EnumConfig{
		Name:        "__DirectiveLocation",
		Description: "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies.",
		Values:      locations,
	})
	graphql.DirectiveType.AddFieldConfig("locations", &graphql.Field{
		Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(graphql.DirectiveLocationEnumType))),
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if d, ok := p.Source.(*graphql.Directive); ok {
				return d.Locations, nil
			}
			return []string{}, nil
		}})
	// graphql-go builds an enum's lookup maps on first use, without a
	// lock: build them now, before concurrent requests use them.
	for _, e := range []*graphql.Enum{graphql.TypeKindEnumType, graphql.DirectiveLocationEnumType} {
		for _, v := range e.Values() {
			e.Serialize(v.Value)
			e.ParseValue(v.Name)
		}
	}

	// Rebuild the field maps now, while no schema uses them, then describe
	// the fields graphql-go left undescribed.
	for _, t := range []*graphql.Object{graphql.SchemaType, graphql.TypeType, graphql.FieldType,
		graphql.InputValueType, graphql.EnumValueType, graphql.DirectiveType} {
		for name, f := range t.Fields() {
			if f.Description == "" {
				f.Description = specDocs[t.Name()][name]
			}
		}
		t.Interfaces()
	}
	graphql.TypeMetaFieldDef.Args[0].PrivateDescription = "The name of the type."
}

// directiveLocations describes the values of __DirectiveLocation, as the
// specification has them.
var directiveLocations = map[string]string{
	"QUERY":                  "Location adjacent to a query operation.",
	"MUTATION":               "Location adjacent to a mutation operation.",
	"SUBSCRIPTION":           "Location adjacent to a subscription operation.",
	"FIELD":                  "Location adjacent to a field.",
	"FRAGMENT_DEFINITION":    "Location adjacent to a fragment definition.",
	"FRAGMENT_SPREAD":        "Location adjacent to a fragment spread.",
	"INLINE_FRAGMENT":        "Location adjacent to an inline fragment.",
	"VARIABLE_DEFINITION":    "Location adjacent to a variable definition.",
	"SCHEMA":                 "Location adjacent to a schema definition.",
	"SCALAR":                 "Location adjacent to a scalar definition.",
	"OBJECT":                 "Location adjacent to an object type definition.",
	"FIELD_DEFINITION":       "Location adjacent to a field definition.",
	"ARGUMENT_DEFINITION":    "Location adjacent to an argument definition.",
	"INTERFACE":              "Location adjacent to an interface definition.",
	"UNION":                  "Location adjacent to a union definition.",
	"ENUM":                   "Location adjacent to an enum definition.",
	"ENUM_VALUE":             "Location adjacent to an enum value definition.",
	"INPUT_OBJECT":           "Location adjacent to an input object type definition.",
	"INPUT_FIELD_DEFINITION": "Location adjacent to an input object field definition.",
}

// Directives are the directives of the current specification that
// graphql-go knows, for graphql.SchemaConfig: @include and @skip (which
// graphql-go's executor reads), @deprecated, @specifiedBy and @oneOf.
// None is repeatable.
func Directives() []*graphql.Directive {
	return []*graphql.Directive{graphql.IncludeDirective, graphql.SkipDirective, deprecatedDirective, specifiedByDirective, oneOfDirective}
}

var (
	deprecatedDirective = graphql.NewDirective(graphql.DirectiveConfig{
		Name:        "deprecated",
		Description: "Marks an element of a GraphQL schema as no longer supported.",
		Args: graphql.FieldConfigArgument{"reason": {
			Type:         graphql.String,
			DefaultValue: graphql.DefaultDeprecationReason,
			Description:  "Why the element is deprecated, and what to use instead, in Markdown.",
		}},
		Locations: []string{graphql.DirectiveLocationFieldDefinition, graphql.DirectiveLocationArgumentDefinition,
			graphql.DirectiveLocationInputFieldDefinition, graphql.DirectiveLocationEnumValue},
	})
	specifiedByDirective = graphql.NewDirective(graphql.DirectiveConfig{
		Name:        "specifiedBy",
		Description: "Exposes a URL that specifies the behavior of this scalar.",
		Args: graphql.FieldConfigArgument{"url": {
			Type:        graphql.NewNonNull(graphql.String),
			Description: "The URL that specifies the behavior of this scalar.",
		}},
		Locations: []string{graphql.DirectiveLocationScalar},
	})
	oneOfDirective = graphql.NewDirective(graphql.DirectiveConfig{
		Name:        "oneOf",
		Description: "Indicates exactly one field must be supplied and this field must not be `null`.",
		Locations:   []string{graphql.DirectiveLocationInputObject},
	})
)

// Introspection is what the introspection fields of one schema answer
// with, computed once: its description, and its types, fields, arguments,
// enum values and input fields in declaration order.
type Introspection struct {
	description string
	query       *graphql.Object // the schema's, to tell it from another
	types       []graphql.Type
	fields      map[graphql.Type][]*graphql.FieldDefinition
	args        map[*graphql.FieldDefinition][]*graphql.Argument
	values      map[*graphql.Enum][]*graphql.EnumValueDefinition
	inputs      map[*graphql.InputObject][]*graphql.InputObjectField
	possible    map[*graphql.Interface][]*graphql.Object
	undeclared  []string // types and fields whose members the order does not all name
}

// NewIntrospection computes the introspection answers of a schema built
// after UpgradeIntrospection, with its description and the order its
// members were declared in. Members the order does not name come after
// those it does, by name.
//
// Types come in the order they are first met walking the schema, as
// graphql-js collects them: from the root types, the other object types
// the schema was given, the directives' argument types and __Schema, each
// followed depth first by the types it refers to (interfaces, union
// members, each field's type and then its arguments' types, in
// declaration order).
func NewIntrospection(schema *graphql.Schema, description string, order *Order) *Introspection {
	in := &Introspection{
		description: description,
		query:       schema.QueryType(),
		fields:      make(map[graphql.Type][]*graphql.FieldDefinition),
		args:        make(map[*graphql.FieldDefinition][]*graphql.Argument),
		values:      make(map[*graphql.Enum][]*graphql.EnumValueDefinition),
		inputs:      make(map[*graphql.InputObject][]*graphql.InputObjectField),
		possible:    make(map[*graphql.Interface][]*graphql.Object),
	}
	declared := func(key string, members int) []string {
		names, ok := specOrder[key]
		if !ok && order != nil {
			names = order.names[key]
		}
		if len(names) != members && !strings.HasPrefix(key, "__") {
			in.undeclared = append(in.undeclared, key)
		}
		return names
	}
	seen := make(map[string]bool)
	var visit func(t graphql.Type)
	visit = func(t graphql.Type) {
		t = named(t)
		if t == nil || seen[t.Name()] {
			return
		}
		seen[t.Name()] = true
		in.types = append(in.types, t)
		var fields []*graphql.FieldDefinition
		switch t := t.(type) {
		case *graphql.Object:
			for _, i := range t.Interfaces() {
				visit(i)
			}
			fields = inOrder(declared(t.Name(), len(t.Fields())), t.Fields())
		case *graphql.Interface:
			fields = inOrder(declared(t.Name(), len(t.Fields())), t.Fields())
		case *graphql.Union:
			for _, o := range t.Types() {
				visit(o)
			}
		case *graphql.Enum:
			byName := make(map[string]*graphql.EnumValueDefinition, len(t.Values()))
			for _, v := range t.Values() {
				byName[v.Name] = v
			}
			in.values[t] = inOrder(declared(t.Name(), len(byName)), byName)
		case *graphql.InputObject:
			in.inputs[t] = inOrder(declared(t.Name(), len(t.Fields())), t.Fields())
			for _, f := range in.inputs[t] {
				visit(f.Type)
			}
		}
		if fields == nil {
			return
		}
		in.fields[t] = fields
		for _, f := range fields {
			byName := make(map[string]*graphql.Argument, len(f.Args))
			for _, a := range f.Args {
				byName[a.Name()] = a
			}
			in.args[f] = inOrder(declared(t.Name()+"."+f.Name, len(byName)), byName)
			visit(f.Type)
			for _, a := range in.args[f] {
				visit(a.Type)
			}
		}
	}
	for _, t := range []*graphql.Object{schema.QueryType(), schema.MutationType(), schema.SubscriptionType()} {
		if t != nil {
			visit(t)
		}
	}
	for _, t := range sortedTypes(*schema) { // the rest, as graphql-go found them
		if _, ok := t.(*graphql.Object); ok && !strings.HasPrefix(t.Name(), "__") {
			visit(t)
		}
	}
	for _, d := range schema.Directives() {
		for _, a := range sortedArgs(d.Args) {
			visit(a.Type)
		}
	}
	visit(graphql.SchemaType)
	for _, t := range sortedTypes(*schema) {
		visit(t)
	}
	for _, t := range in.types {
		if i, ok := t.(*graphql.Interface); ok {
			in.possible[i] = []*graphql.Object{}
			for _, o := range in.types {
				if o, ok := o.(*graphql.Object); ok && schema.IsPossibleType(i, o) {
					in.possible[i] = append(in.possible[i], o)
				}
			}
		}
	}
	return in
}

// Types returns the schema's types in the order introspection lists them.
func (in *Introspection) Types() []graphql.Type { return in.types }

// Undeclared returns the types, and the fields ("Type.field") of their
// arguments, whose members the order did not all name, nor the
// specification's for introspection types: those listed partly by name.
func (in *Introspection) Undeclared() []string { return in.undeclared }

type introspectionKey struct{}

// WithIntrospection returns a context whose executions answer
// introspection with in.
func WithIntrospection(ctx context.Context, in *Introspection) context.Context {
	return context.WithValue(ctx, introspectionKey{}, in)
}

// lookup returns the Introspection of the executing schema, nil when the
// context carries none for it.
func lookup(p graphql.ResolveParams) *Introspection {
	if p.Context == nil {
		return nil
	}
	in, _ := p.Context.Value(introspectionKey{}).(*Introspection)
	if in == nil || in.query != p.Info.Schema.QueryType() {
		return nil
	}
	return in
}

func fieldsOf(in *Introspection, t graphql.Type, m graphql.FieldDefinitionMap) []*graphql.FieldDefinition {
	if in != nil {
		if f, ok := in.fields[t]; ok {
			return f
		}
	}
	return inOrder(specOrder[t.Name()], m)
}

func argsOf(in *Introspection, f *graphql.FieldDefinition) []*graphql.Argument {
	if in != nil {
		if a, ok := in.args[f]; ok {
			return a
		}
	}
	return sortedArgs(f.Args)
}

func enumValuesOf(in *Introspection, t *graphql.Enum) []*graphql.EnumValueDefinition {
	if in != nil {
		if v, ok := in.values[t]; ok {
			return v
		}
	}
	byName := make(map[string]*graphql.EnumValueDefinition, len(t.Values()))
	for _, v := range t.Values() {
		byName[v.Name] = v
	}
	return inOrder(specOrder[t.Name()], byName)
}

func inputFieldsOf(in *Introspection, t *graphql.InputObject) []*graphql.InputObjectField {
	if in != nil {
		if f, ok := in.inputs[t]; ok {
			return f
		}
	}
	return inOrder(nil, t.Fields())
}

// inOrder lists the members of m: first those named by declared, in that
// order, then the others by name.
func inOrder[V any, M ~map[string]V](declared []string, m M) []V {
	out := make([]V, 0, len(m))
	taken := make(map[string]bool, len(declared))
	for _, name := range declared {
		if v, ok := m[name]; ok && !taken[name] {
			taken[name] = true
			out = append(out, v)
		}
	}
	rest := make([]string, 0, len(m)-len(out))
	for name := range m {
		if !taken[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		out = append(out, m[name])
	}
	return out
}

func sortedArgs(args []*graphql.Argument) []*graphql.Argument {
	out := append([]*graphql.Argument(nil), args...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func sortedTypes(schema graphql.Schema) []graphql.Type {
	out := make([]graphql.Type, 0, len(schema.TypeMap()))
	for _, t := range schema.TypeMap() {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func sortedObjects(objs []*graphql.Object) []*graphql.Object {
	out := append([]*graphql.Object(nil), objs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}
