/* The request body: its media type, and its bytes fed bucket by bucket
 * into the streaming JSON reader, so that no whole-body buffer exists and
 * the size limit is decided while the body streams in. */
#include <apr_strings.h>

#include "mod_chats_body.h"
#include "chats_entity_xml.h"
#include "chats_json.h"
#include "chats_xml.h"

/* What a caller could send: the media table (chats_media.c); the body's
 * shape decides between the two patch forms for the plain JSON types
 * (the official client always sends application/json). */
chats_err_t *chats_body_media(request_rec *r, chats_media_e *pmedia)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    const chats_media_t *m;
    const char *type;

    if (!ct) {
        return chats_err_make(r->pool, CHATS_E_MEDIA, NULL,
                              "a Content-Type is required: %s",
                              chats_media_list(r->pool, CHATS_MF_XML
                                               | CHATS_MF_ALIAS, 0,
                                               " or "));
    }
    type = ap_field_noparam(r->pool, ct);
    apr_collapse_spaces((char *)type, type);
    if ((m = chats_media_find(type)) != NULL) {
        *pmedia = m->body;
        return NULL;
    }
    return chats_err_make(r->pool, CHATS_E_MEDIA, NULL,
                          "unsupported Content-Type %s", type);
}

static chats_err_t *read_error(request_rec *r, apr_status_t rv)
{
    int status = ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
    chats_err_t *e;

    if (rv == AP_FILTER_ERROR) {
        /* httpd's input filter has answered (with our JSON body). */
        e = chats_err_make(r->pool, CHATS_E_INVALID, NULL, "refused by httpd");
    }
    else if (status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        e = chats_err_make(r->pool, CHATS_E_TOO_BIG, NULL,
                           "request body too large");
    }
    else {
        e = chats_err_make(r->pool, CHATS_E_INVALID, NULL,
                           "request body could not be read");
    }
    e->rv = rv;
    return e;
}

static chats_err_t *too_big(request_rec *r, apr_off_t limit)
{
    return chats_err_make(r->pool, CHATS_E_TOO_BIG, NULL,
                          "request body larger than %" APR_OFF_T_FMT
                          " bytes", limit);
}

/* One streaming reader or the other, fed the same way. */
typedef struct {
    chats_json_parser_t *json;
    chats_xml_parser_t *xml;
    const chats_entity_def_t *def;   /* whose field table types XML */
} chats_reader_t;

static chats_err_t *reader_feed(chats_reader_t *rd, const char *data,
                                apr_size_t len)
{
    return rd->xml ? chats_xml_feed(rd->xml, data, len)
                   : chats_json_feed(rd->json, data, len);
}

static chats_err_t *reader_finish(chats_reader_t *rd, chats_doc_t **pdoc,
                                  apr_pool_t *p)
{
    chats_doc_t *doc;
    chats_err_t *e;

    if (!rd->xml) {
        return chats_json_finish(rd->json, pdoc);
    }
    if ((e = chats_xml_finish(rd->xml, &doc)) != NULL) {
        return e;
    }
    return chats_xml_typed_entity(rd->def, doc, pdoc, p);
}

static chats_err_t *feed_brigade(chats_reader_t *rd,
                                 apr_bucket_brigade *bb, int *peos)
{
    apr_bucket *b;
    const char *data;
    apr_size_t len;
    chats_err_t *e;
    apr_status_t rv;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            *peos = 1;
            break;
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            e = chats_err_make(bb->p, CHATS_E_INVALID, NULL,
                               "request body could not be read");
            e->rv = rv;
            return e;
        }
        if (len && (e = reader_feed(rd, data, len)) != NULL) {
            return e;
        }
    }
    return NULL;
}

chats_err_t *chats_body_read(request_rec *r, const chats_entity_def_t *def,
                             chats_media_e media, apr_off_t limit,
                             chats_doc_t **pdoc)
{
    chats_reader_t rd = { NULL, NULL, NULL };
    apr_bucket_brigade *bb;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t declared;
    chats_err_t *e = NULL;
    apr_status_t rv;
    int eos = 0;

    /* A declared length over the limit needs no reading at all. */
    if (cl && ap_parse_strict_length(&declared, cl) && declared > limit) {
        return too_big(r, limit);
    }
    chats_http_core_errors(r);
    if (media == CHATS_MEDIA_XML) {
        rd.xml = chats_xml_parser_create(r->pool, (apr_size_t)limit);
    }
    else {
        rd.json = chats_json_body_parser(r->pool, (apr_size_t)limit);
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!eos && !e) {
        rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                            APR_BLOCK_READ, HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            return read_error(r, rv);
        }
        e = feed_brigade(&rd, bb, &eos);
        apr_brigade_cleanup(bb);
    }
    if (e) {
        if (e->code == CHATS_E_TOO_BIG) {
            return too_big(r, limit);
        }
        return e;
    }
    rd.def = def;
    return reader_finish(&rd, pdoc, r->pool);
}
