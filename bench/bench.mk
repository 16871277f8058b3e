# Benchmarks: `make bench` times sparkwire (bench/bench.c) and CPython's
# pickle/marshal (bench/run.py) on the very same bytes in one run, prints the
# table and writes bench/results/latest.md. Included by the root Makefile:
#     -include bench/bench.mk
# Variables:
#   BENCH_REPS=7      samples per measurement (min and median are reported)
#   BENCH_MIN_MS=20   a sample repeats its pass until it lasts this long
#   BENCH_BIG=1       stream 1 GiB through the fd source (default 256 MiB)
#   BENCH_SCALE=1.0   corpus size factor (bench/make_corpus.py --scale)
#   BENCH_PY          the Python that is timed (/usr/bin/python3)
# The library is compiled again here with BENCH_CFLAGS: -O2, no sanitizers, no
# -DSW_DEBUG, whatever SAN/COVERAGE say for the other targets.
# `make bench-profile` runs one decode+encode under callgrind (BENCH_ONLY=name part).

BENCH_BUILD  ?= build/bench
BENCH_CFLAGS ?= $(CSTD) $(WARN) -O2 -g $(INC)
BENCH_REPS   ?= 7
BENCH_MIN_MS ?= 20
BENCH_SCALE  ?= 1.0
BENCH_PY     ?= /usr/bin/python3
BENCH_BIG    ?= 0
BENCH_ONLY   ?= rows-pickle5-b1024
BENCH_STREAM_BYTES := $(if $(filter 1,$(BENCH_BIG)),1073741824,268435456)
BENCH_CORPUS := $(BENCH_BUILD)/corpus-$(BENCH_SCALE)
BENCH_OBJS   := $(patsubst ref/src/%.c,$(BENCH_BUILD)/obj/%.o,$(LIB_SRCS))

.PHONY: bench bench-profile

$(BENCH_BUILD)/obj/%.o: ref/src/%.c $(wildcard ref/include/sparkwire/*.h ref/src/internal/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_BUILD)/libsparkwire-bench.a: $(BENCH_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BENCH_BUILD)/swbench: bench/bench.c $(BENCH_BUILD)/libsparkwire-bench.a
	$(CC) $(BENCH_CFLAGS) -o $@ bench/bench.c $(BENCH_BUILD)/libsparkwire-bench.a $(LDLIBS)

$(BENCH_CORPUS)/manifest.tsv: bench/make_corpus.py
	PYTHONHASHSEED=0 $(BENCH_PY) bench/make_corpus.py --out $(BENCH_CORPUS) --scale $(BENCH_SCALE)

bench: $(BENCH_BUILD)/swbench $(BENCH_CORPUS)/manifest.tsv
	@mkdir -p bench/results
	$(BENCH_PY) bench/run.py --swbench $(BENCH_BUILD)/swbench --corpus $(BENCH_CORPUS) \
	  --reps $(BENCH_REPS) --min-ms $(BENCH_MIN_MS) --stream-bytes $(BENCH_STREAM_BYTES) \
	  --cc "$(CC)" --cflags "$(BENCH_CFLAGS)" --report bench/results/latest.md

bench-profile: $(BENCH_BUILD)/swbench $(BENCH_CORPUS)/manifest.tsv
	SWBENCH_OPS="decode encode" valgrind --tool=callgrind --callgrind-out-file=$(BENCH_BUILD)/callgrind.out \
	  $(BENCH_BUILD)/swbench corpus $(BENCH_CORPUS) 1 0 $(BENCH_ONLY)
	callgrind_annotate $(BENCH_BUILD)/callgrind.out | head -n 40
