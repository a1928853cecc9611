/* ecrconform: entry point. Dispatches to the subcommands in cmd_*.c. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs(
        "usage: ecrconform <command> [options]\n"
        "\n"
        "A conformance test harness for the Amazon ECR API.\n"
        "\n"
        "Commands:\n"
        "  run [PATH...]          run cases against an endpoint or the built-in emulator\n"
        "  serve [--port N]       run the built-in ECR emulator for any client\n"
        "  replay [PATH...]       answer the cases' requests from their goldens (for SDK tests)\n"
        "  lint [PATH...]         validate case and golden files without running them\n"
        "  baseline REPORT.json   write a baseline of expected failures from a report\n"
        "  compare REPORT.json... write a side-by-side matrix of several targets' reports\n"
        "  merge REPORT.json...   merge the reports of a run's shards (run --shard K/N) into one\n"
        "  reproduce CASE         build a case's fixture and print its steps as curl commands\n"
        "  cleanup                delete what killed live runs left (journal + harness tag)\n"
        "  record --endpoint URL  rewrite goldens from what a trusted registry answers\n"
        "  diff --endpoint A --endpoint B  where two targets' answers differ (no goldens)\n"
        "\n"
        "Run 'ecrconform <command> --help' for a command's options.\n"
        "\n" CLI_EXIT_CODES_HELP,
        f);
}

int main(int argc, char **argv)
{
    /* libcurl, OpenSSL and libmicrohttpd all write to sockets; a peer that
     * goes away must not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return ECRC_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return ECRC_EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("ecrconform %s\n", ECRCONFORM_VERSION);
        return ECRC_EXIT_OK;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "ecrconform: cannot initialise libcurl\n");
        return ECRC_EXIT_INTERNAL;
    }
    int rc;
    if (!strcmp(cmd, "run"))
        rc = cmd_run(argc - 1, argv + 1);
    else if (!strcmp(cmd, "serve"))
        rc = cmd_serve(argc - 1, argv + 1);
    else if (!strcmp(cmd, "replay"))
        rc = cmd_replay(argc - 1, argv + 1);
    else if (!strcmp(cmd, "lint"))
        rc = cmd_lint(argc - 1, argv + 1);
    else if (!strcmp(cmd, "baseline"))
        rc = cmd_baseline(argc - 1, argv + 1);
    else if (!strcmp(cmd, "compare"))
        rc = cmd_compare(argc - 1, argv + 1);
    else if (!strcmp(cmd, "merge"))
        rc = cmd_merge(argc - 1, argv + 1);
    else if (!strcmp(cmd, "reproduce"))
        rc = cmd_reproduce(argc - 1, argv + 1);
    else if (!strcmp(cmd, "cleanup"))
        rc = cmd_cleanup(argc - 1, argv + 1);
    else if (!strcmp(cmd, "record"))
        rc = cmd_record(argc - 1, argv + 1);
    else if (!strcmp(cmd, "diff"))
        rc = cmd_diff(argc - 1, argv + 1);
    else {
        fprintf(stderr, "ecrconform: unknown command '%s'\n\n", cmd);
        usage(stderr);
        rc = ECRC_EXIT_USAGE;
    }
    curl_global_cleanup();
    return rc;
}
