# shellcheck shell=bash
# Step controller-accounting-db: local MariaDB holding Slurm's accounting DB.
# Runs after lib.sh (hpc_* functions). Env: DB_NAME. Stdin: dbPassword.
# The password only ever travels on stdin: to mysql as SQL, or in a 0600
# defaults file for the login check; never on a command line.

hpc_install_planned
hpc_apt mariadb-server
# A config change restarts MariaDB; slurmdbd rides that out by queueing (see
# lab/ACCOUNTING-NOTES.md), so no ordering dance with slurmdbd is needed.
hpc_reload_units /etc/systemd/system/mariadb.service.d/50-hpc-oom.conf
hpc_service mariadb /etc/mysql/mariadb.conf.d/50-hpc-slurm.cnf /etc/systemd/system/mariadb.service.d/50-hpc-oom.conf

[[ "${DB_NAME:-}" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { hpc_log "DB_NAME must match [A-Za-z0-9_]{1,64}" >&2; exit 1; }

db_password=$(hpc_secret dbPassword)
[[ -n "$db_password" && "$db_password" != *$'\n'* ]] || { hpc_log "dbPassword must be one non-empty line" >&2; exit 1; }

# root@localhost authenticates by unix socket on Debian: no root password exists.
sql() { mysql --protocol=socket -u root -N -B; }

# SQL string literal (NO_BACKSLASH_ESCAPES is off on Debian).
sql_quote() {
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}

exists=$(sql <<<"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '$DB_NAME';")
if [[ "$exists" == 0 ]]; then
  sql <<<"CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`;"
  hpc_note "database $DB_NAME"
else
  hpc_same
fi

exists=$(sql <<<"SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'slurm' AND Host = 'localhost';")
if [[ "$exists" == 0 ]]; then
  sql <<<"CREATE USER 'slurm'@'localhost' IDENTIFIED BY $(sql_quote "$db_password");"
  hpc_note "user slurm@localhost"
else
  # Log in the way slurmdbd does (TCP to 127.0.0.1): only a failed login means the
  # stored password differs, so a re-run does not rewrite it.
  # No trap here: lib.sh owns the EXIT trap (it prints the report). Nothing that
  # can fail runs between writing the file and removing it.
  cnf=$(mktemp "$HPC_TMP/XXXXXX")
  chmod 600 "$cnf"
  pw=${db_password//\\/\\\\}
  printf '[client]\nuser=slurm\npassword="%s"\nhost=127.0.0.1\nport=3306\nprotocol=tcp\n' "${pw//\"/\\\"}" >"$cnf"
  login_ok=0
  mysql --defaults-file="$cnf" -N -B -e 'SELECT 1' >/dev/null 2>&1 && login_ok=1
  rm -f "$cnf"
  if ((login_ok)); then
    hpc_same
  else
    sql <<<"ALTER USER 'slurm'@'localhost' IDENTIFIED BY $(sql_quote "$db_password");"
    hpc_note "password of slurm@localhost"
  fi
fi

# SHOW GRANTS quotes the database name with backquotes and escapes _ only for
# wildcard grants; ours is the literal form GRANT ALL ... ON `db`.* produces.
if sql <<<"SHOW GRANTS FOR 'slurm'@'localhost';" | grep -Fqx "GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO \`slurm\`@\`localhost\`"; then
  hpc_same
else
  sql <<<"GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO 'slurm'@'localhost';"
  hpc_note "grant on $DB_NAME to slurm@localhost"
fi
