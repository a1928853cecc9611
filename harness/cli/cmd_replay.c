/* ecrconform replay: the corpus's goldens served as an ECR endpoint, for an
 * SDK's own test suite (docs/REPLAY.md). The emulator's server carries the
 * requests; the core's replay answers each case step from its golden, the
 * emulator's model everything a fixture needs. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "corpus.h"
#include "ecr/protocol.h"
#include "ecrc.h"
#include "ecremu.h"

/* --open-answer options one command line may give (there are 11 open
 * questions today). */
#define REPLAY_ANSWERS_MAX 64

static void usage(FILE *f)
{
    fputs("usage: ecrconform replay [PATH...] [--port N] [--host 127.0.0.1] [--golden-dir DIR]\n"
          "                         [--account ID] [--region NAME] [--quiet]\n"
          "                         [--open-answer QUESTION=ANSWER]...\n"
          "\n"
          "Serves the cases under PATH (default: the corpus, as for run) on 127.0.0.1 until\n"
          "SIGINT or SIGTERM: each request a case's step sends (its operation and input, the\n"
          "fixture's repository names and digests bound for that run) is answered with the\n"
          "response the step's golden describes: exact where the golden is exact; where it\n"
          "has matchers, one instance it accepts ($set and $partial their content, $anyOf\n"
          "its first alternative unless --open-answer picks another, $regex a string the\n"
          "pattern matches). Fixture traffic\n"
          "(CreateRepository, PutImage, the layer upload operations, DeleteRepository,\n"
          "DescribeRegistry, the /__ecrconform/ control interface) is answered by the\n"
          "built-in emulator's model, so a client sees the sequence it would see live. Any\n"
          "other request gets HTTP 400 EcrconformReplayNoMatch naming the closest case and\n"
          "step and what differs. Its first line of output is\n"
          "'listening on http://127.0.0.1:PORT'; then, e.g.\n"
          "  ecrconform run --endpoint http://127.0.0.1:PORT\n"
          "\n"
          "  --port N          TCP port (default 0: a random free port)\n"
          "  --host 127.0.0.1  the address to serve (only the loopback address is served)\n"
          "  --golden-dir DIR  goldens from DIR (default: golden/ beside each case's cases/)\n"
          "  --account ID      ${account} in answers (default " ECR_TEST_ACCOUNT ")\n"
          "  --region NAME     ${region} when a request's signature names none (default:\n"
          "                    AWS_REGION, AWS_DEFAULT_REGION, else " ECR_TEST_REGION ")\n"
          "  --open-answer QUESTION=ANSWER\n"
          "                    answer an open question (docs/OPEN-QUESTIONS.md) with the\n"
          "                    alternative ANSWER wherever a golden asks it, as serve's\n"
          "                    option of the same name does (repeatable; a question no\n"
          "                    loaded golden asks, or an answer it does not list, is a\n"
          "                    usage error)\n"
          "  --quiet           no request log (by default one line per request on stderr,\n"
          "                    naming the case and step a golden answer came from)\n"
          "\n"
          "An invalid case or golden file (or a golden replay cannot answer) is reported on\n"
          "stderr as file: field: message and left out; the other cases are served.\n"
          "\n"
          "Exit codes: 0 stopped by a signal, 2 usage error, 3 stopped by a signal after\n"
          "leaving invalid files out (or no valid case at all: nothing is served), 5 the\n"
          "server could not start.\n",
          f);
}

int cmd_replay(int argc, char **argv)
{
    enum { O_PORT = 256, O_HOST, O_GOLDEN, O_ACCOUNT, O_REGION, O_QUIET, O_ANSWER, O_HELP };
    static const struct option opts[] = {{"port", required_argument, NULL, O_PORT},
                                         {"host", required_argument, NULL, O_HOST},
                                         {"golden-dir", required_argument, NULL, O_GOLDEN},
                                         {"account", required_argument, NULL, O_ACCOUNT},
                                         {"region", required_argument, NULL, O_REGION},
                                         {"quiet", no_argument, NULL, O_QUIET},
                                         {"open-answer", required_argument, NULL, O_ANSWER},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    long port = 0;
    const char *golden_dir = NULL, *account = ECR_TEST_ACCOUNT, *region = NULL;
    int quiet = 0, o;
    const char *answers[REPLAY_ANSWERS_MAX];
    size_t nanswers = 0;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_PORT:
            if (cli_parse_int(optarg, 0, 65535, &port)) {
                fprintf(stderr, "ecrconform replay: --port: expected 0..65535, got '%s'\n", optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_HOST:
            if (strcmp(optarg, "127.0.0.1") && strcmp(optarg, "localhost")) {
                fprintf(stderr, "ecrconform replay: --host: only 127.0.0.1 is served, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_GOLDEN:
            golden_dir = optarg;
            break;
        case O_ACCOUNT:
            if (cli_check_account(optarg, "ecrconform replay"))
                return ECRC_EXIT_USAGE;
            account = optarg;
            break;
        case O_REGION:
            if (cli_check_region(optarg, "ecrconform replay"))
                return ECRC_EXIT_USAGE;
            region = optarg;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case O_ANSWER:
            if (nanswers == REPLAY_ANSWERS_MAX) {
                fprintf(stderr, "ecrconform replay: --open-answer: at most %d\n",
                        REPLAY_ANSWERS_MAX);
                return ECRC_EXIT_USAGE;
            }
            answers[nanswers++] = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return ECRC_EXIT_OK;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    aws_credentials creds;
    char cerr[128];
    if (ecrc_aws_credentials_from_env(&creds, NULL, cerr, sizeof cerr)) {
        fprintf(stderr, "ecrconform replay: %s\n", cerr);
        return ECRC_EXIT_USAGE;
    }
    if (!region)
        region = creds.region;

    char *found = NULL;
    const char *const *paths = (const char *const *)argv + optind;
    size_t npaths = (size_t)(argc - optind);
    if (!npaths) {
        found = cli_corpus_cases("replay", NULL);
        if (!found)
            return ECRC_EXIT_USAGE;
        paths = (const char *const *)&found;
        npaths = 1;
    }
    if (cli_paths_exist("replay", "", paths, npaths) ||
        (golden_dir && cli_paths_exist("replay", "--golden-dir", &golden_dir, 1))) {
        free(found);
        return ECRC_EXIT_USAGE;
    }

    diag_list diags;
    ecr_diag_init(&diags);
    loaded_set set;
    if (ecrc_load_cases(paths, npaths, NULL, golden_dir, &set, &diags)) {
        fprintf(stderr, "ecrconform replay: out of memory\n");
        free(found);
        return ECRC_EXIT_INTERNAL;
    }
    if (ecrc_replay_check_answers(&set, answers, nanswers, &diags)) {
        ecr_diag_print(&diags, stderr);
        ecrc_loaded_set_free(&set);
        ecr_diag_free(&diags);
        free(found);
        return ECRC_EXIT_USAGE;
    }
    ecrc_replay *rp = ecrc_replay_new(&set, account, region, answers, nanswers, &diags);
    int rc = ECRC_EXIT_OK;
    if (!rp) {
        fprintf(stderr, "ecrconform replay: out of memory\n");
        rc = ECRC_EXIT_INTERNAL;
    }
    ecr_diag_print(&diags, stderr);
    size_t left_out = rp ? set.n - ecrc_replay_ncases(rp) : 0;
    if (rp && !ecrc_replay_ncases(rp)) {
        fprintf(stderr, "ecrconform replay: no valid case to serve (%zu file%s left out)\n",
                left_out, left_out == 1 ? "" : "s");
        rc = ECRC_EXIT_INVALID;
    }

    /* Block the stop signals before the server threads exist, so that they
     * inherit the mask and sigwait() below is the only receiver. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    ecremu *e = NULL;
    if (!rc) {
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        /* The fixture model: lenient auth (any client's keys; the auth cases
         * are answered from their goldens), the control interface for the
         * faults, and no layer check (SDK fixtures push bare manifests). */
        ecremu_config ec = {.port = (unsigned short)port,
                            .auth = ECREMU_AUTH_LENIENT,
                            .account_id = account,
                            .region = region,
                            .control = 1,
                            .layers = ECREMU_LAYERS_OFF,
                            .request_log = quiet ? NULL : stderr,
                            .intercept = ecrc_replay_answer,
                            .intercept_user = rp};
        ecr_result er = ecremu_start(&ec, &e);
        if (er) {
            fprintf(stderr, "ecrconform replay: cannot start the server on port %ld: %s\n", port,
                    ecr_strerror(er));
            rc = ECRC_EXIT_INTERNAL;
        }
    }
    if (!rc) {
        printf("listening on http://127.0.0.1:%u\n", ecremu_port(e));
        printf("replaying %zu case%s (%zu invalid file%s left out)\n", ecrc_replay_ncases(rp),
               ecrc_replay_ncases(rp) == 1 ? "" : "s", left_out, left_out == 1 ? "" : "s");
        fflush(stdout);
        int sig = 0;
        sigwait(&stop, &sig);
        unsigned long golden = 0, nomatch = 0;
        ecrc_replay_counts(rp, &golden, &nomatch);
        fprintf(stderr,
                "ecrconform replay: %s received, stopping (%lu answers from goldens, %lu "
                "requests matched no case)\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", golden, nomatch);
        ecremu_stop(e);
        rc = left_out ? ECRC_EXIT_INVALID : ECRC_EXIT_OK;
    }
    ecrc_replay_free(rp);
    ecrc_loaded_set_free(&set);
    ecr_diag_free(&diags);
    free(found);
    return rc;
}
