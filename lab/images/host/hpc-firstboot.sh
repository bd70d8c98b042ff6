#!/usr/bin/env bash
# Runs before sshd in the EC2 stand-in. systemd does not pass the container's
# environment to units, so ADMIN_AUTHORIZED_KEYS is read from PID 1's environ.
set -euo pipefail

# Only missing key types are generated, so uploaded host keys are kept.
ssh-keygen -A

keys=""
if [[ -r /proc/1/environ ]]; then
  keys="$(tr '\0' '\n' </proc/1/environ | sed -n 's/^ADMIN_AUTHORIZED_KEYS=//p')"
fi
ak=/home/admin/.ssh/authorized_keys
install -d -m 700 -o admin -g admin /home/admin/.ssh
if [[ -n "$keys" ]]; then
  printf '%s\n' "$keys" >"$ak"
elif [[ -s /etc/hpc/admin_authorized_keys ]]; then
  cat /etc/hpc/admin_authorized_keys >"$ak"
fi
# Uploaded files arrive root-owned; sshd StrictModes wants them owned by admin or root and not writable by others.
if [[ -f "$ak" ]]; then
  chown admin:admin "$ak"
  chmod 600 "$ak"
fi
