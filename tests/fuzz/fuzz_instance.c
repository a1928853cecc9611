/* fuzz_instance.c: libFuzzer target for replay's canonical instances
 * (run/instance.c): the $regex string generator and the golden value ->
 * response builder. The first byte chooses: even, the rest is a regex
 * pattern given to ecrc_regex_instance; odd, the rest is a golden value
 * (JSON, parsed as a golden is) that passes the loader's matcher check,
 * given to ecrc_instance_json. Beyond "no
 * crash, no hang, no leak" it checks the property replay relies on: an
 * instance that is built satisfies what it was built from (the pattern
 * matches the string; the comparator accepts the value against the golden),
 * else the target aborts, and that input is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "ecr/diag.h"
#include "ecr/json.h"
#include "golden.h"
#include "instance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 8192)
        return 0;
    char err[512];
    if (!(data[0] & 1)) {
        char *pattern = malloc(size);
        if (!pattern)
            return 0;
        memcpy(pattern, data + 1, size - 1);
        pattern[size - 1] = '\0';
        char *s = ecrc_regex_instance(pattern, err, sizeof err);
        free(pattern);
        free(s);
        return 0;
    }
    json_object *expected =
        ecr_json_parse((const char *)data + 1, size - 1, ECR_JSON_FILE, NULL, NULL, NULL);
    if (!expected)
        return 0;
    /* replay only ever sees goldens the loader accepted: matcher syntax
     * checked (an unknown "$sev" key is the loader's to refuse). */
    diag_list d;
    ecr_diag_init(&d);
    size_t bad = ecrc_golden_check_matchers(expected, "golden.json", "body", &d);
    ecr_diag_free(&d);
    if (bad) {
        json_object_put(expected);
        return 0;
    }
    answer_list chosen;
    ecrc_answers_init(&chosen);
    err[0] = '\0';
    json_object *inst = ecrc_instance_json(expected, &chosen, "body", err, sizeof err);
    if (inst && !ecrc_compare_matches(expected, inst))
        abort(); /* an instance its own golden refuses */
    json_object_put(inst);
    ecrc_answers_free(&chosen);
    json_object_put(expected);
    return 0;
}
