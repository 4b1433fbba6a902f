# mlab-hub — top-level build.  See README.md.
#
#   make            build hub/mlab-hub and the programs under devices/
#   make run        the whole lab on this machine (private broker, hub, simulated lab)
#   make check      install what is missing, build, run every test
#   make bench      benchmarks; table printed and written to BENCHMARKS.md
#   make install    DESTDIR, PREFIX honoured (units go to $(PREFIX)/lib/systemd/system)
#   make fuzz       run the parser fuzzers longer than make check does
#   make deb        the Debian packages into build/deb/ (ARCH=arm64|armhf: cross)
#   make check-deb  build them, then check their contents and lintian
#   make check-network  the network test with a private RabbitMQ node as the central broker

PREFIX   ?= /usr/local
DESTDIR  ?=
# where units go: under PREFIX like everything else; the package (debian/rules)
# and install-pi.sh's way pass UNITDIR=/lib/systemd/system
UNITDIR  ?= $(PREFIX)/lib/systemd/system
MANDIR   ?= $(PREFIX)/share/man
# /etc for the usual prefixes, else under PREFIX (a developer's private tree)
SYSCONFDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc)
CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS      = libwebsockets libmosquitto sqlite3 libgpiod libcjson libargon2 libsystemd libcrypto zlib
# recursive (=) on purpose: expanded only when a recipe runs, after `deps`
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -lpthread
WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wformat=2
CFLAGS   ?= -O2 -g
# CPPFLAGS and LDFLAGS: empty here, set by dpkg-buildflags in a package build
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -MMD -MP $(WARN) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -Ihub -Ibuild/gen
# the version, in one place: the newest entry of debian/changelog
VERSION  := ${shell sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog}
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

HUB_SRC   = $(sort $(wildcard hub/*.c hub/*/*.c))
HUB_OBJ   = $(HUB_SRC:%.c=build/rel/%.o)

DEV_COMMON = $(sort $(wildcard devices/common/*.c))
SIM_SRC   = $(sort $(wildcard devices/sim/*.c))
DEV_PROGS = $(patsubst devices/%.c,devices/%,$(sort $(wildcard devices/mlab-*.c))) devices/mlab-sim
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
MAN_SRC   = $(sort $(wildcard man/*.[158]))

.PHONY: all deps deps-run deps-check run check unit int web bench install fuzz clean cross check-cross deb check-deb check-network headers

all: hub/mlab-hub $(DEV_PROGS)

deps:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || scripts/deps.sh build
deps-run:
	@scripts/deps.sh run
deps-check:
	@scripts/deps.sh check

# MLAB_VERSION for every program's --version; rewritten only when it changes
build/gen/version.h: debian/changelog
	@mkdir -p $(@D)
	@printf '/* generated from debian/changelog by the Makefile */\n#define MLAB_VERSION "%s"\n' '$(VERSION)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; touch $@; else mv -f $@.tmp $@; fi

# the API's description (hub/net/openapi.json), compiled in as a C array
# $(call embed,NAME,FILE): FILE as a NUL-terminated C array NAME
embed = echo '/* generated from $(2) by the Makefile */'; \
	echo 'static const unsigned char $(1)[] = {'; \
	od -An -v -tx1 $(2) | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	echo '0 };'
build/gen/openapi_json.h: hub/net/openapi.json
	@mkdir -p $(@D)
	@{ $(call embed,openapi_json,$<); } >$@.tmp && mv -f $@.tmp $@
build/rel/hub/net/openapi.o build/asan/hub/net/openapi.o: build/gen/openapi_json.h

build/rel/%.o: %.c | deps build/gen/version.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
build/asan/%.o: %.c | deps build/gen/version.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

# the pages' catalogues, compiled in: the report's labels are the dashboard's words
build/gen/catalogue.h: web/i18n/fr.json web/i18n/en.json
	@mkdir -p $(@D)
	@{ $(call embed,catalogue_fr,web/i18n/fr.json); \
	   $(call embed,catalogue_en,web/i18n/en.json); } >$@.tmp && mv -f $@.tmp $@
build/rel/hub/report/words.o build/asan/hub/report/words.o: build/gen/catalogue.h

hub/mlab-hub: $(HUB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

devices/mlab-%: build/rel/devices/mlab-%.o $(DEV_COMMON:%.c=build/rel/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the simulated lab: a driver and one file per simulated kind (devices/sim/)
devices/mlab-sim: $(SIM_SRC:%.c=build/rel/%.o) $(DEV_COMMON:%.c=build/rel/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the sanitized hub the integration tests run
build/asan/mlab-hub: $(HUB_SRC:%.c=build/asan/%.o)
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

# unit tests: one program per tests/unit/test_*.c, linked with the modules
# (folders under hub/) it declares below and nothing else, so an include
# that points up a layer breaks the build of its test (scripts/check-layers.sh
# lists the layers).  stub_NAME is tests/unit/stub_NAME.c: stub_wire holds
# empty fan-out tables in place of hub/wire.c.  A test missing here does
# not link.
UNIT_test_eco_smarthome = eco
UNIT_test_eco_printers  = eco
UNIT_test_eco_formats   = eco
UNIT_test_eco_cache     = eco
UNIT_test_helpers       = eco core stub_wire
UNIT_test_inbox         = eco core stub_wire
UNIT_test_conf          = eco core stub_wire
UNIT_test_store         = eco core store mqtt net auth lab stub_wire
UNIT_test_ack           = eco core store mqtt net auth lab stub_wire
UNIT_test_args          = eco core store net stub_wire
UNIT_test_auth          = eco core store net auth stub_wire
UNIT_test_part          = eco core store mqtt net auth lab part stub_wire
UNIT_test_report        = eco core store net report stub_wire
UNIT_test_gpio          = eco core store mqtt net auth lab part gpio stub_wire
UNIT_test_vocab         = eco core store mqtt net auth lab part report stub_wire
UNIT_test_fed           = eco core store mqtt net auth lab part report fed stub_wire
unit_objs = $(patsubst %.c,build/asan/%.o,$(foreach m,$(1),$(if $(filter stub_%,$(m)),tests/unit/$(m).c,$(wildcard hub/$(m)/*.c))))
define unit_rule
build/asan/tests/$(1): build/asan/tests/unit/$(1).o $(call unit_objs,$(UNIT_$(1)))
	@mkdir -p $$(@D)
	$$(CC) $$(SAN) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(UNIT_SRC:tests/unit/%.c=%),$(eval $(call unit_rule,$(t))))

# every header compiles on its own (a file that includes it first needs
# nothing else): a stamp per header, remade when it or what it includes
# changes; part of `make check`
HDR_SRC   = $(sort $(wildcard hub/*.h hub/*/*.h))
HDR_OK    = $(HDR_SRC:%.h=build/hdr/%.ok)
headers: $(HDR_OK)
build/hdr/%.ok: %.h | deps build/gen/version.h build/gen/catalogue.h build/gen/openapi_json.h
	@mkdir -p $(@D)
	@printf '#include "%s"\n' '$(<:hub/%=%)' | \
		$(CC) $(ALL_CFLAGS) -Werror -MF $(@:.ok=.d) -MT $@ -fsyntax-only -x c - && touch $@

run: deps-run all
	@scripts/run-lab.sh

check: deps-check
	@$(MAKE) --no-print-directory all build/asan/mlab-hub $(UNIT_BIN) headers
	@tests/run.sh

# two labs and a network hub with RabbitMQ's MQTT plugin as the central
# broker (docs/network.md); not in `check`: it installs rabbitmq-server
# (Erlang) and takes ~30 s more
check-network:
	@scripts/deps.sh network
	@$(MAKE) --no-print-directory all build/asan/mlab-hub
	@NET_CENTRAL=rabbitmq ONLY=int/network.mjs tests/run.sh

bench: deps-check all build/yeargen
	@scripts/bench.sh

# a simulated year of a busy lab for the bench (not installed)
build/yeargen: scripts/yeargen.c | deps
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --cflags --libs sqlite3) -lm

fuzz: deps-check
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} tests/fuzz.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/mlab-hub \
		$(DESTDIR)$(PREFIX)/share/mlab-hub/web $(DESTDIR)$(PREFIX)/share/mlab-hub/mosquitto \
		$(DESTDIR)$(PREFIX)/share/mlab-hub/avahi $(DESTDIR)$(PREFIX)/share/doc/mlab-hub \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	@# the config holds the broker password: never world-readable, even for a moment
	install -d -m 750 $(DESTDIR)$(SYSCONFDIR)/mlab-hub
	install -m 755 hub/mlab-hub $(DEV_PROGS) $(DESTDIR)$(PREFIX)/bin/
	cp -R web/. $(DESTDIR)$(PREFIX)/share/mlab-hub/web/
	install -m 755 scripts/mlab-hub-backup $(DESTDIR)$(PREFIX)/lib/mlab-hub/mlab-hub-backup
	sed 's|^version=source$$|version=$(VERSION)|' scripts/mlab-device-cred.sh >$(DESTDIR)$(PREFIX)/sbin/mlab-device-cred
	chmod 755 $(DESTDIR)$(PREFIX)/sbin/mlab-device-cred
	install -m 644 scripts/mosquitto/mlab.conf scripts/mosquitto/mlab.acl $(DESTDIR)$(PREFIX)/share/mlab-hub/mosquitto/
	install -m 644 scripts/avahi/mlab-hub.service $(DESTDIR)$(PREFIX)/share/mlab-hub/avahi/
	install -m 644 docs/pi.md $(DESTDIR)$(PREFIX)/share/doc/mlab-hub/pi.md
	for m in $(MAN_SRC); do \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	for u in systemd/*.service systemd/*.timer; do \
		sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@LIBEXECDIR@|$(PREFIX)/lib/mlab-hub|g' \
		    -e 's|@DOCDIR@|$(PREFIX)/share/doc/mlab-hub|g' $$u >$(DESTDIR)$(UNITDIR)/$${u#systemd/} && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$${u#systemd/} || exit 1; \
	done
	install -m 644 scripts/mlab-hub.conf.example $(DESTDIR)$(SYSCONFDIR)/mlab-hub/mlab-hub.conf.example

clean:
	rm -rf build hub/mlab-hub $(DEV_PROGS)

# --- Debian packages (debian/, scripts/deb.sh): mlab-hub and mlab-hub-devices,
# built with dpkg-buildpackage from a clean copy of the tree under build/deb/,
# so this checkout's own build/ is left alone.  ARCH=arm64|armhf cross-builds
# with the toolchain of `make cross`.  check-deb: build, then
# tests/int/deb_package.sh (contents, conffiles, maintainer scripts, lintian).
deb:
	@scripts/deb.sh $(ARCH)
check-deb: deb
	@DEB_ARCH=$(ARCH) sh tests/int/deb_package.sh

-include $(shell find build/rel build/asan build/hdr -name '*.d' -type f 2>/dev/null)

# --- the Pi's ABI: cross-builds with Debian's cross toolchains (scripts/cross.sh)
# make cross ARCH=arm64|armhf       hub + device programs into build/cross-ARCH/bin/
# make check-cross ARCH=arm64|armhf unit tests (no sanitizers) under qemu-user
# Without ARCH: both.  Installs the toolchain and multiarch -dev packages once.
ARCH ?=
cross:
	@scripts/cross.sh $(ARCH) build
check-cross:
	@scripts/cross.sh $(ARCH) check

# --- scripts/install-pi.sh end to end (tests/pi/install_chroot.sh): a fresh
# Debian bookworm root, install, install again (nothing changes), uninstall,
# --purge.  Needs root and Debian's mirror; minutes the first time, so not
# part of `make check`.  See docs/pi.md, "Testing the installer".
.PHONY: check-install
check-install:
	@tests/pi/install_chroot.sh
