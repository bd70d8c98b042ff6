#!/usr/bin/env bash
# Proves the config tests can fail: removes one validation at a time from
# components/plan/config.ts, users.ts or dockerHosts.ts and expects the config
# suite to go red. Restores the files.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
config=components/plan/config/schema.ts
users=components/plan/config/users.ts
hosts=components/plan/config/dockerHosts.ts
backups=$(mktemp -d)
cp "$config" "$backups/config.ts"
cp "$users" "$backups/users.ts"
cp "$hosts" "$backups/dockerHosts.ts"
restore() { cp "$backups/config.ts" "$config"; cp "$backups/users.ts" "$users"; cp "$backups/dockerHosts.ts" "$hosts"; }
trap 'restore; rm -rf "$backups"' EXIT

# name | perl substitution applied to config.ts
config_mutants=(
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
  "tunnel capacity|s/if \(n <= limit\) continue;/continue;/"
  "durations|s/regex\(new RegExp\(/regex(new RegExp(\".*|\" + /"
  "node exporter port|s/claim\(NODE_EXPORTER_PORT, /claim(1, /"
  "receiver names|s/checkReceiverNames\(c.alertReceivers, issue\);//"
  "receiver secret redaction|s/JSON.stringify\(redactReceiverValue\(path, value\)\)/JSON.stringify(value)/"
  "duplicate users|s/checkUsers\(c.users, issue\);//"
  "appPortsPerNode min|s/appPortsPerNode: z.number\(\).int\(\).min\(1\)/appPortsPerNode: z.number().int().min(0)/"
  "appPortsPerNode max|s/max\(APP_PORTS_MAX, /max(APP_PORTS_MAX + 1, /"
  "app-port collision claim|s/a < c.appPortsPerNode; a\+\+\) claim/a < 1; a++) claim/"
  "homeTunnelPort claim|s/, \"homeTunnelPort\"\] as const\) claim/] as const) claim/"
  "NFS export regex|s/homeNfsExport: z.string\(\).regex\(\/[^\n]*?\/, /homeNfsExport: z.string().regex(\/.*\/s, /"
  "home reserved node name|s/, \"default\", \"home\"\]/, \"default\"]/"
  "invalid_key message|s/i.issues\[0\]\?.message \?\? i.message/i.message/"
  "node field default shown|s/path.length === 3 \&\& path\[0\] === \"computeNodes\"/false/"
  "docker host keys listed|s/if \(path\[0\] === \"dockerHosts\"\) return DOCKER_HOST_KEYS;//"
  "deviceIds min|s/deviceIds: z.array\(z.number\(\).int\(\).min\(0, /deviceIds: z.array(z.number().int().min(-9, /"
  "docker host checks|s/checkDockerHosts\(c, issue\);//"
  "exclusive gpu partition|s/if \(x === \"gpu\" \&\& !c.computeNodes.some/if (false \&\& !c.computeNodes.some/"
  "exclusive duplicates|s/if \(c.exclusiveUserPartitions.indexOf\(x\) !== i\)/if (false)/"
  "program tag keys|s/PROGRAM_TAG_KEYS.filter\(\(k\) => Object.hasOwn\(t, k\)\)/PROGRAM_TAG_KEYS.filter(() => false)/"
)

# name | perl substitution applied to dockerHosts.ts
hosts_mutants=(
  "docker URL regex|s/\^\(unix:/^(tcp:.*|unix:/"
  "host gpus min|s/gpus: z.number\(\).int\(\).min\(0, /gpus: z.number().int().min(-9, /"
  "host keys strict|s/\}\)\.strict\(\);\n\nexport type DockerHostConfig/});\n\nexport type DockerHostConfig/"
  "dockerHost beside dockerHosts|s/explicit \&\& c.dockerHost !== DEFAULT_DOCKER_URL/false/"
  "unknown host|s/if \(!host\) \{\n            issue/if (!host) {\n            if (false) issue/"
  "deviceIds on gpus 0|s/if \(n.gpus === 0\) return issue/if (false) return issue/"
  "deviceIds length|s/n.deviceIds.length !== n.gpus/false/"
  "deviceIds duplicates|s/if \(dup !== undefined\) return issue/if (false) return issue/"
  "deviceId beyond host|s/id >= host.gpus/false/"
  "deviceId held twice|s/if \(other !== undefined\) \{/if (false) {/"
  "host GPU capacity|s/asked > host.gpus/false/"
  "NFS for several engines|s/urls.length > 1 \&\& !c.homeNfsExport/false/"
)

# name | perl substitution applied to users.ts
users_mutants=(
  "uid min|s/min\(FIRST_USER_UID, /min(0, /"
  "uid min boundary (admin's 1000)|s/FIRST_USER_UID = 1001;/FIRST_USER_UID = 1000;/"
  "uid max|s/max\(LAST_USER_UID, /max(2 ** 31, /"
  "duplicate user names|s/\[\"name\", \"uid\"\] as const/[\"uid\"] as const/"
  "duplicate uids|s/\[\"name\", \"uid\"\] as const/[\"name\"] as const/"
  "reserved user names|s/!RESERVED_USER_NAMES.includes\(n\)/true/"
  "reserved hpc-tunnel|s/\"munge\", \"hpc-tunnel\", /\"munge\", /"
  "user name regex|s/\[a-z_\]\[a-z0-9_-\]\{0,31\}/[A-Za-z_][A-Za-z0-9_-]{0,31}/"
  "key regex|s/const PUBLIC_KEY = [^\n]*;/const PUBLIC_KEY = \/.\/;/"
  "key on one line (a multi-line regex)|s/\?\x24\/;/?\x24\/m;/"
  "key types|s/const PUBLIC_KEY = \/\^\(/const PUBLIC_KEY = \/^(ssh-dss|/"
  "account regex|s/\^\[a-z0-9\]\[a-z0-9_-\]\{0,39\}/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}/"
  "user keys strict|s/\}\)\.strict\(\);\n\nexport type UserConfig/});\n\nexport type UserConfig/"
)

failed=0
# Applies each mutant of an array to one file, runs the config suite, and says whether it failed.
run() {
  local file=$1 original=$2; shift 2
  local m name expr
  for m in "$@"; do
    name=${m%%|*}; expr=${m#*|}
    restore
    perl -0pi -e "$expr" "$file"
    if cmp -s "$original" "$file"; then echo "MUTANT NOT APPLIED: $name"; failed=1; continue; fi
    if npx mocha --no-config -r ts-node/register/transpile-only --extension ts test/config.test.ts >/dev/null 2>&1; then
      echo "SURVIVED: $name (no test failed)"; failed=1
    else
      echo "killed:   $name"
    fi
  done
}
run "$config" "$backups/config.ts" "${config_mutants[@]}"
run "$users" "$backups/users.ts" "${users_mutants[@]}"
run "$hosts" "$backups/dockerHosts.ts" "${hosts_mutants[@]}"
restore
exit $failed
