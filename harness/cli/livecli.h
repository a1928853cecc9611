/* livecli.h: what the commands share about live registries (docs/LIVE.md):
 * the --allow-live gate and the signal handling of a live run. */
#ifndef ECR_LIVECLI_H
#define ECR_LIVECLI_H

#include <signal.h>

#include "ecrc.h"

/* Decides whether endpoint (NULL or builtin: the built-in emulator) is live:
 * any host that is not literal loopback is. Sets *live to 1 when live rules
 * apply (a live endpoint, or live_rules asked for them). Returns 0, or -1
 * after printing "<cmd>: <endpoint> is a live registry ... --allow-live"
 * when the endpoint is live and allow_live is 0: nothing may be sent then
 * (no name is even looked up). */
int livecli_gate(const char *cmd, const char *endpoint, int builtin, int allow_live, int live_rules,
                 int *live);

/* Installs SIGINT and SIGTERM handlers: the first sets the returned flag
 * (the runner then starts no new case and tears down what it created), a
 * second one exits at once with 128+signal, leaving the journal for
 * `ecrconform cleanup`. Returns the flag. */
volatile sig_atomic_t *livecli_signals_install(void);

/* The signal that set the flag, or 0. */
int livecli_signal_caught(void);

#endif
