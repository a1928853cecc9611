/* report_stream.h: the per-case result stream of `run --stream-jsonl`
 * (docs/REPORTS.md): one JSON object per line, written as each case
 * finishes, for tools that follow a run as it goes (the pytest plugin,
 * docs/PYTEST.md). The public interface is in ecrc.h (ecrc_stream_*); this
 * header only names the module.
 */
#ifndef ECR_REPORT_STREAM_H
#define ECR_REPORT_STREAM_H

#include "ecrc.h"

#endif
