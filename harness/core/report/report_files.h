/* report_files.h: every report of a run written into one directory
 * (ecrc_report_write_all, declared in ecrc.h), report.json read back
 * (ecrc_report_read_json, ecrc.h), and the directory helper they share. */
#ifndef ECR_REPORT_FILES_H
#define ECR_REPORT_FILES_H

#include "ecrc.h"

/* mkdir -p: creates dir and its missing parents (mode 0777 before umask).
 * Returns ECR_EIO when that fails or dir exists but is not a directory. */
ecr_result ecrc_report_make_dirs(const char *dir);

#endif
