# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# lazymmu. GNU Make, C11.
#
#   make            build/liblazymmu.a (the core) and build/lazymmu
#   make run        build, then run the default tour
#   make check      build with ASan+UBSan (and TSan), run every test
#   make mutate     break each behaviour of tests/mutations.txt in a copy
#                   of the tree; fail if the tests miss one (slower)
#   make bench      benchmarks, SUMMARY lines and figures in build/bench
#   make fuzz       libFuzzer over the simulated Xen hypervisor, FUZZ_TIME s
#
# Variants are built side by side: build/ (release, -O2), build/asan/
# (-fsanitize=address,undefined), build/tsan/ (-fsanitize=thread).

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
O := build

WARN := -Wall -Wextra
BASE_CFLAGS := -std=c11 -g $(WARN) -Iinclude -Isrc -D_GNU_SOURCE
REL_FLAGS := -O2
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      -fno-omit-frame-pointer
TSAN_FLAGS := -O1 -fsanitize=thread
CFLAGS ?=
LDLIBS := -lpthread -lm

# The release build is link-time optimised (the machine's hot paths cross
# files: a walk calls pgtable.c, mem.c, the model; LTO inlines across them,
# 13-18 % fewer instructions). The archives then need an archiver that
# indexes LTO objects: gcc-ar for gcc, llvm-ar for clang. Without one, or
# with LTO=0, the release build is as before. ASan/TSan builds never use LTO.
LTO ?= 1
ifeq ($(LTO),1)
ifneq ($(findstring clang,$(CC)),)
LTO_AR := $(shell command -v llvm-ar 2>/dev/null)
LTO_FLAG := -flto
else
LTO_AR := $(shell command -v $(CC)-ar 2>/dev/null || command -v gcc-ar 2>/dev/null)
LTO_FLAG := -flto=auto
endif
endif
ifneq ($(LTO_AR),)
AR := $(LTO_AR)
REL_FLAGS += $(LTO_FLAG)
endif

# gcc on x86-64 zeroes a small struct (every struct sim_event a path builds,
# 96 bytes) with `rep stos`, whose start-up costs ~3 ns a time on the AMD
# EPYC measured here, against ~0.2 ns for a few vector stores (bench/README.md):
# up to 256 bytes, vector stores; beyond, the library call. clang already
# does so. Release build only; STRINGOP=0 leaves gcc's default.
STRINGOP ?= 1
ifeq ($(STRINGOP),1)
ifeq ($(findstring clang,$(CC)),)
ifneq ($(findstring x86_64,$(shell $(CC) -dumpmachine 2>/dev/null)),)
REL_FLAGS += -mmemset-strategy=vector_loop:256:noalign,libcall:-1:noalign \
	     -mmemcpy-strategy=vector_loop:256:noalign,libcall:-1:noalign
endif
endif
endif

CORE_SRCS := $(wildcard src/core/*.c)
SIM_SRCS := $(wildcard src/sim/*.c src/arch/*.c src/arch/*/*.c src/mm/*.c src/check/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
HDRS := $(wildcard include/lazymmu/*.h src/*/*.h src/arch/*/*.h tests/*.h tests/*/*.h bench/*.h)

CORE_TESTS := $(patsubst %.c,%,$(wildcard tests/core/test_*.c))
SIM_TESTS := $(patsubst %.c,%,$(wildcard tests/sim/test_*.c))
TSAN_TESTS := tests/core/test_threads $(SIM_TESTS)
SCRIPT_TESTS := $(wildcard tests/cli/*.sh tests/build/*.sh)
BENCHES := $(patsubst %.c,%,$(wildcard bench/bench_*.c))

# $(call objs,VARIANT_DIR,SRCS)
objs = $(patsubst %.c,$(1)/%.o,$(2))

.PHONY: all run check check-tsan asan mutate bench bench-quick clean format \
	format-check deps fuzz

all: deps $(O)/liblazymmu.a $(O)/libsim.a $(O)/lazymmu

# A fresh Debian machine may lack the compiler: install it (Debian packages
# only; sudo when not root). gcc brings binutils and the sanitizer runtimes.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps: $(O)/.deps
$(O)/.deps:
	@command -v $(CC) >/dev/null 2>&1 && command -v nm >/dev/null 2>&1 || \
		{ echo "installing the build tools (gcc, binutils)"; \
		  $(SUDO) apt-get update && \
		  $(SUDO) apt-get install -y --no-install-recommends gcc libc6-dev binutils; }
	@mkdir -p $(O) && touch $@

# --- one set of rules per variant -------------------------------------------
# $(1) = output dir, $(2) = extra flags
define variant
$(1)/%.o: %.c $(HDRS) | $(O)/.deps
	@mkdir -p $$(dir $$@)
	$$(CC) $$(BASE_CFLAGS) $(2) $$(CFLAGS) -c $$< -o $$@

$(1)/liblazymmu.a: $(call objs,$(1),$(CORE_SRCS))
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(1)/libsim.a: $(call objs,$(1),$(SIM_SRCS))
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(1)/lazymmu: $(call objs,$(1),$(CLI_SRCS)) $(1)/libsim.a $(1)/liblazymmu.a
	$$(CC) $(2) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)

$(1)/tests/core/%: $(1)/tests/core/%.o $(1)/liblazymmu.a
	$$(CC) $(2) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)

$(1)/tests/sim/%: $(1)/tests/sim/%.o $(1)/libsim.a $(1)/liblazymmu.a
	$$(CC) $(2) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)

$(1)/bench/%: $(1)/bench/%.o $(1)/libsim.a $(1)/liblazymmu.a
	$$(CC) $(2) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)
endef

$(eval $(call variant,$(O),$(REL_FLAGS)))
$(eval $(call variant,$(O)/asan,$(ASAN_FLAGS)))
$(eval $(call variant,$(O)/tsan,$(TSAN_FLAGS)))

.SECONDARY:

# --- targets -----------------------------------------------------------------
run: all
	./$(O)/lazymmu

ASAN_BINS := $(addprefix $(O)/asan/,$(CORE_TESTS) $(SIM_TESTS)) $(O)/asan/lazymmu
TSAN_BINS := $(addprefix $(O)/tsan/,$(TSAN_TESTS))

check: all $(ASAN_BINS) $(TSAN_BINS)
	@LAZYMMU=$(O)/asan/lazymmu CC="$(CC)" MAKE="$(MAKE)" tests/run-tests \
		$(addprefix $(O)/asan/,$(CORE_TESTS) $(SIM_TESTS)) \
		$(TSAN_BINS) $(SCRIPT_TESTS)

check-tsan: $(TSAN_BINS)
	@tests/run-tests $(TSAN_BINS)

# the ASan+UBSan build alone: what make mutate builds for each mutation
asan: $(ASAN_BINS)

# Each mutation of tests/mutations.txt, applied alone to a copy of the tree
# (build/mutate/tree), must make a test fail: tests/mutate reports those
# that survive and those whose text is no longer found.
mutate: | $(O)/.deps
	@tests/mutate $(MUTATIONS)

bench: all $(addprefix $(O)/,$(BENCHES))
	@mkdir -p $(O)/bench
	@for b in $(addprefix $(O)/,$(BENCHES)); do \
		$$b --out $(O)/bench $(BENCH_ARGS) || exit 1; done

bench-quick:
	@$(MAKE) bench BENCH_ARGS=--quick

# libFuzzer over the simulated Xen hypervisor's update interface
# (tests/fuzz/fuzz_xen_hv.c): FUZZ_TIME seconds; `make check` runs it for
# 10 (tests/build/fuzz.sh). Needs clang's libFuzzer runtime: if a test
# link fails, install Debian's libclang-rt-<version>-dev.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_FLAGS := -std=c11 -g -O1 $(WARN) -Iinclude -Isrc -D_GNU_SOURCE \
	      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS := tests/fuzz/fuzz_xen_hv.c src/arch/xen-pv/hypervisor.c

$(O)/fuzz/.runtime:
	@mkdir -p $(dir $@)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return d && n; }\n' \
		>$(O)/fuzz/probe.c
	@$(FUZZ_CC) -fsanitize=fuzzer $(O)/fuzz/probe.c -o $(O)/fuzz/probe 2>/dev/null || \
		{ v=$$($(FUZZ_CC) -dumpversion | cut -d. -f1); \
		  echo "installing libFuzzer (libclang-rt-$$v-dev)"; \
		  $(SUDO) apt-get install -y --no-install-recommends libclang-rt-$$v-dev; }
	@touch $@

$(O)/fuzz/fuzz_xen_hv: $(FUZZ_SRCS) $(HDRS) $(O)/fuzz/.runtime
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SRCS) -o $@

fuzz: $(O)/fuzz/fuzz_xen_hv
	$(O)/fuzz/fuzz_xen_hv -max_total_time=$(FUZZ_TIME) -seed=1 $(FUZZ_ARGS)

# Every C file, in the kernel's style (.clang-format). On a clean tree
# `make format` changes nothing: `make format-check` (and the test
# tests/build/format.sh, run by `make check`) fails if it would.
FORMAT_SRCS = $(CORE_SRCS) $(SIM_SRCS) $(CLI_SRCS) $(HDRS) \
	      $(wildcard tests/*/*.c bench/*.c)
CLANG_FORMAT ?= clang-format

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_SRCS)

format-files:
	@echo $(FORMAT_SRCS)

clean:
	rm -rf $(O)
