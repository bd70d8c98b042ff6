# shellcheck shell=bash
# Step bastion-node-exporter / controller-node-exporter: Debian's
# prometheus-node-exporter, listening only where Prometheus reaches it: the
# controller's loopback, or the bastion's VPC-private address (its security group
# admits the controller's group to this port, nothing else).
# Runs after lib.sh (hpc_* functions).
# Env: NODE_EXPORTER_ARGS   the unit's flags, with @LISTEN_HOST@ for the address
#      LISTEN_HOST          the address, or empty to read it from stdin:
#      LISTEN_HOST_FROM     the generated value naming it (the bastion's private IP
#                           is known only once the instance exists)
#      LISTEN_PORT          its port
#      TEXTFILE_DIR         node exporter's textfile directory
# Stdin: $LISTEN_HOST_FROM, when set.

hpc_install_planned
hpc_apt prometheus-node-exporter

host=${LISTEN_HOST:-}
if [[ -n "${LISTEN_HOST_FROM:-}" ]]; then host=$(hpc_secret "$LISTEN_HOST_FROM"); fi
[[ "$host" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { hpc_log "listen address '$host' is not an IPv4 address" >&2; exit 1; }
# Never a wildcard: the address must be one of this host's own.
# (Read whole, not piped into grep -q: under pipefail, grep's early exit fails ip with SIGPIPE.)
addrs=$(ip -4 -o addr show)
if [[ "$host" != 127.0.0.1 && "$addrs" != *" $host/"* ]]; then
  hpc_log "$host is not an address of this host: $(awk '{print $4}' <<<"$addrs" | tr '\n' ' ')" >&2
  exit 1
fi

if [[ "$(stat -c '%a' "$TEXTFILE_DIR" 2>/dev/null)" == 755 ]]; then
  hpc_same
else
  install -d -m 0755 "$TEXTFILE_DIR"
  hpc_note "$TEXTFILE_DIR"
fi

args=${NODE_EXPORTER_ARGS//@LISTEN_HOST@/$host}
hpc_file /etc/default/prometheus-node-exporter 0644 root:root < <(printf '# hpc-stack: written by the %s step\nARGS="%s"\n' "$HPC_STEP" "$args")
hpc_service prometheus-node-exporter /etc/default/prometheus-node-exporter

listening() { (exec 2>/dev/null; : </dev/tcp/"$host"/"$LISTEN_PORT"); }
hpc_wait 30 /dev/null "node exporter is not listening on $host:$LISTEN_PORT" listening
