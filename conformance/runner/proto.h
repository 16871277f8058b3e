/* The conformance runner's wire protocol [#runner.protocol]: requests and
 * responses are sequences of frames, each a 4-byte big-endian signed length
 * and that many bytes (PySpark's write_with_length), a section ending with
 * the length -1 (PySpark's SpecialLengths.END_OF_DATA_SECTION).
 *
 *   request  [#runner.request]  = header frame, data frames..., -1
 *   response [#runner.response] = data frames..., -1, status frame
 *
 * Headers and status frames are UTF-8 text lines "key=value". Shared by the
 * runner, the sparkwire adapter and the runner's CUnit test. No libsparkwire
 * symbols: a testee written in C may copy this file. */
#ifndef SW_RUNNER_PROTO_H
#define SW_RUNNER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define RP_END_OF_DATA (-1)
/* largest frame either side accepts [#runner.limits] */
#define RP_MAX_FRAME ((size_t)64 * 1024 * 1024)
/* largest number of data frames in one response [#runner.limits] */
#define RP_MAX_FRAMES ((size_t)1024 * 1024)

typedef struct rp_buf {
    unsigned char *p;
    size_t n, cap;
} rp_buf;

int rp_buf_add(rp_buf *b, const void *p, size_t n); /* 0 or -1 (out of memory) */
void rp_buf_free(rp_buf *b);

/* append a frame / the -1 terminator to out */
int rp_put_frame(rp_buf *out, const void *p, size_t n);
int rp_put_end(rp_buf *out);
/* append "key=value\n" (value's newlines become spaces) */
int rp_put_kv(rp_buf *out, const char *key, const char *value);

/* A parsed response. data[i] point into the buffer that was parsed. */
typedef struct rp_slice {
    const unsigned char *p;
    size_t n;
} rp_slice;

typedef struct rp_response {
    size_t ndata;
    rp_slice *data;  /* malloc'd array */
    rp_slice status; /* the status frame's text */
    size_t consumed; /* bytes of the buffer the response took */
} rp_response;

/* Parse one response from the start of p[0..n):
 *   1 complete (r filled; free with rp_response_free),
 *   0 more bytes needed,
 *  -1 malformed (a length below -1 or over RP_MAX_FRAME, too many frames);
 *     *why is a static reason. */
int rp_parse_response(const unsigned char *p, size_t n, rp_response *r, const char **why);
void rp_response_free(rp_response *r);

/* Value of key in "key=value" lines, as a malloc'd NUL-terminated string, or
 * NULL when absent. The first occurrence counts. */
char *rp_kv_get(const unsigned char *text, size_t n, const char *key);

/* Blocking reads for testees: one frame from fd into *payload (replacing its
 * contents). Returns 1 and *len (-1 for the terminator, payload empty), 0 at
 * a clean end of input before the length, -1 on a short read, a bad length
 * or an I/O error. */
int rp_read_frame(int fd, rp_buf *payload, int32_t *len);
/* write all of p[0..n) to fd (retrying EINTR/EAGAIN); 0 or -1 */
int rp_write_all(int fd, const void *p, size_t n);

#endif
