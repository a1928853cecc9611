/* ecrconform run: load cases, start or probe the target, run, report. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecrc.h"
#include "cli.h"
#include "console.h"
#include "corpus.h"
#include "selection.h"
#include "targetopts.h"
#include "livecli.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "ecremu.h"

typedef struct run_config {
    cli_target_opts to; /* --endpoint, --profile, --region, --jobs, ... (targetopts.h) */
    const char *target_name;
    const char *report_dir;
    const char *golden_dir;
    const char *corpus;   /* --corpus DIR: holds cases/ (NULL: found, corpus.h) */
    cli_selection select; /* --filter, --covers, --level, --rerun-failed, --shard */
    const char *baseline;
    const char *stream; /* --stream-jsonl FILE|-; NULL: none */
    long deadline_s;    /* 0: none */
    long breaker;       /* 0: never */
    int verbose;
    int quiet;       /* expected failures only as a count */
    int record_hint; /* the `cp` accept hint even on a third-party target */
    long retries;    /* --retries N: a failing case runs again up to N times */
    int allow_flaky; /* --allow-flaky: flaky cases do not fail the gate */
    int progress;    /* -1 auto (a terminal), 0 off, 1 on */
    int allow_live;  /* --allow-live: a non-loopback endpoint may run */
    int live_rules;  /* --live-rules: live rules on loopback too */
    char open_answers[CLI_OPEN_ANSWERS_MAX]; /* the built-in emulator's answers */
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
        "  --no-strict-auth   the target does not verify signatures: skip cases that need "
        "it\n" CLI_TOPT_HELP_TIMEOUT
        "  --deadline SECONDS the whole run ends after this long: cases not started by then are\n"
        "                     errors, \"not run\" (default: none)\n"
        "  --breaker N        after N cases in a row could not reach the target, the remaining\n"
        "                     ones are errors, \"not run\", with the cause (default 5; 0: "
        "never)\n" CLI_TOPT_HELP_MAX_RPS
        "  --allow-live       the endpoint is a live registry (any host but loopback): run\n"
        "                     anyway, under live rules (docs/LIVE.md). Without it such a run\n"
        "                     refuses before sending anything.\n"
        "  --live-rules       live rules on a loopback endpoint too: only prefixed, tagged,\n"
        "                     journalled repositories; no other repository named; no control\n"
        "                     interface; SIGINT/SIGTERM tear down and still write reports\n"
        "  --open-answer QUESTION=ANSWER  how the built-in emulator answers an open question of\n"
        "                     docs/ECR-BEHAVIOUR.md (repeatable; also ECRCONFORM_OPEN_ANSWERS;\n"
        "                     'ecrconform serve --help' lists them). Without --endpoint only.\n"
        "\n"
        "Credentials, region, TLS (as the AWS CLI resolves them; the header says which were\n"
        "used and where they came from):\n" CLI_TOPT_HELP_CREDENTIALS
        "  Without --profile: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]\n"
        "  (a partial set is an error), else profile AWS_PROFILE or 'default'. The documented\n"
        "  test keys (" ECR_TEST_ACCESS_KEY ") are used only with the built-in emulator;\n"
        "  any other endpoint without credentials is an error.\n"
        "  Proxies: http_proxy, HTTP_PROXY (libcurl ignores it; honoured outside a CGI, as\n"
        "  the AWS CLI does), https_proxy, HTTPS_PROXY, all_proxy, no_proxy.\n"
        "\n"
        "Selection and output:\n" CLI_SELECTION_HELP
        "  --corpus DIR       the corpus to run when no PATH is given: DIR/cases (default:\n"
        "                     ./cases, else the one installed with the binary,\n"
        "                     BINDIR/../share/ecrconform); a missing PATH is a usage error\n"
        "  --golden-dir DIR   goldens (default: golden/ beside the cases/ directory)\n"
        "  --report-dir DIR   where reports go (default: reports)\n"
        "  --baseline FILE    cases expected to fail on this target; exit 0 unless a failure is "
        "new\n" CLI_TOPT_HELP_JOBS
        "  --retries N        run a failing or erroring case again, from a fresh fixture, up\n"
        "                     to N times (0..10, default 0); one that then passes is 'flaky':\n"
        "                     counted apart, never a pass, and failing the gate unless\n"
        "  --allow-flaky      is given\n"
        "  --progress/--no-progress  a live progress line (default: only on a terminal)\n"
        "  --verbose          print every diff line (the reports always have all of them),\n"
        "                     and a line for each passed and skipped case\n"
        "  --quiet            expected failures (baseline) as a count, not a line each\n"
        "  --record-hint      print the `cp ACTUAL GOLDEN` hint on a third-party target too\n"
        "                     (default: only with the built-in emulator; never for a failure\n"
        "                     the baseline expects)\n"
        "  NO_COLOR           set and not empty: no colours on a terminal\n"
        "  --stream-jsonl FILE|-  one JSON line per finished case, as it finishes (report.json's\n"
        "                     entry plus the baseline's mark); '-': standard output, and\n"
        "                     everything else run prints goes to standard error\n"
        "\n" CLI_EXIT_CODES_HELP,
        f);
}

/* Label for a target given by URL: its host:port. Returns -1 when that does
 * not fit in out (out is then ""). */
static int label_from_endpoint(const char *url, char *out, size_t outsz)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/");
    out[0] = '\0';
    if (n >= outsz)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

static int parse_args(int argc, char **argv, run_config *cfg, int *first_path)
{
    enum {
        O_TARGET = 256,
        O_REPORT,
        O_GOLDEN,
        O_SELECT,
        O_BASELINE,
        O_VERBOSE,
        O_PROGRESS,
        O_NOPROGRESS,
        O_ANSWER,
        O_QUIET,
        O_CORPUS,
        O_RETRIES,
        O_ALLOW_FLAKY,
        O_RECORD_HINT,
        O_DEADLINE,
        O_BREAKER,
        O_ALLOW_LIVE,
        O_LIVE_RULES,
        O_STREAM,
        O_HELP
    };
    static const struct option own[] = {{"target", required_argument, NULL, O_TARGET},
                                        {"report-dir", required_argument, NULL, O_REPORT},
                                        {"golden-dir", required_argument, NULL, O_GOLDEN},
                                        {"filter", required_argument, NULL, O_SELECT},
                                        {"covers", required_argument, NULL, O_SELECT},
                                        {"level", required_argument, NULL, O_SELECT},
                                        {"rerun-failed", required_argument, NULL, O_SELECT},
                                        {"shard", required_argument, NULL, O_SELECT},
                                        {"baseline", required_argument, NULL, O_BASELINE},
                                        {"verbose", no_argument, NULL, O_VERBOSE},
                                        {"progress", no_argument, NULL, O_PROGRESS},
                                        {"no-progress", no_argument, NULL, O_NOPROGRESS},
                                        {"open-answer", required_argument, NULL, O_ANSWER},
                                        {"quiet", no_argument, NULL, O_QUIET},
                                        {"corpus", required_argument, NULL, O_CORPUS},
                                        {"retries", required_argument, NULL, O_RETRIES},
                                        {"allow-flaky", no_argument, NULL, O_ALLOW_FLAKY},
                                        {"record-hint", no_argument, NULL, O_RECORD_HINT},
                                        {"deadline", required_argument, NULL, O_DEADLINE},
                                        {"breaker", required_argument, NULL, O_BREAKER},
                                        {"allow-live", no_argument, NULL, O_ALLOW_LIVE},
                                        {"live-rules", no_argument, NULL, O_LIVE_RULES},
                                        {"stream-jsonl", required_argument, NULL, O_STREAM},
                                        {"help", no_argument, NULL, O_HELP},
                                        {NULL, 0, NULL, 0}};
    struct option opts[64];
    if (cli_targetopts_table(CLI_TOPT_ALL, own, opts, sizeof opts / sizeof opts[0]))
        return ECRC_EXIT_INTERNAL;
    int o, li = 0;
    int answers_given = 0;
    if (cli_open_answers_init(cfg->open_answers, "ecrconform run"))
        return ECRC_EXIT_USAGE;
    optind = 1;
    while ((o = getopt_long(argc, argv, "j:", opts, &li)) != -1) {
        int took = cli_targetopts_parse(&cfg->to, o == 'j' ? CLI_TOPT_VAL(CLI_TOPT_JOBS) : o,
                                        optarg, "ecrconform run");
        if (took < 0)
            return ECRC_EXIT_USAGE;
        if (took)
            continue;
        switch (o) {
        case O_TARGET:
            cfg->target_name = optarg;
            break;
        case O_REPORT:
            cfg->report_dir = optarg;
            break;
        case O_GOLDEN:
            cfg->golden_dir = optarg;
            break;
        case O_SELECT:
            if (cli_selection_add(&cfg->select, opts[li].name, optarg))
                return ECRC_EXIT_USAGE;
            break;
        case O_BASELINE:
            cfg->baseline = optarg;
            break;
        case O_DEADLINE:
            if (cli_parse_int(optarg, 1, 7 * 24 * 3600, &cfg->deadline_s)) {
                fprintf(stderr,
                        "ecrconform run: --deadline: expected 1..604800 seconds, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_BREAKER:
            if (cli_parse_int(optarg, 0, 100000, &cfg->breaker)) {
                fprintf(stderr, "ecrconform run: --breaker: expected 0..100000, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
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
        case O_ANSWER:
            if (cli_open_answers_add(cfg->open_answers, optarg, "ecrconform run"))
                return ECRC_EXIT_USAGE;
            answers_given = 1;
            break;
        case O_QUIET:
            cfg->quiet = 1;
            break;
        case O_CORPUS:
            cfg->corpus = optarg;
            break;
        case O_RETRIES:
            if (cli_parse_int(optarg, 0, 10, &cfg->retries)) {
                fprintf(stderr, "ecrconform run: --retries: expected 0..10, got '%s'\n", optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_ALLOW_FLAKY:
            cfg->allow_flaky = 1;
            break;
        case O_RECORD_HINT:
            cfg->record_hint = 1;
            break;
        case O_ALLOW_LIVE:
            cfg->allow_live = 1;
            break;
        case O_LIVE_RULES:
            cfg->live_rules = 1;
            break;
        case O_STREAM:
            cfg->stream = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    /* Both end up in target_info's fixed fields: refused, never cut. */
    target_info sizes;
    if (cfg->target_name && strlen(cfg->target_name) >= sizeof sizes.name) {
        fprintf(stderr, "ecrconform run: --target: the label is longer than %zu bytes\n",
                sizeof sizes.name - 1);
        return ECRC_EXIT_USAGE;
    }
    if (cfg->to.endpoint && strlen(cfg->to.endpoint) >= sizeof sizes.endpoint) {
        fprintf(stderr, "ecrconform run: --endpoint: the URL is longer than %zu bytes\n",
                sizeof sizes.endpoint - 1);
        return ECRC_EXIT_USAGE;
    }
    if (cfg->to.endpoint && answers_given) {
        fprintf(stderr, "ecrconform run: --open-answer configures the built-in emulator; it "
                        "cannot be used with --endpoint\n");
        return ECRC_EXIT_USAGE;
    }
    *first_path = optind;
    return cli_selection_finish(&cfg->select) ? ECRC_EXIT_USAGE : ECRC_EXIT_OK;
}

/* What the runner's per-case callback needs: the recorded responses are
 * written (report layer), then the case is shown (console). */
typedef struct run_view {
    console con;
    ecrc_actuals actuals;
    ecrc_stream *stream; /* --stream-jsonl; NULL: none */
} run_view;

/* runner_options.on_case_done: serialised by the runner. */
static void on_case_done(void *user, case_report *cr, const runner_progress *p)
{
    run_view *v = user;
    char *why = NULL;
    ecr_result rc = ecrc_actuals_write_case(&v->actuals, cr, &why);
    if (rc)
        console_warn(&v->con, "cannot record the actual response: %s",
                     why ? why : ecr_strerror(rc));
    free(why);
    console_case(&v->con, cr, p);
    if (ecrc_stream_case(v->stream, cr))
        console_warn(&v->con, "--stream-jsonl: cannot write case %s", cr->id ? cr->id : "?");
}

/* --stream-jsonl: a file, or '-': the original standard output, which then
 * carries nothing else (stdout is pointed at stderr). NULL after printing
 * why. */
static ecrc_stream *open_stream(const char *path, const baseline *bl)
{
    char *why = NULL;
    ecrc_stream *s = NULL;
    if (strcmp(path, "-")) {
        s = ecrc_stream_open(path, bl, &why);
    } else {
        fflush(stdout);
        int fd = dup(STDOUT_FILENO);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f && fd >= 0)
            close(fd);
        if (f && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
            fclose(f);
            f = NULL;
        }
        s = ecrc_stream_open_fp(f, bl); /* takes f over */
    }
    if (!s)
        fprintf(stderr, "ecrconform run: --stream-jsonl: %s\n", why ? why : "cannot open");
    free(why);
    return s;
}

/* Under live rules the control interface is never called: capabilities
 * come from the flags (no fault injection; strict signatures unless
 * --no-strict-auth) and the account from --account or DescribeRegistry.
 * Returns ECR_OK, or the transport error when the target does not answer.
 * A DescribeRegistry that answers without an account leaves why set. */
static ecr_result live_probe(aws_client *c, target_info *t, int no_strict_auth, const char *account,
                             char *why, size_t whysz)
{
    t->fault_injection = 0;
    t->strict_auth = !no_strict_auth;
    if (account)
        return ECR_OK;
    ecr_result rc = ecrc_live_learn_account(c, t, why, whysz);
    return rc == ECR_ENOTFOUND ? ECR_OK : rc;
}

/* Opens the journal in the report directory and the live context, and
 * installs the signal handlers. Returns 0, or -1 after printing why. */
static int live_start(const run_config *cfg, const target_info *t, runner_options *ro,
                      ecrc_journal **journal, ecrc_live **lv)
{
    char err[1024] = "";
    char *path = ecr_asprintf("%s/%s", cfg->report_dir, ECRC_LIVE_JOURNAL);
    *journal = path ? ecrc_journal_open(path, t->endpoint, t->region, err, sizeof err) : NULL;
    free(path);
    *lv = *journal ? ecrc_live_new(*journal) : NULL;
    if (!*lv) {
        fprintf(stderr, "ecrconform run: live rules: cannot open the journal: %s\n",
                err[0] ? err : "out of memory");
        ecrc_journal_close(*journal);
        *journal = NULL;
        return -1;
    }
    printf("  live rules on: repositories tagged %s=<run>, journal %s\n", ECRC_LIVE_TAG_KEY,
           ecrc_journal_path(*journal));
    fflush(stdout);
    ro->live = *lv;
    ro->stop = livecli_signals_install();
    return 0;
}

/* The target's capabilities, account and layer API, asked once before the
 * run: on its own thread while the cases load when the target is the
 * built-in emulator (nothing leaves the machine before the cases are known
 * to be good), else inline. */
typedef struct probe_job {
    target_info *t; /* the probe's own until it is joined */
    aws_credentials creds;
    aws_transport tr;
    long timeout_ms;
    int live, no_strict_auth;
    const char *account; /* --account; NULL: learned */
    ecr_result prc;      /* ECR_OK: the target answered */
    char err[1024], acct_err[1024];
    pthread_t th;
    int threaded; /* th runs */
} probe_job;

static void probe_target(probe_job *pj)
{
    target_info *t = pj->t;
    aws_client *probe = ecrc_aws_client_new(t->endpoint, &pj->creds, pj->timeout_ms, 0);
    ecrc_aws_client_set_transport(probe, &pj->tr);
    pj->prc = !probe     ? ECR_ENOMEM
              : pj->live ? live_probe(probe, t, pj->no_strict_auth, pj->account, pj->acct_err,
                                      sizeof pj->acct_err)
                         : ecrc_target_probe(probe, t, pj->no_strict_auth, pj->err, sizeof pj->err);
    char probe_repo[64]; /* unique per process: parallel runs may share a registry */
    snprintf(probe_repo, sizeof probe_repo, "ecrconform-probe-%ld", (long)getpid());
    if (pj->live) /* inside the harness's prefix (IAM scoped to ecrc-*): never anybody's */
        snprintf(probe_repo, sizeof probe_repo, "ecrc-probe-%ld-%lx/probe", (long)getpid(),
                 (unsigned long)time(NULL));
    if (pj->account) /* an explicit --account wins over the probe */
        ecr_copy_str(t->account, sizeof t->account, pj->account);
    else if (!pj->prc && !t->account[0] &&
             (pj->live ||
              ecrc_target_learn_account(probe, t, probe_repo, pj->acct_err, sizeof pj->acct_err)))
        ecr_copy_str(t->account, sizeof t->account, ECR_TEST_ACCOUNT);
    if (!pj->prc) { /* once per run; a name that is never created */
        char layer_repo[80];
        snprintf(layer_repo, sizeof layer_repo, "%s-layers", probe_repo);
        ecrc_target_probe_layers(probe, t, layer_repo);
    }
    ecrc_aws_client_free(probe);
}

static void *probe_main(void *arg)
{
    probe_target(arg);
    return NULL;
}

/* Waits for a probe started on its own thread; runs it here when none was.
 * Cannot fail. */
static void probe_finish(probe_job *pj)
{
    if (pj->threaded)
        pthread_join(pj->th, NULL);
    else
        probe_target(pj);
    pj->threaded = 0;
}

/* Starts the built-in emulator for cfg and creds, its endpoint and label in
 * t. Returns 0, or ECRC_EXIT_INTERNAL after printing why. */
static int start_builtin(const run_config *cfg, const aws_credentials *creds, target_info *t,
                         ecremu **builtin)
{
    /* The emulator knows exactly the credentials the client signs with. */
    ecremu_config ec = {.port = 0,
                        .auth = ECREMU_AUTH_STRICT,
                        .account_id = cfg->to.account ? cfg->to.account : ECR_TEST_ACCOUNT,
                        .region = creds->region,
                        .access_key = creds->access_key,
                        .secret_key = creds->secret_key,
                        .control = 1,
                        .quiet = 1,
                        .open_answers = cfg->open_answers,
                        /* PutImage needs the blobs, as on ECR */
                        .layers = ECREMU_LAYERS_ENFORCE};
    ecr_result erc = ecremu_start(&ec, builtin);
    if (erc) {
        fprintf(stderr, "ecrconform run: cannot start the built-in emulator: %s\n",
                ecr_strerror(erc));
        return ECRC_EXIT_INTERNAL;
    }
    snprintf(t->endpoint, sizeof t->endpoint, "http://127.0.0.1:%u", ecremu_port(*builtin));
    ecr_copy_str(t->name, sizeof t->name, cfg->target_name ? cfg->target_name : "built-in");
    return 0;
}

static int run_with(const char *const *paths, size_t npaths, run_config cfg);

int cmd_run(int argc, char **argv)
{
    run_config cfg = {.report_dir = "reports", .breaker = 5, .progress = -1};
    cli_targetopts_init(&cfg.to);
    int first;
    cli_selection_init(&cfg.select);
    int rc = parse_args(argc, argv, &cfg, &first);
    char *found = NULL;
    const char *const *paths = (const char *const *)argv + first;
    size_t npaths = (size_t)(argc - first);
    if (!rc && npaths && cfg.corpus) {
        fprintf(stderr, "ecrconform run: --corpus names the corpus to run when no PATH is "
                        "given; give one or the other\n");
        rc = ECRC_EXIT_USAGE;
    } else if (!rc && !npaths) {
        found = cli_corpus_cases("run", cfg.corpus);
        paths = (const char *const *)&found;
        npaths = 1;
        rc = found ? 0 : ECRC_EXIT_USAGE;
    }
    /* Paths that do not exist are a usage error naming them, not invalid
     * files: nothing was there to be invalid. */
    if (!rc && (cli_paths_exist("run", "", paths, npaths) ||
                (cfg.golden_dir && cli_paths_exist("run", "--golden-dir", &cfg.golden_dir, 1)) ||
                (cfg.baseline && cli_paths_exist("run", "--baseline", &cfg.baseline, 1))))
        rc = ECRC_EXIT_USAGE;
    if (!rc)
        rc = run_with(paths, npaths, cfg);
    else if (rc < 0)
        rc = ECRC_EXIT_OK;
    /* run_with's copy shares what the selection owns: freed once, here. */
    cli_selection_free(&cfg.select);
    free(found);
    return rc;
}

/* The run itself, once the options are parsed. */
static int run_with(const char *const *paths, size_t npaths, run_config cfg)
{
    /* --deadline counts from here: the probe of a target that answers
     * nothing must not add its own --timeout (or several) to the run. */
    struct timespec ts0;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    double started_ms = (double)ts0.tv_sec * 1000.0 + (double)ts0.tv_nsec / 1e6;
    diag_list diags;
    ecr_diag_init(&diags);
    /* Credentials, region and endpoint first: a wrong set-up is a usage
     * error before anything runs. */
    aws_resolved res;
    aws_resolve_input rin;
    cli_targetopts_resolve_input(&cfg.to, &rin);
    ecr_result rrc = ecrc_aws_resolve(&rin, &res, &diags);
    if (rrc) {
        fprintf(stderr, "ecrconform run: %s\n",
                rrc == ECR_ENOMEM ? "out of memory" : "cannot resolve the target and credentials:");
        ecr_diag_print(&diags, stderr);
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
    }
    /* Before anything is loaded, looked up or sent. */
    int live = 0;
    if (livecli_gate("ecrconform run", res.endpoint, res.builtin, cfg.allow_live, cfg.live_rules,
                     &live)) {
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
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

    aws_credentials creds = res.creds;
    aws_transport tr = {.ca_bundle = res.ca_bundle,
                        .insecure = cfg.to.insecure,
                        .no_proxy = res.builtin,
                        .deadline_ms =
                            cfg.deadline_s ? started_ms + (double)cfg.deadline_s * 1000 : 0};
    target_info t;
    memset(&t, 0, sizeof t);
    /* Unknown until the target says (control interface, DescribeRegistry,
     * CreateRepository) unless --account. 12 digits (checked) and a region the
     * resolver bounded to its field: both fit. */
    ecr_copy_str(t.account, sizeof t.account, cfg.to.account ? cfg.to.account : "");
    ecr_copy_str(t.region, sizeof t.region, creds.region);
    probe_job pj = {.t = &t,
                    .creds = creds,
                    .tr = tr,
                    .timeout_ms = cfg.to.timeout_s * 1000,
                    .live = live,
                    .no_strict_auth = cfg.to.no_strict_auth,
                    .account = cfg.to.account};
    ecremu *builtin = NULL;
    /* The built-in emulator starts, and is probed, while the cases load. */
    if (res.builtin && !live) {
        if (start_builtin(&cfg, &creds, &t, &builtin)) {
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            ecr_diag_free(&diags);
            return ECRC_EXIT_INTERNAL;
        }
        pj.threaded = pthread_create(&pj.th, NULL, probe_main, &pj) == 0;
    }

    loaded_set set;
    if (ecrc_load_cases_filtered(paths, npaths, cfg.select.filters, cfg.select.nfilters,
                                 cfg.golden_dir, &set, &diags)) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        if (builtin)
            probe_finish(&pj);
        ecremu_stop(builtin);
        ecrc_baseline_free(bl);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_INTERNAL;
    }
    ecr_diag_print(&diags, stderr);
    int invalid_files = diags.n > 0;
    ecrc_selection_apply(&cfg.select.sel, &set);
    if (!set.n) {
        fprintf(stderr, "ecrconform run: no case files%s\n",
                cfg.select.nfilters || cfg.select.sel.ncovers || cfg.select.sel.levels[0] ||
                        cfg.select.rerun_file || cfg.select.sel.nshards > 1
                    ? " match the selection"
                    : "");
        if (builtin)
            probe_finish(&pj);
        ecremu_stop(builtin);
        ecrc_loaded_set_free(&set);
        ecr_diag_free(&diags);
        ecrc_baseline_free(bl);
        ecrc_aws_resolved_free(&res);
        return invalid_files ? ECRC_EXIT_INVALID : ECRC_EXIT_USAGE;
    }
    run_view view;
    memset(&view, 0, sizeof view);
    if (cfg.stream && !(view.stream = open_stream(cfg.stream, bl))) {
        if (builtin)
            probe_finish(&pj);
        ecremu_stop(builtin);
        ecrc_loaded_set_free(&set);
        ecr_diag_free(&diags);
        ecrc_baseline_free(bl);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
    }

    if (res.builtin) { /* under live rules: started here, probed inline */
        if (!builtin && start_builtin(&cfg, &creds, &t, &builtin)) {
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            ecrc_stream_close(view.stream);
            return ECRC_EXIT_INTERNAL;
        }
    } else {
        if (cli_target_start(&res, "ecrconform run", &t)) {
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            ecrc_stream_close(view.stream);
            return ECRC_EXIT_USAGE;
        }
        if (!cfg.target_name && label_from_endpoint(t.endpoint, t.name, sizeof t.name)) {
            fprintf(stderr,
                    "ecrconform run: %s: its host:port is longer than %zu bytes, too long for a "
                    "label: give --target NAME\n",
                    res.endpoint_from, sizeof t.name - 1);
            ecrc_loaded_set_free(&set);
            ecr_diag_free(&diags);
            ecrc_baseline_free(bl);
            ecrc_aws_resolved_free(&res);
            ecrc_stream_close(view.stream);
            return ECRC_EXIT_USAGE;
        }
        if (cfg.target_name) /* length checked in parse_args */
            ecr_copy_str(t.name, sizeof t.name, cfg.target_name);
    }

    /* What the target takes: decided once the endpoint is known. */
    const char *jobs_why = NULL;
    long jobs = cli_targetopts_jobs(&cfg.to, t.endpoint, res.builtin, &jobs_why);
    int exit_code = ECRC_EXIT_OK;
    probe_finish(&pj);
    ecr_result prc = pj.prc;
    const char *err = pj.err, *acct_err = pj.acct_err;
    runner_options ro = {.target = &t,
                         .creds = creds,
                         .jobs = (int)jobs,
                         .timeout_ms = cfg.to.timeout_s * 1000,
                         .on_case_done = on_case_done,
                         .user = &view,
                         .transport = tr,
                         .max_rps = cfg.to.max_rps,
                         .deadline_ms = cfg.deadline_s * 1000,
                         .started_ms = started_ms,
                         .breaker = (int)cfg.breaker,
                         .retries = (int)cfg.retries};
    if (prc) {
        char *cause = ecr_term_safe(err[0] ? err : ecr_strerror(prc)); /* peer text */
        /* ETOOBIG: it answered, with more than the harness keeps. */
        fprintf(stderr, "ecrconform run: target %s %s: %s\n", t.endpoint,
                prc == ECR_ETOOBIG  ? "answered with a value too long"
                : prc == ECR_EPROTO ? "answered with malformed HTTP"
                                    : "unreachable",
                cause ? cause : "?");
        ecrc_aws_resolved_print(&res, t.endpoint, cfg.to.insecure, stderr);
        exit_code = ECRC_EXIT_UNREACHABLE;
        /* Reports even so: CI publishers look for junit.xml and report.json. */
        run_report *urep =
            ecrc_runner_unreachable(&ro, set.entries, set.n, cause ? cause : "out of memory");
        free(cause);
        for (size_t i = 0; urep && i < urep->ncases; i++)
            ecrc_stream_case(view.stream, &urep->cases[i]);
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

    console_options co = {.progress = cfg.progress < 0 ? isatty(STDOUT_FILENO) : cfg.progress,
                          .verbose = cfg.verbose,
                          .quiet = cfg.quiet,
                          .color = console_want_color(stdout),
                          .accept_hint = res.builtin || cfg.record_hint,
                          .bl = bl};
    console_init(&view.con, stdout, stderr, &co);
    console_header(&view.con, &t, set.n);
    ecrc_aws_resolved_print(&res, t.endpoint, cfg.to.insecure, stdout);
    console_header_baseline(&view.con);
    printf("  account    %s  [%s]%s", t.account,
           cfg.to.account ? "--account"
           : acct_err[0]  ? "NOT learned from the target"
                          : "the target",
           cfg.to.max_rps > 0 ? "" : "\n");
    if (cfg.to.max_rps > 0)
        printf("; at most %.0f requests/s\n", cfg.to.max_rps);
    printf("  jobs       %ld  [%s]\n", jobs, jobs_why);
    if (acct_err[0]) {
        char *why = ecr_term_safe(acct_err); /* quotes the target's answers */
        printf("  note: account id unknown (%s): using %s; pass --account\n", why ? why : "?",
               ECR_TEST_ACCOUNT);
        free(why);
    }
    if (!t.layer_api) {
        char *why = ecr_term_safe(t.layer_note); /* peer text */
        printf("  note: the target has no layer API (%s): fixture images are pushed "
               "manifest-only, without their blobs (real ECR refuses that)\n",
               why ? why : "");
        free(why);
    }
    fflush(stdout);

    /* Responses recorded by an earlier run must not be mistaken for this
     * run's, but a directory that is not ours is never emptied. */
    char *why = NULL;
    ecr_result arc = ecrc_actuals_open(&view.actuals, cfg.report_dir, &why);
    if (arc == ECR_EINVAL)
        console_warn(&view.con,
                     "%s: left untouched; the actual responses of failing steps are not recorded "
                     "this run (remove it or choose another --report-dir)",
                     why ? why : ecr_strerror(arc));
    else if (arc)
        console_warn(&view.con,
                     "%s; the actual responses of failing steps are not recorded this run",
                     why ? why : ecr_strerror(arc));
    free(why);

    ecrc_journal *journal = NULL;
    ecrc_live *lv = NULL;
    if (live && live_start(&cfg, &t, &ro, &journal, &lv)) {
        exit_code = ECRC_EXIT_INTERNAL;
        ecrc_actuals_close(&view.actuals);
        goto done;
    }
    console_begin(&view.con, set.n);
    run_report *rep = ecrc_runner_run(&ro, set.entries, set.n);
    ecrc_live_free(lv);
    ecrc_journal_close(journal);
    console_run_done(&view.con, rep != NULL);
    ecrc_actuals_close(&view.actuals);
    if (!rep) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        exit_code = ecrc_verdict(NULL, NULL);
        goto done;
    }
    if (bl && strcmp(bl->target, t.name))
        fprintf(stderr, "ecrconform run: note: baseline %s is for target '%s', this run is '%s'\n",
                cfg.baseline, bl->target, t.name);
    ecr_result brc = bl ? ecrc_baseline_apply(bl, rep) : ECR_OK;
    rep->allow_flaky = cfg.allow_flaky; /* the reports' gate is the exit code's */

    report_summary s;
    ecrc_report_summarize(rep, &s);
    ecr_result wrc = ecrc_report_write_all(rep, cfg.report_dir);
    console_summary(&view.con, rep, &s, cfg.report_dir, set.ninvalid);
    if (wrc)
        fprintf(stderr, "ecrconform run: cannot write the reports to %s: %s\n", cfg.report_dir,
                ecr_strerror(wrc));
    if (brc) /* a partial regression list must not pass for a clean one */
        fprintf(stderr, "ecrconform run: cannot apply the baseline: %s\n", ecr_strerror(brc));
    ecrc_verdict_input vin = {.invalid_files = invalid_files,
                              .reports_failed = wrc != ECR_OK,
                              .baseline_failed = brc != ECR_OK,
                              .allow_flaky = cfg.allow_flaky};
    exit_code = ecrc_verdict(rep, &vin);
    if (exit_code == ECRC_EXIT_UNREACHABLE)
        fprintf(stderr, "ecrconform run: target %s stopped answering\n", t.endpoint);
    if (live && livecli_signal_caught()) {
        fprintf(stderr, "ecrconform run: interrupted by signal %d: torn down, reports written\n",
                livecli_signal_caught());
        exit_code = 128 + livecli_signal_caught();
    }
    console_verdict(&view.con, rep, &s, exit_code, set.ninvalid);
    ecrc_report_free(rep);

done:
    if (ecrc_stream_close(view.stream)) {
        fprintf(stderr, "ecrconform run: --stream-jsonl %s: not every case was written\n",
                cfg.stream);
        if (exit_code == ECRC_EXIT_OK)
            exit_code = ECRC_EXIT_INTERNAL;
    }
    ecremu_stop(builtin);
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    ecrc_baseline_free(bl);
    ecrc_aws_resolved_free(&res);
    return exit_code;
}
