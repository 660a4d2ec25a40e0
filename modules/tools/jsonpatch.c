/* jsonpatch: apply an RFC 6902 JSON Patch (or, with --merge, an RFC 7396
 * merge patch) to the JSON document on stdin, with the module's engine.
 *
 *   jsonpatch [--merge] [--all-ops] [--casei] PATCHFILE < DOC
 *
 * Prints the result as one line of JSON. Exit 0 on success, 1 when the
 * input or patch is rejected, 2 on usage errors. The public
 * json-patch-tests suite runs through this tool. */
#include <stdio.h>
#include <string.h>

#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "chats_json.h"
#include "chats_patch.h"

#define JP_CHUNK 4096

typedef struct {
    int merge;
    int flags;
    const char *patch_file;
} jp_opts_t;

static void usage(void)
{
    fprintf(stderr, "usage: jsonpatch [--merge] [--all-ops] [--casei] "
            "PATCHFILE < DOC\n");
}

static int parse_args(jp_opts_t *o, int argc, const char *const *argv)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--merge")) {
            o->merge = 1;
        }
        else if (!strcmp(argv[i], "--all-ops")) {
            o->flags |= CHATS_PATCH_ALL_OPS;
        }
        else if (!strcmp(argv[i], "--casei")) {
            o->flags |= CHATS_PATCH_CASEI | CHATS_PATCH_SLASH_OPT;
        }
        else if (argv[i][0] == '-' && argv[i][1] && !o->patch_file) {
            return 0;
        }
        else if (!o->patch_file) {
            o->patch_file = argv[i];
        }
        else {
            return 0;
        }
    }
    return o->patch_file != NULL;
}

/* Stream a file through the parser, one chunk at a time, as the module
 * does with request buckets. */
static chats_err_t *read_json(chats_doc_t **pdoc, apr_file_t *f,
                              int dup_policy, apr_pool_t *p)
{
    chats_json_limits_t lim;
    chats_json_parser_t *ps;
    chats_err_t *e;
    char buf[JP_CHUNK];
    apr_size_t n;
    apr_status_t rv;

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
            e = chats_err_make(p, CHATS_E_INTERNAL, NULL, "read failed");
            e->rv = rv;
            return e;
        }
    }
    return chats_json_finish(ps, pdoc);
}

static void report(const chats_err_t *e, const char *what)
{
    fprintf(stderr, "jsonpatch: %s: %s%s", chats_err_name(e->code),
            what, e->message ? e->message : "");
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

static chats_err_t *load(chats_doc_t **pdoc, chats_doc_t **ppatch,
                         const jp_opts_t *o, const char **pwhat,
                         apr_pool_t *p)
{
    apr_file_t *in, *pf;
    chats_err_t *e;
    apr_status_t rv;
    /* A patch with repeated members ("op" twice) is ambiguous: refuse it
     * (RFC 6902 A.13). The document itself is plain JSON. */
    int pdup = (o->flags & CHATS_PATCH_CASEI) ? CHATS_JSON_DUP_CASEI
                                              : CHATS_JSON_DUP_REJECT;

    *pwhat = "document: ";
    if ((rv = apr_file_open_stdin(&in, p)) != APR_SUCCESS) {
        e = chats_err_make(p, CHATS_E_INTERNAL, NULL, "no stdin");
        e->rv = rv;
        return e;
    }
    if ((e = read_json(pdoc, in, CHATS_JSON_DUP_LAST, p)) != NULL) {
        return e;
    }
    *pwhat = "patch: ";
    rv = apr_file_open(&pf, o->patch_file, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        e = chats_err_make(p, CHATS_E_INTERNAL, o->patch_file,
                           "cannot open the patch file");
        e->rv = rv;
        return e;
    }
    return read_json(ppatch, pf, pdup, p);
}

static int run(const jp_opts_t *o, apr_pool_t *p)
{
    chats_doc_t *doc, *patch;
    apr_array_header_t *ops;
    const char *what, *out;
    chats_err_t *e;

    if ((e = load(&doc, &patch, o, &what, p)) == NULL) {
        what = "";
        e = o->merge ? chats_merge_to_ops(&ops, doc, patch, o->flags, p)
                     : chats_patch_read(&ops, patch, o->flags, p);
    }
    if (!e) {
        e = chats_patch_apply(&doc, ops, o->flags, NULL, p);
    }
    if (e) {
        report(e, what);
        return 1;
    }
    if (!(out = chats_doc_to_json(p, doc, 0))) {
        fprintf(stderr, "jsonpatch: internal: result nested too deeply\n");
        return 1;
    }
    printf("%s\n", out);
    return fflush(stdout) ? 1 : 0;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    jp_opts_t o;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fprintf(stderr, "jsonpatch: cannot initialize APR\n");
        return 1;
    }
    if (!parse_args(&o, argc, argv)) {
        usage();
        apr_terminate();
        return 2;
    }
    apr_pool_create(&p, NULL);
    rc = run(&o, p);
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
