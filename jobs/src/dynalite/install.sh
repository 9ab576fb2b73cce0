#!/usr/bin/env bash
# Installs dynalite, the local DynamoDB server, into DEST (the Maven build calls this in generate-resources, so
# ./tidemark's first build and mvn verify both have it): `npm ci` of the committed package-lock.json, skipped when
# DEST already holds exactly that lock. Needs Node.js 20 or newer. Skip with -Ddynalite.skip=true (EMR-only builds).
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="$1"
NEED=20

fail() {
  cat >&2 <<MSG
dynalite: FAILED: $1
Tidemark's local online store (online.endpoint: local, the default) runs dynalite, an open-source DynamoDB server
on Node.js. Install Node.js $NEED or newer with npm (your distribution's nodejs package if it is $NEED+, or nvm), then
build again. Builds only for AWS (online.endpoint: aws) can skip it: mvn ... -Ddynalite.skip=true
MSG
  exit 1
}

command -v node >/dev/null 2>&1 || fail "Node.js is not installed (no 'node' on PATH)"
version="$(node --version 2>/dev/null || true)"
major="${version#v}"; major="${major%%.*}"
[[ "$major" =~ ^[0-9]+$ ]] || fail "cannot tell the Node.js version ('node --version' printed '$version')"
(( major >= NEED )) || fail "Node.js $version is too old: dynalite 4 needs Node.js $NEED or newer"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (Node.js $version is, without npm)"

mkdir -p "$DEST"
cp "$SRC/server.js" "$DEST/server.js"
if [[ -f "$DEST/node_modules/dynalite/package.json" ]] && cmp -s "$SRC/package-lock.json" "$DEST/installed-lock.json"; then
  exit 0
fi
cp "$SRC/package.json" "$SRC/package-lock.json" "$DEST/"
echo "dynalite: installing the local DynamoDB server into $DEST (npm ci)"
# --ignore-scripts: classic-level's native LevelDB binding ships prebuilt for Linux, macOS and Windows
(cd "$DEST" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
  || fail "npm ci failed in $DEST (see npm's message above; it needs the npm registry)"
(cd "$DEST" && node -e "require('dynalite')") || fail "dynalite does not load in $DEST"
cp "$SRC/package-lock.json" "$DEST/installed-lock.json"
