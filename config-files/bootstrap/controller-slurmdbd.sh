# shellcheck shell=bash
# Step controller-slurmdbd: slurmdbd on top of the accounting DB step.
# Runs after lib.sh (hpc_* functions). Env: SLURMDBD_PORT (default 6819).
# Stdin: dbPassword. Needs munge running with the cluster key (earlier step).
# Planned file: /etc/hpc/slurmdbd.conf.in, the rendered template holding the
# literal marker @DB_PASSWORD@ instead of the secret.

hpc_install_planned
hpc_apt slurmdbd

dbd_port=${SLURMDBD_PORT:-6819}
[[ "$dbd_port" =~ ^[0-9]+$ ]] || { hpc_log "SLURMDBD_PORT must be a number" >&2; exit 1; }

db_password=$(hpc_secret dbPassword)
# slurmdbd.conf has no quoting that survives every character: '#' starts a
# comment and whitespace ends the value. The generator makes [A-Za-z0-9]{32}.
[[ "$db_password" =~ ^[!-~]+$ && "$db_password" != *[\#\"\'\\]* ]] \
  || { hpc_log "dbPassword must be printable ASCII without whitespace, # \" ' or \\" >&2; exit 1; }

# Only the exact StoragePass line is rewritten, so the marker may appear in
# comments. Builtins only (read, printf) and hpc_file's mktemp 0600 temp file:
# the secret never reaches an argv or a world-readable file.
conf='' found=0
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" == "StoragePass=@DB_PASSWORD@" ]]; then line="StoragePass=$db_password"; found=1; fi
  conf+="$line"$'\n'
done </etc/hpc/slurmdbd.conf.in
((found)) || { hpc_log "/etc/hpc/slurmdbd.conf.in lacks the line StoragePass=@DB_PASSWORD@" >&2; exit 1; }
# Not a pipe into hpc_file: that would run it in a subshell and lose its count
# and the changed path that triggers the restart below.
hpc_file /etc/slurm/slurmdbd.conf 0600 slurm:slurm < <(printf '%s' "$conf")

# Purged records are archived here before deletion (ArchiveDir in the template).
archive=/var/lib/slurm/slurmdbd-archive
if [[ "$(stat -c '%a %U:%G' "$archive" 2>/dev/null)" == "700 slurm:slurm" ]]; then
  hpc_same
else
  install -d -m 0700 -o slurm -g slurm "$archive"
  hpc_note "$archive"
fi

hpc_reload_units /etc/systemd/system/slurmdbd.service.d/50-hpc-oom.conf
hpc_service slurmdbd /etc/slurm/slurmdbd.conf /etc/systemd/system/slurmdbd.service.d/50-hpc-oom.conf

# The unit is Type=simple, so "active" means nothing yet: slurmdbd retries a
# missing DB every 5 s and listens only once it has connected and created or
# upgraded its tables (longer on a schema upgrade). Later steps need it answering.
dbd_listening() { (exec 2>/dev/null; : </dev/tcp/127.0.0.1/"$dbd_port"); }
hpc_wait 120 /var/log/slurm/slurmdbd.log "slurmdbd is not listening on port $dbd_port" dbd_listening
