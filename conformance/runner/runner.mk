# conformance/runner/runner.mk: the conformance runner and its adapters [#runner].
# Included by the root Makefile. `make conformance` builds sw-conformance and the
# sparkwire adapter, then runs sparkwire, CPython and (with node) the npm peer.

RUNNER_SRCS := conformance/runner/runner.c conformance/runner/proto.c conformance/runner/session.c conformance/json.c
RUNNER_OBJS := $(patsubst %.c,$(BUILD)/conf/%.o,$(RUNNER_SRCS))
ADAPTER_OBJS := $(BUILD)/conf/conformance/adapters/sparkwire_adapter.o $(BUILD)/conf/conformance/runner/proto.o
CONF_RESULTS ?= conformance/results
CONF_TIMEOUT ?= 20
CONF_PYTHON ?= /usr/bin/python3

.PHONY: conformance conformance-build conformance-npm

$(BUILD)/conf/%.o: %.c $(wildcard conformance/runner/*.h conformance/json.h ref/include/sparkwire/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iconformance -Iconformance/runner -c $< -o $@

$(BUILD)/sw-conformance: $(RUNNER_OBJS) $(BUILD)/libsparkwire.a
	$(CC) $(ALL_CFLAGS) -o $@ $(RUNNER_OBJS) $(BUILD)/libsparkwire.a $(LDLIBS)

$(BUILD)/sw-adapter: $(ADAPTER_OBJS) $(BUILD)/libsparkwire.a
	$(CC) $(ALL_CFLAGS) -o $@ $(ADAPTER_OBJS) $(BUILD)/libsparkwire.a $(LDLIBS)

conformance-build: $(BUILD)/sw-conformance $(BUILD)/sw-adapter

# the third-party peer: installed from the lock file, only when node is there
conformance-npm:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  cd conformance/adapters/npm && npm ci --no-audit --no-fund --silent; \
	else echo "conformance: node/npm not found, the npm peer is not run"; fi

CONF_NODE := $(shell command -v node 2>/dev/null)
CONF_TESTEES = --testee sparkwire=$(BUILD)/sw-adapter \
  --testee 'cpython=$(CONF_PYTHON) conformance/adapters/cpython_adapter.py' \
  --xfail cpython=conformance/expected/cpython.txt \
  $(if $(CONF_NODE),--testee 'npm-pickleparser=node conformance/adapters/npm/adapter.js' \
    --xfail npm-pickleparser=conformance/expected/npm-pickleparser.txt)

conformance: conformance-build conformance-npm
	@mkdir -p $(CONF_RESULTS) $(BUILD)/conf/log
	@echo "== sparkwire alone: every vector must pass"
	@$(BUILD)/sw-conformance --timeout $(CONF_TIMEOUT) --testee sparkwire=$(BUILD)/sw-adapter \
	  --stderr-dir $(BUILD)/conf/log --log $(BUILD)/conf/log/sparkwire.tsv > $(BUILD)/conf/log/sparkwire.md 2>&1 \
	  || { cat $(BUILD)/conf/log/sparkwire.md; exit 1; }
	@tail -n 1 $(BUILD)/conf/log/sparkwire.md
	@grep -qx '[0-9]* passed, 0 failed, 0 skipped' $(BUILD)/conf/log/sparkwire.md \
	  || { echo "conformance: sparkwire must pass every vector"; exit 1; }
	@echo "== every implementation ($(CONF_RESULTS)/results.md, $(CONF_RESULTS)/matrix.html)"
	$(BUILD)/sw-conformance --timeout $(CONF_TIMEOUT) $(CONF_TESTEES) $(CONF_FLAGS) \
	  --stderr-dir $(BUILD)/conf/log --log $(BUILD)/conf/log/all.tsv \
	  --markdown $(CONF_RESULTS)/results.md --html $(CONF_RESULTS)/matrix.html

# the runner's test compiles the runner's sources into itself
$(BUILD)/t/ref/test/test_runner_json.o: conformance/runner/runner.c conformance/runner/session.c conformance/runner/proto.c
