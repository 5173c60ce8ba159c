#!/usr/bin/env bash
# Install Debian packages the project needs beyond Python (gettext for the translation
# tools, chromium + chromium-driver for the browser tests, pgbouncer for the several-servers
# tests). Called by the Makefile only when a tool is missing. Runs apt-get as root;
# otherwise says what to install.
set -euo pipefail
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: $*. Install them with: sudo apt-get install -y $*" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A stale or empty package list makes apt-get install fail: refresh it first.
apt-get update -qq
apt-get install -y -qq "$@"
