/* SuperOffice's own Authorization scheme, named once: our AuthType's
 * table and challenge (auth/mod_chats_auth.c, mod_chats_ticket.c), the
 * counters' label (base/mod_chats_metrics.c) and the OpenAPI document's
 * security scheme (core/api/chats_openapi.c). Spelled as SuperOffice
 * spells it (spec superoffice-chatsession.md "Authentication", and the
 * official client's authenticateWithTicket); a request's scheme is
 * compared case-insensitively (RFC 9110 11.1), so "SoTicket" is the same
 * scheme. Core header. */
#ifndef CHATS_SCHEMES_H
#define CHATS_SCHEMES_H

#define CHATS_SCHEME_SOTICKET "SOTicket"

#endif
