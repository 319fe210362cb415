#!/usr/bin/env bash
# refresh.sh copies GraphiQL's and React's built UMD files from their npm
# packages, at the versions pinned below, into this directory, and rewrites
# SHA256SUMS. Run it from anywhere: bash api/playground/refresh.sh
#
# It needs npm and the npm registry; nothing else does. The copied files are
# committed and embedded by api/playground.go, so go build never needs node.
# After a version change, open the page in a browser (README.md says how) and
# update the versions in README.md.
set -euo pipefail

# Pinned versions. graphiql 3.8.3 is the last 3.x release; from 5.0 graphiql
# ships no UMD build (graphiql.min.js, graphiql.min.css) at all. Its UMD build
# reads React and ReactDOM from window and accepts React 16.8 to 18; React 19
# ships no UMD builds, so React stays on 18.
GRAPHIQL_VERSION=3.8.3
REACT_VERSION=18.3.1

dest="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
# npm pack fetches each package's tarball (checked against the registry's
# integrity hash) without running any install scripts or resolving dependencies.
npm pack --silent \
	"graphiql@$GRAPHIQL_VERSION" \
	"react@$REACT_VERSION" \
	"react-dom@$REACT_VERSION" >/dev/null

for tgz in "graphiql-$GRAPHIQL_VERSION.tgz" \
	"react-$REACT_VERSION.tgz" "react-dom-$REACT_VERSION.tgz"; do
	pkg="${tgz%-*}"
	mkdir "$pkg"
	tar -xzf "$tgz" -C "$pkg"
done

# Copy exactly these files, byte for byte; cp fails the script if one is missing.
cp graphiql/package/graphiql.min.js "$dest/graphiql.min.js"
cp graphiql/package/graphiql.min.css "$dest/graphiql.min.css"
cp react/package/umd/react.production.min.js "$dest/react.production.min.js"
cp react-dom/package/umd/react-dom.production.min.js "$dest/react-dom.production.min.js"
cp graphiql/package/LICENSE "$dest/LICENSE.graphiql"
cp react/package/LICENSE "$dest/LICENSE.react"
cp react-dom/package/LICENSE "$dest/LICENSE.react-dom"

cd "$dest"
sha256sum \
	graphiql.min.css graphiql.min.js \
	react-dom.production.min.js react.production.min.js >SHA256SUMS
cat SHA256SUMS
echo "graphiql $GRAPHIQL_VERSION, react $REACT_VERSION, react-dom $REACT_VERSION"
