#define _GNU_SOURCE
#include "clinux_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

int clp_write_file_atomic(const char *path, const uint8_t *data, size_t length, uint32_t mode) {
    char temporary[PATH_MAX];
    if (snprintf(temporary, sizeof temporary, "%s.tmp-XXXXXX", path) >= (int)sizeof temporary) return ENAMETOOLONG;
    int fd = mkostemp(temporary, O_CLOEXEC);
    if (fd < 0) return errno;
    int result = fchmod(fd, (mode_t)mode) != 0 ? errno : 0;
    if (result == 0) result = write_all(fd, data, length);
    if (result == 0 && fsync(fd) != 0) result = errno;
    if (close(fd) != 0 && result == 0) result = errno;
    if (result == 0 && rename(temporary, path) != 0) result = errno;
    if (result != 0) {
        unlink(temporary);
        return result;
    }
    // Make the rename itself durable: fsync the directory that holds the entry.
    char directory[PATH_MAX];
    snprintf(directory, sizeof directory, "%s", path);
    int dirfd = open(dirname(directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return errno;
    result = fsync(dirfd) != 0 ? errno : 0;
    close(dirfd);
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
