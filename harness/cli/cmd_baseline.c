/* ecrconform baseline: write a baseline of expected failures from a report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ecrc.h"
#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform baseline REPORT.json -o FILE [--target NAME]\n"
          "\n"
          "Writes a baseline listing every case that failed or errored in REPORT.json, for\n"
          "'ecrconform run --baseline FILE': the run then exits 0 while the failures stay\n"
          "within the baseline, fails on any new failure, and lists entries that pass again.\n"
          "Each new entry's reason starts as 'TODO: confirm: <what the report said>': replace\n"
          "it with why the target differs from ECR before committing the baseline. When FILE\n"
          "exists, its reasons are kept for the cases it already lists (a file that is not a\n"
          "baseline is never overwritten).\n"
          "\n"
          "  -o, --output FILE   the baseline to write (required)\n"
          "  --target NAME       the target named in the baseline (default: the report's)\n"
          "\n"
          "Exit codes: 0 written, 2 usage error, 3 the report (or an existing FILE) cannot be\n"
          "read, 5 the file cannot be written.\n",
          f);
}

int cmd_baseline(int argc, char **argv)
{
    enum { O_TARGET = 256, O_HELP };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *output = NULL, *target = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            output = optarg;
            break;
        case O_TARGET:
            target = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return ECRC_EXIT_OK;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !output) {
        fprintf(stderr, "ecrconform baseline: expected one REPORT.json and -o FILE\n");
        usage(stderr);
        return ECRC_EXIT_USAGE;
    }
    const char *err = NULL;
    run_report *r = ecrc_report_read_json(argv[optind], &err);
    if (!r) {
        fprintf(stderr, "%s: %s\n", argv[optind], err ? err : "cannot read the report");
        return ECRC_EXIT_INVALID;
    }
    /* Rewriting an existing baseline keeps its hand-written reasons: apply it
     * to the report first (the writer keeps the reason of every case the
     * baseline already expects). A file there that is not a baseline is never
     * overwritten. */
    if (access(output, F_OK) == 0) {
        diag_list d;
        ecr_diag_init(&d);
        baseline *old = ecrc_baseline_load(output, &d);
        if (!old) {
            ecr_diag_print(&d, stderr);
            fprintf(stderr,
                    "ecrconform baseline: %s exists and is not a valid baseline; not "
                    "overwriting it\n",
                    output);
            ecr_diag_free(&d);
            ecrc_report_free(r);
            return ECRC_EXIT_INVALID;
        }
        ecr_diag_free(&d);
        ecr_result arc = ecrc_baseline_apply(old, r);
        ecrc_baseline_free(old);
        if (arc) {
            fprintf(stderr, "ecrconform baseline: %s\n", ecr_strerror(arc));
            ecrc_report_free(r);
            return ECRC_EXIT_INTERNAL;
        }
    }
    ecr_result rc =
        ecrc_baseline_write_from_report(r, output, target ? target : r->target, "TODO: confirm");
    size_t n = 0;
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].status == ECRC_CASE_FAIL || r->cases[i].status == ECRC_CASE_ERROR)
            n++;
    ecrc_report_free(r);
    if (rc) {
        fprintf(stderr, "ecrconform baseline: cannot write %s: %s\n", output, ecr_strerror(rc));
        return ECRC_EXIT_INTERNAL;
    }
    printf("wrote %s: %zu expected failure%s (edit each reason before committing)\n", output, n,
           n == 1 ? "" : "s");
    return ECRC_EXIT_OK;
}
