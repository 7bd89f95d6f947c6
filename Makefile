# detente — plain, non-recursive GNU Makefile.
#
#   make                     build ./detente
#   make check               unit, corpus and CLI tests; ends "N passed, N failed"
#   make check SANITIZE=address,undefined
#   make demo                bootstrap, build, real end-to-end attribution run
#   make bench               side-by-side benchmarks against libmaxminddb
#   make fuzz                build the libFuzzer targets (clang)
#   make lint                clang-format --dry-run, cppcheck, clang-tidy
#   make install [PREFIX=/usr/local] [DESTDIR=]

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZE ?=
PKGS     := libsodium jansson libmaxminddb sqlite3 zlib libzstd libpcap libcrypto libpsl libh2o-evloop libcurl

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wformat=2 -Wno-format-nonliteral
ifneq ($(CI),)
WARN     += -Werror
endif
OPT      ?= -O2 -g
CFLAGS   ?=
# Deferred (=): evaluated when a recipe runs, after scripts/bootstrap has
# installed the packages on a fresh machine.
CPPFLAGS_ALL = -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS_ALL   := -std=c17 $(OPT) $(WARN) -fno-strict-aliasing $(CFLAGS)
LDLIBS_ALL   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

ifneq ($(SANITIZE),)
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS_ALL += -fsanitize=$(SANITIZE)
BUILD    := build/san
else
BUILD    := build/rel
endif

LIB_SRC  := $(wildcard src/core/*.c src/geo/*.c src/merkle/*.c src/note/*.c src/ledger/*.c src/ingest/*.c src/store/*.c src/intel/*.c src/sim/*.c src/analysis/*.c src/report/*.c src/server/*.c src/privacy/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libdetente.a
BIN      := $(BUILD)/detente

TEST_SRC := $(wildcard tests/unit/*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=build/rel/bench/%)

.PHONY: all check demo bench fuzz lint install clean bootstrap bench-bin tests
.DELETE_ON_ERROR:

ifeq ($(SANITIZE),)
all: detente
detente: $(BIN)
	cp $(BIN) $@.tmp && mv -f $@.tmp $@
else
all: $(BIN)
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# the dashboard page is assembled into dash.o (.incbin)
$(BUILD)/src/server/dash.o: src/server/web/dashboard.html

# the report's world map (src/report/worldmap.h): generated from the npm data
# scripts/bootstrap installs, or a stub (no map) when node or the data is absent
# (regenerated when bootstrap reinstalls: it touches data/node/.complete after npm ci)
WORLDMAP_NPM := $(wildcard data/node/node_modules/world-atlas/package.json data/node/node_modules/i18n-iso-countries/package.json)
build/gen/worldmap.h: scripts/worldmap.js $(wildcard data/node/.complete)
	@mkdir -p $(dir $@)
	@if [ -n "$(word 2,$(WORLDMAP_NPM))" ] && command -v node >/dev/null 2>&1; then \
		node scripts/worldmap.js data/node/node_modules $@; \
	else echo "/* no map data: npm world-atlas absent at build time */" >$@; fi
$(BUILD)/src/report/worldmap.o build/fuzz/obj/src/report/worldmap.o: build/gen/worldmap.h

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c tests/testhelp.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(CFLAGS_ALL) -o $@ $< $(LIB) $(LDLIBS_ALL)

tests: $(BIN) $(TEST_BIN)

# Targets that a fresh machine may run first install what they need, then
# build in a second make so that pkg-config sees the installed packages.
check:
	@sh scripts/bootstrap --quiet
	@$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	@DETENTE=$(BUILD)/detente TESTBIN=$(BUILD)/tests sh tests/run.sh

bootstrap:
	sh scripts/bootstrap

demo:
	@sh scripts/bootstrap
	@$(MAKE) --no-print-directory all
	sh scripts/demo

build/rel/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Ibench -std=c17 -O3 -march=native -g $(WARN) -o $@ $< $(LIB) $(LDLIBS_ALL)

bench:
	@sh scripts/bootstrap --bench
	@$(MAKE) --no-print-directory all bench-bin
	sh bench/run.sh

bench-bin: $(BENCH_BIN)


lint:
	clang-format --dry-run --Werror $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--include=/usr/include/jansson.h \
		--suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src
	@# clang-tidy reports (clang-analyzer flags va_start/vsnprintf pairs and
	@# qsort over arrays of pointers falsely on Debian's LLVM 14)
	-clang-tidy --quiet \
		--checks=-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-narrowing-conversions,-bugprone-reserved-identifier,-bugprone-assignment-in-if-condition \
		$(LIB_SRC) $(CLI_SRC) -- $(CPPFLAGS_ALL) -std=c17

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/detente
	install -m 0755 detente $(DESTDIR)$(PREFIX)/bin/detente
	install -m 0644 docs/detente.1 $(DESTDIR)$(PREFIX)/share/man/man1/detente.1
	if [ -d data/ip-location-db-asn ]; then \
		cp -R data/ip-location-db-asn $(DESTDIR)$(PREFIX)/share/detente/; fi

clean:
	rm -rf build detente

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

include fuzz/fuzz.mk
