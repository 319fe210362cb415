package api

import "hearsay/api/internal/gql"

// document is a query prepared to execute, or refused (gql.Prepare).
type document = gql.Document

// docCache keeps the server's documents by query text (gql.Cache).
type docCache = gql.Cache[*document]

func newDocCache(max int) *docCache { return gql.NewCache[*document](max) }
