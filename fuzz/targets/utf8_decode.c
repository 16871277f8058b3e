/* utf8_decode: UTF8Deserializer(True|False) [#utf8], both modes. */
#include "../oracle.h"

int fz_target_utf8_decode(const uint8_t *data, size_t size);
int fz_target_utf8_decode(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    fz_stream_cfg c;
    uint8_t b = fz_byte(&in);
    fz_stream_cfg_from(&c, (b & 1) ? "UTF8Deserializer(False)" : "UTF8Deserializer(True)", &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(utf8_decode)
