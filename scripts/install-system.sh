#!/usr/bin/env bash
# Installs the Debian packages of scripts/apt-packages.txt that are not installed yet: as root, or through
# sudo (a hosted runner's user). .ci/run and the template repository's CI workflow run it.
set -euo pipefail
cd "$(dirname "$0")"

packages=()
while read -r package _; do
  packages+=("$package")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' apt-packages.txt)

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
