# minibox: a container engine in nine chapters.
#
#   make demo             install what is missing, build, run a container
#   make test             every step against its suites, then final against all
#   make test STEP=03 [MINIBOX=path]   suites 01..03 against one binary
#   make grade [STEP=NN [ONLY=NN]] [MINIBOX=path] [FORMAT=tap] [RESULTS=dir]  the score
#                         table; writes results.json, junit.xml, results.tap,
#                         classroom.json (docs/grading.md); ONLY=NN: that suite alone
#   make start STEP=NN DIR=path   a lab workspace: step NN with the code chapter NN
#                         teaches cut out (TODO(NN)), graded against 01..NN; make next
#                         there goes on to NN+1 (docs/architecture.md#labs)
#   make student-repo DIR=path    a GitHub Classroom template: the chapter-01 workspace,
#                         docs without solutions, the suites; no reference code
#   make check-labs       every workspace builds, fails its suite at its holes, and
#                         is its step once filled; make next and student-repo work
#   make gradescope-bundle [STEP=NN]  the Gradescope autograder zip, in build/gradescope/
#   make test-grader      the grader's own fixtures
#   make steps            regenerate steps/ from final/ (unifdef)
#   make check-steps      fail when steps/ is stale
#   make check-docs       diagrams fresh, links resolve, captured sessions re-run
#   make check-discriminating  each suite must fail on the previous step
#   make test-vm [STEP=NN] [MINIBOX=path] [GUEST=plain]  the suites in a qemu VM on cgroup v2:
#                         a Debian 12 guest with systemd, from a login session and as a
#                         logged-in user; no root needed (docs/testing-in-a-vm.md);
#                         make test-vm-selftest
#   make vm-shell [CMD='...']  the course VM: a shell (or CMD) in that guest (docs/setup.md)
#   make vm-image         fetch the VM's kernel, build its initramfs and image, boot nothing
#   make analyze          the clang static analyzer over final/ (any finding fails)
#   make check-format     fail when clang-format would change a file
#   make rootfs | diagrams | docs | bench | deps | format | clean

include final/sources.mk

BUILD   := build
ROOTFS  := $(BUILD)/rootfs
PROBE   := $(BUILD)/probe
STEP    ?=
MINIBOX ?=
Q       := @

.DEFAULT_GOAL := all
.PHONY: fuzz rootfs-for all final step-binaries demo test test-asan grade steps check-steps \
        check-discriminating rootfs probe test-binaries deps deps-check docs diagrams \
        bench format check-format analyze clean start gradescope-bundle test-grader student-repo \
        check-labs check-docs

all: final step-binaries

final:
	$(Q)$(MAKE) -s -C final

step-binaries:
	$(Q)for s in $(STEPS); do $(MAKE) -s -C steps/$$s || exit 1; done

deps:
	$(Q)scripts/deps.sh build docs

# Install only when something is missing, so `make test` stays quick.
deps-check:
	$(Q)scripts/deps.sh --check build >/dev/null 2>&1 || scripts/deps.sh build

probe: $(PROBE)
$(PROBE): tests/probe/probe.c | deps-check
	$(Q)mkdir -p $(BUILD)
	$(Q)$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

rootfs: $(ROOTFS)/.built
$(ROOTFS)/.built: scripts/mkrootfs.sh $(PROBE)
	$(Q)scripts/mkrootfs.sh $(ROOTFS) $(PROBE)
	$(Q)touch $@

# A copy owned by a normal user, for rootless runs (chapter 6):
#   sudo make rootfs-for USER_NAME=alice   ->  build/rootfs-alice
rootfs-for: $(PROBE)
	$(Q)test -n "$(USER_NAME)" || { echo "usage: make rootfs-for USER_NAME=name" >&2; exit 2; }
	$(Q)scripts/mkrootfs.sh $(BUILD)/rootfs-$(USER_NAME) $(PROBE) $(USER_NAME)

test-binaries: deps-check
	$(Q)$(MAKE) -s -C tests

demo: deps-check all rootfs
	$(Q)scripts/demo.sh final/minibox $(ROOTFS)

test: deps-check all rootfs test-binaries
	$(Q)tests/run.sh --rootfs $(ROOTFS) $(if $(STEP),--step $(STEP)) $(if $(MINIBOX),--minibox $(MINIBOX))

# The same suites in a throwaway qemu VM on Debian's stock kernel and cgroup v2:
# a Debian 12 image with systemd (default), or GUEST=plain, the host's / shared
# read-only over 9p (docs/testing-in-a-vm.md).
.PHONY: test-vm test-vm-selftest vm-shell vm-image
test-vm: deps-check $(if $(MINIBOX),,all) rootfs test-binaries
	$(Q)scripts/deps.sh --check vm >/dev/null 2>&1 || scripts/deps.sh vm
	$(Q)scripts/vm/run.sh $(if $(GUEST),--guest $(GUEST)) $(if $(STEP),--step $(STEP)) $(if $(MINIBOX),--minibox $(MINIBOX))

# The course VM (docs/setup.md): the systemd guest with the checkout shared
# read-write and qemu's network; CMD runs one command in it instead of a shell.
# Needs no build: the VM builds. (On a Mac the VM's files come from make vm-image,
# run in a Linux container.)
vm-shell:
	$(Q)scripts/vm/run.sh --shell $(if $(CMD),--cmd '$(subst ','\'',$(CMD))')

vm-image: rootfs
	$(Q)scripts/deps.sh --check vm >/dev/null 2>&1 || scripts/deps.sh vm
	$(Q)scripts/vm/run.sh --prepare

test-vm-selftest: deps-check all rootfs test-binaries
	$(Q)scripts/deps.sh --check vm >/dev/null 2>&1 || scripts/deps.sh vm
	$(Q)tests/vm/selftest.sh

# The same suites on a binary built with AddressSanitizer and UBSan. ASan
# writes its reports (leaks too) to files, one a process (log_path), and any
# report fails the target: the daemon's stderr is a log no test reads, and
# a runtime under Podman or containerd writes to their logs. The dir is
# open to all: the rootless tests run minibox as other users. UBSan reports
# on stderr whatever log_path says, and ends the process (the build's
# -fno-sanitize-recover): a failed run. The CVE-2019-5736 re-enactment
# preloads a library of its own into minibox: ASan must not refuse to run
# for that.
ASAN_REPORTS = $(abspath $(BUILD))/asan/reports
test-asan: deps-check rootfs test-binaries
	$(Q)$(MAKE) -s -C final O=$(abspath $(BUILD))/asan SANITIZE=1
	$(Q)rm -rf $(ASAN_REPORTS) && mkdir -p $(dir $(ASAN_REPORTS)) && mkdir -m 1777 $(ASAN_REPORTS)
	$(Q)ASAN_OPTIONS=verify_asan_link_order=0:log_path=$(ASAN_REPORTS)/asan \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run.sh --rootfs $(ROOTFS) --step $(firstword $(subst -, ,$(lastword $(SUITES)))) \
	        --minibox $(BUILD)/asan/minibox; status=$$?; \
	    for f in $(ASAN_REPORTS)/*; do \
	        [ -e "$$f" ] || continue; echo "== sanitizer report $$f"; cat "$$f"; status=1; \
	    done; exit $$status

# Grading a given MINIBOX needs no reference binaries built.
grade: deps-check $(if $(MINIBOX),,all) rootfs test-binaries
	$(Q)tests/run.sh --grade --rootfs $(ROOTFS) $(if $(STEP),--step $(STEP)) $(if $(MINIBOX),--minibox $(MINIBOX)) \
	  $(if $(ONLY),--only $(ONLY)) $(if $(FORMAT),--format $(FORMAT)) $(if $(RESULTS),--results $(RESULTS))

start:
	$(Q)python3 scripts/lab.py start "$(STEP)" "$(DIR)"

student-repo:
	$(Q)python3 scripts/lab.py student-repo "$(DIR)"

check-labs: deps-check all rootfs test-binaries
	$(Q)scripts/check-labs.sh $(ROOTFS)

check-docs: deps-check all rootfs
	$(Q)scripts/deps.sh --check docs >/dev/null 2>&1 || scripts/deps.sh docs
	$(Q)scripts/check-docs.sh

gradescope-bundle: deps-check
	$(Q)tests/grader/gradescope/bundle.sh $(BUILD)/gradescope $(STEP)

test-grader: deps-check all rootfs test-binaries
	$(Q)tests/grader/test-grader.sh $(ROOTFS)

check-discriminating: deps-check all rootfs test-binaries
	$(Q)tests/check-discriminating.sh $(ROOTFS)

steps:
	$(Q)scripts/gen-steps.sh steps

check-steps:
	$(Q)tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	scripts/gen-steps.sh $$tmp && \
	for s in $(STEPS); do \
	  diff -ru -x obj -x minibox $$tmp/$$s steps/$$s || { echo "steps/$$s is stale: run make steps" >&2; exit 1; }; \
	done && \
	extra=$$(ls steps | grep -vxF -e "$$(echo $(STEPS) | tr ' ' '\n')" || true) && \
	{ [ -z "$$extra" ] || { echo "steps/ holds unknown steps: $$extra" >&2; exit 1; }; } && \
	echo "steps/ matches final/" && \
	scripts/chapter-diffs.sh --check && echo "the chapters' generated diffs match steps/"

diagrams:
	$(Q)scripts/deps.sh --check docs >/dev/null 2>&1 || scripts/deps.sh docs
	$(Q)mkdir -p docs/img
	$(Q)for f in diagrams/*.dot; do dot -Tsvg $$f -o docs/img/$$(basename $$f .dot).svg || exit 1; done
	$(Q)echo "diagrams rendered into docs/img/"

docs: diagrams
	$(Q)scripts/chapter-diffs.sh

# The daemon's message parser under libFuzzer (clang from Debian), for a
# bounded number of runs: CI proves it survives; `make fuzz FUZZ_RUNS=0`
# fuzzes until stopped. Seeds: the messages the real client sends
# (tests/fuzz/seed-corpus.py), and hand-made malformed ones.
FUZZ_RUNS ?= 50000
fuzz: final
	$(Q)scripts/deps.sh --check fuzz >/dev/null 2>&1 || scripts/deps.sh fuzz
	$(Q)mkdir -p $(BUILD)/fuzz/corpus
	$(Q)rm -rf $(BUILD)/fuzz/seeds
	$(Q)python3 tests/fuzz/seed-corpus.py final/minibox $(BUILD)/fuzz/seeds
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ifinal/src \
	    tests/fuzz/fuzz_protocol.c final/src/protocol.c final/src/error.c final/src/util.c \
	    -ljansson -o $(BUILD)/fuzz/fuzz_protocol
	$(Q)$(BUILD)/fuzz/fuzz_protocol -runs=$(FUZZ_RUNS) -max_len=4096 \
	    -dict=tests/fuzz/protocol.dict $(BUILD)/fuzz/corpus $(BUILD)/fuzz/seeds \
	    tests/fuzz/corpus/protocol

bench: all rootfs
	$(Q)scripts/deps.sh --check bench >/dev/null 2>&1 || scripts/deps.sh bench
	$(Q)scripts/bench.sh $(ROOTFS)

format:
	$(Q)clang-format -i final/src/*.[ch] tests/*/*.[ch]

# The same style, checked (CI): a file clang-format would change fails.
check-format:
	$(Q)clang-format --dry-run --Werror final/src/*.[ch] tests/*/*.[ch] && echo "format: clean"

# The clang static analyzer over the full engine (which holds every step's
# code): any finding fails (CI).
analyze:
	$(Q)scripts/deps.sh --check analyze >/dev/null 2>&1 || scripts/deps.sh analyze
	$(Q)rm -rf $(BUILD)/analyze
	$(Q)scan-build -o $(BUILD)/analyze/report --status-bugs -analyze-headers \
	    $(MAKE) -s -C final O=$(abspath $(BUILD))/analyze CC=clang

clean:
	$(Q)$(MAKE) -s -C final clean
	$(Q)for s in $(STEPS); do $(MAKE) -s -C steps/$$s clean; done
	$(Q)rm -rf $(BUILD)
