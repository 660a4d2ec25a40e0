/* RFC 6902 JSON Patch and RFC 7396 Merge Patch over chats_doc_t. Generic:
 * knows nothing of HTTP, SQL or chat sessions; the endpoint's rules come in
 * through flags and a hook. Core header. */
#ifndef CHATS_PATCH_H
#define CHATS_PATCH_H

#include "chats_doc.h"
#include "chats_err.h"

typedef enum {
    CHATS_OP_ADD, CHATS_OP_REMOVE, CHATS_OP_REPLACE,
    CHATS_OP_MOVE, CHATS_OP_COPY, CHATS_OP_TEST,
    CHATS_OP_SKIP           /**< set by a hook: do nothing for this op */
} chats_opkind_e;

typedef struct {
    chats_opkind_e kind;
    const char *path;       /**< JSON pointer as given                  */
    const char *from;       /**< move/copy source, else NULL            */
    chats_doc_t *value;     /**< add/replace/test, else NULL            */
    const char *member;     /**< merge: member path for errors ("User/AssociateId"); NULL for 6902 ops */
} chats_op_t;

#define CHATS_PATCH_CASEI     0x01  /**< member names match ignoring case */
#define CHATS_PATCH_SLASH_OPT 0x02  /**< leading '/' of a path optional  */
#define CHATS_PATCH_ALL_OPS   0x04  /**< allow move and copy              */

/** Split a JSON pointer into unescaped tokens (~1 -> /, ~0 -> ~).
 * "" is the whole document (0 tokens). Without CHATS_PATCH_SLASH_OPT a
 * non-empty pointer must start with '/'. Errors: CHATS_E_INVALID. */
chats_err_t *chats_pointer_parse(apr_array_header_t **ptokens,
                                 const char *ptr, int flags, apr_pool_t *p);

/** Read a JSON Patch document (an array of op objects) into an array of
 * chats_op_t. Errors (CHATS_E_INVALID, with op_index): not an array, op
 * not an object, missing/unknown "op", missing "path", missing "value"
 * for add/replace/test, missing "from" for move/copy, move/copy without
 * CHATS_PATCH_ALL_OPS. With CHATS_PATCH_CASEI the op member names ("op",
 * "path", ...) also match ignoring case. */
chats_err_t *chats_patch_read(apr_array_header_t **pops,
                              const chats_doc_t *patch, int flags,
                              apr_pool_t *p);

/** Convert an RFC 7396 merge patch into ops that, applied to target,
 * give the merge result: null -> remove (only where the member exists),
 * object into object -> recurse, anything else -> add of the value with
 * nulls stripped. A non-object patch replaces the whole document. Each
 * op's member is set to the member path. */
chats_err_t *chats_merge_to_ops(apr_array_header_t **pops,
                                const chats_doc_t *target,
                                const chats_doc_t *merge, int flags,
                                apr_pool_t *p);

/** Called before each op is applied with its parsed path tokens (char *)
 * and the document as it stands. It may rewrite op (kind, path, value:
 * the engine re-parses a changed path) or return an error; the engine
 * sets the error's op_index. */
typedef chats_err_t *chats_patch_prepare_fn(void *ctx, int index,
                                            chats_op_t *op,
                                            const apr_array_header_t *tokens,
                                            const chats_doc_t *doc,
                                            apr_pool_t *p);

typedef struct {
    chats_patch_prepare_fn *prepare;   /**< may be NULL */
    void *ctx;
} chats_patch_hooks_t;

/** Apply ops in order to a copy of *pdoc; on success *pdoc is the new
 * document, on error *pdoc is untouched (all or nothing). Errors carry
 * the op index: CHATS_E_PATH (target/parent missing, bad array index),
 * CHATS_E_TEST_FAILED, CHATS_E_INVALID, or the hook's error. */
chats_err_t *chats_patch_apply(chats_doc_t **pdoc,
                               const apr_array_header_t *ops, int flags,
                               const chats_patch_hooks_t *hooks,
                               apr_pool_t *p);

#endif
