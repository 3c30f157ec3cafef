# usc-mots: build, test, deps, data, demo, bench, install.
#
#   make                 build every tool into bin/
#   make test            unit tests (Criterion) and pipeline tests (tests/cli)
#   make test SANITIZE=1 the same under AddressSanitizer and UBSan (build-san/)
#   make test-gpu        CUDA backend against the CPU backend (skips with no GPU)
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
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    ?= build
BINDIR   ?= bin
SANFLAGS :=
endif

PKGS     := msgpack libpng openblas
PKGCFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT      ?= -O2
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wno-unused-parameter \
            -pthread -Icommon -Ikernels $(PKGCFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS  += -pthread $(SANFLAGS) -Wl,--as-needed
LDLIBS   += $(PKGLIBS) -lm

# CUDA backend: compiled and linked whenever nvcc is found (CUDA=0 turns it off).
CUDA_HOME ?= /usr/local/cuda
NVCC     := $(shell command -v nvcc 2>/dev/null || { test -x $(CUDA_HOME)/bin/nvcc && echo $(CUDA_HOME)/bin/nvcc; })
ifeq ($(CUDA),0)
NVCC     :=
endif
CU_SRCS  := $(if $(NVCC),$(wildcard kernels/nn/cuda/*.cu))
ifneq ($(NVCC),)
CFLAGS   += -DUSC_CUDA -I$(CUDA_HOME)/include
NVFLAGS  ?= -O2 -std=c++17 -Icommon -Ikernels \
            -gencode arch=compute_75,code=sm_75 -gencode arch=compute_90,code=sm_90 \
            -gencode arch=compute_80,code=sm_80 -gencode arch=compute_75,code=compute_75 \
            -Xcompiler -fPIC,-Wall
CUDALIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudnn -lcublas -lcudart -lstdc++
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

.PHONY: all test test-run test-gpu check-sanitize deps data demo bench install clean fuzz \
        fuzz-smoke
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TOOLS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cu
	@mkdir -p $(@D)
	$(NVCC) $(NVFLAGS) -c -o $@ $<

$(LIB): $(OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BINDIR)/%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(GPU_OBJS) $(LIB) $(LDLIBS) $(GPU_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJS) $(GPU_OBJS) $(LIB) -lcriterion $(LDLIBS) $(GPU_LIBS)

# Only the programs that train or embed link the CUDA backend (and load
# cuDNN and cuBLAS at start); nn.c refers to it weakly, so the others run
# on the CPU backend alone.
GPU_PROGS := $(BINDIR)/ae-train $(BINDIR)/ae-embed $(BUILD)/tests/test_gpu
$(GPU_PROGS): GPU_OBJS = $(CU_OBJS)
$(GPU_PROGS): GPU_LIBS = $(CUDALIBS)
$(GPU_PROGS): $(CU_OBJS)

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
	@USC_GPU_TEST=1 $(BUILD)/tests/test_gpu

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
	install -m 644 $(wildcard man/man1/*.1) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/man5/*.5) $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 $(wildcard man/man7/*.7) $(DESTDIR)$(PREFIX)/share/man/man7
	if [ -f data/mnist-digits.idx3-ubyte ]; then install -d $(DESTDIR)$(PREFIX)/share/usc-mots; \
	  install -m 644 data/mnist-digits.idx3-ubyte $(DESTDIR)$(PREFIX)/share/usc-mots; fi

clean:
	rm -rf build build-san build-fuzz bin

-include $(OBJS:.o=.d) $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
