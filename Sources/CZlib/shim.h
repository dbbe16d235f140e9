#include <zlib.h>

// deflateInit2 is a macro Swift cannot import: gzip framing (windowBits 15 + 16), level 6.
static inline int czlib_gzip_init(z_stream *stream) {
    return deflateInit2(stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
