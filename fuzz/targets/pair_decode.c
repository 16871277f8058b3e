/* pair_decode: PairDeserializer and CartesianDeserializer [#ser.pair] [#ser.cartesian]. */
#include "../oracle.h"

int fz_target_pair_decode(const uint8_t *data, size_t size);
int fz_target_pair_decode(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {
        "PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(PickleSerializer(), 2))",
        "PairDeserializer(PickleSerializer(), PickleSerializer())",
        "PairDeserializer(NoOpSerializer(), MarshalSerializer())",
        "CartesianDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(PickleSerializer(), 3))",
        "CartesianDeserializer(PickleSerializer(), MarshalSerializer())",
        "CartesianDeserializer(NoOpSerializer(), NoOpSerializer())",
        /* sides that batch differently: the pair encoder's groups [#ser.pair.encode] */
        "PairDeserializer(AutoBatchedSerializer(PickleSerializer()), AutoBatchedSerializer(PickleSerializer()))",
        "PairDeserializer(BatchedSerializer(PickleSerializer(), 3), PickleSerializer())",
        "PairDeserializer(BatchedSerializer(PickleSerializer(), -1), AutoBatchedSerializer(MarshalSerializer()))"};
    fz_in in = {data, size};
    fz_stream_cfg c;
    fz_stream_cfg_from(&c, FZ_PICK(&in, specs), &in);
    fz_check_stream(&c, in.p, in.n);
    return 0;
}

FZ_ENTRY(pair_decode)
