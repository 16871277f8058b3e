/* stack_decode: the first bytes choose a serializer stack from a table, the
 * mode and small limits [#limits]; the stream oracles run on the rest, and
 * the structure listing (sw_stream_dis) when bit 7 of the third byte is set. */
#include "../oracle.h"

int fz_target_stack_decode(const uint8_t *data, size_t size);
int fz_target_stack_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {
        "NoOpSerializer()",
        "PickleSerializer()",
        "CloudPickleSerializer()",
        "MarshalSerializer()",
        "AutoSerializer()",
        "UTF8Deserializer(True)",
        "UTF8Deserializer(False)",
        "ChunkedStream(8)",
        "ChunkedStream(65536)",
        "CompressedSerializer(PickleSerializer())",
        "CompressedSerializer(MarshalSerializer())",
        "CompressedSerializer(NoOpSerializer())",
        "CompressedSerializer(AutoSerializer())",
        "BatchedSerializer(PickleSerializer(), 1)",
        "BatchedSerializer(PickleSerializer(), -1)",
        "BatchedSerializer(CompressedSerializer(PickleSerializer()), 2)",
        "AutoBatchedSerializer(CompressedSerializer(MarshalSerializer()))",
        "FlattenedValuesSerializer(BatchedSerializer(PickleSerializer(), 2), 3)",
        "BatchedSerializer(BatchedSerializer(PickleSerializer(), 2), 3)",
        "PairDeserializer(BatchedSerializer(MarshalSerializer(), 2), CompressedSerializer(PickleSerializer()))",
        "CartesianDeserializer(BatchedSerializer(PickleSerializer(), -1), BatchedSerializer(MarshalSerializer(), 2))",
        "PairDeserializer(AutoBatchedSerializer(PickleSerializer()), AutoBatchedSerializer(PickleSerializer()))",
        "CartesianDeserializer(PairDeserializer(PickleSerializer(), PickleSerializer()), NoOpSerializer())",
        "BatchedSerializer(AutoSerializer(), 2)",
    };
    fz_in in = {data, size};
    fz_stream_cfg c;
    const char *spec = FZ_PICK(&in, specs);
    uint8_t l1 = fz_byte(&in), l2 = fz_byte(&in);
    fz_stream_cfg_from(&c, spec, &in);
    /* small limits: each field either the default (0) or tiny */
    if (l1 & 0x01) c.limits.max_frame_bytes = 1u + (l2 & 0x3f) * 8u;
    if (l1 & 0x02) c.limits.max_depth = 1u + (l2 & 0x0f);
    if (l1 & 0x04) c.limits.max_nodes = 1u + (l2 & 0x3f);
    if (l1 & 0x08) c.limits.max_total_bytes = 64u + (l2 & 0xff) * 16u;
    if (l1 & 0x10) c.limits.max_memo = 1u + (l2 & 0x07);
    if (l1 & 0x20) c.limits.max_inflated_bytes = 1u + (l2 & 0x3f) * 4u;
    if (l1 & 0x40) c.limits.max_expansion = 1u + (l2 & 0x1f);
    if (l1 & 0x80) c.limits.max_items = (l2 & 0x07);
    if ((l1 & 0x81) == 0x81) c.limits.max_int_digits = 1u + (l2 & 0x1f);
    fz_check_stream(&c, in.p, in.n);
    if (l2 & 0x80) fz_check_dis(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(stack_decode)
