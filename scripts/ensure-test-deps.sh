#!/usr/bin/env bash
# Makes sure the machine has what the test suite drives for real: OpenSSH's sshd (the test hosts),
# ssh-keygen, sudo (sudo steps), ShellCheck (lint), tmux (the pseudo-terminal end-to-end test),
# haproxy, keepalived, etcd, containerd, iproute2, systemd-analyze (the HA lab), Ansible
# (inventories are compared with ansible-inventory) and nc (a ProxyCommand test).
# Installs what is missing with apt-get when run as root; otherwise says what to install.
set -euo pipefail

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v sudo >/dev/null 2>&1 || need+=(sudo)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# The HA lab (test/runbooks/haLab.test.ts): the k8s-ha runbook's rendered pieces run for real in
# network namespaces.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v keepalived >/dev/null 2>&1 || need+=(keepalived)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ansible-inventory >/dev/null 2>&1 || need+=(ansible)
# `runbook export ansible` is checked against the real ansible-playbook (test/e2e/exportAnsible.test.ts).
command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible)
command -v nc >/dev/null 2>&1 || need+=(netcat-openbsd)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "runbook tests need: ${need[*]} (install them, e.g. apt-get install -y ${need[*]}), and must run as root: they start sshd servers and create the test user rbtest" >&2
    exit 1
  fi
  echo "installing test dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "runbook tests must run as root: they start sshd servers on loopback and create the test user rbtest" >&2
  exit 1
fi
mkdir -p /run/sshd
