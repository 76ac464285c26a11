/* The init of a resident box: pid 1 of one long-lived bubblewrap, it spawns every run.

   Built by the supervisor when it starts (`sandbox.init_binary`, static, with the host's C
   compiler) and run inside the sandbox through a descriptor (/proc/self/fd/N), so nothing of
   it appears in the box's file tree. argv[1] is a SOCK_SEQPACKET socket to the keeper.

   A request is one datagram of NUL-terminated fields: the RLIMIT_CPU pair (soft, hard), the
   argument count, the arguments, then the environment; it carries the run's stdin, stdout
   and stderr as three descriptors. The reply is "<wait status> <max RSS in KiB> <voluntary
   context switches> <forced ones>", or
   "E <message>" when the program could not be started. Every other rlimit and
   oom_score_adj were set on this process by the keeper and are inherited.

   Written in C rather than Python so that a run's max RSS is the program's own: exec
   records the RSS of the process that spawned it (a Python init would add its ~11 MB to
   every run), and it starts in a millisecond instead of ~40. Being pid 1 of the pid
   namespace protects it: it installs no signal handler, so the kernel drops every signal a
   program sends it (kill(-1) included), and orphans come to it to be reaped. The keeper
   kills whatever a run leaves behind and wipes /tmp and /dev/shm between runs. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_MESSAGE (1 << 20)
#define MAX_FIELDS 65536
#define STDIO 3

static char message[MAX_MESSAGE + 1];
static char *fields[MAX_FIELDS + 1];
static char *program_argv[MAX_FIELDS + 1];

static ssize_t receive(int control, int fds[STDIO]) {
    char space[CMSG_SPACE(sizeof(int) * STDIO)];
    struct iovec iov = {message, MAX_MESSAGE};
    struct msghdr header = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = space,
                            .msg_controllen = sizeof(space)};
    ssize_t size = recvmsg(control, &header, MSG_CMSG_CLOEXEC);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&header);
    if (size <= 0 || cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int) * STDIO))
        return -1;
    memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * STDIO);
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

static void reap_strays(void) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
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

static void run(int control, ssize_t size, const int fds[STDIO]) {
    char reply[256];
    int count = split(size);
    int argc = count > 2 ? atoi(fields[2]) : 0;
    if (argc < 1 || 3 + argc > count) {
        snprintf(reply, sizeof(reply), "E malformed request");
    } else {
        struct rlimit cpu = {strtoul(fields[0], NULL, 10), strtoul(fields[1], NULL, 10)};
        pid_t pid;
        memcpy(program_argv, fields + 3, sizeof(char *) * argc);
        program_argv[argc] = NULL;
        reap_strays();
        /* env: the rest; RLIMIT_CPU: a backstop only (the keeper's watchdog is exact) */
        int error = spawn(program_argv, fields + 3 + argc, fds, &cpu, &pid);
        if (error) {
            snprintf(reply, sizeof(reply), "E %s: %s", program_argv[0], strerror(error));
        } else {
            int status = 0;
            struct rusage usage = {0};
            pid_t done;
            while ((done = wait4(-1, &status, 0, &usage)) != pid) {
                if (done < 0 && errno != EINTR)
                    break;
            }
            snprintf(reply, sizeof(reply), "%d %ld %ld %ld", status, usage.ru_maxrss,
                     usage.ru_nvcsw, usage.ru_nivcsw);
        }
    }
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
    send(control, "ready", 5, 0);
    for (;;) {
        int fds[STDIO];
        ssize_t size = receive(control, fds);
        if (size <= 0)
            return 0;
        run(control, size, fds);
    }
}
