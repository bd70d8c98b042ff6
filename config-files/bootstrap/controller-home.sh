# shellcheck shell=bash
# Step controller-home: each cluster user's /home/<user> on the controller is their
# home on premises, mounted with sshfs (hpc-home@<user>.service) through the home
# server's tunnel. The units retry until the server's tunnel is up, which happens
# after this step (compute and home containers start after the bootstrap).
# Env: HOME_MOUNT_USERS (space separated), HOME_PORT.
# Stdin: homeClientPrivateKey, homeHostPublicKey.

hpc_install_planned
hpc_apt sshfs

install -d -m 0755 /etc/hpc/home
hpc_file_from_secret homeClientPrivateKey /etc/hpc/home/id_ed25519 0600 root:root
# The server's generated host key, pinned: sshfs never trusts on first use.
hpc_file /etc/hpc/home/known_hosts 0644 root:root < <(printf '[127.0.0.1]:%s %s\n' "$HOME_PORT" "$(hpc_secret homeHostPublicKey)")
hpc_reload_units /etc/systemd/system/hpc-home@.service

for u in ${HOME_MOUNT_USERS:-}; do
  hpc_service "hpc-home@$u.service" /etc/systemd/system/hpc-home@.service /etc/hpc/home/home.env \
    /etc/hpc/home/id_ed25519 /etc/hpc/home/known_hosts
done
