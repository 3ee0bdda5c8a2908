#!/usr/bin/env bash
# tests/vm/selftest.sh: the VM runner's own tests (`make test-vm-selftest`).
#
# Each case boots the VM with scripts/vm/run.sh and checks the status and the
# one-line report that the host prints: the runner must never turn a failing
# suite, a panicked or hung guest, or a guest that died without a word into a
# pass. Needs build/rootfs, the test binaries and steps/01-chroot/minibox
# (make all rootfs test-binaries). About two minutes under emulation.
# Ends with "N passed, N failed"; exit 1 if any case failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
# The plain guest (the host's /, a shell as PID 1) unless a case says otherwise:
# it boots in seconds and has the panic, hang and fail-init modes.
export MB_VM_GUEST=plain
run=scripts/vm/run.sh
logs=build/vm/selftest
rm -rf "$logs" && mkdir -p "$logs"
passed=0 failed=0 n=0

# check NAME WANT_STATUS WANT_PATTERN [ENV=VALUE...] -- RUN_ARGS...: one boot.
check() {
    local name=$1 want=$2 pattern=$3 envs=() out rc
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    n=$((n + 1))
    out=$(env MB_VM_QUIET=1 "${envs[@]}" "$run" "$@" 2>&1)
    rc=$?
    cp build/vm/console.log "$logs/$n-$name.console.log" 2>/dev/null
    cp build/vm/out/results.txt "$logs/$n-$name.results.txt" 2>/dev/null
    printf '%s\n' "$out" >"$logs/$n-$name.out"
    if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then
        passed=$((passed + 1))
        echo "ok $n - $name (status $rc)"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name: status $rc (want $want), output:"
        printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
    fi
}
# results_have FILE PATTERN [FROM]: FILE (results brought back through the
# share), from its first line matching FROM on, has a line matching PATTERN.
results_have() {
    n=$((n + 1))
    # grep without -q reads to the end: with -q it may exit at the first
    # match while sed still writes, and pipefail then reports sed's SIGPIPE.
    if sed -n "/${3:-^}/,\$p" "$logs/$1" | grep -E -- "$2" >/dev/null; then
        passed=$((passed + 1)); echo "ok $n - $1 has /$2/"
    else
        failed=$((failed + 1)); echo "not ok $n - $1 lacks /$2/"
    fi
}

echo "# VM runner selftests (logs in $logs)"
# A passing suite gives 0; the normal-user hook runs, where every suite skips
# (they need root until the rootless chapter).
check pass 0 'status 0 .*[1-9][0-9]* passed, 0 failed' MB_VM_USER=always -- --step 01
results_have 1-pass.results.txt 'suites as root'
results_have 1-pass.results.txt 'suites as mbtest \(uid 60000\)'
results_have 1-pass.results.txt '^[0-9]+ passed, 0 failed, [1-9][0-9]* skipped' 'suites as mbtest'
# A failing suite: the step-01 suites against a "minibox" that always fails.
check failing-suite 1 'status 1 .*[1-9][0-9]* failed' MB_VM_USER=never -- --step 01 --minibox /bin/false
# Any status the guest reports comes back as it is.
check status-7 7 'status 7' 'MB_VM_MODE=cmd' 'MB_VM_CMD=exit 7' --
# The guest kernel panics (sysrq c): status 3, reported as a panic.
check panic 3 '^test-vm: PANIC: .*sysrq' MB_VM_MODE=panic --
# The guest hangs: the host's timeout stops it, status 4.
check hang 4 '^test-vm: HANG: .*within 45s' MB_VM_MODE=hang -- --timeout 45
# The guest cannot be set up: status 2 with the guest's reason.
check setup-failure 2 'could not be set up: .*pretending' MB_VM_MODE=fail-init --
# The guest powers off without a status (as if its init were killed): 5.
check no-status 5 'without reporting a status' 'MB_VM_MODE=cmd' 'MB_VM_CMD=echo o >/proc/sysrq-trigger; sleep 30' --

# The systemd guest (a Debian image, systemd as PID 1, the job in a login
# session) maps statuses the same way: a failing suite, any status.
check systemd-failing-suite 1 'status 1 .*[1-9][0-9]* failed' MB_VM_GUEST=systemd MB_VM_USER=never -- --step 01 --minibox /bin/false
results_have 11-systemd-failing-suite.results.txt 'login shell in /user.slice/user-0.slice/session-[0-9]+.scope'
check systemd-status-7 7 'status 7' MB_VM_GUEST=systemd 'MB_VM_MODE=cmd' 'MB_VM_CMD=exit 7' --

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
