/* fuzz_loader.c: libFuzzer target for the case and golden loaders
 * (ecr_json + casefile + golden). The input is written to a file in a
 * private directory below the working directory (never the system temp dir
 * itself); the first byte chooses the loader. Any outcome but a crash, a hang
 * or a sanitizer report is fine: the loader must refuse bad input cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile.h"
#include "ecr/diag.h"
#include "ecr/json.h"
#include "golden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[64];

static const char *workdir(void)
{
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "fuzz-loader-XXXXXX");
        if (!mkdtemp(g_dir))
            abort();
    }
    return g_dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char path[128];
    const char *dir = workdir();
    snprintf(path, sizeof path, "%s/%s", dir, data[0] & 1 ? "golden.json" : "case.json");
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
        abort();
    fclose(f);

    diag_list d;
    ecr_diag_init(&d);
    json_object *j =
        ecr_json_parse((const char *)data + 1, size - 1, ECR_JSON_FILE, NULL, NULL, &d);
    json_object_put(j);
    if (data[0] & 1) {
        golden *g = ecrc_golden_load(path, &d);
        ecrc_golden_free(g);
    } else {
        case_def *c = ecrc_case_load(path, dir, dir, &d);
        ecrc_case_free(c);
    }
    ecr_diag_free(&d);
    return 0;
}
