# shellcheck shell=bash
# Step bastion-ssh / controller-ssh: key-only sshd, and the tunnel user whose keys
# may forward exactly their node's ports and nothing else. Runs after <host>-hostkey,
# which installed the generated host key, so its connection pins that key.
# Env: HOST_NAME, TUNNEL_USER, TUNNEL_KEYS: lines "<node> <authorized_keys options>",
#      ADMIN_USER.
# Stdin: adminPublicKey, tunnelPublicKey/<node> for every node.
# Keys go to /etc/ssh/authorized_keys/<user> (sshd-hardening.conf), which the
# drop-in makes the only place sshd looks: they are written before sshd reloads.

hpc_install_planned

# The name Slurm and the tunnels use for this host, whatever the AMI set.
if [[ "$(hostname -s)" != "$HOST_NAME" ]]; then
  hostnamectl set-hostname "$HOST_NAME" 2>/dev/null || hostname "$HOST_NAME"
  hpc_note "hostname $HOST_NAME"
else
  hpc_same
fi
if grep -qE "^127\.0\.1\.1[[:space:]]+$HOST_NAME\$" /etc/hosts; then
  hpc_same
else
  # Not sed -i: /etc/hosts is a bind mount in containers and cannot be replaced.
  hosts=$(grep -v -E "^127\.0\.1\.1[[:space:]]" /etc/hosts || true)
  printf '%s\n127.0.1.1 %s\n' "$hosts" "$HOST_NAME" >/etc/hosts
  hpc_note "/etc/hosts: $HOST_NAME"
fi

if id "$TUNNEL_USER" >/dev/null 2>&1; then
  hpc_same
else
  # No password, no shell: the user exists only to hold forwarding keys.
  useradd --system --create-home --home-dir "/home/$TUNNEL_USER" --shell /usr/sbin/nologin "$TUNNEL_USER"
  usermod -p '*' "$TUNNEL_USER"
  hpc_note "user $TUNNEL_USER"
fi

keys=""
while read -r node options; do
  [[ -n "$node" ]] || continue
  keys+="$options $(hpc_secret "tunnelPublicKey/$node") hpc-tunnel-$node"$'\n'
done <<<"$TUNNEL_KEYS"
# Root-owned, so no user (or a key that slips its restrictions) can add keys.
if [[ "$(stat -c '%a %U' /etc/ssh/authorized_keys 2>/dev/null)" != "755 root" ]]; then
  install -d -m 0755 -o root -g root /etc/ssh/authorized_keys
fi
hpc_file "/etc/ssh/authorized_keys/$TUNNEL_USER" 0644 root:root < <(printf '%s' "$keys")
# The AMI put admin's key in its home; from now on sshd reads only this copy.
hpc_file "/etc/ssh/authorized_keys/$ADMIN_USER" 0644 root:root < <(printf '%s\n' "$(hpc_secret adminPublicKey)")
# Keys the tunnel user had before they moved: nothing reads them now.
rm -f "/home/$TUNNEL_USER/.ssh/authorized_keys"

install -d -m 0755 /run/sshd
sshd -t
if hpc_changed /etc/ssh/sshd_config.d/50-hpc-hardening.conf || hpc_changed /etc/ssh/sshd_config.d/40-hpc-ec2.conf; then
  systemctl reload ssh || systemctl restart ssh
  hpc_note "reloaded ssh"
fi
