/* The init of a resident box: pid 1 of one long-lived bubblewrap, it runs and measures
   every run of the box's program.

   Built by the supervisor when it starts (`sandbox.init_binary`, static, with the host's C
   compiler) and run inside the sandbox through a descriptor (/proc/self/fd/N), so nothing of
   it appears in the box's file tree. argv[1] is a SOCK_SEQPACKET socket that both the keeper
   and the supervisor hold (`sandbox.resident`); one of them at a time sends a request and
   reads its reply.

   Why it does a run's whole per-run work (spawn, watchdog, counters, cleanup check): done
   in the Python keeper, every run cost three process hand-offs (supervisor → keeper → init
   and back) and ~220 µs of keeper CPU, half of what a C hello world's run costs itself. Now
   the supervisor hands a run straight to this init and reads its counters in one reply.
   Python keeps the policy: the limits come in the requests, the verdict and the memory
   arithmetic are made from the reply (`sandbox.resident.measurement_of`); this init is
   mechanism only.

   Messages are datagrams of NUL-terminated fields.
   - First, once, from the keeper: the counters. Fields: the box cgroup's task count between
     runs, the watchdog's poll period (ms), the key of the CPU counter's line ("" for a file
     holding one number) and its unit in ns, the bytes that reset the memory peak, the key of
     the OOM-kill counter's line; descriptors (opened by the root keeper: this init cannot
     open them): the CPU, memory peak (read-write), OOM-kill and task-count files.
   - A run: RLIMIT_CPU (soft, hard), the CPU and wall limits (ms), the argument count, the
     arguments, then the environment; it carries the run's stdin, stdout and stderr.
   - The reply: "R <wait status> <max RSS KiB> <voluntary and forced context switches>
     <program CPU ns> <wall ns> <cgroup memory peak> <OOM kills during the run> <cgroup CPU ns
     and OOM kills now> <killed: - cpu wall> <clean: 1, or 0 when the keeper must clear the
     box>", or "E <message>" when the program could not be started. Every other rlimit and
     oom_score_adj were set on this process by the keeper and are inherited.

   Written in C rather than Python also so that a run's max RSS is the program's own: exec
   records the RSS of the process that spawned it. Being pid 1 of the pid namespace protects
   it: it installs no signal handler, so the kernel drops every signal a program sends it
   (kill(-1) included), and orphans come to it to be reaped; its kill(-1) reaches every
   process of the box but itself. Whatever it cannot clear (a /tmp or /dev/shm a run wrote
   to, processes that outlive SIGKILL) it reports as not clean, and the keeper clears it as
   root. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE (1 << 20)
#define MAX_FIELDS 65536
#define STDIO 3
#define COUNTERS 4 /* cpu, peak, oom kills, tasks */
#define RUN_FIELDS 5 /* before the arguments: cpu soft, cpu hard, time ms, wall ms, argc */
#define CLEAR_TRIES 1000 /* kill(-1) and reap rounds (a fork bomb refills between them) */

static char message[MAX_MESSAGE + 1];
static char *fields[MAX_FIELDS + 1];
static char *program_argv[MAX_FIELDS + 1];

/* The box cgroup's counter files and how to read them (the first message). */
static struct {
    int cpu, peak, oom, tasks;
    long expected_tasks, poll_ms, cpu_unit_ns;
    char cpu_key[32], peak_reset[32], oom_key[32];
} box;

/* The tmpfs mounts a run may write to, and their inodes and blocks in use when empty. */
static const char *const wiped[] = {"/tmp", "/dev/shm"};
static int wiped_fd[2] = {-1, -1};
static unsigned long empty_use[2][2];

static ssize_t receive(int control, int *fds, int count) {
    char space[CMSG_SPACE(sizeof(int) * COUNTERS)];
    struct iovec iov = {message, MAX_MESSAGE};
    struct msghdr header = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = space,
                            .msg_controllen = CMSG_SPACE(sizeof(int) * count)};
    ssize_t size = recvmsg(control, &header, MSG_CMSG_CLOEXEC);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&header);
    if (size <= 0 || cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int) * count))
        return -1;
    memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * count);
    message[size] = '\0';
    return size;
}

/* Split the message into its NUL-terminated fields; return how many. */
static int split(ssize_t size) {
    int count = 0;
    for (char *field = message; field < message + size && count < MAX_FIELDS;
         field += strlen(field) + 1)
        fields[count++] = field;
    fields[count] = NULL;
    return count;
}

/* A counter: the number a file holds, or the one on its line "<key> <number>". */
static long long counter(int fd, const char *key) {
    char text[4096];
    ssize_t size = pread(fd, text, sizeof(text) - 1, 0);
    if (size <= 0)
        return -1;
    text[size] = '\0';
    if (!*key)
        return strtoll(text, NULL, 10);
    size_t length = strlen(key);
    for (char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, length) == 0 && line[length] == ' ')
            return strtoll(line + length + 1, NULL, 10);
    return 0;
}

static long long cgroup_cpu_ns(void) { return counter(box.cpu, box.cpu_key) * box.cpu_unit_ns; }

static long long clock_ns(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* CPU the program's processes used since the run began: the cgroup's, less this init's own
   (the keeper and the outer bubblewrap sleep meanwhile). */
struct start {
    long long cgroup_cpu, own_cpu, wall, oom_kills;
};

static long long program_cpu_ns(const struct start *start) {
    long long own = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start->own_cpu;
    return cgroup_cpu_ns() - start->cgroup_cpu - own;
}

/* What the first message says (see the top of this file). */
static int read_setup(int control) {
    int fds[COUNTERS];
    ssize_t size = receive(control, fds, COUNTERS);
    if (size < 0 || split(size) != 6)
        return -1;
    box.cpu = fds[0], box.peak = fds[1], box.oom = fds[2], box.tasks = fds[3];
    box.expected_tasks = atol(fields[0]);
    box.poll_ms = atol(fields[1]);
    snprintf(box.cpu_key, sizeof(box.cpu_key), "%s", fields[2]);
    box.cpu_unit_ns = atol(fields[3]);
    snprintf(box.peak_reset, sizeof(box.peak_reset), "%s", fields[4]);
    snprintf(box.oom_key, sizeof(box.oom_key), "%s", fields[5]);
    return box.poll_ms > 0 && box.cpu_unit_ns > 0 ? 0 : -1;
}

static void tmpfs_use(int fd, unsigned long use[2]) {
    struct statvfs usage;
    use[0] = use[1] = 0; /* no such mount: nothing to wipe */
    if (fd >= 0 && fstatvfs(fd, &usage) == 0)
        use[0] = usage.f_files - usage.f_ffree, use[1] = usage.f_blocks - usage.f_bfree;
}

static int tmpfs_empty(void) {
    for (int i = 0; i < 2; i++) {
        unsigned long use[2];
        tmpfs_use(wiped_fd[i], use);
        if (use[0] != empty_use[i][0] || use[1] != empty_use[i][1])
            return 0;
    }
    return 1;
}

/* Kill every process of the box but this one and reap them until the cgroup holds only the
   keeper, the outer bubblewrap and this init; 1 when it does. */
static int clear_processes(void) {
    for (int round = 0; round < CLEAR_TRIES; round++) {
        if (counter(box.tasks, "") == box.expected_tasks)
            return 1;
        kill(-1, SIGKILL);
        while (waitpid(-1, NULL, __WALL) > 0) {
        }
    }
    return counter(box.tasks, "") == box.expected_tasks;
}

/* What the child sets when it could not start the program (vfork: it writes our memory). */
static volatile int spawn_error;

/* vfork and exec the program in a new session with its stdio and RLIMIT_CPU; 0 or an errno.
   Not posix_spawn: glibc's child asks and resets every signal's disposition first (~130
   syscalls a run), for callers with handlers; this init has none, and the child inherits its
   dispositions and empty mask as posix_spawn would leave them. */
static int spawn(char **argv, char **env, const int fds[STDIO], const struct rlimit *cpu,
                 pid_t *pid) {
    spawn_error = 0;
    pid_t child = vfork();
    if (child == 0) {
        for (int target = 0; target < STDIO; target++)
            if (dup2(fds[target], target) < 0)
                goto failed;
        if (setsid() < 0 || setrlimit(RLIMIT_CPU, cpu) < 0)
            goto failed;
        execve(argv[0], argv, env);
    failed:
        spawn_error = errno;
        _exit(127);
    }
    if (child < 0)
        return errno;
    if (spawn_error) {
        waitpid(child, NULL, 0);
        return spawn_error;
    }
    *pid = child;
    return 0;
}

/* The watchdog: wait for the program to end, or kill the box's processes at the first limit
   it goes past (checked every poll period, as `sandbox.watchdog`); which one, or NULL. A
   control socket readable meanwhile means both its other holders are gone: end the box. */
static const char *watch(int control, int pidfd, const struct start *start, long long cpu_limit_ns,
                         long long deadline_ns) {
    struct pollfd ready[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = control, .events = POLLIN}};
    const char *killed = NULL;
    while (!killed) {
        long long left_ms = (deadline_ns - clock_ns(CLOCK_MONOTONIC)) / 1000000 + 1;
        int timeout = (int)(left_ms < box.poll_ms ? (left_ms > 0 ? left_ms : 0) : box.poll_ms);
        if (poll(ready, 2, timeout) < 0 && errno != EINTR)
            break;
        if (ready[0].revents)
            break;
        if (ready[1].revents) {
            kill(-1, SIGKILL);
            exit(0);
        }
        if (clock_ns(CLOCK_MONOTONIC) >= deadline_ns)
            killed = "wall";
        else if (program_cpu_ns(start) > cpu_limit_ns)
            killed = "cpu";
    }
    if (killed)
        kill(-1, SIGKILL);
    return killed;
}

static void run(int control, ssize_t size, const int fds[STDIO]) {
    char reply[512];
    int count = split(size);
    int argc = count >= RUN_FIELDS ? atoi(fields[RUN_FIELDS - 1]) : 0;
    pid_t pid;
    struct start start;
    int error = 0;
    if (argc < 1 || RUN_FIELDS + argc > count) {
        snprintf(reply, sizeof(reply), "E malformed request");
        goto done;
    }
    struct rlimit cpu = {strtoul(fields[0], NULL, 10), strtoul(fields[1], NULL, 10)};
    long long cpu_limit_ns = atoll(fields[2]) * 1000000LL, wall_limit_ns = atoll(fields[3]) * 1000000LL;
    memcpy(program_argv, fields + RUN_FIELDS, sizeof(char *) * argc);
    program_argv[argc] = NULL;
    /* Peak memory from this run on; CPU and OOM kills cannot be reset: deltas. */
    pwrite(box.peak, box.peak_reset, strlen(box.peak_reset), 0);
    start.oom_kills = counter(box.oom, box.oom_key);
    start.cgroup_cpu = cgroup_cpu_ns();
    start.own_cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    start.wall = clock_ns(CLOCK_MONOTONIC);
    /* env: the rest; RLIMIT_CPU: a backstop only (the watchdog is exact) */
    error = spawn(program_argv, fields + RUN_FIELDS + argc, fds, &cpu, &pid);
    if (error) {
        snprintf(reply, sizeof(reply), "E %s: %s", program_argv[0], strerror(error));
        goto done;
    }
    for (int i = 0; i < STDIO; i++) /* the program's end of a pipe must be its alone */
        close(fds[i]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) { /* no watchdog without it: stop the run (the judge retries it) */
        snprintf(reply, sizeof(reply), "E pidfd_open: %s", strerror(errno));
        clear_processes();
        send(control, reply, strlen(reply), 0);
        return;
    }
    const char *killed = watch(control, pidfd, &start, cpu_limit_ns, start.wall + wall_limit_ns);
    close(pidfd);
    int status = 0;
    struct rusage usage = {0};
    pid_t done;
    while ((done = wait4(-1, &status, __WALL, &usage)) != pid) {
        if (done < 0 && errno != EINTR)
            break;
    }
    long long wall_ns = clock_ns(CLOCK_MONOTONIC) - start.wall;
    long long run_cpu_ns = program_cpu_ns(&start);
    long long peak = counter(box.peak, ""), oom_kills = counter(box.oom, box.oom_key);
    int clean = clear_processes() && tmpfs_empty();
    snprintf(reply, sizeof(reply), "R %d %ld %ld %ld %lld %lld %lld %lld %lld %lld %s %d", status,
             usage.ru_maxrss, usage.ru_nvcsw, usage.ru_nivcsw, run_cpu_ns, wall_ns, peak,
             oom_kills - start.oom_kills, cgroup_cpu_ns(), oom_kills, killed ? killed : "-", clean);
    send(control, reply, strlen(reply), 0);
    return;
done:
    for (int i = 0; i < STDIO; i++)
        close(fds[i]);
    send(control, reply, strlen(reply), 0);
}

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    int control = atoi(argv[1]);
    /* Not dumpable: /proc/1/mem, /proc/1/fd and /proc/1/environ become root's, so a program
       running as the same box uid can neither read them (bubblewrap set PWD in this
       process's environment) nor rewrite or steer this init between its runs. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    fcntl(control, F_SETFD, FD_CLOEXEC);
    /* Only the control socket stays: not the descriptor of this binary bubblewrap exec'd. */
    syscall(SYS_close_range, 3, control - 1, 0);
    syscall(SYS_close_range, control + 1, ~0U, 0);
    if (read_setup(control) < 0)
        return 3;
    for (int i = 0; i < 2; i++) {
        wiped_fd[i] = open(wiped[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        tmpfs_use(wiped_fd[i], empty_use[i]);
    }
    send(control, "ready", 5, 0);
    for (;;) {
        int fds[STDIO];
        ssize_t size = receive(control, fds, STDIO);
        if (size <= 0)
            return 0;
        run(control, size, fds);
    }
}
