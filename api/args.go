package api

import (
	"encoding/base64"
	"strings"

	"github.com/graphql-go/graphql"

	"hearsay/graph"
)

// Argument helpers. graphql-go has already coerced arguments to their
// schema types; these read them without bare type assertions and turn
// domain parse failures into EINVALID.

func argString(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

func optString(args map[string]any, name string) *string {
	if s, ok := args[name].(string); ok {
		return &s
	}
	return nil
}

func argBool(args map[string]any, name string) bool {
	b, _ := args[name].(bool)
	return b
}

func argInt(args map[string]any, name string) (int, bool) {
	n, ok := args[name].(int)
	return n, ok
}

func argObject(args map[string]any, name string) map[string]any {
	m, _ := args[name].(map[string]any)
	return m
}

func argList(args map[string]any, name string) []any {
	l, _ := args[name].([]any)
	return l
}

func argStrings(args map[string]any, name string) []string {
	var out []string
	for _, v := range argList(args, name) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// argEnum parses an enum argument with parse; absent is the zero value.
func argEnum[T any](args map[string]any, name string, parse func(string) (T, error)) (T, error) {
	var zero T
	s, ok := args[name].(string)
	if !ok {
		return zero, nil
	}
	return parse(s)
}

// argID reads an ID argument that must be of kind want.
func argID(args map[string]any, name string, want graph.Kind) (string, error) {
	id := argString(args, name)
	if err := graph.CheckID(id, want); err != nil {
		return "", graph.Errorf(graph.EINVALID, "%s: %s", name, graph.ErrorMessage(err))
	}
	return id, nil
}

// argDate parses a date argument ("2025", "2025-04", "2025-04-25", RFC 3339).
func argDate(args map[string]any, name string) (graph.Date, error) {
	d, err := graph.ParseDate(argString(args, name))
	if err != nil {
		return graph.Date{}, graph.Errorf(graph.EINVALID, "%s: %s", name, graph.ErrorMessage(err))
	}
	return d, nil
}

// Cursors are opaque to clients: base64url of "v1:" and the position.
const cursorPrefix = "v1:"

func encodeCursor(pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + pos))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	pos, ok := strings.CutPrefix(string(b), cursorPrefix)
	if err != nil || !ok || pos == "" {
		return "", graph.Errorf(graph.EINVALID, "after: %q is not a cursor of this server", c)
	}
	return pos, nil
}

// pageArgs reads first and after. The page asks the store for one item
// more than requested, to learn whether a next page exists.
func pageArgs(args map[string]any) (graph.Page, int, error) {
	n := graph.DefaultPageSize
	if v, ok := argInt(args, "first"); ok {
		n = v
	}
	if n < 0 {
		return graph.Page{}, 0, graph.Errorf(graph.EINVALID, "first must not be negative, got %d", n)
	}
	if n > graph.MaxPageSize {
		n = graph.MaxPageSize
	}
	p := graph.Page{First: n + 1}
	if c := argString(args, "after"); c != "" {
		pos, err := decodeCursor(c)
		if err != nil {
			return graph.Page{}, 0, err
		}
		p.After = pos
	}
	return p, n, nil
}

// connection is a resolved Relay connection.
type connection struct {
	edges   []edge
	hasNext bool
	total   int
}

type edge struct {
	cursor string
	node   any
}

// connect resolves a connection field: it reads first and after, asks
// find for one item more than the page, and cuts the connection.
func connect[T any](p graphql.ResolveParams, find func(graph.Page) ([]T, int, error), pos func(T) string) (any, error) {
	page, n, err := pageArgs(p.Args)
	if err != nil {
		return nil, err
	}
	items, total, err := find(page)
	if err != nil {
		return nil, err
	}
	return makeConnection(items, total, n, pos), nil
}

// makeConnection cuts items (up to n+1 of them) to a page of n.
func makeConnection[T any](items []T, total, n int, pos func(T) string) *connection {
	c := &connection{total: total}
	if len(items) > n {
		items, c.hasNext = items[:n], true
	}
	for _, it := range items {
		c.edges = append(c.edges, edge{cursor: encodeCursor(pos(it)), node: it})
	}
	return c
}

// connectionType builds the Relay connection and edge types of a node type.
func connectionType(t *types, name, order string, node graphql.Output, pageInfo *graphql.Object) *graphql.Object {
	edgeType := graphql.NewObject(graphql.ObjectConfig{
		Name:        name + "Edge",
		Description: "One item of " + article(name+"Connection") + " and its cursor.",
		Fields: t.fields(name+"Edge", fieldList{
			{Name: "cursor", Type: graphql.NewNonNull(graphql.String),
				Description: "Where this item stands in the list: pass it as after to get the items that follow it. Opaque.", Resolve: func(p graphql.ResolveParams) (any, error) {
					return p.Source.(edge).cursor, nil
				}},
			{Name: "node", Type: graphql.NewNonNull(node), Description: "The " + strings.ToLower(name[:1]) + name[1:] + ".", Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(edge).node, nil
			}},
		}),
	})
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        name + "Connection",
		Description: "A page of " + name + " items, Relay style, " + order + ".",
		Fields: t.fields(name+"Connection", fieldList{
			{Name: "edges", Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(edgeType))),
				Description: "The page's items, each with its cursor; at most first of them.", Resolve: func(p graphql.ResolveParams) (any, error) {
					return p.Source.(*connection).edges, nil
				}},
			{Name: "pageInfo", Type: graphql.NewNonNull(pageInfo), Description: "Whether more items follow, and the cursor to ask for them with.", Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(*connection), nil
			}},
			{Name: "totalCount", Type: graphql.NewNonNull(graphql.Int), Description: "How many items the whole list holds, over every page: exact.", Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(*connection).total, nil
			}},
		}),
	})
}

func newPageInfo(t *types) *graphql.Object {
	return graphql.NewObject(graphql.ObjectConfig{
		Name:        "PageInfo",
		Description: "Where a page of a connection ends (Relay cursor connections).",
		Fields: t.fields("PageInfo", fieldList{
			{Name: "hasNextPage", Type: graphql.NewNonNull(graphql.Boolean), Description: "Whether items follow this page.", Resolve: func(p graphql.ResolveParams) (any, error) {
				return p.Source.(*connection).hasNext, nil
			}},
			{Name: "endCursor", Type: graphql.String, Description: "The cursor of the page's last item, to pass as after for the next page; null for an empty page.", Resolve: func(p graphql.ResolveParams) (any, error) {
				c := p.Source.(*connection)
				if len(c.edges) == 0 {
					return nil, nil
				}
				return c.edges[len(c.edges)-1].cursor, nil
			}},
		}),
	})
}

// pageArgsConfig is the first/after argument pair of every connection.
func pageArgsConfig() []*inputValue {
	return []*inputValue{
		{Name: "first", Type: graphql.Int, Description: "Items per page: default 20, at most 100."},
		{Name: "after", Type: graphql.String, Description: "The endCursor of the previous page; the first page without it."},
	}
}
