# shellcheck shell=bash
# Step controller-alertmanager: Debian's Alertmanager on the controller's loopback,
# with no cluster listener, and the receivers of the stack config.
# Runs after lib.sh (hpc_* functions).
# Env: ALERTMANAGER_PORT; ALERT_SECRET_RECEIVERS: the receivers whose secret (a URL
#      with a token, an SMTP password) comes on stdin as alertSecret/<name>.
# Planned files: /etc/hpc/alertmanager.yml.in (markers @ALERT_SECRET_<name>@ in
#   single-quoted scalars), /etc/default/prometheus-alertmanager.

hpc_install_planned
hpc_apt prometheus-alertmanager python3-bcrypt

# A login (user admin): cluster users share the controller's loopback. The password
# reaches Prometheus by file; Alertmanager keeps its bcrypt hash, made again only when
# the password changed (a new salt each time would rewrite the file on every run).
hpc_file /etc/prometheus/alertmanager.password 0640 root:prometheus < <(hpc_secret alertmanagerPassword)
web=/etc/prometheus/alertmanager-web.yml
hash=$(sed -n 's/^  admin: //p' "$web" 2>/dev/null || true)
# The hash to check comes on stdin (printf is a builtin): never in an argv, which every
# user on the host can read in /proc while python runs.
bcrypt_py='import bcrypt, sys
pw = open(sys.argv[1], "rb").read()
if sys.argv[2:] == ["check"]:
    sys.exit(0 if bcrypt.checkpw(pw, sys.stdin.buffer.read().strip()) else 1)
print(bcrypt.hashpw(pw, bcrypt.gensalt(10)).decode())'
if [[ -z "$hash" ]] || ! printf '%s' "$hash" | python3 -c "$bcrypt_py" /etc/prometheus/alertmanager.password check; then
  hash=$(python3 -c "$bcrypt_py" /etc/prometheus/alertmanager.password </dev/null)
fi
hpc_file "$web" 0640 root:prometheus < <(printf '# hpc-stack: written by the controller-alertmanager step\nbasic_auth_users:\n  admin: %s\n' "$hash")
unset hash

# Builtins only (read, parameter expansion, printf) and hpc_file's private temp
# file: a secret never reaches an argv, the environment or a world-readable file.
conf=$(</etc/hpc/alertmanager.yml.in)
for name in ${ALERT_SECRET_RECEIVERS:-}; do
  secret=$(hpc_secret "alertSecret/$name")
  [[ "$secret" != *$'\n'* ]] || { hpc_log "the secret of receiver $name spans lines" >&2; exit 1; }
  marker="@ALERT_SECRET_${name}@"
  [[ "$conf" == *"$marker"* ]] || { hpc_log "alertmanager.yml.in lacks $marker" >&2; exit 1; }
  conf=${conf//"$marker"/${secret//\'/\'\'}}
done
hpc_file /etc/prometheus/alertmanager.yml 0640 root:prometheus < <(printf '%s\n' "$conf")
unset conf secret

amtool check-config /etc/prometheus/alertmanager.yml >"$HPC_TMP/amtool.log" 2>&1 \
  || { hpc_log "amtool check-config failed:" >&2; cat "$HPC_TMP/amtool.log" >&2; exit 1; }

was_active=0
systemctl is-active --quiet prometheus-alertmanager && was_active=1
hpc_service prometheus-alertmanager /etc/default/prometheus-alertmanager
if ((was_active)) && hpc_changed /etc/prometheus/alertmanager.yml && ! hpc_changed /etc/default/prometheus-alertmanager; then
  systemctl reload prometheus-alertmanager
  hpc_note "reloaded prometheus-alertmanager"
fi
ready() { (exec 2>/dev/null; : </dev/tcp/127.0.0.1/"$ALERTMANAGER_PORT"); }
hpc_wait 60 /dev/null "Alertmanager is not listening on 127.0.0.1:$ALERTMANAGER_PORT" ready
