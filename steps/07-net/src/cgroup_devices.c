/*
 * cgroup_devices.c - see cgroup_devices.h.
 *
 * The same list, two enforcers:
 *
 *   cgroup v1   the devices controller: "a" written to devices.deny empties
 *               the list, then each rule goes to devices.allow or
 *               devices.deny, in order ("c 1:3 rwm").
 *   cgroup v2   no devices controller: a small BPF program of type
 *               BPF_PROG_TYPE_CGROUP_DEVICE, attached to the cgroup, which
 *               the kernel runs on every open and mknod of a device node
 *               and whose return value (1 allow, 0 refuse) decides.
 *
 * The program is written here instruction by instruction, as crun does:
 * for each rule, from the last to the first, a block that jumps to the next
 * block when the type, the access, the major or the minor differ, and
 * otherwise returns the rule's verdict; after the last block, "refuse".
 * A library (libbpf) would compile it from C, but it would need a compiler
 * for BPF at build time (clang) for a program of a few dozen instructions.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_devices.h"
#include "util.h"

/* runc's and Docker's default: every node may be made (so that tar and
 * package managers that create nodes keep working), none may be opened but
 * these. */
const struct device_rule device_rules_default[] = {
    {'a', DEVICE_ANY, DEVICE_ANY, DEVICE_RWM, false},  /* nothing, to start with */
    {'c', DEVICE_ANY, DEVICE_ANY, DEVICE_MKNOD, true}, /* mknod of any node ... */
    {'b', DEVICE_ANY, DEVICE_ANY, DEVICE_MKNOD, true}, /* ... opening it is refused */
    {'c', 1, 3, DEVICE_RWM, true},                     /* /dev/null */
    {'c', 1, 5, DEVICE_RWM, true},                     /* /dev/zero */
    {'c', 1, 7, DEVICE_RWM, true},                     /* /dev/full */
    {'c', 1, 8, DEVICE_RWM, true},                     /* /dev/random */
    {'c', 1, 9, DEVICE_RWM, true},                     /* /dev/urandom */
    {'c', 5, 0, DEVICE_RWM, true},                     /* /dev/tty */
    {'c', 5, 1, DEVICE_RWM, true},                     /* /dev/console */
    {'c', 5, 2, DEVICE_RWM, true},                     /* /dev/ptmx */
    {'c', 136, DEVICE_ANY, DEVICE_RWM, true},          /* /dev/pts/N */
};
const size_t device_rules_default_count =
    sizeof(device_rules_default) / sizeof(device_rules_default[0]);

/* ------------------------------------------------------------------------
 * The v1 text form.
 * ------------------------------------------------------------------------ */

static int parse_number(const char *s, const char **end, int64_t *out)
{
    char *e;
    long long v;

    if (*s == '*') {
        *out = DEVICE_ANY;
        *end = s + 1;
        return 0;
    }
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &e, 10);
    if (errno != 0 || v > UINT32_MAX)
        return -1;
    *out = v;
    *end = e;
    return 0;
}

/* "c 1:3 rwm", "b *:* m", "c 136:*" (rwm); -1 when it is none of these. */
static int parse_rule_text(const char *p, struct device_rule *rule)
{
    if ((p[0] != 'c' && p[0] != 'b' && p[0] != 'a') || p[1] != ' ')
        return -1;
    rule->type = p[0];
    p += 2;
    if (parse_number(p, &p, &rule->major) < 0 || *p++ != ':' ||
        parse_number(p, &p, &rule->minor) < 0)
        return -1;
    if (*p == '\0')
        return 0;
    if (*p++ != ' ' || *p == '\0')
        return -1;
    rule->access = 0;
    for (; *p != '\0'; p++) {
        unsigned bit = *p == 'r'   ? DEVICE_READ
                       : *p == 'w' ? DEVICE_WRITE
                       : *p == 'm' ? DEVICE_MKNOD
                                   : 0;
        if (bit == 0 || (rule->access & bit))
            return -1;
        rule->access |= bit;
    }
    return 0;
}

int device_rule_parse(const char *text, bool allow, struct device_rule *rule, mb_error *err)
{
    memset(rule, 0, sizeof(*rule));
    rule->allow = allow;
    rule->major = rule->minor = DEVICE_ANY;
    rule->access = DEVICE_RWM;
    if (strcmp(text, "a") == 0) {
        rule->type = 'a';
        return 0;
    }
    if (parse_rule_text(text, rule) < 0)
        return mb_fail(err, 0,
                       "bad device rule '%s': expected TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 rwm'",
                       text);
    return 0;
}

void device_rule_format(const struct device_rule *rule, char *buf, size_t len)
{
    char major[16] = "*", minor[16] = "*";

    if (rule->type == 'a') {
        snprintf(buf, len, "a");
        return;
    }
    if (rule->major != DEVICE_ANY)
        snprintf(major, sizeof(major), "%lld", (long long)rule->major);
    if (rule->minor != DEVICE_ANY)
        snprintf(minor, sizeof(minor), "%lld", (long long)rule->minor);
    snprintf(buf, len, "%c %s:%s %s%s%s", rule->type, major, minor,
             rule->access & DEVICE_READ ? "r" : "", rule->access & DEVICE_WRITE ? "w" : "",
             rule->access & DEVICE_MKNOD ? "m" : "");
}

/* ------------------------------------------------------------------------
 * cgroup v1: devices.deny and devices.allow.
 * ------------------------------------------------------------------------ */

static int v1_apply(const char *dir, const struct device_rule *rules, size_t n, mb_error *err)
{
    char path[PATH_MAX + 32], line[64];
    cleanup_fd int deny = -1;
    cleanup_fd int allow = -1;

    /* Each file is opened once: the kernel takes one rule per write(), so
     * the rules go one write each on the same fd (an open and a close per
     * rule were most of this function's time). */
    snprintf(path, sizeof(path), "%s/devices.deny", dir);
    deny = open(path, O_WRONLY | O_CLOEXEC);
    if (deny < 0)
        return mb_fail(err, errno, "devices cgroup: open %s", path);
    snprintf(path, sizeof(path), "%s/devices.allow", dir);
    allow = open(path, O_WRONLY | O_CLOEXEC);
    if (allow < 0)
        return mb_fail(err, errno, "devices cgroup: open %s", path);
    /* A new cgroup starts with its parent's list (usually "a *:* rwm"):
     * empty it first, whatever the rules say. */
    if (write_all(deny, "a", 1) < 0)
        return mb_fail(err, errno, "devices cgroup: write 'a' to %s/devices.deny", dir);
    for (size_t i = 0; i < n; i++) {
        device_rule_format(&rules[i], line, sizeof(line));
        /* EPERM on an allow: the parent cgroup refuses that device itself,
         * and a child never gets more than its parent. Refused either way. */
        if (write_all(rules[i].allow ? allow : deny, line, strlen(line)) < 0 &&
            !(rules[i].allow && errno == EPERM))
            return mb_fail(err, errno, "devices cgroup: write '%s' to %s/devices.%s", line, dir,
                           rules[i].allow ? "allow" : "deny");
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * cgroup v2: the device program.
 * ------------------------------------------------------------------------ */

/* The program's registers: r1 is the context (struct bpf_cgroup_dev_ctx:
 * access_type = access << 16 | type, major, minor), then: */
enum { R0, R1, R2, R3, R4, R5 }; /* R2 type, R3 access, R4 major, R5 minor */

#define INSN(c, d, s, o, i)                                                                        \
    ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off)    INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src)     INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off)  INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE_REG(dst, src, off)  INSN(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT()                  INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* At most 6 checks and 2 for the verdict per rule, 8 around them. */
#define PROG_MAX(n) (8 * (n) + 8)

/* One rule: the checks that can fail jump over the rest of the block.
 * *always: the rule has no check (it matches every access). */
static size_t emit_rule(struct bpf_insn *out, const struct device_rule *r, bool *always)
{
    struct bpf_insn block[6];
    size_t len = 0, checks;

    if (r->type != 'a')
        block[len++] = JNE_IMM(R2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
    if ((r->access & DEVICE_RWM) != DEVICE_RWM) {
        /* the access asked for must lie within the rule's */
        block[len++] = MOV32_REG(R1, R3);
        block[len++] = ALU32_IMM(BPF_AND, R1, (int)r->access);
        block[len++] = JNE_REG(R1, R3, 0);
    }
    if (r->type != 'a' && r->major != DEVICE_ANY)
        block[len++] = JNE_IMM(R4, (int)r->major, 0);
    if (r->type != 'a' && r->minor != DEVICE_ANY)
        block[len++] = JNE_IMM(R5, (int)r->minor, 0);
    checks = len;
    *always = checks == 0;
    /* a jump's offset counts from the instruction after it to the end of
     * the block: the verdict's two instructions are the last */
    for (size_t i = 0; i < checks; i++)
        if (BPF_CLASS(block[i].code) == BPF_JMP)
            block[i].off = (short)(checks - i - 1 + 2);
    memcpy(out, block, len * sizeof(*block));
    out[len++] = MOV64_IMM(R0, r->allow ? 1 : 0);
    out[len++] = EXIT();
    return len;
}

static size_t build_program(const struct device_rule *rules, size_t n, struct bpf_insn *prog)
{
    size_t len = 0;

    prog[len++] = LDX_W(R2, R1, 0);
    prog[len++] = ALU32_IMM(BPF_AND, R2, 0xffff);
    prog[len++] = LDX_W(R3, R1, 0);
    prog[len++] = ALU32_IMM(BPF_RSH, R3, 16);
    prog[len++] = LDX_W(R4, R1, 4);
    prog[len++] = LDX_W(R5, R1, 8);
    /* The last matching rule decides: test the rules from the last. A rule
     * that matches everything ("a") ends the program: the verifier refuses
     * instructions that can never run. */
    for (size_t i = n; i-- > 0;) {
        bool always;

        len += emit_rule(prog + len, &rules[i], &always);
        if (always)
            return len;
    }
    prog[len++] = MOV64_IMM(R0, 0); /* no rule matched: refused */
    prog[len++] = EXIT();
    return len;
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct bpf_insn *prog, size_t len, char *log, size_t log_len)
{
    union bpf_attr attr;
    int fd;

    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)prog;
    attr.insn_cnt = (uint32_t)len;
    attr.license = (uint64_t)(uintptr_t) "GPL";
    log[0] = '\0';
    fd = bpf_call(BPF_PROG_LOAD, &attr);
    /* Before Linux 5.11 a program's memory counts against RLIMIT_MEMLOCK,
     * often 64 KiB: lift it (root may) and try again. */
    if (fd < 0 && errno == EPERM) {
        struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
        if (setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0)
            fd = bpf_call(BPF_PROG_LOAD, &attr);
    }
    /* Refused: load it again with the verifier's log, to say why (EINVAL
     * is also what a kernel without device programs answers: its log is
     * empty). */
    if (fd < 0 && (errno == EACCES || errno == EINVAL)) {
        int saved = errno;

        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = (uint32_t)log_len;
        attr.log_level = 1;
        fd = bpf_call(BPF_PROG_LOAD, &attr);
        errno = saved;
    }
    return fd;
}

static int v2_apply(const char *dir, const struct device_rule *rules, size_t n, mb_error *err)
{
    cleanup_free struct bpf_insn *prog = calloc(PROG_MAX(n), sizeof(*prog));
    cleanup_fd int prog_fd = -1;
    cleanup_fd int cgroup_fd = -1;
    union bpf_attr attr;
    char log[65536];
    size_t len;

    if (prog == NULL)
        return mb_fail(err, ENOMEM, "device program");
    len = build_program(rules, n, prog);
    prog_fd = prog_load(prog, len, log, sizeof(log));
    if (prog_fd < 0 && log[0] != '\0') {
        /* The verifier's line before its statistics says why: a bug of
         * ours, not the host's. */
        char *stats = strstr(log, "\nprocessed "), *why;

        if (stats != NULL)
            *stats = '\0';
        why = strrchr(log, '\n');
        return mb_fail(err, errno, "device allowlist: the kernel refused the device program: %s",
                       why ? why + 1 : log);
    }
    if (prog_fd < 0 && (errno == ENOSYS || errno == EINVAL))
        return mb_fail(err, errno,
                       "device allowlist: this kernel cannot load cgroup v2 device programs "
                       "(fix: a kernel with CONFIG_CGROUP_BPF, or mount the cgroup v1 devices "
                       "controller)");
    if (prog_fd < 0)
        return mb_fail(err, errno, "device allowlist: load the cgroup v2 device program");
    cgroup_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd < 0)
        return mb_fail(err, errno, "open cgroup %s", dir);
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    /* MULTI: the programs of the cgroups above (systemd's) still run too,
     * and every one of them must allow an access. */
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
        return mb_fail(err, errno, "device allowlist: attach the device program to %s%s", dir,
                       errno == EPERM ? " (a cgroup above holds an exclusive device program; "
                                        "fix: --cgroup-parent outside it)"
                                      : "");
    /* The attachment holds the program now; our fd may close. */
    return 0;
}

int cgroup_devices_apply(const struct container_cgroup *cg, const struct device_rule *rules,
                         size_t n, mb_error *err)
{
    int d = cg->dir_of[CG_DEVICES];

    if (n == 0)
        return 0;
    if (d >= 0)
        return v1_apply(cg->dirs[d].path, rules, n, err);
    for (d = 0; d < cg->n_dirs; d++)
        if (cg->dirs[d].version == 2)
            return v2_apply(cg->dirs[d].path, rules, n, err);
    return mb_fail(err, 0,
                   "device allowlist: the container has no cgroup to hold it: no cgroup v1 "
                   "devices controller and no cgroup v2 mount (fix: mount one, e.g. "
                   "mount -t cgroup2 none /sys/fs/cgroup; see 'minibox info')");
}
