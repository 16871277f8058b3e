# What the fuzz corpora reach [#fuzz.coverage]: included by the repository
# Makefile after fuzz/fuzz.mk (uses FUZZ_TARGETS, FUZZ_PY_TARGETS, LIB_SRCS,
# WARN, LDLIBS).
#
#   make fuzz-coverage     each target's replay program built with clang's
#                          source-based coverage, run over fuzz/corpus/<t>
#                          and fuzz/regressions/<t>; prints line, branch and
#                          function coverage of ref/src per target and for
#                          all targets together, and writes the table to
#                          $(FUZZ_COV_BUILD)/summary.md
#
# Needs clang, llvm-profdata and llvm-cov (Debian llvm-14). Oracles run as in
# the replay suite, so an oracle failure stops it.

FUZZ_COV_BUILD ?= build/fuzz-cov
FUZZ_COV_CC    ?= clang
LLVM_PROFDATA  ?= llvm-profdata
LLVM_COV       ?= llvm-cov
FUZZ_COV_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iref/include -Iref/src -Ifuzz -O1 -g \
                   -fprofile-instr-generate -fcoverage-mapping
FUZZ_COV_TARGETS := $(filter-out $(FUZZ_PY_TARGETS),$(FUZZ_TARGETS))
FUZZ_COV_LIB   := $(patsubst %.c,$(FUZZ_COV_BUILD)/obj/%.o,$(LIB_SRCS) fuzz/oracle.c fuzz/replay_main.c)
FUZZ_COV_BINS  := $(addprefix $(FUZZ_COV_BUILD)/,$(FUZZ_COV_TARGETS))

.PHONY: fuzz-coverage
.PRECIOUS: $(FUZZ_COV_BUILD)/obj/%.o

$(FUZZ_COV_BUILD)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_COV_CC) $(FUZZ_COV_CFLAGS) -c $< -o $@

$(FUZZ_COV_BUILD)/%: $(FUZZ_COV_BUILD)/obj/fuzz/targets/%.o $(FUZZ_COV_LIB)
	$(FUZZ_COV_CC) $(FUZZ_COV_CFLAGS) -o $@ $^ $(LDLIBS)

# llvm-cov report's TOTAL row: TOTAL, regions (count, missed, cover),
# functions (count, missed, executed), lines (3), branches (3); the table
# keeps lines, branches and functions
fuzz-coverage: $(FUZZ_COV_BINS)
	@command -v $(LLVM_PROFDATA) >/dev/null && command -v $(LLVM_COV) >/dev/null || \
	  { echo "fuzz-coverage needs llvm-profdata and llvm-cov (apt-get install llvm-14)"; exit 2; }
	@set -e; out=$(FUZZ_COV_BUILD)/summary.md; rm -f $(FUZZ_COV_BUILD)/*.profraw $(FUZZ_COV_BUILD)/*.profdata; \
	row() { $(LLVM_COV) report $$1 -instr-profile=$$2 ref/src/ 2>/dev/null | awk '/^TOTAL/ { \
	  printf "%s (%d/%d) | %s (%d/%d) | %s (%d/%d)", $$10, $$8 - $$9, $$8, $$13, $$11 - $$12, $$11, $$7, $$5 - $$6, $$5 }'; }; \
	{ echo "| target | inputs | lines of ref/src | branches | functions |"; \
	  echo "|---|---:|---|---|---|"; } > $$out; \
	for t in $(FUZZ_COV_TARGETS); do \
	  dirs=""; for d in fuzz/corpus/$$t fuzz/regressions/$$t; do [ -d $$d ] && dirs="$$dirs $$d"; done; \
	  n=$$(find $$dirs -type f | wc -l); \
	  LLVM_PROFILE_FILE=$(FUZZ_COV_BUILD)/$$t.profraw $(FUZZ_COV_BUILD)/$$t $$dirs 2>/dev/null; \
	  $(LLVM_PROFDATA) merge -sparse $(FUZZ_COV_BUILD)/$$t.profraw -o $(FUZZ_COV_BUILD)/$$t.profdata; \
	  echo "| $$t | $$n | $$(row $(FUZZ_COV_BUILD)/$$t $(FUZZ_COV_BUILD)/$$t.profdata) |" >> $$out; \
	done; \
	$(LLVM_PROFDATA) merge -sparse $(FUZZ_COV_BUILD)/*.profraw -o $(FUZZ_COV_BUILD)/all.profdata; \
	objs=""; for t in $(FUZZ_COV_TARGETS); do objs="$${objs:+$$objs -object }$(FUZZ_COV_BUILD)/$$t"; done; \
	all=$$($(LLVM_COV) report $$objs -instr-profile=$(FUZZ_COV_BUILD)/all.profdata ref/src/ 2>/dev/null | awk '/^TOTAL/ { \
	  printf "%s (%d/%d) | %s (%d/%d) | %s (%d/%d)", $$10, $$8 - $$9, $$8, $$13, $$11 - $$12, $$11, $$7, $$5 - $$6, $$5 }'); \
	echo "| all targets | | $$all |" >> $$out; \
	cat $$out; \
	echo "per file: $(LLVM_COV) report -instr-profile=$(FUZZ_COV_BUILD)/all.profdata $$objs ref/src/"
