// playground.js starts GraphiQL on hearsay's playground page. It is a served
// file rather than an inline script so that the page's Content-Security-Policy
// can allow scripts from 'self' only. The page's
// <script type="application/json" id="hearsay-default-query"> block holds the
// query that GraphiQL opens with, as a JSON string.
(function () {
  'use strict';

  var block = document.getElementById('hearsay-default-query');
  var defaultQuery = block ? JSON.parse(block.textContent) : undefined;

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      // GraphiQL.createFetcher is @graphiql/toolkit's createGraphiQLFetcher:
      // it POSTs {query, variables, operationName} as JSON to the same origin.
      fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
      // Opens the first tab; GraphiQL keeps a returning visitor's own tabs
      // in localStorage and uses this for new ones.
      defaultQuery: defaultQuery,
    }),
  );
})();
