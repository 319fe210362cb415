package gql

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// A small executor for the queries dashboards send over and over.
//
// graphql-go's executor builds a map per object, a slice per list and a
// ResolveInfo with a path per field, runs every request in a new
// goroutine, and formats every string with fmt.Sprintf; that was two
// thirds of a cached chain query, and the ordered encoding of its maps
// another tenth. A plan compiles a validated query operation once, when
// its document is cached: for each selection set and runtime type, the
// fields in response order with their definitions and parsed literal
// arguments. Executing a plan calls the schema's own resolvers and writes
// the JSON response as it goes, in the order the query asks for.
//
// The plan covers what the schema's queries use: fields, aliases,
// fragments, inline fragments, __typename, objects, interfaces, unions,
// lists, scalars and enums, and scalar or enum arguments and variables.
// Anything else (mutations, introspection, directives, input objects or
// lists as arguments) has no plan and runs through graphql-go. A plan
// never reports an error itself: at the first error, null in a non-null
// place or panic it stops, and the request runs again through graphql-go,
// which gives the answer, errors and partial data included, exactly as
// before. Queries only read, so running one twice changes nothing.

// ErrFallback stops a plan's execution: graphql-go must answer.
var ErrFallback = errors.New("gql: the plan cannot answer this request")

// ErrTooLarge stops a plan whose answer passed its byte limit.
var ErrTooLarge = errors.New("gql: the answer is over its limit")

// maxPlanFields bounds the size of a plan. Fields under abstract types are
// planned once per possible type, so a query nesting unions could
// otherwise compile to a plan exponential in its depth.
const maxPlanFields = 4096

// Plan is a compiled query operation.
type Plan struct {
	op    *ast.OperationDefinition
	root  *objectPlan
	vars  []varPlan
	frags map[string]ast.Definition // for ResolveInfo
}

// varPlan is a variable of scalar or enum type.
type varPlan struct {
	name    string
	typ     graphql.Input // a *graphql.Scalar or *graphql.Enum
	nonNull bool
	def     any // its default, parsed; nil for none
}

// objectPlan is a selection set on one object type: its fields in
// response order.
type objectPlan struct {
	typ    *graphql.Object
	fields []*fieldPlan
}

// fieldPlan is one response key of an object.
type fieldPlan struct {
	key      []byte // `"key":`
	name     string
	typename bool // __typename
	def      *graphql.FieldDefinition
	resolve  graphql.FieldResolveFn
	asts     []*ast.Field
	args     []argPlan
	out      *outPlan
}

// argPlan is one argument of a field: a literal parsed at compile time,
// or a variable, with the argument's default.
type argPlan struct {
	name     string
	literal  any
	variable string
	def      any
}

// outPlan completes a resolved value of one output type.
type outPlan struct {
	nonNull  bool
	list     *outPlan               // list: each item
	leaf     graphql.Leaf           // scalar or enum
	str      bool                   // String or ID: a string is written as is
	names    map[string]string      // enum of string values: each value's name
	object   *objectPlan            // object type
	abstract graphql.Abstract       // interface or union
	possible map[string]*objectPlan // by runtime type name
	resolveT graphql.ResolveTypeFn
}

// planner compiles an operation.
type planner struct {
	schema *graphql.Schema
	frags  map[string]*ast.FragmentDefinition
	fields int
}

// Compile compiles a validated query operation, or returns nil when
// graphql-go must run it.
func Compile(schema *graphql.Schema, doc *ast.Document, op *ast.OperationDefinition) *Plan {
	if op.Operation != ast.OperationTypeQuery || len(op.Directives) > 0 || schema.QueryType() == nil {
		return nil
	}
	pl := &planner{schema: schema, frags: Fragments(doc)}
	p := &Plan{op: op, frags: make(map[string]ast.Definition, len(pl.frags))}
	for name, f := range pl.frags {
		p.frags[name] = f
	}
	for _, vd := range op.VariableDefinitions {
		v, ok := pl.variable(vd)
		if !ok {
			return nil
		}
		p.vars = append(p.vars, v)
	}
	root, ok := pl.object(schema.QueryType(), []*ast.SelectionSet{op.SelectionSet})
	if !ok {
		return nil
	}
	p.root = root
	return p
}

func (pl *planner) variable(vd *ast.VariableDefinition) (varPlan, bool) {
	if vd.Variable == nil || vd.Variable.Name == nil {
		return varPlan{}, false
	}
	v := varPlan{name: vd.Variable.Name.Value}
	t := vd.Type
	if nn, ok := t.(*ast.NonNull); ok {
		v.nonNull, t = true, nn.Type
	}
	named, ok := t.(*ast.Named)
	if !ok || named.Name == nil {
		return varPlan{}, false
	}
	switch typ := pl.schema.Type(named.Name.Value).(type) {
	case *graphql.Scalar:
		v.typ = typ
	case *graphql.Enum:
		v.typ = typ
	default:
		return varPlan{}, false
	}
	if vd.DefaultValue != nil {
		if v.def, ok = parseLiteral(v.typ, vd.DefaultValue); !ok {
			return varPlan{}, false
		}
	}
	return v, true
}

// parseLiteral parses a literal of a scalar or enum type as graphql-go
// does; variables, lists and objects are not literals of such types.
func parseLiteral(typ graphql.Input, value ast.Value) (any, bool) {
	switch value.(type) {
	case *ast.Variable, *ast.ListValue, *ast.ObjectValue:
		return nil, false
	}
	switch t := typ.(type) {
	case *graphql.Scalar:
		return t.ParseLiteral(value), true
	case *graphql.Enum:
		return t.ParseLiteral(value), true
	}
	return nil, false
}

// collect lists an object type's fields in response order, each with all
// the field nodes of its key, following fragments that apply to the type,
// as graphql-go's collectFields does.
func (pl *planner) collect(typ *graphql.Object, sets []*ast.SelectionSet) (keys []string, nodes map[string][]*ast.Field, ok bool) {
	nodes = make(map[string][]*ast.Field)
	visited := make(map[string]bool)
	var walk func(set *ast.SelectionSet) bool
	walk = func(set *ast.SelectionSet) bool {
		if set == nil {
			return true
		}
		for _, sel := range set.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				if len(s.Directives) > 0 || s.Name == nil {
					return false
				}
				key := s.Name.Value
				if s.Alias != nil && s.Alias.Value != "" {
					key = s.Alias.Value
				}
				if _, seen := nodes[key]; !seen {
					keys = append(keys, key)
				}
				nodes[key] = append(nodes[key], s)
			case *ast.InlineFragment:
				if len(s.Directives) > 0 {
					return false
				}
				if pl.applies(s.TypeCondition, typ) && !walk(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if len(s.Directives) > 0 || s.Name == nil {
					return false
				}
				name := s.Name.Value
				if visited[name] {
					continue
				}
				visited[name] = true
				if f, ok := pl.frags[name]; ok && pl.applies(f.TypeCondition, typ) && !walk(f.SelectionSet) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	for _, set := range sets {
		if !walk(set) {
			return nil, nil, false
		}
	}
	return keys, nodes, true
}

// applies reports whether a type condition matches an object type.
func (pl *planner) applies(cond *ast.Named, typ *graphql.Object) bool {
	if cond == nil || cond.Name == nil {
		return true
	}
	if cond.Name.Value == typ.Name() {
		return true
	}
	abstract, ok := pl.schema.Type(cond.Name.Value).(graphql.Abstract)
	if !ok {
		return false
	}
	for _, t := range pl.schema.PossibleTypes(abstract) {
		if t.Name() == typ.Name() {
			return true
		}
	}
	return false
}

// object compiles selection sets on an object type.
func (pl *planner) object(typ *graphql.Object, sets []*ast.SelectionSet) (*objectPlan, bool) {
	if typ.IsTypeOf != nil {
		return nil, false
	}
	keys, nodes, ok := pl.collect(typ, sets)
	if !ok {
		return nil, false
	}
	op := &objectPlan{typ: typ}
	defs := typ.Fields()
	for _, key := range keys {
		if key == TypenameKey {
			continue // the ordered writer's marker; never written
		}
		if pl.fields++; pl.fields > maxPlanFields {
			return nil, false
		}
		asts := nodes[key]
		f := &fieldPlan{key: jsonKey(key), name: asts[0].Name.Value, asts: asts}
		switch f.name {
		case "__typename":
			f.typename = true
			op.fields = append(op.fields, f)
			continue
		case "__schema", "__type":
			return nil, false
		}
		if f.def = defs[f.name]; f.def == nil {
			return nil, false
		}
		if f.resolve = f.def.Resolve; f.resolve == nil {
			f.resolve = graphql.DefaultResolveFn
		}
		if f.args, ok = pl.args(f.def, asts[0]); !ok {
			return nil, false
		}
		var sub []*ast.SelectionSet
		for _, a := range asts {
			if a.SelectionSet != nil {
				sub = append(sub, a.SelectionSet)
			}
		}
		if f.out, ok = pl.output(f.def.Type, sub); !ok {
			return nil, false
		}
		op.fields = append(op.fields, f)
	}
	return op, true
}

func (pl *planner) args(def *graphql.FieldDefinition, node *ast.Field) ([]argPlan, bool) {
	var out []argPlan
	for _, ad := range def.Args {
		a := argPlan{name: ad.Name(), def: ad.DefaultValue}
		for _, given := range node.Arguments {
			if given.Name == nil || given.Name.Value != a.name {
				continue
			}
			if v, ok := given.Value.(*ast.Variable); ok && v.Name != nil {
				a.variable = v.Name.Value
				continue
			}
			typ := ad.Type
			if nn, ok := typ.(*graphql.NonNull); ok {
				typ = nn.OfType
			}
			var ok bool
			if a.literal, ok = parseLiteral(typ, given.Value); !ok {
				return nil, false
			}
		}
		out = append(out, a)
	}
	return out, true
}

// output compiles the completion of a field's type.
func (pl *planner) output(typ graphql.Type, sets []*ast.SelectionSet) (*outPlan, bool) {
	out := &outPlan{}
	if nn, ok := typ.(*graphql.NonNull); ok {
		out.nonNull, typ = true, nn.OfType
	}
	switch t := typ.(type) {
	case *graphql.List:
		item, ok := pl.output(t.OfType, sets)
		out.list = item
		return out, ok
	case *graphql.Scalar:
		out.leaf, out.str = t, t == graphql.String || t == graphql.ID
		return out, true
	case *graphql.Enum:
		out.leaf = t
		out.names = make(map[string]string)
		for _, v := range t.Values() {
			s, ok := v.Value.(string)
			if !ok {
				out.names = nil // Serialize it is
				break
			}
			out.names[s] = v.Name
		}
		return out, true
	case *graphql.Object:
		var ok bool
		out.object, ok = pl.object(t, sets)
		return out, ok
	case *graphql.Union:
		out.abstract, out.resolveT = t, t.ResolveType
	case *graphql.Interface:
		out.abstract, out.resolveT = t, t.ResolveType
	default:
		return nil, false
	}
	if out.resolveT == nil {
		return nil, false
	}
	out.possible = make(map[string]*objectPlan)
	for _, pt := range pl.schema.PossibleTypes(out.abstract) {
		op, ok := pl.object(pt, sets)
		if !ok {
			return nil, false
		}
		out.possible[pt.Name()] = op
	}
	return out, true
}

func jsonKey(key string) []byte {
	var b bytes.Buffer
	WriteJSONString(&b, key)
	b.WriteByte(':')
	return b.Bytes()
}

// execution is one run of a plan.
type execution struct {
	ctx    context.Context
	max    int64 // the bytes the answer may take; none when 0 or less
	schema *graphql.Schema
	plan   *Plan
	vars   map[string]any
	buf    *bytes.Buffer
}

// Run executes the plan with the request's variables and writes the whole
// response, {"data":…}, to buf. It returns ErrFallback, with buf holding a
// partial answer to throw away, when graphql-go must answer instead, and
// ErrTooLarge once buf holds more than maxBytes (no limit when 0 or less).
// The resolvers run with ctx.
func (p *Plan) Run(ctx context.Context, schema *graphql.Schema, variables map[string]any, buf *bytes.Buffer, maxBytes int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = ErrFallback
		}
	}()
	x := &execution{ctx: ctx, max: maxBytes, schema: schema, plan: p, buf: buf}
	if x.vars, err = p.variables(variables); err != nil {
		return err
	}
	buf.WriteString(`{"data":`)
	if err := x.object(p.root, nil); err != nil {
		return err
	}
	buf.WriteByte('}')
	return ctx.Err()
}

// variables coerces the request's variables as the spec does
// (CoerceVariableValues): a variable left out takes its default, one
// given as null is null.
func (p *Plan) variables(in map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(p.vars))
	for _, v := range p.vars {
		given, ok := in[v.name]
		if !ok && v.def != nil {
			out[v.name] = v.def
			continue
		}
		if nullish(given) {
			if v.nonNull {
				return nil, ErrFallback // refused before execution (checkVariables)
			}
			out[v.name] = nil
			continue
		}
		var parsed any
		switch t := v.typ.(type) {
		case *graphql.Scalar:
			parsed = t.ParseValue(given)
		case *graphql.Enum:
			parsed = t.ParseValue(given)
		}
		if nullish(parsed) {
			return nil, ErrFallback // graphql-go: "got invalid value"
		}
		out[v.name] = parsed
	}
	return out, nil
}

func (x *execution) object(op *objectPlan, source any) error {
	if x.max > 0 && int64(x.buf.Len()) > x.max {
		return ErrTooLarge
	}
	x.buf.WriteByte('{')
	for i, f := range op.fields {
		if i > 0 {
			x.buf.WriteByte(',')
		}
		x.buf.Write(f.key)
		if f.typename {
			WriteJSONString(x.buf, op.typ.Name())
			continue
		}
		v, err := f.resolve(graphql.ResolveParams{Source: source, Args: x.args(f), Info: x.info(op.typ, f), Context: x.ctx})
		if err != nil {
			return ErrFallback
		}
		if err := x.value(f.out, v, op.typ, f); err != nil {
			return err
		}
	}
	x.buf.WriteByte('}')
	return nil
}

// info is the ResolveInfo of a field, without its path (no resolver of
// this schema reads it).
func (x *execution) info(parent *graphql.Object, f *fieldPlan) graphql.ResolveInfo {
	return graphql.ResolveInfo{
		FieldName:      f.name,
		FieldASTs:      f.asts,
		ReturnType:     f.def.Type,
		ParentType:     parent,
		Schema:         *x.schema,
		Fragments:      x.plan.frags,
		Operation:      x.plan.op,
		VariableValues: x.vars,
	}
}

// args builds a field's arguments as graphql-go's getArgumentValues does:
// the given value, else the default; null is left out.
func (x *execution) args(f *fieldPlan) map[string]any {
	if len(f.args) == 0 {
		return nil
	}
	out := make(map[string]any, len(f.args))
	for _, a := range f.args {
		v := a.literal
		if a.variable != "" {
			v = x.vars[a.variable]
		}
		if nullish(v) {
			v = a.def
		}
		if !nullish(v) {
			out[a.name] = v
		}
	}
	return out
}

// value completes a resolved value of field f of parent as graphql-go's
// completeValue does.
func (x *execution) value(out *outPlan, v any, parent *graphql.Object, f *fieldPlan) error {
	if v != nil && reflect.TypeOf(v).Kind() == reflect.Func {
		return ErrFallback // a thunk
	}
	if nullish(v) {
		return x.null(out)
	}
	switch {
	case out.list != nil:
		return x.list(out.list, v, parent, f)
	case out.leaf != nil:
		return x.leaf(out, v)
	case out.object != nil:
		return x.object(out.object, v)
	}
	rt := out.resolveT(graphql.ResolveTypeParams{Value: v, Info: x.info(parent, f), Context: x.ctx})
	if rt == nil {
		return ErrFallback
	}
	op, ok := out.possible[rt.Name()]
	if !ok || op.typ != rt {
		return ErrFallback
	}
	return x.object(op, v)
}

// leaf writes a scalar or enum value as graphql-go's completeLeafValue
// serializes it; strings of String, ID and enums without allocating.
func (x *execution) leaf(out *outPlan, v any) error {
	if s, ok := v.(string); ok && (out.str || out.names != nil) {
		if out.str {
			WriteJSONString(x.buf, s)
			return nil
		}
		if name, ok := out.names[s]; ok {
			WriteJSONString(x.buf, name)
			return nil
		}
		return x.null(out) // Enum.Serialize: not a value of the enum
	}
	s := out.leaf.Serialize(v)
	if nullish(s) {
		return x.null(out)
	}
	return WriteScalar(x.buf, s)
}

// null writes null, where the type allows it.
func (x *execution) null(out *outPlan) error {
	if out.nonNull {
		return ErrFallback
	}
	x.buf.WriteString("null")
	return nil
}

func (x *execution) list(item *outPlan, v any, parent *graphql.Object, f *fieldPlan) error {
	x.buf.WriteByte('[')
	defer x.buf.WriteByte(']')
	if l, ok := v.([]any); ok {
		for i, e := range l {
			if i > 0 {
				x.buf.WriteByte(',')
			}
			if err := x.value(item, e, parent, f); err != nil {
				return err
			}
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return ErrFallback
	}
	for i := range rv.Len() {
		if i > 0 {
			x.buf.WriteByte(',')
		}
		if err := x.value(item, rv.Index(i).Interface(), parent, f); err != nil {
			return err
		}
	}
	return nil
}

// nullish is graphql-go's isNullish: nil, a nil pointer, or NaN.
func nullish(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string, bool, int:
		return false
	case float64:
		return math.IsNaN(x)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.IsNaN(rv.Float())
	}
	return false
}
