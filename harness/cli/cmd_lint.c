/* ecrconform lint: validate cases and goldens without running them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ecrc.h"

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform lint [--golden-dir DIR] [--baseline FILE] [PATH...]\n"
        "\n"
        "Validates case files (default: every case under cases/) and the goldens they name, "
        "without\n"
        "running anything: format (docs/CASES.md), variables, manifests, provenance (every golden\n"
        "names its level and sources; no exact message text on an I or E golden), the state check\n"
        "after the call under test, and duplicate ids. Without PATH arguments and --golden-dir, "
        "it\n"
        "also reports golden files under ./golden that no case uses. --baseline FILE also\n"
        "validates a baseline (as run --baseline reads it).\n"
        "Every problem is printed as 'file: field: message'.\n"
        "\n"
        "Exit codes: 0 clean, 2 usage error, 3 problems found.\n",
        f);
}

int cmd_lint(int argc, char **argv)
{
    enum { O_GOLDEN = 256, O_BASELINE, O_HELP };
    static const struct option opts[] = {{"golden-dir", required_argument, NULL, O_GOLDEN},
                                         {"baseline", required_argument, NULL, O_BASELINE},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *golden_dir = NULL, *baseline_path = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_GOLDEN:
            golden_dir = optarg;
            break;
        case O_BASELINE:
            baseline_path = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return ECRC_EXIT_OK;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    diag_list diags;
    ecr_diag_init(&diags);
    loaded_set set;
    if (ecrc_load_cases((const char *const *)argv + optind, (size_t)(argc - optind), NULL,
                        golden_dir, &set, &diags)) {
        fprintf(stderr, "ecrconform lint: out of memory\n");
        return ECRC_EXIT_INTERNAL;
    }
    if (baseline_path)
        ecrc_baseline_free(ecrc_baseline_load(baseline_path, &diags));
    size_t ngoldens = ecrc_loaded_set_goldens(&set);
    /* Orphans are only meaningful when the whole corpus was linted. */
    if (optind == argc && !golden_dir) {
        struct stat st;
        if (stat("golden", &st) == 0 && S_ISDIR(st.st_mode))
            ecrc_loaded_set_orphans("golden", &set, &diags);
    }
    ecr_diag_print(&diags, stdout);
    printf("lint: %zu case file%s, %zu golden%s, %zu problem%s\n", set.n, set.n == 1 ? "" : "s",
           ngoldens, ngoldens == 1 ? "" : "s", diags.n, diags.n == 1 ? "" : "s");
    int rc = diags.n ? ECRC_EXIT_INVALID : (set.n ? ECRC_EXIT_OK : ECRC_EXIT_INVALID);
    if (!set.n && !diags.n)
        printf("lint: no case files found\n");
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    return rc;
}
