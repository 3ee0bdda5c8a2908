#!/usr/bin/env bash
# bench.sh ROOTFS
#
# Times `/bin/true` from ROOTFS under minibox and under the runtimes it is
# compared with, in ONE hyperfine invocation so that the numbers come from the
# same machine in the same state and can be compared with each other:
#
#   minibox   final/minibox run --rootfs ROOTFS /bin/true
#   crun      crun run of an OCI bundle whose rootfs is ROOTFS (inside
#             `unshare -m` with the cgroup2 mount hidden on a hybrid host)
#   runc      runc run of the same bundle
#   bwrap     bwrap --unshare-all --bind ROOTFS / --proc /proc --dev /dev
#   unshare   unshare --fork --pid --mount --uts --ipc --net chroot ROOTFS
#   bare      ROOTFS/bin/busybox true, run directly on the host
#
# From chapter 7 on, minibox runs with --net none (only lo, as the bundle's
# network namespace), and twice more as root: --net bridge, and --net bridge
# with one published port (-p BENCH_PORT:80). podman run --network bridge
# with runc, from an image imported from ROOTFS, is timed when podman is
# installed (it is not installed by scripts/deps.sh).
#
# From chapter 8 on, minibox also runs /bin/true from an image imported from
# ROOTFS (one layer), with --rm: the row next to the --rootfs one is the cost
# of the overlay mount and of the container's upper and work dirs. A second,
# separate hyperfine run times `minibox image import` of one large layer
# (BENCH_LAYER_MB of generated files) into an empty store against `tar -x` of
# the same tarball, and `sha256sum` of it (the digest pass import makes first).
#
# From chapter 9 on, a daemon is started for the bench (its own --root and
# --socket under build/bench, as root): one more row in the main run,
# `run --rm --net none --rootfs ROOTFS /bin/true` sent through the daemon,
# and its ratio to the direct row (the target is under 1.5x; reported, never
# asserted). Two more rows compare the callers: the same run sent by a
# member of the daemon's group who is not root (a user and group made for
# the bench with useradd, with a subordinate range, removed at the end), and
# by root, both started through `setpriv` (the member's container runs in a
# user namespace of the member's ids, its --rootfs opened as the member,
# with the daemon's default limits); their ratio is reported (target:
# within 1.2x). Every other minibox row is made to run directly whatever
# listens on /run/minibox (MINIBOX_SOCKET points at a path where nothing
# does). Then the daemon's memory: its VmRSS from /proc at rest, with
# BENCH_DETACHED (default 100) containers started with `run -d --net none
# ... sleep 1000`, and again once they are stopped and removed; the
# monitors' and the containers' memory is given beside it.
#
# plus reference rows that explain the others: the cost of runc's `sh -c`
# (for a unique container id) and of crun's `unshare -m` wrapper alone, and
# unshare+chroot without the network namespace (minibox's four namespaces
# through chapter 4).
#
# A runtime that is missing or refuses to run is listed as "unavailable:
# reason"; it does not stop the others. Everything the runtimes write goes to
# build/bench/ (their --root included, nothing in /run) and is deleted at the
# end; the script then checks that no mount, cgroup or process is left.
#
# Environment: BENCH_WARMUP (default 20), BENCH_RUNS (default 200), MINIBOX
# (the binary to time, default final/minibox), BENCH_PORT (the host port of
# the -p row, default 30000 + pid % 20000), BENCH_LAYER_MB (the size of the
# imported layer, default 256), BENCH_IMPORT_RUNS (default 10),
# BENCH_DETACHED (the detached containers of the memory measurement,
# default 50).
# Results: build/bench/results.json (hyperfine), build/bench/table.md,
# build/bench/layers.json (the import run), build/bench/daemon.log and
# build/bench/daemon-memory.txt (chapter 9), build/bench/targets.md (the
# targets of issue #20, each row against its bound: see `target` below).
set -euo pipefail

usage="usage: bench.sh ROOTFS"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
[ -d "$1" ] || { echo "bench: $1 is not a directory (run: make rootfs)" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
rootfs=$(realpath "$1")
out=$repo/build/bench
minibox=${MINIBOX:-$repo/final/minibox} # MINIBOX=path: another build
[ -e "$minibox" ] && minibox=$(realpath "$minibox")
warmup=${BENCH_WARMUP:-20}
runs=${BENCH_RUNS:-200}
tag=mb-bench-$$ # prefix of every container id, cgroup and state dir of this run
bench_port=${BENCH_PORT:-$((30000 + $$ % 20000))} # the host port of the -p row
detached=${BENCH_DETACHED:-50} # chapter 9: containers for the daemon's memory
q() { printf '%q' "$1"; }
# Chapter 9: with a daemon listening, `minibox run` would go through it. The
# direct rows must stay direct whatever runs on this machine: nothing
# listens on this path. The daemon row names its own socket (--socket wins
# over the environment).
export MINIBOX_SOCKET=$out/no-daemon.sock
daemon_sock=$out/daemon.sock daemon_root=$out/daemon-root daemon_pid=""
member=$tag member_made="" member_rootfs="" # chapter 9: the bench's member of the daemon's group

command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (run: scripts/deps.sh bench)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 is missing" >&2; exit 1; }
[ -x "$rootfs/bin/busybox" ] || { echo "bench: $rootfs/bin/busybox is missing (run: make rootfs)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/runc-state" "$out/crun-state" "$out/minibox-root" "$out/bundle"

# ---------------------------------------------------------------- cleanup --
leftovers() { # what this run could leave behind, one line each
    local r id
    for r in runc crun; do
        [ -d "$out/$r-state" ] && command -v "$r" >/dev/null || continue
        for id in $("$r" --root "$out/$r-state" list -q 2>/dev/null || true); do
            echo "$r container $id"
        done
    done
    find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$tag-*" 2>/dev/null | sed 's/^/cgroup /'
    grep -F -e " $rootfs" -e " $out" /proc/self/mountinfo | awk '{print "mount " $5}' || true
    pgrep -a -f -- "$tag-" | grep -v -e "^$$ " -e pgrep | sed 's/^/process /' || true
    # chapter 7: a lease of this run's containers (their veths, nft rules go with it)
    grep -F " $out/minibox-root/" /run/minibox/net/leases 2>/dev/null | sed 's/^/minibox lease /' || true
    # chapter 9: the bench's daemon, its monitors and its state
    pgrep -a -f -- "--socket $daemon_sock" | sed 's/^/process /' || true
    [ -e "$daemon_root" ] && echo "state $daemon_root"
    [ -e "$daemon_sock" ] && echo "socket $daemon_sock"
    getent passwd "$member" >/dev/null && echo "user $member"
    getent group "$member" >/dev/null && echo "group $member"
    [ -n "$member_rootfs" ] && [ -e "$member_rootfs" ] && echo "rootfs copy $member_rootfs"
    true
}

cleanup() {
    local r id d
    for r in runc crun; do
        [ -d "$out/$r-state" ] && command -v "$r" >/dev/null || continue
        for id in $("$r" --root "$out/$r-state" list -q 2>/dev/null || true); do
            "$r" --root "$out/$r-state" delete -f "$id" >/dev/null 2>&1 || true
        done
        # Keep the state of a container that would not go: leftovers() lists it.
        [ -z "$("$r" --root "$out/$r-state" list -q 2>/dev/null || true)" ] && rm -rf "$out/$r-state"
    done
    # Deepest first, so that a cgroup's children go before it.
    find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -depth -type d -name "$tag-*" 2>/dev/null |
        while read -r d; do rmdir "$d" 2>/dev/null || true; done
    # chapter 8: the import runs' filesystem
    if grep -qF " $out/layer/mnt " /proc/self/mountinfo; then umount "$out/layer/mnt" || true; fi
    rm -rf "$out/minibox-root" "$out/layer" "$out/rootfs.tar"
    # chapter 10: the read-only mount of the binary's copy
    if grep -qF " $out/ro-bin " /proc/self/mountinfo; then umount "$out/ro-bin" || true; fi
    rm -rf "$out/ro-bin"
    daemon_cleanup
    podman_cleanup
    # chapter 7: the network stays between containers; the bench's runs made
    # it if it was not there before, so it goes (not while others use it)
    if [ -z "${network_before:-yes}" ] && ip link show minibox0 >/dev/null 2>&1; then
        "$minibox" network rm >/dev/null 2>&1 && echo "removed: the network minibox0 (made by the bench's runs)"
    fi
}

# Chapter 9: the daemon's containers outlive it, so they go first (rm -f,
# directly on the daemon's --root), then the daemon (SIGTERM: it removes its
# socket), then its root.
daemon_cleanup() {
    local d i
    if [ -d "$daemon_root/containers" ]; then
        for d in "$daemon_root"/containers/*; do
            [ -d "$d" ] || continue
            "$minibox" --root "$daemon_root" rm -f "$(basename "$d")" >/dev/null 2>&1 || true
        done
    fi
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        for i in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$daemon_pid" 2>/dev/null && kill -KILL "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null || true
    fi
    daemon_pid=""
    rm -rf "$daemon_root" "$daemon_sock"
    if [ -n "$member_made" ]; then
        userdel "$member" >/dev/null 2>&1 || true
        groupdel "$member" >/dev/null 2>&1 || true
        member_made=""
    fi
    [ -n "$member_rootfs" ] && rm -rf "$member_rootfs"
    member_rootfs=""
}

# Chapter 9: a normal user, with a group of its own that the daemon serves
# and a subordinate range (useradd gives one), for the member rows. Sets
# member_err to the reason when there cannot be one.
member_err=""
make_member() {
    member_err=""
    command -v useradd >/dev/null || { member_err="useradd not installed (passwd)"; return; }
    command -v setpriv >/dev/null || { member_err="setpriv not installed (util-linux)"; return; }
    useradd -M -U "$member" >/dev/null 2>&1 || { member_err="useradd $member failed"; return; }
    member_made=yes
    grep -q "^$member:" /etc/subuid 2>/dev/null && grep -q "^$member:" /etc/subgid 2>/dev/null ||
        { member_err="useradd gave $member no range in /etc/subuid and /etc/subgid"; return; }
    # The member opens the --rootfs itself: a checkout below a private dir
    # is out of its reach, so it gets a copy in a dir open to all.
    if ! setpriv --reuid "$member" --regid "$member" --clear-groups test -x "$rootfs/bin/busybox" 2>/dev/null; then
        member_rootfs=$(mktemp -d /tmp/mb-bench-rootfs.XXXXXX) && chmod 755 "$member_rootfs" &&
            cp -a "$rootfs/." "$member_rootfs" || member_err="could not copy the rootfs for $member"
    fi
}

# Podman: its containers and image live under build/bench (removed with the
# store; containers/storage keeps a private mount of its overlay dir there).
# Its network plugins also leave things in the host's network namespace: a
# bridge (cni-podman0 or podman0) and iptables-nft tables with CNI-* or
# NETAVARK* chains. Those that did not exist before the bench go.
podman_cleanup() {
    local m t
    [ -d "$out/podman-root" ] || return 0
    podman --root "$out/podman-root" --runroot "$out/podman-run" rm -af >/dev/null 2>&1 || true
    podman --root "$out/podman-root" --runroot "$out/podman-run" rmi -af >/dev/null 2>&1 || true
    # (no mount left is the usual case: grep's status 1 must not stop the script)
    { grep -F " $out/podman-" /proc/self/mountinfo || true; } | awk '{print $5}' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$out/podman-root" "$out/podman-run"
    for m in cni-podman0 podman0; do
        if ip link show "$m" >/dev/null 2>&1 && ! grep -qx "link $m" <<<"${host_net_before:-}"; then
            ip link del "$m" 2>/dev/null && echo "removed: bridge $m (made by podman's network plugins)"
        fi
    done
    for t in "ip filter" "ip nat" "ip6 filter" "ip6 nat" "inet netavark"; do
        grep -qx "table $t" <<<"${host_net_before:-}" && continue
        nft list table $t >/dev/null 2>&1 || continue
        # only chains podman's plugins make, or the base chains iptables-nft adds
        if ! nft list table $t | awk '$1 == "chain" { print $2 }' |
            grep -qvE '^(CNI-|NETAVARK|(PRE|POST)ROUTING$|INPUT$|OUTPUT$|FORWARD$)'; then
            nft delete table $t && echo "removed: nft table $t (made by podman's network plugins)"
        fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Processes in a pid namespace other than ours, before the bench: a container
# left running afterwards shows up as a new one.
foreign_pidns() {
    local self p ns
    self=$(readlink /proc/self/ns/pid)
    for p in /proc/[0-9]*; do
        ns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
        [ "$ns" = "$self" ] || echo "${p#/proc/} $ns"
    done | sort
}
foreign_before=$(foreign_pidns)
host_net_before=$( { ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print "link " $2 }'; nft list tables 2>/dev/null; } || true)
network_before=$(ip link show minibox0 2>/dev/null || true) # chapter 7: the bridge stays
rundirs() { ls -d /run/runc /run/crun 2>/dev/null || true; } # `crun --version` makes /run/crun
rundirs_before=$(rundirs)

# ------------------------------------------------------------ the entries --
# Each entry: name, command, a reason when unavailable, a note. hyperfine runs
# the commands without a shell (-N), split into words like a shell would, so
# that no shell start-up has to be estimated and subtracted: that estimate is
# off by about a millisecond here, more than the bare command costs. Only runc
# and crun get a `sh -c` (for a unique container id, `$$`); its cost is
# measured in a reference row.
names=() cmds=() reasons=() notes=()
add() { names+=("$1"); cmds+=("$2"); reasons+=("${3:-}"); notes+=("${4:-}"); }
# The rows the targets name, by key: `add ...; row[KEY]=${names[-1]}`.
declare -A row=()

# The targets (issue #20), one line each, computed at the end from the
# medians of this run:
#   target LABEL KIND BOUND A [B]
#   KIND ratio   median(A) / median(B) <= BOUND
#        delta   median(A) - median(B) <= BOUND milliseconds
#        import  the import run's median(A) / median(B) <= BOUND (layers.json)
#        rss-kb  the daemon's VmRSS with the detached containers <= BOUND kB
#                (its VmRSS at rest, before them, is shown beside it)
# A and B are row keys (row[KEY]) or, for import, the import run's command
# names. A helper adding a row adds its target line next to it; a target
# whose rows are missing or unavailable says so instead of a figure.
targets=()
target() { targets+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"${4:-}"$'\t'"${5:-}"); }

# Runs CMD three times; prints the reason of the first failure (empty = ok).
try_run() {
    local i err
    for i in 1 2 3; do
        if ! err=$(sh -c "$1" 2>&1 >/dev/null); then
            err=$(printf '%s\n' "$err" | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-90 || true)
            echo "${err:-exit status non-zero}"
            return
        fi
    done
}

true_in=/bin/true
bare="$(q "$rootfs/bin/busybox") true" # bin/true is an absolute link to /bin/busybox

# minibox, labelled with the newest chapter it implements.
# The chapter list is in sources.mk next to the binary (final/ or a copy);
# a step binary's --version names its step already.
# (SUITES ends with the full engine's own chapter, 10-beyond.)
step=$(sed -n -e 's/^SUITES[[:space:]]*:*=[[:space:]]*//p' -e 's/^STEPS[[:space:]]*:*=[[:space:]]*//p' \
    "$(dirname "$minibox")/sources.mk" 2>/dev/null | tail -n 1 | awk '{print $NF}' || true)
version=$("$minibox" --version 2>/dev/null || echo "minibox ?")
name="$version${step:+ (= $step)}"
if [ ! -x "$minibox" ]; then
    add "minibox" "" "not built (run: make all)"
else
    # From chapter 7 on, root's default network is the bridge: the main row
    # asks for --net none, a network namespace with only lo, which is what
    # the other runtimes' bundles get; the bridge rows come next.
    net_none="" has_net=""
    "$minibox" run --help 2>/dev/null | grep -q -- '--net ' && has_net=yes && net_none="--net none "
    cmd="$(q "$minibox") --root $(q "$out/minibox-root") run $net_none--rootfs $(q "$rootfs") $true_in"
    err=$(try_run "$cmd")
    # Which namespaces this build creates: compare the container's with ours.
    inside=""
    [ -z "$err" ] && inside=$("$minibox" --root "$out/minibox-root" run $net_none--rootfs "$rootfs" \
        /bin/ls -l /proc/self/ns 2>/dev/null || true)
    made=""
    for n in user pid mnt uts ipc net cgroup; do
        i=$(awk -v n="$n" '$(NF-2) == n { print $NF }' <<<"$inside")
        [ -n "$i" ] && [ "$i" != "$(readlink "/proc/self/ns/$n")" ] && made+="${made:+, }$n"
    done
    add "$name${has_net:+ --net none}" "$cmd" "$err" "${made:+new namespaces: $made}"
    row[none]=${names[-1]}

    # Chapter 10: what the hardening costs. The first row has it all
    # (capabilities, no_new_privs, masks, the cached seccomp filter, the
    # sealed re-exec). Without the filter; with every capability too (so
    # a sealed copy, as --privileged has); --privileged (no filter, no
    # masks, no device rules); and from a binary on a read-only mount, where nothing in a container
    # could write it, so minibox skips its sealed copy and second execve.
    if "$minibox" run --help 2>/dev/null | grep -q -- '--privileged'; then
        base="$(q "$minibox") --root $(q "$out/minibox-root") run $net_none"
        cmd="$base--security-opt seccomp=unconfined --rootfs $(q "$rootfs") $true_in"
        add "$name${has_net:+ --net none} seccomp=unconfined" "$cmd" "$(try_run "$cmd")" "no seccomp filter"
        # --privileged differs from this row only by its masked paths and
        # the device allowlist (devices cgroup on v1, a BPF program on v2),
        # so the pair gives their cost; setsid, one syscall in the
        # container's first process, is below what any row can show.
        cmd="$base--cap-add ALL --security-opt seccomp=unconfined --rootfs $(q "$rootfs") $true_in"
        add "$name${has_net:+ --net none} --cap-add ALL seccomp=unconfined" "$cmd" "$(try_run "$cmd")" "--privileged but for the masked paths and the device allowlist: the difference with the next row is their cost"
        cmd="$base--privileged --rootfs $(q "$rootfs") $true_in"
        add "$name${has_net:+ --net none} --privileged" "$cmd" "$(try_run "$cmd")" "all capabilities, no filter, no masked paths, no device rules"
        ro_err=""
        if [ "$(id -u)" != 0 ]; then
            ro_err="needs root (a bind mount)"
        else
            mkdir -p "$out/ro-bin" && cp "$minibox" "$out/ro-bin/minibox" &&
                mount --bind "$out/ro-bin" "$out/ro-bin" &&
                mount -o remount,bind,ro "$out/ro-bin" || ro_err="could not make a read-only bind mount"
        fi
        cmd="$(q "$out/ro-bin/minibox") --root $(q "$out/minibox-root") run $net_none--rootfs $(q "$rootfs") $true_in"
        [ -z "$ro_err" ] && ro_err=$(try_run "$cmd")
        add "$name${has_net:+ --net none}, binary on a read-only mount" "$cmd" "$ro_err" "hardened; minibox on a read-only mount needs no protection from CVE-2019-5736 (no minibox-exec, no sealed copy): the difference with the first row is that protection"
    fi

    # Chapter 7's bridge: a lease, a veth pair, an address and a route by
    # netlink. The network (minibox0, its address, the nft table) is made
    # by the first run (during try_run) and stays; the bench removes it at
    # the end if it was not there before. With -p, one more bound socket and
    # the DNAT map's elements, added and deleted by an nfnetlink batch each.
    if [ -z "$has_net" ]; then
        add "minibox --net bridge" "" "this build has no --net (chapter 7)"
    elif [ "$(id -u)" != 0 ]; then
        add "minibox --net bridge" "" "needs root"
    elif ! command -v nft >/dev/null; then
        add "minibox --net bridge" "" "nft not installed (apt-get install nftables)"
    else
        cmd="$(q "$minibox") --root $(q "$out/minibox-root") run --net bridge --rootfs $(q "$rootfs") $true_in"
        add "$name --net bridge" "$cmd" "$(try_run "$cmd")" "a veth pair and a lease per run; the bridge and the nft table stay"
        row[bridge]=${names[-1]}
        cmd="$(q "$minibox") --root $(q "$out/minibox-root") run --net bridge -p $bench_port:80 --rootfs $(q "$rootfs") $true_in"
        add "$name --net bridge -p $bench_port:80" "$cmd" "$(try_run "$cmd")" "as above, plus a held host port and its DNAT map element"
    fi

    # Chapter 8: the same rootfs as an image of one layer. Each run mounts
    # overlayfs (the layer as lowerdir, a new upper and work dir) and, with
    # --rm, removes the container's dirs and record at the end.
    if ! "$minibox" images >/dev/null 2>&1; then
        add "minibox IMAGE (overlay)" "" "this build has no images (chapter 8)"
    elif ! err=$(tar -C "$rootfs" -cf "$out/rootfs.tar" . 2>&1 &&
        "$minibox" --root "$out/minibox-root" image import "$out/rootfs.tar" "$tag-image" 2>&1 >/dev/null); then
        add "minibox IMAGE (overlay)" "" "image import failed: $(tail -n 1 <<<"$err" | cut -c1-80)"
    else
        cmd="$(q "$minibox") --root $(q "$out/minibox-root") run --rm $net_none$tag-image $true_in"
        add "$name${has_net:+ --net none} --rm IMAGE" "$cmd" "$(try_run "$cmd")" "the rootfs as a 1-layer image: overlay mount, upper + work dirs made and removed"
        row[image]=${names[-1]}
    fi

    # Chapter 9: the same run sent to a daemon. The client connects, sends
    # the request with its stdin, stdout and stderr (SCM_RIGHTS); a handler
    # process forked by the daemon runs the container with them and replies
    # with the exit status. --rm: through the daemon a run keeps its record
    # for ps -a unless told otherwise.
    # Started here, not in a $( ) subshell: daemon_pid must be this shell's.
    daemon_err=""
    if [ "$(id -u)" != 0 ]; then
        daemon_err="needs root"
    elif ! "$minibox" --help 2>/dev/null | grep -q '^  daemon '; then
        daemon_err="this build has no daemon (chapter 9)"
    else
        make_member
        daemon_group=()
        [ -z "$member_err" ] && daemon_group=(--group "$member")
        "$minibox" --root "$daemon_root" --socket "$daemon_sock" daemon "${daemon_group[@]}" >"$out/daemon.log" 2>&1 </dev/null &
        daemon_pid=$!
        daemon_err="the daemon did not listen on $daemon_sock within 5 s"
        for i in $(seq 100); do
            if python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$daemon_sock" 2>/dev/null; then
                daemon_err=""
                break
            fi
            kill -0 "$daemon_pid" 2>/dev/null || { daemon_err="the daemon exited: $(tail -n 1 "$out/daemon.log")"; break; }
            sleep 0.05
        done
    fi
    if [ -n "$daemon_err" ]; then
        add "minibox via the daemon" "" "$daemon_err"
    else
        cmd="$(q "$minibox") --socket $(q "$daemon_sock") run --rm $net_none--rootfs $(q "$rootfs") $true_in"
        add "$name via the daemon${has_net:+ --net none}" "$cmd" "$(try_run "$cmd")" "client -> unix socket -> handler process -> container; compare with the first row"
        row[daemon]=${names[-1]}
        # The callers compared: root and the member, each through setpriv
        # (the member row is otherwise the same run, in a user namespace).
        if [ -n "$member_err" ]; then
            add "$name via the daemon, as a member" "" "$member_err"
        else
            for who in root member; do
                if [ "$who" = root ]; then
                    as="setpriv --reuid 0 --regid 0 --clear-groups" r=$rootfs
                else
                    as="setpriv --reuid $member --regid $member --init-groups" r=${member_rootfs:-$rootfs}
                fi
                cmd="$as $(q "$minibox") --socket $(q "$daemon_sock") run --rm $net_none--rootfs $(q "$r") $true_in"
                add "$name via the daemon${has_net:+ --net none}, as $who (setpriv)" "$cmd" "$(try_run "$cmd")" \
                    "$([ "$who" = member ] && echo "a member who is not root: its own ids (user namespace), its own rootfs access, the default limits" || echo "the same through setpriv, for the member row")"
                row[daemon_$who]=${names[-1]}
            done
        fi
    fi
fi

# The OCI bundle shared by crun and runc.
bundle_err=""
if command -v runc >/dev/null; then
    (cd "$out/bundle" && runc spec) || bundle_err="runc spec failed"
elif command -v crun >/dev/null; then
    (cd "$out/bundle" && crun spec) || bundle_err="crun spec failed"
fi
if [ -z "$bundle_err" ] && [ -f "$out/bundle/config.json" ]; then
    python3 - "$out/bundle/config.json" "$rootfs" <<'EOF' || bundle_err="could not edit config.json"
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
with open(path) as f:
    spec = json.load(f)
spec["process"]["args"] = ["/bin/true"]
spec["process"]["terminal"] = False
# Writable like minibox's: a read-only root costs runc and crun one more remount.
spec["root"] = {"path": rootfs, "readonly": False}
spec["linux"]["namespaces"] = [{"type": t} for t in ("pid", "mount", "uts", "ipc", "network")]
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
EOF
fi

# crun refuses hybrid cgroup hosts (v1 controllers plus a cgroup2 mount); in
# a private mount namespace without that cgroup2 mount it runs.
unified=/sys/fs/cgroup/unified
crun_wrap="" runc_wrap=""
if ! command -v crun >/dev/null; then
    add "crun" "" "crun not installed (run: make deps-check; scripts/deps.sh bench)"
elif [ -n "$bundle_err" ]; then
    add "crun" "" "$bundle_err"
else
    crun="sh -c $(q "exec crun --root $(q "$out/crun-state") run --bundle $(q "$out/bundle") $tag-crun-\$\$")"
    err=$(try_run "$crun")
    if [ -n "$err" ] && mountpoint -q "$unified"; then
        crun_wrap=yes
        crun="unshare -m sh -c $(q "umount $unified; exec crun --root $(q "$out/crun-state") run --bundle $(q "$out/bundle") $tag-crun-\$\$")"
        err2=$(try_run "$crun")
        [ -n "$err2" ] && err="$err; in unshare -m: $err2" || err=""
        add "crun (in unshare -m, cgroup2 hidden)" "$crun" "$err" "hybrid cgroups: $unified hidden in a private mount ns"
    else
        add "crun" "$crun" "$err"
    fi
    row[crun]=${names[-1]}
fi

if ! command -v runc >/dev/null; then
    add "runc" "" "runc not installed (run: scripts/deps.sh bench)"
elif [ -n "$bundle_err" ]; then
    add "runc" "" "$bundle_err"
else
    cmd="sh -c $(q "exec runc --root $(q "$out/runc-state") run --bundle $(q "$out/bundle") $tag-runc-\$\$")"
    add "runc" "$cmd" "$(try_run "$cmd")" "started by sh -c (unique id)"
    runc_wrap=yes
fi

# The OCI lifecycle a caller drives, `create; start; delete -f` of the same
# bundle (youki's published method), for minibox next to runc and crun
# (crun in the same private mount ns as its run row on hybrid hosts).
oci_cycle() { # RUNTIME-COMMAND ROOT ID-PREFIX: a sh -c line, a new id per run
    local c="$1 --root $(q "$2")"
    printf 'sh -c %s' "$(q "id=$3-\$\$; $c create --bundle $(q "$out/bundle") \$id && $c start \$id && $c delete -f \$id")"
}
if [ -n "$bundle_err" ] || [ ! -f "$out/bundle/config.json" ]; then
    add "OCI create+start+delete: minibox" "" "${bundle_err:-no bundle: runc or crun writes it}"
elif ! "$minibox" features >/dev/null 2>&1; then
    add "OCI create+start+delete: minibox" "" "this minibox is no OCI runtime (chapter 10 adds it)"
else
    cmd=$(oci_cycle "$(q "$minibox")" "$out/minibox-root" "$tag-oci")
    add "OCI create+start+delete: minibox" "$cmd" "$(try_run "$cmd")" "three processes, as a caller runs them"
    row[oci_minibox]=${names[-1]}
fi
if command -v runc >/dev/null && [ -z "$bundle_err" ]; then
    cmd=$(oci_cycle runc "$out/runc-state" "$tag-ocirunc")
    add "OCI create+start+delete: runc" "$cmd" "$(try_run "$cmd")"
    row[oci_runc]=${names[-1]}
fi
if command -v crun >/dev/null && [ -z "$bundle_err" ]; then
    cmd=$(oci_cycle crun "$out/crun-state" "$tag-occrun")
    [ -n "$crun_wrap" ] && cmd="unshare -m sh -c $(q "umount $unified; exec $cmd")"
    add "OCI create+start+delete: crun${crun_wrap:+ (in unshare -m)}" "$cmd" "$(try_run "$cmd")"
    row[oci_crun]=${names[-1]}
fi

# Podman with runc and its default bridge network (CNI or netavark), from an
# image imported from ROOTFS into a store of its own under build/bench.
# As root it needs the two --ulimit where the session's hard limits are low
# (nofile 20000 on the course VM, and root may not raise it there): podman
# asks for more by default and runc fails with "error setting rlimit type 7:
# operation not permitted".
podman_args=()
if ! command -v podman >/dev/null; then
    add "podman (runc, --network bridge)" "" "podman not installed (apt-get install podman)"
elif ! command -v runc >/dev/null; then
    add "podman (runc, --network bridge)" "" "runc not installed"
else
    podman_args=(--root "$out/podman-root" --runroot "$out/podman-run")
    if ! err=$(tar -C "$rootfs" -c . 2>/dev/null | podman "${podman_args[@]}" import - localhost/$tag-busybox 2>&1 >/dev/null); then
        add "podman (runc, --network bridge)" "" "podman import failed: $(tail -n 1 <<<"$err" | cut -c1-80)"
    else
        cmd="podman $(q "${podman_args[0]}") $(q "${podman_args[1]}") $(q "${podman_args[2]}") $(q "${podman_args[3]}") run --rm --runtime runc --network bridge --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 localhost/$tag-busybox $true_in"
        add "podman (runc, --network bridge)" "$cmd" "$(try_run "$cmd")" "podman $(podman --version | awk '{print $NF}'), network backend $(podman "${podman_args[@]}" info --format '{{.Host.NetworkBackend}}' 2>/dev/null || echo '?')"
    fi
fi

if ! command -v bwrap >/dev/null; then
    add "bwrap" "" "bwrap not installed (run: scripts/deps.sh bench)"
else
    cmd="bwrap --unshare-all --bind $(q "$rootfs") / --proc /proc --dev /dev $true_in"
    add "bwrap" "$cmd" "$(try_run "$cmd")" "user, mnt, pid, uts, ipc, net, cgroup"
    row[bwrap]=${names[-1]}
fi

if ! command -v unshare >/dev/null; then
    add "unshare + chroot" "" "unshare not installed (util-linux)"
else
    cmd="unshare --fork --pid --mount --uts --ipc --net chroot $(q "$rootfs") $true_in"
    add "unshare + chroot" "$cmd" "$(try_run "$cmd")" "pid, mnt, uts, ipc, net; chroot"
    row[unshare]=${names[-1]}
fi

add "bare (busybox true on the host)" "$bare" "$(try_run "$bare")" "no container"

# Reference rows.
if [ -n "$runc_wrap" ]; then
    cmd="sh -c $(q "exec $bare")"
    add "ref: runc's wrapper alone (sh -c exec)" "$cmd" "$(try_run "$cmd")" "part of the runc row"
fi
if [ -n "$crun_wrap" ]; then
    cmd="unshare -m sh -c $(q "umount $unified; exec $bare")"
    add "ref: crun's wrapper alone (unshare -m, umount)" "$cmd" "$(try_run "$cmd")" "part of the crun row"
fi
if command -v unshare >/dev/null; then
    cmd="unshare --fork --pid --mount --uts --ipc chroot $(q "$rootfs") $true_in"
    add "ref: unshare + chroot without --net" "$cmd" "$(try_run "$cmd")" "pid, mnt, uts, ipc"
fi

# The targets of issue #20. Rows not measured by this build (no chapter 9,
# not root) come out as "not measured".
target "hardened run --net none vs bwrap" ratio 1.0 none bwrap
target "the same vs crun (crun's wrapper included)" ratio 0.35 none crun
target "--net bridge vs --net none" ratio 1.5 bridge none
target "run --rm IMAGE vs --rootfs" delta 1.0 image none
target "image import of a large layer vs tar -x" import 1.0 "minibox image import" "tar -x"
# (tar -x leaves the layer in the page cache; import writes it out before
# it publishes it, as tar -x then sync -f does)
target "the same vs tar -x, then sync -f" import 1.0 "minibox image import" "tar -x, then sync -f (what import also does: one syncfs before publishing)"
target "through the daemon vs direct" ratio 1.0 daemon none
target "a member through the daemon vs root through it (#16)" ratio 1.2 daemon_member daemon_root
target "daemon VmRSS with $detached detached containers (2 MB in #20: keep)" rss-kb 2560
target "OCI create+start+delete vs crun's (#19)" ratio 1.0 oci_minibox oci_crun
target "OCI create+start+delete vs runc's" ratio 1.0 oci_minibox oci_runc

# ---------------------------------------------------------- environment --
{
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel:  $(uname -srm)"
    echo "cpu:     $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1) x $(nproc)"
    echo "minibox: $minibox, sha256 $( (sha256sum "$minibox" 2>/dev/null || echo '?') | cut -c1-12)$(
        [ "$minibox" = "$repo/final/minibox" ] &&
        echo ", tree $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(
            [ -n "$(git -C "$repo" status --porcelain -- final 2>/dev/null)" ] && echo ' + uncommitted changes in final/')")"
    echo "cgroups: $(if mountpoint -q "$unified"; then echo "hybrid (v1 + cgroup2 at $unified)"; elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo v2; else echo v1; fi)"
    echo "tools:   $(hyperfine --version | head -n 1); $(command -v runc >/dev/null && runc --version | head -n 1 || echo 'runc -'); $(command -v crun >/dev/null && crun --root "$out/crun-state" --version | head -n 1 || echo 'crun -'); $(command -v bwrap >/dev/null && bwrap --version || echo 'bwrap -'); $(unshare --version 2>/dev/null | head -n 1)$(command -v podman >/dev/null && echo "; $(podman --version)")"
    echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before the bench"
    echo "runs:    $warmup warmup + $runs timed per command, one hyperfine -N invocation$([ "$(id -u)" = 0 ] && echo ', nice -n -10')"
} >"$out/env.txt"
cat "$out/env.txt"
load1=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }' &&
    echo "bench: load average $load1 on $(nproc) CPUs: other work is running, the times will be inflated and noisy" >&2
echo

# ------------------------------------------------------------- the bench --
args=(-N --warmup "$warmup" --runs "$runs" --ignore-failure
      --export-json "$out/results.json")
todo=()
for i in "${!names[@]}"; do
    if [ -z "${reasons[$i]}" ]; then
        todo+=(--command-name "${names[$i]}" "${cmds[$i]}")
    else
        echo "bench: ${names[$i]}: unavailable: ${reasons[$i]}" >&2
    fi
done

# The entries, in order, for the table.
python3 - "$out/entries.json" "${names[@]/#/n:}" "${cmds[@]/#/c:}" "${reasons[@]/#/r:}" "${notes[@]/#/o:}" <<'EOF'
import json, sys
path, rest = sys.argv[1], sys.argv[2:]
n = len(rest) // 4
rows = [dict(name=rest[i][2:], command=rest[n + i][2:], reason=rest[2 * n + i][2:], note=rest[3 * n + i][2:])
        for i in range(n)]
json.dump(rows, open(path, "w"), indent=2)
EOF

status=0
if [ "${#todo[@]}" -gt 0 ]; then
    # --show-output lets the commands' stderr through, into a log (their
    # stdout is empty): the reason of a failed run is kept.
    # Raised priority (root only): other work on the machine then disturbs
    # the runs less; the runtimes' children inherit it.
    nice=()
    [ "$(id -u)" = 0 ] && nice=(nice -n -10)
    "${nice[@]}" hyperfine --show-output "${args[@]}" "${todo[@]}" 2>"$out/stderr.log" ||
        { status=$?; echo "bench: hyperfine failed (status $status)" >&2; }
    if grep -q '[^[:space:]]' "$out/stderr.log"; then
        echo "bench: stderr of the runs and hyperfine ($out/stderr.log), by count:" >&2
        grep '[^[:space:]]' "$out/stderr.log" | cut -c1-160 | sort | uniq -c | sort -rn | head -n 20 >&2
    fi
else
    echo "bench: nothing to measure" >&2
    status=1
fi

# --------------------------------------------------------------- the table --
echo
python3 - "$out/entries.json" "$out/results.json" "$out/env.txt" "$out/table.md" <<'EOF'
import json, os, statistics, sys
entries_path, results_path, env_path, table_path = sys.argv[1:]
entries = json.load(open(entries_path))
results = {}
if os.path.exists(results_path):
    for r in json.load(open(results_path))["results"]:
        results[r["command"]] = r


def ms(x):
    return f"{x * 1000:.2f}"

def stats(r):
    """Median, mean, stddev of the runs that exited 0, and the failed count."""
    codes = r.get("exit_codes") or [0] * len(r["times"])
    ok = [t for t, c in zip(r["times"], codes) if c == 0]
    if not ok:
        return None, len(codes)
    return (statistics.median(ok), statistics.mean(ok),
            statistics.stdev(ok) if len(ok) > 1 else 0.0), len(codes) - len(ok)

crun = next((stats(results[e["name"]])[0] for e in entries
             if e["name"].startswith("crun") and e["name"] in results and not e["reason"]), None)

rows = []
for e in entries:
    r = results.get(e["name"])
    if e["reason"] or r is None:
        reason = e["reason"] or "no result from hyperfine"
        rows.append([e["name"], f"unavailable: {reason}", "", "", e["note"]])
        continue
    st, failed = stats(r)
    if st is None:
        rows.append([e["name"], f"unavailable: all {failed} runs failed (see stderr.log)", "", "", e["note"]])
        continue
    median, mean, sd = st
    note = e["note"]
    if failed:
        note = (note + "; " if note else "") + f"{failed}/{len(r['times'])} runs failed, not counted"
    ratio = f"{median / crun[0]:.2f}x" if crun else "n/a"
    rows.append([e["name"], ms(median), f"{ms(mean)} ± {ms(sd)}", ratio, note])

head = ["command", "median ms", "mean ± stddev ms", "vs crun", "notes"]
widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
print(line(head))
print(line(["-" * w for w in widths]))
for row in rows:
    print(line(row))

with open(table_path, "w") as f:
    for l in open(env_path):
        f.write("    " + l)
    f.write("\n| " + " | ".join(head) + " |\n|" + "|".join(["---", "--:", "--:", "--:", "---"]) + "|\n")
    for row in rows:
        f.write("| " + " | ".join(str(c) for c in row) + " |\n")
print(f"\nresults: {results_path}\ntable:   {table_path}")
EOF

# ------------------------------------------------ chapter 9: the daemon --
# The ratio of the daemon row to the direct one, then the daemon's memory:
# VmRSS from /proc at rest (after the runs above), with $detached detached
# containers, and once they are stopped and removed. Beside it, for scale,
# what the containers cost elsewhere: each detached container has a monitor
# (a minibox process that waits for it; the daemon, a child subreaper,
# adopts it when its handler ends) and the container's own processes.
# Sums of RSS count shared pages once per process; PSS shares them out.
if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kb() { awk -v k="$2" '$1 == k":" { print $2; exit }' "$1" 2>/dev/null || echo 0; }
    sum_kb() { # FIELD FILE PID...: the sum of one /proc/PID/FILE field
        local field=$1 file=$2 p s=0 v
        shift 2
        for p in "$@"; do v=$(kb "/proc/$p/$file" "$field"); s=$((s + ${v:-0})); done
        echo "$s"
    }
    # (not the daemon's spare handler, minibox-spare, waiting for the next client)
    monitors() { pgrep -P "$daemon_pid" | while read -r p; do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = minibox-spare ] || echo "$p"; done | tr '\n' ' ' || true; }
    containers() { local m; for m in $(monitors); do pgrep -P "$m" || true; done | tr '\n' ' '; }
    mem_row() { # LABEL
        local m c
        m=$(monitors) c=$(containers)
        # shellcheck disable=SC2086 # word lists of pids
        printf '| %s | %s | %d | %s | %s | %d | %s |\n' "$1" "$(kb "/proc/$daemon_pid/status" VmRSS)" \
            "$(wc -w <<<"$m")" "$(sum_kb VmRSS status $m)" "$(sum_kb Pss smaps_rollup $m)" \
            "$(wc -w <<<"$c")" "$(sum_kb Pss smaps_rollup $c)"
    }
    {
        echo
        python3 - "$out/results.json" "$name${has_net:+ --net none}" "$name via the daemon${has_net:+ --net none}" <<'PYEOF' || true
import json, statistics, sys
path, direct, daemon = sys.argv[1:]
res = {r["command"]: r for r in json.load(open(path))["results"]}
def med(n):
    r = res[n]
    codes = r.get("exit_codes") or [0] * len(r["times"])
    return statistics.median([t for t, c in zip(r["times"], codes) if c == 0])
d, m = med(direct), med(daemon)
print(f"Through the daemon: {m * 1000:.2f} ms against {d * 1000:.2f} ms direct (medians), "
      f"{m / d:.2f}x (chapter 9's bound: under 1.5x; {'met' if m / d < 1.5 else 'not met'}; "
      f"#20's is in the targets).")
PYEOF
        echo
        echo "The daemon's memory, in kB ($detached detached containers: run -d --net none ROOTFS sleep 1000):"
        echo
        echo "| daemon | daemon VmRSS | monitors | monitors' RSS (sum) | monitors' PSS (sum) | container processes | containers' PSS (sum) |"
        echo "|---|--:|--:|--:|--:|--:|--:|"
        mem_row "at rest, after the runs above"
        kb "/proc/$daemon_pid/status" VmRSS >"$out/daemon-rss-rest-kb"
        started=$(date +%s.%N) failed=0
        : >"$out/detached.ids"
        for i in $(seq "$detached"); do
            # to a file, not $( ): nothing waits for the client's stdout to close
            "$minibox" --socket "$daemon_sock" run -d --net none --rootfs "$rootfs" sleep 1000 \
                >>"$out/detached.ids" 2>>"$out/daemon-clients.log" || failed=$((failed + 1))
        done
        took=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
        sleep 1
        mem_row "with $(grep -c . "$out/detached.ids" || true) detached containers"
        kb "/proc/$daemon_pid/status" VmRSS >"$out/daemon-rss-kb"
        mapfile -t ids <"$out/detached.ids"
        started=$(date +%s.%N)
        if [ "${#ids[@]}" -gt 0 ]; then
            "$minibox" --socket "$daemon_sock" stop -t 0 "${ids[@]}" >/dev/null 2>>"$out/daemon-clients.log" || failed=$((failed + 1))
            "$minibox" --socket "$daemon_sock" rm "${ids[@]}" >/dev/null 2>>"$out/daemon-clients.log" || failed=$((failed + 1))
        fi
        took_stop=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
        sleep 1
        mem_row "after stop -t 0 and rm of all of them"
        echo
        echo "Starting the $detached took $took s (one client after the other), stopping and removing them $took_stop s; $failed client call(s) failed$([ "$failed" -gt 0 ] && echo ": see $out/daemon-clients.log")."
        echo "Left in the daemon's store: $("$minibox" --socket "$daemon_sock" ps -a | tail -n +2 | wc -l) container(s)."
    } | tee "$out/daemon-memory.txt"
    cat "$out/daemon-memory.txt" >>"$out/table.md"
fi

# ------------------------------------------- chapter 8: importing a layer --
# One large layer, generated (incompressible file data, and many small files
# for the metadata): minibox image import into an empty store (one pass:
# libarchive's secure extraction with the digest taken from the same
# stream, whiteout handling, one syncfs and a rename into the store)
# against GNU tar -x of the same tarball into an empty dir, the same
# followed by sync -f (the fair comparison, durability included), and
# sha256sum of it alone. Each run writes into a filesystem made for it
# (--prepare, not timed: mke2fs of a sparse image under build/bench, loop
# mounted): on a filesystem reused from the run before, ext4's inode
# allocator steps over the inodes the previous run's rm -rf just freed, and
# the same tar -x took anywhere from 0.4 to 9 s on this machine, which
# drowned what the two commands themselves cost. Without root, mke2fs or a
# loop device the runs reuse one directory, emptied before each run, and
# the table says so. The tarball stays in the page cache.
if "$minibox" images >/dev/null 2>&1; then
    layer_mb=${BENCH_LAYER_MB:-256}
    import_runs=${BENCH_IMPORT_RUNS:-10}
    L=$out/layer
    mkdir -p "$L"
    python3 - "$L/src" "$layer_mb" <<'EOF'
import os, sys
root, mb = sys.argv[1], int(sys.argv[2])
# 90% of the bytes in 64 KiB files, the rest in 1 KiB files (100 per dir)
big, small = mb * 1024 * 9 // 10 // 64, mb * 1024 // 10
for i in range(big):
    d = os.path.join(root, "big", "%02x" % (i % 256))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        f.write(os.urandom(65536))
for i in range(small):
    d = os.path.join(root, "small", "d%d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        f.write(os.urandom(1024))
EOF
    tar -C "$L/src" -cf "$L/layer.tar" . && rm -rf "$L/src"
    layer_info="$(du -m "$L/layer.tar" | cut -f1) MB, $(tar -tf "$L/layer.tar" | wc -l) entries"
    # The prepare step: a fresh ext4 at $L/mnt (4 times the layer), or an
    # emptied dir when that cannot be had.
    fresh=$L/fresh.sh dest=$L/mnt
    mkdir -p "$dest"
    cat >"$fresh" <<EOF
#!/bin/sh
set -e
if mountpoint -q $(q "$dest"); then umount $(q "$dest"); fi
mke2fs -q -F -t ext4 $(q "$L/fs.img") >/dev/null 2>&1
mount -o loop $(q "$L/fs.img") $(q "$dest")
mkdir $(q "$dest/x")
EOF
    chmod +x "$fresh"
    if [ "$(id -u)" = 0 ] && command -v mke2fs >/dev/null &&
        truncate -s "$((4 * $(du -m "$L/layer.tar" | cut -f1) + 256))M" "$L/fs.img" && "$fresh" 2>/dev/null; then
        layer_info="$layer_info, each run into a new ext4"
    else
        printf '#!/bin/sh\nrm -rf %s && mkdir -p %s\n' "$(q "$dest")" "$(q "$dest/x")" >"$fresh"
        layer_info="$layer_info, each run into the same filesystem (no loop mount here: times vary widely)"
    fi
    echo
    echo "chapter 8: import of one layer ($layer_info), $import_runs runs each"
    inice=()
    [ "$(id -u)" = 0 ] && inice=(nice -n -10)
    "${inice[@]}" hyperfine -N --warmup 1 --runs "$import_runs" --export-json "$out/layers.json" \
        --command-name "minibox image import" \
        --prepare "$(q "$fresh")" \
        "$(q "$minibox") --root $(q "$dest/store") image import $(q "$L/layer.tar") $tag-big" \
        --command-name "tar -x" \
        --prepare "$(q "$fresh")" \
        "tar -x -f $(q "$L/layer.tar") -C $(q "$dest/x")" \
        --command-name "tar -x, then sync -f (what import also does: one syncfs before publishing)" \
        --prepare "$(q "$fresh")" \
        "sh -c $(q "tar -x -f $(q "$L/layer.tar") -C $(q "$dest/x") && sync -f $(q "$dest/x")")" \
        --command-name "sha256sum (the digest alone)" \
        --prepare true \
        "sha256sum $(q "$L/layer.tar")" >"$L/hyperfine.log" 2>&1 ||
        { status=1; echo "bench: the import bench failed:" >&2; tail -n 5 "$L/hyperfine.log" >&2; }
    [ -f "$out/layers.json" ] && python3 - "$out/layers.json" "$layer_info" "$out/table.md" <<'EOF'
import json, statistics, sys
path, info, table = sys.argv[1:]
res = json.load(open(path))["results"]
tar = next(statistics.median(r["times"]) for r in res if r["command"] == "tar -x")
head = ["command", "median ms", "mean ± stddev ms", "vs tar -x"]
rows = [[r["command"], f"{statistics.median(r['times']) * 1000:.0f}",
         f"{r['mean'] * 1000:.0f} ± {(r['stddev'] or 0) * 1000:.0f}",
         f"{statistics.median(r['times']) / tar:.2f}x"] for r in res]
w = [max(len(x[i]) for x in rows + [head]) for i in range(4)]
for row in [head, ["-" * n for n in w]] + rows:
    print("  ".join(c.ljust(n) for c, n in zip(row, w)).rstrip())
with open(table, "a") as f:
    f.write(f"\nImport of one layer ({info}):\n\n| " + " | ".join(head) + " |\n|---|--:|--:|--:|\n")
    for row in rows:
        f.write("| " + " | ".join(row) + " |\n")
EOF
fi

# ------------------------------------------------------------- targets --
# Each target of issue #20 with its figure from this run, met or not; also
# put first in table.md, so that the table people copy starts with it.
printf '%s\n' "${targets[@]}" >"$out/targets.tsv"
for k in "${!row[@]}"; do printf '%s\t%s\n' "$k" "${row[$k]}"; done >"$out/rows.tsv"
python3 - "$out" "$(cut -d' ' -f1 /proc/loadavg)" <<'EOF'
import json, os, statistics, sys
out, load = sys.argv[1], sys.argv[2]

def medians(path):
    if not os.path.exists(path):
        return {}
    m = {}
    for r in json.load(open(path))["results"]:
        codes = r.get("exit_codes") or [0] * len(r["times"])
        ok = [t for t, c in zip(r["times"], codes) if c == 0]
        if ok:
            m[r["command"]] = statistics.median(ok) * 1000
    return m

main, imp = medians(f"{out}/results.json"), medians(f"{out}/layers.json")
rows = dict(l.rstrip("\n").split("\t", 1) for l in open(f"{out}/rows.tsv") if "\t" in l)
def read(path):
    return open(path).read().strip() if os.path.exists(path) else ""
rss, rss_rest = read(f"{out}/daemon-rss-kb"), read(f"{out}/daemon-rss-rest-kb")

lines = []
for spec in open(f"{out}/targets.tsv"):
    label, kind, bound, a, b = (spec.rstrip("\n").split("\t") + [""] * 5)[:5]
    bound = float(bound)
    if kind in ("ratio", "delta"):
        ma, mb = main.get(rows.get(a)), main.get(rows.get(b))
        if ma is None or mb is None:
            missing = a if ma is None else b
            lines.append([label, "not measured", f"row '{missing}' missing or failed", "-"])
            continue
        if kind == "ratio":
            value, shown, goal = ma / mb, f"{ma:.2f} / {mb:.2f} ms = {ma / mb:.2f}x", f"<= {bound:g}x"
        else:
            value, shown, goal = ma - mb, f"{ma:.2f} - {mb:.2f} ms = {ma - mb:+.2f} ms", f"<= +{bound:g} ms"
    elif kind == "import":
        ma, mb = imp.get(a), imp.get(b)
        if ma is None or mb is None:
            lines.append([label, "not measured", "no import run", "-"])
            continue
        value, shown, goal = ma / mb, f"{ma:.0f} / {mb:.0f} ms = {ma / mb:.2f}x", f"<= {bound:g}x"
    elif kind == "rss-kb":
        if not rss:
            lines.append([label, "not measured", "no daemon run", "-"])
            continue
        value, goal = float(rss), f"<= {bound:g} kB"
        shown = f"{int(rss)} kB" + (f" (at rest: {int(rss_rest)} kB)" if rss_rest else "")
    else:
        lines.append([label, "?", f"unknown kind {kind}", "-"])
        continue
    lines.append([label, shown, goal, "met" if value <= bound else "NOT met"])

head = ["target (issue #20)", "this run", "goal", ""]
w = [max(len(x[i]) for x in lines + [head]) for i in range(4)]
print(f"\nTargets (load average {load} when they were measured):")
for r in [head, ["-" * n for n in w]] + lines:
    print("  ".join(c.ljust(n) for c, n in zip(r, w)).rstrip())
md = ["| " + " | ".join(head) + " |", "|---|--:|--:|---|"] + ["| " + " | ".join(r) + " |" for r in lines]
open(f"{out}/targets.md", "w").write("\n".join(md) + "\n")
table = f"{out}/table.md"
rest = open(table).read() if os.path.exists(table) else ""
open(table, "w").write(f"Targets (issue #20; load average {load} at the end of the run):\n\n"
                       + "\n".join(md) + "\n\n" + rest)
EOF

# ------------------------------------------------------------ leftovers --
cleanup
# Only what the bench itself made counts: its containers, cgroups ($tag-*),
# mounts, leases, daemon and the processes of its containers. Other tools
# and test suites may run on the machine meanwhile: what they leave (a
# /run/runc, containers of their own) is reported and does not fail the
# bench (issue #20: a /run/runc left by runc made it fail).
left=$(leftovers) foreign=""
new=$(comm -13 <(echo "$rundirs_before") <(rundirs) | grep -v '^$' || true)
[ -n "$new" ] && foreign+="${foreign:+$'\n'}$(echo "$new" | sed 's/^/state dir made meanwhile (the bench gave runc and crun --root under build\/bench): /')"
# A process of a pid namespace that did not exist before; the last container
# may still be exiting, so look three times. It is the bench's own when its
# command line names the bench's rootfs, output dir or tag.
for try in 1 2 3; do
    new=$(comm -13 <(echo "$foreign_before") <(foreign_pidns) | grep -v '^$' || true)
    [ -z "$new" ] && break
    sleep 1
done
if [ -n "$new" ]; then
    while read -r pid ns; do
        line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || echo '(gone)')
        case "$line" in
        *"$rootfs"* | *"$out"* | *"$tag"*) left+="${left:+$'\n'}process $pid in $ns: $line" ;;
        *) foreign+="${foreign:+$'\n'}process $pid in $ns: $line" ;;
        esac
    done <<<"$new"
fi
if [ -n "$foreign" ]; then
    echo "bench: left by others on this machine meanwhile (not counted):" >&2
    echo "$foreign" | sed 's/^/  /' >&2
fi
if [ -n "$left" ]; then
    echo "bench: left behind:" >&2
    echo "$left" | sed 's/^/  /' >&2
    status=1
else
    echo "clean:   no container state, cgroup ($tag-*), mount, lease or container process of the bench left"
fi
exit $status
