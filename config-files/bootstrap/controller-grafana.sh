# shellcheck shell=bash
# Step controller-grafana (production only: the lab cannot reach Grafana's apt
# repository): Grafana OSS from apt.grafana.com, its signing key pinned by
# fingerprint, on the controller's loopback, with the Prometheus datasource and the
# dashboards provisioned from files.
# Runs after lib.sh (hpc_* functions).
# Env: GRAFANA_PORT, GRAFANA_KEY_URL, GRAFANA_KEY_FINGERPRINT, GRAFANA_APT_LINE,
#      DASHBOARDS_DIR, DASHBOARD_FILES (names of the planned dashboards).
# Stdin: grafanaAdminPassword.
# Planned files: /etc/grafana/grafana.ini, the provisioning files, the dashboards,
#   /usr/local/lib/hpc/verify-apt-key.

hpc_install_planned
hpc_apt ca-certificates curl gpg

keyring=/etc/apt/keyrings/grafana.gpg
# Read whole, not piped into grep -q (pipefail would fail gpg on grep's early exit).
if [[ -s "$keyring" ]] && [[ "$(gpg --batch --show-keys --with-colons "$keyring" 2>/dev/null || true)" == *$'\n'"fpr:::::::::$GRAFANA_KEY_FINGERPRINT:"* ]]; then
  hpc_same
else
  install -d -m 0755 /etc/apt/keyrings
  tmp=$(mktemp "$HPC_TMP/XXXXXX")
  curl -fsSL --retry 3 -o "$tmp" "$GRAFANA_KEY_URL"
  # A key of another fingerprint fails the step here: apt never trusts it.
  /usr/local/lib/hpc/verify-apt-key "$tmp" "$GRAFANA_KEY_FINGERPRINT" "$keyring"
  rm -f "$tmp"
  hpc_note "$keyring ($GRAFANA_KEY_FINGERPRINT)"
fi
hpc_file /etc/apt/sources.list.d/grafana.list 0644 root:root < <(printf '%s\n' "$GRAFANA_APT_LINE")
if hpc_changed /etc/apt/sources.list.d/grafana.list; then hpc_apt_update; fi
hpc_apt grafana

# Dashboards the plan no longer has go too.
for f in "$DASHBOARDS_DIR"/*.json; do
  [[ -e "$f" ]] || continue
  if [[ " $DASHBOARD_FILES " != *" $(basename "$f") "* ]]; then rm -f "$f"; hpc_note "removed $f"; fi
done

hpc_service grafana-server /etc/grafana/grafana.ini /etc/grafana/provisioning/datasources/hpc.yaml /etc/grafana/provisioning/dashboards/hpc.yaml
ready() { (exec 2>/dev/null; : </dev/tcp/127.0.0.1/"$GRAFANA_PORT"); }
hpc_wait 120 /var/log/grafana/grafana.log "Grafana is not listening on 127.0.0.1:$GRAFANA_PORT" ready

# The admin password: reset only when it changed (its hash is kept, root only), and
# from stdin, never an argument.
state=/var/lib/hpc-stack/grafana-admin.sha256
want=$(hpc_secret grafanaAdminPassword | sha256sum | cut -d' ' -f1)
if [[ -f "$state" && "$(<"$state")" == "$want" ]]; then
  hpc_same
else
  hpc_secret grafanaAdminPassword | runuser -u grafana -- grafana cli --homepath /usr/share/grafana --config /etc/grafana/grafana.ini \
    admin reset-admin-password --password-from-stdin >"$HPC_TMP/grafana-cli.log" 2>&1 \
    || { hpc_log "grafana cli admin reset-admin-password failed:" >&2; tail -5 "$HPC_TMP/grafana-cli.log" >&2; exit 1; }
  install -d -m 0700 /var/lib/hpc-stack
  (umask 077; printf '%s\n' "$want" >"$state")
  hpc_note "grafana admin password"
fi
