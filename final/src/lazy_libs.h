/*
 * lazy_libs.h - libarchive and libcrypto, and libsystemd's sd-bus, loaded on
 * first use (chapter 10).
 *
 * Only the verbs that read or write layers need them, yet linking them
 * makes every start of minibox map about a dozen more libraries (libxml2
 * and ICU come with Debian's libarchive): several milliseconds on each
 * `run`, twice when minibox re-executes from its sealed copy. The full
 * engine links neither; the first call of any function below dlopen()s
 * both and looks every one of them up. The files that use them include
 * this header after the libraries' own, so their code reads unchanged.
 * libsystemd is the systemd cgroup driver's (cgroup_systemd.c), loaded
 * apart: only a run placed by systemd needs it.
 */
#ifndef MB_LAZY_LIBS_H
#define MB_LAZY_LIBS_H

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <systemd/sd-bus.h>

#include "error.h"

/* Each function both libraries give minibox, as it is used. */
#define LAZY_ARCHIVE_FUNCS(X)                                                                      \
    X(archive_entry_copy_stat)                                                                     \
    X(archive_entry_free)                                                                          \
    X(archive_entry_new)                                                                           \
    X(archive_entry_pathname)                                                                      \
    X(archive_entry_set_filetype)                                                                  \
    X(archive_entry_set_pathname)                                                                  \
    X(archive_entry_set_perm)                                                                      \
    X(archive_entry_set_size)                                                                      \
    X(archive_entry_set_symlink)                                                                   \
    X(archive_entry_size)                                                                          \
    X(archive_error_string)                                                                        \
    X(archive_read_data)                                                                           \
    X(archive_read_data_block)                                                                     \
    X(archive_read_free)                                                                           \
    X(archive_read_new)                                                                            \
    X(archive_read_next_header)                                                                    \
    X(archive_read_open)                                                                           \
    X(archive_read_open_fd)                                                                        \
    X(archive_read_open_filename)                                                                  \
    X(archive_read_support_filter_all)                                                             \
    X(archive_read_support_format_raw)                                                             \
    X(archive_read_support_format_tar)                                                             \
    X(archive_set_error)                                                                           \
    X(archive_write_close)                                                                         \
    X(archive_write_data)                                                                          \
    X(archive_write_data_block)                                                                    \
    X(archive_write_disk_new)                                                                      \
    X(archive_write_disk_set_options)                                                              \
    X(archive_write_finish_entry)                                                                  \
    X(archive_write_free)                                                                          \
    X(archive_write_header)                                                                        \
    X(archive_write_new)                                                                           \
    X(archive_write_open_filename)                                                                 \
    X(archive_write_set_format_pax_restricted)

#define LAZY_CRYPTO_FUNCS(X)                                                                       \
    X(EVP_Digest)                                                                                  \
    X(EVP_DigestFinal_ex)                                                                          \
    X(EVP_DigestInit_ex)                                                                           \
    X(EVP_DigestUpdate)                                                                            \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_sha256)

#define LAZY_SYSTEMD_FUNCS(X)                                                                      \
    X(sd_bus_call)                                                                                 \
    X(sd_bus_call_method)                                                                          \
    X(sd_bus_error_free)                                                                           \
    X(sd_bus_error_has_name)                                                                       \
    X(sd_bus_flush_close_unref)                                                                    \
    X(sd_bus_get_property_string)                                                                  \
    X(sd_bus_match_signal)                                                                         \
    X(sd_bus_message_append)                                                                       \
    X(sd_bus_message_close_container)                                                              \
    X(sd_bus_message_new_method_call)                                                              \
    X(sd_bus_message_open_container)                                                               \
    X(sd_bus_message_read)                                                                         \
    X(sd_bus_message_unref)                                                                        \
    X(sd_bus_new)                                                                                  \
    X(sd_bus_open_system)                                                                          \
    X(sd_bus_open_user)                                                                            \
    X(sd_bus_process)                                                                              \
    X(sd_bus_set_address)                                                                          \
    X(sd_bus_slot_unref)                                                                           \
    X(sd_bus_start)                                                                                \
    X(sd_bus_wait)

struct lazy_libs {
#define LAZY_MEMBER(f) __typeof__(f) *f;
    LAZY_ARCHIVE_FUNCS(LAZY_MEMBER)
    LAZY_CRYPTO_FUNCS(LAZY_MEMBER)
#undef LAZY_MEMBER
};

/* The loaded functions. A library that cannot be loaded ends minibox with
 * one line naming the Debian package: nothing can go on without it. */
const struct lazy_libs *lazy_libs(void);

struct lazy_systemd {
#define LAZY_MEMBER(f) __typeof__(f) *f;
    LAZY_SYSTEMD_FUNCS(LAZY_MEMBER)
#undef LAZY_MEMBER
};

/* libsystemd's functions, or NULL and why (err) when it cannot be loaded:
 * a host without it can still place containers by hand (cgroupfs). With
 * err NULL, a failure ends minibox as lazy_libs() does. */
const struct lazy_systemd *lazy_systemd(mb_error *err);

/* Everyone but lazy_libs.c calls through the loaded pointers. */
#ifndef LAZY_LIBS_IMPL
#define EVP_Digest                      (lazy_libs()->EVP_Digest)
#define EVP_DigestFinal_ex              (lazy_libs()->EVP_DigestFinal_ex)
#define EVP_DigestInit_ex               (lazy_libs()->EVP_DigestInit_ex)
#define EVP_DigestUpdate                (lazy_libs()->EVP_DigestUpdate)
#define EVP_MD_CTX_free                 (lazy_libs()->EVP_MD_CTX_free)
#define EVP_MD_CTX_new                  (lazy_libs()->EVP_MD_CTX_new)
#define EVP_sha256                      (lazy_libs()->EVP_sha256)
#define archive_entry_copy_stat         (lazy_libs()->archive_entry_copy_stat)
#define archive_entry_free              (lazy_libs()->archive_entry_free)
#define archive_entry_new               (lazy_libs()->archive_entry_new)
#define archive_entry_pathname          (lazy_libs()->archive_entry_pathname)
#define archive_entry_set_filetype      (lazy_libs()->archive_entry_set_filetype)
#define archive_entry_set_pathname      (lazy_libs()->archive_entry_set_pathname)
#define archive_entry_set_perm          (lazy_libs()->archive_entry_set_perm)
#define archive_entry_set_size          (lazy_libs()->archive_entry_set_size)
#define archive_entry_set_symlink       (lazy_libs()->archive_entry_set_symlink)
#define archive_entry_size              (lazy_libs()->archive_entry_size)
#define archive_error_string            (lazy_libs()->archive_error_string)
#define archive_read_data               (lazy_libs()->archive_read_data)
#define archive_read_data_block         (lazy_libs()->archive_read_data_block)
#define archive_read_free               (lazy_libs()->archive_read_free)
#define archive_read_new                (lazy_libs()->archive_read_new)
#define archive_read_next_header        (lazy_libs()->archive_read_next_header)
#define archive_read_open               (lazy_libs()->archive_read_open)
#define archive_read_open_fd            (lazy_libs()->archive_read_open_fd)
#define archive_read_open_filename      (lazy_libs()->archive_read_open_filename)
#define archive_read_support_filter_all (lazy_libs()->archive_read_support_filter_all)
#define archive_read_support_format_raw (lazy_libs()->archive_read_support_format_raw)
#define archive_read_support_format_tar (lazy_libs()->archive_read_support_format_tar)
#define archive_set_error               (lazy_libs()->archive_set_error)
#define archive_write_close             (lazy_libs()->archive_write_close)
#define archive_write_data              (lazy_libs()->archive_write_data)
#define archive_write_data_block        (lazy_libs()->archive_write_data_block)
#define archive_write_disk_new          (lazy_libs()->archive_write_disk_new)
#define archive_write_disk_set_options  (lazy_libs()->archive_write_disk_set_options)
#define archive_write_finish_entry      (lazy_libs()->archive_write_finish_entry)
#define archive_write_free              (lazy_libs()->archive_write_free)
#define archive_write_header            (lazy_libs()->archive_write_header)
#define archive_write_new               (lazy_libs()->archive_write_new)
#define archive_write_open_filename     (lazy_libs()->archive_write_open_filename)
#define archive_write_set_format_pax_restricted                                                    \
    (lazy_libs()->archive_write_set_format_pax_restricted)
#define sd_bus_call                    (lazy_systemd(NULL)->sd_bus_call)
#define sd_bus_call_method             (lazy_systemd(NULL)->sd_bus_call_method)
#define sd_bus_error_free              (lazy_systemd(NULL)->sd_bus_error_free)
#define sd_bus_error_has_name          (lazy_systemd(NULL)->sd_bus_error_has_name)
#define sd_bus_flush_close_unref       (lazy_systemd(NULL)->sd_bus_flush_close_unref)
#define sd_bus_get_property_string     (lazy_systemd(NULL)->sd_bus_get_property_string)
#define sd_bus_match_signal            (lazy_systemd(NULL)->sd_bus_match_signal)
#define sd_bus_message_append          (lazy_systemd(NULL)->sd_bus_message_append)
#define sd_bus_message_close_container (lazy_systemd(NULL)->sd_bus_message_close_container)
#define sd_bus_message_new_method_call (lazy_systemd(NULL)->sd_bus_message_new_method_call)
#define sd_bus_message_open_container  (lazy_systemd(NULL)->sd_bus_message_open_container)
#define sd_bus_message_read            (lazy_systemd(NULL)->sd_bus_message_read)
#define sd_bus_message_unref           (lazy_systemd(NULL)->sd_bus_message_unref)
#define sd_bus_new                     (lazy_systemd(NULL)->sd_bus_new)
#define sd_bus_open_system             (lazy_systemd(NULL)->sd_bus_open_system)
#define sd_bus_open_user               (lazy_systemd(NULL)->sd_bus_open_user)
#define sd_bus_process                 (lazy_systemd(NULL)->sd_bus_process)
#define sd_bus_set_address             (lazy_systemd(NULL)->sd_bus_set_address)
#define sd_bus_slot_unref              (lazy_systemd(NULL)->sd_bus_slot_unref)
#define sd_bus_start                   (lazy_systemd(NULL)->sd_bus_start)
#define sd_bus_wait                    (lazy_systemd(NULL)->sd_bus_wait)

#endif /* LAZY_LIBS_IMPL */

#endif
