/* awsconfig.h: the AWS shared configuration files (~/.aws/config and
 * ~/.aws/credentials), read the way the AWS CLI reads them, for static keys.
 *
 * Both files are INI: `[section]` headers, `key = value` lines, whole-line
 * comments starting with '#' or ';', blank lines. In the credentials file a
 * section is named after its profile (`[default]`, `[ci]`); in the config file
 * it is `[default]` or `[profile ci]`. One profile's settings are the config
 * file's section overlaid by the credentials file's (the credentials file
 * wins key by key, as in botocore). Nested sub-sections (a line indented
 * under `key =`, e.g. `s3 =`) are skipped; assumed roles, SSO and
 * credential_process are not supported (a profile with only those has no
 * keys, and the run says so).
 *
 * Bounds: a file larger than ECRC_AWSCFG_MAX_FILE or a line longer than
 * ECRC_AWSCFG_MAX_LINE is an error naming the file (and line).
 */
#ifndef ECR_AWSCONFIG_H
#define ECR_AWSCONFIG_H

#include "ecrc.h"

#endif
