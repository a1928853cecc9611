#include "loadset.h"
#include "ecr/util.h"

#include <dirent.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ecrc_id_matches(const char *id, const char *const *filters, size_t n)
{
    if (!n)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (strpbrk(filters[i], "*?[") ? fnmatch(filters[i], id, 0) == 0
                                       : strstr(id, filters[i]) != NULL)
            return 1;
    return 0;
}

static void file_stem(const char *path, char *out, size_t outsz)
{
    const char *base = strrchr(path, '/');
    snprintf(out, outsz, "%s", base ? base + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = '\0';
}

/* cases root and golden root of one case file. Returns -1 when a path does
 * not fit its buffer (a cut root would load the wrong files), else 0. */
static int roots_for(const char *path, const char *golden_dir, char *cases_root, size_t csz,
                     char *golden_root, size_t gsz)
{
    char tmp[4096];
    if (!ecrc_case_find_cases_root(path, cases_root, csz)) {
        if (ecr_copy_str(tmp, sizeof tmp, path) || ecr_copy_str(cases_root, csz, dirname(tmp)))
            return -1;
    }
    if (golden_dir)
        return ecr_copy_str(golden_root, gsz, golden_dir) ? -1 : 0;
    if (ecr_copy_str(tmp, sizeof tmp, cases_root))
        return -1;
    const char *parent = dirname(tmp);
    /* "golden", not "./golden": paths in hints are pasted by people. */
    int n = strcmp(parent, ".") ? snprintf(golden_root, gsz, "%s/golden", parent)
                                : snprintf(golden_root, gsz, "golden");
    return n < 0 || (size_t)n >= gsz ? -1 : 0;
}

int ecrc_load_cases(const char *const *paths, size_t npaths, const char *filter,
                    const char *golden_dir, loaded_set *out, diag_list *diags)
{
    return ecrc_load_cases_filtered(paths, npaths, &filter, filter ? 1 : 0, golden_dir, out, diags);
}

int ecrc_load_cases_filtered(const char *const *paths, size_t npaths, const char *const *filters,
                             size_t nfilters, const char *golden_dir, loaded_set *out,
                             diag_list *diags)
{
    static const char *const default_paths[] = {"cases"};
    memset(out, 0, sizeof *out);
    if (!npaths) {
        paths = default_paths;
        npaths = 1;
    }
    size_t walk_start = diags->n;
    size_t nfiles = ecrc_case_collect_paths(paths, npaths, &out->paths, diags);
    size_t nrefused = diags->n - walk_start;
    size_t cap = nfiles + nrefused ? nfiles + nrefused : 1;
    out->entries = calloc(cap, sizeof *out->entries);
    out->cases = calloc(cap, sizeof *out->cases);
    out->invalid = calloc(cap, sizeof *out->invalid);
    if (!out->paths || !out->entries || !out->cases || !out->invalid)
        return -1;
    /* A file the walk refused (a link out of the tree or in a loop, a FIFO)
     * is an invalid case file like one that does not parse: counted, and in
     * every report as `error`, not only a line on stderr. */
    if (nrefused) {
        char **grown = realloc(out->paths, (nfiles + nrefused + 1) * sizeof *grown);
        if (!grown)
            return -1;
        out->paths = grown;
        for (size_t k = walk_start; k < diags->n; k++) {
            if (k > walk_start && !strcmp(diags->items[k].file, diags->items[k - 1].file))
                continue;
            char stem[256];
            file_stem(diags->items[k].file, stem, sizeof stem);
            if (!ecrc_id_matches(stem, filters, nfilters))
                continue;
            char *why = ecr_asprintf("%s (run 'ecrconform lint %s')", diags->items[k].message,
                                     diags->items[k].file);
            char *path = ecr_strdup(diags->items[k].file);
            if (!why || !path) {
                free(why);
                free(path);
                return -1;
            }
            out->paths[nfiles++] = path;
            out->paths[nfiles] = NULL;
            out->entries[out->n] = (run_entry){NULL, path, why};
            out->invalid[out->n] = why;
            out->n++;
            out->ninvalid++;
        }
    }
    size_t walked = nfiles - out->n;

    /* Cases share manifests and blobs: each file is read and hashed once. */
    ecrc_filecache *cache = ecrc_filecache_new();
    if (!cache)
        return -1;
    for (size_t i = 0; i < walked; i++) {
        const char *path = out->paths[i];
        char stem[256], cases_root[4096], golden_root[4096];
        file_stem(path, stem, sizeof stem);
        /* A case's id must equal its file stem (lint checks it), so the
         * filter can be applied before loading. */
        if (!ecrc_id_matches(stem, filters, nfilters))
            continue;
        size_t before = diags->n;
        case_def *c = NULL;
        if (roots_for(path, golden_dir, cases_root, sizeof cases_root, golden_root,
                      sizeof golden_root))
            ecr_diag_add(diags, path, "",
                         "the path of its cases or golden directory is longer than %zu bytes",
                         sizeof cases_root - 1);
        else
            c = ecrc_case_load(path, cases_root, golden_root, cache, diags);
        /* Ids are unique in a run: reports and repository names key on them. */
        for (size_t k = 0; c && k < out->n; k++) {
            if (out->cases[k] && !strcmp(out->cases[k]->id, c->id)) {
                ecr_diag_add(diags, path, "id", "duplicate case id '%s' (also in %s)", c->id,
                             out->cases[k]->path);
                ecrc_case_free(c);
                c = NULL;
            }
        }
        run_entry *e = &out->entries[out->n];
        e->path = path;
        e->c = c;
        if (!c) {
            /* Diagnostics quote values of any length: allocated, not cut. */
            const diag_item *d = diags->n > before ? &diags->items[before] : NULL;
            out->invalid[out->n] =
                d ? ecr_asprintf("%s%s%s (%zu problem%s; run 'ecrconform lint %s')", d->field,
                                 d->field[0] ? ": " : "", d->message, diags->n - before,
                                 diags->n - before == 1 ? "" : "s", path)
                  : ecr_strdup("cannot load");
            e->invalid = out->invalid[out->n];
            out->ninvalid++;
        }
        out->cases[out->n] = c;
        out->n++;
    }
    ecrc_filecache_free(cache);
    return 0;
}

void ecrc_loaded_set_free(loaded_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        ecrc_case_free(s->cases[i]);
        free(s->invalid[i]);
    }
    free(s->cases);
    free(s->invalid);
    free(s->entries);
    ecrc_case_paths_free(s->paths);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The resolved golden paths of every step of set, sorted (NULL-free: a path
 * that does not resolve is left out). *n receives the count. NULL with *n 0
 * when memory runs out or there is none. Resolved once here: resolving them
 * for each golden file found made lint call readlink 125,000 times. */
static char **used_goldens(const loaded_set *set, size_t *n)
{
    *n = 0;
    size_t total = ecrc_loaded_set_goldens(set);
    char **v = total ? calloc(total, sizeof *v) : NULL;
    if (!v)
        return NULL;
    for (size_t i = 0; i < set->n; i++) {
        const case_def *c = set->cases[i];
        for (size_t k = 0; c && k < c->nsteps; k++) {
            char *gr = c->steps[k].golden_path ? realpath(c->steps[k].golden_path, NULL) : NULL;
            if (gr)
                v[(*n)++] = gr;
        }
    }
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* Golden files under root that no loaded case uses: a typo in a step name
 * would otherwise leave a golden silently ignored. */
size_t ecrc_loaded_set_orphans(const char *root, const loaded_set *set, diag_list *diags)
{
    size_t found = 0;
    DIR *d = opendir(root);
    if (!d)
        return 0;
    size_t nused;
    char **used = used_goldens(set, &nused);
    if (!used && ecrc_loaded_set_goldens(set)) {
        closedir(d);
        ecr_diag_add(diags, root, "", "out of memory");
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char dir[4096];
        int dn = snprintf(dir, sizeof dir, "%s/%s", root, de->d_name);
        if (dn < 0 || (size_t)dn >= sizeof dir) {
            ecr_diag_add(diags, root, "", "path too long: %s", de->d_name);
            continue;
        }
        /* A symlinked directory is not walked (a loop would repeat it). */
        struct stat st;
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        DIR *sub = opendir(dir);
        if (!sub)
            continue;
        struct dirent *fe;
        while ((fe = readdir(sub))) {
            size_t len = strlen(fe->d_name);
            if (len < 6 || strcmp(fe->d_name + len - 5, ".json"))
                continue;
            char path[4352]; /* dir (4096) + '/' + a d_name (256): always fits */
            snprintf(path, sizeof path, "%s/%s", dir, fe->d_name);
            char *real = realpath(path, NULL);
            int is_used = real && used && bsearch(&real, used, nused, sizeof *used, cmp_str);
            free(real);
            if (!is_used) {
                ecr_diag_add(diags, path, "", "golden file not used by any step of any case");
                found++;
            }
        }
        closedir(sub);
    }
    closedir(d);
    for (size_t i = 0; i < nused; i++)
        free(used[i]);
    free(used);
    return found;
}

size_t ecrc_loaded_set_goldens(const loaded_set *set)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->cases[i])
            n += set->cases[i]->nsteps;
    return n;
}
