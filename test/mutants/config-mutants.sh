#!/usr/bin/env bash
# Proves the config tests can fail: removes one validation at a time from
# components/plan/config.ts and expects the config suite to go red. Restores the file.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
file=components/plan/config.ts
backup=$(mktemp)
cp "$file" "$backup"
trap 'cp "$backup" "$file"; rm -f "$backup"' EXIT

# name | perl substitution applied to config.ts
mutants=(
  "cidr parse|s/parseCidr\(v\);\n    \} catch \(e\) \{\n        ctx.addIssue/parseCidr('0.0.0.0\/0');\n    } catch (e) {\n        ctx.addIssue/"
  "world CIDR|s/return !isWorld\(parseCidr\(v\)\)/return true/"
  "trustedCidrs min|s/\.min\(1, \"must list at least one CIDR/.min(0, \"must list at least one CIDR/"
  "subnet inside VPC|s/!contains\(vpc, priv\)/false/"
  "public subnet inside VPC|s/!contains\(vpc, pub\)/false/"
  "subnet overlap|s/overlaps\(priv, pub\)\)/false)/"
  "controller types|s/\"t3.medium\", \"t3.large\"\] as const/\"t3.medium\", \"t3.large\", \"m5.24xlarge\"] as const/"
  "duplicate names|s/if \(first !== undefined\) issue/if (false) issue/"
  "host name regex|s/const hostName = .*;/const hostName = \/.*\/;/"
  "reserved names|s/!RESERVED_NAMES.includes\(n\)/true/"
  "negative GPUs|s/min\(0, \"must be 0 or more\"\)/min(-99, \"must be 0 or more\")/"
  "zero nodes|s/\.min\(1, \"must declare at least one compute node\"\)//"
  "port collision|s/else if \(!reported.has/else if (false \&\& !reported.has/"
  "wildcard bind|s/a !== \"0.0.0.0\"/true/"
  "strict keys|s/\}\)\.strict\(\)\.superRefine/}).superRefine/"
  "AWS block sizes|s/block.prefix < AWS_PREFIX.largest \|\| block.prefix > AWS_PREFIX.smallest/false/"
  "IPv4 subnets|s/if \(block && key !== \"vpcCidr\"\) issue/if (false) issue/"
  "srun range min|s/size < SRUN_RANGE_PORTS.min/false/"
  "srun range max|s/size > SRUN_RANGE_PORTS.max/false/"
  "platform image|s/refine\(isPlatformImage,/refine(() => true,/"
  "replaceForPlatform value|s/v === \"\" \|\| v === PLATFORM_ID/true/"
  "durations|s/regex\(new RegExp\(/regex(new RegExp(\".*|\" + /"
  "node exporter port|s/claim\(NODE_EXPORTER_PORT, /claim(1, /"
  "receiver names|s/checkReceiverNames\(c.alertReceivers, issue\);//"
  "receiver secret redaction|s/JSON.stringify\(redactReceiverValue\(path, value\)\)/JSON.stringify(value)/"
)

failed=0
for m in "${mutants[@]}"; do
  name=${m%%|*}; expr=${m#*|}
  cp "$backup" "$file"
  perl -0pi -e "$expr" "$file"
  if cmp -s "$backup" "$file"; then echo "MUTANT NOT APPLIED: $name"; failed=1; continue; fi
  if npx mocha --no-config -r ts-node/register/transpile-only --extension ts test/config.test.ts >/dev/null 2>&1; then
    echo "SURVIVED: $name (no test failed)"; failed=1
  else
    echo "killed:   $name"
  fi
done
cp "$backup" "$file"
exit $failed
