#define _GNU_SOURCE
// <stdlib.h> first: with _FORTIFY_SOURCE its inline checks compare MB_LEN_MAX against
// glibc's value, and the Embedded (freestanding) triples' <limits.h> says 1.
#include <stdlib.h>

#include "clinux_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef CLP_DEFINE_STACK_CHK_GUARD
#include <sys/auxv.h>
// The x86_64 firmware build (toolchain/firmware/x86_64.json): Embedded Swift's none-elf
// stack protector reads a global canary, and x86_64 glibc keeps its canary in thread-local
// storage and exports none. The protector stays on: the shim defines the canary and seeds
// it from the kernel's AT_RANDOM bytes before main. No local's address is taken here, so
// this function itself is not instrumented.
uintptr_t __stack_chk_guard;

__attribute__((constructor(101), no_stack_protector)) static void clp_seed_stack_guard(void) {
    const unsigned char *random = (const unsigned char *)getauxval(AT_RANDOM);
    uintptr_t guard = 0;
    for (size_t index = 0; random != NULL && index < sizeof guard; index++) guard |= (uintptr_t)random[index] << (8 * index);
    // A zero low byte stops a string overflow from copying the canary out, as glibc does.
    __stack_chk_guard = guard & ~(uintptr_t)0xff;
}
#endif

const int32_t CLP_ENOENT = ENOENT;
const int32_t CLP_EINVAL = EINVAL;
const int32_t CLP_ETIMEDOUT = ETIMEDOUT;
const int32_t CLP_ECONNREFUSED = ECONNREFUSED;
const int32_t CLP_ECONNRESET = ECONNRESET;
const int32_t CLP_EPIPE = EPIPE;

const char *clp_errno_text(int32_t code) {
    switch (code) {
    case ENOENT: return "no such file or directory";
    case EEXIST: return "file exists";
    case EPIPE: return "broken pipe";
    case ECONNRESET: return "connection reset";
    case ETIMEDOUT: return "timed out";
    case ECONNREFUSED: return "connection refused";
    case EHOSTUNREACH: return "no route to host";
    case ENETUNREACH: return "network unreachable";
    case EACCES: return "permission denied";
    case ENOTDIR: return "not a directory";
    case EISDIR: return "is a directory";
    case ENOSPC: return "no space left on device";
    case EROFS: return "read-only file system";
    case EIO: return "input/output error";
    case EINVAL: return "invalid argument";
    default: return NULL;
    }
}

int64_t clp_file_size(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return -(int64_t)errno;
    if (!S_ISREG(info.st_mode)) return -(int64_t)EISDIR;
    return (int64_t)info.st_size;
}

int clp_read_file(const char *path, uint8_t *buffer, size_t capacity, size_t *length) {
    *length = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t total = 0;
    for (;;) {
        uint8_t probe;
        uint8_t *target = total < capacity ? buffer + total : &probe;
        size_t want = total < capacity ? capacity - total : 1;
        ssize_t got = read(fd, target, want);
        if (got < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            return saved;
        }
        if (got == 0) break;
        if (total >= capacity) {
            close(fd);
            return CLP_TOO_LARGE;
        }
        total += (size_t)got;
    }
    close(fd);
    *length = total;
    return 0;
}

static int write_all(int fd, const uint8_t *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

int clp_write_fd(int fd, const uint8_t *data, size_t length) { return write_all(fd, data, length); }

// An entry made, renamed or removed is durable once the directory holding it is synced.
static int sync_parent(const char *path) {
    char directory[PATH_MAX];
    snprintf(directory, sizeof directory, "%s", path);
    int dirfd = open(dirname(directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return errno;
    int result = fsync(dirfd) != 0 ? errno : 0;
    close(dirfd);
    return result;
}

#ifdef PHONE_TEST_HOOKS
// Fault injection for the power-cut tests (clinux_platform.h). Only debug builds define
// PHONE_TEST_HOOKS (Package.swift); the firmware builds are release and never hold it.
static int atomic_writes;

static void count_atomic_write(void) { atomic_writes++; }

static void crash_if_asked(const char *variable) {
    const char *value = getenv(variable);
    if (value != NULL && atoi(value) == atomic_writes) kill(getpid(), SIGKILL);
}

static int fail_if_asked(const char *variable) {
    const char *value = getenv(variable);
    return value != NULL && atoi(value) == atomic_writes ? EIO : 0;
}
#else
static void count_atomic_write(void) {}
static void crash_if_asked(const char *variable) { (void)variable; }
static int fail_if_asked(const char *variable) { (void)variable; return 0; }
#endif

int clp_stream_open(const char *path, uint32_t mode, int *fd, char *temporary, size_t capacity) {
    count_atomic_write();
    if (fail_if_asked("PHONE_TEST_FAIL_AT_WRITE") != 0) return EIO;
    if (snprintf(temporary, capacity, "%s.tmp-XXXXXX", path) >= (int)capacity) return ENAMETOOLONG;
    *fd = mkostemp(temporary, O_CLOEXEC);
    if (*fd < 0) return errno;
    if (fchmod(*fd, (mode_t)mode) != 0) {
        int result = errno;
        clp_stream_abandon(*fd, temporary);
        return result;
    }
    return 0;
}

int clp_stream_commit(int fd, const char *temporary, const char *path) {
    int result = fsync(fd) != 0 ? errno : 0;
    if (close(fd) != 0 && result == 0) result = errno;
    if (result == 0) crash_if_asked("PHONE_TEST_CRASH_AT_WRITE");
    if (result == 0) result = fail_if_asked("PHONE_TEST_FAIL_AT_RENAME");
    if (result == 0 && rename(temporary, path) != 0) result = errno;
    if (result != 0) {
        unlink(temporary);
        return result;
    }
    crash_if_asked("PHONE_TEST_CRASH_AFTER_RENAME");
    return sync_parent(path);
}

void clp_stream_abandon(int fd, const char *temporary) {
    close(fd);
    unlink(temporary);
}

int clp_write_file_atomic(const char *path, const uint8_t *data, size_t length, uint32_t mode) {
    char temporary[PATH_MAX];
    int fd;
    int result = clp_stream_open(path, mode, &fd, temporary, sizeof temporary);
    if (result != 0) return result;
    result = write_all(fd, data, length);
    if (result != 0) {
        clp_stream_abandon(fd, temporary);
        return result;
    }
    return clp_stream_commit(fd, temporary, path);
}

int clp_append_file(const char *path, const uint8_t *data, size_t length, uint32_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) return errno;
    int result = write_all(fd, data, length);
    if (close(fd) != 0 && result == 0) result = errno;
    return result;
}

int clp_entropy(uint8_t *buffer, size_t length) {
    size_t filled = 0;
    while (filled < length) {
        ssize_t got = getrandom(buffer + filled, length - filled, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        filled += (size_t)got;
    }
    return 0;
}

uint64_t clp_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static int saved_argc;
static char **saved_argv;

// glibc calls .init_array functions with (argc, argv, envp): this keeps the
// arguments for Embedded Swift, which has no CommandLine of its own.
static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
}

__attribute__((section(".init_array"), used)) static void (*capture_arguments_entry)(int, char **, char **) =
    capture_arguments;

int clp_argc(void) { return saved_argc; }

const char *clp_argv(int index) {
    if (index < 0 || index >= saved_argc) return NULL;
    return saved_argv[index];
}

void clp_exit(int status) { _exit(status); }

static int wait_for(int fd, short events, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = events};
    for (;;) {
        int ready = poll(&entry, 1, timeout_ms);
        if (ready > 0) return 0;
        if (ready == 0) return ETIMEDOUT;
        if (errno != EINTR) return errno;
    }
}

int clp_tcp_connect(const char *host, uint16_t port, int timeout_ms, int *fd) {
    *fd = -1;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *addresses = NULL;
    if (getaddrinfo(host, service, &hints, &addresses) != 0) return EHOSTUNREACH;
    int result = EHOSTUNREACH;
    for (struct addrinfo *address = addresses; address != NULL; address = address->ai_next) {
        int sock = socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address->ai_protocol);
        if (sock < 0) { result = errno; continue; }
        if (connect(sock, address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
            result = errno;
            close(sock);
            continue;
        }
        result = wait_for(sock, POLLOUT, timeout_ms);
        if (result == 0) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length);
            result = error;
        }
        if (result == 0) {
            int one = 1;
            setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            *fd = sock;
            break;
        }
        close(sock);
    }
    freeaddrinfo(addresses);
    return result;
}

int clp_tcp_send(int fd, const uint8_t *data, size_t length, int timeout_ms) {
    while (length > 0) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return errno;
            int waited = wait_for(fd, POLLOUT, timeout_ms);
            if (waited != 0) return waited;
            continue;
        }
        data += sent;
        length -= (size_t)sent;
    }
    return 0;
}

int clp_tcp_receive(int fd, uint8_t *buffer, size_t capacity, int timeout_ms, size_t *received) {
    *received = 0;
    int waited = wait_for(fd, POLLIN, timeout_ms);
    if (waited != 0) return waited;
    for (;;) {
        ssize_t got = recv(fd, buffer, capacity, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return ETIMEDOUT;
            return errno;
        }
        *received = (size_t)got;
        return 0;
    }
}

int clp_tcp_listen(const char *host, uint16_t port, int *fd, uint16_t *bound_port) {
    *fd = -1;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *addresses = NULL;
    if (getaddrinfo(host, service, &hints, &addresses) != 0) return EADDRNOTAVAIL;
    int sock = socket(addresses->ai_family, addresses->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, addresses->ai_protocol);
    if (sock < 0) { freeaddrinfo(addresses); return errno; }
    int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(sock, addresses->ai_addr, addresses->ai_addrlen) != 0 || listen(sock, 16) != 0) {
        int saved = errno;
        close(sock);
        freeaddrinfo(addresses);
        return saved;
    }
    freeaddrinfo(addresses);
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    getsockname(sock, (struct sockaddr *)&bound, &length);
    *bound_port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                   : ((struct sockaddr_in *)&bound)->sin_port);
    *fd = sock;
    return 0;
}

int clp_tcp_accept(int listen_fd, int timeout_ms, int *fd) {
    *fd = -1;
    int waited = wait_for(listen_fd, POLLIN, timeout_ms);
    if (waited != 0) return waited;
    int sock = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (sock < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd = sock;
    return 0;
}

void clp_close(int fd) {
    if (fd >= 0) close(fd);
}

int clp_remove_file(const char *path) {
    if (unlink(path) != 0) return errno == ENOENT ? 0 : errno;
    return sync_parent(path);
}

int clp_make_directory(const char *path) {
    if (mkdir(path, 0700) != 0) return errno == EEXIST ? 0 : errno;
    return sync_parent(path);
}

int clp_resolve(const char *host, uint16_t port, uint8_t *address, uint32_t *length, int *family) {
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *addresses = NULL;
    if (getaddrinfo(host, service, &hints, &addresses) != 0 || addresses == NULL) return EHOSTUNREACH;
    if (addresses->ai_addrlen > 128) { freeaddrinfo(addresses); return EINVAL; }
    memcpy(address, addresses->ai_addr, addresses->ai_addrlen);
    *length = (uint32_t)addresses->ai_addrlen;
    *family = addresses->ai_family;
    freeaddrinfo(addresses);
    return 0;
}

int clp_udp_open(int family, int *fd) {
    int sock = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sock < 0) return errno;
    *fd = sock;
    return 0;
}

int clp_udp_send(int fd, const uint8_t *address, uint32_t address_length, const uint8_t *data, size_t length) {
    for (;;) {
        ssize_t sent = sendto(fd, data, length, 0, (const struct sockaddr *)address, address_length);
        if (sent >= 0) return 0;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int waited = wait_for(fd, POLLOUT, 1000);
            if (waited != 0) return waited;
            continue;
        }
        return errno;
    }
}

int clp_udp_receive(int fd, uint8_t *buffer, size_t capacity, int timeout_ms, size_t *received,
                    uint8_t *from, uint32_t *from_length) {
    *received = 0;
    int waited = wait_for(fd, POLLIN, timeout_ms);
    if (waited != 0) return waited;
    for (;;) {
        socklen_t length = 128;
        ssize_t got = recvfrom(fd, buffer, capacity, 0, (struct sockaddr *)from, &length);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return ETIMEDOUT;
            return errno;
        }
        *received = (size_t)got;
        *from_length = (uint32_t)length;
        return 0;
    }
}

int clp_same_host(const uint8_t *a, uint32_t a_length, const uint8_t *b, uint32_t b_length) {
    const struct sockaddr *left = (const struct sockaddr *)a;
    const struct sockaddr *right = (const struct sockaddr *)b;
    if (a_length < sizeof(sa_family_t) || b_length < sizeof(sa_family_t) || left->sa_family != right->sa_family) return 0;
    if (left->sa_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr, &((const struct sockaddr_in *)b)->sin_addr,
                      sizeof(struct in_addr)) == 0;
    if (left->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return 0;
}

void clp_sleep_ms(uint64_t ms) {
    struct timespec remaining = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
    }
}

int clp_remove_temporary_files(const char *directory) {
    DIR *folder = opendir(directory);
    if (folder == NULL) return errno == ENOENT ? 0 : errno;
    int dirfd_value = dirfd(folder);
    struct dirent *entry;
    int removed = 0;
    while ((entry = readdir(folder)) != NULL) {
        if (strstr(entry->d_name, ".tmp-") != NULL && unlinkat(dirfd_value, entry->d_name, 0) == 0) removed++;
    }
    if (removed > 0) fsync(dirfd_value);
    closedir(folder);
    return 0;
}

int clp_empty_directory(const char *directory) {
    // Never through a symbolic link: only the directory itself is emptied.
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : errno;
    DIR *folder = fdopendir(fd);
    if (folder == NULL) {
        int result = errno;
        close(fd);
        return result;
    }
    int dirfd_value = dirfd(folder);
    struct dirent *entry;
    int result = 0;
    errno = 0;
    while ((entry = readdir(folder)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        if (unlinkat(dirfd_value, entry->d_name, 0) != 0 && result == 0) result = errno;
        errno = 0;
    }
    if (errno != 0 && result == 0) result = errno;
    if (fsync(dirfd_value) != 0 && result == 0) result = errno;
    closedir(folder);
    return result;
}

int clp_read_terminal_line(uint8_t *buffer, size_t capacity) {
    if (!isatty(0)) return -1;
    size_t length = 0;
    while (length < capacity) {
        char byte;
        ssize_t got = read(0, &byte, 1);
        if (got <= 0) return length > 0 ? (int)length : -1;
        if (byte == '\n') break;
        buffer[length++] = (uint8_t)byte;
    }
    return (int)length;
}

int clp_udp_bind(int fd, const char *host, uint16_t port, uint16_t *bound_port) {
    uint8_t address[128];
    uint32_t length = 0;
    int family = 0;
    int result = clp_resolve(host, port, address, &length, &family);
    if (result != 0) return result;
    if (bind(fd, (struct sockaddr *)address, length) != 0) return errno;
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    getsockname(fd, (struct sockaddr *)&bound, &bound_length);
    *bound_port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                   : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}
