# shellcheck shell=bash
# Step controller-prometheus: Debian's Prometheus on the controller's loopback,
# scraping every exporter of the plan, with its alert rules.
# Runs after lib.sh (hpc_* functions).
# Env: TARGETS_DIR, RULES_DIR, RULE_FILES (names of the planned rule files),
#      PROMETHEUS_PORT. Stdin: bastionPrivateIp.
# Planned files: /etc/prometheus/prometheus.yml, $RULES_DIR/*.yml,
#   /etc/default/prometheus, /etc/hpc/prometheus/*.json.in (file_sd targets with
#   @BASTION_PRIVATE_IP@, which only exists once the bastion does).

hpc_install_planned
hpc_apt prometheus

bastion_ip=$(hpc_secret bastionPrivateIp)
[[ "$bastion_ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { hpc_log "bastionPrivateIp '$bastion_ip' is not an IPv4 address" >&2; exit 1; }
install -d -m 0755 "$TARGETS_DIR"
for src in /etc/hpc/prometheus/*.json.in; do
  text=$(<"$src")
  hpc_file "$TARGETS_DIR/$(basename "$src" .in)" 0644 root:root < <(printf '%s\n' "${text//@BASTION_PRIVATE_IP@/$bastion_ip}")
done
# A rule file the plan no longer has goes too.
for f in "$RULES_DIR"/*.yml; do
  [[ -e "$f" ]] || continue
  if [[ " $RULE_FILES " != *" $(basename "$f") "* ]]; then rm -f "$f"; HPC_CHANGED_PATHS+="$f "; hpc_note "removed $f"; fi
done

# A config Prometheus cannot load fails here, and the running one keeps its old config.
promtool check config /etc/prometheus/prometheus.yml >"$HPC_TMP/promtool.log" 2>&1 \
  || { hpc_log "promtool check config failed:" >&2; cat "$HPC_TMP/promtool.log" >&2; exit 1; }

reload=0
for f in /etc/prometheus/prometheus.yml "$RULES_DIR"/*.yml; do hpc_changed "$f" && reload=1; done
for f in $HPC_CHANGED_PATHS; do [[ "$f" == "$RULES_DIR"/* ]] && reload=1; done
was_active=0
systemctl is-active --quiet prometheus && was_active=1
hpc_service prometheus /etc/default/prometheus
# New targets need nothing (file_sd is watched); a changed config or rule is reloaded.
if ((was_active && reload)) && ! hpc_changed /etc/default/prometheus; then
  systemctl reload prometheus
  hpc_note "reloaded prometheus"
fi
ready() { (exec 2>/dev/null; : </dev/tcp/127.0.0.1/"$PROMETHEUS_PORT"); }
hpc_wait 60 /dev/null "Prometheus is not listening on 127.0.0.1:$PROMETHEUS_PORT" ready
