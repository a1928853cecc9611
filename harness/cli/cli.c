#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

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
