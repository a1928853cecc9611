/* selection.c: run's selection options (selection.h). */
#include "selection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_selection_init(cli_selection *s)
{
    memset(s, 0, sizeof *s);
    s->sel.covers = s->covers;
}

static int usage_error(const char *name, const char *why, const char *arg)
{
    fprintf(stderr, "ecrconform run: --%s: %s '%s'\n", name, why, arg);
    return ECRC_EXIT_USAGE;
}

int cli_selection_add(cli_selection *s, const char *name, const char *arg)
{
    if (!strcmp(name, "filter")) {
        if (!arg[0])
            return usage_error(name, "an empty pattern matches everything; got", arg);
        if (s->nfilters >= CLI_SELECT_MAX)
            return usage_error(name, "more than 64 patterns; the last was", arg);
        s->filters[s->nfilters++] = arg;
        return 0;
    }
    if (!strcmp(name, "covers")) {
        if (!arg[0])
            return usage_error(name, "expected a label, got", arg);
        if (s->sel.ncovers >= CLI_SELECT_MAX)
            return usage_error(name, "more than 64 labels; the last was", arg);
        s->covers[s->sel.ncovers++] = arg;
        return 0;
    }
    if (!strcmp(name, "level")) {
        if (strlen(arg) != 1 || !strchr("CDIE", arg[0]) || !arg[0])
            return usage_error(name, "expected one of C, D, I, E, got", arg);
        /* Repeatable: any of the levels given. */
        if (!strchr(s->sel.levels, arg[0])) {
            size_t n = strlen(s->sel.levels);
            s->sel.levels[n] = arg[0];
            s->sel.levels[n + 1] = '\0';
        }
        return 0;
    }
    if (!strcmp(name, "rerun-failed")) {
        if (s->rerun_file)
            return usage_error(name, "given twice; the second was", arg);
        s->rerun_file = arg;
        return 0;
    }
    if (!strcmp(name, "shard")) {
        char k[16], n[16];
        const char *slash = strchr(arg, '/');
        long kv, nv;
        if (!slash || (size_t)(slash - arg) >= sizeof k || strlen(slash + 1) >= sizeof n)
            return usage_error(name, "expected K/N (e.g. 2/3), got", arg);
        memcpy(k, arg, (size_t)(slash - arg));
        k[slash - arg] = '\0';
        memcpy(n, slash + 1, strlen(slash + 1) + 1);
        if (cli_parse_int(n, 1, 1000, &nv) || cli_parse_int(k, 1, nv, &kv))
            return usage_error(name, "expected K/N with 1 <= K <= N <= 1000, got", arg);
        s->sel.shard = (unsigned)kv;
        s->sel.nshards = (unsigned)nv;
        return 0;
    }
    return usage_error(name, "unknown selection option", arg);
}

int cli_selection_finish(cli_selection *s)
{
    if (!s->rerun_file)
        return 0;
    const char *err = NULL;
    ecr_result rc = ecrc_selection_load_rerun(&s->sel, s->rerun_file, &err);
    if (rc == ECR_ENOMEM) {
        fprintf(stderr, "ecrconform run: out of memory\n");
        return ECRC_EXIT_USAGE;
    }
    if (rc) {
        fprintf(stderr, "ecrconform run: --rerun-failed: %s: %s\n", s->rerun_file,
                err ? err : "cannot read the report");
        return ECRC_EXIT_USAGE;
    }
    return 0;
}

void cli_selection_free(cli_selection *s)
{
    ecrc_selection_free(&s->sel);
}
