/* report_files.h: every report of a run written into one directory
 * (ecrc_report_write_all, declared in ecrc.h), report.json read back
 * (ecrc_report_read_json, ecrc.h). */
#ifndef ECR_REPORT_FILES_H
#define ECR_REPORT_FILES_H

#include "ecr/util.h"
#include "ecrc.h"

#endif
