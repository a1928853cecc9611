#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awsclient.h"
#include "ecr/json.h"
#include "ecr/util.h"
#include "journal.h"
#include "retry.h"

#define JOURNAL_MAX (64u << 20) /* far beyond any run's repositories */

typedef struct entry {
    char *run;
    char *name;
    int deleted;
} entry;

static void say(const ecrc_cleanup_opts *o, const char *fmt, ...)
{
    if (!o->say)
        return;
    va_list ap;
    va_start(ap, fmt);
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->say(o->user, line);
}

/* Reads the whole journal (a regular file, at most JOURNAL_MAX bytes) into a
 * new NUL-terminated buffer. */
static char *read_journal(const char *path, char *err, size_t errsz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)JOURNAL_MAX) {
        snprintf(err, errsz, "%s: %s", path,
                 fd < 0                 ? strerror(errno)
                 : !S_ISREG(st.st_mode) ? "not a regular file"
                                        : "larger than the journal limit");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *text = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (text && got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!text) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    text[got] = '\0';
    return text;
}

static entry *find(entry *v, size_t n, const char *run, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].run, run) && !strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

/* Sends op with body; returns the parsed 200 body (caller puts), or NULL
 * with the error type (or transport error) in why. */
static json_object *call(aws_client *cl, const char *op, json_object *in, char *why, size_t whysz)
{
    const char *text = json_object_to_json_string_ext(in, ECR_JSON_COMPACT);
    aws_request req = {.operation = op, .body = text, .body_len = strlen(text)};
    aws_response r;
    ecr_result rc = ecrc_retry_call(cl, &req, &r);
    json_object *out = NULL;
    if (rc) {
        snprintf(why, whysz, "%s: %.300s", ecr_strerror(rc), r.transport_error);
    } else if (r.status != 200) {
        snprintf(why, whysz, "%s", ecrc_aws_response_error_type(&r));
    } else {
        size_t rest;
        out = r.body ? ecr_json_parse(r.body, r.body_len, ECR_JSON_PEER, &rest, NULL, NULL) : NULL;
        if (!out)
            snprintf(why, whysz, "HTTP 200 without a JSON body");
    }
    ecrc_aws_response_free(&r);
    return out;
}

static const char *member_str(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

/* 1 when the repository carries the harness tag with value run. */
static int tagged(json_object *tags_reply, const char *run)
{
    json_object *tags = NULL;
    if (!json_object_object_get_ex(tags_reply, "tags", &tags) ||
        !json_object_is_type(tags, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(tags); i++) {
        json_object *t = json_object_array_get_idx(tags, i);
        const char *k = member_str(t, "Key"), *v = member_str(t, "Value");
        if (k && v && !strcmp(k, ECRC_LIVE_TAG_KEY) && !strcmp(v, run))
            return 1;
    }
    return 0;
}

/* One journalled repository: checked and deleted. */
static void clean_one(const ecrc_cleanup_opts *o, ecrc_journal *jw, const entry *e,
                      ecrc_cleanup_stats *st)
{
    char why[512] = "", prefix[64];
    snprintf(prefix, sizeof prefix, "ecrc-%s/", e->run);
    if (strncmp(e->name, prefix, strlen(prefix))) {
        st->kept++;
        say(o, "kept %s: its name lacks the run prefix %s", e->name, prefix);
        return;
    }
    json_object *in = json_object_new_object();
    json_object *names = json_object_new_array();
    json_object_array_add(names, json_object_new_string(e->name));
    json_object_object_add(in, "repositoryNames", names);
    json_object *d = call(o->client, "DescribeRepositories", in, why, sizeof why);
    json_object_put(in);
    if (!d) {
        if (!strcmp(why, "RepositoryNotFoundException")) {
            st->gone++;
            ecrc_journal_record(jw, "deleted", e->run, e->name);
            say(o, "gone %s", e->name);
        } else {
            st->failed++;
            say(o, "FAILED %s: DescribeRepositories: %s", e->name, why);
        }
        return;
    }
    json_object *repos = NULL, *first = NULL;
    const char *arn = NULL;
    if (json_object_object_get_ex(d, "repositories", &repos) &&
        json_object_is_type(repos, json_type_array) && json_object_array_length(repos) == 1 &&
        (first = json_object_array_get_idx(repos, 0)) &&
        !strcmp(member_str(first, "repositoryName") ? member_str(first, "repositoryName") : "",
                e->name))
        arn = member_str(first, "repositoryArn");
    if (!arn) {
        st->failed++;
        say(o, "FAILED %s: DescribeRepositories answered without its repositoryArn", e->name);
        json_object_put(d);
        return;
    }
    in = json_object_new_object();
    json_object_object_add(in, "resourceArn", json_object_new_string(arn));
    json_object_put(d);
    json_object *tags = call(o->client, "ListTagsForResource", in, why, sizeof why);
    json_object_put(in);
    if (!tags) {
        st->failed++;
        say(o, "FAILED %s: ListTagsForResource: %s (not deleted: the harness tag is unproven)",
            e->name, why);
        return;
    }
    int ours = tagged(tags, e->run);
    json_object_put(tags);
    if (!ours) {
        st->kept++;
        say(o, "kept %s: it lacks the harness tag %s=%s", e->name, ECRC_LIVE_TAG_KEY, e->run);
        return;
    }
    in = json_object_new_object();
    json_object_object_add(in, "repositoryName", json_object_new_string(e->name));
    json_object_object_add(in, "force", json_object_new_boolean(1));
    json_object *del = call(o->client, "DeleteRepository", in, why, sizeof why);
    json_object_put(in);
    if (del || !strcmp(why, "RepositoryNotFoundException")) {
        st->deleted++;
        ecrc_journal_record(jw, "deleted", e->run, e->name);
        say(o, "deleted %s", e->name);
    } else {
        st->failed++;
        say(o, "FAILED %s: DeleteRepository: %s", e->name, why);
    }
    json_object_put(del);
}

ecr_result ecrc_cleanup_run(const ecrc_cleanup_opts *o, ecrc_cleanup_stats *st, char *err,
                            size_t errsz)
{
    memset(st, 0, sizeof *st);
    char *text = read_journal(o->journal, err, errsz);
    if (!text)
        return ECR_EIO;
    entry *v = NULL;
    size_t n = 0;
    ecr_result rc = ECR_OK;
    char *save = NULL;
    size_t lineno = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t rest;
        json_object *j = ecr_json_parse(line, strlen(line), ECR_JSON_PEER, &rest, NULL, NULL);
        const char *ev = member_str(j, "event"), *run = member_str(j, "run"),
                   *name = member_str(j, "repository");
        if (!ev || !run || !name) {
            /* A crash can cut the last line short: it was never acted on
             * (the CreateRepository comes after the sync). */
            st->bad_lines++;
            json_object_put(j);
            continue;
        }
        entry *e = find(v, n, run, name);
        if (!e && !strcmp(ev, "create")) {
            entry *nv = realloc(v, (n + 1) * sizeof *nv);
            if (!nv) {
                json_object_put(j);
                rc = ECR_ENOMEM;
                break;
            }
            v = nv;
            e = &v[n];
            e->run = ecr_strdup(run);
            e->name = ecr_strdup(name);
            e->deleted = 0;
            if (!e->run || !e->name) {
                free(e->run);
                free(e->name);
                json_object_put(j);
                rc = ECR_ENOMEM;
                break;
            }
            n++;
        }
        if (e && !strcmp(ev, "deleted"))
            e->deleted = 1;
        else if (e && !strcmp(ev, "create"))
            e->deleted = 0;
        json_object_put(j);
    }
    free(text);
    ecrc_journal *jw = rc ? NULL : ecrc_journal_open(o->journal, o->endpoint, "", err, errsz);
    if (!rc && !jw)
        rc = ECR_EIO;
    for (size_t i = 0; !rc && i < n; i++) {
        st->journalled++;
        if (!v[i].deleted)
            clean_one(o, jw, &v[i], st);
    }
    ecrc_journal_close(jw);
    for (size_t i = 0; i < n; i++) {
        free(v[i].run);
        free(v[i].name);
    }
    free(v);
    if (rc == ECR_ENOMEM)
        snprintf(err, errsz, "out of memory");
    return rc;
}
