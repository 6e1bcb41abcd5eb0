# One build for everything: freestanding i386 programs for GNU Mach, host
# unit tests of the portable code, boot ISOs and disk images.
#   make            build programs, host tools and tests
#   make check      host unit tests and every boot scenario
#   make run        boot the full chain from a root image built from rootfs/
#                   (DISK=image ROOT=device CONFIG=name), console on stdin/stdout
#   make image      a bootable root image (OUT=file EXTRA=folder FS=ext3|ext2)
BUILD   ?= build
# make V=1 shows the commands
Q       := $(if $(V),,@)
CONFIG  ?= default
KERNEL  := $(BUILD)/kernel/boot/gnumach-1.8-486.gz
STAMP   := $(BUILD)/.deps-ok

# --- target: static 32-bit ELF, no host libc --------------------------------
TCC     := gcc -m32
TCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic \
           -fno-stack-protector -fno-asynchronous-unwind-tables -march=i686 -mno-sse \
           -Iinclude -MMD -MP
TLDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none
# user programs get lib/posix's start-up (descriptors, cwd, environment from exec)
USER_LDFLAGS := -Wl,--undefined=rt_user_start
RT_SRC  := $(wildcard lib/mach/*.c lib/mach/*.S lib/c/*.c lib/server/*.c lib/server/*.S lib/chain/*.c lib/pci/*.c lib/pciarb/*.c \
                     lib/virtio/*.c lib/ahci/*.c lib/nvme/*.c lib/disk/*.c lib/ext2/*.c lib/fs/*.c lib/exec/*.c lib/elf/*.c lib/posix/*.c lib/tty/*.c)
RT_OBJ  := $(patsubst %,$(BUILD)/t/%.o,$(filter-out lib/c/crt0.S,$(RT_SRC)))
CRT0    := $(BUILD)/t/lib/c/crt0.S.o
LIBRT   := $(BUILD)/librt.a

# programs: every directory with a main program under servers/, every user
# program (user/NAME.c or user/NAME/*.c) and every test program in tests/boot/progs
PROG_DIRS := $(wildcard servers/*)
USER_PROGS := $(sort $(basename $(notdir $(wildcard user/*.c))) $(notdir $(patsubst %/,%,$(dir $(wildcard user/*/*.c)))))
# the terminal server is a program exec starts (servers/term), with the user runtime
USER_PROGS += term
PROGS   := $(notdir $(PROG_DIRS)) $(USER_PROGS) $(basename $(notdir $(wildcard tests/boot/progs/*.c)))
BINS    := $(addprefix $(BUILD)/bin/,$(PROGS))

# --- host: portable code under test ------------------------------------------
HCC     := gcc
HCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -DRT_HOST \
           -include tests/unit/rename.h -fsanitize=address,undefined -fno-omit-frame-pointer
PORTABLE := lib/c/fmt.c lib/c/memcmp.c lib/c/malloc.c lib/c/lock.c lib/c/options.c lib/c/number.c \
            lib/mach/msgcheck.c lib/mach/errors.c lib/server/demux.c \
            lib/pciarb/policy.c lib/pci/pci.c lib/pci/confwrite.c lib/pci/names.c lib/virtio/ring.c lib/ahci/ahci.c lib/c/cksum.c lib/c/fileinfo.c lib/disk/part.c \
            user/sh/parse.c user/sh/glob.c lib/tty/ldisc.c lib/tty/ledit.c \
            $(wildcard lib/ext2/*.c lib/elf/*.c lib/nvme/*.c)
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS  := $(addprefix $(BUILD)/host/,$(UNIT_TESTS)) tests/unit/defs_ids.sh tests/unit/defs_docs.sh \
              tests/bootchain/run.sh \
              tests/boot/test_pci_compare.py tests/fuzz/run.sh tests/run/run.sh
BOOTCHAIN  := $(BUILD)/host/bootchain

.PHONY: all deps check unit boot run image clean fuzz
all: $(BINS) $(filter $(BUILD)/%,$(UNIT_BINS)) $(BOOTCHAIN)

deps: $(STAMP)
$(STAMP): tools/deps.sh
	bash tools/deps.sh $(BUILD)
	@touch $@

$(BUILD)/t/%.c.o: %.c | $(STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(TCC) $(TCFLAGS) -c $< -o $@
$(BUILD)/t/%.S.o: %.S | $(STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(TCC) $(TCFLAGS) -c $< -o $@

$(LIBRT): $(RT_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/bin/%: $$(addprefix $(BUILD)/t/,$$(addsuffix .o,$$(wildcard servers/$$*/*.c) $$(wildcard tests/boot/progs/$$*.c) \
                                                 $$(wildcard user/$$*.c user/$$*/*.c))) \
                $(CRT0) $(LIBRT)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(TCC) $(TLDFLAGS) $(if $(filter $*,$(USER_PROGS)),$(USER_LDFLAGS)) -o $@ $(CRT0) $(filter-out $(CRT0) $(LIBRT),$^) $(LIBRT) -lgcc

$(BUILD)/host/oracle.o: tests/unit/oracle.c
	@mkdir -p $(dir $@)
	$(Q)$(HCC) -O1 -g -fsanitize=address,undefined -c $< -o $@
$(BUILD)/host/test_%: tests/unit/test_%.c $(PORTABLE) tests/unit/host_rt.c tests/unit/unit.h \
                      tests/unit/rename.h $(BUILD)/host/oracle.o $(wildcard include/*/*.h)
	@echo "  HOSTCC  $@"
	$(Q)$(HCC) $(HCFLAGS) -o $@ $< tests/unit/host_rt.c $(PORTABLE) $(BUILD)/host/oracle.o -lpthread

# bootchain: the host tool that checks boot configurations (tools/bootchain)
$(BOOTCHAIN): $(wildcard tools/bootchain/*.[ch]) lib/c/options.c lib/c/number.c \
              $(wildcard tests/boot/progs/*_options.h servers/*/options.h) include/chain/options.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -DRT_HOST -o $@ \
	    $(filter %.c,$^)

unit: all
	@bash tools/check.sh --unit $(UNIT_BINS)

boot: $(BINS) $(BOOTCHAIN) | $(STAMP)
	@bash tools/check.sh --boot $(BUILD) tests/boot/*.scenario

check: all
	@bash tools/check.sh --unit $(UNIT_BINS) --boot $(BUILD) tests/boot/*.scenario

# the root image: rootfs/ and the user programs, and (--boot) GRUB, the kernel
# and the servers, so that it boots by itself; `make image` makes one with EXTRA too
ROOT_IMG := $(BUILD)/root.img
USER_BINS := $(addprefix $(BUILD)/bin/,$(USER_PROGS))
$(ROOT_IMG): $(BINS) tools/mkimage.sh tools/mkdisk.sh tools/bootdisk.py $(wildcard boot/*.cfg) \
             $(shell find rootfs -type f) | $(STAMP)
	@echo "  IMAGE   $@"
	$(Q)bash tools/mkimage.sh --boot $(BUILD) $@ $(BUILD)/bin >/dev/null
OUT ?= $(BUILD)/image.img
FS  ?= ext3
image: $(BINS) | $(STAMP)
	@FS=$(FS) bash tools/mkimage.sh $(if $(filter vd0 hd0 wd0,$(ROOT)),--whole,--boot $(BUILD)) $(OUT) $(BUILD)/bin '$(EXTRA)'

run: $(BINS) $(BOOTCHAIN) $(if $(DISK),,$(ROOT_IMG)) | $(STAMP)
	@python3 tools/run.py --build $(BUILD) --disk $(or $(DISK),$(ROOT_IMG)) $(if $(ROOT),--root $(ROOT)) \
	    boot/$(CONFIG).cfg

# libFuzzer on the image parsers for FUZZ_SECONDS each (make check runs a short bounded pass)
FUZZ_SECONDS ?= 300
fuzz: | $(STAMP)
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)/t $(BUILD)/bin $(BUILD)/host $(BUILD)/iso $(BUILD)/librt.a

-include $(shell find $(BUILD)/t -name '*.d' 2>/dev/null)
