#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image:
# install minibox's Debian/Ubuntu dependencies and build what grading needs
# (the rootfs with the probe, and the suite binaries).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "${AUTOGRADER_ROOT:-/autograder}/source/minibox"
apt-get update -q
scripts/deps.sh build
# The step binaries too: the lesson tests run their attack against the step
# before the defence (steps/NN-*/minibox).
make rootfs test-binaries step-binaries
