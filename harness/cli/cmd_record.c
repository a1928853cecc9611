/* ecrconform record: goldens rewritten from what a trusted endpoint answered
 * (docs/LIVE.md#recording). Always under live rules. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ecr/util.h"
#include "ecrc.h"
#include "livecli.h"
#include "targetopts.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform record --endpoint URL [--allow-live] [options] [PATH...]\n"
          "\n"
          "Runs the cases (default: cases/) against a trusted endpoint, under live rules, and\n"
          "rewrites the goldens whose expectation it did not meet, or met only as an open\n"
          "question ($anyOf: narrowed to the answer observed), from what it answered:\n"
          "normalised (repository names, digests, account, region become variables; times\n"
          "any number; arrays sets), provenance level C with endpoint, region, date and\n"
          "version in the notes. Only goldens that change are written (atomically); a diff\n"
          "of each is printed. Review it before committing.\n"
          "\n"
          "  --endpoint URL     the trusted registry ('aws' for real ECR)\n"
          "  --allow-live       required for any endpoint that is not loopback\n"
          "  --force            record from an endpoint that identifies itself as an emulator\n"
          "                     (the built-in one, moto, LocalStack): level E, never C\n"
          "  --golden-dir DIR   the goldens to rewrite (default: golden/ beside cases/)\n"
          "  --report-dir DIR   reports and the live journal (default: reports)\n"
          "  --filter PATTERN, --account ID, --jobs N, --timeout SECONDS, --no-strict-auth,\n"
          "  --max-rps N (use it on real ECR: its limits are low),\n"
          "  --profile NAME, --region NAME, --ca-bundle FILE, --insecure   as for 'run'\n"
          "\n"
          "Exit codes: 0 recorded, 1 some golden could not be recorded, 2 usage (or an\n"
          "emulator without --force), 3 invalid files, 4 unreachable, 5 internal.\n",
          f);
}

typedef struct record_config {
    cli_target_opts to; /* targetopts.h */
    const char *golden_dir, *report_dir, *filter;
    int allow_live, force;
} record_config;

static int parse(int argc, char **argv, record_config *cfg)
{
    enum { O_ALLOW_LIVE = 256, O_FORCE, O_GOLDEN, O_REPORT, O_FILTER, O_HELP };
    static const struct option own[] = {{"allow-live", no_argument, NULL, O_ALLOW_LIVE},
                                        {"force", no_argument, NULL, O_FORCE},
                                        {"golden-dir", required_argument, NULL, O_GOLDEN},
                                        {"report-dir", required_argument, NULL, O_REPORT},
                                        {"filter", required_argument, NULL, O_FILTER},
                                        {"help", no_argument, NULL, O_HELP},
                                        {NULL, 0, NULL, 0}};
    struct option opts[32];
    if (cli_targetopts_table(CLI_TOPT_ALL, own, opts, sizeof opts / sizeof opts[0]))
        return ECRC_EXIT_INTERNAL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int took = cli_targetopts_parse(&cfg->to, o, optarg, "ecrconform record");
        if (took < 0)
            return ECRC_EXIT_USAGE;
        if (took)
            continue;
        switch (o) {
        case O_ALLOW_LIVE:
            cfg->allow_live = 1;
            break;
        case O_FORCE:
            cfg->force = 1;
            break;
        case O_GOLDEN:
            cfg->golden_dir = optarg;
            break;
        case O_REPORT:
            cfg->report_dir = optarg;
            break;
        case O_FILTER:
            cfg->filter = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    return ECRC_EXIT_OK;
}

int cmd_record(int argc, char **argv)
{
    record_config cfg = {.report_dir = "reports"};
    cli_targetopts_init(&cfg.to);
    int rc = parse(argc, argv, &cfg);
    if (rc)
        return rc < 0 ? ECRC_EXIT_OK : rc;
    diag_list diags;
    ecr_diag_init(&diags);
    aws_resolved res;
    aws_resolve_input rin;
    cli_targetopts_resolve_input(&cfg.to, &rin);
    ecr_result rrc = ecrc_aws_resolve(&rin, &res, &diags);
    int live = 0;
    if (rrc || res.builtin) {
        if (rrc)
            ecr_diag_print(&diags, stderr);
        else
            fprintf(stderr, "ecrconform record: give --endpoint URL: the registry to record "
                            "from\n");
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
    }
    if (livecli_gate("ecrconform record", res.endpoint, 0, cfg.allow_live, 1, &live)) {
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
    }
    target_info t;
    memset(&t, 0, sizeof t);
    if (cli_target_start(&res, "ecrconform record", &t)) {
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
    }
    ecr_copy_str(t.name, sizeof t.name, "record");
    t.strict_auth = !cfg.to.no_strict_auth;

    aws_client *cl = ecrc_aws_client_new(t.endpoint, &res.creds, cfg.to.timeout_s * 1000, 0);
    aws_transport tr = {.ca_bundle = res.ca_bundle, .insecure = cfg.to.insecure};
    if (!cl) {
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_INTERNAL;
    }
    ecrc_aws_client_set_transport(cl, &tr);
    char what[512] = "";
    int tell = ecrc_live_emulator_tell(cl, what, sizeof what);
    int exit_code = ECRC_EXIT_OK;
    loaded_set set;
    memset(&set, 0, sizeof set);
    if (tell < 0) {
        fprintf(stderr, "ecrconform record: target %s unreachable: %s\n", t.endpoint, what);
        exit_code = ECRC_EXIT_UNREACHABLE;
        goto out;
    }
    if (tell && !cfg.force) {
        fprintf(stderr,
                "ecrconform record: %s identifies itself as an emulator (%s): goldens recorded "
                "from an emulator turn its bugs into \"truth\"; refusing. --force records "
                "anyway, at level E.\n",
                t.endpoint, what);
        exit_code = ECRC_EXIT_USAGE;
        goto out;
    }
    if (cfg.to.account)
        ecr_copy_str(t.account, sizeof t.account, cfg.to.account);
    else if (ecrc_live_learn_account(cl, &t, what, sizeof what)) {
        fprintf(stderr, "ecrconform record: cannot learn the account id (%s): give --account\n",
                what);
        exit_code = ECRC_EXIT_USAGE;
        goto out;
    }
    if (ecrc_load_cases((const char *const *)argv + optind, (size_t)(argc - optind), cfg.filter,
                        cfg.golden_dir, &set, &diags)) {
        exit_code = ECRC_EXIT_INTERNAL;
        goto out;
    }
    ecr_diag_print(&diags, stderr);
    if (diags.n || !set.n) {
        fprintf(stderr, "ecrconform record: %s\n",
                set.n ? "invalid case or golden files: fix them first (ecrconform lint)"
                      : "no case files");
        exit_code = set.n ? ECRC_EXIT_INVALID : ECRC_EXIT_USAGE;
        goto out;
    }
    char err[1024] = "";
    char *jpath = ecr_asprintf("%s/%s", cfg.report_dir, ECRC_LIVE_JOURNAL);
    ecrc_journal *journal =
        jpath ? ecrc_journal_open(jpath, t.endpoint, t.region, err, sizeof err) : NULL;
    free(jpath);
    ecrc_live *lv = journal ? ecrc_live_new(journal) : NULL;
    if (!lv) {
        fprintf(stderr, "ecrconform record: cannot open the journal: %s\n", err);
        ecrc_journal_close(journal);
        exit_code = ECRC_EXIT_INTERNAL;
        goto out;
    }
    printf("ecrconform record: %zu cases from %s (%s)%s\n", set.n, t.endpoint,
           tell ? what : "no emulator tell", tell ? ": --force, level E" : "");
    const char *jobs_why;
    runner_options ro = {.target = &t,
                         .creds = res.creds,
                         .jobs = (int)cli_targetopts_jobs(&cfg.to, t.endpoint, 0, &jobs_why),
                         .timeout_ms = cfg.to.timeout_s * 1000,
                         .transport = tr,
                         .max_rps = cfg.to.max_rps,
                         .live = lv,
                         .stop = livecli_signals_install()};
    run_report *rep = ecrc_runner_run(&ro, set.entries, set.n);
    ecrc_live_free(lv);
    ecrc_journal_close(journal);
    if (!rep) {
        exit_code = ECRC_EXIT_INTERNAL;
        goto out;
    }
    ecrc_report_write_all(rep, cfg.report_dir);
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    ecrc_record_opts ropt = {.target = &t, .forced = tell == 1, .date = date, .out = stdout};
    ecrc_record_stats st;
    if (livecli_signal_caught()) {
        fprintf(stderr, "ecrconform record: interrupted: no golden written\n");
        exit_code = 128 + livecli_signal_caught();
    } else {
        ecrc_record_goldens(rep, set.entries, set.n, &ropt, &st);
        printf("ecrconform record: %zu goldens written (level %s), %zu unchanged, %zu steps of "
               "skipped or errored cases left alone, %zu failed\n",
               st.written, ropt.forced ? "E" : "C", st.unchanged, st.skipped, st.failed);
        exit_code = st.failed ? ECRC_EXIT_FAIL : ECRC_EXIT_OK;
    }
    ecrc_report_free(rep);
out:
    ecrc_aws_client_free(cl);
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    ecrc_aws_resolved_free(&res);
    return exit_code;
}
