/* awsconfig.c: reads one profile from the AWS shared configuration files.
 *
 * The parser follows what botocore's configparser accepts for the files the
 * AWS CLI writes: sections, `key = value` (or `key: value`), whole-line
 * comments, indented continuation lines (kept out of our keys: they belong to
 * nested settings such as `s3 =`). Anything else is reported with file:line,
 * as the AWS CLI refuses a file it cannot parse. Keys are case-insensitive
 * (configparser lower-cases them); section names are not.
 */
#include "awsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ecr/util.h"

/* The keys a profile may give us, in the order of aws_profile's members. */
static const char *const KEYS[] = {"aws_access_key_id", "aws_secret_access_key",
                                   "aws_session_token", "region",
                                   "endpoint_url",      "ca_bundle"};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static aws_setting *slot(aws_profile *p, size_t i)
{
    aws_setting *s[NKEYS] = {&p->access_key, &p->secret_key,   &p->session_token,
                             &p->region,     &p->endpoint_url, &p->ca_bundle};
    return s[i];
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Reads the whole file into a new NUL-terminated string. A missing file is
 * *text NULL and ECR_OK: the AWS CLI treats an absent file as empty. */
static ecr_result slurp(const char *path, char **text, diag_list *diags)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return ECR_OK;
        ecr_diag_add(diags, path, "", "cannot read: %s", strerror(errno));
        return ECR_EIO;
    }
    char *data = malloc(ECRC_AWSCFG_MAX_FILE + 1);
    if (!data) {
        fclose(f);
        return ECR_ENOMEM;
    }
    size_t n = fread(data, 1, ECRC_AWSCFG_MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        ecr_diag_add(diags, path, "", "read error");
        return ECR_EIO;
    }
    if (n > ECRC_AWSCFG_MAX_FILE) {
        free(data);
        ecr_diag_add(diags, path, "", "larger than %u bytes: not an AWS configuration file",
                     (unsigned)ECRC_AWSCFG_MAX_FILE);
        return ECR_ETOOBIG;
    }
    if (memchr(data, '\0', n)) {
        free(data);
        ecr_diag_add(diags, path, "", "holds a NUL byte: not an AWS configuration file");
        return ECR_EPARSE;
    }
    data[n] = '\0';
    *text = data;
    return ECR_OK;
}

static void line_diag(diag_list *diags, const char *path, size_t line, const char *msg)
{
    char *where = ecr_asprintf("%s:%zu", path, line);
    ecr_diag_add(diags, where ? where : path, "", "%s", msg);
    free(where);
}

/* Does section header text `sec` (between the brackets, trimmed) name
 * profile `name` in this kind of file? */
static int section_matches(const char *sec, const char *name, int is_config)
{
    if (!is_config)
        return strcmp(sec, name) == 0;
    if (strcmp(name, "default") == 0 && strcmp(sec, "default") == 0)
        return 1;
    if (strncmp(sec, "profile", 7) || (sec[7] != ' ' && sec[7] != '\t'))
        return 0;
    const char *p = sec + 7;
    while (*p == ' ' || *p == '\t')
        p++;
    return strcmp(p, name) == 0;
}

/* Parses one file, storing the wanted profile's keys into p (a later
 * file overwrites an earlier one's values: call config first, credentials
 * second). Returns ECR_OK, ECR_EPARSE (diagnostics added), ECR_ETOOBIG,
 * ECR_EIO or ECR_ENOMEM. */
static ecr_result parse_file(const char *path, const char *name, int is_config, aws_profile *p,
                             diag_list *diags)
{
    char *text;
    ecr_result rc = slurp(path, &text, diags);
    if (rc || !text)
        return rc;
    ecr_result out = ECR_OK;
    int in_wanted = 0, in_section = 0, have_key = 0;
    size_t lineno = 0;
    char *save = text;
    while (save && *save) {
        char *line = save;
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        if (strlen(line) > ECRC_AWSCFG_MAX_LINE) {
            line_diag(diags, path, lineno, "line longer than 4096 bytes");
            out = ECR_EPARSE;
            have_key = 0;
            continue;
        }
        int indented = line[0] == ' ' || line[0] == '\t';
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (indented && have_key)
            continue; /* a continuation or nested setting: not one of ours */
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end || *trim(end + 1)) {
                line_diag(diags, path, lineno, "a section header must be '[name]'");
                out = ECR_EPARSE;
                in_section = in_wanted = have_key = 0;
                continue;
            }
            *end = '\0';
            char *sec = trim(s + 1);
            in_section = 1;
            have_key = 0;
            in_wanted = section_matches(sec, name, is_config);
            if (in_wanted)
                p->found = 1;
            continue;
        }
        size_t k = strcspn(s, "=:");
        if (!s[k] || k == 0) {
            line_diag(diags, path, lineno,
                      s[k] ? "a setting needs a name before '='"
                           : "expected '[section]', 'name = value' or a comment ('#' or ';')");
            out = ECR_EPARSE;
            have_key = 0;
            continue;
        }
        if (!in_section) {
            line_diag(diags, path, lineno, "a setting before any [section] header");
            out = ECR_EPARSE;
            continue;
        }
        have_key = 1;
        s[k] = '\0';
        char *key = trim(s);
        char *value = trim(s + k + 1);
        for (char *c = key; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        if (!in_wanted)
            continue;
        for (size_t i = 0; i < NKEYS; i++) {
            if (strcmp(key, KEYS[i]))
                continue;
            aws_setting *st = slot(p, i);
            char *v = ecr_strdup(value), *f = ecr_strdup(path);
            if (!v || !f) {
                free(v);
                free(f);
                free(text);
                return ECR_ENOMEM;
            }
            free(st->value);
            free(st->file);
            st->value = v;
            st->file = f;
            st->line = lineno;
        }
    }
    free(text);
    return out;
}

ecr_result ecrc_aws_profile_load(const char *name, const char *config_path,
                                 const char *credentials_path, aws_profile *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    if (!name || !*name)
        return ECR_EINVAL;
    ecr_result rc = ECR_OK, r2 = ECR_OK;
    if (config_path && *config_path)
        rc = parse_file(config_path, name, 1, out, diags);
    if (rc != ECR_ENOMEM && credentials_path && *credentials_path)
        r2 = parse_file(credentials_path, name, 0, out, diags);
    return rc ? rc : r2;
}

void ecrc_aws_profile_free(aws_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < NKEYS; i++) {
        aws_setting *s = slot(p, i);
        if (s->value) /* secrets do not linger (a plain memset before free may be elided) */
            OPENSSL_cleanse(s->value, strlen(s->value));
        free(s->value);
        free(s->file);
    }
    memset(p, 0, sizeof *p);
}
