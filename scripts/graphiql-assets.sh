#!/usr/bin/env bash
# Refreshes the GraphiQL page's assets that the BFF binaries embed (served in
# dev mode, no network needed) from the exact versions pinned in
# shared/graphiql/build/package-lock.json. Commit the result. Needs npm.
set -euo pipefail
cd "$(dirname "$0")/../shared/graphiql"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp build/package.json build/package-lock.json "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --omit=peer --no-audit --no-fund --loglevel=error)

version() { node -p "require('$tmp/node_modules/$1/package.json').version"; }
gv=$(version graphiql)
rv=$(version react)

rm -rf assets
mkdir -p assets
cp "$tmp/node_modules/graphiql/graphiql.min.js" "assets/graphiql-$gv.min.js"
cp "$tmp/node_modules/graphiql/graphiql.min.css" "assets/graphiql-$gv.min.css"
cp "$tmp/node_modules/react/umd/react.production.min.js" "assets/react-$rv.production.min.js"
cp "$tmp/node_modules/react-dom/umd/react-dom.production.min.js" "assets/react-dom-$rv.production.min.js"
# The bundles' source map comments point at files that are not shipped.
sed -i -e '/^\/\/# sourceMappingURL=/d' -e 's#//\# sourceMappingURL=[^ ]*$##' assets/*.js
{
  echo "Third-party assets embedded by shared/graphiql (refreshed by scripts/graphiql-assets.sh)."
  for p in graphiql react react-dom; do
    echo
    echo "== $p $(version $p) =="
    cat "$tmp/node_modules/$p/LICENSE"
  done
} > assets/LICENSES.txt
ls -l assets
