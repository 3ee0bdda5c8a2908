/*
 * fuzz_protocol.c - libFuzzer target for the daemon's message parser.
 *
 * proto_parse() (final/src/protocol.h) turns the body of one message, bytes
 * a client sent and the daemon has not checked yet, into a JSON object. It
 * must never crash, read outside the buffer (libFuzzer hands it exactly
 * `size` bytes, no NUL after them: AddressSanitizer sees any overread), leak
 * or return anything but the two outcomes it documents:
 *
 *   0   and *msg is a JSON object with "v": 1 (the caller owns it),
 *   -1  and *msg is NULL and err holds one line for the error reply.
 *
 * Built with clang from Debian (package clang: libFuzzer comes with it):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ifinal/src \
 *       tests/fuzz/fuzz_protocol.c final/src/protocol.c final/src/error.c \
 *       final/src/util.c -ljansson -o build/fuzz/fuzz_protocol
 *   build/fuzz/fuzz_protocol -runs=200000 -max_len=4096 \
 *       -dict=tests/fuzz/protocol.dict build/fuzz/corpus tests/fuzz/corpus/protocol
 */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "protocol.h"

static void check(int ok)
{
    if (!ok)
        __builtin_trap(); /* libFuzzer reports it as a crash, with the input */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *msg = (json_t *)&msg; /* not NULL: the parser must set it */
    mb_error err;
    int ret;

    memset(&err, 0, sizeof(err));
    ret = proto_parse((const char *)data, size, &msg, &err);
    check(ret == 0 || ret == -1);
    if (ret == 0) {
        json_t *v;

        check(msg != NULL && json_is_object(msg));
        v = json_object_get(msg, "v");
        check(json_is_integer(v) && json_integer_value(v) == 1);
        /* What the daemon does next with a request: read its op, and echo
         * it in the log line and the reply. */
        (void)json_string_value(json_object_get(msg, "op"));
        free(json_dumps(msg, JSON_COMPACT));
        json_decref(msg);
    } else {
        check(msg == NULL);
        check(err.msg[0] != '\0' && memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        check(strchr(err.msg, '\n') == NULL); /* one line on the wire and in the log */
    }
    return 0;
}
