# shellcheck shell=bash
# Step controller-accounts: the cluster, the accounts and their users in slurmdbd,
# from the config's users list. Runs after lib.sh (hpc_* functions), once slurmctld is up.
# Env: CLUSTER_NAME, DEFAULT_ACCOUNT, ACCOUNT_USERS ("user:account ..."), SLURM_ADMIN
#      (the admin user: an association in DEFAULT_ACCOUNT, and AdminLevel=Admin, so that
#      PrivateData hides nothing from them and AccountingStorageEnforce lets them run jobs).
# Each object is added only when `sacctmgr -n -P show` lacks it, so a re-run
# writes nothing and reports changed=0.

hpc_install_planned

# sacctmgr lower-cases cluster and account names; upper case here would make
# the "is it there?" check miss forever and re-add on every run.
name_re='^[a-z0-9][a-z0-9_-]{0,39}$'
user_re='^[a-z_][a-z0-9_.-]{0,31}$'
[[ "${CLUSTER_NAME:-}" =~ $name_re ]] || { hpc_log "CLUSTER_NAME must match $name_re" >&2; exit 1; }
[[ "${DEFAULT_ACCOUNT:-}" =~ $name_re ]] || { hpc_log "DEFAULT_ACCOUNT must match $name_re" >&2; exit 1; }
[[ "${SLURM_ADMIN:-}" =~ $user_re ]] || { hpc_log "SLURM_ADMIN must match $user_re" >&2; exit 1; }
read -r -a pairs <<<"${ACCOUNT_USERS:-}"
accounts=("$DEFAULT_ACCOUNT")
for pair in "${pairs[@]}"; do
  [[ "${pair%%:*}" =~ $user_re ]] || { hpc_log "ACCOUNT_USERS: user '${pair%%:*}' must match $user_re" >&2; exit 1; }
  [[ "${pair#*:}" =~ $name_re ]] || { hpc_log "ACCOUNT_USERS: account '${pair#*:}' must match $name_re" >&2; exit 1; }
  [[ " ${accounts[*]} " == *" ${pair#*:} "* ]] || accounts+=("${pair#*:}")
done

# slurmdbd may still be creating tables or reconnecting to MariaDB right after
# the previous steps; give it a minute before calling that a failure.
deadline=$((SECONDS + 60))
until sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    hpc_log "slurmdbd does not answer sacctmgr after 60 s:" >&2
    sacctmgr -n -P show cluster format=cluster >&2 || true
    exit 1
  fi
  sleep 2
done

# slurmctld registers its own cluster shortly after it connects to slurmdbd;
# adding it ourselves first is harmless, but waiting a little avoids a
# "changed" that slurmctld would have made anyway.
has_cluster() { [[ -n "$(sacctmgr -n -P show cluster where name="$CLUSTER_NAME" format=cluster)" ]]; }
deadline=$((SECONDS + 20))
until has_cluster || ((SECONDS >= deadline)); do sleep 2; done
if has_cluster; then
  hpc_same
else
  sacctmgr -i add cluster "$CLUSTER_NAME" >/dev/null
  hpc_note "cluster $CLUSTER_NAME"
fi

# Each account's association on this cluster (user empty), not just the global
# account row: an account created for another cluster would not count.
for a in "${accounts[@]}"; do
  if [[ -n "$(sacctmgr -n -P show assoc where cluster="$CLUSTER_NAME" account="$a" user='' format=account)" ]]; then
    hpc_same
  else
    sacctmgr -i add account "$a" cluster="$CLUSTER_NAME" \
      description="hpc-stack account $a" organization="$CLUSTER_NAME" >/dev/null
    hpc_note "account $a on $CLUSTER_NAME"
  fi
done

for pair in "$SLURM_ADMIN:$DEFAULT_ACCOUNT" "${pairs[@]}"; do
  u=${pair%%:*} a=${pair#*:}
  if [[ -n "$(sacctmgr -n -P show assoc where cluster="$CLUSTER_NAME" account="$a" user="$u" format=user)" ]]; then
    hpc_same
  else
    # DefaultAccount only applies when the user is new; an existing user keeps theirs.
    sacctmgr -i add user "$u" account="$a" cluster="$CLUSTER_NAME" defaultaccount="$a" >/dev/null
    hpc_note "user $u in $a"
  fi
done

# The admin sees every user's jobs and usage whatever PrivateData hides.
if [[ "$(sacctmgr -n -P show user where name="$SLURM_ADMIN" format=adminlevel)" == Administrator ]]; then
  hpc_same
else
  sacctmgr -i modify user where name="$SLURM_ADMIN" set adminlevel=Admin >/dev/null
  hpc_note "user $SLURM_ADMIN adminlevel=Admin"
fi

# Users the config no longer lists lose their associations on this cluster, so no job
# of theirs runs (AccountingStorageEnforce); their job records stay in the database.
# One with jobs still queued or running cannot be deleted yet: MaxJobs and
# MaxSubmitJobs 0 until a later run finds their jobs gone.
keep=" root $SLURM_ADMIN "
for pair in "${pairs[@]}"; do keep+="${pair%%:*} "; done
while read -r u; do
  [[ -z "$u" || "$keep" == *" $u "* ]] && continue
  if sacctmgr -i delete user name="$u" cluster="$CLUSTER_NAME" >/dev/null 2>&1; then
    hpc_note "removed $u's associations on $CLUSTER_NAME"
  elif [[ "$(sacctmgr -n -P show assoc where cluster="$CLUSTER_NAME" user="$u" format=maxjobs | sort -u)" == 0 ]]; then
    hpc_same
  else
    sacctmgr -i modify user where name="$u" cluster="$CLUSTER_NAME" set maxjobs=0 maxsubmitjobs=0 >/dev/null
    hpc_note "$u has jobs in the queue: MaxJobs=0 until they end"
  fi
done < <(sacctmgr -n -P show assoc where cluster="$CLUSTER_NAME" format=user | sort -u)
