/* Tests of report/actuals.c: <report_dir>/actual is only ever emptied when
 * it carries ecrconform's marker; a directory without it, a symbolic link or
 * a file at that path is left byte for byte as it was and nothing is written
 * into it; emptying never follows a link. Everything happens below a private
 * mkdtemp directory. */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actuals.h"
#include "ecr/util.h"
#include "suites.h"

static char g_dir[64];

static int suite_init(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-actuals-XXXXXX");
    return mkdtemp(g_dir) ? 0 : 1;
}

static int suite_clean(void)
{
    rm_tree(g_dir);
    return 0;
}

/* g_dir/<name>, in a buffer that stays valid (one per slot). */
static const char *at(int slot, const char *name)
{
    static char paths[8][512];
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", g_dir, name);
    return paths[slot];
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* The whole file, or NULL when it cannot be read (the caller frees it). */
static char *get_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *s = calloc(1, 65536);
    size_t n = s ? fread(s, 1, 65535, f) : 0;
    (void)n;
    fclose(f);
    return s;
}

/* A failing case "c1" whose step "delete" has an actual response. */
static case_report *failing_case(const char *id)
{
    case_report *cr = calloc(1, sizeof *cr);
    cr->id = strdup(id);
    cr->status = ECRC_CASE_FAIL;
    cr->steps = calloc(2, sizeof *cr->steps);
    cr->nsteps = 2;
    cr->steps[0].name = strdup("delete");
    cr->steps[0].actual_doc = json_object_new_object();
    json_object_object_add(cr->steps[0].actual_doc, "status", json_object_new_int(400));
    cr->steps[1].name = strdup("state"); /* passed: nothing to record */
    cr->steps[1].passed = 1;
    return cr;
}

static void free_case(case_report *cr)
{
    run_report r = {0};
    r.cases = cr;
    r.ncases = 1;
    run_report *heap = malloc(sizeof *heap);
    *heap = r;
    ecrc_report_free(heap); /* frees cr's members and cr itself (r.cases) */
}

static void test_absent_is_created_with_its_marker(void)
{
    const char *rdir = at(0, "fresh/reports"); /* report_dir itself does not exist yet */
    ecrc_actuals a;
    char *why = NULL;
    CU_ASSERT_EQUAL(ecrc_actuals_open(&a, rdir, &why), ECR_OK);
    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_TRUE(a.usable);
    CU_ASSERT_NOT_EQUAL(access(rdir, F_OK), 0); /* nothing made before the first write */
    case_report *cr = failing_case("c1");
    CU_ASSERT_EQUAL(ecrc_actuals_write_case(&a, cr, &why), ECR_OK);
    CU_ASSERT_PTR_NULL(why);
    char expect[PATH_MAX];
    snprintf(expect, sizeof expect, "%s/actual/c1/delete.json", rdir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cr->steps[0].actual);
    CU_ASSERT_STRING_EQUAL(cr->steps[0].actual, expect);
    CU_ASSERT_PTR_NULL(cr->steps[1].actual);
    char *text = get_file(expect);
    CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "400"));
    free(text);
    snprintf(expect, sizeof expect, "%s/actual/%s", rdir, ECRC_ACTUAL_MARKER);
    text = get_file(expect);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, ECRC_ACTUAL_MARKER_TEXT);
    free(text);
    ecrc_actuals_close(&a);
    free_case(cr);
}

static void test_ours_is_emptied_and_refilled(void)
{
    const char *rdir = at(0, "ours");
    const char *adir = at(1, "ours/actual");
    const char *stale = at(2, "ours/actual/old-case/delete.json");
    const char *outside = at(3, "outside");
    const char *outside_file = at(4, "outside/keep.txt");
    const char *link = at(5, "ours/actual/link");
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(6, "ours/actual/old-case")), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(outside), ECR_OK);
    put_file(at(7, "ours/actual/" ECRC_ACTUAL_MARKER), ECRC_ACTUAL_MARKER_TEXT);
    put_file(stale, "{\"stale\": true}\n");
    put_file(outside_file, "not ours\n");
    CU_ASSERT_EQUAL_FATAL(symlink(outside, link), 0); /* a link inside is removed, not followed */

    ecrc_actuals a;
    char *why = NULL;
    CU_ASSERT_EQUAL(ecrc_actuals_open(&a, rdir, &why), ECR_OK);
    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_NOT_EQUAL(access(stale, F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(adir, F_OK), 0);
    struct stat st;
    CU_ASSERT_NOT_EQUAL(lstat(link, &st), 0);
    char *text = get_file(outside_file);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "not ours\n");
    free(text);

    case_report *cr = failing_case("c2");
    CU_ASSERT_EQUAL(ecrc_actuals_write_case(&a, cr, &why), ECR_OK);
    CU_ASSERT_EQUAL(access(at(2, "ours/actual/c2/delete.json"), R_OK), 0);
    CU_ASSERT_EQUAL(access(at(2, "ours/actual/" ECRC_ACTUAL_MARKER), R_OK), 0);
    ecrc_actuals_close(&a);
    free_case(cr);

    /* The next run empties what this one wrote: the marker came with it. */
    CU_ASSERT_EQUAL(ecrc_actuals_open(&a, rdir, &why), ECR_OK);
    CU_ASSERT_NOT_EQUAL(access(at(2, "ours/actual/c2/delete.json"), F_OK), 0);
    ecrc_actuals_close(&a);
}

/* Opening rdir must refuse, name the path, leave `file` as `content`, and
 * make every write a no-op. */
static void check_refused(const char *rdir, const char *file, const char *content,
                          const char *needle)
{
    ecrc_actuals a;
    char *why = NULL;
    CU_ASSERT_EQUAL(ecrc_actuals_open(&a, rdir, &why), ECR_EINVAL);
    CU_ASSERT_FALSE(a.usable);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, rdir));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, needle));
    free(why);
    why = NULL;
    case_report *cr = failing_case("c3");
    CU_ASSERT_EQUAL(ecrc_actuals_write_case(&a, cr, &why), ECR_OK);
    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_PTR_NULL(cr->steps[0].actual);
    free_case(cr);
    ecrc_actuals_close(&a);
    char *text = get_file(file);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, content);
    free(text);
}

static void test_foreign_directory_is_left_alone(void)
{
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(0, "foreign/actual")), ECR_OK);
    put_file(at(1, "foreign/actual/thesis.txt"), "years of work\n");
    check_refused(at(2, "foreign"), at(1, "foreign/actual/thesis.txt"), "years of work\n",
                  "not made by ecrconform");
    CU_ASSERT_NOT_EQUAL(access(at(3, "foreign/actual/c3"), F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(at(3, "foreign/actual/" ECRC_ACTUAL_MARKER), F_OK), 0);

    /* A marker with other content is not ours either. */
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(0, "forged/actual")), ECR_OK);
    put_file(at(1, "forged/actual/" ECRC_ACTUAL_MARKER), "something else\n");
    put_file(at(4, "forged/actual/data"), "data\n");
    check_refused(at(2, "forged"), at(4, "forged/actual/data"), "data\n", "not made by ecrconform");
}

static void test_symlink_is_not_followed(void)
{
    /* Even a link to a directory that carries the marker. */
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(0, "elsewhere")), ECR_OK);
    put_file(at(1, "elsewhere/" ECRC_ACTUAL_MARKER), ECRC_ACTUAL_MARKER_TEXT);
    put_file(at(2, "elsewhere/precious"), "precious\n");
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(3, "linked")), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(symlink(at(0, "elsewhere"), at(4, "linked/actual")), 0);
    check_refused(at(3, "linked"), at(2, "elsewhere/precious"), "precious\n", "symbolic link");
    CU_ASSERT_EQUAL(access(at(1, "elsewhere/" ECRC_ACTUAL_MARKER), F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(at(5, "elsewhere/c3"), F_OK), 0);
    struct stat st;
    CU_ASSERT_TRUE(lstat(at(4, "linked/actual"), &st) == 0 && S_ISLNK(st.st_mode));
}

static void test_file_is_left_alone(void)
{
    CU_ASSERT_EQUAL_FATAL(ecr_mkdir_p(at(0, "plainfile")), ECR_OK);
    put_file(at(1, "plainfile/actual"), "a file\n");
    check_refused(at(0, "plainfile"), at(1, "plainfile/actual"), "a file\n", "not a directory");
}

static void test_names_stay_below_the_directory(void)
{
    ecrc_actuals a;
    char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(ecrc_actuals_open(&a, at(0, "names"), &why), ECR_OK);
    case_report *cr = failing_case("../escape");
    CU_ASSERT_EQUAL(ecrc_actuals_write_case(&a, cr, &why), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(why && strstr(why, "../escape"));
    CU_ASSERT_PTR_NULL(cr->steps[0].actual);
    CU_ASSERT_NOT_EQUAL(access(at(1, "escape"), F_OK), 0);
    free(why);
    free_case(cr);
    ecrc_actuals_close(&a);
}

int register_actuals_suite(void)
{
    CU_pSuite s = CU_add_suite("actuals", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "absent_is_created", test_absent_is_created_with_its_marker) ||
        !CU_add_test(s, "ours_is_emptied", test_ours_is_emptied_and_refilled) ||
        !CU_add_test(s, "foreign_left_alone", test_foreign_directory_is_left_alone) ||
        !CU_add_test(s, "symlink_not_followed", test_symlink_is_not_followed) ||
        !CU_add_test(s, "file_left_alone", test_file_is_left_alone) ||
        !CU_add_test(s, "names_stay_below", test_names_stay_below_the_directory))
        return 1;
    return 0;
}
