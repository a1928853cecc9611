/* cli.h: the ecrconform command line: one cmd_<name>.c per subcommand, each
 * parsing argv into its options and calling the core. Nothing here is used by
 * the core or the emulator.
 *
 * Exit codes (documented in README.md and every --help):
 */
#ifndef ECR_CLI_H
#define ECR_CLI_H

enum {
    ECRC_EXIT_OK = 0,          /* every case passed (or failed only as the baseline expects) */
    ECRC_EXIT_FAIL = 1,        /* conformance failures: a case failed or errored on the target */
    ECRC_EXIT_USAGE = 2,       /* bad command line */
    ECRC_EXIT_INVALID = 3,     /* invalid case, golden, baseline or report files */
    ECRC_EXIT_UNREACHABLE = 4, /* the target did not answer */
    ECRC_EXIT_INTERNAL =
        5 /* the harness itself failed (reports not written, emulator not started) */
};

#define CLI_EXIT_CODES_HELP                                                                        \
    "Exit codes:\n"                                                                                \
    "  0  every case passed (with --baseline: no failure outside the baseline)\n"                  \
    "  1  conformance failures (a case failed, or errored on the target)\n"                        \
    "  2  usage error\n"                                                                           \
    "  3  invalid case, golden or baseline files (valid cases still run; a bad baseline\n"         \
    "     stops the run before it starts)\n"                                                       \
    "  4  target unreachable\n"                                                                    \
    "  5  internal error (e.g. reports could not be written)\n"

int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* The built-in emulator's answers to open questions, gathered from the
 * environment (ECRCONFORM_OPEN_ANSWERS, "Q=A,Q=A") and --open-answer Q=A
 * options (later ones win). */
#define CLI_OPEN_ANSWERS_MAX 2048
#define CLI_OPEN_ANSWERS_ENV "ECRCONFORM_OPEN_ANSWERS"

/* Starts spec (CLI_OPEN_ANSWERS_MAX bytes) from the environment variable.
 * Returns 0, or -1 after printing "<cmd>: ECRCONFORM_OPEN_ANSWERS: <why>". */
int cli_open_answers_init(char *spec, const char *cmd);

/* Appends one --open-answer argument to spec after checking it. Returns 0,
 * or -1 after printing "<cmd>: --open-answer: <why>". */
int cli_open_answers_add(char *spec, const char *arg, const char *cmd);

/* Parses a decimal integer in [min, max]; returns 0 and sets *out, or -1. */
int cli_parse_int(const char *s, long min, long max, long *out);

#endif
