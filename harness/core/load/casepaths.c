#include "casepaths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Case directories are shallow; the bound stops symlink loops. */
#define DIR_DEPTH_MAX 16
/* A run with more case files than this is a mistake (a path pointing at /). */
#define COLLECT_MAX 100000

/* The last directory component named "cases" in p (excluding p's own last
 * component), copied into out. */
static int find_cases_component(const char *p, char *out, size_t outsz)
{
    const char *last_slash = strrchr(p, '/');
    if (!last_slash)
        return 0;
    const char *found = NULL;
    for (const char *s = p; s && s < last_slash;) {
        const char *end = strchr(s, '/');
        if (end && end - s == 5 && !strncmp(s, "cases", 5))
            found = end;
        s = end ? end + 1 : NULL;
    }
    if (!found)
        return 0;
    size_t len = (size_t)(found - p);
    if (len + 1 > outsz)
        return 0;
    memcpy(out, p, len);
    out[len] = '\0';
    return 1;
}

int ecrc_case_find_cases_root(const char *path, char *out, size_t outsz)
{
    if (find_cases_component(path, out, outsz))
        return 1;
    /* "./x.json" run from inside cases/: the textual path says nothing. */
    char *real = realpath(path, NULL);
    if (!real)
        return 0;
    int ok = find_cases_component(real, out, outsz);
    free(real);
    return ok;
}

int ecrc_path_inside(const char *path, const char *root)
{
    char *rp = realpath(path, NULL);
    char *rr = realpath(root, NULL);
    int in = -1;
    if (rp && rr) {
        size_t n = strlen(rr);
        in = !strcmp(rr, "/") || (!strncmp(rp, rr, n) && (rp[n] == '/' || rp[n] == '\0'));
    }
    free(rp);
    free(rr);
    return in;
}

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int push_path(path_list *pl, const char *p, diag_list *diags)
{
    if (pl->n >= COLLECT_MAX) {
        ecr_diag_add(diags, p, "", "too many case files (limit %d)", COLLECT_MAX);
        return -1;
    }
    if (pl->n + 1 >= pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 64;
        char **v = realloc(pl->v, cap * sizeof *v);
        if (!v) {
            ecr_diag_add(diags, p, "", "out of memory");
            return -1;
        }
        pl->v = v;
        pl->cap = cap;
    }
    char *d = strdup(p);
    if (!d) {
        ecr_diag_add(diags, p, "", "out of memory");
        return -1;
    }
    pl->v[pl->n++] = d;
    pl->v[pl->n] = NULL;
    return 0;
}

static int ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && !strcmp(name + n - 5, ".json");
}

static int walk(path_list *pl, const char *dir, const char *root, int depth, diag_list *diags)
{
    if (depth > DIR_DEPTH_MAX) {
        ecr_diag_add(diags, dir, "", "directories nested too deeply (limit %d)", DIR_DEPTH_MAX);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        ecr_diag_add(diags, dir, "", "cannot open directory: %s", strerror(errno));
        return 0;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ".", "..", editor and VCS files */
            continue;
        char p[PATH_MAX];
        int n = snprintf(p, sizeof p, "%s%s%s", dir,
                         dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (n < 0 || (size_t)n >= sizeof p) {
            ecr_diag_add(diags, dir, "", "path too long: %s", e->d_name);
            continue;
        }
        /* Symbolic links: a directory link is never followed (two `ln -s .`
         * would multiply the corpus); a file link must resolve, and to a
         * file inside the directory being walked. */
        struct stat st;
        if (lstat(p, &st) != 0)
            continue; /* vanished while walking */
        if (S_ISLNK(st.st_mode)) {
            if (!ends_with_json(e->d_name))
                continue;
            if (stat(p, &st) != 0) {
                ecr_diag_add(diags, p, "", "symbolic link does not resolve: %s", strerror(errno));
                continue;
            }
            if (S_ISDIR(st.st_mode))
                continue;
            if (ecrc_path_inside(p, root) != 1) {
                ecr_diag_add(diags, p, "", "symbolic link resolves outside %s", root);
                continue;
            }
        }
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "manifests") != 0)
                rc = walk(pl, p, root, depth + 1, diags);
        } else if (ends_with_json(e->d_name)) {
            /* A FIFO or device named *.json is pushed too: loading it reports
             * that it is not a regular file instead of skipping it unseen. */
            rc = push_path(pl, p, diags);
        }
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ecrc_case_collect_paths(const char *const *paths, size_t npaths, char ***out,
                               diag_list *diags)
{
    path_list pl = {0};
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            ecr_diag_add(diags, paths[i], "", "%s", strerror(errno));
            continue;
        }
        int rc = S_ISDIR(st.st_mode) ? walk(&pl, paths[i], paths[i], 0, diags)
                                     : push_path(&pl, paths[i], diags);
        if (rc)
            break;
    }
    if (!pl.v) {
        pl.v = calloc(1, sizeof *pl.v);
        if (!pl.v) {
            *out = NULL;
            return 0;
        }
    }
    qsort(pl.v, pl.n, sizeof *pl.v, cmp_str);
    /* A file named twice (or a file and its directory) is one case. */
    size_t w = 0;
    for (size_t r = 0; r < pl.n; r++) {
        if (w && !strcmp(pl.v[w - 1], pl.v[r]))
            free(pl.v[r]);
        else
            pl.v[w++] = pl.v[r];
    }
    pl.v[w] = NULL;
    *out = pl.v;
    return w;
}

void ecrc_case_paths_free(char **list)
{
    if (!list)
        return;
    for (char **p = list; *p; p++)
        free(*p);
    free(list);
}
