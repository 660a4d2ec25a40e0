/* jsonpatch: apply an RFC 6902 JSON Patch (or, with --merge, an RFC 7396
 * merge patch) to a JSON document with the module's own engine, so that a
 * patch can be tried, and the public json-patch-tests suite run, without
 * httpd or PostgreSQL. The manual is modules/tools/jsonpatch.1; the exit
 * codes are the table below, and both must say the same. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "chats_json.h"
#include "chats_patch.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define JP_CHUNK 4096

/* Exit codes: a script tells "the test failed" from "the patch is
 * broken" from "the file is missing" without parsing stderr. */
enum {
    JP_OK = 0,        /* applied; the result is on stdout              */
    JP_TEST = 1,      /* a "test" op did not match                     */
    JP_USAGE = 2,     /* bad command line                              */
    JP_INVALID = 3,   /* document or patch is not valid JSON / a patch */
    JP_NOAPPLY = 4,   /* a path the patch names is not in the document */
    JP_IO = 5         /* a file could not be opened, read or written   */
};

typedef struct {
    int merge;
    int flags;
    const char *patch_file;
    const char *doc_file;   /* NULL or "-": standard input */
} jp_opts_t;

static const char usage_text[] =
    "usage: jsonpatch [OPTION]... PATCH [DOCUMENT]\n"
    "Apply the JSON Patch (RFC 6902) in the file PATCH to the JSON document\n"
    "in DOCUMENT (standard input when absent or '-') and print the result\n"
    "as one line of JSON. PATCH may be '-' when DOCUMENT is a file.\n"
    "\n"
    "  -m, --merge     PATCH is a JSON Merge Patch (RFC 7396)\n"
    "  -a, --all-ops   also allow \"move\" and \"copy\" (SuperOffice's API\n"
    "                  takes add, remove, replace and test only)\n"
    "  -i, --casei     match member names ignoring case and take paths\n"
    "                  without the leading '/', as the module does\n"
    "  -h, --help      print this help and exit\n"
    "  -V, --version   print the version and exit\n"
    "\n"
    "Exit status: 0 applied, 1 a \"test\" op failed, 2 usage error,\n"
    "3 invalid document or patch, 4 the patch does not apply to the\n"
    "document (a path is missing), 5 input/output error.\n";

static void usage_error(const char *why, const char *arg)
{
    fprintf(stderr, "jsonpatch: %s%s%s\n", why, arg ? ": " : "",
            arg ? arg : "");
    fprintf(stderr, "Try 'jsonpatch --help' for more information.\n");
}

/* Returns -1 to go on, or the exit code (help, version, usage error). */
static int parse_args(jp_opts_t *o, int argc, const char *const *argv)
{
    int i, nargs = 0, opts_done = 0;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!opts_done && a[0] == '-' && a[1]) {
            if (!strcmp(a, "--")) {
                opts_done = 1;
            }
            else if (!strcmp(a, "-m") || !strcmp(a, "--merge")) {
                o->merge = 1;
            }
            else if (!strcmp(a, "-a") || !strcmp(a, "--all-ops")) {
                o->flags |= CHATS_PATCH_ALL_OPS;
            }
            else if (!strcmp(a, "-i") || !strcmp(a, "--casei")) {
                o->flags |= CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT;
            }
            else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                fputs(usage_text, stdout);
                return fflush(stdout) ? JP_IO : JP_OK;
            }
            else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
                printf("jsonpatch (mod_chatsession) %s\n", PACKAGE_VERSION);
                return fflush(stdout) ? JP_IO : JP_OK;
            }
            else {
                usage_error("unknown option", a);
                return JP_USAGE;
            }
            continue;
        }
        if (nargs == 0) {
            o->patch_file = a;
        }
        else if (nargs == 1) {
            o->doc_file = a;
        }
        nargs++;
    }
    if (nargs == 0) {
        usage_error("no PATCH file given", NULL);
        return JP_USAGE;
    }
    if (nargs > 2) {
        usage_error("too many arguments", argv[argc - 1]);
        return JP_USAGE;
    }
    if (!strcmp(o->patch_file, "-")
        && (!o->doc_file || !strcmp(o->doc_file, "-"))) {
        usage_error("PATCH and DOCUMENT cannot both be standard input", NULL);
        return JP_USAGE;
    }
    return -1;
}

static int is_stdin(const char *name)
{
    return !name || !strcmp(name, "-");
}

static chats_err_t *io_error(apr_pool_t *p, const char *name, const char *what,
                             apr_status_t rv)
{
    char buf[256];

    return chats_err_make(p, CHATS_E_INTERNAL, NULL, "%s: %s: %s", name,
                          what, apr_strerror(rv, buf, sizeof(buf)));
}

/* Stream a file through the parser, one chunk at a time, as the module
 * does with request buckets. I/O errors set *io. */
static chats_err_t *read_json(chats_doc_t **pdoc, const char *name,
                              int dup_policy, int *io, apr_pool_t *p)
{
    chats_json_limits_t lim;
    chats_json_parser_t *ps;
    chats_err_t *e;
    apr_file_t *f;
    char buf[JP_CHUNK];
    apr_size_t n;
    apr_status_t rv;

    rv = is_stdin(name) ? apr_file_open_stdin(&f, p)
                        : apr_file_open(&f, name, APR_FOPEN_READ,
                                        APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        *io = 1;
        return io_error(p, is_stdin(name) ? "-" : name, "cannot open", rv);
    }
    memset(&lim, 0, sizeof(lim));
    lim.dup_policy = dup_policy;
    ps = chats_json_parser_create(p, &lim);
    for (;;) {
        n = sizeof(buf);
        rv = apr_file_read(f, buf, &n);
        if (n > 0 && (e = chats_json_feed(ps, buf, n)) != NULL) {
            return e;
        }
        if (APR_STATUS_IS_EOF(rv)) {
            break;
        }
        if (rv != APR_SUCCESS) {
            *io = 1;
            return io_error(p, is_stdin(name) ? "-" : name, "cannot read", rv);
        }
    }
    return chats_json_finish(ps, pdoc);
}

static void report(const chats_err_t *e, const char *what)
{
    fprintf(stderr, "jsonpatch: %s%s", what, e->message ? e->message : "");
    if (e->op_index >= 0 && e->field) {
        fprintf(stderr, " (op %d, field %s)", e->op_index, e->field);
    }
    else if (e->op_index >= 0) {
        fprintf(stderr, " (op %d)", e->op_index);
    }
    else if (e->field) {
        fprintf(stderr, " (field %s)", e->field);
    }
    fputc('\n', stderr);
}

static int exit_code(const chats_err_t *e)
{
    switch (e->code) {
    case CHATS_E_TEST_FAILED:
        return JP_TEST;
    case CHATS_E_PATH:
        return JP_NOAPPLY;
    default:
        return JP_INVALID;
    }
}

static int run(const jp_opts_t *o, apr_pool_t *p)
{
    chats_doc_t *doc, *patch;
    apr_array_header_t *ops;
    const char *what = "document: ", *out;
    chats_err_t *e;
    int io = 0;
    /* A patch with repeated members ("op" twice) is ambiguous: refuse it
     * (RFC 6902 A.13). The document itself is plain JSON. */
    int pdup = (o->flags & CHATS_PATCH_CASEI) ? CHATS_JSON_DUP_CASEI
                                              : CHATS_JSON_DUP_REJECT;

    /* The patch first: a broken patch is reported before a long document
     * on standard input is read. */
    e = read_json(&patch, o->patch_file, pdup, &io, p);
    if (e) {
        what = "patch: ";
    }
    else {
        e = read_json(&doc, o->doc_file, CHATS_JSON_DUP_LAST, &io, p);
    }
    if (!e) {
        what = "";
        e = o->merge ? chats_merge_to_ops(&ops, doc, patch, o->flags, p)
                     : chats_patch_read(&ops, patch, o->flags, p);
    }
    if (!e) {
        e = chats_patch_apply(&doc, ops, o->flags, NULL, p);
    }
    if (e) {
        report(e, io ? "" : what);
        return io ? JP_IO : exit_code(e);
    }
    if (!(out = chats_doc_to_json(p, doc, 0))) {
        fprintf(stderr, "jsonpatch: the result is nested too deeply\n");
        return JP_INVALID;
    }
    if (printf("%s\n", out) < 0 || fflush(stdout)) {
        perror("jsonpatch: standard output");
        return JP_IO;
    }
    return JP_OK;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    jp_opts_t o;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fprintf(stderr, "jsonpatch: cannot initialize APR\n");
        return JP_IO;
    }
    if ((rc = parse_args(&o, argc, argv)) >= 0) {
        apr_terminate();
        return rc;
    }
    apr_pool_create(&p, NULL);
    rc = run(&o, p);
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
