#!/usr/bin/env bash
# Build the local Debian base image (the lab tags it by this script's hash).
# The suite is the platform's (components/plan/platform/platform.ts), passed in by lab/images.ts.
# Order of preference: already present > a local debian:$SUITE image >
# `docker pull debian:$SUITE` (only with HPC_LAB_PULL=1) > debootstrap.
# The debootstrap fallback exists because lab/CI machines cannot reach Docker Hub.
# The mirror comes from apt's own sources so no mirror is ever hard-coded.
#
# Env:
#   BASE_IMAGE   target tag            (required)
#   SUITE        Debian suite          (required, e.g. trixie)
#   MIRROR           override mirror URL   (default: first non-security URI in /etc/apt/sources.list*)
#   SECURITY_MIRROR  override security URL (default: first security URI there; none found, none used)
set -euo pipefail

: "${BASE_IMAGE:?set BASE_IMAGE to the tag to build}" "${SUITE:?set SUITE to the Debian suite, e.g. trixie}"

log() { printf '[build-base] %s\n' "$*" >&2; }

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE already present, nothing to do"
  exit 0
fi

if docker image inspect "debian:${SUITE}" >/dev/null 2>&1; then
  docker tag "debian:${SUITE}" "$BASE_IMAGE"
  log "tagged the local debian:${SUITE} as $BASE_IMAGE"
  exit 0
fi
# Pulling is opt-in: where no registry is reachable (CI, air-gapped sites) an
# attempt only hangs and sends traffic nowhere useful.
if [[ "${HPC_LAB_PULL:-0}" == 1 ]]; then
  log "trying docker pull debian:${SUITE}"
  if timeout 120 docker pull "debian:${SUITE}" >/dev/null 2>&1; then
    docker tag "debian:${SUITE}" "$BASE_IMAGE"
    log "tagged debian:${SUITE} as $BASE_IMAGE"
    exit 0
  fi
  log "pull failed; falling back to debootstrap"
fi

# Prints the first http(s) URI in apt's own sources that is a security archive
# ($1 = security) or is not one ($1 = main).
find_uri() {
  local want="$1" f line uri
  wanted() {
    case "$1" in http*://*) ;; *) return 1 ;; esac
    if [[ "$1" == *security* ]]; then [[ "$want" == security ]]; else [[ "$want" == main ]]; fi
  }
  shopt -s nullglob
  # Prefer deb822 files (Debian 12 default), then classic one-line sources.
  for f in /etc/apt/sources.list.d/*.sources; do
    while read -r line; do
      case "$line" in
        URIs:*)
          for uri in ${line#URIs:}; do
            if wanted "$uri"; then printf '%s\n' "$uri"; return 0; fi
          done ;;
      esac
    done <"$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    while read -r line; do
      [[ "$line" =~ ^deb[[:space:]] ]] || continue
      # Drop an optional "[ ... ]" options block before taking the URI.
      line="${line#deb}"
      line="$(sed -E 's/^[[:space:]]*\[[^]]*\]//' <<<"$line")"
      read -r uri _ <<<"$line"
      if wanted "$uri"; then printf '%s\n' "$uri"; return 0; fi
    done <"$f"
  done
  return 1
}

MIRROR="${MIRROR:-$(find_uri main || true)}"
SECURITY_MIRROR="${SECURITY_MIRROR:-$(find_uri security || true)}"
if [[ -z "$MIRROR" ]]; then
  log "no Debian mirror found in /etc/apt/sources.list*; set MIRROR=" ; exit 1
fi
log "mirror: $MIRROR; security: ${SECURITY_MIRROR:-none}"

command -v debootstrap >/dev/null || { log "debootstrap not installed (apt-get install debootstrap)"; exit 1; }

ROOT="$(mktemp -d /tmp/hpc-base.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

start=$(date +%s)
log "debootstrap --variant=minbase $SUITE -> $ROOT"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 || {
  tail -n 30 "$ROOT.log" >&2; rm -f "$ROOT.log"; exit 1; }
rm -f "$ROOT.log"

# Match the official image: deb822 sources for the suite, its updates and its
# security archive, from the mirrors this machine's apt uses, and no apt caches
# or logs in the layer.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' "$MIRROR" "$SUITE" "$SUITE" "$keyring"
  if [[ -n "$SECURITY_MIRROR" ]]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' "$SECURITY_MIRROR" "$SUITE" "$keyring"
  else
    log "no security archive in this machine's apt sources: the image gets none (set SECURITY_MIRROR=)"
  fi
} >"$ROOT/etc/apt/sources.list.d/debian.sources"
rm -f "$ROOT/etc/apt/sources.list"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log

log "docker import -> $BASE_IMAGE"
tar -C "$ROOT" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
log "done in $(( $(date +%s) - start ))s"
