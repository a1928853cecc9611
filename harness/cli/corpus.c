/* corpus.c: where `run` finds its cases (corpus.h). */
#include "corpus.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecr/util.h"

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir/cases when it is a directory: a new string, else NULL. */
static char *cases_in(const char *dir)
{
    char *p = ecr_asprintf("%s/cases", dir);
    if (p && is_dir(p))
        return p;
    free(p);
    return NULL;
}

/* The directory of the running binary (Linux: /proc/self/exe), or "" when
 * unknown. */
static void exe_dir(char *out, size_t outsz)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    out[0] = '\0';
    if (n <= 0 || (size_t)n >= sizeof exe - 1)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    ecr_copy_str(out, outsz, exe[0] ? exe : "/");
}

char *cli_corpus_cases(const char *cmd, const char *corpus_opt)
{
    if (corpus_opt) {
        char *p = cases_in(corpus_opt);
        if (!p) {
            int dir = is_dir(corpus_opt);
            const char *why = dir ? "no cases/ directory in it" : strerror(errno);
            fprintf(stderr, "ecrconform %s: --corpus %s: %s\n", cmd, corpus_opt, why);
        }
        return p;
    }
    if (is_dir("cases"))
        return ecr_strdup("cases");
    char bin[PATH_MAX];
    exe_dir(bin, sizeof bin);
    if (bin[0]) {
        char *share = ecr_asprintf("%s/../share/ecrconform", bin);
        char *p = share ? cases_in(share) : NULL;
        free(share);
        if (p)
            return p;
        char *up = ecr_asprintf("%s/..", bin);
        p = up ? cases_in(up) : NULL;
        free(up);
        if (p)
            return p;
    }
    fprintf(stderr,
            "ecrconform %s: no cases/ here, none installed with the binary (%s/../share/"
            "ecrconform/cases): give PATH or --corpus DIR\n",
            cmd, bin[0] ? bin : "(unknown directory)");
    return NULL;
}

int cli_paths_exist(const char *cmd, const char *what, const char *const *paths, size_t n)
{
    struct stat st;
    for (size_t i = 0; i < n; i++)
        if (stat(paths[i], &st) != 0) {
            fprintf(stderr, "ecrconform %s: %s%s%s: %s\n", cmd, what, what[0] ? " " : "", paths[i],
                    strerror(errno));
            return -1;
        }
    return 0;
}
