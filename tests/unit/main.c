/* The CUnit runner: `unit_tests [SUITE-SUBSTRING...]` runs every suite, or
 * only those whose name contains one of the arguments (libgit2-style running
 * by name). Exit status: 0 when every test passed, 1 otherwise. */
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

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;

#define ECRC_CALL(name)                                                                            \
    if (register_##name##_suite && register_##name##_suite()) {                                    \
        fprintf(stderr, "cannot register suite %s\n", #name);                                      \
        CU_cleanup_registry();                                                                     \
        return 1;                                                                                  \
    }
    ECRC_SUITES(ECRC_CALL)
#undef ECRC_CALL

    if (argc > 1) {
        /* Deactivate suites not named on the command line. */
        for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
            int keep = 0;
            for (int i = 1; i < argc; i++)
                if (strstr(s->pName, argv[i]))
                    keep = 1;
            CU_set_suite_active(s, keep ? CU_TRUE : CU_FALSE);
        }
    }

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
