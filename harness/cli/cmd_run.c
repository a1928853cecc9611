/* ecrconform run: load cases, start or probe the target, run, report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecrc.h"
#include "cli.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "ecremu.h"

typedef struct run_config {
    const char *endpoint; /* --endpoint; NULL: resolved (env, profile, else built-in) */
    const char *profile;
    const char *region;
    const char *ca_bundle;
    int insecure;
    double max_rps; /* 0: no cap */
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
        "  --endpoint URL     the ECR endpoint to test (e.g. http://127.0.0.1:5000), or 'aws' for\n"
        "                     real Amazon ECR (https://api.ecr.REGION.amazonaws.com). Else\n"
        "                     AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL, the profile's endpoint_url;\n"
        "                     when none is set: the built-in emulator, started in-process on\n"
        "                     127.0.0.1 with a random port (strict SigV4 checking, fault\n"
        "                     injection), never through a proxy.\n"
        "  --target NAME      label for the reports (default: built-in, or the endpoint's "
        "host:port)\n"
        "  --account ID       the caller's account id, ${account} in cases (default: learned\n"
        "                     from the target: control interface, DescribeRegistry, else a\n"
        "                     throw-away CreateRepository's registryId)\n"
        "  --no-strict-auth   the target does not verify signatures: skip cases that need it\n"
        "  --timeout SECONDS  per request (default 30)\n"
        "  --max-rps N        at most N requests per second for the whole run, across --jobs\n"
        "                     (real ECR's per-operation limits are low). Set-up and teardown\n"
        "                     calls retry throttling and 5xx answers (5 tries, jittered\n"
        "                     backoff); the step under test never does.\n"
        "\n"
        "Credentials, region, TLS (as the AWS CLI resolves them; the header says which were\n"
        "used and where they came from):\n"
        "  --profile NAME     keys (and region, endpoint_url, ca_bundle) from this profile of\n"
        "                     ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,\n"
        "                     AWS_CONFIG_FILE); the environment's keys are then ignored\n"
        "  --region NAME      else AWS_REGION, AWS_DEFAULT_REGION, the profile's region,\n"
        "                     else us-east-1 (real AWS needs one)\n"
        "  --ca-bundle FILE   CA certificates for an https:// endpoint (else AWS_CA_BUNDLE, the\n"
        "                     profile's ca_bundle, SSL_CERT_FILE, the system store)\n"
        "  --insecure         do not verify TLS certificates (said in the header and reports)\n"
        "  Without --profile: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]\n"
        "  (a partial set is an error), else profile AWS_PROFILE or 'default'. The documented\n"
        "  test keys (" ECR_TEST_ACCESS_KEY ") are used only with the built-in emulator;\n"
        "  any other endpoint without credentials is an error.\n"
        "  Proxies: http_proxy, HTTP_PROXY (libcurl ignores it; honoured outside a CGI, as\n"
        "  the AWS CLI does), https_proxy, HTTPS_PROXY, all_proxy, no_proxy.\n"
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
        O_PROFILE,
        O_REGION,
        O_CA_BUNDLE,
        O_INSECURE,
        O_MAX_RPS,
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
                                         {"profile", required_argument, NULL, O_PROFILE},
                                         {"region", required_argument, NULL, O_REGION},
                                         {"ca-bundle", required_argument, NULL, O_CA_BUNDLE},
                                         {"insecure", no_argument, NULL, O_INSECURE},
                                         {"max-rps", required_argument, NULL, O_MAX_RPS},
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
        case O_PROFILE:
            cfg->profile = optarg;
            break;
        case O_REGION:
            cfg->region = optarg;
            break;
        case O_CA_BUNDLE:
            cfg->ca_bundle = optarg;
            break;
        case O_INSECURE:
            cfg->insecure = 1;
            break;
        case O_MAX_RPS: {
            long rps;
            if (cli_parse_int(optarg, 1, 10000, &rps)) {
                fprintf(stderr, "ecrconform run: --max-rps: expected 1..10000, got '%s'\n", optarg);
                return ECRC_EXIT_USAGE;
            }
            cfg->max_rps = (double)rps;
            break;
        }
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
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
    /* Credentials, region and endpoint first: a wrong set-up is a usage
     * error before anything runs. */
    aws_resolved res;
    aws_resolve_input rin = {.profile = cfg.profile,
                             .region = cfg.region,
                             .endpoint = cfg.endpoint,
                             .ca_bundle = cfg.ca_bundle};
    ecr_result rrc = ecrc_aws_resolve(&rin, &res, &diags);
    if (rrc) {
        fprintf(stderr, "ecrconform run: %s\n",
                rrc == ECR_ENOMEM ? "out of memory" : "cannot resolve the target and credentials:");
        ecr_diag_print(&diags, stderr);
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
    }
    baseline *bl = NULL;
    if (cfg.baseline) {
        bl = ecrc_baseline_load(cfg.baseline, &diags);
        if (!bl) {
            ecr_diag_print(&diags, stderr);
            ecr_diag_free(&diags);
            ecrc_aws_resolved_free(&res);
            return ECRC_EXIT_INVALID;
        }
    }

    loaded_set set;
    if (ecrc_load_cases((const char *const *)argv + first, (size_t)(argc - first), cfg.filter,
                        cfg.golden_dir, &set, &diags)) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        ecrc_baseline_free(bl);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_INTERNAL;
    }
    ecr_diag_print(&diags, stderr);
    int invalid_files = diags.n > 0;
    if (!set.n) {
        fprintf(stderr, "ecrconform run: no case files%s\n", cfg.filter ? " match the filter" : "");
        ecrc_loaded_set_free(&set);
        ecr_diag_free(&diags);
        ecrc_baseline_free(bl);
        ecrc_aws_resolved_free(&res);
        return invalid_files ? ECRC_EXIT_INVALID : ECRC_EXIT_USAGE;
    }

    aws_credentials creds = res.creds;
    aws_transport tr = {
        .ca_bundle = res.ca_bundle, .insecure = cfg.insecure, .no_proxy = res.builtin};
    target_info t;
    memset(&t, 0, sizeof t);
    /* Unknown until the target says (control interface, DescribeRegistry,
     * CreateRepository) unless --account. */
    snprintf(t.account, sizeof t.account, "%s", cfg.account ? cfg.account : "");
    snprintf(t.region, sizeof t.region, "%s", creds.region);

    ecremu *builtin = NULL;
    if (res.builtin) {
        /* The emulator knows exactly the credentials the client signs with. */
        ecremu_config ec = {.port = 0,
                            .auth = ECREMU_AUTH_STRICT,
                            .account_id = cfg.account ? cfg.account : ECR_TEST_ACCOUNT,
                            .region = creds.region,
                            .access_key = creds.access_key,
                            .secret_key = creds.secret_key,
                            .control = 1,
                            .quiet = 1};
        ecr_result erc = ecremu_start(&ec, &builtin);
        if (erc) {
            fprintf(stderr, "ecrconform run: cannot start the built-in emulator: %s\n",
                    ecr_strerror(erc));
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            return ECRC_EXIT_INTERNAL;
        }
        snprintf(t.endpoint, sizeof t.endpoint, "http://127.0.0.1:%u", ecremu_port(builtin));
        snprintf(t.name, sizeof t.name, "%s", cfg.target_name ? cfg.target_name : "built-in");
    } else {
        if (ecr_copy_str(t.endpoint, sizeof t.endpoint, res.endpoint)) {
            fprintf(stderr, "ecrconform run: %s: the endpoint URL is longer than %zu bytes\n",
                    res.endpoint_from, sizeof t.endpoint - 1);
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            return ECRC_EXIT_USAGE;
        }
        if (cfg.target_name)
            snprintf(t.name, sizeof t.name, "%s", cfg.target_name);
        else
            label_from_endpoint(t.endpoint, t.name, sizeof t.name);
    }

    int exit_code = ECRC_EXIT_OK;
    aws_client *probe = ecrc_aws_client_new(t.endpoint, &creds, cfg.timeout_s * 1000, 0);
    ecrc_aws_client_set_transport(probe, &tr);
    char err[1024] = "", acct_err[1024] = "";
    ecr_result prc =
        probe ? ecrc_target_probe(probe, &t, cfg.no_strict_auth, err, sizeof err) : ECR_ENOMEM;
    char probe_repo[64]; /* unique per process: parallel runs may share a registry */
    snprintf(probe_repo, sizeof probe_repo, "ecrconform-probe-%ld", (long)getpid());
    if (cfg.account) /* an explicit --account wins over the probe */
        snprintf(t.account, sizeof t.account, "%s", cfg.account);
    else if (!prc && !t.account[0] &&
             ecrc_target_learn_account(probe, &t, probe_repo, acct_err, sizeof acct_err))
        snprintf(t.account, sizeof t.account, "%s", ECR_TEST_ACCOUNT);
    ecrc_aws_client_free(probe);
    runner_options ro = {.target = &t,
                         .creds = creds,
                         .jobs = (int)cfg.jobs,
                         .timeout_ms = cfg.timeout_s * 1000,
                         .report_dir = cfg.report_dir,
                         .out = stdout,
                         .progress = cfg.progress < 0 ? isatty(STDOUT_FILENO) : cfg.progress,
                         .verbose = cfg.verbose,
                         .transport = tr,
                         .max_rps = cfg.max_rps};
    if (prc) {
        const char *cause = err[0] ? err : ecr_strerror(prc);
        fprintf(stderr, "ecrconform run: target %s unreachable: %s\n", t.endpoint, cause);
        ecrc_aws_resolved_print(&res, t.endpoint, cfg.insecure, stderr);
        exit_code = ECRC_EXIT_UNREACHABLE;
        /* Reports even so: CI publishers look for junit.xml and report.json. */
        run_report *urep = ecrc_runner_unreachable(&ro, set.entries, set.n, cause);
        ecr_result urc = urep ? ecrc_report_write_all(urep, cfg.report_dir) : ECR_ENOMEM;
        if (urc)
            fprintf(stderr, "ecrconform run: cannot write the reports to %s: %s\n", cfg.report_dir,
                    ecr_strerror(urc));
        else
            fprintf(stderr,
                    "ecrconform run: reports (every case 'error'): %s/report.json %s/junit.xml\n",
                    cfg.report_dir, cfg.report_dir);
        ecrc_report_free(urep);
        goto done;
    }

    printf("ecrconform %s: %zu case%s against %s (%s)%s%s\n", ECRCONFORM_VERSION, set.n,
           set.n == 1 ? "" : "s", t.name, t.endpoint, t.fault_injection ? ", fault injection" : "",
           t.strict_auth ? ", strict auth" : "");
    ecrc_aws_resolved_print(&res, t.endpoint, cfg.insecure, stdout);
    printf("  account    %s  [%s]%s", t.account,
           cfg.account   ? "--account"
           : acct_err[0] ? "NOT learned from the target"
                         : "the target",
           cfg.max_rps > 0 ? "" : "\n");
    if (cfg.max_rps > 0)
        printf("; at most %.0f requests/s\n", cfg.max_rps);
    if (acct_err[0])
        printf("  note: account id unknown (%s): using %s; pass --account\n", acct_err,
               ECR_TEST_ACCOUNT);
    fflush(stdout);

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
    ecrc_aws_resolved_free(&res);
    return exit_code;
}
