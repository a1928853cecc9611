/* suites.h: every CUnit suite of the project. Each test_<module>.c defines
 * its register function and main.c calls every one listed here. The
 * references are strong: a suite listed here whose file is not built fails
 * the link, and CMakeLists.txt builds exactly the files of this list (and
 * gives each a ctest entry). Each register function adds one or more CUnit
 * suites and returns 0, or nonzero on a CUnit registry error. */
#ifndef ECRC_SUITES_H
#define ECRC_SUITES_H

#define ECRC_SUITES(X)                                                                             \
    X(common)                                                                                      \
    X(json)                                                                                        \
    X(sigv4)                                                                                       \
    X(awsclient)                                                                                   \
    X(vars)                                                                                        \
    X(compare)                                                                                     \
    X(golden)                                                                                      \
    X(casefile)                                                                                    \
    X(filecache)                                                                                   \
    X(store)                                                                                       \
    X(emulator)                                                                                    \
    X(layers)                                                                                      \
    X(runner)                                                                                      \
    X(report)                                                                                      \
    X(causes)                                                                                      \
    X(actuals)                                                                                     \
    X(baseline)                                                                                    \
    X(verdict)                                                                                     \
    X(awsconfig)                                                                                   \
    X(throttle)                                                                                    \
    X(liverules)                                                                                   \
    X(replay)                                                                                      \
    X(wire)

#define ECRC_DECLARE(name) int register_##name##_suite(void);
ECRC_SUITES(ECRC_DECLARE)
#undef ECRC_DECLARE

/* Path of a file under the source tree (tests run from any directory). The
 * result is a static buffer overwritten by the next call. */
const char *src_path(const char *rel);

/* Removes dir and everything below it (temporary test directories). Errors
 * are ignored: a leftover temporary directory must not fail a test. */
void rm_tree(const char *dir);

#endif
