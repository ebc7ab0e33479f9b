// Runs one program to its end and prints, on one line, its exit status, wall time (ns),
// CPU time (user + system, ns) and peak resident set (KiB): "exit wall_ns cpu_ns maxrss_kib".
// A small process of its own so the child's peak RSS is the child's: after a vfork-style
// spawn the kernel folds the spawning process's own peak into the child's ru_maxrss, and
// the benchmark harness is tens of MiB. LD_PRELOAD (the harness's malloc interposer) is
// not passed on. Standard input and output go to /dev/null, and
// standard error too unless PROBE_STDERR is set.
// Usage: process-probe PROGRAM [ARGUMENT…]   (built by Benchmarks/run.sh)
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long nanoseconds(struct timespec time) { return (long long)time.tv_sec * 1000000000LL + time.tv_nsec; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: process-probe PROGRAM [ARGUMENT…]\n");
        return 2;
    }
    // The harness preloads its malloc interposer; the measured program never runs with it.
    unsetenv("LD_PRELOAD");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    if (getenv("PROBE_STDERR") == NULL) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child;
    int result = posix_spawn(&child, argv[1], &actions, NULL, argv + 1, environ);
    if (result != 0) {
        fprintf(stderr, "process-probe: cannot run %s (errno %d)\n", argv[1], result);
        return 2;
    }
    int status = 0;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) != child) {
        perror("process-probe: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long cpu = ((long long)usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL
                    + ((long long)usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
    int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%d %lld %lld %ld\n", exit_status, nanoseconds(end) - nanoseconds(start), cpu, usage.ru_maxrss);
    return 0;
}
