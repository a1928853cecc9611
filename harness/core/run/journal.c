#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ecr/json.h"
#include "ecr/util.h"

struct ecrc_journal {
    int fd;
    char *path;
    char *endpoint;
    char *region;
    pthread_mutex_t mu;
};

ecrc_journal *ecrc_journal_open(const char *path, const char *endpoint, const char *region,
                                char *err, size_t errsz)
{
    char *dir = ecr_strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash && slash != dir) {
        *slash = '\0';
        if (ecr_mkdir_p(dir)) {
            snprintf(err, errsz, "%s: cannot create the directory", dir);
            free(dir);
            return NULL;
        }
    }
    free(dir);
    ecrc_journal *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&j->mu, NULL);
    /* O_NOFOLLOW: a symlink planted at the journal's path is never written
     * through. */
    j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    j->path = ecr_strdup(path);
    j->endpoint = ecr_strdup(endpoint ? endpoint : "");
    j->region = ecr_strdup(region ? region : "");
    /* The new file's directory entry must survive a crash too. */
    char *parent = ecr_strdup(path);
    char *cut = parent ? strrchr(parent, '/') : NULL;
    if (cut)
        *cut = '\0';
    int dfd = parent
                  ? open(cut ? (*parent ? parent : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                  : -1;
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(parent);
    if (j->fd < 0 || !j->path || !j->endpoint || !j->region) {
        snprintf(err, errsz, "%s: %s", path, j->fd < 0 ? strerror(errno) : "out of memory");
        ecrc_journal_close(j);
        return NULL;
    }
    return j;
}

const char *ecrc_journal_path(const ecrc_journal *j)
{
    return j ? j->path : "";
}

ecr_result ecrc_journal_record(ecrc_journal *j, const char *event, const char *run_id,
                               const char *name)
{
    json_object *o = json_object_new_object();
    if (!o)
        return ECR_ENOMEM;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "run", json_object_new_string(run_id));
    json_object_object_add(o, "repository", json_object_new_string(name));
    json_object_object_add(o, "endpoint", json_object_new_string(j->endpoint));
    json_object_object_add(o, "region", json_object_new_string(j->region));
    json_object_object_add(o, "time", json_object_new_string(when));
    char *line = ecr_asprintf("%s\n", json_object_to_json_string_ext(o, ECR_JSON_COMPACT));
    json_object_put(o);
    if (!line)
        return ECR_ENOMEM;
    size_t len = strlen(line);
    pthread_mutex_lock(&j->mu);
    ssize_t w = write(j->fd, line, len);
    int synced = w == (ssize_t)len && fsync(j->fd) == 0;
    pthread_mutex_unlock(&j->mu);
    free(line);
    return synced ? ECR_OK : ECR_EIO;
}

void ecrc_journal_close(ecrc_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    pthread_mutex_destroy(&j->mu);
    free(j->path);
    free(j->endpoint);
    free(j->region);
    free(j);
}
