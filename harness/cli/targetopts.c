/* targetopts.c: the target options shared by run, record, reproduce, diff and cleanup
 * (targetopts.h). */
#include "targetopts.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "ecrc.h"

/* Indexed by cli_topt. lo..hi bound the numeric ones (what: the range as
 * the message says it); the others take a string or nothing. */
static const struct {
    const char *name;
    int has_arg;
    long lo, hi;
    const char *what;
} topts[CLI_TOPT_COUNT] = {
    [CLI_TOPT_ENDPOINT] = {"endpoint", required_argument, 0, 0, NULL},
    [CLI_TOPT_PROFILE] = {"profile", required_argument, 0, 0, NULL},
    [CLI_TOPT_REGION] = {"region", required_argument, 0, 0, NULL},
    [CLI_TOPT_CA_BUNDLE] = {"ca-bundle", required_argument, 0, 0, NULL},
    [CLI_TOPT_INSECURE] = {"insecure", no_argument, 0, 0, NULL},
    [CLI_TOPT_MAX_RPS] = {"max-rps", required_argument, 1, 10000, "1..10000"},
    [CLI_TOPT_JOBS] = {"jobs", required_argument, 1, CLI_JOBS_MAX, "1..64"},
    [CLI_TOPT_TIMEOUT] = {"timeout", required_argument, 1, 3600, "1..3600 seconds"},
    [CLI_TOPT_ACCOUNT] = {"account", required_argument, 0, 0, NULL},
    [CLI_TOPT_NO_STRICT_AUTH] = {"no-strict-auth", no_argument, 0, 0, NULL},
};

void cli_targetopts_init(cli_target_opts *t)
{
    memset(t, 0, sizeof *t);
    t->timeout_s = 30;
}

int cli_targetopts_table(unsigned which, const struct option *own, struct option *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < CLI_TOPT_COUNT; i++) {
        if (!(which & CLI_TOPT_BIT(i)))
            continue;
        if (n + 1 >= cap)
            return -1;
        out[n++] = (struct option){topts[i].name, topts[i].has_arg, NULL, CLI_TOPT_VAL(i)};
    }
    for (; own && own->name; own++) {
        if (n + 1 >= cap)
            return -1;
        out[n++] = *own;
    }
    out[n] = (struct option){NULL, 0, NULL, 0};
    return 0;
}

int cli_targetopts_parse(cli_target_opts *t, int o, const char *arg, const char *cmd)
{
    if (o < CLI_TOPT_VAL(0) || o >= CLI_TOPT_VAL(CLI_TOPT_COUNT))
        return 0;
    cli_topt which = (cli_topt)(o - CLI_TOPT_VAL(0));
    long v = 0;
    if (topts[which].what && cli_parse_int(arg, topts[which].lo, topts[which].hi, &v)) {
        fprintf(stderr, "%s: --%s: expected %s, got '%s'\n", cmd, topts[which].name,
                topts[which].what, arg);
        return -1;
    }
    switch (which) {
    case CLI_TOPT_ENDPOINT:
        t->endpoint = arg;
        break;
    case CLI_TOPT_PROFILE:
        t->profile = arg;
        break;
    case CLI_TOPT_REGION:
        t->region = arg;
        break;
    case CLI_TOPT_CA_BUNDLE:
        t->ca_bundle = arg;
        break;
    case CLI_TOPT_INSECURE:
        t->insecure = 1;
        break;
    case CLI_TOPT_MAX_RPS:
        t->max_rps = (double)v;
        break;
    case CLI_TOPT_JOBS:
        t->jobs = v;
        break;
    case CLI_TOPT_TIMEOUT:
        t->timeout_s = v;
        break;
    case CLI_TOPT_ACCOUNT:
        if (cli_check_account(arg, cmd))
            return -1;
        t->account = arg;
        break;
    case CLI_TOPT_NO_STRICT_AUTH:
        t->no_strict_auth = 1;
        break;
    case CLI_TOPT_COUNT:
        return 0;
    }
    return 1;
}

long cli_targetopts_jobs(const cli_target_opts *t, const char *endpoint, int builtin,
                         const char **why)
{
    if (t->jobs > 0) {
        *why = "--jobs";
        return t->jobs;
    }
    /* Loopback answers as fast as the CPUs allow: runner and target share
     * them, and a job waiting on an answer leaves its CPU to the target. A
     * remote registry is someone's production service with low limits:
     * stay conservative. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long local = cpus > 0 ? 2 * cpus : CLI_JOBS_LOCAL_MIN;
    local = local < CLI_JOBS_LOCAL_MIN   ? CLI_JOBS_LOCAL_MIN
            : local > CLI_JOBS_LOCAL_MAX ? CLI_JOBS_LOCAL_MAX
                                         : local;
    if (builtin) {
        *why = "default for the built-in emulator: twice the CPUs, 4..16";
        return local;
    }
    if (endpoint && ecrc_live_endpoint_is_loopback(endpoint)) {
        *why = "default for a loopback endpoint: twice the CPUs, 4..16";
        return local;
    }
    *why = "default for a remote endpoint";
    return CLI_JOBS_REMOTE;
}

void cli_targetopts_resolve_input(const cli_target_opts *t, aws_resolve_input *in)
{
    memset(in, 0, sizeof *in);
    in->profile = t->profile;
    in->region = t->region;
    in->endpoint = t->endpoint;
    in->ca_bundle = t->ca_bundle;
}

int cli_target_start(const aws_resolved *res, const char *cmd, target_info *t)
{
    if (ecr_copy_str(t->endpoint, sizeof t->endpoint, res->endpoint)) {
        fprintf(stderr, "%s: %s: the endpoint URL is longer than %zu bytes\n", cmd,
                res->endpoint_from ? res->endpoint_from : "--endpoint", sizeof t->endpoint - 1);
        return -1;
    }
    /* "http://h:1/" + "/" would sign and send "//": a path ECR does not know. */
    size_t n = strlen(t->endpoint);
    while (n > 8 && t->endpoint[n - 1] == '/')
        t->endpoint[--n] = '\0';
    ecr_copy_str(t->region, sizeof t->region, res->creds.region); /* both 64: fits */
    return 0;
}
