/* ecrconform baseline: write a baseline of expected failures from a report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "cli.h"
#include "report.h"

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform baseline REPORT.json -o FILE [--target NAME]\n"
        "\n"
        "Writes a baseline listing every case that failed or errored in REPORT.json, for\n"
        "'ecrconform run --baseline FILE': the run then exits 0 while the failures stay within "
        "the\n"
        "baseline, fails on any new failure, and lists baseline entries that pass again.\n"
        "Each entry's reason starts as 'TODO: confirm: <what the report said>': replace it with "
        "why\n"
        "the target differs from ECR before committing the baseline.\n"
        "\n"
        "  -o, --output FILE   the baseline to write (required)\n"
        "  --target NAME       the target named in the baseline (default: the report's target)\n"
        "\n"
        "Exit codes: 0 written, 2 usage error, 3 the report cannot be read, 5 the file cannot be\n"
        "written.\n",
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
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !output) {
        fprintf(stderr, "ecrconform baseline: expected one REPORT.json and -o FILE\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *err = NULL;
    run_report *r = report_read_json(argv[optind], &err);
    if (!r) {
        fprintf(stderr, "%s: %s\n", argv[optind], err ? err : "cannot read the report");
        return EXIT_INVALID;
    }
    ecr_result rc =
        baseline_write_from_report(r, output, target ? target : r->target, "TODO: confirm");
    size_t n = 0;
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].status == CASE_FAIL || r->cases[i].status == CASE_ERROR)
            n++;
    report_free(r);
    if (rc) {
        fprintf(stderr, "ecrconform baseline: cannot write %s: %s\n", output, ecr_strerror(rc));
        return EXIT_INTERNAL;
    }
    printf("wrote %s: %zu expected failure%s (edit each reason before committing)\n", output, n,
           n == 1 ? "" : "s");
    return EXIT_OK;
}
