/* Which <Location> serves which family (README "Routes"): read from the
 * configuration tree in post_config, as httpd runs no directive of ours
 * in a section that only says SetHandler chatsession, so the section's
 * path never reaches our per-directory record. A <Location> mounts the
 * family whose segments end its path (/tenant/api/v1/ChatSession), or
 * the one its ChatSessionFamily names (/desk/sessions); a request is
 * routed by what follows the longest mount that starts its URI, which is
 * the section httpd matched. Glue. */
#include <apr_hash.h>
#include <apr_strings.h>

#include "http_core.h"

#include "mod_chats_private.h"
#include "chats_routes.h"

typedef struct {
    const char *path;          /* without a trailing '/' */
    apr_size_t len;
    int family;
} chats_mount_t;

/* The family a <Location> section mounts, or -1. */
static int family_of(apr_pool_t *p, const ap_directive_t *loc,
                     const char *path)
{
    const ap_directive_t *d;

    for (d = loc->first_child; d; d = d->next) {
        if (!strcasecmp(d->directive, "ChatSessionFamily")) {
            return chats_route_family_of_label(chats_tree_arg(p, d));
        }
    }
    return chats_route_family_of_path(path);
}

static void add_location(apr_pool_t *p, const ap_directive_t *loc,
                         apr_array_header_t *mounts)
{
    char *path = apr_pstrdup(p, chats_tree_arg(p, loc));
    apr_size_t n = strlen(path);
    chats_mount_t *m;
    int fam;

    if (n && path[n - 1] == '>') {
        path[--n] = '\0';
    }
    /* "~" and <LocationMatch> are regular expressions: no mount. */
    if (path[0] != '/' || (fam = family_of(p, loc, path)) < 0) {
        return;
    }
    while (n > 0 && path[n - 1] == '/') {
        path[--n] = '\0';        /* <Location />: the empty prefix */
    }
    m = apr_array_push(mounts);
    m->path = path;
    m->len = n;
    m->family = fam;
}

/* One server's <Location> sections (not descending into <VirtualHost>,
 * a server of its own). */
static void scan(apr_pool_t *p, const ap_directive_t *d,
                 apr_array_header_t *mounts)
{
    for (; d; d = d->next) {
        if (chats_tree_is_vhost(d)) {
            continue;
        }
        if (!strcasecmp(d->directive, "<Location")) {
            add_location(p, d, mounts);
        }
        else if (d->first_child) {
            scan(p, d->first_child, mounts);
        }
    }
}

void chats_mounts_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_hash_t *all = apr_hash_make(pconf);
    apr_array_header_t *main_mounts = apr_array_make(pconf, 4,
                                                     sizeof(chats_mount_t));
    server_rec *v;

    scan(pconf, ap_conftree, main_mounts);
    for (v = s; v; v = v->next) {
        const ap_directive_t *vh = chats_tree_vhost(v);
        apr_array_header_t *m = apr_array_copy(pconf, main_mounts);
        server_rec **key = apr_palloc(pconf, sizeof(*key));

        /* A virtual host has the main server's sections and its own. */
        if (vh) {
            scan(pconf, vh->first_child, m);
        }
        *key = v;
        apr_hash_set(all, key, sizeof(*key), m);
    }
    for (v = s; v; v = v->next) {
        chats_srv_conf(v)->mounts = all;
    }
}

apr_ssize_t chats_mount_find(const request_rec *r, int *pfamily)
{
    apr_hash_t *all = chats_srv_conf(r->server)->mounts;
    const server_rec *s = r->server;
    const apr_array_header_t *mounts = all ? apr_hash_get(all, &s, sizeof(s))
                                           : NULL;
    apr_ssize_t best = -1;
    int i;

    for (i = 0; mounts && i < mounts->nelts; i++) {
        const chats_mount_t *m = &APR_ARRAY_IDX(mounts, i, chats_mount_t);

        if ((apr_ssize_t)m->len > best && !strncmp(r->uri, m->path, m->len)
            && (r->uri[m->len] == '\0' || r->uri[m->len] == '/')) {
            best = (apr_ssize_t)m->len;
            *pfamily = m->family;
        }
    }
    return best;
}
