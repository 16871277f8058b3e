/* A testee process driven over its stdin/stdout [#runner.session]: started
 * with /bin/sh -c CMD in its own process group, one request at a time, each
 * under a deadline [#runner.timeout]; a testee that dies, hangs or answers
 * something that is not a response is killed and started again for the next
 * request [#runner.restart]. */
#ifndef SW_RUNNER_SESSION_H
#define SW_RUNNER_SESSION_H

#include <sys/types.h>

#include "proto.h"

typedef struct rs_testee {
    const char *name;
    const char *cmd;
    int stderr_fd;   /* where the testee's stderr goes (-1: inherited) */
    pid_t pid;       /* 0 when not running */
    int to_fd, from_fd;
    unsigned starts; /* processes started so far */
    rp_buf in;       /* bytes read from the testee */
} rs_testee;

typedef enum rs_result {
    RS_OK = 0,       /* a complete response in *resp */
    RS_CRASH = 1,    /* the testee ended (or closed its stdout) before answering */
    RS_TIMEOUT = 2,  /* no complete response before the deadline */
    RS_PROTOCOL = 3, /* bytes that are not a response */
    RS_START = 4     /* the testee could not be started */
} rs_result;

void rs_init(rs_testee *t, const char *name, const char *cmd, int stderr_fd);
/* Send one request (already framed) and wait for its response. On RS_OK
 * *resp points into t->in (valid until the next call). detail receives a
 * short description of a failure (exit status, signal, protocol fault). */
rs_result rs_exchange(rs_testee *t, const rp_buf *request, double timeout_s, rp_response *resp, char *detail,
                      size_t detail_cap);
/* Close the testee's stdin, give it a moment to exit, then kill it. */
void rs_stop(rs_testee *t);

#endif
