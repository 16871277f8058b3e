/* Driving a testee process [#runner.session] [#runner.timeout] [#runner.restart]. */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* all of one response together [#runner.limits] */
#define RS_MAX_RESPONSE ((size_t)256 * 1024 * 1024)

void rs_init(rs_testee *t, const char *name, const char *cmd, int stderr_fd)
{
    struct sigaction sa;
    memset(t, 0, sizeof *t);
    t->name = name;
    t->cmd = cmd;
    t->stderr_fd = stderr_fd;
    t->to_fd = t->from_fd = -1;
    /* a testee that closes its stdin must not kill the runner */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cloexec_nonblock(int fd, int nonblock)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0) fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
    if (nonblock) {
        fl = fcntl(fd, F_GETFL);
        if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
}

static int start(rs_testee *t)
{
    int in[2], out[2];
    pid_t pid;
    if (pipe(in) != 0) return -1;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    cloexec_nonblock(in[0], 0);
    cloexec_nonblock(in[1], 1);
    cloexec_nonblock(out[0], 1);
    cloexec_nonblock(out[1], 0);
    pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, NULL);
        setpgid(0, 0);
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0) _exit(126);
        if (t->stderr_fd >= 0 && t->stderr_fd != 2) dup2(t->stderr_fd, 2);
        execl("/bin/sh", "sh", "-c", t->cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(in[0]);
    close(out[1]);
    t->pid = pid;
    t->to_fd = in[1];
    t->from_fd = out[0];
    t->starts++;
    t->in.n = 0;
    return 0;
}

/* wait up to grace_s for the process to end by itself, then kill its group */
static int reap(rs_testee *t, double grace_s)
{
    int st = 0;
    double end = now_s() + grace_s;
    pid_t r = 0;
    if (t->to_fd >= 0) close(t->to_fd);
    if (t->from_fd >= 0) close(t->from_fd);
    t->to_fd = t->from_fd = -1;
    if (t->pid <= 0) return -1;
    for (;;) {
        r = waitpid(t->pid, &st, WNOHANG);
        if (r == t->pid || (r < 0 && errno != EINTR)) break;
        if (now_s() >= end) {
            kill(-t->pid, SIGKILL);
            kill(t->pid, SIGKILL);
            while ((r = waitpid(t->pid, &st, 0)) < 0 && errno == EINTR) {
            }
            break;
        }
        {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* whatever the shell left behind in the group goes too */
    kill(-t->pid, SIGKILL);
    t->pid = 0;
    return r > 0 ? st : -1;
}

static void describe_exit(int st, char *detail, size_t cap, const char *what)
{
    if (st < 0)
        snprintf(detail, cap, "%s", what);
    else if (WIFEXITED(st))
        snprintf(detail, cap, "%s; exit status %d", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(detail, cap, "%s; killed by signal %d", what, WTERMSIG(st));
    else
        snprintf(detail, cap, "%s", what);
}

rs_result rs_exchange(rs_testee *t, const rp_buf *request, double timeout_s, rp_response *resp, char *detail,
                      size_t detail_cap)
{
    size_t wpos = 0;
    int wclosed = 0;
    double deadline;
    memset(resp, 0, sizeof *resp);
    detail[0] = 0;
    if (t->pid == 0 && start(t) != 0) {
        snprintf(detail, detail_cap, "cannot start: %s", strerror(errno));
        return RS_START;
    }
    t->in.n = 0;
    {
        /* output between responses is a fault; an end there means it died: start again */
        struct pollfd pf;
        pf.fd = t->from_fd;
        pf.events = POLLIN;
        pf.revents = 0;
        if (poll(&pf, 1, 0) > 0) {
            unsigned char c;
            ssize_t r = read(t->from_fd, &c, 1);
            if (r > 0) {
                snprintf(detail, detail_cap, "bytes after the previous response");
                reap(t, 0);
                return RS_PROTOCOL;
            }
            if (r == 0) {
                reap(t, 1.0);
                if (start(t) != 0) {
                    snprintf(detail, detail_cap, "cannot start: %s", strerror(errno));
                    return RS_START;
                }
            }
        }
    }
    deadline = now_s() + timeout_s;
    for (;;) {
        struct pollfd pf[2];
        int np = 0, rc, wi = -1, ri;
        double left = deadline - now_s();
        if (left <= 0) goto timeout;
        if (!wclosed && wpos < request->n) {
            pf[np].fd = t->to_fd;
            pf[np].events = POLLOUT;
            pf[np].revents = 0;
            wi = np++;
        }
        pf[np].fd = t->from_fd;
        pf[np].events = POLLIN;
        pf[np].revents = 0;
        ri = np++;
        rc = poll(pf, (nfds_t)np, (int)(left * 1000.0) + 1);
        if (rc < 0) {
            if (errno == EINTR) continue;
            snprintf(detail, detail_cap, "poll: %s", strerror(errno));
            reap(t, 0);
            return RS_CRASH;
        }
        if (rc == 0) continue; /* the deadline is checked at the top */
        if (wi >= 0 && (pf[wi].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(t->to_fd, request->p + wpos, request->n - wpos);
            if (w > 0)
                wpos += (size_t)w;
            else if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                wclosed = 1; /* EPIPE: it stopped reading; what it wrote still counts */
        }
        if (pf[ri].revents & (POLLIN | POLLERR | POLLHUP)) {
            unsigned char chunk[65536];
            ssize_t r = read(t->from_fd, chunk, sizeof chunk);
            if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
            if (r <= 0) {
                int st = reap(t, 1.0);
                describe_exit(st, detail, detail_cap,
                              t->in.n ? "ended in the middle of a response" : "ended without a response");
                return RS_CRASH;
            }
            if (t->in.n > RS_MAX_RESPONSE || rp_buf_add(&t->in, chunk, (size_t)r) != 0) {
                snprintf(detail, detail_cap, "response too large for memory");
                reap(t, 0);
                return RS_PROTOCOL;
            }
        }
        if (t->in.n) {
            const char *why = NULL;
            int pr = rp_parse_response(t->in.p, t->in.n, resp, &why);
            if (pr < 0) {
                snprintf(detail, detail_cap, "malformed response: %s", why ? why : "?");
                reap(t, 0);
                return RS_PROTOCOL;
            }
            if (pr == 1) {
                if (resp->consumed != t->in.n) {
                    rp_response_free(resp);
                    snprintf(detail, detail_cap, "bytes after the response");
                    reap(t, 0);
                    return RS_PROTOCOL;
                }
                if (wpos == request->n) return RS_OK;
                rp_response_free(resp);
                if (wclosed) {
                    snprintf(detail, detail_cap, "answered without reading the whole request");
                    reap(t, 0);
                    return RS_PROTOCOL;
                }
                /* it answered early: the rest of the request must still go in */
            }
        }
    }
timeout:
    reap(t, 0);
    snprintf(detail, detail_cap, "no complete response within %.1f s; killed", timeout_s);
    return RS_TIMEOUT;
}

void rs_stop(rs_testee *t)
{
    if (t->pid > 0) reap(t, 1.0);
    rp_buf_free(&t->in);
}
