/* ecrc.h: the public interface of libecrc_core, the runner library.
 *
 * The CLI (harness/cli) and anything else built on the runner include this
 * header and nothing else of harness/core: load cases (ecrc_load_cases), probe a
 * target (ecrc_target_probe), run them (ecrc_runner_run), and turn the report model
 * into files (ecrc_report_write_all), baselines and compare matrices. The
 * internal headers under harness/core/{load,run,report} are private to the
 * library (CMake PRIVATE include directories).
 *
 * Ownership follows one rule throughout: a function that returns a pointer
 * to a new object says so and names its _free function; _free(NULL) is a
 * no-op; everything else is borrowed.
 */
#ifndef ECRC_H
#define ECRC_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "ecr/diag.h"
#include "ecr/http.h"
#include "ecr/protocol.h"
#include "ecr/result.h"

/* Opaque here: a loaded case file (harness/core/load/casefile.h). */
typedef struct case_def case_def;

/* Opaque here: a json-c value (json-c/json.h); only the core looks inside. */
struct json_object;

/* ---- Exit codes (decided by ecrc_verdict; documented in README.md and
 * every --help, CLI_EXIT_CODES_HELP in harness/cli/cli.h) ---- */

typedef enum ecrc_exit {
    ECRC_EXIT_OK = 0,          /* every case passed (or failed only as the baseline expects) */
    ECRC_EXIT_FAIL = 1,        /* conformance failures: a case failed or errored on the target */
    ECRC_EXIT_USAGE = 2,       /* bad command line */
    ECRC_EXIT_INVALID = 3,     /* invalid case, golden, baseline or report files */
    ECRC_EXIT_UNREACHABLE = 4, /* the target did not answer */
    ECRC_EXIT_INTERNAL =
        5 /* the harness itself failed (reports not written, emulator not started) */
} ecrc_exit;

/* ---- Credentials and the HTTP client (run/awsclient.c) ---- */

/* Caps, including the NUL. Access keys are at most 128 characters and
 * secrets 40 in AWS's own documentation; a session token has no documented
 * maximum (STS tokens run to a few KiB), hence the roomy cap. A value that
 * does not fit is refused, never cut: a cut token would be "invalid" at the
 * target with no hint why. */
#define ECRC_ACCESS_KEY_MAX 256
#define ECRC_SECRET_KEY_MAX 256
#define ECRC_SESSION_TOKEN_MAX 8192
#define ECRC_REGION_MAX 64

typedef struct aws_credentials {
    char access_key[ECRC_ACCESS_KEY_MAX];
    char secret_key[ECRC_SECRET_KEY_MAX];
    char session_token[ECRC_SESSION_TOKEN_MAX]; /* "" when absent */
    char region[ECRC_REGION_MAX];
} aws_credentials;

/* Fills c from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 * and AWS_REGION, else AWS_DEFAULT_REGION. Unset values take the
 * ECR_TEST_* defaults (a half-set key pair takes both defaults). Sets
 * *from_env (may be NULL) to 1 when the key pair came from the environment,
 * else 0. Returns ECR_OK, or ECR_ETOOBIG when a variable is longer than its
 * field, with err naming it ("AWS_SESSION_TOKEN is longer than 8191
 * bytes"); c is then zeroed. err may be NULL. */
ecr_result ecrc_aws_credentials_from_env(aws_credentials *c, int *from_env, char *err,
                                         size_t errsz);

/* How a request is signed (a case step's raw.auth, docs/CASES.md), one
 * X(ENUM_SUFFIX, "name") per mode: the enum and the names come from this one
 * list. The loader parses the names, the client implements the modes, the
 * reports print the names. */
#define ECRC_SIGN_MODES(X)                                                                         \
    X(SIGV4, "sigv4")               /* sign with the client's credentials */                       \
    X(NONE, "none")                 /* no Authorization header at all */                           \
    X(UNKNOWN_KEY, "unknown-key")   /* sign with an access key no target knows */                  \
    X(WRONG_SECRET, "wrong-secret") /* the client's access key, a wrong secret */

#define ECRC_SIGN_ENUM_(id, name) ECRC_SIGN_##id,
typedef enum ecrc_sign_mode { ECRC_SIGN_MODES(ECRC_SIGN_ENUM_) ECRC_SIGN_COUNT } ecrc_sign_mode;
#undef ECRC_SIGN_ENUM_

/* "sigv4", "none", ...; "unknown" for a value out of range. Never NULL. */
const char *ecrc_sign_mode_name(ecrc_sign_mode m);

/* Parses a mode name (exact). Returns 0 and sets *out, or -1 when name is
 * NULL or unknown (*out untouched). */
int ecrc_sign_mode_parse(const char *name, ecrc_sign_mode *out);

/* Every mode name in enum order as one line for messages ("sigv4, none,
 * ..."). Static; never NULL. */
const char *ecrc_sign_mode_list(void);

typedef struct aws_client aws_client;

/* Creates a client for endpoint (e.g. "http://127.0.0.1:5000"). creds is
 * copied. timeout_ms <= 0 uses AWS_DEFAULT_TIMEOUT_MS, max_response 0 uses
 * AWS_DEFAULT_MAX_RESPONSE. Returns NULL on allocation or libcurl init failure. */
aws_client *ecrc_aws_client_new(const char *endpoint, const aws_credentials *creds, long timeout_ms,
                                size_t max_response);

/* Frees the client and its connection. c may be NULL. */
void ecrc_aws_client_free(aws_client *c);

/* Opaque: a request-rate limiter shared by clients (run/throttle.c). */
typedef struct ecrc_ratelimit ecrc_ratelimit;

/* How a client reaches its endpoint, beyond the URL. */
typedef struct aws_transport {
    const char *ca_bundle;   /* CA certificates (CURLOPT_CAINFO); NULL: libcurl's default */
    int insecure;            /* 1: TLS peer and host name are not verified */
    int no_proxy;            /* 1: never through a proxy (the built-in emulator) */
    ecrc_ratelimit *limiter; /* shared by every client of a run; NULL: no cap */
    double deadline_ms;      /* CLOCK_MONOTONIC ms after which no request is sent and
                                none outlives; 0: none (run --deadline) */
} aws_transport;

/* Sets c's transport (copied; the strings and the limiter are borrowed and
 * must outlive c). Without it a client verifies TLS with libcurl's default
 * CA store and uses the proxy the environment names: libcurl reads
 * http_proxy, https_proxy, HTTPS_PROXY, all_proxy, no_proxy itself;
 * uppercase HTTP_PROXY, which libcurl ignores (httpoxy), is honoured for
 * http:// endpoints when http_proxy is unset and REQUEST_METHOD is unset (not
 * a CGI), as the AWS CLI (Python's urllib) does. Cannot fail; c NULL is a
 * no-op. */
void ecrc_aws_client_set_transport(aws_client *c, const aws_transport *t);

/* ---- AWS shared configuration files (run/awsconfig.c) ---- */

#define ECRC_AWSCFG_MAX_FILE (1024u * 1024u) /* bytes per file */
#define ECRC_AWSCFG_MAX_LINE 4096u           /* bytes per line */

/* One setting of a profile and where it was read. */
typedef struct aws_setting {
    char *value; /* owned; NULL when the profile does not set it */
    char *file;  /* owned; the file it came from (NULL with value) */
    size_t line;
} aws_setting;

typedef struct aws_profile {
    int found;                 /* 1: a section of that profile exists in either file */
    aws_setting access_key;    /* aws_access_key_id */
    aws_setting secret_key;    /* aws_secret_access_key */
    aws_setting session_token; /* aws_session_token */
    aws_setting region;
    aws_setting endpoint_url;
    aws_setting ca_bundle;
} aws_profile;

/* Reads profile `name` from the config file (`[default]`, `[profile name]`)
 * and the credentials file (`[name]`); either path may be NULL, and a file
 * that does not exist counts as empty. The credentials file wins key by key.
 * *out is always initialised (free it with ecrc_aws_profile_free). Returns
 * ECR_OK (out->found says whether the profile exists); ECR_EPARSE when a line
 * of either file is malformed, ECR_ETOOBIG for a file or line over its bound,
 * ECR_EIO for an unreadable file (each with a `file:line: message` or
 * `file: message` diagnostic in diags); ECR_EINVAL for an empty name;
 * ECR_ENOMEM. */
ecr_result ecrc_aws_profile_load(const char *name, const char *config_path,
                                 const char *credentials_path, aws_profile *out, diag_list *diags);

/* Frees (and wipes) what p owns; p may be NULL. */
void ecrc_aws_profile_free(aws_profile *p);

/* ---- Where credentials, region and endpoint come from (run/resolve.c) ---- */

/* What the command line says; NULL members are "not given". */
typedef struct aws_resolve_input {
    const char *profile;   /* --profile */
    const char *region;    /* --region */
    const char *endpoint;  /* --endpoint: an http(s) URL, or "aws" for real ECR */
    const char *ca_bundle; /* --ca-bundle */
    /* Environment lookup; NULL means getenv. Lets tests use a fake one. */
    const char *(*getenv_fn)(const char *name, void *ud);
    void *getenv_ud;
} aws_resolve_input;

typedef struct aws_resolved {
    aws_credentials creds; /* keys and region to sign with */
    int builtin;           /* 1: no endpoint anywhere: run the built-in emulator */
    char *endpoint;        /* owned URL; NULL when builtin */
    char *ca_bundle;       /* owned path, or NULL */
    char *profile;         /* owned name of the profile consulted ("default" when none named) */
    /* owned, for the run's header: where each value came from, e.g.
     * "--endpoint", "AWS_ENDPOINT_URL_ECR", "profile 'ci' in /home/u/.aws/config:3" */
    char *endpoint_from;
    char *region_from;
    char *creds_from;
    char *ca_bundle_from; /* NULL with ca_bundle */
} aws_resolved;

/* Resolves credentials, region, endpoint and CA bundle as the AWS CLI does:
 *  credentials: --profile; else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *    (+ AWS_SESSION_TOKEN); else the profile AWS_PROFILE or "default";
 *    else, for the built-in emulator only, the documented test keys;
 *  region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
 *    else us-east-1 (except for real AWS, where it is an error);
 *  endpoint: --endpoint, AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL, the
 *    profile's endpoint_url (the last three skipped when
 *    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true"), else the built-in
 *    emulator; "aws" means https://api.ecr.<region>.amazonaws.com;
 *  CA bundle: --ca-bundle, AWS_CA_BUNDLE, the profile's ca_bundle,
 *    SSL_CERT_FILE.
 * The files are AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else
 * $HOME/.aws/config and $HOME/.aws/credentials (a leading "~/" is $HOME).
 * Returns ECR_OK with *out filled (free with ecrc_aws_resolved_free), or
 * ECR_EINVAL / ECR_ENOTFOUND / ECR_EPARSE / ECR_ETOOBIG / ECR_EIO with at
 * least one diagnostic in diags saying what is wrong and where (a partial
 * set of credential variables, a named profile that does not exist, no
 * credentials for a non-built-in endpoint, a bad URL or file line); or
 * ECR_ENOMEM. *out is always initialised. */
ecr_result ecrc_aws_resolve(const aws_resolve_input *in, aws_resolved *out, diag_list *diags);

/* Frees what r owns (wiping the credentials); r may be NULL. */
void ecrc_aws_resolved_free(aws_resolved *r);

/* Writes the run header's provenance lines to f: the endpoint URL (or the
 * built-in emulator's, `builtin_url`, may be NULL), region, redacted access
 * key (and whether a session token is used), CA bundle, each with where it
 * came from; with insecure, a warning that TLS is not verified. Cannot fail. */
void ecrc_aws_resolved_print(const aws_resolved *r, const char *builtin_url, int insecure, FILE *f);

/* Writes into out (outsz >= 16) the access key as it may be shown: its
 * first 4 and last 4 characters around "...", or "****" when the key is
 * shorter than 12 characters (then too little would stay hidden). */
void ecrc_aws_redact_key(const char *key, char *out, size_t outsz);

/* ---- The target under test (run/target.c) ---- */

/* Every field is filled with a checked copy (ecr_copy_str): a value longer
 * than its field is refused with an error naming it, never cut. */
typedef struct target_info {
    char name[128];     /* label for reports: "built-in", "moto", ... */
    char endpoint[512]; /* URL */
    char account[32];   /* the caller's account id (${account}) */
    char region[64];    /* signing region (${region}) */
    int fault_injection;
    int strict_auth;
    int layer_api; /* the layer upload API works (ecrc_target_probe_layers) */
    /* Without the layer API: what the probe saw ("BatchCheckLayerAvailability
     * answered HTTP 500"); fixture images are then pushed manifest-only.
     * "" otherwise. */
    char layer_note[256];
} target_info;

/* Probes the target through c and fills the capability flags of t (name,
 * endpoint, account and region must already be set; a probe answer naming an
 * account/region overrides them). Targets without the control interface are
 * assumed to verify signatures (real ECR does) unless `no_strict_auth`.
 * Returns ECR_OK when the target answered anything, else the transport
 * error (ECR_ECONNECT, ECR_ETIMEOUT, ...) with curl's text in err, or
 * ECR_ETOOBIG when the answer names an account or region longer than its
 * field (err names the member; nothing is cut). */
ecr_result ecrc_target_probe(aws_client *c, target_info *t, int no_strict_auth, char *err,
                             size_t errsz);

/* Finds out once per run whether the target implements the layer upload API
 * (capability "layer-api"), which fixtures need to push complete images:
 * BatchCheckLayerAvailability, then InitiateLayerUpload, each sent once
 * (never retried: a target without the API answers 500, and retries would
 * only add backoff) for repository `repo`, which must not exist (real ECR
 * then answers RepositoryNotFoundException and nothing is created). An
 * answer with HTTP status >= 500 or an error type saying the operation is
 * unknown or unsupported means "no layer API": t->layer_api = 0 and
 * t->layer_note says what was seen; any other answer, or none (the run
 * reports an unreachable target anyway), sets t->layer_api = 1. Cannot
 * fail. */
void ecrc_target_probe_layers(aws_client *c, target_info *t, const char *repo);

/* Learns the caller's account id from the target itself, for targets whose
 * control interface did not name it: the registryId of DescribeRegistry,
 * else the registryId CreateRepository returns for a throw-away repository
 * (deleted again at once; its name is `prefix` + "-account"). Writes it into
 * t->account and returns ECR_OK; otherwise returns ECR_ENOTFOUND (or a
 * transport error) with both answers summarised in err, leaving t->account
 * alone. */
ecr_result ecrc_target_learn_account(aws_client *c, target_info *t, const char *prefix, char *err,
                                     size_t errsz);

/* ---- The report model (report/report.c) ---- */

typedef enum case_status {
    ECRC_CASE_PASS = 0,
    ECRC_CASE_FAIL,
    ECRC_CASE_ERROR,
    ECRC_CASE_SKIP,
    ECRC_CASE_FLAKY /* failed, then passed on a retry (--retries): never a plain pass */
} case_status;

#define ECRC_CASE_NSTATUS 5

/* "pass", "fail", "error", "skip", "flaky"; "unknown" for a value out of range. */
const char *ecrc_case_status_name(case_status s);

/* Parses a status name (exact, lower case). Returns 0 and sets *out, or -1
 * when name is NULL or not one of the four. */
int ecrc_case_status_parse(const char *name, case_status *out);

/* The answer a target gave to one open question ($anyOf, docs/CASES.md). */
typedef struct step_answer {
    char *question; /* "oq-..." */
    char *answer;   /* the matching alternative's answer, or "none (closest: X)" */
    int matched;    /* 1 when an alternative matched */
} step_answer;

typedef struct step_report {
    char *name;
    char *operation;
    char *level;    /* golden provenance "C"/"D"/"I"/"E" */
    char *request;  /* "POST / ...headers...\n\nbody", redacted; may be NULL */
    char *response; /* "HTTP 200\nheaders\n\nbody"; may be NULL */
    char **diff;    /* lines "path: expected X, got Y" */
    size_t ndiff;
    int passed;
    char *golden; /* the golden file's path; may be NULL */
    /* The request as a curl command that sends it by hand (run/curlcmd.h:
     * credentials from the shell's environment, never inline); NULL when
     * the request could not be built. Kept in report.json for failing steps. */
    char *reproduce;
    /* The actual response of a failing step in golden form (a json-c object,
     * owned by the model; NULL when the step passed or never got an answer).
     * Built by the runner, written to a file by ecrc_actuals_write_case; not
     * kept in report.json. */
    struct json_object *actual_doc;
    char *actual;        /* the path actual_doc was written to (ecrc_actuals_write_case); or NULL */
    int open;            /* 1: the golden holds an open question: an "open" expectation */
    int golden_passed;   /* 1: the golden's own expectation held (passed also needs the headers) */
    int settled_failed;  /* open golden: a fact every answer shares failed (counts at its level) */
    int headers_checked; /* 1: the default header check ran (a second expectation, level C) */
    int headers_passed;  /* 1: Content-Type and x-amzn-RequestId were what ECR sends */
    step_answer *answers; /* answers the target gave to the golden's open questions */
    size_t nanswers;
} step_report;

typedef struct case_report {
    char *id;
    char *file;
    char *summary;
    case_status status;
    char *reason; /* why error/skip/fail (one line); NULL for pass */
    char **covers;
    size_t ncovers;
    char *level; /* weakest provenance among the case's goldens: "C".."E"; NULL: unknown */
    double duration_ms;
    step_report *steps;
    size_t nsteps;
    int baseline_expected; /* 1: listed in the baseline as an expected failure */
    char *baseline_reason; /* the baseline's reason, or NULL */
    int transport_error;   /* 1: the error was the target not answering (not kept in report.json) */
} case_report;

typedef struct run_report {
    char *target;          /* label: "built-in", "moto", ... */
    char *endpoint;        /* URL */
    char *harness_version; /* ECRCONFORM_VERSION */
    char *started_at;      /* ISO 8601 UTC */
    double duration_ms;
    int insecure;    /* 1: TLS certificates were not verified (--insecure) */
    int allow_flaky; /* 1: run --allow-flaky: flaky cases do not fail the gate */
    /* Why fixture images were pushed manifest-only (the target has no layer
     * API, target_info.layer_note); NULL when their blobs were uploaded. */
    char *manifest_only;
    case_report *cases; /* in case-id order */
    size_t ncases;
    /* Baseline bookkeeping (filled by ecrc_baseline_apply; NULL/0 otherwise). */
    char *baseline_file;
    char **fixed; /* baseline entries that now pass */
    size_t nfixed;
    char **regressions; /* failures not in the baseline */
    size_t nregressions;
} run_report;

typedef struct report_summary {
    size_t total, passed, failed, errored, skipped;
    /* Expectations (step goldens) of non-skipped cases, by provenance level:
     * C or D, and I or E. A case without steps counts once at its own level. */
    size_t cd_total, cd_passed;
    size_t ie_total, ie_passed;
    /* Open expectations (a golden holding a $anyOf) count here, in neither
     * level: the target may give any listed answer. */
    size_t open_total, open_passed;
    /* The default header checks (also counted in cd_*): steps checked, and
     * how many answered with ECR's Content-Type and a UUID request id. */
    size_t headers_total, headers_passed;
    size_t flaky;    /* failed, then passed on a retry: counted apart, not in passed */
    double score;    /* passed / (total - skipped), 0 when nothing ran */
    size_t expected; /* fail/error cases the baseline expects (still counted as failed/errored) */
} report_summary;

/* Computes the summary. A case with no level (NULL or not C/D/I/E) counts in
 * the totals but in neither level. Cannot fail; r may hold zero cases. */
void ecrc_report_summarize(const run_report *r, report_summary *s);

/* Writes report.json, junit.xml, report.html and summary.md into dir,
 * creating dir (and its parents) when missing. Returns the first failure
 * (after trying all four); ECR_EIO when dir cannot be created. */
ecr_result ecrc_report_write_all(const run_report *r, const char *dir);

/* Reads a report.json written by ecrc_report_write_json back into a model (for
 * `compare` and `baseline`). Returns NULL and sets *err (static text) when the
 * file is unreadable, larger than ECRC_REPORT_READ_MAX, not JSON or not a report;
 * never crashes on garbage. Steps' actual_doc is not read (NULL). The
 * caller frees the result with ecrc_report_free. err may be NULL. */
#define ECRC_REPORT_READ_MAX (256u * 1024u * 1024u)

run_report *ecrc_report_read_json(const char *path, const char **err);

/* Frees what c holds (not c) and zeroes it; c may be NULL. */
void ecrc_case_report_clear(case_report *c);

/* Frees everything; r may be NULL. Also usable on a partially built model as
 * long as unused members are zero (calloc). */
void ecrc_report_free(run_report *r);

/* ---- Reproducing a case by hand (run/reproduce.c) ---- */

/* A case's fixture on a target, kept for a person to replay its steps with
 * curl (`ecrconform reproduce`). */
typedef struct ecrc_repro ecrc_repro;

/* A reproduction of case c (borrowed, as are t, creds and tr; all must
 * outlive it) in run run_id: the fixture's repositories are named
 * "ecrc-<run_id>/<case>/<name>", so the same run id finds them again for a
 * later clean-up. run_id NULL: a new random one; else 8 lower-case hex
 * digits. Returns NULL when run_id is malformed (ECR_EINVAL in *rc) or memory
 * ran out (ECR_ENOMEM). Free with ecrc_repro_free. */
ecrc_repro *ecrc_repro_new(const case_def *c, const target_info *t, const aws_credentials *creds,
                           const aws_transport *tr, long timeout_ms, const char *run_id,
                           ecr_result *rc);

/* The run id (8 hex digits). Borrowed. */
const char *ecrc_repro_run_id(const ecrc_repro *r);

/* The case's id. Borrowed. */
const char *ecrc_repro_case_id(const ecrc_repro *r);

/* Computes the variables and builds the fixture (repositories, images,
 * faults). Returns ECR_OK, or the failure with a message in err; the
 * fixture may then be half built (ecrc_repro_teardown removes it). */
ecr_result ecrc_repro_build(ecrc_repro *r, char *err, size_t errsz);

/* Step i's name and its request as a curl command (run/curlcmd.h),
 * variables expanded with the fixture (call ecrc_repro_build first).
 * Returns a new string (the caller frees it), or NULL with the reason in err
 * (a variable that cannot be expanded, memory). *name (may be NULL) is
 * borrowed. i < ecrc_repro_nsteps. */
size_t ecrc_repro_nsteps(const ecrc_repro *r);
char *ecrc_repro_command(ecrc_repro *r, size_t i, const char **name, char *err, size_t errsz);

/* Clears the faults and force-deletes the fixture's repositories (also
 * when it was built by another process with the same run id). Returns
 * ECR_OK, or the first failure with a message in err. */
ecr_result ecrc_repro_teardown(ecrc_repro *r, char *err, size_t errsz);

/* Frees r (not the fixture on the target); r may be NULL. */
void ecrc_repro_free(ecrc_repro *r);

/* ---- Replaying the goldens (run/replay.c, docs/REPLAY.md) ---- */

/* The cases of a loaded set, ready to answer their steps' requests from
 * their goldens (`ecrconform replay`). */
typedef struct ecrc_replay ecrc_replay;
struct loaded_set; /* below (load/loadset.c) */

/* A replay of the valid cases of set (borrowed: it must outlive the
 * replay). account (12 digits; NULL: ECR_TEST_ACCOUNT) and region (NULL:
 * ECR_TEST_REGION; a request's SigV4 credential scope names its own) bind
 * ${account} and ${region}. Every step's answer is made once here, with
 * placeholder repository names: a case whose golden cannot be answered (a
 * $regex the instance generator does not model, an instance the golden
 * would not accept) is added to diags as `golden: field: message` and left
 * out; the other cases are served. answers[0..nanswers) are
 * "QUESTION=ANSWER" strings (`replay --open-answer`, checked first with
 * ecrc_replay_check_answers): an open question they name is answered with
 * that alternative instead of the first listed. Returns NULL only when
 * memory runs out. Free with ecrc_replay_free. */
ecrc_replay *ecrc_replay_new(const struct loaded_set *set, const char *account, const char *region,
                             const char *const *answers, size_t nanswers, diag_list *diags);

/* Checks each "QUESTION=ANSWER" of answers[0..n) against the open questions
 * ($anyOf with a question, at the top of a golden or inside its body or
 * message) of the valid cases of set: the question must be asked by a
 * loaded golden and ANSWER be one of its alternatives. Each problem is added
 * to diags (file "--open-answer") naming the question and the alternatives
 * there are. Returns the number of problems (0: all usable). */
size_t ecrc_replay_check_answers(const struct loaded_set *set, const char *const *answers, size_t n,
                                 diag_list *diags);

/* How many cases r serves. Cannot fail. */
size_t ecrc_replay_ncases(const ecrc_replay *r);

/* Answers one request (the signature of ecremu_intercept_fn, so the CLI
 * can hand it to the emulator's server; user is the ecrc_replay). A POST /
 * whose operation, body, auth and raw headers are those of a loaded case's
 * step (variables bound from the request's repository name) gets the step's
 * golden: returns 1 with out filled. The fixture, teardown and probe
 * operations (CreateRepository, DeleteRepository, PutImage, the layer
 * upload operations, DescribeRegistry) that match no step, every other path
 * and the control interface (but its capabilities, which replay answers)
 * return 0: the emulator's model answers them. Any other request gets HTTP
 * 400 EcrconformReplayNoMatch naming the closest case and step and what
 * differs (returns 1). Thread-safe (one lock). */
int ecrc_replay_answer(void *user, const ecr_http_request *rq, ecr_http_reply *out);

/* Requests answered so far: from goldens, refused as unmatched. */
void ecrc_replay_counts(ecrc_replay *r, unsigned long *answered, unsigned long *nomatch);

/* Frees r; r may be NULL. */
void ecrc_replay_free(ecrc_replay *r);

/* ---- Merging shards (report/merge.c) ---- */

/* One report from the reports of several shards of a run (`ecrconform
 * merge`): every case of every input, in corpus order (by case file, then
 * id), the header of the first input (earliest start, longest duration,
 * insecure when any was), and the baseline bookkeeping of all of them
 * (regressions and fixed entries: the union). Takes the cases out of
 * inputs[] (each input keeps its header; free them with ecrc_report_free as
 * usual). names[i] names inputs[i] in diagnostics. Returns NULL when the
 * inputs do not belong together (different targets, a case id in two of
 * them, baselines from different files), each problem added to diags as
 * `name: field: message`, or when memory ran out (nothing added). n >= 1. */
run_report *ecrc_report_merge(run_report *const *inputs, const char *const *names, size_t n,
                              diag_list *diags);

/* ---- Recorded actual responses (report/actuals.c) ---- */

/* The file that marks <report_dir>/actual as ecrconform's, and its one line.
 * Only a directory carrying it is ever emptied. */
#define ECRC_ACTUAL_MARKER ".ecrconform-actual"
#define ECRC_ACTUAL_MARKER_TEXT                                                                    \
    "ecrconform: recorded actual responses; every run empties this directory\n"

typedef struct ecrc_actuals {
    char *dir;  /* <report_dir>/actual (owned) */
    int usable; /* 1: responses may be recorded in dir */
    int ready;  /* 1: dir exists and carries the marker (made by the first write) */
} ecrc_actuals;

/* Prepares <report_dir>/actual for a run, so that no response recorded by
 * an earlier run can be taken for this run's:
 *  - absent: usable; the first ecrc_actuals_write_case creates it with its
 *    marker (and report_dir with ecr_mkdir_p);
 *  - a directory (not a symbolic link) holding ECRC_ACTUAL_MARKER with
 *    ECRC_ACTUAL_MARKER_TEXT: everything in it is deleted, itself included,
 *    never following a symbolic link nor crossing a mount point; usable;
 *  - anything else (a directory without the marker, a symbolic link, a
 *    file): left untouched, and nothing is ever written into it.
 * Returns ECR_OK when usable; ECR_EINVAL when it is not ours; ECR_EIO when it
 * cannot be inspected or emptied; ECR_ENOMEM. On every failure *why (when why
 * is non-NULL; *why must be NULL on entry) is a new message naming the path
 * (the caller frees it; NULL when memory ran out) and a
 * stays valid but unusable (writes do nothing). Free a with
 * ecrc_actuals_close. */
ecr_result ecrc_actuals_open(ecrc_actuals *a, const char *report_dir, char **why);

/* Writes the actual_doc of every step of cr that has one to
 * <dir>/<case id>/<step>.json and sets that step's `actual` to the path. Does
 * nothing (ECR_OK) when a is not usable. A case id or step name that is not a
 * plain file name is refused (ECR_EINVAL). Returns the first failure
 * (ECR_EIO, ECR_EINVAL, ECR_ENOMEM) with *why naming the file (as for
 * ecrc_actuals_open); the other steps are still written. */
ecr_result ecrc_actuals_write_case(ecrc_actuals *a, case_report *cr, char **why);

/* Frees what a holds (not the files); a may be NULL. */
void ecrc_actuals_close(ecrc_actuals *a);

/* ---- Running (run/runner.c) ---- */

/* One entry of a run: a loaded case, or a file that failed to load. */
typedef struct run_entry {
    case_def *c;         /* borrowed; NULL when the file is invalid */
    const char *path;    /* the case file */
    const char *invalid; /* the first diagnostic, when c is NULL */
} run_entry;

/* Where a run stands when a case has finished (ecrc_case_done_fn). */
typedef struct runner_progress {
    size_t done;                      /* cases finished, the one just reported included */
    size_t total;                     /* cases in the run */
    size_t counts[ECRC_CASE_NSTATUS]; /* finished cases by case_status */
    size_t index;                     /* the finished case's position in the entries (and report) */
} runner_progress;

/* Called once per case as soon as it has finished, with the case's report
 * (complete: status, reason, steps, actual_doc; cr->actual still NULL) and
 * the progress counts. It is called from the worker thread that ran the case
 * (or from the thread that called ecrc_runner_run when no worker could
 * start), with the runner's lock held: calls are serialised, never
 * concurrent, and see `done` grow by one each time. It must not call the
 * runner, and should be quick (the other workers wait for the lock to hand
 * out the next case). cr belongs to the report being built; the callback may
 * fill what only the caller knows (ecrc_actuals_write_case records the files
 * it wrote in cr->steps[].actual) but must not free anything of it. */
typedef void (*ecrc_case_done_fn)(void *user, case_report *cr, const runner_progress *p);

typedef struct runner_options {
    const target_info *target;
    aws_credentials creds;
    int jobs;                       /* >= 1 */
    long timeout_ms;                /* per request */
    ecrc_case_done_fn on_case_done; /* NULL: no callback */
    void *user;                     /* passed to on_case_done */
    aws_transport transport;        /* for every client (its limiter is ignored: see max_rps) */
    double max_rps;    /* > 0: the whole run sends at most this many requests a second */
    long deadline_ms;  /* > 0: the whole run ends after this long (cases not started by then are
                          `error`, "not run") */
    double started_ms; /* CLOCK_MONOTONIC ms the run began (its probe included), from which
                          deadline_ms counts; 0: when ecrc_runner_run starts */
    int breaker;       /* > 0: after this many consecutive cases failed to reach the target,
                          the remaining ones are `error`, "not run", with the cause */
    const struct ecrc_live *live; /* live rules (docs/LIVE.md); NULL: none */
    volatile sig_atomic_t *stop;  /* non-zero (a signal): no new case or step starts; NULL: never */
    int retries; /* --retries: a failing or erroring case runs again (a fresh fixture) up
                    to this many times; passing on a retry makes it ECRC_CASE_FLAKY */
} runner_options;

/* Runs every entry (invalid ones become `error` cases) and returns a new
 * report (cases in entry order; the caller frees with ecrc_report_free), or NULL on
 * allocation failure. Stops early only at opt->deadline_ms or opt->breaker:
 * the cases not started then are `error` naming the cause; otherwise a case
 * that errors does not stop the others. Transport failures make the affected
 * case `error`. The runner
 * neither prints nor touches a file: the caller gets every case through
 * opt->on_case_done and the whole run in the returned report. */
run_report *ecrc_runner_run(const runner_options *opt, const run_entry *entries, size_t n);

/* Builds the report of a run that could not start because the target did
 * not answer: every entry is an `error` case whose reason names the endpoint
 * and cause (invalid files keep their own reason), so report.json and
 * junit.xml exist for CI even then. Returns a new report (free with
 * ecrc_report_free) or NULL when memory runs out. */
run_report *ecrc_runner_unreachable(const runner_options *opt, const run_entry *entries, size_t n,
                                    const char *cause);

/* ---- Live rules (run/liverules.c, run/journal.c, run/cleanup.c; docs/LIVE.md) ---- */

/* The tag every repository created under live rules carries; its value is
 * the run id. */
#define ECRC_LIVE_TAG_KEY "ecrconform-run"
/* The journal's file name in the report directory. */
#define ECRC_LIVE_JOURNAL "live-journal.jsonl"

typedef struct ecrc_live ecrc_live;
typedef struct ecrc_journal ecrc_journal;

/* 1 when url's host is loopback written literally (localhost, 127.0.0.0/8
 * as four decimal octets, [::1]); 0 for anything else, including names that
 * would need a lookup. Looks nothing up. */
int ecrc_live_endpoint_is_loopback(const char *url);

/* Checks a request body (len bytes; JSON or not: raw bodies too) before it
 * is sent under live rules: every string under a key containing "repositor"
 * and every ARN's repository part must carry the run prefix "ecrc-<run_id>/"
 * or be a name ECR would refuse (so it names nobody's repository). Returns
 * ECR_OK, or ECR_EINVAL with the refusal, naming the repository, in err. */
ecr_result ecrc_live_check_request(const char *body, size_t len, const char *run_id, char *err,
                                   size_t errsz);

/* New live-rules context journalling into journal (borrowed; may be NULL).
 * Returns NULL when memory runs out. Free with ecrc_live_free. */
ecrc_live *ecrc_live_new(ecrc_journal *journal);
void ecrc_live_free(ecrc_live *live);

/* Opens (creating it and its directory, appending) the journal at path,
 * recording endpoint and region on every line. Returns a new journal (close
 * with ecrc_journal_close) or NULL with the reason in err. */
ecrc_journal *ecrc_journal_open(const char *path, const char *endpoint, const char *region,
                                char *err, size_t errsz);
const char *ecrc_journal_path(const ecrc_journal *j);
void ecrc_journal_close(ecrc_journal *j);

typedef struct ecrc_cleanup_opts {
    const char *journal;                       /* the journal file */
    const char *endpoint;                      /* recorded in the journal's "deleted" lines */
    aws_client *client;                        /* borrowed */
    void (*say)(void *user, const char *line); /* one line per repository; NULL: silent */
    void *user;
} ecrc_cleanup_opts;

typedef struct ecrc_cleanup_stats {
    size_t journalled; /* distinct repositories in the journal */
    size_t deleted;    /* journalled, tagged, deleted now */
    size_t gone;       /* journalled but no longer there */
    size_t kept;       /* journalled but without the harness tag or run prefix: left alone */
    size_t failed;     /* could not be checked or deleted */
    size_t bad_lines;  /* unreadable journal lines (a crash may cut the last one) */
} ecrc_cleanup_stats;

/* Deletes every repository the journal records as created and not yet
 * deleted, when it carries the run prefix AND the harness tag with its run
 * id (DescribeRepositories, ListTagsForResource, DeleteRepository force);
 * appends a "deleted" line for each one gone. Returns ECR_OK (per-repository
 * failures are counted in st, not returned), or ECR_EIO / ECR_ENOMEM with
 * the reason in err when the journal cannot be read or appended to. */
ecr_result ecrc_cleanup_run(const ecrc_cleanup_opts *o, ecrc_cleanup_stats *st, char *err,
                            size_t errsz);

/* Learns the account id under live rules: DescribeRegistry only (no
 * throw-away repository, no control interface). ECR_OK with t->account set,
 * else an error summarised in err. */
ecr_result ecrc_live_learn_account(aws_client *c, target_info *t, char *err, size_t errsz);

/* ---- Recording goldens and differential runs (report/record.c) ---- */

typedef struct ecrc_record_opts {
    const target_info *target; /* endpoint, region, account of the recorded run */
    int forced;                /* 1: --force on an emulator: level E, never C */
    const char *date;          /* "YYYY-MM-DD", for the provenance notes */
    FILE *out;                 /* the diff of every golden written, and problems */
} ecrc_record_opts;

typedef struct ecrc_record_stats {
    size_t written, unchanged, skipped, failed;
} ecrc_record_stats;

/* For every step of rep (entries parallel to rep->cases) whose golden did not
 * hold, or held only as an open question: the observed answer, normalised,
 * replaces the golden (provenance level C, or E when forced; the old
 * sources kept; endpoint, region, date and version in the notes), written
 * atomically only when its expectation differs from the file's; a line diff
 * of each one goes to o->out. Skipped and errored cases are left alone.
 * Returns ECR_OK (per-golden problems are counted in st->failed). */
ecr_result ecrc_record_goldens(const run_report *rep, const run_entry *entries, size_t n,
                               const ecrc_record_opts *o, ecrc_record_stats *st);

/* The observed answer of step report sr of case c in golden form
 * ({"status", "body"} or {"status", "error": {"type", "message"}}),
 * normalised as record.h says (o->target gives account and region). A new
 * object, or NULL when sr holds no response. */
struct json_object *ecrc_record_observed(const case_def *c, const step_report *sr,
                                         const ecrc_record_opts *o);

typedef struct ecrc_diff_stats {
    size_t compared;     /* steps both targets answered */
    size_t differ;       /* of those, with different normalised answers */
    size_t not_compared; /* steps one of them never answered (skipped, errored, refused) */
} ecrc_diff_stats;

/* `ecrconform diff`: for every step both reports (runs of entries against two
 * targets, oa and ob their targets) hold an answer to, compares the two
 * answers normalised as ecrc_record_observed does, and writes "DIFF
 * <case>/<step>" and one "    <path>: A <a> | B <b>" line per difference to
 * oa->out. No golden is involved. Returns ECR_OK. */
ecr_result ecrc_diff_reports(const run_report *ra, const run_report *rb, const run_entry *entries,
                             size_t n, const ecrc_record_opts *oa, const ecrc_record_opts *ob,
                             ecrc_diff_stats *st);

/* Whether the target identifies itself as an emulator: the built-in one
 * answers the control capability probe (a read-only GET); moto and LocalStack
 * give themselves away in headers (Server: Werkzeug / moto, x-localstack-*,
 * moto's non-UUID request id). Returns 1 with the tell in what, 0 when none
 * was seen, -1 when the target did not answer (what says why). */
int ecrc_live_emulator_tell(aws_client *c, char *what, size_t whatsz);

/* ---- Loading cases (load/loadset.c) ---- */

typedef struct loaded_set {
    char **paths;       /* every case file found (owned) */
    run_entry *entries; /* the files the walk refused (invalid), then one per kept path, in
                           path order */
    case_def **cases;   /* owned, parallel to entries (NULL when invalid) */
    char **invalid;     /* owned first diagnostic of each invalid entry, or NULL */
    size_t n;
    size_t ninvalid; /* entries whose file did not load */
} loaded_set;

/* Loads every case under paths (default "cases" when npaths is 0). When
 * filter is non-NULL only cases whose id (or, for invalid files, file stem)
 * matches it are kept: a glob (fnmatch) when it has * ? or [, else a
 * substring. golden_dir NULL means "golden/ beside each case's cases/".
 * All diagnostics go to diags. Returns 0, or -1 on allocation failure. */
int ecrc_load_cases(const char *const *paths, size_t npaths, const char *filter,
                    const char *golden_dir, loaded_set *out, diag_list *diags);

/* Adds a diagnostic for every golden file under root/<case>/ that no step of
 * any case in set uses (a typo in a step name would otherwise leave a golden
 * silently ignored). Returns how many were found; an unreadable root is 0. */
size_t ecrc_loaded_set_orphans(const char *root, const loaded_set *set, diag_list *diags);

/* The number of goldens (steps) of the valid cases of set. Cannot fail. */
size_t ecrc_loaded_set_goldens(const loaded_set *set);

/* Frees the set; s may be NULL. */
void ecrc_loaded_set_free(loaded_set *s);

/* As ecrc_load_cases, with any number of filters: a case is kept when its id
 * (or, for an invalid file, its file stem) matches at least one of them
 * (ecrc_id_matches); nfilters 0 keeps every case. */
int ecrc_load_cases_filtered(const char *const *paths, size_t npaths, const char *const *filters,
                             size_t nfilters, const char *golden_dir, loaded_set *out,
                             diag_list *diags);

/* ---- Selection (load/select.c) ---- */

/* What a run keeps of the loaded cases, beyond the id filters the loader
 * applies: every condition set must hold. */
typedef struct ecrc_selection {
    const char *const *covers; /* --covers: a covers label (a glob with * ? [) any must match */
    size_t ncovers;
    char levels[8]; /* --level: a golden of the case is at one of these levels; "" any */
    char **rerun;   /* --rerun-failed: ids to keep (owned; ecrc_selection_load_rerun) */
    size_t nrerun;
    int rerun_set;    /* 1: --rerun-failed was given (rerun may then be empty) */
    unsigned shard;   /* --shard K/N: 1..nshards; 0 when not sharding */
    unsigned nshards; /* N */
} ecrc_selection;

/* (load/loadset.c) 1 when id matches any of filters[0..n): a glob (fnmatch) when the filter
 * has * ? or [, else a substring; 1 when n is 0. Cannot fail. */
int ecrc_id_matches(const char *id, const char *const *filters, size_t n);

/* The shard (1..nshards) case id belongs to: FNV-1a of the id modulo nshards,
 * so a case stays in its shard however the corpus grows. nshards 0 or 1: 1. */
unsigned ecrc_shard_of(const char *id, unsigned nshards);

/* Adds to sel->rerun the id of every fail or error case of the
 * report.json at path (sets rerun_set). Returns ECR_OK, ECR_ENOMEM, or
 * ECR_EPARSE with *err (static text) when the report cannot be read. */
ecr_result ecrc_selection_load_rerun(ecrc_selection *sel, const char *path, const char **err);

/* Drops from set every entry sel does not keep, freeing what it owned; kept
 * entries stay in order. An invalid entry (no case loaded) is judged by its
 * file stem for --rerun-failed and --shard, and kept whatever --covers and
 * --level say (its problem must still be seen). Cannot fail. */
void ecrc_selection_apply(const ecrc_selection *sel, loaded_set *set);

/* Frees what sel owns (the rerun ids); sel may be NULL. */
void ecrc_selection_free(ecrc_selection *sel);

/* ---- Baselines (report/baseline.c) ---- */

typedef struct baseline_entry {
    char *id;
    char *reason;
    case_status status; /* ECRC_CASE_FAIL (default) or ECRC_CASE_ERROR: the status expected */
} baseline_entry;

typedef struct baseline {
    char *path;        /* the file it was loaded from */
    char *target;      /* "moto-5.2.1" */
    char *description; /* NULL when absent */
    baseline_entry *entries;
    size_t n;
} baseline;

/* Loads and validates the baseline at path: a JSON object with a non-empty
 * string "target", an optional string "description" and an array
 * "expected_failures" whose entries are objects with a non-empty string "id"
 * and a non-empty string "reason", no id listed twice, and no other members
 * anywhere (a misspelt key is an error, not a silent no-op). Every problem is
 * added to diags as `path: field: message`. Returns NULL when anything was
 * wrong (at least one diagnostic added) or memory ran out; the caller frees
 * the result with ecrc_baseline_free. */
baseline *ecrc_baseline_load(const char *path, diag_list *diags);

/* Frees b; b may be NULL. */
void ecrc_baseline_free(baseline *b);

/* The entry of b listing id, or NULL (b or id NULL, or not listed). Borrowed
 * from b. Cannot fail. */
const baseline_entry *ecrc_baseline_find(const baseline *b, const char *id);

/* Applies b to r (idempotent: earlier marks are cleared first):
 *  - every fail/error case listed in b gets baseline_expected = 1 and a copy
 *    of the entry's reason in baseline_reason;
 *  - r->fixed lists the entries whose case now passes (in baseline order);
 *  - r->regressions lists the fail/error cases not in b (in report order);
 *  - r->baseline_file is a copy of b->path.
 * Entries whose case is skipped or absent from r are neither fixed nor
 * regressions (the run may have been filtered). The target names are not
 * compared: choosing the file is the caller's business. Returns ECR_ENOMEM
 * (r may then be partly marked; ecrc_report_free still frees it) or ECR_OK. */
ecr_result ecrc_baseline_apply(const baseline *b, run_report *r);

/* Writes a baseline listing every fail/error case of r, in report order,
 * with reason "TODO: confirm: " + the case's first diff line or reason
 * (ecrc_report_case_headline), or + default_reason when the case has neither.
 * A case already expected by an applied baseline keeps that baseline's reason
 * instead, so regenerating does not undo human edits. target NULL uses
 * r->target; default_reason NULL uses "no reason recorded". The file is
 * replaced. Returns ECR_EIO when it cannot be written, ECR_ENOMEM, else
 * ECR_OK. */
ecr_result ecrc_baseline_write_from_report(const run_report *r, const char *path,
                                           const char *target, const char *default_reason);

/* ---- The per-case stream of `run --stream-jsonl` (report/report_stream.c) ---- */

typedef struct ecrc_stream ecrc_stream;

/* Opens the stream at path (created or truncated). bl (borrowed, may be NULL; must
 * outlive the stream) gives each line its "baseline" mark. Returns a new
 * stream (close with ecrc_stream_close), or NULL with *why (owned by the
 * caller, may be NULL on out of memory; why may be NULL) naming the file and
 * the cause. */
ecrc_stream *ecrc_stream_open(const char *path, const baseline *bl, char **why);

/* The same on an open file f, which the stream takes over (closed by
 * ecrc_stream_close, also when this fails). Returns NULL when f is NULL or
 * memory ran out. */
ecrc_stream *ecrc_stream_open_fp(FILE *f, const baseline *bl);

/* Writes c as one line of JSON and flushes it: report.json's entry for the
 * case (docs/REPORTS.md) plus "baseline": "expected" | "regression" |
 * "fixed" | null and, when the baseline lists the case,
 * "baseline_entry_reason". Returns ECR_OK, ECR_EIO (write failed) or
 * ECR_ENOMEM; a failure is also kept for ecrc_stream_close. s NULL: no-op. */
ecr_result ecrc_stream_case(ecrc_stream *s, const case_report *c);

/* Closes s. Returns the first error of any write or of the close itself,
 * else ECR_OK. s NULL: ECR_OK. */
ecr_result ecrc_stream_close(ecrc_stream *s);

/* ---- The verdict of a run (report/verdict.c) ---- */

/* What the caller knows about a run beyond its report. */
typedef struct ecrc_verdict_input {
    int invalid_files;   /* case or golden files did not load (the valid cases still ran) */
    int reports_failed;  /* the reports could not be written */
    int baseline_failed; /* a baseline was given but could not be applied */
    int allow_flaky;     /* --allow-flaky: a flaky case does not fail the gate */
} ecrc_verdict_input;

/* The exit code of a run, the one place where it is decided; the first rule
 * that applies wins:
 *  1. r NULL (the run did not happen): ECRC_EXIT_INTERNAL;
 *  2. the reports were written, at least one case ran (was not skipped) and
 *     every case that ran errored because the target did not answer
 *     (transport_error): ECRC_EXIT_UNREACHABLE, since the target went away
 *     after the probe and that is no verdict on its behaviour;
 *  3. reports or baseline failed: ECRC_EXIT_INTERNAL (a partial regression
 *     list must not pass for a clean one);
 *  4. invalid files: ECRC_EXIT_INVALID;
 *  5. a flaky case (unless allow_flaky): ECRC_EXIT_FAIL;
 *  6. a baseline was applied (r->baseline_file): ECRC_EXIT_FAIL when there
 *     are regressions, else ECRC_EXIT_OK;
 *  7. any case failed or errored: ECRC_EXIT_FAIL; else ECRC_EXIT_OK.
 * in NULL means all zero. Cannot fail. */
ecrc_exit ecrc_verdict(const run_report *r, const ecrc_verdict_input *in);

/* ---- The compare matrix (report/matrix.c) ---- */

/* Reads every path with ecrc_report_read_json, then calls ecrc_matrix_write. A report
 * that cannot be read is added to diags as `path: message` and nothing is
 * written: returns ECR_EPARSE. Other results as ecrc_matrix_write. */
ecr_result ecrc_matrix_compare_files(const char *const *paths, size_t n, const char *dir,
                                     diag_list *diags);

#endif
