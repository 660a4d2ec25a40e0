/* What the planner's files share (chats_plan*.c only). Core header. */
#ifndef CHATS_PLAN_PRIVATE_H
#define CHATS_PLAN_PRIVATE_H

#include "chats_plan.h"

/** "$n::type" for a new parameter, or a typed NULL. */
const char *chats_plan_typed_param(chats_plan_t *pl, const char *value,
                                  chats_ptype_e type);

/** Add a check (sql NULL: decided here, pass says how); nothing once a
 * check decided here failed. */
void chats_plan_add_check(chats_plan_t *pl, const char *sql, int pass,
                          chats_err_t *err);

/** The values of a check being made: its slots. */
typedef struct {
    apr_pool_t *p;
    int n;
    const char *val[CHATS_PLAN_SLOTS];
    chats_ptype_e type[CHATS_PLAN_SLOTS];
} chats_slots_t;

void chats_slots_init(chats_slots_t *s, apr_pool_t *p);

/** Value pv in a check's SQL: the row's column, a typed NULL, or a new
 * slot of s. */
const char *chats_slot_sql(chats_slots_t *s, const chats_pval_t *pv);

/** chats_plan_add_check with the values of slots s. */
void chats_plan_add_slot_check(chats_plan_t *pl, const char *sql, int pass,
                               const chats_slots_t *s, chats_err_t *err);

/** The check "a equals b": decided here when both values are known. */
void chats_plan_check_equal(chats_plan_t *pl, chats_pval_t *a,
                            chats_pval_t *b, chats_err_t *err);

/** The value field f has before the current op: set earlier, known
 * here, or the row's. */
chats_pval_t chats_plan_current(chats_plan_t *pl, const chats_field_t *f);

/** f's index in the plan's entity's fields. */
int chats_plan_field_index(const chats_plan_t *pl, const chats_field_t *f);

/** The check "stop is not before start" (times of day): decided here
 * when both values are known. */
void chats_plan_check_not_before(chats_plan_t *pl, chats_pval_t *start,
                                 chats_pval_t *stop, chats_err_t *err);

/** What an op is compiled with: its index for errors (-1: errors name
 * the member instead), and the path of the group it acts in ("Widget/"),
 * which errors put before a member's name; NULL at the top level. */
typedef struct {
    chats_plan_t *pl;
    int index;
    const char *prefix;
} chats_op_ctx_t;

/** The error of a read of write-only field (a test of it, a copy or a
 * move from it). */
chats_err_t *chats_plan_write_only(apr_pool_t *p, const char *field);

/** The op's failure err (its op index set from o). */
void chats_plan_fail(const chats_op_ctx_t *o, chats_err_t *err);

/** An op on field f as a whole (a group: chats_plan_on_group). */
void chats_plan_on_field(const chats_op_ctx_t *o, const chats_field_t *f,
                         chats_opkind_e kind, const chats_doc_t *value);

/** An op on member name of carrier f. */
void chats_plan_on_member(const chats_op_ctx_t *o, const chats_field_t *f,
                          const char *name, chats_opkind_e kind,
                          const chats_doc_t *value);

/* chats_plan_group.c */

/** An op on group g as a whole (design §4.3): replace and add set every
 * member (those value leaves out to empty), remove resets them all, test
 * compares every member. */
void chats_plan_on_group(const chats_op_ctx_t *o, const chats_field_t *g,
                         chats_opkind_e kind, const chats_doc_t *value);

/** An op on a path into group g (tokens t: g, a member, maybe a carrier
 * member's name). */
void chats_plan_on_group_path(const chats_op_ctx_t *o, const chats_field_t *g,
                              const apr_array_header_t *t,
                              chats_opkind_e kind, const chats_doc_t *value);

/** Merge patch obj (an object) into group g at path (RFC 7396: only the
 * named members change). */
void chats_plan_merge_group(chats_plan_t *pl, const chats_field_t *g,
                            const char *path, const chats_doc_t *obj);

/** The groups' pair checks on the resulting values (stop not before
 * start), for pairs the plan writes. */
void chats_plan_pairs(chats_plan_t *pl);

/* chats_plan_json.c */

/** An op below JSON field f (tokens t: f, then a path into its value;
 * ft: the same of a move's or copy's from, below f too, else NULL). */
void chats_plan_on_json(const chats_op_ctx_t *o, const chats_field_t *f,
                        const apr_array_header_t *t,
                        const apr_array_header_t *ft, const chats_op_t *op);

/** Compile one op; index -1: errors name the member, not the op. */
void chats_plan_op(chats_plan_t *pl, const chats_op_t *op, int index);

/** The check that carrier f is set (before or by this plan); failing it
 * is the error a carrier object without its key gets. */
void chats_plan_require_carrier(chats_plan_t *pl, const chats_field_t *f);

/** The (empty) statements' state of a new plan (chats_plan_sql.c). */
struct chats_plan_stmt_t *chats_plan_stmt_make(apr_pool_t *p);

#endif
