/* A small, safe JSON reader for the conformance suite's sidecars: a DOM
 * in one malloc'd array, iterative parsing with a depth limit, strings
 * unescaped to UTF-8 (surrogate escapes kept as surrogatepass UTF-8). */
#ifndef SW_CONF_JSON_H
#define SW_CONF_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jnode {
    jkind kind;
    char *s;          /* J_STR (NUL-terminated, may hold NULs: use len), J_NUM text */
    size_t len;
    double num;
    size_t first;     /* J_ARR/J_OBJ: index of first child (object: key, value pairs) or 0 */
    size_t count;     /* children (object: 2 * members) */
    size_t next;      /* next sibling or 0 */
} jnode;

typedef struct jdoc {
    jnode *n;
    size_t nn, cap;
    char *text;       /* owns unescaped strings */
} jdoc;

/* Parse text[0..len); 0 on success, else -1 with *err_at at the bad byte. */
int json_parse(jdoc *d, const char *text, size_t len, size_t *err_at);
void json_free(jdoc *d);
/* Object member by key, or NULL. */
const jnode *json_get(const jdoc *d, const jnode *obj, const char *key);
/* i-th element of an array, or NULL. */
const jnode *json_at(const jdoc *d, const jnode *arr, size_t i);
const char *json_str(const jnode *n); /* string value or NULL */

#endif
