# Fuzzing [#fuzz]: included by the repository Makefile (`-include fuzz/fuzz.mk`),
# so paths are relative to the repository root. Uses BUILD, CC, ALL_CFLAGS,
# LIB_SRCS, LDLIBS, WARN from the Makefile.
#
#   make fuzz-build                 libFuzzer binaries (clang, ASan+UBSan) in $(FUZZ_BUILD)/libfuzzer/
#   make fuzz-afl                   AFL++ binaries (afl-clang-fast, persistent mode) in $(FUZZ_BUILD)/afl/
#   make fuzz-replay                plain replay binaries ($(CC), $(ALL_CFLAGS)) in $(BUILD)/fuzz/
#   make fuzz-smoke                 every target for FUZZ_SMOKE_SECONDS (20) each; non-zero on a finding
#   make fuzz TARGET=t SECONDS=n    one target for n seconds (default 60), new inputs in $(FUZZ_BUILD)/work/t/
#   tools/fuzz-campaign             long parallel runs, corpus merge, findings in fuzz/findings/

FUZZ_CC       ?= clang
AFL_CC        ?= afl-clang-fast
FUZZ_BUILD    ?= build/fuzz
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_EXTRA_SRCS ?=
# -DFZ_TOLERATE_KNOWN lets campaigns step over findings already saved in
# fuzz/regressions/ while they await a fix (oracle.c: #ifdef FZ_TOLERATE_KNOWN
# blocks); the replay suite and `make fuzz-replay` never define it. None today.
FUZZ_KNOWN    ?=
TARGET        ?= frame_decode
SECONDS       ?= 60

FUZZ_TARGETS  := $(sort $(basename $(notdir $(wildcard fuzz/targets/*.c))))
# [#fuzz.differential] targets embedding CPython: built only where
# libpython3-dev is installed (Python.h and python3-config --embed), else
# left out of every list below (and out of fuzz-smoke: a CPython call per
# input; `make fuzz TARGET=pickle_differential` runs it, fuzz/README.md)
FUZZ_PY_TARGETS := pickle_differential
FUZZ_PY_CONFIG ?= /usr/bin/python3-config
FUZZ_PY_INC   := $(shell $(FUZZ_PY_CONFIG) --includes 2>/dev/null | sed 's/-I/-isystem /g')
FUZZ_PY_LIBS  := $(shell $(FUZZ_PY_CONFIG) --embed --ldflags 2>/dev/null)
FUZZ_PY_OK    := $(shell d=$$($(FUZZ_PY_CONFIG) --includes 2>/dev/null | sed 's/^-I//;s/ .*//'); \
                   [ -n "$$d" ] && [ -f "$$d/Python.h" ] && $(FUZZ_PY_CONFIG) --embed --ldflags >/dev/null 2>&1 && echo 1)
ifneq ($(FUZZ_PY_OK),1)
FUZZ_TARGETS  := $(filter-out $(FUZZ_PY_TARGETS),$(FUZZ_TARGETS))
endif
FUZZ_BASEFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iref/include -Iref/src -Ifuzz -g -DSW_DEBUG $(FUZZ_KNOWN)
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LF_CFLAGS := $(FUZZ_BASEFLAGS) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_AFL_CFLAGS := $(FUZZ_BASEFLAGS) -O2 $(FUZZ_SAN)
FUZZ_LIB_SRCS := $(LIB_SRCS) $(FUZZ_EXTRA_SRCS)
FUZZ_HDRS     := $(wildcard ref/include/sparkwire/*.h ref/src/internal/*.h fuzz/*.h)
FUZZ_FLAGS    := -timeout=10 -rss_limit_mb=2560 -print_final_stats=1

FUZZ_LF_LIB   := $(patsubst %.c,$(FUZZ_BUILD)/libfuzzer/obj/%.o,$(FUZZ_LIB_SRCS) fuzz/oracle.c)
FUZZ_AFL_LIB  := $(patsubst %.c,$(FUZZ_BUILD)/afl/obj/%.o,$(FUZZ_LIB_SRCS) fuzz/oracle.c)
FUZZ_LF_BINS  := $(addprefix $(FUZZ_BUILD)/libfuzzer/,$(FUZZ_TARGETS))
FUZZ_AFL_BINS := $(addprefix $(FUZZ_BUILD)/afl/,$(FUZZ_TARGETS))
FUZZ_REPLAY_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

.PHONY: fuzz-build fuzz-afl fuzz-replay fuzz-smoke fuzz fuzz-seeds
.PRECIOUS: $(FUZZ_BUILD)/libfuzzer/obj/%.o $(FUZZ_BUILD)/afl/obj/%.o $(BUILD)/fuzz/obj/%.o

fuzz-build: $(FUZZ_LF_BINS)
fuzz-afl: $(FUZZ_AFL_BINS)
fuzz-replay: $(FUZZ_REPLAY_BINS)

$(FUZZ_BUILD)/libfuzzer/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LF_CFLAGS) $(FZ_XCFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libfuzzer/%: $(FUZZ_BUILD)/libfuzzer/obj/fuzz/targets/%.o $(FUZZ_LF_LIB)
	$(FUZZ_CC) $(FUZZ_LF_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(FZ_XLIBS) $(LDLIBS)

$(FUZZ_BUILD)/afl/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(AFL_CC) $(FUZZ_AFL_CFLAGS) $(FZ_XCFLAGS) -c $< -o $@

$(FUZZ_BUILD)/afl/%: $(FUZZ_BUILD)/afl/obj/fuzz/targets/%.o $(FUZZ_BUILD)/afl/obj/fuzz/replay_main.o $(FUZZ_AFL_LIB)
	$(AFL_CC) $(FUZZ_AFL_CFLAGS) -o $@ $^ $(FZ_XLIBS) $(LDLIBS)

# plain replay: the library as `make` builds it, with replay_main.c
$(BUILD)/fuzz/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ifuzz $(FZ_XCFLAGS) -c $< -o $@

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/fuzz/targets/%.o $(BUILD)/fuzz/obj/fuzz/oracle.o $(BUILD)/fuzz/obj/fuzz/replay_main.o $(BUILD)/libsparkwire.a $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_EXTRA_SRCS))
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(FZ_XLIBS) $(LDLIBS)

# per-object / per-binary flags of the CPython targets
$(foreach t,$(FUZZ_PY_TARGETS),$(eval \
  $(FUZZ_BUILD)/libfuzzer/obj/fuzz/targets/$(t).o $(FUZZ_BUILD)/afl/obj/fuzz/targets/$(t).o \
  $(BUILD)/fuzz/obj/fuzz/targets/$(t).o: FZ_XCFLAGS = $(FUZZ_PY_INC)) $(eval \
  $(FUZZ_BUILD)/libfuzzer/$(t) $(FUZZ_BUILD)/afl/$(t) $(BUILD)/fuzz/$(t): FZ_XLIBS = $(FUZZ_PY_LIBS)))

# [#fuzz.differential] `make test-plain` (so `make test`, plain and under
# ASan+UBSan) replays fuzz/regressions/pickle_differential/ and the pickle/
# marshal regressions plus every FUZZ_DIFF_SAMPLE-th corpus file through the
# CPython differential target (SW_DIFF_INPUT: those files carry the 2
# configuration bytes of pickle_decode/marshal_decode); without
# libpython3-dev it prints a notice and skips
FUZZ_DIFF_SAMPLE ?= 4
.PHONY: fuzz-diff-replay
test-plain: fuzz-diff-replay
ifeq ($(FUZZ_PY_OK),1)
fuzz-diff-replay: $(BUILD)/fuzz/pickle_differential
	@set -e; t=$(BUILD)/fuzz/pickle_differential; \
	 SW_DIFF_STATS=1 $$t fuzz/regressions/pickle_differential; \
	 SW_DIFF_STATS=1 SW_DIFF_INPUT=pickle_decode $$t fuzz/regressions/pickle_decode \
	   $$(ls -d fuzz/corpus/pickle_decode/* | awk 'NR % $(FUZZ_DIFF_SAMPLE) == 1'); \
	 SW_DIFF_STATS=1 SW_DIFF_INPUT=marshal_decode $$t fuzz/regressions/marshal_decode \
	   $$(ls -d fuzz/corpus/marshal_decode/* | awk 'NR % $(FUZZ_DIFF_SAMPLE) == 1')
else
fuzz-diff-replay:
	@echo "fuzz-diff-replay: SKIPPED, no Python.h / python3-config --embed (Debian: apt-get install libpython3-dev)"
endif

# the CUnit replay suite includes the targets and the oracles
$(BUILD)/t/ref/test/test_fuzz_replay.o: $(wildcard fuzz/*.c fuzz/*.h fuzz/targets/*.c)

# every target a short fixed time; new inputs go to a scratch folder, never
# into fuzz/corpus; a crash, leak or oracle failure exits non-zero and prints
# the input in hex and what it means (--describe), so that a CI log alone
# is enough to keep it as a regression
fuzz-smoke: fuzz-build fuzz-replay
	@rm -rf $(FUZZ_BUILD)/smoke; mkdir -p $(FUZZ_BUILD)/smoke; fail=0; \
	for t in $(filter-out $(FUZZ_PY_TARGETS),$(FUZZ_TARGETS)); do \
	  mkdir -p $(FUZZ_BUILD)/smoke/$$t fuzz/corpus/$$t fuzz/regressions/$$t; \
	  d=""; [ -f fuzz/$$t.dict ] && d="-dict=fuzz/$$t.dict"; \
	  if $(FUZZ_BUILD)/libfuzzer/$$t $(FUZZ_FLAGS) $$d -max_total_time=$(FUZZ_SMOKE_SECONDS) \
	       -artifact_prefix=$(FUZZ_BUILD)/smoke/$$t- $(FUZZ_BUILD)/smoke/$$t fuzz/corpus/$$t fuzz/regressions/$$t \
	       > $(FUZZ_BUILD)/smoke/$$t.log 2>&1; then \
	    echo "fuzz-smoke $$t: ok $$(grep -o 'stat::number_of_executed_units: [0-9]*' $(FUZZ_BUILD)/smoke/$$t.log | grep -o '[0-9]*$$') execs, $$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' $(FUZZ_BUILD)/smoke/$$t.log | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"; \
	  else \
	    fail=1; echo "fuzz-smoke $$t: FAILED, see $(FUZZ_BUILD)/smoke/$$t.log"; \
	    grep -E 'ERROR|oracle failure|SUMMARY' $(FUZZ_BUILD)/smoke/$$t.log | head -5; \
	    for f in $(FUZZ_BUILD)/smoke/$$t-*; do \
	      [ -f "$$f" ] || continue; \
	      echo "  input $$f ($$(wc -c < "$$f") bytes), hex: $$(head -c 4096 "$$f" | od -An -tx1 -v | tr -d ' \n')"; \
	      [ -x $(BUILD)/fuzz/$$t ] && echo "  means: $$($(BUILD)/fuzz/$$t --describe "$$f" 2>/dev/null | cut -c1-2000)"; \
	    done; \
	  fi; \
	done; exit $$fail

fuzz: $(FUZZ_BUILD)/libfuzzer/$(TARGET)
	@mkdir -p $(FUZZ_BUILD)/work/$(TARGET) fuzz/corpus/$(TARGET) fuzz/regressions/$(TARGET) fuzz/findings/$(TARGET)
	$(FUZZ_BUILD)/libfuzzer/$(TARGET) $(FUZZ_FLAGS) $(if $(wildcard fuzz/$(TARGET).dict),-dict=fuzz/$(TARGET).dict) \
	  -max_total_time=$(SECONDS) -artifact_prefix=fuzz/findings/$(TARGET)/ \
	  $(FUZZ_BUILD)/work/$(TARGET) fuzz/corpus/$(TARGET) fuzz/regressions/$(TARGET)

# regenerate the seed corpora from vectors/ and CPython
fuzz-seeds:
	/usr/bin/python3 tools/fuzz-seeds.py
