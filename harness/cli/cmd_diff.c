/* ecrconform diff: the same cases against two targets, their normalised
 * answers compared with each other; no golden involved (docs/LIVE.md). Both
 * runs are under live rules. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "ecrc.h"
#include "livecli.h"
#include "targetopts.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform diff --endpoint A --endpoint B [options] [PATH...]\n"
          "\n"
          "Runs the cases (default: cases/) against both endpoints, under live rules, and lists\n"
          "every step whose normalised answers differ (repository names, digests, account,\n"
          "region as variables; times any number; arrays as sets). Goldens are not consulted\n"
          "for the comparison (the cases still need them to load).\n"
          "\n"
          "  --endpoint URL     twice: target A, then target B\n"
          "  --allow-live       required when either endpoint is not loopback\n"
          "  --report-dir DIR   the live journal (default: reports)\n"
          "  --filter PATTERN, --golden-dir DIR, --jobs N, --timeout SECONDS, --no-strict-auth,\n"
          "  --max-rps N,\n"
          "  --region NAME      as for 'run' (the same credentials sign for both targets)\n"
          "\n"
          "Exit codes: 0 no difference, 1 differences, 2 usage, 3 invalid files, 4 a target\n"
          "did not answer, 5 internal.\n",
          f);
}

typedef struct side {
    aws_resolved res;
    int resolved;
    target_info t;
    run_report *rep;
    ecrc_record_opts ro;
} side;

/* Runs the set against one side under live rules. Returns an exit code. */
static int run_side(side *s, const loaded_set *set, const char *report_dir,
                    const cli_target_opts *to, volatile sig_atomic_t *stop)
{
    long timeout_s = to->timeout_s;
    aws_client *cl = ecrc_aws_client_new(s->t.endpoint, &s->res.creds, timeout_s * 1000, 0);
    if (!cl)
        return ECRC_EXIT_INTERNAL;
    aws_transport tr = {.ca_bundle = s->res.ca_bundle};
    ecrc_aws_client_set_transport(cl, &tr);
    char why[512] = "";
    s->t.strict_auth = !to->no_strict_auth;
    ecr_result arc = ecrc_live_learn_account(cl, &s->t, why, sizeof why);
    ecrc_aws_client_free(cl);
    if (arc && arc != ECR_ENOTFOUND) {
        fprintf(stderr, "ecrconform diff: target %s unreachable: %s\n", s->t.endpoint, why);
        return ECRC_EXIT_UNREACHABLE;
    }
    if (arc)
        ecr_copy_str(s->t.account, sizeof s->t.account, ECR_TEST_ACCOUNT);
    char err[1024] = "";
    char *jpath = ecr_asprintf("%s/%s", report_dir, ECRC_LIVE_JOURNAL);
    ecrc_journal *j =
        jpath ? ecrc_journal_open(jpath, s->t.endpoint, s->t.region, err, sizeof err) : NULL;
    free(jpath);
    ecrc_live *lv = j ? ecrc_live_new(j) : NULL;
    if (!lv) {
        fprintf(stderr, "ecrconform diff: cannot open the journal: %s\n", err);
        ecrc_journal_close(j);
        return ECRC_EXIT_INTERNAL;
    }
    const char *jobs_why;
    runner_options ro = {.target = &s->t,
                         .creds = s->res.creds,
                         .jobs = (int)cli_targetopts_jobs(to, s->t.endpoint, 0, &jobs_why),
                         .timeout_ms = timeout_s * 1000,
                         .transport = tr,
                         .max_rps = to->max_rps,
                         .live = lv,
                         .stop = stop};
    s->rep = ecrc_runner_run(&ro, set->entries, set->n);
    ecrc_live_free(lv);
    ecrc_journal_close(j);
    return s->rep ? ECRC_EXIT_OK : ECRC_EXIT_INTERNAL;
}

int cmd_diff(int argc, char **argv)
{
    enum { O_ALLOW_LIVE = 256, O_REPORT, O_GOLDEN, O_FILTER, O_HELP };
    static const struct option own[] = {{"allow-live", no_argument, NULL, O_ALLOW_LIVE},
                                        {"report-dir", required_argument, NULL, O_REPORT},
                                        {"golden-dir", required_argument, NULL, O_GOLDEN},
                                        {"filter", required_argument, NULL, O_FILTER},
                                        {"help", no_argument, NULL, O_HELP},
                                        {NULL, 0, NULL, 0}};
    struct option opts[32];
    if (cli_targetopts_table(CLI_TOPT_BIT(CLI_TOPT_ENDPOINT) | CLI_TOPT_BIT(CLI_TOPT_JOBS) |
                                 CLI_TOPT_BIT(CLI_TOPT_TIMEOUT) |
                                 CLI_TOPT_BIT(CLI_TOPT_NO_STRICT_AUTH) |
                                 CLI_TOPT_BIT(CLI_TOPT_REGION) | CLI_TOPT_BIT(CLI_TOPT_MAX_RPS),
                             own, opts, sizeof opts / sizeof opts[0]))
        return ECRC_EXIT_INTERNAL;
    const char *endpoints[2] = {NULL, NULL}, *report_dir = "reports", *golden_dir = NULL,
               *filter = NULL;
    int nend = 0, allow_live = 0, o;
    cli_target_opts to;
    cli_targetopts_init(&to);
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int took = cli_targetopts_parse(&to, o, optarg, "ecrconform diff");
        if (took < 0)
            return ECRC_EXIT_USAGE;
        if (took && o == CLI_TOPT_VAL(CLI_TOPT_ENDPOINT)) {
            /* Given twice: A, then B (the shared option keeps the last). */
            if (nend == 2) {
                fprintf(stderr, "ecrconform diff: --endpoint: exactly two\n");
                return ECRC_EXIT_USAGE;
            }
            endpoints[nend++] = optarg;
        }
        if (took)
            continue;
        switch (o) {
        case O_ALLOW_LIVE:
            allow_live = 1;
            break;
        case O_REPORT:
            report_dir = optarg;
            break;
        case O_GOLDEN:
            golden_dir = optarg;
            break;
        case O_FILTER:
            filter = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return ECRC_EXIT_OK;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (nend != 2) {
        fprintf(stderr, "ecrconform diff: give --endpoint twice (A and B)\n");
        return ECRC_EXIT_USAGE;
    }
    side sides[2];
    memset(sides, 0, sizeof sides);
    diag_list diags;
    ecr_diag_init(&diags);
    loaded_set set;
    memset(&set, 0, sizeof set);
    int exit_code = ECRC_EXIT_OK, live = 0;
    /* Both endpoints pass the gate before anything is sent to either. */
    for (int i = 0; i < 2 && !exit_code; i++) {
        side *s = &sides[i];
        aws_resolve_input rin = {.endpoint = endpoints[i], .region = to.region};
        ecr_result rrc = ecrc_aws_resolve(&rin, &s->res, &diags);
        s->resolved = 1;
        if (rrc) {
            ecr_diag_print(&diags, stderr);
            exit_code = rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
        } else if (livecli_gate("ecrconform diff", s->res.endpoint, 0, allow_live, 1, &live) ||
                   cli_target_start(&s->res, "ecrconform diff", &s->t)) {
            exit_code = ECRC_EXIT_USAGE;
        } else {
            snprintf(s->t.name, sizeof s->t.name, "%c", 'A' + i);
        }
    }
    if (!exit_code) {
        ecr_diag_free(&diags);
        ecr_diag_init(&diags);
        if (ecrc_load_cases((const char *const *)argv + optind, (size_t)(argc - optind), filter,
                            golden_dir, &set, &diags)) {
            exit_code = ECRC_EXIT_INTERNAL;
        } else {
            ecr_diag_print(&diags, stderr);
            if (!set.n)
                exit_code = diags.n ? ECRC_EXIT_INVALID : ECRC_EXIT_USAGE;
        }
    }
    volatile sig_atomic_t *stop = exit_code ? NULL : livecli_signals_install();
    for (int i = 0; i < 2 && !exit_code; i++)
        exit_code = run_side(&sides[i], &set, report_dir, &to, stop);
    if (!exit_code) {
        char date[16];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        for (int i = 0; i < 2; i++)
            sides[i].ro = (ecrc_record_opts){.target = &sides[i].t, .date = date, .out = stdout};
        printf("ecrconform diff: A %s, B %s, %zu cases\n", sides[0].t.endpoint, sides[1].t.endpoint,
               set.n);
        ecrc_diff_stats st;
        ecrc_diff_reports(sides[0].rep, sides[1].rep, set.entries, set.n, &sides[0].ro,
                          &sides[1].ro, &st);
        printf("ecrconform diff: %zu steps compared, %zu differ; %zu not answered by both\n",
               st.compared, st.differ, st.not_compared);
        exit_code = livecli_signal_caught() ? 128 + livecli_signal_caught()
                    : st.differ             ? ECRC_EXIT_FAIL
                                            : ECRC_EXIT_OK;
    }
    for (int i = 0; i < 2; i++) {
        ecrc_report_free(sides[i].rep);
        if (sides[i].resolved)
            ecrc_aws_resolved_free(&sides[i].res);
    }
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    return exit_code;
}
