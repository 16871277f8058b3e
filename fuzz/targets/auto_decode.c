/* auto_decode: AutoSerializer [#ser.auto]; configuration bit 1 chooses the intended format. */
#include "../oracle.h"

int fz_target_auto_decode(const uint8_t *data, size_t size);
int fz_target_auto_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {"AutoSerializer()"};
    fz_in in = {data, size};
    fz_stream_cfg c;
    fz_stream_cfg_from(&c, FZ_PICK(&in, specs), &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(auto_decode)
