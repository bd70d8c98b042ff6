#!/usr/bin/env bash
# npm test: the type checker, the linter, the import graph check, then every mocha
# suite (unit, mocks, policy and, where Docker runs, the lab). Any failure fails the
# whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
step "tsc --noEmit"
npx tsc --noEmit -p .
step "eslint"
npx eslint .
step "imports: no cycle, and no path from components/plan/ or lab/ to Pulumi"
npm run --silent imports
step "shellcheck"
command -v shellcheck >/dev/null || { echo "shellcheck is not installed (apt-get install shellcheck)" >&2; exit 1; }
find . -path ./node_modules -prune -o \( -name '*.sh' -o -path ./.ci/run -o -path ./config-files/docker/hpc-app-port -o -path './test/fixtures/fake-apt/*' \) -type f -print0 | xargs -0 shellcheck -x -P SCRIPTDIR
step "mocha"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
npx mocha "$@" | tee "$out"
count() { grep -Eo "^ +[0-9]+ $1" "$out" | grep -Eo '[0-9]+' | tail -1 || true; }
passed=$(count passing) pending=$(count pending)
step "mutants: each config validation has a test that fails without it"
bash test/plan/config/mutants.sh
# One plain closing line for CI. Reached only when mocha and the mutants passed
# (set -e, pipefail), so nothing failed.
printf 'tests: %s passed, 0 failed, %s skipped\n' "${passed:-0}" "${pending:-0}"
