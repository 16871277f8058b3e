/* frame_decode: NoOpSerializer framing [#frame], both modes (first byte). */
#include "../oracle.h"

int fz_target_frame_decode(const uint8_t *data, size_t size);
int fz_target_frame_decode(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    fz_stream_cfg c;
    fz_stream_cfg_from(&c, "NoOpSerializer()", &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(frame_decode)
