/* The CUnit runner: `unit_tests [SUITE...]` runs every suite, or only the
 * named ones (names from suites.h, exact; libgit2-style running by name, one
 * ctest entry per suite). An unknown name is an error (exit 2), so a renamed
 * or dropped suite cannot silently run nothing. Exit status: 0 when every
 * test passed, 1 otherwise. */
#define _GNU_SOURCE /* nftw's FTW_DEPTH/FTW_PHYS */
#include <CUnit/Basic.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

const char *src_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", ECRC_SOURCE_DIR, rel);
    return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc <= 1)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;

    static const char *const known[] = {
#define ECRC_NAME(name) #name,
        ECRC_SUITES(ECRC_NAME)
#undef ECRC_NAME
    };
    size_t nknown = sizeof known / sizeof known[0];
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < nknown && strcmp(known[k], argv[i]) != 0)
            k++;
        if (k == nknown) {
            fprintf(stderr, "unit_tests: no suite named '%s'\n", argv[i]);
            CU_cleanup_registry();
            return 2;
        }
    }

    /* Register the selected groups (all when no argument names one). */
#define ECRC_CALL(name)                                                                            \
    if (selected(#name, argc, argv) && register_##name##_suite()) {                                \
        fprintf(stderr, "cannot register suite %s\n", #name);                                      \
        CU_cleanup_registry();                                                                     \
        return 1;                                                                                  \
    }
    ECRC_SUITES(ECRC_CALL)
#undef ECRC_CALL

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
