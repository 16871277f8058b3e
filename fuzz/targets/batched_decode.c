/* batched_decode: Batched, AutoBatched and FlattenedValues serializers [#ser.batched] [#ser.flattened]. */
#include "../oracle.h"

int fz_target_batched_decode(const uint8_t *data, size_t size);
int fz_target_batched_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {
        "BatchedSerializer(PickleSerializer(), 3)", "BatchedSerializer(PickleSerializer(), -1)",
        "AutoBatchedSerializer(PickleSerializer())", "FlattenedValuesSerializer(PickleSerializer(), 2)",
        "BatchedSerializer(MarshalSerializer(), 2)", "AutoBatchedSerializer(MarshalSerializer())",
        "FlattenedValuesSerializer(MarshalSerializer(), 10)",
        "BatchedSerializer(CompressedSerializer(PickleSerializer()), 4)"};
    fz_in in = {data, size};
    fz_stream_cfg c;
    fz_stream_cfg_from(&c, FZ_PICK(&in, specs), &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(batched_decode)
