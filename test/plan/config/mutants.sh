#!/usr/bin/env bash
# Proves the config tests can fail. Each named check of the schema (config/schema.ts
# CHECKS) is dropped from the list in turn, so no refactor of its body stales its
# mutant; then each validation inside a field's schema or a check is removed by a
# text substitution. Either way the config suite must go red. Restores the files.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
area=components/plan/config
schema=$area/schema.ts fields=$area/fields.ts errors=$area/errors.ts check=$area/check.ts
users=$area/users.ts hosts=$area/dockerHosts.ts
network=$area/checks/network.ts nodes=$area/checks/nodes.ts ports=$area/checks/ports.ts
types=components/plan/instances/types.ts
files=("$schema" "$fields" "$errors" "$check" "$users" "$hosts" "$network" "$nodes" "$ports" "$types")
backups=$(mktemp -d)
for f in "${files[@]}"; do mkdir -p "$backups/$(dirname "$f")"; cp "$f" "$backups/$f"; done
restore() { for f in "${files[@]}"; do cp "$backups/$f" "$f"; done; }
trap 'restore; rm -rf "$backups"' EXIT

# file | name | perl substitution applied to that file
mutants=(
  "$fields|cidr parse|s/parseCidr\(v\);\n    \} catch \(e\) \{\n        ctx.addIssue/parseCidr('0.0.0.0\/0');\n    } catch (e) {\n        ctx.addIssue/"
  "$fields|world CIDR|s/return !isWorld\(parseCidr\(v\)\)/return true/"
  "$fields|trustedCidrs min|s/\.min\(1, \"must list at least one CIDR/.min(0, \"must list at least one CIDR/"
  "$network|subnet inside VPC|s/!contains\(vpc, priv\)/false/"
  "$network|public subnet inside VPC|s/!contains\(vpc, pub\)/false/"
  "$network|subnet overlap|s/overlaps\(priv, pub\)\)/false)/"
  "$types|controller types|s/\"t3.medium\", \"t3.large\"\] as const/\"t3.medium\", \"t3.large\", \"m5.24xlarge\"] as const/"
  "$fields|host name regex|s/const hostName = .*;/const hostName = \/.*\/;/"
  "$fields|reserved names|s/!RESERVED_NAMES.includes\(n\)/true/"
  "$fields|negative GPUs|s/min\(0, \"must be 0 or more\"\)/min(-99, \"must be 0 or more\")/"
  "$fields|zero nodes|s/\.min\(1, \"must declare at least one compute node\"\)//"
  "$ports|port collision|s/else if \(!reported.has/else if (false \&\& !reported.has/"
  "$fields|wildcard bind|s/a !== \"0.0.0.0\"/true/"
  "$fields|strict keys|s/\}\)\.strict\(\);\n\nexport type ClusterConfig/});\n\nexport type ClusterConfig/"
  "$network|AWS block sizes|s/block.prefix < AWS_PREFIX.largest \|\| block.prefix > AWS_PREFIX.smallest/false/"
  "$network|IPv4 subnets|s/if \(block && key !== \"vpcCidr\"\) issue/if (false) issue/"
  "$ports|srun range min|s/size < SRUN_RANGE_PORTS.min/false/"
  "$ports|srun range max|s/size > SRUN_RANGE_PORTS.max/false/"
  "$fields|platform image|s/refine\(isPlatformImage,/refine(() => true,/"
  "$fields|replaceForPlatform value|s/v === \"\" \|\| v === PLATFORM_ID/true/"
  "$nodes|tunnel capacity|s/if \(n <= limit\) continue;/continue;/"
  "$fields|durations|s/regex\(new RegExp\(/regex(new RegExp(\".*|\" + /"
  "$ports|node exporter port|s/claim\(NODE_EXPORTER_PORT, /claim(1, /"
  "$errors|receiver secret redaction|s/JSON.stringify\(redactReceiverValue\(path, value\)\)/JSON.stringify(value)/"
  "$fields|appPortsPerNode min|s/appPortsPerNode: z.number\(\).int\(\).min\(1\)/appPortsPerNode: z.number().int().min(0)/"
  "$fields|appPortsPerNode max|s/max\(APP_PORTS_MAX, /max(APP_PORTS_MAX + 1, /"
  "$ports|app-port collision claim|s/a < c.appPortsPerNode; a\+\+\) claim/a < 1; a++) claim/"
  "$ports|homeTunnelPort claim|s/, \"homeTunnelPort\"\] as const\) claim/] as const) claim/"
  "$fields|NFS export regex|s/homeNfsExport: z.string\(\).regex\(\/[^\n]*?\/, /homeNfsExport: z.string().regex(\/.*\/s, /"
  "$fields|home reserved node name|s/, \"default\", \"home\"\]/, \"default\"]/"
  "$errors|invalid_key message|s/i.issues\[0\]\?.message \?\? i.message/i.message/"
  "$errors|node field default shown|s/path.length === 3 \&\& path\[0\] === \"computeNodes\"/false/"
  "$errors|docker host keys listed|s/if \(path\[0\] === \"dockerHosts\"\) return DOCKER_HOST_KEYS;//"
  "$fields|deviceIds min|s/deviceIds: z.array\(z.number\(\).int\(\).min\(0, /deviceIds: z.array(z.number().int().min(-9, /"
  "$nodes|exclusive gpu partition|s/if \(x === \"gpu\" \&\& !c.computeNodes.some/if (false \&\& !c.computeNodes.some/"
  "$fields|program tag keys|s/PROGRAM_TAG_KEYS.filter\(\(k\) => Object.hasOwn\(t, k\)\)/PROGRAM_TAG_KEYS.filter(() => false)/"
  "$nodes|exclusive duplicates|s/    uniqueBy\(c.exclusiveUserPartitions[^\n]*\n//"
  "$check|uniqueBy reports|s/if \(first !== undefined\) issue/if (false) issue/"
  "$users|uid min|s/min\(FIRST_USER_UID, /min(0, /"
  "$users|uid min boundary (admin's 1000)|s/FIRST_USER_UID = 1001;/FIRST_USER_UID = 1000;/"
  "$users|uid max|s/max\(LAST_USER_UID, /max(2 ** 31, /"
  "$users|duplicate user names|s/\[\"name\", \"uid\"\] as const/[\"uid\"] as const/"
  "$users|duplicate uids|s/\[\"name\", \"uid\"\] as const/[\"name\"] as const/"
  "$users|reserved user names|s/!RESERVED_USER_NAMES.includes\(n\)/true/"
  "$users|reserved hpc-tunnel|s/\"munge\", \"hpc-tunnel\", /\"munge\", /"
  "$users|user name regex|s/\[a-z_\]\[a-z0-9_-\]\{0,31\}/[A-Za-z_][A-Za-z0-9_-]{0,31}/"
  "$users|key regex|s/const PUBLIC_KEY = [^\n]*;/const PUBLIC_KEY = \/.\/;/"
  "$users|key on one line (a multi-line regex)|s/\?\x24\/;/?\x24\/m;/"
  "$users|key types|s/const PUBLIC_KEY = \/\^\(/const PUBLIC_KEY = \/^(ssh-dss|/"
  "$users|account regex|s/\^\[a-z0-9\]\[a-z0-9_-\]\{0,39\}/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}/"
  "$users|user keys strict|s/\}\)\.strict\(\);\n\nexport type UserConfig/});\n\nexport type UserConfig/"
  "$hosts|docker URL regex|s/\^\(unix:/^(tcp:.*|unix:/"
  "$hosts|host gpus min|s/gpus: z.number\(\).int\(\).min\(0, /gpus: z.number().int().min(-9, /"
  "$hosts|host keys strict|s/\}\)\.strict\(\);\n\nexport type DockerHostConfig/});\n\nexport type DockerHostConfig/"
  "$hosts|dockerHost beside dockerHosts|s/explicit \&\& c.dockerHost !== DEFAULT_DOCKER_URL/false/"
  "$hosts|unknown host|s/if \(!host\) \{\n            issue/if (!host) {\n            if (false) issue/"
  "$hosts|deviceIds on gpus 0|s/if \(n.gpus === 0\) return issue/if (false) return issue/"
  "$hosts|deviceIds length|s/n.deviceIds.length !== n.gpus/false/"
  "$hosts|deviceIds duplicates|s/if \(dup !== undefined\) return issue/if (false) return issue/"
  "$hosts|deviceId beyond host|s/id >= host.gpus/false/"
  "$hosts|deviceId held twice|s/if \(other !== undefined\) \{/if (false) {/"
  "$hosts|host GPU capacity|s/asked > host.gpus/false/"
  "$hosts|NFS for several engines|s/urls.length > 1 \&\& !c.homeNfsExport/false/"
)

# The named checks, read off the CHECKS array: each one's mutant drops it from the list.
checks=$(perl -0ne 'print $1 if /CHECKS[^=]*= \[(.*?)\];/s' "$schema" | tr -s ', \n' '\n' | grep -v '^$')
[[ $(wc -l <<<"$checks") -ge 10 ]] || { echo "found $(wc -l <<<"$checks") named checks in $schema CHECKS, expected at least 10"; exit 1; }
while read -r c; do mutants+=("\$schema|check $c|s/(CHECKS[^=]*= \\[[^\\]]*?)\\b$c\\b,?/\\1/s"); done <<<"$checks"

failed=0
for m in "${mutants[@]}"; do
  file=${m%%|*}; rest=${m#*|}; name=${rest%%|*}; expr=${rest#*|}
  file=$(eval echo "$file")
  restore
  perl -0pi -e "$expr" "$file"
  if cmp -s "$backups/$file" "$file"; then echo "MUTANT NOT APPLIED: $name"; failed=1; continue; fi
  if npx mocha --no-config -r ts-node/register/transpile-only --extension ts test/plan/config/schema.test.ts >/dev/null 2>&1; then
    echo "SURVIVED: $name (no test failed)"; failed=1
  else
    echo "killed:   $name"
  fi
done
restore
exit $failed
