# shellcheck shell=bash
# Steps bastion-users / controller-users: the cluster users from config, with the
# same uid and gid as on every other host (files on /home and Slurm jobs go by
# number). Their keys are planned files in /etc/ssh/authorized_keys/<user>.
# Env: CLUSTER_USERS "name:uid ..." and USER_ROLE:
#   jump   (bastion) no shell and no home: the key may only open the controller's
#          port 22 (its authorized_keys options say so, and the sshd drop-in
#          SSHD_JUMP_CONF holds it for anything a key does not bound);
#   login  (controller) bash, and /home/<user> as the mount point of their home
#          (controller-home mounts the on-premises home over it).
# A user that exists with another uid is an error, never "fixed": their files would
# change owner under them.
# Offboarding: every cluster user is also in the group hpc-users here, so a later run
# tells a user the config no longer lists from the host's own accounts. Such a user
# loses their key, their login (locked, expired, nologin), their hpc-home@ mount and
# their processes; their files stay.

hpc_install_planned

case "${USER_ROLE:-}" in
  jump) shell=/usr/sbin/nologin ;;
  login) shell=/bin/bash ;;
  *) hpc_log "USER_ROLE must be jump or login, not '${USER_ROLE:-}'" >&2; exit 1 ;;
esac

CLUSTER_GROUP=hpc-users
if getent group "$CLUSTER_GROUP" >/dev/null; then
  hpc_same
else
  groupadd --system "$CLUSTER_GROUP"
  hpc_note "group $CLUSTER_GROUP"
fi

listed=" "
for entry in ${CLUSTER_USERS:-}; do
  name=${entry%%:*} uid=${entry##*:}
  listed+="$name "
  if gid_now=$(getent group "$name" | cut -d: -f3) && [[ -n "$gid_now" ]]; then
    [[ "$gid_now" == "$uid" ]] || { hpc_log "group $name exists with gid $gid_now, not $uid" >&2; exit 1; }
    hpc_same
  else
    if other=$(getent group "$uid" | cut -d: -f1) && [[ -n "$other" ]]; then
      hpc_log "gid $uid for $name is taken by group $other" >&2; exit 1
    fi
    groupadd --gid "$uid" "$name"
    hpc_note "group $name ($uid)"
  fi
  if uid_now=$(id -u "$name" 2>/dev/null); then
    [[ "$uid_now" == "$uid" ]] || { hpc_log "user $name exists with uid $uid_now, not $uid" >&2; exit 1; }
    if [[ "$(getent passwd "$name" | cut -d: -f7)" == "$shell" ]]; then
      hpc_same
    else
      usermod --shell "$shell" "$name"
      hpc_note "$name: shell $shell"
    fi
  else
    if other=$(getent passwd "$uid" | cut -d: -f1) && [[ -n "$other" ]]; then
      hpc_log "uid $uid for $name is taken by user $other" >&2; exit 1
    fi
    if [[ "$USER_ROLE" == jump ]]; then
      useradd --uid "$uid" --gid "$uid" --shell "$shell" --no-create-home --home-dir /nonexistent "$name"
    else
      # No skeleton here: the home's files live on premises (controller-home mounts them).
      useradd --uid "$uid" --gid "$uid" --shell "$shell" --no-create-home --home-dir "/home/$name" "$name"
    fi
    # A locked password: keys are the only way in.
    usermod -p '*' "$name"
    hpc_note "user $name ($uid, $USER_ROLE)"
  fi
  if [[ "$USER_ROLE" == login ]]; then
    # The mount point, private like the home that covers it: the empty directory a
    # user sees while the home is away gives nobody else a way in.
    if mountpoint -q "/home/$name"; then
      hpc_same
    elif [[ "$(stat -c '%a %u %g' "/home/$name" 2>/dev/null)" == "700 $uid $uid" ]]; then
      hpc_same
    else
      install -d -m 0700 -o "$uid" -g "$uid" "/home/$name"
      hpc_note "/home/$name"
    fi
  fi
done

# Every listed user is a member, and a user listed again after an offboarding gets
# their login back (the loop above set their shell; unlock and unexpire here).
for entry in ${CLUSTER_USERS:-}; do
  name=${entry%%:*}
  if id -nG "$name" | tr ' ' '\n' | grep -qxF "$CLUSTER_GROUP"; then
    hpc_same
  else
    usermod -aG "$CLUSTER_GROUP" "$name"
    hpc_note "$name in $CLUSTER_GROUP"
  fi
  if [[ "$(getent shadow "$name" | cut -d: -f8)" == 1 ]]; then
    usermod -e '' -p '*' "$name"
    hpc_note "$name: login restored"
  fi
done

offboard() {
  local u=$1 changed=0
  if [[ -e "/etc/ssh/authorized_keys/$u" ]]; then rm -f "/etc/ssh/authorized_keys/$u"; changed=1; fi
  if [[ "$(getent shadow "$u" | cut -d: -f8)" != 1 || "$(getent passwd "$u" | cut -d: -f7)" != /usr/sbin/nologin ]]; then
    usermod -L -e 1 -s /usr/sbin/nologin "$u"
    changed=1
  fi
  if systemctl is-enabled --quiet "hpc-home@$u.service" 2>/dev/null || systemctl is-active --quiet "hpc-home@$u.service"; then
    systemctl disable --now --quiet "hpc-home@$u.service"
    systemctl reset-failed "hpc-home@$u.service" 2>/dev/null || true
    changed=1
  fi
  # Their sessions and whatever they left running on this host.
  if pgrep -u "$u" >/dev/null; then pkill -KILL -u "$u" || true; changed=1; fi
  if ((changed)); then hpc_note "offboarded $u: key, login, home mount and processes gone; files kept"; else hpc_same; fi
}
members=$(getent group "$CLUSTER_GROUP" | cut -d: -f4)
for member in ${members//,/ }; do
  [[ "$listed" == *" $member "* ]] || offboard "$member"
done

# The bastion's jump-only drop-in (SSHD_JUMP_CONF, planned for the jump role): sshd reads it on reload.
if [[ "$USER_ROLE" == jump ]] && hpc_changed "${SSHD_JUMP_CONF:?}"; then
  sshd -t
  systemctl reload ssh || systemctl restart ssh
  hpc_note "reloaded ssh"
fi
