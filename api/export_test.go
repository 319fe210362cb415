package api

// NoPlans makes the server answer every query through graphql-go's
// executor, for comparing answers with and without plans.
func NoPlans(s *Server) { s.plans.off = true }

// Fallbacks counts the plans that stopped and let graphql-go answer.
func Fallbacks(s *Server) int64 { return s.plans.fallbacks.Load() }

// Planned reports whether the query's operation has a plan.
func Planned(s *Server, query, operationName string) bool {
	doc := s.document(query)
	if doc.Errs != nil {
		return false
	}
	op, herr := operation(doc.AST, operationName)
	return herr == nil && doc.Plans[op] != nil
}
