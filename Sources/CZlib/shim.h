#ifndef OZG_CZLIB_SHIM_H
#define OZG_CZLIB_SHIM_H

#include <zlib.h>

/// deflateInit/inflateInit are macros; these wrappers make them callable from Swift.
static inline int ozg_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

static inline int ozg_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}

#endif
