/* selection.h: run's selection options (--filter, --covers, --level,
 * --rerun-failed, --shard) parsed into what the loader and ecrc_selection
 * take. Kept apart from cmd_run.c so the run command only forwards them.
 */
#ifndef ECR_SELECTION_H
#define ECR_SELECTION_H

#include <stddef.h>

#include "ecrc.h"

/* How many --filter and --covers values one run takes (each). */
#define CLI_SELECT_MAX 64

typedef struct cli_selection {
    const char *filters[CLI_SELECT_MAX]; /* borrowed from argv */
    size_t nfilters;
    const char *covers[CLI_SELECT_MAX]; /* borrowed from argv */
    ecrc_selection sel;                 /* sel.covers points at covers */
    const char *rerun_file;             /* --rerun-failed REPORT.json */
} cli_selection;

/* Zeroes s. Cannot fail. */
void cli_selection_init(cli_selection *s);

/* The help lines of the options, for `run --help`. */
#define CLI_SELECTION_HELP                                                                         \
    "  --filter PATTERN   only cases whose id matches (a glob with * ? [ ], else a substring);\n"  \
    "                     repeatable: a case matching any of them is kept\n"                       \
    "  --covers LABEL     only cases covering LABEL (e.g. failureCode:ImageNotFound; a glob\n"     \
    "                     with * ? [ ]); repeatable: any of them\n"                                \
    "  --level L          only cases with a golden at level L (C confirmed, D documented,\n"       \
    "                     I inferred, E emulator-only: the levels shown beside each case);\n"      \
    "                     repeatable: any of them\n"                                               \
    "  --rerun-failed REPORT.json  only the cases that failed or errored in that report\n"         \
    "  --shard K/N        only the K-th of N shards (1 <= K <= N <= 1000), split by case id:\n"    \
    "                     the N shards together run every case once (then: ecrconform merge)\n"

/* Takes one option: name is the long option without "--" ("filter",
 * "covers", "level", "rerun-failed", "shard"), arg its value (borrowed; must
 * outlive s). Returns 0, or ECRC_EXIT_USAGE after printing
 * "ecrconform run: --NAME: why" to stderr. */
int cli_selection_add(cli_selection *s, const char *name, const char *arg);

/* Reads --rerun-failed's report (once every option is in). Returns 0, or
 * ECRC_EXIT_USAGE after printing why (the report is named). */
int cli_selection_finish(cli_selection *s);

/* Frees what s owns. */
void cli_selection_free(cli_selection *s);

#endif
