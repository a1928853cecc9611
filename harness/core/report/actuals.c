/* actuals.c: <report_dir>/actual, emptied only when it is ours (actuals.h). */
#define _GNU_SOURCE /* nftw's FTW_DEPTH, FTW_PHYS and FTW_MOUNT */
#include "actuals.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecr/util.h"
#include "report_json.h"

/* The first message wins: it names the first failure. */
static void set_why(char **why, char *msg)
{
    if (why && !*why)
        *why = msg;
    else
        free(msg);
}

/* 1 when dir/ECRC_ACTUAL_MARKER is a regular file (not a link) holding
 * exactly ECRC_ACTUAL_MARKER_TEXT. */
static int has_marker(const char *dir)
{
    char *path = ecr_asprintf("%s/%s", dir, ECRC_ACTUAL_MARKER);
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return 0;
    struct stat st;
    char text[sizeof ECRC_ACTUAL_MARKER_TEXT + 1];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, text, sizeof text);
    close(fd);
    return n == (ssize_t)(sizeof ECRC_ACTUAL_MARKER_TEXT - 1) &&
           memcmp(text, ECRC_ACTUAL_MARKER_TEXT, (size_t)n) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

ecr_result ecrc_actuals_open(ecrc_actuals *a, const char *report_dir, char **why)
{
    memset(a, 0, sizeof *a);
    a->dir = ecr_asprintf("%s/actual", report_dir ? report_dir : "reports");
    if (!a->dir) {
        set_why(why, ecr_strdup("out of memory"));
        return ECR_ENOMEM;
    }
    struct stat st;
    if (lstat(a->dir, &st) != 0) {
        if (errno == ENOENT) {
            a->usable = 1;
            return ECR_OK;
        }
        set_why(why, ecr_asprintf("cannot inspect %s: %s", a->dir, strerror(errno)));
        return ECR_EIO;
    }
    if (S_ISLNK(st.st_mode)) {
        set_why(why, ecr_asprintf("%s is a symbolic link", a->dir));
        return ECR_EINVAL;
    }
    if (!S_ISDIR(st.st_mode)) {
        set_why(why, ecr_asprintf("%s exists and is not a directory", a->dir));
        return ECR_EINVAL;
    }
    if (!has_marker(a->dir)) {
        set_why(why, ecr_asprintf("%s exists and was not made by ecrconform (it has no %s marker)",
                                  a->dir, ECRC_ACTUAL_MARKER));
        return ECR_EINVAL;
    }
    /* Ours: emptied, itself included (the first write makes it again).
     * FTW_PHYS: a symbolic link inside is removed, never followed;
     * FTW_MOUNT: a file system mounted below is not entered. */
    if (nftw(a->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0) {
        set_why(why, ecr_asprintf("cannot empty %s: %s", a->dir, strerror(errno)));
        return ECR_EIO;
    }
    a->usable = 1;
    return ECR_OK;
}

/* Makes the directory with its marker on the first write. The directory
 * itself is made with mkdir, not mkdir -p: when something appeared at that
 * path since ecrc_actuals_open, it is not ours, unless it carries the marker. */
static ecr_result make_dir(ecrc_actuals *a, char **why)
{
    const char *slash = strrchr(a->dir, '/');
    char *parent = ecr_strndup(a->dir, slash ? (size_t)(slash - a->dir) : 0);
    if (!parent)
        return ECR_ENOMEM;
    ecr_result rc = parent[0] ? ecr_mkdir_p(parent) : ECR_OK;
    free(parent);
    if (rc) {
        set_why(why, ecr_asprintf("cannot create the directory of %s", a->dir));
        return rc;
    }
    if (mkdir(a->dir, 0777) != 0) {
        struct stat st;
        if (errno == EEXIST && lstat(a->dir, &st) == 0 && S_ISDIR(st.st_mode) &&
            has_marker(a->dir)) {
            a->ready = 1;
            return ECR_OK;
        }
        a->usable = 0;
        set_why(why,
                ecr_asprintf("cannot create %s: %s", a->dir,
                             errno == EEXIST ? "something else appeared there" : strerror(errno)));
        return ECR_EIO;
    }
    char *marker = ecr_asprintf("%s/%s", a->dir, ECRC_ACTUAL_MARKER);
    if (!marker)
        return ECR_ENOMEM;
    FILE *f = fopen(marker, "wx");
    int ok = f && fputs(ECRC_ACTUAL_MARKER_TEXT, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        set_why(why, ecr_asprintf("cannot write %s", marker));
        free(marker);
        a->usable = 0;
        return ECR_EIO;
    }
    free(marker);
    a->ready = 1;
    return ECR_OK;
}

/* A name that stays one path component below the directory. */
static int plain_name(const char *s)
{
    return s && s[0] && s[0] != '.' && !strchr(s, '/');
}

ecr_result ecrc_actuals_write_case(ecrc_actuals *a, case_report *cr, char **why)
{
    if (!a || !a->usable)
        return ECR_OK;
    ecr_result first = ECR_OK;
    for (size_t i = 0; i < cr->nsteps; i++) {
        step_report *sr = &cr->steps[i];
        if (!sr->actual_doc)
            continue;
        ecr_result rc = ECR_OK;
        char *casedir = NULL, *path = NULL;
        if (!plain_name(cr->id) || !plain_name(sr->name)) {
            rc = ECR_EINVAL;
            set_why(why, ecr_asprintf("case '%s' step '%s': not a plain file name, not recorded",
                                      cr->id ? cr->id : "", sr->name ? sr->name : ""));
        } else if (!a->ready && (rc = make_dir(a, why)) != ECR_OK) {
            /* why says so */
        } else if (!(casedir = ecr_asprintf("%s/%s", a->dir, cr->id)) ||
                   !(path = ecr_asprintf("%s/%s.json", casedir, sr->name))) {
            rc = ECR_ENOMEM;
        } else if ((rc = ecr_mkdir_p(casedir)) != ECR_OK ||
                   (rc = ecrc_report_json_save(sr->actual_doc, path)) != ECR_OK) {
            set_why(why, ecr_asprintf("cannot write %s", path));
        } else {
            free(sr->actual);
            sr->actual = path;
            path = NULL;
        }
        free(casedir);
        free(path);
        if (rc && !first)
            first = rc;
        if (!a->usable)
            break;
    }
    return first;
}

void ecrc_actuals_close(ecrc_actuals *a)
{
    if (!a)
        return;
    free(a->dir);
    a->dir = NULL;
    a->usable = a->ready = 0;
}
