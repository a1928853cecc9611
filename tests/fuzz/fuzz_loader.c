/* fuzz_loader.c: libFuzzer target for the case and golden loaders
 * (ecr_json + casefile + golden). The first byte chooses the loader, the rest
 * is the document. It is parsed in memory exactly as ecr_json_read_file
 * parses a file (ECR_JSON_FILE) and handed to ecrc_golden_from_json or
 * ecrc_case_from_json, the functions behind ecrc_golden_load and
 * ecrc_case_load: writing each input to a file made the kernel's file work
 * 75% of the time (about 1,500 executions per second; in memory it is
 * ten times that), and the file-level checks (regular file, size cap,
 * FIFO) have their own tests (tests/e2e/test_hostile_loader.py). Goldens,
 * manifests and blobs are read (never written) from the repository's own
 * cases/ and golden/, found above the working directory at start-up, so a
 * seed's fixture and goldens load as they do in `lint`; without them the
 * roots name a directory that does not exist and cases report them missing.
 * Any outcome but a crash, a hang or a sanitizer report is fine: the loader
 * must refuse bad input cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile.h"
#include "ecr/diag.h"
#include "ecr/json.h"
#include "golden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NO_ROOT "fuzz-loader-no-such-root"
#define UP_MAX 8 /* directories searched above the working directory */

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_cases[128] = NO_ROOT, g_golden[128] = NO_ROOT;

/* The nearest directory above the working directory holding cases/ and
 * golden/ (the repository): its two roots. */
static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* ".", "..", "../..", ...: i levels up is i times "../" (its last "/" cut). */
    static const char ups[] = "../../../../../../../../";
    for (int i = 0; i < UP_MAX; i++) {
        char up[32], c[64], g[64];
        if (i == 0)
            snprintf(up, sizeof up, ".");
        else
            snprintf(up, sizeof up, "%.*s", 3 * i - 1, ups);
        snprintf(c, sizeof c, "%s/cases", up);
        snprintf(g, sizeof g, "%s/golden", up);
        if (is_dir(c) && is_dir(g)) {
            snprintf(g_cases, sizeof g_cases, "%s", c);
            snprintf(g_golden, sizeof g_golden, "%s", g);
            break;
        }
    }
    fprintf(stderr, "fuzz_loader: manifests and goldens from %s and %s\n", g_cases, g_golden);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int golden_doc = data[0] & 1;
    const char *label = golden_doc ? "golden.json" : "case.json";
    diag_list d;
    ecr_diag_init(&d);
    json_object *j =
        ecr_json_parse((const char *)data + 1, size - 1, ECR_JSON_FILE, NULL, label, &d);
    if (j && golden_doc)
        ecrc_golden_free(ecrc_golden_from_json(label, j, &d));
    else if (j)
        ecrc_case_free(ecrc_case_from_json(label, j, g_cases, g_golden, NULL, &d));
    /* Every refusal must say why. */
    if (!j && d.n == 0)
        abort();
    ecr_diag_free(&d);
    return 0;
}
