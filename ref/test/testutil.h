/* Shared helpers for the CUnit suites. Each test file test_NAME.c defines
 * `int sw_suite_test_NAME(void)` that adds its suite(s); the Makefile
 * collects them. */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sparkwire/codec.h"
#include "sparkwire/io.h"
#include "sparkwire/sparkwire.h"
#include "sparkwire/value.h"

/* Register a suite from a NULL-terminated CU_TestInfo array. */
int sw_test_add_suite(const char *name, CU_TestInfo *tests);

/* Read a whole file; returns malloc'd buffer or NULL. */
uint8_t *sw_test_read_file(const char *path, size_t *n);

/* Fill memory with junk so tests catch outputs left unset. */
void sw_test_junk(void *p, size_t n);

/* Print a value in the notation into a static buffer (test use only). */
const char *sw_test_notation(const sw_value *v);

/* A failing allocator [#api.alloc] for allocation-failure tests: with
 * countdown N >= 0 the first N allocations (malloc or realloc) succeed and
 * every later one returns NULL; countdown < 0 never fails. allocs counts the
 * mallocs that succeeded, live the bytes outstanding (0 when every byte was
 * given back). */
typedef struct sw_test_failing {
    long countdown;
    long allocs;
    long long live;
} sw_test_failing;

/* An allocator drawing on f (f must outlive it). */
sw_alloc sw_test_failing_alloc(sw_test_failing *f);

/* Path of a repository file (tests run from the repository root). */
#define SW_TEST_ROOT "."

#endif
