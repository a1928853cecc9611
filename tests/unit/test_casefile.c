/* Tests of harness/core/casefile: a good case with every field populated
 * (tests/data/cases-good), one bad fixture per family of validation errors
 * (tests/data/cases-bad), and the path helpers. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile.h"
#include "suites.h"

#define GOOD "tests/data/cases-good"
#define BAD "tests/data/cases-bad"

static void path_of(char *out, size_t outsz, const char *rel)
{
    snprintf(out, outsz, "%s", src_path(rel));
}

/* Loads <tree>/cases/batch-delete-image/<name> with that tree's roots. */
static case_def *load(const char *tree, const char *name, diag_list *d)
{
    char rel[512], path[4096], cases[4096], golden_root[4096];
    snprintf(rel, sizeof rel, "%s/cases/batch-delete-image/%s", tree, name);
    path_of(path, sizeof path, rel);
    snprintf(rel, sizeof rel, "%s/cases", tree);
    path_of(cases, sizeof cases, rel);
    snprintf(rel, sizeof rel, "%s/golden", tree);
    path_of(golden_root, sizeof golden_root, rel);
    ecr_diag_init(d);
    return ecrc_case_load(path, cases, golden_root, NULL, d);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* 1 when d has an item for a file ending in file_suffix, on field, whose
 * message contains part. */
static int has(const diag_list *d, const char *file_suffix, const char *field, const char *part)
{
    for (size_t i = 0; i < d->n; i++)
        if (ends_with(d->items[i].file, file_suffix) && !strcmp(d->items[i].field, field) &&
            strstr(d->items[i].message, part))
            return 1;
    return 0;
}

static void dump(const diag_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "\n  [%s] [%s] %s", d->items[i].file, d->items[i].field,
                d->items[i].message);
}

#define HAS(d, file, field, part)                                                                  \
    do {                                                                                           \
        int ok_ = has((d), (file), (field), (part));                                               \
        CU_ASSERT(ok_);                                                                            \
        if (!ok_) {                                                                                \
            fprintf(stderr, "\n  missing: %s: %s: %s", (file), (field), (part));                   \
            dump(d);                                                                               \
        }                                                                                          \
    } while (0)

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    *len = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    return buf;
}

static void test_good_case(void)
{
    diag_list d;
    case_def *c = load(GOOD, "full-case.json", &d);
    if (!c)
        dump(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT(ends_with(c->path, "/cases/batch-delete-image/full-case.json"));
    CU_ASSERT_STRING_EQUAL(c->id, "full-case");
    CU_ASSERT_PTR_NOT_NULL(strstr(c->summary, "Every field"));
    CU_ASSERT_EQUAL_FATAL(c->ncovers, 3);
    CU_ASSERT_STRING_EQUAL(c->covers[0], "behaviour:delete-tag-keeps-other-tags");
    CU_ASSERT_STRING_EQUAL(c->covers[2], "exception:ThrottlingException");
    CU_ASSERT_EQUAL_FATAL(c->nrequires, 2);
    CU_ASSERT_STRING_EQUAL(c->requires[0], "fault-injection");
    CU_ASSERT_STRING_EQUAL(c->requires[1], "strict-auth");

    /* Repositories and images. */
    CU_ASSERT_EQUAL_FATAL(c->nrepos, 2);
    const case_repo *r = &c->repos[0];
    CU_ASSERT_STRING_EQUAL(r->name, "ubuntu");
    CU_ASSERT_EQUAL(r->create, 1);
    CU_ASSERT_EQUAL(r->length, 200);
    CU_ASSERT_EQUAL_FATAL(r->nimages, 2);
    const case_image *a = &r->images[0], *b = &r->images[1];
    CU_ASSERT_STRING_EQUAL(a->id, "a");
    CU_ASSERT_STRING_EQUAL(a->manifest_path, "manifests/docker-a.json");
    CU_ASSERT_PTR_NULL(a->media_type);
    CU_ASSERT_EQUAL_FATAL(a->ntags, 2);
    CU_ASSERT_STRING_EQUAL(a->tags[0], "precise");
    CU_ASSERT_STRING_EQUAL(a->tags[1], "trusty");
    /* The manifest is kept byte for byte (its digest depends on it). */
    size_t len = 0;
    char *bytes = read_all(src_path(GOOD "/cases/manifests/docker-a.json"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
    CU_ASSERT_EQUAL(a->manifest_len, len);
    CU_ASSERT(a->manifest && !memcmp(a->manifest, bytes, len) && a->manifest[len] == '\0');
    free(bytes);
    CU_ASSERT_STRING_EQUAL(b->id, "b");
    CU_ASSERT_STRING_EQUAL(b->media_type, "application/vnd.oci.image.manifest.v1+json");
    CU_ASSERT_EQUAL(b->ntags, 0);
    CU_ASSERT_EQUAL(b->manifest_len, strlen(b->manifest));
    CU_ASSERT_STRING_EQUAL(c->repos[1].name, "ghost");
    CU_ASSERT_EQUAL(c->repos[1].create, 0);
    CU_ASSERT_EQUAL(c->repos[1].length, 0);
    CU_ASSERT_EQUAL(c->repos[1].nimages, 0);

    /* Faults. */
    CU_ASSERT_EQUAL_FATAL(c->nfaults, 2);
    CU_ASSERT_EQUAL(c->faults[0].kind, ECR_FAULT_IMAGE_INACCESSIBLE);
    CU_ASSERT_STRING_EQUAL(c->faults[0].repository, "ubuntu");
    CU_ASSERT_STRING_EQUAL(c->faults[0].image, "b");
    CU_ASSERT_PTR_NULL(c->faults[0].operation);
    CU_ASSERT_EQUAL(c->faults[1].kind, ECR_FAULT_THROTTLING);
    CU_ASSERT_PTR_NULL(c->faults[1].image);
    CU_ASSERT_STRING_EQUAL(c->faults[1].operation, "ListImages");

    /* Steps: input kept with its variables (the runner expands them). */
    CU_ASSERT_EQUAL_FATAL(c->nsteps, 3);
    const case_step *s0 = &c->steps[0], *s1 = &c->steps[1], *s2 = &c->steps[2];
    CU_ASSERT_STRING_EQUAL(s0->name, "delete");
    CU_ASSERT_STRING_EQUAL(s0->operation, "BatchDeleteImage");
    json_object *rn;
    CU_ASSERT_FATAL(json_object_object_get_ex(s0->input, "repositoryName", &rn));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(rn), "${repo:ubuntu}");
    CU_ASSERT_EQUAL(s0->raw, 0);
    CU_ASSERT_EQUAL(s0->auth, ECRC_SIGN_SIGV4);
    CU_ASSERT_PTR_NULL(s0->target);
    CU_ASSERT_PTR_NULL(s0->raw_body);
    CU_ASSERT_EQUAL(s0->nheaders, 0);
    CU_ASSERT(ends_with(s0->golden_path, GOOD "/golden/full-case/delete.json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s0->golden);
    CU_ASSERT_EQUAL(s0->golden->level, LEVEL_C);
    CU_ASSERT_EQUAL(s0->golden->status, 200);

    CU_ASSERT_EQUAL(s1->raw, 1);
    CU_ASSERT_EQUAL(s1->auth, ECRC_SIGN_WRONG_SECRET);
    CU_ASSERT_STRING_EQUAL(s1->target, "AmazonEC2ContainerRegistry_V20150921.NoSuchThing");
    CU_ASSERT_STRING_EQUAL(s1->raw_body, "{\"repositoryName\": \"${repo:ghost}\"");
    CU_ASSERT_EQUAL_FATAL(s1->nheaders, 2);
    CU_ASSERT_STRING_EQUAL(s1->header_names[0], "Content-Type");
    CU_ASSERT_STRING_EQUAL(s1->header_values[0], "application/x-amz-json-1.1");
    CU_ASSERT_STRING_EQUAL(s1->header_names[1], "X-Region");
    CU_ASSERT_STRING_EQUAL(s1->header_values[1], "${region}");
    CU_ASSERT(json_object_is_type(s1->input, json_type_object));
    CU_ASSERT_EQUAL(json_object_object_length(s1->input), 0); /* default {} */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s1->golden);
    CU_ASSERT_STRING_EQUAL(s1->golden->error_type, "InvalidSignatureException");

    CU_ASSERT_STRING_EQUAL(s2->operation, "ListImages");
    CU_ASSERT(ends_with(s2->golden_path, GOOD "/golden/shared/override.json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s2->golden);
    CU_ASSERT_EQUAL(s2->golden->level, LEVEL_E);

    ecrc_case_free(c);
    ecrc_case_free(NULL);
    ecr_diag_free(&d);
}

/* Repository names and image ids of any length make their ${repo:..} and
 * ${digest:..} variables whole (they were cut to fit a 300-byte buffer, and
 * the case then used an "unknown variable"). */
static void test_long_names(void)
{
    diag_list d;
    case_def *c = load(GOOD, "long-names.json", &d);
    dump(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_EQUAL(strlen(c->repos[0].name), 200);
    CU_ASSERT_EQUAL(strlen(c->repos[0].images[0].id), 400);
    ecrc_case_free(c);
    ecr_diag_free(&d);
}

static void test_malformed_json(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "malformed.json", &d));
    CU_ASSERT_EQUAL(d.n, 1);
    HAS(&d, "malformed.json", "", "invalid JSON at line 3, column 18");
    ecr_diag_free(&d);

    CU_ASSERT_PTR_NULL(load(BAD, "not-object.json", &d));
    HAS(&d, "not-object.json", "", "must be a JSON object");
    ecr_diag_free(&d);

    CU_ASSERT_PTR_NULL(load(BAD, "no-such-case.json", &d));
    HAS(&d, "no-such-case.json", "", "cannot open");
    ecr_diag_free(&d);
}

static void test_missing_id(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "missing-id.json", &d));
    HAS(&d, "missing-id.json", "id", "required member missing");
    CU_ASSERT_EQUAL(d.n, 1);
    ecr_diag_free(&d);

    CU_ASSERT_PTR_NULL(load(BAD, "id-mismatch.json", &d));
    HAS(&d, "id-mismatch.json", "id", "the file name must be other-name.json");
    ecr_diag_free(&d);
}

static void test_wrong_types(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "wrong-types.json", &d));
    /* All of them, not just the first. */
    HAS(&d, "wrong-types.json", "summary", "must be a string");
    HAS(&d, "wrong-types.json", "covers", "must be an array");
    HAS(&d, "wrong-types.json", "requires", "must be an array");
    HAS(&d, "wrong-types.json", "fixture", "must be an object");
    HAS(&d, "wrong-types.json", "steps", "must be an array");
    CU_ASSERT_EQUAL(d.n, 5);
    ecr_diag_free(&d);
}

static void test_unknown_variable(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "unknown-variable.json", &d));
    HAS(&d, "unknown-variable.json", "steps[0].input.repositoryName",
        "unknown variable ${repo:nope}");
    HAS(&d, "unknown-variable.json", "steps[1].raw.body", "unterminated ${");
    /* Goldens are checked against the case's fixture and named as such. */
    HAS(&d, "golden/unknown-variable/delete.json", "body.imageIds[0].imageDigest",
        "unknown variable ${digest:zz}");
    CU_ASSERT_EQUAL(d.n, 3);
    ecr_diag_free(&d);
}

static void test_manifests(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "bad-manifests.json", &d));
    HAS(&d, "bad-manifests.json", "fixture.repositories[0].images[0].manifest", "cannot open");
    HAS(&d, "bad-manifests.json", "fixture.repositories[0].images[0].manifest",
        "manifests/nope.json");
    HAS(&d, "bad-manifests.json", "fixture.repositories[0].images[1].manifest", "invalid JSON");
    HAS(&d, "bad-manifests.json", "fixture.repositories[0].images[2].manifest", "without '..'");
    HAS(&d, "bad-manifests.json", "fixture.repositories[0].images[2].tags[0]", "non-empty string");
    CU_ASSERT_EQUAL(d.n, 4);
    ecr_diag_free(&d);
}

static void test_missing_golden(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "missing-golden.json", &d));
    HAS(&d, "missing-golden.json", "steps[0].golden", "missing golden: expected ");
    HAS(&d, "missing-golden.json", "steps[0].golden", "golden/missing-golden/delete.json");
    HAS(&d, "missing-golden.json", "steps[1].golden", "golden/missing-golden/state.json");
    CU_ASSERT_EQUAL(d.n, 2);
    ecr_diag_free(&d);
}

static void test_state_check(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "no-state-check.json", &d));
    HAS(&d, "no-state-check.json", "steps", "no ListImages or DescribeImages step after the first");
    CU_ASSERT_EQUAL(d.n, 1);
    ecr_diag_free(&d);
}

static void test_exact_message_on_inferred(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "exact-message.json", &d));
    HAS(&d, "golden/exact-message/delete.json", "body.failures[0].failureReason",
        "exact message text on a level I golden");
    HAS(&d, "golden/exact-message/state.json", "error.message", "use a $regex or $any matcher");
    CU_ASSERT_EQUAL(d.n, 2);
    ecr_diag_free(&d);
}

static void test_unknown_key(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "unknown-key.json", &d));
    HAS(&d, "unknown-key.json", "sumary", "unknown member");
    HAS(&d, "unknown-key.json", "steps[0].golen", "unknown member (allowed: name, operation");
    HAS(&d, "unknown-key.json", "fixture.repositories[0].imags", "unknown member");
    HAS(&d, "unknown-key.json", "steps[1].raw.bdy", "unknown member");
    CU_ASSERT_EQUAL(d.n, 4);
    ecr_diag_free(&d);
}

static void test_faults(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "bad-faults.json", &d));
    HAS(&d, "bad-faults.json", "fixture.faults[0].fault", "unknown fault 'meltdown'");
    HAS(&d, "bad-faults.json", "fixture.faults[1].repository", "not a fixture repository");
    HAS(&d, "bad-faults.json", "fixture.faults[2].image", "image-inaccessible needs");
    HAS(&d, "bad-faults.json", "fixture.faults[3].image", "only image-inaccessible");
    HAS(&d, "bad-faults.json", "fixture.faults[4].operation", "must be a string");
    HAS(&d, "bad-faults.json", "fixture.faults[5].image", "not an image of fixture repository");
    HAS(&d, "bad-faults.json", "requires", "fault-injection");
    CU_ASSERT_EQUAL(d.n, 7);
    ecr_diag_free(&d);
}

static void test_duplicates(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "duplicates.json", &d));
    HAS(&d, "duplicates.json", "fixture.repositories[1].name", "duplicate repository name");
    HAS(&d, "duplicates.json", "fixture.repositories[1].images[0].id",
        "duplicate image id 'a' (first used by images[0] of repository 'ubuntu')");
    /* A third 'a': one problem, not one per earlier use (a fuzzed case
     * repeating an id 500 times made lint print 22,000 lines). */
    HAS(&d, "duplicates.json", "fixture.repositories[1].images[1].id", "duplicate image id 'a'");
    HAS(&d, "duplicates.json", "steps[1].name", "duplicate step name 'delete'");
    CU_ASSERT_EQUAL(d.n, 4);
    ecr_diag_free(&d);
}

static void test_names_labels_ranges(void)
{
    diag_list d;
    CU_ASSERT_PTR_NULL(load(BAD, "bad-names.json", &d));
    HAS(&d, "bad-names.json", "id", "must match [a-z0-9]+(-[a-z0-9]+)*");
    HAS(&d, "bad-names.json", "covers[0]", "'bug:x' is not a label");
    HAS(&d, "bad-names.json", "covers[1]", "'behaviour:' is not a label");
    HAS(&d, "bad-names.json", "requires", "unknown capability 'time-travel'");
    HAS(&d, "bad-names.json", "fixture.repositories[0].name", "'Ubuntu' must match");
    HAS(&d, "bad-names.json", "fixture.repositories[0].length", "from 2 to 256");
    HAS(&d, "bad-names.json", "fixture.repositories[1].length", "from 2 to 256");
    HAS(&d, "bad-names.json", "fixture.repositories[2].images", "create is false");
    HAS(&d, "bad-names.json", "steps[0].name", "'Delete' must match");
    HAS(&d, "bad-names.json", "steps[0].operation", "not an operation name");
    HAS(&d, "bad-names.json", "steps[0].input", "must be an object");
    HAS(&d, "bad-names.json", "steps[0].raw.auth", "unknown auth 'basic'");
    HAS(&d, "bad-names.json", "steps[1].golden", "relative to the golden directory");
    CU_ASSERT_EQUAL(d.n, 13);
    ecr_diag_free(&d);
}

static void test_find_cases_root(void)
{
    char out[4096];
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("a/b/cases/x/y.json", out, sizeof out), 1);
    CU_ASSERT_STRING_EQUAL(out, "a/b/cases");
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("cases/x.json", out, sizeof out), 1);
    CU_ASSERT_STRING_EQUAL(out, "cases");
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("/r/cases/a/cases/b.json", out, sizeof out), 1);
    CU_ASSERT_STRING_EQUAL(out, "/r/cases/a/cases"); /* the nearest */
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("/r/cases-good/x.json", out, sizeof out), 0);
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("/nonexistent/x.json", out, sizeof out), 0);
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("a/cases", out, sizeof out), 0); /* not an ancestor */
    char small[4];
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("a/b/cases/x.json", small, sizeof small), 0);

    char path[4096];
    path_of(path, sizeof path, GOOD "/cases/batch-delete-image/full-case.json");
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root(path, out, sizeof out), 1);
    CU_ASSERT(ends_with(out, GOOD "/cases"));

    /* "./x.json" from inside cases/: found through the real path. */
    char cwd[4096], dir[4096];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    path_of(dir, sizeof dir, GOOD "/cases/batch-delete-image");
    CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
    CU_ASSERT_EQUAL(ecrc_case_find_cases_root("./full-case.json", out, sizeof out), 1);
    CU_ASSERT(ends_with(out, GOOD "/cases"));
    CU_ASSERT_EQUAL(chdir(cwd), 0);
}

static void test_collect_paths(void)
{
    char dir[4096], file[4096], missing[4096];
    path_of(dir, sizeof dir, BAD "/cases");
    path_of(file, sizeof file, BAD "/cases/batch-delete-image/wrong-types.json");
    path_of(missing, sizeof missing, BAD "/no-such-dir");

    diag_list d;
    ecr_diag_init(&d);
    char **list = NULL;
    const char *one[] = {dir};
    size_t n = ecrc_case_collect_paths(one, 1, &list, &d);
    CU_ASSERT_EQUAL(n, 14);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_PTR_NULL(list[n]);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_NULL(strstr(list[i], "/manifests/")); /* skipped */
        CU_ASSERT(ends_with(list[i], ".json"));
        if (i)
            CU_ASSERT(strcmp(list[i - 1], list[i]) < 0); /* sorted */
    }
    CU_ASSERT(ends_with(list[0], "/batch-delete-image/bad-faults.json"));
    CU_ASSERT(ends_with(list[n - 1], "/batch-delete-image/wrong-types.json"));
    ecrc_case_paths_free(list);

    /* Files, directories and missing paths mixed; a file named twice is one. */
    const char *mixed[] = {file, missing, dir, file};
    n = ecrc_case_collect_paths(mixed, 4, &list, &d);
    CU_ASSERT_EQUAL(n, 14);
    CU_ASSERT_EQUAL(d.n, 1);
    if (d.n == 1) {
        CU_ASSERT_STRING_EQUAL(d.items[0].file, missing);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].message, "No such file"));
    }
    ecrc_case_paths_free(list);
    ecr_diag_free(&d);

    /* A single file is taken as named, whatever its directory. */
    ecr_diag_init(&d);
    const char *single[] = {file};
    n = ecrc_case_collect_paths(single, 1, &list, &d);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(list[0], file);
    CU_ASSERT_PTR_NULL(list[1]);
    ecrc_case_paths_free(list);

    /* Nothing found: an empty, NULL-terminated list. */
    const char *none[] = {missing};
    n = ecrc_case_collect_paths(none, 1, &list, &d);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_PTR_NULL(list[0]);
    ecrc_case_paths_free(list);
    ecrc_case_paths_free(NULL);
    ecr_diag_free(&d);

    /* Only *.json files; hidden entries are skipped. */
    char tmp[] = "/tmp/ecrc-collect-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
    char p1[128], p2[128], p3[128], p4[128];
    snprintf(p1, sizeof p1, "%s/readme.txt", tmp);
    snprintf(p2, sizeof p2, "%s/.hidden.json", tmp);
    snprintf(p3, sizeof p3, "%s/manifests", tmp);
    snprintf(p4, sizeof p4, "%s/manifests/m.json", tmp);
    FILE *f = fopen(p1, "w");
    if (f)
        fclose(f);
    f = fopen(p2, "w");
    if (f)
        fclose(f);
    CU_ASSERT_EQUAL(mkdir(p3, 0700), 0);
    f = fopen(p4, "w");
    if (f)
        fclose(f);
    ecr_diag_init(&d);
    const char *t[] = {tmp};
    n = ecrc_case_collect_paths(t, 1, &list, &d);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(d.n, 0);
    ecrc_case_paths_free(list);
    ecr_diag_free(&d);
    unlink(p4);
    rmdir(p3);
    unlink(p2);
    unlink(p1);
    rmdir(tmp);
}

static void test_all_bad_fixtures_fail(void)
{
    /* Every fixture under cases-bad is refused with at least one diagnostic,
     * and loading them all leaks nothing (ASan). */
    char dir[4096], cases[4096], golden_root[4096];
    path_of(dir, sizeof dir, BAD "/cases");
    path_of(cases, sizeof cases, BAD "/cases");
    path_of(golden_root, sizeof golden_root, BAD "/golden");
    diag_list d;
    ecr_diag_init(&d);
    char **list = NULL;
    const char *one[] = {dir};
    size_t n = ecrc_case_collect_paths(one, 1, &list, &d);
    for (size_t i = 0; i < n; i++) {
        size_t before = d.n;
        case_def *c = ecrc_case_load(list[i], cases, golden_root, NULL, &d);
        CU_ASSERT_PTR_NULL(c);
        CU_ASSERT(d.n > before);
        ecrc_case_free(c);
    }
    ecrc_case_paths_free(list);
    ecr_diag_free(&d);
}

int register_casefile_suite(void)
{
    CU_pSuite s = CU_add_suite("casefile", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "good_case", test_good_case) ||
        !CU_add_test(s, "long_names", test_long_names) ||
        !CU_add_test(s, "malformed_json", test_malformed_json) ||
        !CU_add_test(s, "missing_id", test_missing_id) ||
        !CU_add_test(s, "wrong_types", test_wrong_types) ||
        !CU_add_test(s, "unknown_variable", test_unknown_variable) ||
        !CU_add_test(s, "manifests", test_manifests) ||
        !CU_add_test(s, "missing_golden", test_missing_golden) ||
        !CU_add_test(s, "state_check", test_state_check) ||
        !CU_add_test(s, "exact_message_on_inferred", test_exact_message_on_inferred) ||
        !CU_add_test(s, "unknown_key", test_unknown_key) ||
        !CU_add_test(s, "faults", test_faults) || !CU_add_test(s, "duplicates", test_duplicates) ||
        !CU_add_test(s, "names_labels_ranges", test_names_labels_ranges) ||
        !CU_add_test(s, "find_cases_root", test_find_cases_root) ||
        !CU_add_test(s, "collect_paths", test_collect_paths) ||
        !CU_add_test(s, "all_bad_fixtures_fail", test_all_bad_fixtures_fail))
        return 1;
    return 0;
}
