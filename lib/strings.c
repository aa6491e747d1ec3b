/*
 * strings.c - the library's pure helpers: names and texts of result codes,
 * method names, standard reason phrases, the version.  Constant data only.
 */
#include "httpmsg.h"

#include <string.h>

#define ROW_(name, status, text) {#name, text, status},
static const struct {
    const char *name, *text;
    int status;
} err_tab[] = {
    {"OK", "no error", 0},
    {"PAUSED", "paused by a callback", 0},
    {"UPGRADE", "the stream switched to another protocol", 0},
    HTTPMSG_ERRORS(ROW_)
};
#undef ROW_

/* see httpmsg.h */
const char *httpmsg_errname(httpmsg_err e)
{
    return (size_t)e < sizeof err_tab / sizeof *err_tab ? err_tab[e].name : "UNKNOWN";
}

/* see httpmsg.h */
const char *httpmsg_strerror(httpmsg_err e)
{
    return (size_t)e < sizeof err_tab / sizeof *err_tab ? err_tab[e].text : "unknown error";
}

/* see httpmsg.h */
int httpmsg_err_status(httpmsg_err e)
{
    return (size_t)e < sizeof err_tab / sizeof *err_tab ? err_tab[e].status : 0;
}

/* In the order of HTTPMSG_METHODS, from HTTPMSG_METHOD_GET on. */
static const char *const method_names[] = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "ACL",
    "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "COPY", "LABEL", "LINK", "LOCK", "MERGE",
    "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE", "ORDERPATCH", "PRI",
    "PROPFIND", "PROPPATCH", "QUERY", "REBIND", "REPORT", "SEARCH", "UNBIND", "UNCHECKOUT", "UNLINK",
    "UNLOCK", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL",
};
typedef char method_table_matches_enum_[(sizeof method_names / sizeof *method_names ==
                                         HTTPMSG_METHOD_COUNT_ - HTTPMSG_METHOD_GET) ? 1 : -1];

/* The registry's method for a token already known to be valid; used by the
 * parser.  Not exported from the shared library (hidden visibility). */
httpmsg_method httpmsg__method_lookup(const char *s, size_t n);
httpmsg_method httpmsg__method_lookup(const char *s, size_t n)
{
    /* the usual ones first, each a single compare */
    if (n == 3 && memcmp(s, "GET", 3) == 0)
        return HTTPMSG_METHOD_GET;
    if (n == 4 && memcmp(s, "POST", 4) == 0)
        return HTTPMSG_METHOD_POST;
    if (n == 4 && memcmp(s, "HEAD", 4) == 0)
        return HTTPMSG_METHOD_HEAD;
    if (n == 3 && memcmp(s, "PUT", 3) == 0)
        return HTTPMSG_METHOD_PUT;
    for (size_t i = 0; i < sizeof method_names / sizeof *method_names; i++)
        if (method_names[i][0] == s[0] && strlen(method_names[i]) == n && memcmp(method_names[i], s, n) == 0)
            return (httpmsg_method)(HTTPMSG_METHOD_GET + i);
    return HTTPMSG_METHOD_OTHER;
}

/* see httpmsg.h */
const char *httpmsg_method_name(httpmsg_method m)
{
    if (m < HTTPMSG_METHOD_GET || m >= HTTPMSG_METHOD_COUNT_)
        return NULL;
    return method_names[m - HTTPMSG_METHOD_GET];
}

/* see httpmsg.h */
httpmsg_method httpmsg_method_from_name(const char *name, size_t len)
{
    static const char tchar_punct[] = "!#$%&'*+-.^_`|~";
    if (!name || len == 0)
        return HTTPMSG_METHOD_NONE;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c != 0 && strchr(tchar_punct, c))))
            return HTTPMSG_METHOD_NONE;
    }
    return httpmsg__method_lookup(name, len);
}

/* see httpmsg.h */
const char *httpmsg_status_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return NULL;
    }
}

/* see httpmsg.h */
const char *httpmsg_version(void) { return HTTPMSG_VERSION_STRING; }
