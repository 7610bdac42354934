// OpenSSL 3 for the HTTP client's TLS, plus functions for what OpenSSL defines as macros.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>

static inline long threadmeter_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long threadmeter_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline long threadmeter_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline long threadmeter_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline int threadmeter_SSL_set_app_data(SSL *ssl, void *data) {
    return SSL_set_app_data(ssl, data);
}

static inline void *threadmeter_SSL_get_app_data(const SSL *ssl) {
    return SSL_get_app_data(ssl);
}

static inline void threadmeter_X509_free_all(STACK_OF(X509_INFO) *infos) {
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
}

static inline int threadmeter_X509_INFO_count(STACK_OF(X509_INFO) *infos) {
    return sk_X509_INFO_num(infos);
}

static inline X509 *threadmeter_X509_INFO_cert(STACK_OF(X509_INFO) *infos, int index) {
    return sk_X509_INFO_value(infos, index)->x509;
}

static inline long threadmeter_BIO_pending(BIO *bio) {
    return BIO_pending(bio);
}
