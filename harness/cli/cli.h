/* cli.h: the ecrconform command line: one cmd_<name>.c per subcommand, each
 * parsing argv into its options and calling the core. Nothing here is used by
 * the core or the emulator.
 *
 * Exit codes: enum ecrc_exit in ecrc.h (decided by ecrc_verdict for `run`);
 * CLI_EXIT_CODES_HELP below says the same in words, code by code: keep the
 * two in step (tests/e2e/test_cli.py checks that the help lists every code).
 */
#ifndef ECR_CLI_H
#define ECR_CLI_H

#include <stdio.h>

#include "ecrc.h"

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
int cmd_replay(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_diff(int argc, char **argv);

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

/* The checks of an --account (12 digits) and a --region (a region name, see
 * ecr_is_region_name) argument, shared so that every command words them
 * alike. Return 0, or -1 after printing "<cmd>: --account: expected ...". */
int cli_check_account(const char *arg, const char *cmd);
int cli_check_region(const char *arg, const char *cmd);

/* The arguments of the commands that read reports (`compare`, `merge`):
 * `[-o DIR] REPORT.json...`. Sets *dir when -o is given (leave a default in
 * it). Returns ECRC_EXIT_OK with optind at the first report, -1 when --help
 * was printed (the command exits 0), or ECRC_EXIT_USAGE after printing the
 * usage and what was wrong. */
int cli_parse_reports_args(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
                           const char **dir);

#endif
