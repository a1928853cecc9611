/* ecrconform lint: validate cases and goldens without running them. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "load.h"

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform lint [--golden-dir DIR] [PATH...]\n"
        "\n"
        "Validates case files (default: every case under cases/) and the goldens they name, "
        "without\n"
        "running anything: format (docs/CASES.md), variables, manifests, provenance (every golden\n"
        "names its level and sources; no exact message text on an I or E golden), the state check\n"
        "after the call under test, and duplicate ids. Without PATH arguments and --golden-dir, "
        "it\n"
        "also reports golden files under ./golden that no case uses.\n"
        "Every problem is printed as 'file: field: message'.\n"
        "\n"
        "Exit codes: 0 clean, 2 usage error, 3 problems found.\n",
        f);
}

/* Golden files under root that no loaded case uses: a typo in a step name
 * would otherwise leave a golden silently ignored. */
static size_t report_orphans(const char *root, const loaded_set *set, diag_list *diags)
{
    size_t found = 0;
    DIR *d = opendir(root);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", root, de->d_name);
        DIR *sub = opendir(dir);
        if (!sub)
            continue;
        struct dirent *fe;
        while ((fe = readdir(sub))) {
            size_t len = strlen(fe->d_name);
            if (len < 6 || strcmp(fe->d_name + len - 5, ".json"))
                continue;
            char path[4352]; /* dir (4096) + '/' + a d_name (256) */
            snprintf(path, sizeof path, "%s/%s", dir, fe->d_name);
            char *real = realpath(path, NULL);
            int used = 0;
            for (size_t i = 0; real && i < set->n && !used; i++) {
                const case_def *c = set->cases[i];
                for (size_t k = 0; c && k < c->nsteps && !used; k++) {
                    char *gr = realpath(c->steps[k].golden_path, NULL);
                    used = gr && !strcmp(gr, real);
                    free(gr);
                }
            }
            free(real);
            if (!used) {
                diag_add(diags, path, "", "golden file not used by any step of any case");
                found++;
            }
        }
        closedir(sub);
    }
    closedir(d);
    return found;
}

int cmd_lint(int argc, char **argv)
{
    enum { O_GOLDEN = 256, O_HELP };
    static const struct option opts[] = {{"golden-dir", required_argument, NULL, O_GOLDEN},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *golden_dir = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_GOLDEN:
            golden_dir = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    diag_list diags;
    diag_init(&diags);
    loaded_set set;
    if (load_cases((const char *const *)argv + optind, (size_t)(argc - optind), NULL, golden_dir,
                   &set, &diags)) {
        fprintf(stderr, "ecrconform lint: out of memory\n");
        return EXIT_INTERNAL;
    }
    size_t ngoldens = 0;
    for (size_t i = 0; i < set.n; i++)
        if (set.cases[i])
            ngoldens += set.cases[i]->nsteps;
    /* Orphans are only meaningful when the whole corpus was linted. */
    if (optind == argc && !golden_dir) {
        struct stat st;
        if (stat("golden", &st) == 0 && S_ISDIR(st.st_mode))
            report_orphans("golden", &set, &diags);
    }
    diag_print(&diags, stdout);
    printf("lint: %zu case file%s, %zu golden%s, %zu problem%s\n", set.n, set.n == 1 ? "" : "s",
           ngoldens, ngoldens == 1 ? "" : "s", diags.n, diags.n == 1 ? "" : "s");
    int rc = diags.n ? EXIT_INVALID : (set.n ? EXIT_OK : EXIT_INVALID);
    if (!set.n && !diags.n)
        printf("lint: no case files found\n");
    loaded_set_free(&set);
    diag_free(&diags);
    return rc;
}
