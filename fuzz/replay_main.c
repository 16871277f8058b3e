/* A main() for a fuzz target without libFuzzer [#fuzz.build]:
 *  - plain build: runs every file given (directories are walked one level)
 *    through LLVMFuzzerTestOneInput; exits 0 when none failed an oracle
 *    (a failure aborts);
 *    with --describe first, prints what each input means instead (its
 *    configuration and stream as JSON, one line per input: [#fuzz.describe]);
 *  - AFL++ build (afl-clang-fast defines __AFL_COMPILER): with no argument,
 *    persistent mode over __AFL_FUZZ_TESTCASE_BUF; with arguments, replay. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int fz_describe; /* fuzz/oracle.c */

#ifdef __AFL_COMPILER
__AFL_FUZZ_INIT();
#endif

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (!f) {
        perror(path);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 65536;
            nb = (uint8_t *)realloc(buf, cap);
            if (!nb) {
                fclose(f);
                free(buf);
                return 1;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int run_path(const char *path, long *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        int bad = 0;
        if (!d) {
            perror(path);
            return 1;
        }
        while ((de = readdir(d)) != NULL) {
            char sub[4096];
            struct stat st2;
            if (de->d_name[0] == '.') continue;
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            if (stat(sub, &st2) == 0 && S_ISREG(st2.st_mode)) {
                bad |= run_file(sub);
                (*count)++;
            }
        }
        closedir(d);
        return bad;
    }
    (*count)++;
    return run_file(path);
}

int main(int argc, char **argv)
{
    int i, bad = 0;
    long count = 0;
#ifdef __AFL_COMPILER
    if (argc < 2) {
        unsigned char *buf;
        __AFL_INIT();
        buf = __AFL_FUZZ_TESTCASE_BUF;
        while (__AFL_LOOP(10000)) {
            size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
            LLVMFuzzerTestOneInput(buf, len);
        }
        return 0;
    }
#endif
    if (argc >= 2 && strcmp(argv[1], "--describe") == 0) {
        fz_describe = 1;
        argv++;
        argc--;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--describe] FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) bad |= run_path(argv[i], &count);
    fprintf(stderr, "%s %ld inputs\n", fz_describe ? "described" : "replayed", count);
    return bad;
}
