#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

// OpenSSL macros and variadic functions Swift cannot call, as inline functions.

static inline int sb_ssl_ctx_tls13_only(SSL_CTX *ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
}

static inline long sb_bio_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline EVP_PKEY *sb_ec_p256_key(void) {
    return EVP_EC_gen("P-256");
}

/// Adds an X.509 v3 extension given as OpenSSL's config text (e.g. "critical,CA:TRUE").
static inline int sb_x509_add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/// A random positive 127-bit serial number, as RFC 5280 asks (unique, at most 20 bytes).
static inline int sb_x509_random_serial(X509 *cert) {
    BIGNUM *bn = BN_new();
    if (!bn) return 0;
    int ok = BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok;
}

static inline long sb_bio_mem_contents(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline long sb_ssl_ctx_read_ahead(SSL_CTX *ctx) {
    return SSL_CTX_set_read_ahead(ctx, 1);
}

static inline int sb_bio_reset(BIO *bio) {
    return (int)BIO_reset(bio);
}
