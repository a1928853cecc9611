/* ecrconform serve: the built-in emulator on its own, for any client. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ecrc.h"
#include "cli.h"
#include "ecr/protocol.h"
#include "ecremu.h"

static void usage(FILE *f)
{
    char questions[2048];
    ecremu_open_answers_describe(questions, sizeof questions);
    fprintf(
        f,
        "usage: ecrconform serve [--port N] [--auth lenient|strict] [--no-control]\n"
        "                        [--account ID] [--region NAME] [--no-layer-check] [--quiet]\n"
        "                        [--open-answer QUESTION=ANSWER]...\n"
        "                        [--access-key ID --secret-key SECRET]\n"
        "\n"
        "Runs the built-in ECR emulator on 127.0.0.1 until SIGINT or SIGTERM. Its first line of\n"
        "output is 'listening on http://127.0.0.1:PORT'; point any client at it, e.g.\n"
        "  aws ecr describe-repositories --endpoint-url http://127.0.0.1:PORT\n"
        "\n"
        "  --port N        TCP port (default 0: a random free port)\n"
        "  --auth MODE     lenient (default): any well-formed SigV4 request is accepted;\n"
        "                  strict: signatures are verified against the one known credential pair:\n"
        "                  --access-key/--secret-key, else AWS_ACCESS_KEY_ID /\n"
        "                  AWS_SECRET_ACCESS_KEY when set, else the documented test keys\n"
        "                  " ECR_TEST_ACCESS_KEY " / " ECR_TEST_SECRET_KEY ";\n"
        "                  X-Amz-Date within 5 minutes of the clock, and the credential\n"
        "                  scope naming --region and the service ecr\n"
        "  --access-key ID, --secret-key SECRET\n"
        "                  the credential pair strict auth accepts (give both)\n"
        "  --no-control    do not serve the fault-injection control interface (/__ecrconform/)\n"
        "  --account ID    account id of the emulated registry (default " ECR_TEST_ACCOUNT ")\n"
        "  --region NAME   region in ARNs and URIs (default: AWS_REGION, AWS_DEFAULT_REGION,\n"
        "                  else " ECR_TEST_REGION ")\n"
        "  --no-layer-check  PutImage does not require the manifest's config and layer blobs\n"
        "                  to have been uploaded first (by default it does, as ECR does:\n"
        "                  LayersNotFoundException)\n"
        "  --quiet         no request log (by default one line per request on stderr:\n"
        "                  operation, status, error type, time in ms)\n"
        "  --open-answer QUESTION=ANSWER\n"
        "                  how the emulator answers an open question of docs/ECR-BEHAVIOUR.md\n"
        "                  (repeatable; also ECRCONFORM_OPEN_ANSWERS=Q=A,Q=A). Questions:\n"
        "%s"
        "\n"
        "Exit codes: 0 stopped by a signal, 2 usage error, 5 the emulator could not start.\n",
        questions);
}

int cmd_serve(int argc, char **argv)
{
    enum {
        O_PORT = 256,
        O_AUTH,
        O_NOCONTROL,
        O_ACCOUNT,
        O_REGION,
        O_NOLAYERS,
        O_QUIET,
        O_ACCESS,
        O_SECRET,
        O_ANSWER,
        O_HELP
    };
    static const struct option opts[] = {{"port", required_argument, NULL, O_PORT},
                                         {"auth", required_argument, NULL, O_AUTH},
                                         {"no-control", no_argument, NULL, O_NOCONTROL},
                                         {"account", required_argument, NULL, O_ACCOUNT},
                                         {"region", required_argument, NULL, O_REGION},
                                         {"no-layer-check", no_argument, NULL, O_NOLAYERS},
                                         {"quiet", no_argument, NULL, O_QUIET},
                                         {"access-key", required_argument, NULL, O_ACCESS},
                                         {"secret-key", required_argument, NULL, O_SECRET},
                                         {"open-answer", required_argument, NULL, O_ANSWER},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    aws_credentials creds;
    char cerr[128];
    if (ecrc_aws_credentials_from_env(&creds, NULL, cerr, sizeof cerr)) {
        fprintf(stderr, "ecrconform serve: %s\n", cerr);
        return ECRC_EXIT_USAGE;
    }
    ecremu_config ec = {.auth = ECREMU_AUTH_LENIENT,
                        .access_key = creds.access_key,
                        .secret_key = creds.secret_key,
                        .region = creds.region,
                        .control = 1,
                        .layers = ECREMU_LAYERS_ENFORCE,
                        .request_log = stderr};
    long port = 0;
    const char *access = NULL, *secret = NULL;
    int o;
    static char answers[CLI_OPEN_ANSWERS_MAX];
    if (cli_open_answers_init(answers, "ecrconform serve"))
        return ECRC_EXIT_USAGE;
    ec.open_answers = answers;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_PORT:
            if (cli_parse_int(optarg, 0, 65535, &port)) {
                fprintf(stderr, "ecrconform serve: --port: expected 0..65535, got '%s'\n", optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_AUTH:
            if (!strcmp(optarg, "strict"))
                ec.auth = ECREMU_AUTH_STRICT;
            else if (!strcmp(optarg, "lenient"))
                ec.auth = ECREMU_AUTH_LENIENT;
            else {
                fprintf(stderr, "ecrconform serve: --auth: expected lenient or strict, got '%s'\n",
                        optarg);
                return ECRC_EXIT_USAGE;
            }
            break;
        case O_NOCONTROL:
            ec.control = 0;
            break;
        case O_ACCOUNT:
            if (cli_check_account(optarg, "ecrconform serve"))
                return ECRC_EXIT_USAGE;
            ec.account_id = optarg;
            break;
        case O_REGION:
            if (cli_check_region(optarg, "ecrconform serve"))
                return ECRC_EXIT_USAGE;
            ec.region = optarg;
            break;
        case O_NOLAYERS:
            ec.layers = ECREMU_LAYERS_OFF;
            break;
        case O_QUIET:
            ec.request_log = NULL;
            break;
        case O_ACCESS:
            access = optarg;
            break;
        case O_SECRET:
            secret = optarg;
            break;
        case O_ANSWER:
            if (cli_open_answers_add(answers, optarg, "ecrconform serve"))
                return ECRC_EXIT_USAGE;
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
        fprintf(stderr, "ecrconform serve: unexpected argument '%s'\n", argv[optind]);
        return ECRC_EXIT_USAGE;
    }
    if ((access && !*access) || (secret && !*secret) || !access != !secret) {
        fprintf(stderr, "ecrconform serve: --access-key and --secret-key go together (both "
                        "non-empty)\n");
        return ECRC_EXIT_USAGE;
    }
    if (access) {
        ec.access_key = access;
        ec.secret_key = secret;
    }
    ec.port = (unsigned short)port;

    /* Block the stop signals before the server threads exist, so that they
     * inherit the mask and sigwait() below is the only receiver. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    ecremu *e = NULL;
    ecr_result rc = ecremu_start(&ec, &e);
    if (rc) {
        fprintf(stderr, "ecrconform serve: cannot start the emulator on port %ld: %s\n", port,
                ecr_strerror(rc));
        return ECRC_EXIT_INTERNAL;
    }
    printf("listening on http://127.0.0.1:%u\n", ecremu_port(e));
    printf("auth %s; control interface %s; layer check %s; credentials %s\n",
           ec.auth == ECREMU_AUTH_STRICT ? "strict" : "lenient", ec.control ? "on" : "off",
           ec.layers == ECREMU_LAYERS_ENFORCE ? "on" : "off",
           ec.auth == ECREMU_AUTH_STRICT ? ec.access_key : "(any)");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "ecrconform serve: %s received, stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    ecremu_stop(e);
    return ECRC_EXIT_OK;
}
