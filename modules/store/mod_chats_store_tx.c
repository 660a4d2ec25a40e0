/* Transactions are the store's: handlers begin, commit and roll back
 * through it, never with SQL of their own, so that the store knows when
 * a statement runs inside one (and must not be run again after a lost
 * connection) and no connection goes back to mod_dbd's pool inside one
 * (chats_store_settle, where the connection goes back). */
#include <apr_strings.h>
#include <string.h>

#include "mod_chats_store_private.h"

/* Fixed texts: BEGIN and COMMIT can change nothing twice, but inside a
 * transaction nothing is run again anyway, and BEGIN runs outside one
 * where a lost connection has taken nothing with it. */
static const chats_stmt_t stmt_begin = {
    "chats_begin", "BEGIN", CHATS_RETRY_SAFE, 0, NULL, NULL, NULL };
static const chats_stmt_t stmt_commit = {
    "chats_commit", "COMMIT", CHATS_RETRY_NEVER, 0, NULL, NULL, NULL };
static const chats_stmt_t stmt_rollback = {
    "chats_rollback", "ROLLBACK", CHATS_RETRY_NEVER, 0, NULL, NULL, NULL };

chats_err_t *chats_store_begin(chats_store_t *st)
{
    PGresult *res;

    if (PQtransactionStatus(st->conn) != PQTRANS_IDLE) {
        return chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                              "a transaction is open already");
    }
    return chats_store_run(st, &stmt_begin, 0, NULL, NULL, &res);
}

chats_err_t *chats_store_commit(chats_store_t *st)
{
    PGTransactionStatusType ts = PQtransactionStatus(st->conn);
    PGresult *res;
    chats_err_t *e;

    /* PostgreSQL answers COMMIT in a failed transaction with ROLLBACK,
     * and outside one with a warning: neither is a commit */
    if (ts != PQTRANS_INTRANS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(417)
                      "COMMIT refused: the transaction is %s",
                      ts == PQTRANS_INERROR ? "aborted" : "not open");
        chats_store_rollback(st);
        return ts == PQTRANS_INERROR || ts == PQTRANS_IDLE
               ? chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                                "database error")
               : chats_store_db_down(st, "commit");
    }
    if ((e = chats_store_run(st, &stmt_commit, 0, NULL, NULL,
                             &res)) != NULL) {
        chats_store_rollback(st);
        return e;
    }
    if (strcmp(PQcmdStatus(res), "COMMIT")) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, st->r, CHATS_LOGNO(419)
                      "COMMIT answered %s", PQcmdStatus(res));
        return chats_err_make(st->r->pool, CHATS_E_INTERNAL, NULL,
                              "database error");
    }
    return NULL;
}

void chats_store_rollback(chats_store_t *st)
{
    PGTransactionStatusType ts = PQtransactionStatus(st->conn);
    PGresult *res;

    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        if (chats_store_run(st, &stmt_rollback, 0, NULL, NULL, &res)) {
            st->reset_on_close = 1;
        }
    }
}

chats_err_t *chats_store_password_hash(chats_store_t *st, const char *login,
                                       const char **phash)
{
    chats_rows_t *rows;
    chats_err_t *e;

    if ((e = chats_store_exec(st, &st->env->sql->password, 1, &login, &rows))) {
        return e;
    }
    if (rows->nrows != 1) {
        return chats_err_make(st->r->pool, CHATS_E_NOT_FOUND, NULL,
                              "no such associate");
    }
    *phash = chats_rows_get(rows, 0, "password_hash");
    return NULL;
}
