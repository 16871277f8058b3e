/* zlib_decode: CompressedSerializer over pickle and marshal [#ser.compressed]. */
#include "../oracle.h"

int fz_target_zlib_decode(const uint8_t *data, size_t size);
int fz_target_zlib_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {"CompressedSerializer(PickleSerializer())",
                                        "CompressedSerializer(MarshalSerializer())"};
    fz_in in = {data, size};
    fz_stream_cfg c;
    fz_stream_cfg_from(&c, FZ_PICK(&in, specs), &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(zlib_decode)
