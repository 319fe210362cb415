#!/usr/bin/env bash
# build.sh rebuilds the explorer's bundle in dist/ from src/, with the npm
# packages pinned by package-lock.json, and rewrites SHA256SUMS. Run it from
# anywhere: bash api/explorer/build.sh
#
# It needs node, npm and the npm registry; nothing else does. dist/ is
# committed and embedded by api/explorer.go, so go build never needs node.
# The build is reproducible: the same lockfile and sources give the same
# bytes (esbuild is deterministic), which TestExplorerBundle_Sums and a
# second run of this script (git diff --exit-code) check.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# npm ci installs exactly the lockfile's versions, checked against its
# integrity hashes, into node_modules/ (not committed), running no install
# scripts: esbuild's binary comes from its platform package.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

esbuild=node_modules/.bin/esbuild
mkdir -p dist testdata
# One IIFE bundle: src/main.ts with @dagrejs/dagre (layout) and graphql-sse
# (live updates). No source map, so the page asks for no .map file.
"$esbuild" src/main.ts --bundle --format=iife --platform=browser --target=es2020 \
	--minify --legal-comments=none --charset=utf8 --log-level=warning \
	--outfile=dist/explorer.js
"$esbuild" src/explorer.css --minify --charset=utf8 --log-level=warning \
	--outfile=dist/explorer.css

# The licenses of what the bundle holds.
{
	echo "dist/explorer.js bundles these npm packages (versions in package-lock.json):"
	for pkg in @dagrejs/dagre @dagrejs/graphlib graphql-sse; do
		version=$(node -p "require('./node_modules/$pkg/package.json').version")
		echo
		echo "== $pkg $version"
		cat node_modules/$pkg/LICENSE*
	done
} >dist/LICENSES.txt

# axe-core is for the browser test only (api/explorer_browser_test.go
# injects it through DevTools); it is never embedded or served.
cp node_modules/axe-core/axe.min.js testdata/axe.min.js
cp node_modules/axe-core/LICENSE testdata/LICENSE.axe-core

sha256sum dist/explorer.js dist/explorer.css dist/LICENSES.txt testdata/axe.min.js >SHA256SUMS
cat SHA256SUMS
