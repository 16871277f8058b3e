/* zlib_decode: CompressedSerializer over pickle and marshal [#ser.compressed]. */
#include "../oracle.h"

int fz_target_zlib_decode(const uint8_t *data, size_t size);
int fz_target_zlib_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {"CompressedSerializer(PickleSerializer())",
                                        "CompressedSerializer(MarshalSerializer())"};
    fz_in in = {data, size};
    fz_stream_cfg c;
    uint8_t b = fz_byte(&in);
    fz_stream_cfg_from(&c, specs[b % (sizeof specs / sizeof specs[0])], &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(zlib_decode)
