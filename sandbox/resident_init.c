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
#include <spawn.h>
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

static int spawn(char **argv, char **env, const int fds[STDIO], pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    for (int target = 0; target < STDIO; target++)
        posix_spawn_file_actions_adddup2(&actions, fds[target], target);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    int error = posix_spawn(pid, argv[0], &actions, &attributes, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return error;
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
        int error = spawn(program_argv, fields + 3 + argc, fds, &pid); /* env: the rest */
        if (error) {
            snprintf(reply, sizeof(reply), "E %s: %s", program_argv[0], strerror(error));
        } else {
            /* A backstop only (the keeper's watchdog is exact), so setting it just after is fine. */
            prlimit(pid, RLIMIT_CPU, &cpu, NULL);
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
