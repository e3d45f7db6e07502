#!/usr/bin/env bash
# Runs before `npm test`: makes sure the two tools the suites drive from outside npm are here.
# Debian's Chromium (the editor suites) is installed when missing and we may use apt-get; the moto
# emulator (the AWS suites) comes with this machine image, so it is only checked.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test setup: installing Debian chromium for the browser suites (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "test setup: /usr/bin/chromium is missing; install it with: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "test setup: the moto emulator is missing; install it with: python3 -m pip install 'moto[server]>=5,<6'" >&2
  exit 1
fi
