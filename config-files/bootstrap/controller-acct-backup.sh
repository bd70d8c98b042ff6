# shellcheck shell=bash
# Step controller-acct-backup: nightly accounting DB dump.
# Runs after lib.sh (hpc_* functions). No env, no stdin.
# Planned files (hpc_install_planned):
#   /etc/systemd/system/hpc-acct-backup.service  0644 root:root
#   /etc/systemd/system/hpc-acct-backup.timer    0644 root:root
#   /usr/local/sbin/hpc-acct-backup              0755 root:root  (acct-backup.sh)
#   /etc/hpc/acct-backup.env                     0644 root:root  (BACKUP_DIR, RETENTION_DAYS, DB_NAME)

hpc_install_planned

hpc_reload_units /etc/systemd/system/hpc-acct-backup.service /etc/systemd/system/hpc-acct-backup.timer

# The service is oneshot and timer-driven; only the timer is enabled and running.
hpc_service hpc-acct-backup.timer /etc/systemd/system/hpc-acct-backup.timer
