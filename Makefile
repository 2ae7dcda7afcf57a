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
#   make check-cross the tests cross-built for arm64, s390x and ppc64le and
#                   run under qemu-user (installs the cross tools; slower)
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
	format-check deps fuzz check-cross cross-deps check-kunit

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
# tests/sim/test_ctx_portable.c builds src/sim/ctx.c itself, included
CTX_TEST_OBJS = $(addsuffix /tests/sim/test_ctx_portable.o,$(O) $(O)/asan \
	$(O)/tsan $(addprefix $(O)/cross/,$(CROSS_ARCHES)))

.SECONDARY:

# --- make check-cross: other architectures, emulated -------------------------
# Each architecture of CROSS_ARCHES is built with Debian's cross compiler
# into build/cross/<arch>/ and its tests run under qemu-user (tests/cross/
# run). aarch64 runs the hand-written coroutine switch, s390x is big-endian,
# ppc64le takes the portable switch. Sanitizers: UBSan everywhere; ASan on
# aarch64 only (qemu-user cannot map its shadow for s390x or ppc64le) and
# without LeakSanitizer, which needs ptrace; TSan nowhere (under qemu-user
# it finds an address-space size it does not support; none for s390x).
# Under qemu an ASan program spends about 2.5 s of CPU starting (mapping
# its shadow), so the shell tests, which start the command some 1,300
# times, run an aarch64 command built with UBSan alone
# (build/cross/aarch64/ubsan/lazymmu); the test programs keep ASan.
CROSS_ARCHES ?= aarch64 s390x ppc64le
CROSS_TRIPLE_aarch64 := aarch64-linux-gnu
CROSS_TRIPLE_s390x := s390x-linux-gnu
CROSS_TRIPLE_ppc64le := powerpc64le-linux-gnu
CROSS_UBSAN := -O1 -fsanitize=undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
CROSS_FLAGS_aarch64 := $(CROSS_UBSAN) -fsanitize=address
CROSS_FLAGS_s390x := $(CROSS_UBSAN)
CROSS_FLAGS_ppc64le := $(CROSS_UBSAN)
CROSS_CMD_aarch64 := ubsan/lazymmu
CROSS_TESTS = $(addprefix $(O)/cross/$(1)/,$(CORE_TESTS) $(SIM_TESTS))
CROSS_CMD = $(O)/cross/$(1)/$(or $(CROSS_CMD_$(1)),lazymmu)
CROSS_SCRIPTS := $(wildcard tests/cli/*.sh tests/cross/*.sh)

# the cross compilers and qemu-user, installed when missing (Debian 12);
# one stamp per architecture, so that a new one in CROSS_ARCHES is checked
CROSS_DEPS := $(foreach a,$(CROSS_ARCHES),$(O)/cross/$(a)/.deps)
cross-deps: $(CROSS_DEPS)
$(O)/cross/%/.deps: | $(O)/.deps
	@case $* in aarch64) t=aarch64-linux-gnu d=arm64;; \
	s390x) t=s390x-linux-gnu d=s390x;; \
	ppc64le) t=powerpc64le-linux-gnu d=ppc64el;; \
	*) echo "CROSS_ARCHES: no cross toolchain known for '$*'" \
		"(aarch64, s390x, ppc64le)" >&2; exit 2;; esac; \
	missing=; \
	command -v $$t-gcc >/dev/null 2>&1 && \
	[ -e /usr/$$t/lib/libubsan.so.1 ] || \
		missing="gcc-$$t libc6-dev-$$d-cross"; \
	command -v qemu-$*-static >/dev/null 2>&1 || \
	command -v qemu-$* >/dev/null 2>&1 || \
		missing="$$missing qemu-user-static"; \
	if [ -n "$$missing" ]; then \
		echo "installing the cross tools for $*: $$missing"; \
		$(SUDO) apt-get update && \
		$(SUDO) apt-get install -y --no-install-recommends $$missing || \
		exit 1; \
	fi
	@mkdir -p $(dir $@) && touch $@

# one variant per architecture, with its own compiler and archiver
define cross_variant
$(O)/cross/$(1)/%: CC := $(CROSS_TRIPLE_$(1))-gcc
$(O)/cross/$(1)/%: AR := $(CROSS_TRIPLE_$(1))-ar
$(call variant,$(O)/cross/$(1),$(CROSS_FLAGS_$(1)))
$(call variant,$(O)/cross/$(1)/ubsan,$(CROSS_UBSAN))
endef
$(foreach a,$(CROSS_ARCHES),$(eval $(call cross_variant,$(a))))
$(CTX_TEST_OBJS): src/sim/ctx.c

check-cross: $(CROSS_DEPS) $(O)/lazymmu
	@$(MAKE) --no-print-directory $(foreach a,$(CROSS_ARCHES),\
		$(call CROSS_TESTS,$(a)) $(call CROSS_CMD,$(a)))
	@CROSS_ARCHES="$(CROSS_ARCHES)" O=$(O) \
		$(foreach a,$(CROSS_ARCHES),CROSS_CMD_$(a)=$(call CROSS_CMD,$(a))) \
		tests/cross/run $(CORE_TESTS) $(SIM_TESTS) $(CROSS_SCRIPTS)

# --- targets -----------------------------------------------------------------
run: all
	./$(O)/lazymmu

ASAN_BINS := $(addprefix $(O)/asan/,$(CORE_TESTS) $(SIM_TESTS)) $(O)/asan/lazymmu
TSAN_BINS := $(addprefix $(O)/tsan/,$(TSAN_TESTS))

check: all $(ASAN_BINS) $(TSAN_BINS)
	@LAZYMMU=$(O)/asan/lazymmu CC="$(CC)" MAKE="$(MAKE)" tests/run-tests \
		$(addprefix $(O)/asan/,$(CORE_TESTS) $(SIM_TESTS)) \
		$(TSAN_BINS) $(SCRIPT_TESTS)

# The core inside a real kernel: a User-Mode Linux build of Debian's
# linux-source under KUnit (kunit/run, docs/core.md). Installs what it
# lacks; a kernel build (an hour on 2 busy cores) and 1.6 GB under
# build/kunit/ the first time, minutes after that.
check-kunit:
	@kunit/run

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
	      $(wildcard tests/*/*.c bench/*.c) \
	      $(wildcard kunit/*.c kunit/*.h kunit/include/*.h)
CLANG_FORMAT ?= clang-format

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_SRCS)

format-files:
	@echo $(FORMAT_SRCS)

clean:
	rm -rf $(O)
