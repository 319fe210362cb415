package gql

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/kinds"
	"github.com/graphql-go/graphql/language/visitor"
)

// The null literal, which graphql-go v0.8.1 cannot parse (its issue #178),
// and input values as the current GraphQL spec reads them.
//
// The recogniser hands graphql-go NullPlaceholder, an enum value of the
// same length, where a query says null, and records where; MarkNulls
// turns those nodes into NullValue. The document is then validated with
// graphql-go's rules but two, replaced by rules that know null (Rules):
// null where the type is non-null, an Int out of 32 bits and a default on
// a non-null variable are judged as the spec does. A valid document then
// loses its nulls (StripNulls) before anything executes it: an argument
// or input field given null is left out, so every resolver, on a plan or
// through graphql-go's executor, sees what leaving it out gives (its
// default, if it has one). graphql-go's executor drops nulls that way
// itself, and nothing in hearsay's schema means something else by null.

// NullPlaceholder is what graphql-go reads where the query says null: an
// enum value no schema may define (names starting with __ are reserved),
// of the length of null, so that offsets stay exact.
const NullPlaceholder = "__nl"

// KindNullValue is the kind of a NullValue node.
const KindNullValue = "NullValue"

// NullValue is the literal null in a document's tree.
type NullValue struct {
	Loc *ast.Location
}

var _ ast.Value = (*NullValue)(nil)

// GetKind implements ast.Node.
func (v *NullValue) GetKind() string { return KindNullValue }

// GetLoc implements ast.Node.
func (v *NullValue) GetLoc() *ast.Location { return v.Loc }

// GetValue implements ast.Value: nil.
func (v *NullValue) GetValue() any { return nil }

func isNull(v ast.Value) bool {
	_, ok := v.(*NullValue)
	return ok
}

// MarkNulls replaces the placeholders at the offsets Recognise recorded
// with NullValue nodes, and returns how many it replaced: all of them,
// unless the recogniser and graphql-go's parser disagree (a bug
// FuzzRecogniser looks for).
func MarkNulls(doc *ast.Document, nulls []int) int {
	if len(nulls) == 0 {
		return 0
	}
	at := make(map[int]bool, len(nulls))
	for _, n := range nulls {
		at[n] = true
	}
	w := &nullWalker{at: at}
	w.document(doc)
	return w.found
}

// StripNulls removes from a validated document every argument and input
// object field given null, and null variable defaults: what is left out
// gets its default, as for an argument not given. List items stay null.
func StripNulls(doc *ast.Document) { (&nullWalker{strip: true}).document(doc) }

// nullWalker marks (at) or strips the null literals of a document.
type nullWalker struct {
	at    map[int]bool // marking: the offsets of the nulls
	found int
	strip bool
}

func (w *nullWalker) document(doc *ast.Document) {
	for _, def := range doc.Definitions {
		switch d := def.(type) {
		case *ast.OperationDefinition:
			for _, vd := range d.VariableDefinitions {
				if vd.DefaultValue == nil {
					continue
				}
				// A null default of a nullable variable is no default:
				// dropped before validation, since graphql-go's
				// VariablesInAllowedPosition would let it stand for a
				// non-null one. A non-null variable's stays, for
				// Rules to refuse.
				_, nonNull := vd.Type.(*ast.NonNull)
				if vd.DefaultValue = w.value(vd.DefaultValue); isNull(vd.DefaultValue) && (w.strip || !nonNull) {
					vd.DefaultValue = nil
				}
			}
			w.directives(d.Directives)
			w.set(d.SelectionSet)
		case *ast.FragmentDefinition:
			w.directives(d.Directives)
			w.set(d.SelectionSet)
		}
	}
}

func (w *nullWalker) set(set *ast.SelectionSet) {
	if set == nil {
		return
	}
	for _, sel := range set.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			s.Arguments = w.args(s.Arguments)
			w.directives(s.Directives)
			w.set(s.SelectionSet)
		case *ast.InlineFragment:
			w.directives(s.Directives)
			w.set(s.SelectionSet)
		case *ast.FragmentSpread:
			w.directives(s.Directives)
		}
	}
}

func (w *nullWalker) directives(dirs []*ast.Directive) {
	for _, d := range dirs {
		d.Arguments = w.args(d.Arguments)
	}
}

func (w *nullWalker) args(args []*ast.Argument) []*ast.Argument {
	out := args[:0]
	for _, a := range args {
		if a.Value = w.value(a.Value); w.strip && isNull(a.Value) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (w *nullWalker) value(v ast.Value) ast.Value {
	switch x := v.(type) {
	case *ast.EnumValue:
		if w.at != nil && x.Loc != nil && w.at[x.Loc.Start] {
			w.found++
			return &NullValue{Loc: x.Loc}
		}
	case *ast.ListValue:
		for i := range x.Values {
			x.Values[i] = w.value(x.Values[i])
		}
	case *ast.ObjectValue:
		out := x.Fields[:0]
		for _, f := range x.Fields {
			if f.Value = w.value(f.Value); w.strip && isNull(f.Value) {
				continue
			}
			out = append(out, f)
		}
		x.Fields = out
	}
	return v
}

// Rules are graphql-go's validation rules with ArgumentsOfCorrectType and
// DefaultValuesOfCorrectType replaced by rules that know null and 32-bit
// Ints, and that let a non-null variable have a default (the spec since
// 2018; graphql-go's rule follows the older one).
var Rules = []graphql.ValidationRuleFn{
	argumentsOfCorrectType,
	defaultValuesOfCorrectType,
	graphql.FieldsOnCorrectTypeRule,
	graphql.FragmentsOnCompositeTypesRule,
	graphql.KnownArgumentNamesRule,
	graphql.KnownDirectivesRule,
	graphql.KnownFragmentNamesRule,
	graphql.KnownTypeNamesRule,
	graphql.LoneAnonymousOperationRule,
	graphql.NoFragmentCyclesRule,
	graphql.NoUndefinedVariablesRule,
	graphql.NoUnusedFragmentsRule,
	graphql.NoUnusedVariablesRule,
	graphql.OverlappingFieldsCanBeMergedRule,
	graphql.PossibleFragmentSpreadsRule,
	graphql.ProvidedNonNullArgumentsRule,
	graphql.ScalarLeafsRule,
	graphql.UniqueArgumentNamesRule,
	graphql.UniqueFragmentNamesRule,
	graphql.UniqueInputFieldNamesRule,
	graphql.UniqueOperationNamesRule,
	graphql.UniqueVariableNamesRule,
	graphql.VariablesAreInputTypesRule,
	graphql.VariablesInAllowedPositionRule,
}

// argumentsOfCorrectType checks each argument's literal value against its
// type, null included, reporting each problem at the value it is about.
func argumentsOfCorrectType(ctx *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	return &graphql.ValidationRuleInstance{VisitorOpts: &visitor.VisitorOptions{
		KindFuncMap: map[string]visitor.NamedVisitFuncs{
			kinds.Argument: {Kind: func(p visitor.VisitFuncParams) (string, any) {
				if a, ok := p.Node.(*ast.Argument); ok && a.Name != nil {
					if def := ctx.Argument(); def != nil {
						subject := fmt.Sprintf("Argument %q of type %q", a.Name.Value, def.Type.String())
						checkLiteral(ctx, subject, a.Name.Value, def.Type, a.Value)
					}
				}
				return visitor.ActionSkip, nil
			}},
		},
	}}
}

// defaultValuesOfCorrectType checks each variable's default against the
// variable's type. A non-null variable may have one: it is used when the
// request does not give the variable.
func defaultValuesOfCorrectType(ctx *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	skip := visitor.NamedVisitFuncs{Kind: func(visitor.VisitFuncParams) (string, any) { return visitor.ActionSkip, nil }}
	return &graphql.ValidationRuleInstance{VisitorOpts: &visitor.VisitorOptions{
		KindFuncMap: map[string]visitor.NamedVisitFuncs{
			kinds.VariableDefinition: {Kind: func(p visitor.VisitFuncParams) (string, any) {
				vd, ok := p.Node.(*ast.VariableDefinition)
				if !ok || vd.DefaultValue == nil || vd.Variable == nil || vd.Variable.Name == nil {
					return visitor.ActionSkip, nil
				}
				if t := ctx.InputType(); t != nil {
					name := "$" + vd.Variable.Name.Value
					subject := fmt.Sprintf("The default value of variable %s of type %q", name, t.String())
					checkLiteral(ctx, subject, name, t, vd.DefaultValue)
				}
				return visitor.ActionSkip, nil
			}},
			kinds.SelectionSet:       skip,
			kinds.FragmentDefinition: skip,
		},
	}}
}

// checkLiteral reports what is wrong with the literal v of type t, found
// at path (an argument's name or a variable), as subject.
func checkLiteral(ctx *graphql.ValidationContext, subject, path string, t graphql.Input, v ast.Value) {
	// report reports what is wrong with the value at (of type t, when
	// known) at node.
	report := func(node ast.Node, at string, t graphql.Input, what string) {
		msg := subject + " " + what
		if at != path {
			msg = subject + ": " + at + " " + what
			if t != nil {
				msg = fmt.Sprintf("%s: %s of type %q %s", subject, at, t.String(), what)
			}
		}
		ctx.ReportError(gqlerrors.NewError(msg, []ast.Node{node}, "", nil, []int{}, nil))
	}
	var check func(t graphql.Input, v ast.Value, at string, depth int)
	check = func(t graphql.Input, v ast.Value, at string, depth int) {
		if depth > MaxNesting || v == nil {
			return // deeper than the recogniser lets a query nest; absent: checked by the caller
		}
		if _, ok := v.(*ast.Variable); ok {
			return // VariablesInAllowedPosition checks its type
		}
		if isNull(v) {
			if _, nonNull := t.(*graphql.NonNull); nonNull {
				report(v, at, t, "must not be null.")
			}
			return
		}
		named := t
		if nn, ok := t.(*graphql.NonNull); ok {
			named = nn.OfType
		}
		switch nt := named.(type) {
		case *graphql.List:
			if l, ok := v.(*ast.ListValue); ok {
				for i, item := range l.Values {
					check(nt.OfType, item, fmt.Sprintf("%s[%d]", at, i), depth+1)
				}
				return
			}
			check(nt.OfType, v, at, depth+1) // one value stands for a list of it
		case *graphql.InputObject:
			o, ok := v.(*ast.ObjectValue)
			if !ok {
				report(v, at, t, fmt.Sprintf("cannot be %s: %s is an input object.", describeLiteral(v), nt.Name()))
				return
			}
			fields := nt.Fields()
			given := make(map[string]bool, len(o.Fields))
			for _, f := range o.Fields {
				if f.Name == nil {
					continue
				}
				given[f.Name.Value] = true
				def, ok := fields[f.Name.Value]
				if !ok {
					report(f, at+"."+f.Name.Value, nil, fmt.Sprintf("is not a field of %s.", nt.Name()))
					continue
				}
				check(def.Type, f.Value, at+"."+f.Name.Value, depth+1)
			}
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				if _, required := fields[name].Type.(*graphql.NonNull); required && !given[name] {
					report(o, at+"."+name, fields[name].Type, "is required, and the value does not give it.")
				}
			}
		case *graphql.Scalar:
			if nt == graphql.Int {
				if i, ok := v.(*ast.IntValue); ok {
					if n, err := strconv.ParseInt(i.Value, 10, 64); err != nil || n < math.MinInt32 || n > math.MaxInt32 {
						report(v, at, t, fmt.Sprintf("cannot be %s: an Int is a 32-bit signed integer, from %d to %d.", describeLiteral(v), math.MinInt32, math.MaxInt32))
					}
					return
				}
			}
			if nullish(nt.ParseLiteral(v)) {
				report(v, at, t, fmt.Sprintf("cannot be %s: expected %s.", describeLiteral(v), expectedScalar(nt)))
			}
		case *graphql.Enum:
			if nullish(nt.ParseLiteral(v)) {
				report(v, at, t, fmt.Sprintf("cannot be %s: expected one of the values of the enum %s.", describeLiteral(v), nt.Name()))
			}
		}
	}
	check(t, v, path, 0)
}

// expectedScalar says what a literal of a built-in scalar looks like.
func expectedScalar(t *graphql.Scalar) string {
	switch t {
	case graphql.Int:
		return "an Int, like 20"
	case graphql.Float:
		return "a Float, like 0.5 or 20"
	case graphql.String:
		return `a String, like "text"`
	case graphql.Boolean:
		return "true or false"
	case graphql.ID:
		return `an ID, as a String or an Int`
	}
	return "a value of " + t.Name()
}

// describeLiteral names a literal for a message: short numbers, names and
// strings with their text, anything else by kind, so that a message never
// echoes a long piece of the query.
func describeLiteral(v ast.Value) string {
	const maxShown = 40
	show := func(kind, text string) string {
		if len(text) > maxShown {
			return "a " + kind + " of " + strconv.Itoa(len(text)) + " bytes"
		}
		return "the " + kind + " " + text
	}
	switch v := v.(type) {
	case *ast.IntValue:
		return show("Int", v.Value)
	case *ast.FloatValue:
		return show("Float", v.Value)
	case *ast.StringValue:
		return show("String", strconv.Quote(v.Value))
	case *ast.BooleanValue:
		return "the Boolean " + strconv.FormatBool(v.Value)
	case *ast.EnumValue:
		return show("enum value", v.Value)
	case *ast.ListValue:
		return "a list"
	case *ast.ObjectValue:
		return "an input object"
	}
	return "this value"
}

// ExecutableAST returns the document graphql-go's executor should run for
// the operation op with the request's variables: doc itself, or a copy of
// it and op where a variable needs it (the cached document is shared and
// never changed). graphql-go v0.8.1 reads variables by the spec of 2016:
// it gives a variable its default when the request gives it as null (the
// spec: null), and refuses a non-null variable the request leaves out
// even when it has a default (the spec: the default). In the copy, such a
// variable loses its default, or its non-null wrapper; its value was
// checked against its type before execution.
func ExecutableAST(doc *ast.Document, op *ast.OperationDefinition, vars map[string]any) *ast.Document {
	var defs []*ast.VariableDefinition
	for i, vd := range op.VariableDefinitions {
		if vd.DefaultValue == nil || vd.Variable == nil || vd.Variable.Name == nil {
			continue
		}
		nn, nonNull := vd.Type.(*ast.NonNull)
		v, given := vars[vd.Variable.Name.Value]
		givenNull := given && v == nil
		if !nonNull && !givenNull {
			continue
		}
		if defs == nil {
			defs = slices.Clone(op.VariableDefinitions)
		}
		c := *vd
		if nonNull {
			c.Type = nn.Type
		}
		if givenNull {
			c.DefaultValue = nil
		}
		defs[i] = &c
	}
	if defs == nil {
		return doc
	}
	o := *op
	o.VariableDefinitions = defs
	d := *doc
	d.Definitions = slices.Clone(doc.Definitions)
	for i, def := range d.Definitions {
		if def == ast.Definition(op) {
			d.Definitions[i] = &o
		}
	}
	return &d
}
