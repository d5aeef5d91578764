#ifndef ATOMFORGE_CLIBCURL_H
#define ATOMFORGE_CLIBCURL_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are C variadic functions, which Swift cannot call.
// These non-variadic wrappers, one per argument type, are the whole of what Swift needs.

typedef size_t (*atomforge_curl_data_callback)(char *, size_t, size_t, void *);

static inline CURLcode atomforge_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                                atomforge_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atomforge_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
