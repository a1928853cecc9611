/* livecli.c: the --allow-live gate and a live run's signals. */
#include "livecli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

int livecli_gate(const char *cmd, const char *endpoint, int builtin, int allow_live, int live_rules,
                 int *live)
{
    int is_live = !builtin && !ecrc_live_endpoint_is_loopback(endpoint);
    *live = is_live || live_rules;
    if (is_live && !allow_live) {
        fprintf(stderr,
                "%s: %s is a live registry (not loopback): refusing to send anything without "
                "--allow-live. Under live rules the run creates only repositories with its run "
                "prefix and tag, journals them, and names no other repository (docs/LIVE.md).\n",
                cmd, endpoint ? endpoint : "(endpoint)");
        return -1;
    }
    return 0;
}

static void on_signal(int sig)
{
    if (g_stop) {
        /* Second signal: out now. The journal has every repository that
         * may exist; `ecrconform cleanup` removes them. */
        static const char msg[] = "\necrconform: second signal: exiting now; run 'ecrconform "
                                  "cleanup' to delete what this run left\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(128 + sig);
    }
    g_stop = sig;
}

volatile sig_atomic_t *livecli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &g_stop;
}

int livecli_signal_caught(void)
{
    return (int)g_stop;
}
