#!/bin/bash
# verify-apt-key KEYFILE FINGERPRINT OUT: writes KEYFILE (an armored OpenPGP key
# as downloaded) to OUT as a binary keyring for apt's signed-by, only if it holds
# exactly one primary key and that key's fingerprint is FINGERPRINT. Anything
# else, another key, a key added beside it, a file that is no key, fails.
set -euo pipefail
key=$1 want=${2^^} out=$3
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
listing=$(gpg --homedir "$home" --batch --show-keys --with-colons "$key" 2>/dev/null) || { echo "verify-apt-key: $key is not an OpenPGP key" >&2; exit 1; }
primaries=$(awk -F: '$1 == "pub"' <<<"$listing" | wc -l)
# The fpr line right after the pub line is the primary key's.
got=$(awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10; exit }' <<<"$listing")
if [[ "$primaries" != 1 || "$got" != "$want" ]]; then
  echo "verify-apt-key: $key holds $primaries primary key(s), fingerprint ${got:-none}; expected one, $want" >&2
  exit 1
fi
gpg --homedir "$home" --batch --yes --dearmor -o "$out.tmp" "$key"
chmod 0644 "$out.tmp"
mv -f "$out.tmp" "$out"
