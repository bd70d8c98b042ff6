# shellcheck shell=bash
# Step bastion-hostkey / controller-hostkey: the host key Pulumi generated, installed
# first and alone. Every later step to this host pins it (steps.ts pinnedHosts), and
# this step's command and stdin hold nothing but this key, so it runs again only when
# the instance is replaced: adding a node, changing a user or editing sshd's config
# never reaches the host unverified.
# Env: HOST_KEY (the generated name of this host's key). Stdin: $HOST_KEY.

hpc_install_planned

hpc_file_from_secret "$HOST_KEY" /etc/ssh/ssh_host_ed25519_key 0600 root:root
if hpc_changed /etc/ssh/ssh_host_ed25519_key || [[ ! -s /etc/ssh/ssh_host_ed25519_key.pub ]]; then
  ssh-keygen -y -f /etc/ssh/ssh_host_ed25519_key >/etc/ssh/ssh_host_ed25519_key.pub
  chmod 0644 /etc/ssh/ssh_host_ed25519_key.pub
fi
install -d -m 0755 /run/sshd
if hpc_changed /etc/ssh/ssh_host_ed25519_key; then
  sshd -t
  systemctl reload ssh || systemctl restart ssh
  hpc_note "reloaded ssh with the generated host key"
else
  hpc_same
fi
