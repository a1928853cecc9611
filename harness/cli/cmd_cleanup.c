/* ecrconform cleanup: deletes what crashed live runs left behind, only
 * repositories that both the journal and the harness tag mark
 * (docs/LIVE.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ecr/util.h"
#include "ecrc.h"
#include "livecli.h"
#include "targetopts.h"

static void usage(FILE *f)
{
    fputs("usage: ecrconform cleanup [--journal FILE] [--endpoint URL] [options]\n"
          "\n"
          "Deletes the repositories that live runs journalled and could not tear down (a\n"
          "crash, SIGKILL, a second Ctrl-C): only those that the journal records AND that\n"
          "carry the harness tag " ECRC_LIVE_TAG_KEY "=<run> and the run prefix ecrc-<run>/.\n"
          "Anything else is left alone and listed as kept.\n"
          "\n"
          "  --journal FILE     the journal (default: REPORT-DIR/" ECRC_LIVE_JOURNAL ")\n"
          "  --report-dir DIR   where the run wrote its reports (default: reports)\n"
          "  --endpoint URL     the registry (else AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL, the\n"
          "                     profile's endpoint_url; 'aws' for real ECR)\n"
          "  --allow-live       required for any endpoint that is not loopback\n"
          "  --profile NAME, --region NAME, --ca-bundle FILE, --insecure, --timeout SECONDS\n"
          "                     as for 'ecrconform run'\n"
          "\n"
          "Exit codes: 0 nothing left behind, 1 some repository could not be checked or\n"
          "deleted, 2 usage, 4 the journal cannot be read.\n",
          f);
}

static void say(void *user, const char *line)
{
    (void)user;
    char *safe = ecr_term_safe(line);
    printf("  %s\n", safe ? safe : "(out of memory)");
    free(safe);
}

int cmd_cleanup(int argc, char **argv)
{
    enum { O_JOURNAL = 256, O_REPORT, O_ALLOW_LIVE, O_HELP };
    static const struct option own[] = {{"journal", required_argument, NULL, O_JOURNAL},
                                        {"report-dir", required_argument, NULL, O_REPORT},
                                        {"allow-live", no_argument, NULL, O_ALLOW_LIVE},
                                        {"help", no_argument, NULL, O_HELP},
                                        {NULL, 0, NULL, 0}};
    struct option opts[24];
    if (cli_targetopts_table(CLI_TOPT_BIT(CLI_TOPT_ENDPOINT) | CLI_TOPT_BIT(CLI_TOPT_PROFILE) |
                                 CLI_TOPT_BIT(CLI_TOPT_REGION) | CLI_TOPT_BIT(CLI_TOPT_CA_BUNDLE) |
                                 CLI_TOPT_BIT(CLI_TOPT_INSECURE) | CLI_TOPT_BIT(CLI_TOPT_TIMEOUT),
                             own, opts, sizeof opts / sizeof opts[0]))
        return ECRC_EXIT_INTERNAL;
    const char *journal = NULL, *report_dir = "reports";
    cli_target_opts to;
    cli_targetopts_init(&to);
    int allow_live = 0, o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int took = cli_targetopts_parse(&to, o, optarg, "ecrconform cleanup");
        if (took < 0)
            return ECRC_EXIT_USAGE;
        if (took)
            continue;
        switch (o) {
        case O_JOURNAL:
            journal = optarg;
            break;
        case O_REPORT:
            report_dir = optarg;
            break;
        case O_ALLOW_LIVE:
            allow_live = 1;
            break;
        case O_HELP:
            usage(stdout);
            return ECRC_EXIT_OK;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ecrconform cleanup: unexpected argument '%s'\n", argv[optind]);
        return ECRC_EXIT_USAGE;
    }
    diag_list diags;
    ecr_diag_init(&diags);
    aws_resolved res;
    aws_resolve_input rin;
    cli_targetopts_resolve_input(&to, &rin);
    ecr_result rrc = ecrc_aws_resolve(&rin, &res, &diags);
    int live = 0;
    if (rrc || res.builtin) {
        if (rrc)
            ecr_diag_print(&diags, stderr);
        else
            fprintf(stderr, "ecrconform cleanup: no endpoint: give --endpoint URL (the "
                            "registry the run used; the journal names it)\n");
        ecr_diag_free(&diags);
        ecrc_aws_resolved_free(&res);
        return rrc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_USAGE;
    }
    ecr_diag_free(&diags);
    if (livecli_gate("ecrconform cleanup", res.endpoint, 0, allow_live, 1, &live)) {
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_USAGE;
    }
    char *jpath =
        journal ? ecr_strdup(journal) : ecr_asprintf("%s/%s", report_dir, ECRC_LIVE_JOURNAL);
    aws_client *cl =
        jpath ? ecrc_aws_client_new(res.endpoint, &res.creds, to.timeout_s * 1000, 0) : NULL;
    if (!cl) {
        fprintf(stderr, "ecrconform cleanup: out of memory\n");
        free(jpath);
        ecrc_aws_resolved_free(&res);
        return ECRC_EXIT_INTERNAL;
    }
    aws_transport tr = {.ca_bundle = res.ca_bundle, .insecure = to.insecure};
    ecrc_aws_client_set_transport(cl, &tr);
    printf("ecrconform cleanup: journal %s, endpoint %s\n", jpath, res.endpoint);
    ecrc_cleanup_opts co = {
        .journal = jpath, .endpoint = res.endpoint, .client = cl, .say = say, .user = NULL};
    ecrc_cleanup_stats st;
    char err[1024] = "";
    ecr_result rc = ecrc_cleanup_run(&co, &st, err, sizeof err);
    int exit_code;
    if (rc) {
        fprintf(stderr, "ecrconform cleanup: %s\n", err);
        exit_code = rc == ECR_ENOMEM ? ECRC_EXIT_INTERNAL : ECRC_EXIT_UNREACHABLE;
    } else {
        printf("ecrconform cleanup: %zu journalled: %zu deleted, %zu already gone, %zu kept (not "
               "the harness's), %zu failed%s\n",
               st.journalled, st.deleted, st.gone, st.kept, st.failed,
               st.bad_lines ? "; some journal lines were unreadable" : "");
        exit_code = st.failed ? ECRC_EXIT_FAIL : ECRC_EXIT_OK;
    }
    ecrc_aws_client_free(cl);
    free(jpath);
    ecrc_aws_resolved_free(&res);
    return exit_code;
}
