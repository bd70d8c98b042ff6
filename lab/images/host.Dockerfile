# EC2 stand-in for the lab: the platform's Debian (13) with systemd as PID 1, like the Debian cloud AMI.
# Deliberately NO slurm/munge/mariadb: the bootstrap scripts install those over SSH, as on EC2.
#
# Build (context = lab/images):
#   docker build -f lab/images/host.Dockerfile --build-arg BASE_IMAGE=hpc-stack/debian:trixie \
#     -t hpc-stack/host:dev lab/images
# Run (never --privileged: it fails here with "unable to apply caps"):
#   docker run -d --cap-add SYS_ADMIN --security-opt seccomp=unconfined --tmpfs /run --tmpfs /run/lock \
#     -v /sys/fs/cgroup:/sys/fs/cgroup:ro -e ADMIN_AUTHORIZED_KEYS="ssh-ed25519 AAAA..." hpc-stack/host:dev
# Admin key at run time: env ADMIN_AUTHORIZED_KEYS, or a file uploaded to
# /etc/hpc/admin_authorized_keys or /home/admin/.ssh/authorized_keys before start.
# Optional pre-made host keys: upload /etc/ssh/ssh_host_*_key(.pub) before start; otherwise generated at first boot.
# No default: the platform names the release once (components/plan/platform.ts), and
# every build passes it.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ENV container=docker DEBIAN_FRONTEND=noninteractive

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      systemd systemd-sysv dbus openssh-server sudo python3 ca-certificates iproute2 procps less \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

# Host keys baked into an image would be shared by every container; generate per container instead.
RUN rm -f /etc/ssh/ssh_host_* \
 # Units that only make sense on real hardware or fail without it in a container.
 && systemctl mask getty.target console-getty.service systemd-remount-fs.service \
      systemd-firstboot.service sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
 # Like the Debian cloud AMI: user admin, passwordless sudo, no usable password (key-only).
 && useradd -m -s /bin/bash -G sudo admin \
 && usermod -p '*' admin && usermod -p '*' root \
 && printf 'admin ALL=(ALL) NOPASSWD:ALL\n' >/etc/sudoers.d/90-admin && chmod 440 /etc/sudoers.d/90-admin \
 && install -d -m 700 -o admin -g admin /home/admin/.ssh

# What the Debian cloud AMI ships: key-only, no root login. The bootstrap later adds
# config-files/ssh/sshd-hardening.conf exactly as it does on EC2.
RUN printf '%s\n' 'PasswordAuthentication no' 'KbdInteractiveAuthentication no' 'PermitRootLogin no' \
      >/etc/ssh/sshd_config.d/10-ami-defaults.conf
COPY host/hpc-firstboot.sh /usr/local/sbin/hpc-firstboot
COPY host/hpc-firstboot.service /etc/systemd/system/hpc-firstboot.service
RUN chmod 755 /usr/local/sbin/hpc-firstboot && systemctl enable hpc-firstboot.service ssh.service

STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
