/* ecrconform reproduce: one case's fixture on a target, and its steps as curl
 * commands to replay by hand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "corpus.h"
#include "ecr/util.h"
#include "ecrc.h"
#include "targetopts.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform reproduce CASE --endpoint URL [options]\n"
          "\n"
          "Builds the fixture of one case (an id, or a case file) on the target, prints each of\n"
          "its steps as a `curl --aws-sigv4` command that sends the request by hand, and keeps\n"
          "the fixture until Enter is pressed (or, with --keep, until the printed cleanup\n"
          "command runs). The commands read the credentials from the shell:\n"
          "$AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY (and $AWS_SESSION_TOKEN); no secret is\n"
          "ever printed. Credentials, region and endpoint are resolved as `run` does.\n"
          "\n"
          "  --endpoint URL     the target (required: the built-in emulator ends with this\n"
          "                     process; start `ecrconform serve` for it)\n"
          "  --profile NAME, --region NAME, --account ID, --timeout SECONDS  as for run\n"
          "  --ca-bundle FILE, --insecure  TLS as for run; the printed commands carry them\n"
          "                     (curl --cacert FILE, --insecure)\n"
          "  --corpus DIR       where to find CASE by id (default as for run)\n"
          "  --golden-dir DIR   goldens (default: golden/ beside the cases/ directory)\n"
          "  --keep             do not wait: leave the fixture and print the cleanup command\n"
          "  --cleanup RUN      remove the fixture a --keep left (RUN: its 8-digit run id)\n"
          "\n"
          "Exit codes: 0 done, 1 the fixture could not be built or removed, 2 usage error,\n"
          "3 the case file is invalid, 4 target unreachable.\n",
          f);
}

typedef struct repro_config {
    /* --endpoint, --profile, --region, --ca-bundle, --insecure, --account, --timeout */
    cli_target_opts to;
    const char *corpus, *golden_dir, *cleanup;
    int keep;
} repro_config;

/* The stem of a path ("cases/x/foo.json" -> "foo") into out. */
static void stem(const char *path, char *out, size_t outsz)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        n -= 5;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

/* Loads the one case named by arg (a file, or an id under the corpus) into
 * set; returns its entry, or NULL with the exit code in *code. */
static const run_entry *find_case(const repro_config *cfg, const char *arg, loaded_set *set,
                                  int *code)
{
    diag_list diags;
    ecr_diag_init(&diags);
    int is_file = strchr(arg, '/') || (strlen(arg) > 5 && !strcmp(arg + strlen(arg) - 5, ".json"));
    char *cases = is_file ? NULL : cli_corpus_cases("reproduce", cfg->corpus);
    const char *path = is_file ? arg : cases;
    const run_entry *found = NULL;
    *code = ECRC_EXIT_USAGE;
    if (path && !cli_paths_exist("reproduce", "", &path, 1)) {
        char id[256];
        stem(arg, id, sizeof id);
        const char *filter = id;
        if (ecrc_load_cases_filtered(&path, 1, &filter, 1, cfg->golden_dir, set, &diags)) {
            *code = ECRC_EXIT_INTERNAL;
        } else {
            for (size_t i = 0; i < set->n && !found; i++) {
                char s[256];
                stem(set->entries[i].path, s, sizeof s);
                if (!strcmp(s, id))
                    found = &set->entries[i];
            }
            if (!found) {
                fprintf(stderr, "ecrconform reproduce: no case '%s' under %s\n", id, path);
            } else if (!found->c) {
                ecr_diag_print(&diags, stderr);
                fprintf(stderr, "ecrconform reproduce: %s: invalid case file\n", found->path);
                *code = ECRC_EXIT_INVALID;
                found = NULL;
            }
        }
    }
    free(cases);
    ecr_diag_free(&diags);
    return found;
}

static int parse(int argc, char **argv, repro_config *cfg)
{
    enum { O_CORPUS = 256, O_GOLDEN, O_KEEP, O_CLEANUP, O_HELP };
    static const struct option own[] = {{"corpus", required_argument, NULL, O_CORPUS},
                                        {"golden-dir", required_argument, NULL, O_GOLDEN},
                                        {"keep", no_argument, NULL, O_KEEP},
                                        {"cleanup", required_argument, NULL, O_CLEANUP},
                                        {"help", no_argument, NULL, O_HELP},
                                        {NULL, 0, NULL, 0}};
    struct option opts[32];
    if (cli_targetopts_table(CLI_TOPT_BIT(CLI_TOPT_ENDPOINT) | CLI_TOPT_BIT(CLI_TOPT_PROFILE) |
                                 CLI_TOPT_BIT(CLI_TOPT_REGION) | CLI_TOPT_BIT(CLI_TOPT_CA_BUNDLE) |
                                 CLI_TOPT_BIT(CLI_TOPT_INSECURE) | CLI_TOPT_BIT(CLI_TOPT_ACCOUNT) |
                                 CLI_TOPT_BIT(CLI_TOPT_TIMEOUT),
                             own, opts, sizeof opts / sizeof opts[0]))
        return ECRC_EXIT_INTERNAL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int took = cli_targetopts_parse(&cfg->to, o, optarg, "ecrconform reproduce");
        if (took < 0)
            return ECRC_EXIT_USAGE;
        if (took)
            continue;
        switch (o) {
        case O_CORPUS:
            cfg->corpus = optarg;
            break;
        case O_GOLDEN:
            cfg->golden_dir = optarg;
            break;
        case O_KEEP:
            cfg->keep = 1;
            break;
        case O_CLEANUP:
            cfg->cleanup = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ecrconform reproduce: expected one CASE (an id or a case file)\n");
        usage(stderr);
        return ECRC_EXIT_USAGE;
    }
    return 0;
}

/* Prints a shell word single-quoted. */
static void shq(const char *s)
{
    putchar('\'');
    for (; *s; s++)
        fputs(*s == '\'' ? "'\\''" : (char[]){*s, 0}, stdout);
    putchar('\'');
}

static int reproduce(const repro_config *cfg, const char *case_arg)
{
    diag_list diags;
    ecr_diag_init(&diags);
    aws_resolved res;
    aws_resolve_input rin;
    cli_targetopts_resolve_input(&cfg->to, &rin);
    ecr_result rrc = ecrc_aws_resolve(&rin, &res, &diags);
    if (rrc || res.builtin) {
        if (rrc)
            ecr_diag_print(&diags, stderr);
        else
            fprintf(stderr, "ecrconform reproduce: give --endpoint URL (a running target; for the "
                            "built-in emulator: ecrconform serve)\n");
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
    }
    ecr_diag_free(&diags);
    loaded_set set;
    memset(&set, 0, sizeof set);
    int code = 0;
    const run_entry *e = find_case(cfg, case_arg, &set, &code);
    if (!e) {
        ecrc_loaded_set_free(&set);
        ecrc_aws_resolved_free(&res);
        return code;
    }

    target_info t;
    memset(&t, 0, sizeof t);
    if (cli_target_start(&res, "ecrconform reproduce", &t)) {
        ecrc_loaded_set_free(&set);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
    }
    ecr_copy_str(t.name, sizeof t.name, "reproduce");
    aws_transport tr = {.ca_bundle = res.ca_bundle, .insecure = cfg->to.insecure};
    long timeout_ms = cfg->to.timeout_s * 1000;
    aws_client *probe = ecrc_aws_client_new(t.endpoint, &res.creds, timeout_ms, 0);
    char err[1024] = "";
    ecrc_aws_client_set_transport(probe, &tr);
    ecr_result prc = probe ? ecrc_target_probe(probe, &t, 0, err, sizeof err) : ECR_ENOMEM;
    if (!prc && cfg->to.account)
        ecr_copy_str(t.account, sizeof t.account, cfg->to.account);
    else if (!prc && !t.account[0] &&
             ecrc_target_learn_account(probe, &t, "ecrconform-probe-repro", err, sizeof err))
        ecr_copy_str(t.account, sizeof t.account, "123456789012");
    if (!prc) /* as run does: complete images where the target has the layer API */
        ecrc_target_probe_layers(probe, &t, "ecrconform-probe-repro-layers");
    ecrc_aws_client_free(probe);
    if (prc) {
        fprintf(stderr, "ecrconform reproduce: target %s unreachable: %s\n", t.endpoint,
                err[0] ? err : ecr_strerror(prc));
        ecrc_loaded_set_free(&set);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_UNREACHABLE;
    }

    ecr_result nrc;
    ecrc_repro *r = ecrc_repro_new(e->c, &t, &res.creds, &tr, timeout_ms, cfg->cleanup, &nrc);
    int exit_code = ECRC_EXIT_OK;
    if (!r) {
        fprintf(stderr, "ecrconform reproduce: %s\n",
                nrc == ECR_EINVAL ? "--cleanup: expected the 8-hex-digit run id --keep printed"
                                  : ecr_strerror(nrc));
        exit_code = nrc == ECR_EINVAL ? ECRC_EXIT_USAGE : ECRC_EXIT_INTERNAL;
        goto done;
    }
    if (cfg->cleanup) {
        if (ecrc_repro_teardown(r, err, sizeof err)) {
            fprintf(stderr, "ecrconform reproduce: cleanup: %s\n", err);
            exit_code = ECRC_EXIT_FAIL;
        } else {
            printf("removed the fixture of %s (run %s)\n", ecrc_repro_case_id(r), cfg->cleanup);
        }
        goto done;
    }
    if (ecrc_repro_build(r, err, sizeof err)) {
        fprintf(stderr, "ecrconform reproduce: fixture: %s\n", err);
        char terr[1024];
        if (ecrc_repro_teardown(r, terr, sizeof terr))
            fprintf(stderr, "ecrconform reproduce: cleanup: %s\n", terr);
        exit_code = ECRC_EXIT_FAIL;
        goto done;
    }
    printf("# ecrconform reproduce %s: fixture built on %s (run %s)\n", ecrc_repro_case_id(r),
           t.endpoint, ecrc_repro_run_id(r));
    printf("# the commands read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY%s from the shell\n",
           res.creds.session_token[0] ? " (and AWS_SESSION_TOKEN)" : "");
    for (size_t i = 0; i < ecrc_repro_nsteps(r); i++) {
        const char *name = NULL;
        char *cmd = ecrc_repro_command(r, i, &name, err, sizeof err);
        printf("\n# step %s\n%s\n", name ? name : "?", cmd ? cmd : err);
        if (!cmd)
            exit_code = ECRC_EXIT_FAIL;
        free(cmd);
    }
    if (cfg->keep) {
        /* The binary that built it, so the command works as printed. */
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0 && (size_t)n < sizeof self - 1)
            self[n] = '\0';
        else
            ecr_copy_str(self, sizeof self, "ecrconform");
        printf("\n# the fixture stays; to remove it:\n");
        shq(self);
        printf(" reproduce ");
        shq(ecrc_repro_case_id(r));
        printf(" --endpoint ");
        shq(t.endpoint);
        printf(" --cleanup %s\n", ecrc_repro_run_id(r));
        fflush(stdout);
        goto done;
    }
    printf("\n# press Enter to remove the fixture\n");
    fflush(stdout);
    char line[64];
    (void)fgets(line, sizeof line, stdin); /* end of input removes it too */
    if (ecrc_repro_teardown(r, err, sizeof err)) {
        fprintf(stderr, "ecrconform reproduce: cleanup: %s\n", err);
        exit_code = ECRC_EXIT_FAIL;
    } else {
        printf("# fixture removed\n");
    }
done:
    ecrc_repro_free(r);
    ecrc_loaded_set_free(&set);
    ecrc_aws_resolved_free(&res);
    return exit_code;
}

int cmd_reproduce(int argc, char **argv)
{
    repro_config cfg = {0};
    cli_targetopts_init(&cfg.to);
    int rc = parse(argc, argv, &cfg);
    if (rc)
        return rc < 0 ? ECRC_EXIT_OK : rc;
    return reproduce(&cfg, argv[optind]);
}
