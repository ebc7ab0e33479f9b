// The small C surface the Linux platform needs from the C library. The header
// includes only fixed-width types so that Embedded Swift imports it unchanged; the
// POSIX calls stay in the .c file.
#ifndef CLINUX_PLATFORM_H
#define CLINUX_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

// Returns 0, or a positive errno. CLP_TOO_LARGE when the file exceeds the cap.
#define CLP_TOO_LARGE (-2)

/// The errno values the Swift side tells apart, taken from the C library's <errno.h>
/// in the .c file (so they are the target's own numbers, never literals in Swift).
extern const int32_t CLP_ENOENT;
extern const int32_t CLP_EINVAL;
extern const int32_t CLP_ETIMEDOUT;
extern const int32_t CLP_ECONNREFUSED;
extern const int32_t CLP_ECONNRESET;
extern const int32_t CLP_EPIPE;

/// The bytes of the running load's ID in the binary (`.phone_load_id`, NUL-padded).
#define CLP_LOAD_ID_SIZE 64

/// The hardware compatibility level this build is for (clp_load_id.c).
int32_t clp_hardware_level(void);

/// Copies the running load's ID (at most CLP_LOAD_ID_SIZE - 1 bytes and a NUL) into `out`;
/// returns its length.
size_t clp_load_id(char *out, size_t capacity);

/// The image-signing certificate this build carries (DER) and its length.
const uint8_t *clp_image_signer(size_t *length);

/// A short lowercase description of an errno value ("no such file or directory"),
/// or NULL for one without a name here.
const char *clp_errno_text(int32_t code);

/// Size of a regular file in bytes, or a negative errno.
int64_t clp_file_size(const char *path);

/// Reads up to `capacity` bytes; fails with CLP_TOO_LARGE when there are more.
int clp_read_file(const char *path, uint8_t *buffer, size_t capacity, size_t *length);

/// Writes a file atomically: a temporary file in the same directory, fsync, rename
/// over the target, fsync of the directory. `mode` is applied at creation (0600 for
/// secrets). On failure the target is untouched and the temporary file removed.
///
/// Power-cut testing (debug builds only, where PHONE_TEST_HOOKS is defined): with
/// PHONE_TEST_CRASH_AT_WRITE=N in the environment, the process
/// kills itself (SIGKILL) during the Nth atomic write, after the temporary file is
/// synced and before the rename; with PHONE_TEST_CRASH_AFTER_RENAME=N, right after the
/// Nth rename, before the directory sync; with PHONE_TEST_FAIL_AT_WRITE=N the Nth write
/// fails with EIO and changes nothing (a full or failing flash), and with
/// PHONE_TEST_FAIL_AT_RENAME=N its rename fails (the temporary file is removed).
int clp_write_file_atomic(const char *path, const uint8_t *data, size_t length, uint32_t mode);

/// The same atomic write, piece by piece (a firmware image, never held whole): opens a
/// temporary file beside `path` (its name into `temporary`, `capacity` bytes) for
/// clp_write_fd; clp_stream_commit syncs it and renames it over `path`; clp_stream_abandon
/// removes it. An open counts as one atomic write for the power-cut hooks above, whose
/// crash fires at the commit of that write: one stream at a time (a slot's images are
/// written one after another).
int clp_stream_open(const char *path, uint32_t mode, int *fd, char *temporary, size_t capacity);
int clp_stream_commit(int fd, const char *temporary, const char *path);
void clp_stream_abandon(int fd, const char *temporary);

/// Appends to a file, creating it with `mode` when it does not exist (a key log: 0600).
/// Returns 0 or an errno.
int clp_append_file(const char *path, const uint8_t *data, size_t length, uint32_t mode);

/// Writes all bytes to a file descriptor (1 stdout, 2 stderr), retrying short writes.
int clp_write_fd(int fd, const uint8_t *data, size_t length);

/// Fills the buffer from the kernel's CSPRNG (getrandom). Returns 0 or an errno.
int clp_entropy(uint8_t *buffer, size_t length);

/// Monotonic clock in milliseconds.
uint64_t clp_monotonic_ms(void);

/// The process arguments, captured at start-up (glibc passes them to init functions).
int clp_argc(void);
const char *clp_argv(int index);

// TCP. Every call that can block takes a timeout in milliseconds; results are 0 or a
// positive errno (ETIMEDOUT when the time ran out). `host` is a name or an address.

int clp_tcp_connect(const char *host, uint16_t port, int timeout_ms, int *fd);
/// Sends everything or fails.
int clp_tcp_send(int fd, const uint8_t *data, size_t length, int timeout_ms);
/// Receives at most `capacity` bytes; `*received` 0 means the peer closed.
int clp_tcp_receive(int fd, uint8_t *buffer, size_t capacity, int timeout_ms, size_t *received);
/// Listens on host:port (port 0: any free port, returned in `*bound_port`).
int clp_tcp_listen(const char *host, uint16_t port, int *fd, uint16_t *bound_port);
int clp_tcp_accept(int listen_fd, int timeout_ms, int *fd);
void clp_close(int fd);

// UDP (TFTP). Addresses travel as opaque sockaddr bytes (at most 128).

/// Resolves host:port to a socket address; `*family` is AF_INET or AF_INET6.
int clp_resolve(const char *host, uint16_t port, uint8_t *address, uint32_t *length, int *family);
int clp_udp_open(int family, int *fd);
int clp_udp_send(int fd, const uint8_t *address, uint32_t address_length, const uint8_t *data, size_t length);
/// Waits up to `timeout_ms` for one datagram; its sender goes to `from`.
int clp_udp_receive(int fd, uint8_t *buffer, size_t capacity, int timeout_ms, size_t *received,
                    uint8_t *from, uint32_t *from_length);
/// Binds a UDP socket to host:port (port 0: any), returning the port.
int clp_udp_bind(int fd, const char *host, uint16_t port, uint16_t *bound_port);
/// True when two socket addresses have the same IP (any port).
int clp_same_host(const uint8_t *a, uint32_t a_length, const uint8_t *b, uint32_t b_length);

/// Sleeps for `ms` milliseconds (resuming after signals until the time has passed).
void clp_sleep_ms(uint64_t ms);
/// Removes leftover temporary files (`*.tmp-*`) of interrupted atomic writes.
int clp_remove_temporary_files(const char *directory);

/// Removes every file of `directory` (not the directory) and syncs it; 0 when it does not exist.
int clp_empty_directory(const char *directory);
/// Reads one line from standard input when it is a terminal; returns its length or -1.
int clp_read_terminal_line(uint8_t *buffer, size_t capacity);

/// Removes a file and syncs its directory; 0 also when it did not exist.
int clp_remove_file(const char *path);
/// Creates a directory (mode 0700) if it does not exist.
int clp_make_directory(const char *path);

/// Ends the process with a status (flushing nothing: output is written unbuffered).
void clp_exit(int status) __attribute__((noreturn));

#endif
