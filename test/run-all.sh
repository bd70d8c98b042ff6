#!/usr/bin/env bash
# npm test: the type checker, the linter, then every mocha suite (unit, mocks,
# policy and, where Docker runs, the lab). Any failure fails the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
step "tsc --noEmit"
npx tsc --noEmit -p .
step "eslint"
npx eslint .
step "shellcheck"
command -v shellcheck >/dev/null || { echo "shellcheck is not installed (apt-get install shellcheck)" >&2; exit 1; }
find . -path ./node_modules -prune -o \( -name '*.sh' -o -path ./.ci/run \) -type f -print0 | xargs -0 shellcheck -x -P SCRIPTDIR
step "mocha"
npx mocha "$@"
step "mutants: each config validation has a test that fails without it"
bash test/mutants/config-mutants.sh
