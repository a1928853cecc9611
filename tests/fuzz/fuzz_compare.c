/* fuzz_compare.c: libFuzzer target for the comparator with matchers and
 * variable expansion. The input is "EXPECTED\n%%\nACTUAL": the expected
 * JSON is expanded with a few variables (as a golden is) and compared with
 * the actual JSON (parsed as a peer's body is). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compare.h"
#include "ecr/json.h"
#include "vars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    /* memchr to each newline and one comparison there. (memmem, which
     * _POSIX_C_SOURCE does not declare, was once called undeclared here: its
     * result cut to an int, every input was dropped, and the target covered
     * 9 edges for 10 million executions. scripts/lib.sh now refuses a target
     * whose seeds cover too little, and the fuzz build uses -Werror.) */
    const char *sep = NULL;
    for (const char *nl = memchr(text, '\n', size); nl && !sep;
         nl = memchr(nl + 1, '\n', size - (size_t)(nl + 1 - text)))
        if ((size_t)(nl - text) + 4 <= size && memcmp(nl, "\n%%\n", 4) == 0)
            sep = nl;
    if (!sep)
        return 0;
    size_t elen = (size_t)(sep - text);
    const char *act = sep + 4;
    size_t alen = size - elen - 4;
    json_object *expected = ecr_json_parse(text, elen, ECR_JSON_FILE, NULL, NULL, NULL);
    size_t rest;
    json_object *actual = ecr_json_parse(act, alen, ECR_JSON_PEER, &rest, NULL, NULL);
    vars *v = ecrc_vars_new();
    if (v && expected) {
        ecrc_vars_set(v, "repo:r", "ecrc-run1/case/ubuntu");
        ecrc_vars_set(v, "digest:a", "sha256:0123456789abcdef");
        ecrc_vars_set(v, "account", "123456789012");
        ecrc_vars_set(v, "region", "us-east-1");
        ecr_result rc;
        char bad[64];
        json_object *x = ecrc_vars_expand_json(v, expected, &rc, bad, sizeof bad);
        if (x) {
            diff_list d;
            ecrc_diff_init(&d);
            ecrc_compare_json(x, actual, "body", &d);
            ecrc_diff_free(&d);
            (void)ecrc_compare_matches(x, actual);
            json_object_put(x);
        }
    }
    ecrc_vars_free(v);
    json_object_put(expected);
    json_object_put(actual);
    return 0;
}
