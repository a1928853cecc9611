/* targetopts.h: the options that say which target to reach and how (endpoint,
 * profile, region, CA bundle, TLS checking, rate cap, jobs, timeout, account,
 * signature checking), shared by every command that talks to a target (run,
 * record, reproduce, diff, cleanup): one table of names, ranges, messages and help
 * text, so the commands cannot drift apart. Each command picks the options it
 * takes with a mask and keeps its own options beside them.
 */
#ifndef ECR_TARGETOPTS_H
#define ECR_TARGETOPTS_H

#include <getopt.h>
#include <stddef.h>

#include "ecrc.h"

/* One bit per option (CLI_TOPT_BIT) in the masks below. */
typedef enum cli_topt {
    CLI_TOPT_ENDPOINT,
    CLI_TOPT_PROFILE,
    CLI_TOPT_REGION,
    CLI_TOPT_CA_BUNDLE,
    CLI_TOPT_INSECURE,
    CLI_TOPT_MAX_RPS,
    CLI_TOPT_JOBS,
    CLI_TOPT_TIMEOUT,
    CLI_TOPT_ACCOUNT,
    CLI_TOPT_NO_STRICT_AUTH,
    CLI_TOPT_COUNT
} cli_topt;

#define CLI_TOPT_BIT(o) (1u << (o))
#define CLI_TOPT_ALL ((1u << CLI_TOPT_COUNT) - 1u)
/* getopt_long's value for option o: far above any command's own values
 * (256 + a few dozen) and any short option. */
#define CLI_TOPT_VAL(o) (0x1000 + (int)(o))

/* --jobs when not given: against the built-in emulator or a loopback
 * endpoint the target shares the machine's CPUs with the runner, and twice
 * as many jobs as CPUs keep both busy (more only queue: measured in
 * docs/PERFORMANCE.md), within CLI_JOBS_LOCAL_MIN..CLI_JOBS_LOCAL_MAX;
 * anything else (a live registry with low per-operation limits) keeps the
 * conservative CLI_JOBS_REMOTE. */
#define CLI_JOBS_LOCAL_MIN 4
#define CLI_JOBS_LOCAL_MAX 16
#define CLI_JOBS_REMOTE 4
#define CLI_JOBS_MAX 64

typedef struct cli_target_opts {
    const char *endpoint; /* --endpoint; NULL: resolved (env, profile, else built-in) */
    const char *profile;
    const char *region;
    const char *ca_bundle;
    const char *account; /* --account: 12 digits (checked); NULL: learned */
    int insecure;
    int no_strict_auth;
    double max_rps; /* 0: no cap */
    long jobs;      /* 0 until --jobs is given: cli_targetopts_jobs decides */
    long timeout_s;
} cli_target_opts;

/* Help lines, word for word what each command's --help prints. */
#define CLI_TOPT_HELP_TIMEOUT "  --timeout SECONDS  per request (default 30)\n"
#define CLI_TOPT_HELP_MAX_RPS                                                                      \
    "  --max-rps N        at most N requests per second for the whole run, across --jobs\n"        \
    "                     (real ECR's per-operation limits are low). Set-up and teardown\n"        \
    "                     calls retry throttling and 5xx answers (5 tries, jittered\n"             \
    "                     backoff); the step under test never does.\n"
#define CLI_TOPT_HELP_CREDENTIALS                                                                  \
    "  --profile NAME     keys (and region, endpoint_url, ca_bundle) from this profile of\n"       \
    "                     ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,\n"    \
    "                     AWS_CONFIG_FILE); the environment's keys are then ignored\n"             \
    "  --region NAME      else AWS_REGION, AWS_DEFAULT_REGION, the profile's region,\n"            \
    "                     else us-east-1 (real AWS needs one)\n"                                   \
    "  --ca-bundle FILE   CA certificates for an https:// endpoint (else AWS_CA_BUNDLE, the\n"     \
    "                     profile's ca_bundle, SSL_CERT_FILE, the system store)\n"                 \
    "  --insecure         do not verify TLS certificates (said in the header and reports)\n"
#define CLI_TOPT_HELP_JOBS                                                                         \
    "  --jobs N           cases run in parallel (cases are isolated; 1..64). Default: twice\n"     \
    "                     the CPUs (4..16) against the built-in emulator or a loopback\n"          \
    "                     endpoint (it shares the CPUs: enough to keep it busy), else 4 (a\n"      \
    "                     live registry's limits are low; --max-rps caps the rate either\n"        \
    "                     way); the header says which\n"

/* Sets the defaults: everything unset, --timeout 30, --jobs undecided.
 * Cannot fail. */
void cli_targetopts_init(cli_target_opts *t);

/* Fills out with the getopt entries of the options in `which` (a mask of
 * CLI_TOPT_BIT), then the command's own entries `own` (terminated by a zero
 * entry), then the terminating zero entry. Returns 0, or -1 when cap entries
 * are too few (a programming error: out is then unusable). */
int cli_targetopts_table(unsigned which, const struct option *own, struct option *out, size_t cap);

/* Takes option value o (from getopt_long) when it is a target option: stores
 * arg (borrowed from argv) in t. Returns 1 when taken, 0 when o is not a
 * target option (the command's own), or -1 after printing
 * "<cmd>: --<name>: expected <range>, got '<arg>'" (a usage error). */
int cli_targetopts_parse(cli_target_opts *t, int o, const char *arg, const char *cmd);

/* The --jobs of the run: the one given, else twice the online CPUs
 * (CLI_JOBS_LOCAL_MIN..CLI_JOBS_LOCAL_MAX) for the built-in emulator or an
 * endpoint on loopback, else CLI_JOBS_REMOTE. Sets *why (static text) to
 * where the number came from. Cannot fail. */
long cli_targetopts_jobs(const cli_target_opts *t, const char *endpoint, int builtin,
                         const char **why);

/* What ecrc_aws_resolve needs from the options: profile, region, endpoint
 * and CA bundle (borrowed from t). Cannot fail. */
void cli_targetopts_resolve_input(const cli_target_opts *t, aws_resolve_input *in);

/* Starts target t for command cmd ("ecrconform record") from the resolved
 * target: the endpoint URL without trailing slashes (each request adds its
 * own path) and the signing region; the other fields are left as they are.
 * Returns 0, or -1 after printing "<cmd>: <where the endpoint came from>: the
 * endpoint URL is longer than N bytes" (a usage error: never cut). */
int cli_target_start(const aws_resolved *res, const char *cmd, target_info *t);

#endif
