/* The archive list, GET /api/v1/ChatSession (issue 10, README "The
 * list"): its query parameters' values, the one statement a page runs,
 * its rows as documents and the envelope around them. Core: APR only.
 *
 * A page is one statement over a chat_session row called "cs":
 *
 *   SELECT <the selected fields' columns>, cs.id FROM chat_session cs
 *    [WHERE <$filter>] ORDER BY [<$orderBy>,] cs.id
 *    LIMIT <top + 1> OFFSET <skip>
 *
 * The columns are the field table's (chats_sql_field_cols), the filter
 * and the order chats_filter's, every value (the zone, the filter's
 * literals, the limit and the offset) a bound parameter: the text
 * varies with the shape of the request only, so pages and filters that
 * differ in their values share one prepared statement. cs.id last in
 * the order makes it total, so pages neither repeat nor skip a row; the
 * row past top says that a next page exists. */
#ifndef CHATS_LIST_H
#define CHATS_LIST_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "chats_doc.h"
#include "chats_err.h"
#include "chats_render.h"
#include "chats_sql.h"

#define CHATS_LIST_TOP_DEFAULT 100
#define CHATS_LIST_TOP_MAX     1000
#define CHATS_LIST_SKIP_MAX    2147483647
/** The columns a list shows without $select (D-22). */
#define CHATS_LIST_DEFAULT_SELECT \
    "ChatSessionId,CustomerName,Status,WhenRequested,User"
/** Each row's EntityName, as SuperOffice's archive names the entity. */
#define CHATS_LIST_ENTITY_NAME "chatsession"

/** What a page asks for. */
typedef struct {
    /** chats_select_t (chats_render.h); NULL: the default columns. */
    const apr_array_header_t *select;
    const char *filter;          /**< $filter text, decoded; NULL: none  */
    const char *orderby;         /**< $orderBy text, decoded; NULL: none */
    apr_int64_t top;             /**< rows per page, 0..TOP_MAX          */
    apr_int64_t skip;            /**< rows before the page               */
    /** The request's zone as PostgreSQL names it, NULL for UTC: shown
     * date-times, today and offset-less date-times in the filter. */
    const char *zone;
    /** Only the sessions of this topic (GET ChatTopic/{id}/Sessions);
     * 0: every session. */
    apr_int32_t topic;
} chats_list_in_t;

/** The statement of a page and how to read its rows. */
typedef struct {
    chats_stmt_t stmt;           /**< name NULL: named by its text       */
    int nparams;
    const char **params;
    chats_ptype_e *types;
    /** const chats_field_t *: the fields $filter and $orderBy read (the
     * caller holds them against what it may read). */
    const apr_array_header_t *filter_fields;
    /* How a row reads back (chats_list_row). */
    const chats_field_t **fields;    /**< selected, once each, in order  */
    int nfields;
    int ncols;                       /**< per row, cs.id last            */
    chats_read_e how;
    const apr_array_header_t *select;
    apr_int64_t top;
} chats_list_query_t;

/** A $top or $skip value: decimal digits only, at most max, else
 * CHATS_E_INVALID naming the parameter (name). */
chats_err_t *chats_list_count(apr_pool_t *p, const char *name,
                              const char *text, apr_int64_t max,
                              apr_int64_t *pv);

/** Build the statement of the page in (the filter and the order
 * compiled: their CHATS_E_INVALID errors come back as they are). */
chats_err_t *chats_list_query(apr_pool_t *p, const chats_list_in_t *in,
                              chats_list_query_t **pq);

/** Row i of the page (its columns from values): PrimaryKey, EntityName,
 * then the selected fields as the entity shows them (a carrier selected
 * by members only holds those members). stamps_utc: see
 * chats_entity_from_row. */
chats_doc_t *chats_list_row(apr_pool_t *p, const chats_list_query_t *q,
                            const char *const *values, int stamps_utc);

/** The envelope: odata.metadata, odata.nextLink when next is not NULL,
 * value. rows: chats_doc_t * in page order. xml: the rows' array is an
 * object of "ChatSession" members, so that the XML writer names each
 * row's element so (README "The list", D-26). */
chats_doc_t *chats_list_envelope(apr_pool_t *p, const char *metadata,
                                 const char *next,
                                 const apr_array_header_t *rows, int xml);

#endif
