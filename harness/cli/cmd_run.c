/* ecrconform run: load cases, start or probe the target, run, report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecrc.h"
#include "cli.h"
#include "ecr/protocol.h"
#include "ecremu.h"

typedef struct run_config {
    const char *endpoint; /* NULL: the built-in emulator */
    const char *target_name;
    const char *report_dir;
    const char *golden_dir;
    const char *filter;
    const char *baseline;
    const char *account;
    long jobs;
    long timeout_s;
    int no_strict_auth;
    int verbose;
    int progress; /* -1 auto (a terminal), 0 off, 1 on */
} run_config;

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform run [options] [PATH...]\n"
        "\n"
        "Runs case files, or every case under directories (default: cases/), against a target and\n"
        "writes report.json, junit.xml, report.html and summary.md.\n"
        "\n"
        "Target:\n"
        "  --endpoint URL     the ECR endpoint to test (e.g. http://127.0.0.1:5000). Default: the\n"
        "                     built-in emulator, started in-process on 127.0.0.1 with a random "
        "port\n"
        "                     (strict SigV4 checking, fault injection).\n"
        "  --target NAME      label for the reports (default: built-in, or the endpoint's "
        "host:port)\n"
        "  --account ID       the caller's account id, ${account} in cases (default: what the "
        "target's\n"
        "                     control interface says, else 123456789012)\n"
        "  --no-strict-auth   the target does not verify signatures: skip cases that need it\n"
        "  --timeout SECONDS  per request (default 30)\n"
        "\n"
        "Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; region from\n"
        "AWS_REGION or AWS_DEFAULT_REGION. Unset, the documented test defaults are used\n"
        "(" ECR_TEST_ACCESS_KEY ", us-east-1), which the built-in emulator knows.\n"
        "\n"
        "Selection and output:\n"
        "  --filter PATTERN   only cases whose id matches (a glob with * ? [ ], else a substring)\n"
        "  --golden-dir DIR   goldens (default: golden/ beside the cases/ directory)\n"
        "  --report-dir DIR   where reports go (default: reports)\n"
        "  --baseline FILE    cases expected to fail on this target; exit 0 unless a failure is "
        "new\n"
        "  --jobs N           cases run in parallel (default 4; cases are isolated)\n"
        "  --progress/--no-progress  a live progress line (default: only on a terminal)\n"
        "  --verbose          print every diff line (the reports always have all of them)\n"
        "\n" CLI_EXIT_CODES_HELP,
        f);
}

static int parse_args(int argc, char **argv, run_config *cfg, int *first_path)
{
    enum {
        O_ENDPOINT = 256,
        O_TARGET,
        O_REPORT,
        O_GOLDEN,
        O_FILTER,
        O_BASELINE,
        O_ACCOUNT,
        O_JOBS,
        O_TIMEOUT,
        O_NOSTRICT,
        O_VERBOSE,
        O_PROGRESS,
        O_NOPROGRESS,
        O_HELP
    };
    static const struct option opts[] = {{"endpoint", required_argument, NULL, O_ENDPOINT},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"report-dir", required_argument, NULL, O_REPORT},
                                         {"golden-dir", required_argument, NULL, O_GOLDEN},
                                         {"filter", required_argument, NULL, O_FILTER},
                                         {"baseline", required_argument, NULL, O_BASELINE},
                                         {"account", required_argument, NULL, O_ACCOUNT},
                                         {"jobs", required_argument, NULL, O_JOBS},
                                         {"timeout", required_argument, NULL, O_TIMEOUT},
                                         {"no-strict-auth", no_argument, NULL, O_NOSTRICT},
                                         {"verbose", no_argument, NULL, O_VERBOSE},
                                         {"progress", no_argument, NULL, O_PROGRESS},
                                         {"no-progress", no_argument, NULL, O_NOPROGRESS},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
        switch (o) {
        case O_ENDPOINT:
            cfg->endpoint = optarg;
            break;
        case O_TARGET:
            cfg->target_name = optarg;
            break;
        case O_REPORT:
            cfg->report_dir = optarg;
            break;
        case O_GOLDEN:
            cfg->golden_dir = optarg;
            break;
        case O_FILTER:
            cfg->filter = optarg;
            break;
        case O_BASELINE:
            cfg->baseline = optarg;
            break;
        case O_ACCOUNT:
            if (!ecr_is_account_id(optarg)) {
                fprintf(stderr, "ecrconform run: --account: expected 12 digits, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
            cfg->account = optarg;
            break;
        case 'j':
        case O_JOBS:
            if (cli_parse_int(optarg, 1, 64, &cfg->jobs)) {
                fprintf(stderr, "ecrconform run: --jobs: expected 1..64, got '%s'\n", optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_TIMEOUT:
            if (cli_parse_int(optarg, 1, 3600, &cfg->timeout_s)) {
                fprintf(stderr, "ecrconform run: --timeout: expected 1..3600 seconds, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_NOSTRICT:
            cfg->no_strict_auth = 1;
            break;
        case O_VERBOSE:
            cfg->verbose = 1;
            break;
        case O_PROGRESS:
            cfg->progress = 1;
            break;
        case O_NOPROGRESS:
            cfg->progress = 0;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (cfg->endpoint && strncmp(cfg->endpoint, "http://", 7) &&
        strncmp(cfg->endpoint, "https://", 8)) {
        fprintf(stderr,
                "ecrconform run: --endpoint: expected an http:// or https:// URL, got '%s'\n",
                cfg->endpoint);
        return ECRC_EXIT_USAGE;
    }
    *first_path = optind;
    return ECRC_EXIT_OK;
}

/* Label for a target given by URL: its host:port. */
static void label_from_endpoint(const char *url, char *out, size_t outsz)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/");
    snprintf(out, outsz, "%.*s", (int)n, p);
}

static void print_summary(const run_report *rep, const report_summary *s, const char *dir,
                          size_t ninvalid)
{
    printf("\n%zu passed, %zu failed, %zu errored, %zu skipped (%zu case%s, %.0f ms)\n", s->passed,
           s->failed, s->errored, s->skipped, s->total, s->total == 1 ? "" : "s", rep->duration_ms);
    printf("score %.1f%% of %zu run; expectations met: C/D %zu/%zu, I/E %zu/%zu\n",
           s->score * 100.0, s->total - s->skipped, s->cd_passed, s->cd_total, s->ie_passed,
           s->ie_total);
    if (ninvalid)
        printf("%zu invalid case file%s (run 'ecrconform lint' for every problem)\n", ninvalid,
               ninvalid == 1 ? "" : "s");
    if (rep->baseline_file) {
        printf("baseline %s: %zu regression%s, %zu fixed\n", rep->baseline_file, rep->nregressions,
               rep->nregressions == 1 ? "" : "s", rep->nfixed);
        for (size_t i = 0; i < rep->nregressions; i++)
            printf("  regression: %s\n", rep->regressions[i]);
        for (size_t i = 0; i < rep->nfixed; i++)
            printf("  fixed (now passes; remove it from the baseline): %s\n", rep->fixed[i]);
    }
    printf("reports: %s/report.json %s/junit.xml %s/report.html %s/summary.md\n", dir, dir, dir,
           dir);
}

int cmd_run(int argc, char **argv)
{
    run_config cfg = {.report_dir = "reports", .jobs = 4, .timeout_s = 30, .progress = -1};
    int first;
    int rc = parse_args(argc, argv, &cfg, &first);
    if (rc < 0)
        return ECRC_EXIT_OK;
    if (rc)
        return rc;

    diag_list diags;
    ecr_diag_init(&diags);
    baseline *bl = NULL;
    if (cfg.baseline) {
        bl = ecrc_baseline_load(cfg.baseline, &diags);
        if (!bl) {
            ecr_diag_print(&diags, stderr);
            ecr_diag_free(&diags);
            return ECRC_EXIT_INVALID;
        }
    }

    loaded_set set;
    if (ecrc_load_cases((const char *const *)argv + first, (size_t)(argc - first), cfg.filter,
                        cfg.golden_dir, &set, &diags)) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        ecrc_baseline_free(bl);
        return ECRC_EXIT_INTERNAL;
    }
    ecr_diag_print(&diags, stderr);
    int invalid_files = diags.n > 0;
    if (!set.n) {
        fprintf(stderr, "ecrconform run: no case files%s\n", cfg.filter ? " match the filter" : "");
        ecrc_loaded_set_free(&set);
        ecr_diag_free(&diags);
        ecrc_baseline_free(bl);
        return invalid_files ? ECRC_EXIT_INVALID : ECRC_EXIT_USAGE;
    }

    aws_credentials creds;
    ecrc_aws_credentials_from_env(&creds);
    target_info t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", cfg.account ? cfg.account : "123456789012");
    snprintf(t.region, sizeof t.region, "%s", creds.region);

    ecremu *builtin = NULL;
    if (!cfg.endpoint) {
        /* The emulator knows exactly the credentials the client signs with. */
        ecremu_config ec = {.port = 0,
                            .auth = ECREMU_AUTH_STRICT,
                            .account_id = t.account,
                            .region = creds.region,
                            .access_key = creds.access_key,
                            .secret_key = creds.secret_key,
                            .control = 1,
                            .quiet = 1,
                            /* TODO(issue 8): ENFORCE once the fixture uploads layers */
                            .layers = ECREMU_LAYERS_OFF};
        ecr_result erc = ecremu_start(&ec, &builtin);
        if (erc) {
            fprintf(stderr, "ecrconform run: cannot start the built-in emulator: %s\n",
                    ecr_strerror(erc));
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            return ECRC_EXIT_INTERNAL;
        }
        snprintf(t.endpoint, sizeof t.endpoint, "http://127.0.0.1:%u", ecremu_port(builtin));
        snprintf(t.name, sizeof t.name, "%s", cfg.target_name ? cfg.target_name : "built-in");
    } else {
        snprintf(t.endpoint, sizeof t.endpoint, "%s", cfg.endpoint);
        while (strlen(t.endpoint) > 8 && t.endpoint[strlen(t.endpoint) - 1] == '/')
            t.endpoint[strlen(t.endpoint) - 1] = '\0';
        if (cfg.target_name)
            snprintf(t.name, sizeof t.name, "%s", cfg.target_name);
        else
            label_from_endpoint(t.endpoint, t.name, sizeof t.name);
    }

    int exit_code = ECRC_EXIT_OK;
    aws_client *probe = ecrc_aws_client_new(t.endpoint, &creds, cfg.timeout_s * 1000, 0);
    char err[1024] = "";
    ecr_result prc =
        probe ? ecrc_target_probe(probe, &t, cfg.no_strict_auth, err, sizeof err) : ECR_ENOMEM;
    ecrc_aws_client_free(probe);
    if (cfg.account) /* an explicit --account wins over the probe */
        snprintf(t.account, sizeof t.account, "%s", cfg.account);
    if (prc) {
        fprintf(stderr, "ecrconform run: target %s unreachable: %s\n", t.endpoint,
                err[0] ? err : ecr_strerror(prc));
        exit_code = ECRC_EXIT_UNREACHABLE;
        goto done;
    }

    int tty = isatty(STDOUT_FILENO);
    printf("ecrconform %s: %zu case%s against %s (%s)%s%s\n", ECRCONFORM_VERSION, set.n,
           set.n == 1 ? "" : "s", t.name, t.endpoint, t.fault_injection ? ", fault injection" : "",
           t.strict_auth ? ", strict auth" : "");
    fflush(stdout);

    runner_options ro = {.target = &t,
                         .creds = creds,
                         .jobs = (int)cfg.jobs,
                         .timeout_ms = cfg.timeout_s * 1000,
                         .report_dir = cfg.report_dir,
                         .out = stdout,
                         .progress = cfg.progress < 0 ? tty : cfg.progress,
                         .verbose = cfg.verbose};
    run_report *rep = ecrc_runner_run(&ro, set.entries, set.n);
    if (!rep) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        exit_code = ECRC_EXIT_INTERNAL;
        goto done;
    }
    if (bl && strcmp(bl->target, t.name))
        fprintf(stderr, "ecrconform run: note: baseline %s is for target '%s', this run is '%s'\n",
                cfg.baseline, bl->target, t.name);
    ecr_result brc = bl ? ecrc_baseline_apply(bl, rep) : ECR_OK;

    report_summary s;
    ecrc_report_summarize(rep, &s);
    ecr_result wrc = ecrc_report_write_all(rep, cfg.report_dir);
    print_summary(rep, &s, cfg.report_dir, set.ninvalid);
    if (wrc || brc) {
        if (wrc)
            fprintf(stderr, "ecrconform run: cannot write the reports to %s: %s\n", cfg.report_dir,
                    ecr_strerror(wrc));
        if (brc) /* a partial regression list must not pass for a clean one */
            fprintf(stderr, "ecrconform run: cannot apply the baseline: %s\n", ecr_strerror(brc));
        exit_code = ECRC_EXIT_INTERNAL;
    } else if (invalid_files) {
        exit_code = ECRC_EXIT_INVALID;
    } else if (bl) {
        exit_code = rep->nregressions ? ECRC_EXIT_FAIL : ECRC_EXIT_OK;
    } else if (s.failed || s.errored) {
        exit_code = ECRC_EXIT_FAIL;
    }
    /* Every case that ran erroring because the target did not answer means
     * the target went away after the probe: that is "unreachable", not a
     * verdict on its behaviour. */
    size_t ran = 0, transport = 0;
    for (size_t i = 0; i < rep->ncases; i++) {
        if (rep->cases[i].status == ECRC_CASE_SKIP)
            continue;
        ran++;
        transport += rep->cases[i].transport_error != 0;
    }
    if (!wrc && ran && transport == ran) {
        fprintf(stderr, "ecrconform run: target %s stopped answering\n", t.endpoint);
        exit_code = ECRC_EXIT_UNREACHABLE;
    }
    ecrc_report_free(rep);

done:
    ecremu_stop(builtin);
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    ecrc_baseline_free(bl);
    return exit_code;
}
