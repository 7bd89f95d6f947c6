# fuzz/fuzz.mk — libFuzzer targets and their `make check` replay.
# Included at the end of the Makefile, whose variables it uses: BUILD, CC,
# CPPFLAGS_ALL, CFLAGS_ALL, LIB, LIB_SRC, LDLIBS_ALL.  See fuzz/README.md.
#
#   make fuzz          build/fuzz/fuzz_* (clang, libFuzzer, ASan, UBSan)
#   make fuzz-seeds    build/fuzz/seeds/<target>/ from fuzz/regress and
#                      ../shared/corpus, ready for the fuzzers
#   make fuzz-replay   replay the saved inputs (make check does it too)

# every fuzz/fuzz_*.c is a target (fuzz/replay.c is the replay driver)
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_CLANG   ?= clang
FUZZ_SAN     ?= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  ?= -std=c17 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
# geo_index_open's mapping becomes an exact-size heap copy (fuzz/fuzz.h)
FUZZ_WRAP    := -DFUZZ_WRAP_MMAP -Wl,--wrap=mmap -Wl,--wrap=munmap
FUZZ_HDRS    := fuzz/fuzz.h $(wildcard src/*/*.h)
FUZZ_OBJ     := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
FUZZ_LIBA    := build/fuzz/libdetente-fuzz.a
FUZZ_TARGET_BIN := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)

.PHONY: fuzz fuzz-seeds fuzz-replay

# The library once, with coverage instrumentation, as an archive so that a
# target links only the modules it uses.
build/fuzz/obj/%.o: %.c fuzz/cov-ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-fsanitize-coverage-ignorelist=fuzz/cov-ignore.txt -MMD -MP -c $< -o $@

$(FUZZ_LIBA): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_TARGET_BIN): build/fuzz/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_LIBA)
	$(FUZZ_CLANG) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_WRAP) \
		-o $@ $< $(FUZZ_LIBA) $(LDLIBS_ALL)

fuzz: $(FUZZ_TARGET_BIN)

# fuzz/replay.c is the replay driver, not a libFuzzer target: keep the
# Makefile's build/fuzz/% pattern (FUZZ_SRC = fuzz/*.c) from building it.
build/fuzz/replay: ; @:

# Replay binaries: a target and fuzz/replay.c's main(), built like the
# unit tests ($(CC), $(CFLAGS_ALL): with the sanitizers under SANITIZE=).
$(FUZZ_REPLAY_BIN): $(BUILD)/fuzz-replay/%: fuzz/%.c fuzz/replay.c fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(FUZZ_WRAP) \
		-o $@ fuzz/replay.c $< $(LIB) $(LDLIBS_ALL)

tests: $(FUZZ_REPLAY_BIN)

fuzz-replay: $(FUZZ_REPLAY_BIN)
	@FUZZ_REPLAY_DIR=$(BUILD)/fuzz-replay sh fuzz/replay.sh

fuzz-seeds: $(BIN)
	@DETENTE=$(BIN) sh fuzz/seeds.sh build/fuzz/seeds

-include $(FUZZ_OBJ:.o=.d)
