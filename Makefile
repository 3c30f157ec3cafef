# usc-mots: build, test, deps, data, demo, bench, install.
#
#   make                 build every tool into bin/
#   make test            unit tests (Criterion) and pipeline tests (tests/cli)
#   make test SANITIZE=1 the same under AddressSanitizer and UBSan (build-san/)
#   make test-gpu        CUDA backend against the CPU backend (skips with no GPU)
#   make test-slurm      the grids through a single-node Slurm cluster (as root)
#   make demo            generate, train, track and score a short Sprites-MOT video
#   make bench           throughput benchmarks (bench/ results printed)
#   make fuzz            libFuzzer harnesses (clang) into build-fuzz/
#   make fuzz-smoke      every fuzz corpus and regression input once (skips
#                        without clang)
#   make install PREFIX=/usr/local
#
# BUILD and BINDIR may be overridden so that several builds share one tree.

PREFIX   ?= /usr/local
SANITIZE ?= 0
CUDA     ?= auto
CC       ?= gcc

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
BINDIR   ?= build-san/bin
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow
else
BUILD    ?= build
BINDIR   ?= bin
SANFLAGS :=
endif

# The version --version prints and streams and models record: git describe
# in a checkout, else VERSION_DEFAULT (a release tarball).
VERSION_DEFAULT := 0.1
VERSION  := $(shell test -e .git && git describe --always --dirty --tags 2>/dev/null)
VERSION  := $(or $(VERSION),$(VERSION_DEFAULT))

PKGS     := msgpack libpng openblas
PKGCFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT      ?= -O2
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
            -pthread -Icommon -Ikernels $(PKGCFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS  += -pthread $(SANFLAGS) -Wl,--as-needed -Wl,--export-dynamic
LDLIBS   += $(PKGLIBS) -lm -ldl

# CUDA backend: built whenever nvcc is found (CUDA=0 turns it off), as a
# shared object that ae-train and ae-embed load at run time, so the tools
# link no CUDA library and start on machines without one.
CUDA_HOME ?= /usr/local/cuda
NVCC     := $(shell command -v nvcc 2>/dev/null || { test -x $(CUDA_HOME)/bin/nvcc && echo $(CUDA_HOME)/bin/nvcc; })
ifeq ($(CUDA),0)
NVCC     :=
endif
CU_SRCS  := $(if $(NVCC),$(wildcard kernels/nn/cuda/*.cu))
ifneq ($(NVCC),)
NVFLAGS  ?= -O2 -std=c++17 -Icommon -Ikernels -MMD -MP \
            -gencode arch=compute_75,code=sm_75 -gencode arch=compute_90,code=sm_90 \
            -gencode arch=compute_80,code=sm_80 -gencode arch=compute_75,code=compute_75 \
            -Xcompiler -fPIC,-Wall
CUDALIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudnn -lcublas -lcudart -lstdc++
CUDA_SO  := $(dir $(BINDIR))lib/usc-mots/libusc-cuda.so
endif

COMMON_SRCS := $(wildcard common/*.c)
KERNEL_SRCS := $(wildcard kernels/*/*.c kernels/nn/cpu/*.c)
TOOL_SRCS   := $(wildcard tools/*.c)
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
SUPPORT_SRCS := $(wildcard tests/support/*.c)
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)

OBJS  := $(COMMON_SRCS:%.c=$(BUILD)/%.o) $(KERNEL_SRCS:%.c=$(BUILD)/%.o)
CU_OBJS := $(CU_SRCS:%.cu=$(BUILD)/%.o)
LIB   := $(BUILD)/libusc.a
TOOLS := $(TOOL_SRCS:tools/%.c=$(BINDIR)/%)
UNITS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(BUILD)/%.o)

.PHONY: FORCE all test test-run test-gpu test-slurm check-sanitize deps data demo bench install clean \
        fuzz fuzz-smoke
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TOOLS) $(CUDA_SO)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Only common/version.o sees the version; $(BUILD)/version.txt changes (and
# rebuilds it) only when the text does.
$(BUILD)/version.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@
$(BUILD)/common/version.o: $(BUILD)/version.txt
$(BUILD)/common/version.o: CFLAGS += -DUSC_VERSION='"$(VERSION)"'

$(BUILD)/%.o: %.cu
	@mkdir -p $(@D)
	$(NVCC) $(NVFLAGS) -c -o $@ $<

$(LIB): $(OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BINDIR)/%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJS) $(LIB) -lcriterion $(LDLIBS)

# The CUDA backend's shared object, where nn.c looks for it: bin/ beside
# lib/usc-mots/ (also after make install). Unit tests are told its path.
ifneq ($(CUDA_SO),)
$(CUDA_SO): $(CU_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(CU_OBJS) $(CUDALIBS)
endif

# Every test and the demo start by making sure the Debian packages are there.
deps:
	@sh tests/deps.sh

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: all $(UNITS)
	@BINDIR=$(BINDIR) BUILD=$(BUILD) sh tests/run.sh

check-sanitize: deps
	@$(MAKE) --no-print-directory test-run SANITIZE=1

test-gpu: deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/test_gpu
	@USC_GPU_TEST=1 USC_CUDA_BACKEND=$(abspath $(CUDA_SO)) $(BUILD)/tests/test_gpu

test-slurm: deps
	@$(MAKE) --no-print-directory all
	@BIN=$(abspath $(BINDIR)) sh tests/slurm.sh

data:
	@sh pipelines/fetch-mnist.sh data

demo: deps
	@$(MAKE) --no-print-directory all
	@BINDIR=$(BINDIR) sh pipelines/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@BINDIR=$(BINDIR) BUILD=$(BUILD) sh pipelines/bench/run.sh

# libFuzzer harnesses (clang): make fuzz, then run build-fuzz/fuzz_NAME corpus/.
# The sources are built once into a sanitized archive each harness links;
# kernels/nn is left out (no parser needs it, and clang rejects its vector
# code without -mavx).
FUZZ_CC     ?= clang
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
               -Icommon -Ikernels $(PKGCFLAGS) -MMD -MP
FUZZ_OBJS   := $(COMMON_SRCS:%.c=build-fuzz/%.o) \
               $(patsubst %.c,build-fuzz/%.o,$(filter-out kernels/nn/%,$(KERNEL_SRCS)))
FUZZ_LIB    := build-fuzz/libusc-fuzz.a
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)

build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(PKGLIBS) -lm

fuzz: $(FUZZ_BINS)

# Every corpus and regression input once through its harness; skips
# without a clang that links libFuzzer (its runtime is a separate package).
fuzz-smoke:
	@mkdir -p build-fuzz; \
	if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
	  $(FUZZ_CC) -fsanitize=fuzzer -x c -o build-fuzz/probe - >/dev/null 2>&1; then \
	  echo "fuzz-smoke: skip (no $(FUZZ_CC) with libFuzzer)"; exit 0; fi; \
	$(MAKE) --no-print-directory fuzz && sh tests/fuzz/smoke.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin
	if [ -n "$(CUDA_SO)" ]; then install -d $(DESTDIR)$(PREFIX)/lib/usc-mots; \
	  install -m 755 $(CUDA_SO) $(DESTDIR)$(PREFIX)/lib/usc-mots; fi
	install -m 644 $(wildcard man/man1/*.1) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/man5/*.5) $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 $(wildcard man/man7/*.7) $(DESTDIR)$(PREFIX)/share/man/man7
	if [ -f data/mnist-digits.idx3-ubyte ]; then install -d $(DESTDIR)$(PREFIX)/share/usc-mots; \
	  install -m 644 data/mnist-digits.idx3-ubyte $(DESTDIR)$(PREFIX)/share/usc-mots; fi

clean:
	rm -rf build build-san build-fuzz bin lib

-include $(OBJS:.o=.d) $(CU_OBJS:.o=.d) $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
