/* ecrconform compare: several targets' reports side by side. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "ecrc.h"

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform compare [-o DIR] REPORT.json...\n"
        "\n"
        "Writes DIR/compare.html and DIR/compare.md: every case (rows) by target (columns, named\n"
        "after each report's target), each cell the case's status there, rows where the targets\n"
        "disagree marked, and each target's score overall and by provenance level.\n"
        "\n"
        "  -o, --output DIR   where to write (default: reports)\n"
        "\n"
        "Exit codes: 0 written, 2 usage error, 3 a report cannot be read, 5 cannot write.\n",
        f);
}

int cmd_compare(int argc, char **argv)
{
    const char *dir = "reports";
    int rc0 = cli_parse_reports_args(argc, argv, "compare", usage, &dir);
    if (rc0 != ECRC_EXIT_OK)
        return rc0 < 0 ? ECRC_EXIT_OK : rc0;
    diag_list diags;
    ecr_diag_init(&diags);
    ecr_result rc = ecrc_matrix_compare_files((const char *const *)argv + optind,
                                              (size_t)(argc - optind), dir, &diags);
    ecr_diag_print(&diags, stderr);
    ecr_diag_free(&diags);
    if (rc == ECR_EPARSE)
        return ECRC_EXIT_INVALID;
    if (rc) {
        fprintf(stderr, "ecrconform compare: cannot write %s: %s\n", dir, ecr_strerror(rc));
        return ECRC_EXIT_INTERNAL;
    }
    printf("wrote %s/compare.html and %s/compare.md (%d targets)\n", dir, dir, argc - optind);
    return ECRC_EXIT_OK;
}
