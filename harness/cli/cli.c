#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ecr/protocol.h"
#include "ecremu.h"

int cli_open_answers_init(char *spec, const char *cmd)
{
    const char *env = getenv(CLI_OPEN_ANSWERS_ENV);
    char err[512];
    spec[0] = '\0';
    if (!env || !*env)
        return 0;
    if (strlen(env) >= CLI_OPEN_ANSWERS_MAX ||
        ecremu_open_answers_check(env, err, sizeof err) != ECR_OK) {
        fprintf(stderr, "%s: " CLI_OPEN_ANSWERS_ENV ": %s\n", cmd,
                strlen(env) >= CLI_OPEN_ANSWERS_MAX ? "too long" : err);
        return -1;
    }
    snprintf(spec, CLI_OPEN_ANSWERS_MAX, "%s", env);
    return 0;
}

int cli_open_answers_add(char *spec, const char *arg, const char *cmd)
{
    char err[512];
    size_t have = strlen(spec);
    if (strchr(arg, ',') || ecremu_open_answers_check(arg, err, sizeof err) != ECR_OK) {
        fprintf(stderr, "%s: --open-answer: %s\n", cmd,
                strchr(arg, ',') ? "one QUESTION=ANSWER per option" : err);
        return -1;
    }
    if (have + strlen(arg) + 2 > CLI_OPEN_ANSWERS_MAX) {
        fprintf(stderr, "%s: --open-answer: too many answers\n", cmd);
        return -1;
    }
    snprintf(spec + have, CLI_OPEN_ANSWERS_MAX - have, "%s%s", have ? "," : "", arg);
    return 0;
}

int cli_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_check_account(const char *arg, const char *cmd)
{
    if (ecr_is_account_id(arg))
        return 0;
    fprintf(stderr, "%s: --account: expected 12 digits, got '%s'\n", cmd, arg);
    return -1;
}

int cli_check_region(const char *arg, const char *cmd)
{
    if (ecr_is_region_name(arg))
        return 0;
    fprintf(stderr, "%s: --region: expected a region name (1..%d of [a-z0-9-]), got '%s'\n", cmd,
            ECR_REGION_NAME_MAX, arg);
    return -1;
}

int cli_parse_reports_args(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
                           const char **dir)
{
    enum { O_HELP = 256 };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            *dir = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return ECRC_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ecrconform %s: expected at least one REPORT.json\n", cmd);
        usage(stderr);
        return ECRC_EXIT_USAGE;
    }
    return ECRC_EXIT_OK;
}
