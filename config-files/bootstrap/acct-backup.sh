#!/bin/bash
# hpc-acct-backup: nightly dump of the Slurm accounting DB (run by
# hpc-acct-backup.service, installed at /usr/local/sbin/hpc-acct-backup).
# Settings come from /etc/hpc/acct-backup.env:
#   BACKUP_DIR       where dumps go (created 0700; default /var/backups/slurm-acct)
#   RETENTION_DAYS   dumps older than this many days are deleted (default 14)
#   DB_NAME          the accounting DB (default slurm_acct_db)
#
# Restore (as root on the controller):
#   systemctl stop slurmdbd      # slurmctld keeps queueing job records meanwhile
#   gunzip -c "$BACKUP_DIR/<db>-<UTC stamp>.sql.gz" | mysql
#   systemctl start slurmdbd     # slurmctld then flushes its queue into the DB
#   sacct -S now-1hours          # spot-check
# A dump carries CREATE DATABASE IF NOT EXISTS + USE and a DROP TABLE per
# table, so it restores over the live DB or into an empty server. Records
# written between the dump and the restore are lost unless still queued in
# slurmctld (sdiag: "DBD Agent queue size").
set -euo pipefail
umask 077

BACKUP_DIR=${BACKUP_DIR:-/var/backups/slurm-acct}
RETENTION_DAYS=${RETENTION_DAYS:-14}
DB_NAME=${DB_NAME:-slurm_acct_db}
[[ "$RETENTION_DAYS" =~ ^[1-9][0-9]*$ ]] || { echo "RETENTION_DAYS must be a positive integer" >&2; exit 2; }
[[ "$DB_NAME" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "DB_NAME must match [A-Za-z0-9_]{1,64}" >&2; exit 2; }
[[ "$BACKUP_DIR" == /* ]] || { echo "BACKUP_DIR must be absolute" >&2; exit 2; }

install -d -m 0700 "$BACKUP_DIR"
chmod 0700 "$BACKUP_DIR"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/$DB_NAME-$stamp.sql.gz"
# Dot-prefixed: neither the retention glob nor a restore picks up a half dump.
partial="$BACKUP_DIR/.$DB_NAME-$stamp.sql.gz.partial"
trap 'rm -f "$partial"' EXIT

# --single-transaction: a consistent InnoDB snapshot without locking out
# slurmdbd, so jobs keep being recorded during the dump. pipefail makes a
# failed dump fail the unit instead of leaving a truncated archive.
mysqldump --single-transaction --routines --triggers --events --hex-blob \
  --databases "$DB_NAME" | gzip -6 >"$partial"
gzip -t "$partial"
# Durable before visible: a crash never leaves a complete-looking truncated dump.
sync "$partial"
mv -f "$partial" "$final"
sync "$BACKUP_DIR"
trap - EXIT
echo "wrote $final ($(stat -c %s "$final") bytes)"

# Only after a good dump, so a run of failures never deletes the last backups.
find "$BACKUP_DIR" -maxdepth 1 -type f -name "$DB_NAME-*.sql.gz" -mtime +"$RETENTION_DAYS" -print -delete
find "$BACKUP_DIR" -maxdepth 1 -type f -name ".$DB_NAME-*.partial" -mmin +1440 -delete
