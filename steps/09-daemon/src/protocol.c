/* protocol.c - see protocol.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol.h"
#include "util.h"

int proto_parse(const char *buf, size_t len, json_t **msg, mb_error *err)
{
    json_error_t jerr;
    json_t *v;

    *msg = NULL;
    if (len > PROTO_MAX_BYTES)
        return mb_fail(err, 0, "protocol: message of %zu bytes is over the 1 MiB limit", len);
    *msg = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*msg == NULL)
        return mb_fail(err, 0, "protocol: not JSON: %s", jerr.text);
    v = json_object_get(*msg, "v");
    if (!json_is_object(*msg) || !json_is_integer(v) || json_integer_value(v) != PROTO_VERSION) {
        json_decref(*msg);
        *msg = NULL;
        return mb_fail(err, 0, "protocol: expected an object with \"v\": %d", PROTO_VERSION);
    }
    return 0;
}

int proto_send(int sock, json_t *msg, const int *fds, int n_fds, mb_error *err)
{
    char *body = json_dumps(msg, JSON_COMPACT);
    size_t len = body ? strlen(body) : 0;
    unsigned char head[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                             (unsigned char)(len >> 8), (unsigned char)len};
    union {
        char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = {head, sizeof(head)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    int ret = 0;

    if (body == NULL)
        return mb_fail(err, ENOMEM, "protocol: encode");
    if (n_fds > 0) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n_fds);
    }
    /* The fds ride on the first byte (the header); then the body. */
    if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(head))
        ret = mb_fail(err, errno, "protocol: send");
    for (size_t sent = 0; ret == 0 && sent < len;) {
        ssize_t n = send(sock, body + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            ret = mb_fail(err, errno, "protocol: send");
        else
            sent += (size_t)n;
    }
    free(body);
    return ret;
}

static int read_exact(int sock, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = recv(sock, (char *)buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 && got == 0 ? 1 : -1;
        got += (size_t)n;
    }
    return 0;
}

int proto_recv(int sock, json_t **msg, int *fds, int *n_fds, mb_error *err)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
        struct cmsghdr align;
    } control;
    unsigned char head[4];
    struct iovec iov = {head, 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    char *body;
    struct cmsghdr *c;
    uint32_t len;
    ssize_t n;
    int ret;

    *n_fds = 0;
    *msg = NULL;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 1;
    if (n < 0)
        return mb_fail(err, errno, "protocol: receive");
    for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int got = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *passed = (int *)CMSG_DATA(c);

        /* At most PROTO_MAX_FDS in all, however many headers carry them (the
         * kernel drops what overflows the buffer); any beyond are closed,
         * not left open in a process that never looks at them. */
        for (int i = 0; i < got; i++) {
            if (*n_fds < PROTO_MAX_FDS)
                fds[(*n_fds)++] = passed[i];
            else
                close(passed[i]);
        }
    }
    if (read_exact(sock, head + 1, 3) != 0)
        return mb_fail(err, 0, "protocol: truncated message header");
    len =
        ((uint32_t)head[0] << 24) | ((uint32_t)head[1] << 16) | ((uint32_t)head[2] << 8) | head[3];
    if (len > PROTO_MAX_BYTES)
        return mb_fail(err, 0, "protocol: message of %u bytes is over the 1 MiB limit", len);
    body = malloc(len + 1);
    if (body == NULL)
        return mb_fail(err, ENOMEM, "protocol: receive");
    ret = read_exact(sock, body, len) != 0 ? mb_fail(err, 0, "protocol: truncated message")
                                           : proto_parse(body, len, msg, err);
    free(body);
    return ret;
}
