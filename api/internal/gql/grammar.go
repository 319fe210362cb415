package gql

import (
	"fmt"
	"unicode/utf8"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/location"
)

// hearsay reads every query with its own recogniser before graphql-go's
// parser sees it. graphql-go v0.8.1's parser recurses once per nested
// bracket, so 600,000 `[` overflowed the Go stack (a fatal error no
// recover catches) and a balanced 1 MB query of nested lists took 570 MB;
// its syntax errors are formatted in time quadratic in the column and
// echo the whole line (80,000 tabs then a mistake: 4 s of CPU). The
// recogniser below reads the GraphQL lexical and document grammar (the
// executable subset graphql-go implements) in one pass, in time and
// memory linear in the query, without recursion deeper than MaxNesting.
// graphql-go then parses only documents the recogniser accepted, which
// it always parses too: FuzzRecogniser checks that.
//
// Locations (line and column, from 1) count bytes, as graphql-go's own
// validation errors do, so that every location of an answer agrees. Lines
// end at \n, \r\n or \r.

// MaxNesting bounds how deep brackets, braces and parentheses nest in a
// query, whatever they hold: selection sets, arguments, list and object
// values, list types. The default --max-depth of 20 fields needs about 21
// levels of braces; 64 leaves room for fragments and nested values.
const MaxNesting = 64

// TokensPerField is how many tokens a query may hold per --max-fields
// unit: a field with an alias, an argument and a selection set is 9
// tokens. GraphiQL's introspection query counts 476 units and about 1,300
// tokens.
const TokensPerField = 16

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
	tokBlockString
)

// token is one lexical token: its kind, its bytes [start, end), and for a
// punctuator its first byte ('.' for "...").
type token struct {
	kind       tokKind
	start, end int
	punct      byte
}

// SyntaxError is a query the recogniser refuses, at byte offset pos: code
// is CodeBadUserInput for a mistake, CodeQueryTooComplex for a limit.
type SyntaxError struct {
	pos  int
	code string
	msg  string
}

func (e *SyntaxError) Error() string { return e.msg }

// recogniser reads one query.
type recogniser struct {
	src       []byte // the query; comments and byte order marks blanked (see blanked)
	pos       int
	tok       token // the current token
	tokens    int
	maxTokens int
	nesting   int
	nulls     []int // the offsets of the null literals, in order
}

// Recognise checks that query is an executable GraphQL document within the
// nesting and token limits. It returns the text for graphql-go: the query
// with every comment and byte order mark replaced by spaces of the same
// length, since graphql-go v0.8.1's lexer mixes byte and rune offsets when
// it skips non-ASCII ignored characters ("# Euromaidan → Telegraph" made
// the rest of a query unreadable), and every null literal by the enum
// value NullPlaceholder, since graphql-go's parser reads no null (its
// issue #178). Offsets, and so locations, are kept. It returns the
// offsets of the null literals too, in order: MarkNulls puts them back
// into graphql-go's tree.
func Recognise(query string, maxTokens int) (body []byte, nulls []int, err *SyntaxError) {
	if !utf8.ValidString(query) {
		pos := 0
		for pos < len(query) {
			r, n := utf8.DecodeRuneInString(query[pos:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			pos += n
		}
		return nil, nil, &SyntaxError{pos: pos, code: CodeBadUserInput, msg: "The query is not valid UTF-8"}
	}
	r := &recogniser{src: []byte(query), maxTokens: maxTokens}
	if err := r.document(); err != nil {
		return nil, nil, err
	}
	return r.src, r.nulls, nil
}

// Formatted is the error as a client reads it: a short message with the
// place, never the query's text.
func (e *SyntaxError) Formatted(query string) gqlerrors.FormattedError {
	line, col := lineColumn(query, e.pos)
	msg := e.msg
	if e.code == CodeBadUserInput {
		msg = "Syntax Error: " + msg
	}
	return gqlerrors.FormattedError{
		Message:    fmt.Sprintf("%s at line %d, column %d", msg, line, col),
		Locations:  []location.SourceLocation{{Line: line, Column: col}},
		Extensions: map[string]any{ExtensionCode: e.code},
	}
}

// lineColumn returns the line and byte column, from 1, of offset pos.
func lineColumn(s string, pos int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < pos && i < len(s); i++ {
		switch s[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			line, start = line+1, i+1
		}
	}
	return line, pos - start + 1
}

func (r *recogniser) fail(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{pos: pos, code: CodeBadUserInput, msg: fmt.Sprintf(format, args...)}
}

// describe names a token for an error without echoing the query: names
// (ASCII, and cut short) and punctuators are shown, values only by kind.
func (r *recogniser) describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "<EOF>"
	case tokPunct:
		if t.punct == '.' {
			return `"..."`
		}
		return fmt.Sprintf("%q", string(t.punct))
	case tokName:
		if t.end-t.start > 32 {
			return "Name"
		}
		return fmt.Sprintf("Name %q", r.src[t.start:t.end])
	case tokInt:
		return "Int"
	case tokFloat:
		return "Float"
	case tokString:
		return "String"
	}
	return "BlockString"
}

// ---- lexer ----

// advance reads the next token into r.tok.
func (r *recogniser) advance() *SyntaxError {
	if err := r.skipIgnored(); err != nil {
		return err
	}
	b, start := r.src, r.pos
	if start >= len(b) {
		r.tok = token{kind: tokEOF, start: start, end: start}
		return nil
	}
	if r.tokens++; r.tokens > r.maxTokens {
		return &SyntaxError{pos: start, code: CodeQueryTooComplex,
			msg: fmt.Sprintf("The query has more than %d tokens (names, values and punctuation marks; %d per field allowed)", r.maxTokens, TokensPerField)}
	}
	c := b[start]
	switch {
	case c == '!' || c == '$' || c == '&' || c == '(' || c == ')' || c == ':' || c == '=' || c == '@' ||
		c == '[' || c == ']' || c == '{' || c == '|' || c == '}':
		r.tok = token{kind: tokPunct, start: start, end: start + 1, punct: c}
		r.pos++
	case c == '.':
		if start+2 < len(b) && b[start+1] == '.' && b[start+2] == '.' {
			r.tok = token{kind: tokPunct, start: start, end: start + 3, punct: '.'}
			r.pos += 3
			return nil
		}
		return r.fail(start, `Unexpected character "."`)
	case nameStart(c):
		i := start + 1
		for i < len(b) && nameContinue(b[i]) {
			i++
		}
		r.tok = token{kind: tokName, start: start, end: i}
		r.pos = i
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	case c == '"':
		if start+2 < len(b) && b[start+1] == '"' && b[start+2] == '"' {
			return r.blockString()
		}
		return r.string()
	default:
		return r.fail(start, "Unexpected character %s", charName(r.src, start))
	}
	return nil
}

// skipIgnored skips white space, line terminators, commas, comments and
// byte order marks, blanking the last two.
func (r *recogniser) skipIgnored() *SyntaxError {
	b := r.src
	for r.pos < len(b) {
		switch c := b[r.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			r.pos++
		case c == '#':
			for r.pos < len(b) && b[r.pos] != '\n' && b[r.pos] != '\r' {
				if b[r.pos] < 0x20 && b[r.pos] != '\t' {
					return r.fail(r.pos, "Invalid character %s in a comment", charName(b, r.pos))
				}
				b[r.pos] = ' '
				r.pos++
			}
		case c == 0xEF && r.pos+2 < len(b) && b[r.pos+1] == 0xBB && b[r.pos+2] == 0xBF: // U+FEFF
			b[r.pos], b[r.pos+1], b[r.pos+2] = ' ', ' ', ' '
			r.pos += 3
		default:
			return nil
		}
	}
	return nil
}

func nameStart(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func nameContinue(c byte) bool { return nameStart(c) || c >= '0' && c <= '9' }

func digit(b []byte, i int) bool { return i < len(b) && b[i] >= '0' && b[i] <= '9' }

// charName names the character at b[i] for an error: printable ASCII
// quoted, anything else as U+XXXX.
func charName(b []byte, i int) string {
	if i >= len(b) {
		return "<EOF>"
	}
	ch, _ := utf8.DecodeRune(b[i:])
	if ch >= 0x20 && ch < 0x7F {
		return fmt.Sprintf("%q", string(ch))
	}
	return fmt.Sprintf("U+%04X", ch)
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, which must
// not run on into a digit, a name or a dot.
func (r *recogniser) number() *SyntaxError {
	b, start := r.src, r.pos
	i := start
	kind := tokInt
	if b[i] == '-' {
		i++
	}
	digits := func() *SyntaxError {
		if !digit(b, i) {
			return r.fail(i, "Invalid number, expected a digit but found %s", charName(b, i))
		}
		for digit(b, i) {
			i++
		}
		return nil
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if err := digits(); err != nil {
		return err
	}
	if i < len(b) && b[i] == '.' {
		i++
		kind = tokFloat
		if err := digits(); err != nil {
			return err
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		kind = tokFloat
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if err := digits(); err != nil {
			return err
		}
	}
	if i < len(b) && (b[i] == '.' || nameStart(b[i]) || digit(b, i)) {
		return r.fail(i, "Invalid number, unexpected %s after it", charName(b, i))
	}
	r.tok = token{kind: kind, start: start, end: i}
	r.pos = i
	return nil
}

func hexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// string reads a "…" string: no line terminators or control characters
// but tab, escapes \" \\ \/ \b \f \n \r \t and \uXXXX.
func (r *recogniser) string() *SyntaxError {
	b, start := r.src, r.pos
	for i := start + 1; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			r.tok = token{kind: tokString, start: start, end: i + 1}
			r.pos = i + 1
			return nil
		case c == '\n' || c == '\r':
			return r.fail(start, "Unterminated string")
		case c < 0x20 && c != '\t':
			return r.fail(i, "Invalid character %s in a string", charName(b, i))
		case c == '\\':
			if i+1 >= len(b) {
				return r.fail(start, "Unterminated string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(b) || !hexDigit(b[i+2]) || !hexDigit(b[i+3]) || !hexDigit(b[i+4]) || !hexDigit(b[i+5]) {
					return r.fail(i, `Invalid escape sequence in a string: \u needs four hexadecimal digits`)
				}
				i += 6
			default:
				return r.fail(i, "Invalid escape sequence in a string: \\%s", charName(b, i+1))
			}
		default:
			i++
		}
	}
	return r.fail(start, "Unterminated string")
}

// blockString reads a """…""" string, in which \""" stands for """.
func (r *recogniser) blockString() *SyntaxError {
	b, start := r.src, r.pos
	for i := start + 3; i < len(b); {
		switch c := b[i]; {
		case c == '"' && i+2 < len(b) && b[i+1] == '"' && b[i+2] == '"':
			r.tok = token{kind: tokBlockString, start: start, end: i + 3}
			r.pos = i + 3
			return nil
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return r.fail(i, "Invalid character %s in a string", charName(b, i))
		case c == '\\' && i+3 < len(b) && b[i+1] == '"' && b[i+2] == '"' && b[i+3] == '"':
			i += 4
		default:
			i++
		}
	}
	return r.fail(start, "Unterminated string")
}

// ---- document grammar ----

func (r *recogniser) isPunct(c byte) bool { return r.tok.kind == tokPunct && r.tok.punct == c }

func (r *recogniser) isName(s string) bool {
	return r.tok.kind == tokName && string(r.src[r.tok.start:r.tok.end]) == s
}

// expect consumes the punctuator c.
func (r *recogniser) expect(c byte) *SyntaxError {
	if !r.isPunct(c) {
		want := fmt.Sprintf("%q", string(c))
		if c == '.' {
			want = `"..."`
		}
		return r.fail(r.tok.start, "Expected %s, found %s", want, r.describe(r.tok))
	}
	return r.advance()
}

// name consumes a name.
func (r *recogniser) name() *SyntaxError {
	if r.tok.kind != tokName {
		return r.fail(r.tok.start, "Expected Name, found %s", r.describe(r.tok))
	}
	return r.advance()
}

// open consumes an opening bracket, brace or parenthesis, counting the
// nesting it starts.
func (r *recogniser) open(c byte) *SyntaxError {
	if r.isPunct(c) && r.nesting >= MaxNesting {
		return &SyntaxError{pos: r.tok.start, code: CodeQueryTooComplex,
			msg: fmt.Sprintf("The query nests brackets, braces and parentheses more than %d deep", MaxNesting)}
	}
	if err := r.expect(c); err != nil {
		return err
	}
	r.nesting++
	return nil
}

func (r *recogniser) close(c byte) *SyntaxError {
	if err := r.expect(c); err != nil {
		return err
	}
	r.nesting--
	return nil
}

// typeSystemKeywords start the type system definitions graphql-go parses;
// a query may not hold them.
var typeSystemKeywords = map[string]bool{
	"schema": true, "scalar": true, "type": true, "interface": true, "union": true,
	"enum": true, "input": true, "extend": true, "directive": true,
}

// document: Definition+ EOF.
func (r *recogniser) document() *SyntaxError {
	if err := r.advance(); err != nil {
		return err
	}
	if r.tok.kind == tokEOF {
		return r.fail(r.tok.start, "Expected an operation, found <EOF>")
	}
	for r.tok.kind != tokEOF {
		if err := r.definition(); err != nil {
			return err
		}
	}
	return nil
}

// definition: OperationDefinition | FragmentDefinition.
func (r *recogniser) definition() *SyntaxError {
	switch {
	case r.isPunct('{'):
		return r.selectionSet()
	case r.isName("query") || r.isName("mutation") || r.isName("subscription"):
		return r.operation()
	case r.isName("fragment"):
		return r.fragmentDefinition()
	case r.tok.kind == tokString || r.tok.kind == tokBlockString ||
		r.tok.kind == tokName && typeSystemKeywords[string(r.src[r.tok.start:r.tok.end])]:
		return r.fail(r.tok.start, "Unexpected %s: a query holds operations and fragments only, not type system definitions", r.describe(r.tok))
	}
	return r.fail(r.tok.start, "Unexpected %s", r.describe(r.tok))
}

// operation: OperationType Name? VariableDefinitions? Directives? SelectionSet.
func (r *recogniser) operation() *SyntaxError {
	if err := r.advance(); err != nil {
		return err
	}
	if r.tok.kind == tokName {
		if err := r.advance(); err != nil {
			return err
		}
	}
	if r.isPunct('(') {
		if err := r.variableDefinitions(); err != nil {
			return err
		}
	}
	if err := r.directives(false); err != nil {
		return err
	}
	return r.selectionSet()
}

// variableDefinitions: ( VariableDefinition+ ), each $Name : Type
// (= ConstValue)?. graphql-go knows no directives on variables.
func (r *recogniser) variableDefinitions() *SyntaxError {
	if err := r.open('('); err != nil {
		return err
	}
	for first := true; first || !r.isPunct(')'); first = false {
		if err := r.expect('$'); err != nil {
			return err
		}
		nameTok := r.tok
		if err := r.name(); err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := r.typeRef(string(r.src[nameTok.start:nameTok.end])); err != nil {
			return err
		}
		if r.isPunct('=') {
			if err := r.advance(); err != nil {
				return err
			}
			if err := r.value(true); err != nil {
				return err
			}
		}
	}
	return r.close(')')
}

// typeRef: Name !? | [ Type ] !?.
func (r *recogniser) typeRef(variable string) *SyntaxError {
	switch {
	case r.tok.kind == tokName:
		if err := r.advance(); err != nil {
			return err
		}
	case r.isPunct('['):
		if err := r.open('['); err != nil {
			return err
		}
		if err := r.typeRef(variable); err != nil {
			return err
		}
		if err := r.close(']'); err != nil {
			return err
		}
	default:
		return r.fail(r.tok.start, "Expected a type for variable $%s, like ID!, Int or [String!], found %s", variable, r.describe(r.tok))
	}
	if r.isPunct('!') {
		return r.advance()
	}
	return nil
}

// fragmentDefinition: fragment FragmentName on NamedType Directives? SelectionSet.
func (r *recogniser) fragmentDefinition() *SyntaxError {
	if err := r.advance(); err != nil {
		return err
	}
	if r.isName("on") {
		return r.fail(r.tok.start, `Unexpected Name "on": a fragment cannot be named on`)
	}
	if err := r.name(); err != nil {
		return err
	}
	if !r.isName("on") {
		return r.fail(r.tok.start, `Expected "on", found %s`, r.describe(r.tok))
	}
	if err := r.advance(); err != nil {
		return err
	}
	if err := r.name(); err != nil {
		return err
	}
	if err := r.directives(false); err != nil {
		return err
	}
	return r.selectionSet()
}

// selectionSet: { Selection+ }.
func (r *recogniser) selectionSet() *SyntaxError {
	if err := r.open('{'); err != nil {
		return err
	}
	for first := true; first || !r.isPunct('}'); first = false {
		if err := r.selection(); err != nil {
			return err
		}
	}
	return r.close('}')
}

// selection: Field | ... FragmentName Directives? | ... (on NamedType)?
// Directives? SelectionSet.
func (r *recogniser) selection() *SyntaxError {
	if !r.isPunct('.') {
		return r.field()
	}
	if err := r.advance(); err != nil {
		return err
	}
	if r.tok.kind == tokName && !r.isName("on") {
		if err := r.advance(); err != nil {
			return err
		}
		return r.directives(false)
	}
	if r.isName("on") {
		if err := r.advance(); err != nil {
			return err
		}
		if err := r.name(); err != nil {
			return err
		}
	}
	if err := r.directives(false); err != nil {
		return err
	}
	return r.selectionSet()
}

// field: (Alias :)? Name Arguments? Directives? SelectionSet?.
func (r *recogniser) field() *SyntaxError {
	if err := r.name(); err != nil {
		return err
	}
	if r.isPunct(':') {
		if err := r.advance(); err != nil {
			return err
		}
		if err := r.name(); err != nil {
			return err
		}
	}
	if err := r.arguments(false); err != nil {
		return err
	}
	if err := r.directives(false); err != nil {
		return err
	}
	if r.isPunct('{') {
		return r.selectionSet()
	}
	return nil
}

// arguments: ( (Name : Value)+ ), when present.
func (r *recogniser) arguments(isConst bool) *SyntaxError {
	if !r.isPunct('(') {
		return nil
	}
	if err := r.open('('); err != nil {
		return err
	}
	for first := true; first || !r.isPunct(')'); first = false {
		if err := r.name(); err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := r.value(isConst); err != nil {
			return err
		}
	}
	return r.close(')')
}

// directives: (@ Name Arguments?)*.
func (r *recogniser) directives(isConst bool) *SyntaxError {
	for r.isPunct('@') {
		if err := r.advance(); err != nil {
			return err
		}
		if err := r.name(); err != nil {
			return err
		}
		if err := r.arguments(isConst); err != nil {
			return err
		}
	}
	return nil
}

// value: $Name (unless const) | Int | Float | String | true | false |
// null | EnumValue | [ Value* ] | { (Name : Value)* }. graphql-go v0.8.1
// reads no null literal: each is recorded, and replaced by
// NullPlaceholder.
func (r *recogniser) value(isConst bool) *SyntaxError {
	switch t := r.tok; {
	case t.kind == tokInt || t.kind == tokFloat || t.kind == tokString || t.kind == tokBlockString:
		return r.advance()
	case t.kind == tokName:
		if r.isName("null") {
			r.nulls = append(r.nulls, t.start)
			copy(r.src[t.start:t.end], NullPlaceholder)
		}
		return r.advance()
	case r.isPunct('$') && !isConst:
		if err := r.advance(); err != nil {
			return err
		}
		return r.name()
	case r.isPunct('['):
		if err := r.open('['); err != nil {
			return err
		}
		for !r.isPunct(']') {
			if err := r.value(isConst); err != nil {
				return err
			}
		}
		return r.close(']')
	case r.isPunct('{'):
		if err := r.open('{'); err != nil {
			return err
		}
		for !r.isPunct('}') {
			if err := r.name(); err != nil {
				return err
			}
			if err := r.expect(':'); err != nil {
				return err
			}
			if err := r.value(isConst); err != nil {
				return err
			}
		}
		return r.close('}')
	}
	return r.fail(r.tok.start, "Expected a value, found %s", r.describe(r.tok))
}
