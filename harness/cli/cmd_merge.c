/* ecrconform merge: the reports of a run's shards (run --shard K/N) as one. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "console.h"
#include "ecrc.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform merge [-o DIR] REPORT.json...\n"
          "\n"
          "Merges the report.json of every shard of one run (run --shard K/N on N machines)\n"
          "into one report: DIR/report.json, junit.xml, report.html and summary.md, rebuilt\n"
          "as one run would have written them (cases in corpus order; baseline regressions\n"
          "and fixed entries of every shard). The shards must be of one target and one\n"
          "baseline and must not overlap. Recorded responses (actual/) stay in each shard's\n"
          "directory.\n"
          "\n"
          "  -o, --output DIR   where to write (default: reports)\n"
          "\n"
          "Exit codes: 0 the merged run met its gate, 1 it did not (as `run`), 2 usage error,\n"
          "3 a report cannot be read or the reports do not belong together, 5 cannot write.\n",
          f);
}

int cmd_merge(int argc, char **argv)
{
    const char *dir = "reports";
    int rc0 = cli_parse_reports_args(argc, argv, "merge", usage, &dir);
    if (rc0 != ECRC_EXIT_OK)
        return rc0 < 0 ? ECRC_EXIT_OK : rc0;
    size_t n = (size_t)(argc - optind);
    const char *const *paths = (const char *const *)argv + optind;
    run_report **in = calloc(n, sizeof *in);
    if (!in) {
        fprintf(stderr, "ecrconform merge: out of memory\n");
        return ECRC_EXIT_INTERNAL;
    }
    int exit_code = ECRC_EXIT_OK;
    diag_list diags;
    ecr_diag_init(&diags);
    for (size_t i = 0; i < n; i++) {
        const char *err = NULL;
        if (!(in[i] = ecrc_report_read_json(paths[i], &err))) {
            ecr_diag_add(&diags, paths[i], "", "%s", err ? err : "cannot read the report");
            exit_code = ECRC_EXIT_INVALID;
        }
    }
    run_report *m = NULL;
    if (!exit_code) {
        m = ecrc_report_merge(in, paths, n, &diags);
        if (!m)
            exit_code = diags.n ? ECRC_EXIT_INVALID : ECRC_EXIT_INTERNAL;
    }
    ecr_diag_print(&diags, stderr);
    if (m) {
        ecr_result wrc = ecrc_report_write_all(m, dir);
        if (wrc) {
            fprintf(stderr, "ecrconform merge: cannot write the reports to %s: %s\n", dir,
                    ecr_strerror(wrc));
        }
        ecrc_verdict_input vin = {.reports_failed = wrc != ECR_OK};
        exit_code = ecrc_verdict(m, &vin);
        report_summary s;
        ecrc_report_summarize(m, &s);
        console con;
        console_options co = {.color = console_want_color(stdout)};
        console_init(&con, stdout, stderr, &co);
        printf("merged %zu report%s: %zu passed, %zu failed, %zu errored, %zu skipped (%zu "
               "cases)\n",
               n, n == 1 ? "" : "s", s.passed, s.failed, s.errored, s.skipped, s.total);
        if (!wrc)
            printf("reports: %s/report.json %s/junit.xml %s/report.html %s/summary.md\n", dir, dir,
                   dir, dir);
        console_verdict(&con, m, &s, exit_code, 0);
    } else if (exit_code == ECRC_EXIT_INTERNAL) {
        fprintf(stderr, "ecrconform merge: out of memory\n");
    }
    ecrc_report_free(m);
    for (size_t i = 0; i < n; i++)
        ecrc_report_free(in[i]);
    free(in);
    ecr_diag_free(&diags);
    return exit_code;
}
