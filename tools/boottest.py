#!/usr/bin/env python3
"""Boot scenarios for GNU Mach under QEMU (`make run` is tools/run.py).

  boottest.py --build BUILD SCENARIO...   run boot scenarios, end with "N passed, M failed"
  boottest.py --build BUILD --iso CFG     only make the ISO for CFG and print its path

A boot configuration (*.cfg) is the body of a GRUB menuentry: `#` comments,
one `multiboot` line and `module` lines.  A path /P in it is taken from
BUILD/P, or else from BUILD/kernel/P (so /bin/hello is BUILD/bin/hello and
/boot/gnumach-1.8-486.gz is BUILD/kernel/boot/gnumach-1.8-486.gz).  The harness
adds the serial-console header, and the ISO (kept under BUILD/iso/, named by a
hash of its contents so an unchanged configuration is not rebuilt) holds the
grub.cfg and exactly the files that the configuration names.

A scenario (*.scenario) is one directive per line, `#` starts a comment line:

  config PATH            the boot configuration (required, but for disk-boot); a
                         relative PATH is taken from the project root, else
                         from the scenario's directory
  disk-boot              no configuration and no ISO: QEMU boots from the disk
                         that a `qemu` line attaches (its own GRUB, kernel and
                         servers; tools/bootdisk.py), with no -cdrom and no
                         -kernel
  qemu ARGS...           extra QEMU arguments, split like a shell does; $BUILD
                         (or ${BUILD}) is the build directory (repeatable)
  timeout SECONDS        time-out of each expectation without its own (60)
  expect [SECONDS] TEXT  TEXT must appear on the console after the previous
                         expectation's match, within SECONDS of that match (of
                         QEMU's start for the first).  A leading number is
                         always SECONDS: to expect "3 passed", write
                         `expect 60 3 passed`.
  send TEXT              type TEXT and a newline on the console, once the
                         expectations before it have matched
  fail TEXT              the scenario fails as soon as TEXT appears, at any time
  exit [SECONDS]         after the last expectation QEMU must end by itself (the
                         guest rebooted or halted; we run with -no-reboot) within
                         SECONDS (default: the time-out); without `exit` the
                         harness stops QEMU once everything has matched
  expect-failure TEXT    a test of the harness: passes only if the run fails
                         and the failure message contains TEXT
  bootchain-rejects TEXT the configuration is broken on purpose: `bootchain
                         check` must reject it with TEXT in its report (the
                         scenario then boots it all the same)
  host [NAME=]COMMAND    run COMMAND with bash in the project root before QEMU
                         starts ($BUILD is the build directory); the scenario
                         fails if it fails.  With NAME=, its output (stripped)
                         replaces ${NAME} in later expect, send and qemu lines,
                         and in `after` commands (as an environment variable)
  after COMMAND          run COMMAND once the run has passed (to check what the
                         guest left on a disk image); the scenario fails if it
                         fails, and its output is shown
  pci-compare PREFIX     the guest lists its PCI functions on console lines that
                         begin with PREFIX (e.g. `pcitest:`), one line for each
                         function and one for each of its BARs, then a count:
                           PREFIX fn BB:DD.F VVVV:DDDD class CCCCCC irq N pin N
                           PREFIX bar BB:DD.F INDEX KIND[ pref] 0xBASE 0xSIZE
                           PREFIX N functions listed
                         (hex as shown; KIND io, mem32 or mem64; pin 0 for none,
                         1 for A...).  QEMU gets a QMP socket; once the first
                         expectation matched, the harness asks it `query-pci`
                         (the BIOS has assigned the BARs by then, and they do
                         not change; so the first expectation must match a line
                         printed before the listing, while the guest still
                         runs); once every expectation matched (the last
                         should be the `N functions listed` line), before
                         waiting for `exit`, it compares: the same functions on
                         every bus (behind PCI bridges too), each with the same
                         vendor:device, class (with the prog-if when QEMU gives
                         one; QEMU 7.2 does not: class and subclass only),
                         interrupt pin, interrupt line (when the pin is not 0)
                         and BARs (index, io or memory, 64-bit, prefetchable,
                         base and size; the expansion ROM is left out; a BAR
                         that QEMU reports unassigned, at address -1, is
                         compared by type and size only).  The failure lists
                         every difference; on success "pci-compare: N functions
                         and M BARs match QEMU" follows the PASS line.  QEMU's
                         answer is saved to BUILD/logs/NAME.qemu-pci.json, and
                         its `info pci` text is added at the end of the log

TEXT is a plain substring of the console text (carriage returns and terminal
escape sequences removed), matched across line breaks as the text accumulates,
so it need not be a whole line.  Written in double quotes, TEXT is a JSON
string: "\\n# " keeps blanks and can match a line break; a quoted `send` text is
sent as it is, without a newline.

Always-on failure patterns: a GNU Mach kernel panic ("panic FILE:LINE: ..."),
kernel trap or fault reports ("Kernel Invalid opcode trap", "Kernel page fault
at ...", "kernel trap, type ...") and a program panic (": panic at ").

Before it boots, every configuration goes through `bootchain check` (the host
tool BUILD/host/bootchain, when it has been built): a scenario fails when it
rejects a configuration that the scenario does not name in `bootchain-rejects`
(and tools/run.py refuses to boot one it rejects).

Each console is saved to BUILD/logs/NAME.log.  Environment: QEMU (the QEMU
binary, default qemu-system-i386),
BOOTCHAIN (the bootchain tool; `none` skips the check).
"""

import argparse
import codecs
import ctypes
import hashlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = os.environ.get("QEMU", "qemu-system-i386")
# -boot order=d: the CD first, or the BIOS boots a test disk with a boot signature
QEMU_BASE = ["-m", "256", "-boot", "order=d", "-display", "none", "-monitor", "none",
             "-serial", "stdio", "-no-reboot"]
# a disk that boots by itself: the BIOS's usual order (the disk)
DISK_BOOT_BASE = [a for a in QEMU_BASE if a not in ("-boot", "order=d")]
DEFAULT_TIMEOUT = 60.0
OVERALL_MARGIN = 30.0      # added to the sum of the time-outs
FAIL_GRACE = 1.0           # seconds of output still collected after a fail pattern
TAIL_LINES = 25
ISO_FORMAT = "1"           # bump when the ISO layout changes

GRUB_HEADER = """\
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
"""

ALWAYS_FAIL = [
    ("a kernel panic", re.compile(r"(?<![\w-])panic (?:\(cpu \d+\): )?\S+:\d+: ")),
    ("a kernel trap", re.compile(r"\bKernel [A-Za-z -]{0,40}?(?:trap|fault)\b")),
    ("a kernel trap", re.compile(r"\bkernel (?:trap, type|page fault at)\b")),
    ("a program panic", re.compile(r": panic at ")),
]


class Error(Exception):
    """A problem with a configuration, a scenario or the tools: no boot."""


class Interrupted(BaseException):
    pass


def rel(path):
    """A path as the user would like to read it."""
    r = os.path.relpath(path)
    return path if r.startswith("../..") else r


# --- boot configurations and ISOs ---------------------------------------------

def parse_cfg(cfg, build):
    """Returns (menuentry body lines, [(path in ISO, host file)])."""
    try:
        with open(cfg) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Error(f"cannot read boot configuration {rel(cfg)}: {e.strerror}")
    body, files, seen, multiboot = [], [], {}, 0
    for no, line in enumerate(lines, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{rel(cfg)}:{no}"
        if words[0] not in ("multiboot", "module"):
            raise Error(f"{where}: only `multiboot` and `module` lines are allowed, "
                        f"not `{words[0]}`:\n    {line.strip()}")
        if words[0] == "multiboot":
            multiboot += 1
            if multiboot > 1:
                raise Error(f"{where}: a second `multiboot` line")
        elif not multiboot:
            raise Error(f"{where}: a `module` line before the `multiboot` line")
        args = [w for w in words[1:] if not w.startswith("--")]  # GRUB's own options
        if not args:
            raise Error(f"{where}: `{words[0]}` without a file:\n    {line.strip()}")
        path = args[0].strip("'\"")
        if not path.startswith("/") or "/../" in path + "/" or path.endswith("/"):
            raise Error(f"{where}: `{path}` is not an absolute file path:\n    {line.strip()}")
        if path not in seen:
            tried = [os.path.join(build, path[1:]), os.path.join(build, "kernel", path[1:])]
            host = next((t for t in tried if os.path.isfile(t)), None)
            if host is None:
                hint = (f"make {rel(tried[0])}" if path.startswith("/bin/")
                        else "make deps" if path.startswith("/boot/") else "")
                raise Error(f"{where}: the file for {path} is missing: no {rel(tried[0])}"
                            + (f" (nor {rel(tried[1])})" if path.startswith("/boot/") else "")
                            + (f"; build it with `{hint}`" if hint else "")
                            + f"\n    {line.strip()}")
            seen[path] = host
            files.append((path, host))
        body.append(line.strip())
    if not multiboot:
        raise Error(f"{rel(cfg)}: no `multiboot` line")
    return body, files


def grub_cfg(name, body):
    return GRUB_HEADER + f'menuentry "{name}" {{\n' + "".join(f" {l}\n" for l in body) + "}\n"


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_iso(cfg, build, quiet=False):
    """The ISO for boot configuration CFG: reused when its inputs are unchanged."""
    name = re.sub(r"[^\w.-]", "_", os.path.splitext(os.path.basename(cfg))[0]) or "boot"
    body, files = parse_cfg(cfg, build)
    text = grub_cfg(name, body)
    h = hashlib.sha256(f"{ISO_FORMAT}\0{text}\0".encode())
    for path, host in files:
        h.update(f"{path}\0{file_hash(host)}\0".encode())
    digest = h.hexdigest()[:16]
    isodir = os.path.join(build, "iso")
    os.makedirs(isodir, exist_ok=True)
    iso = os.path.abspath(os.path.join(isodir, f"{name}-{digest}.iso"))
    if os.path.isfile(iso):
        os.utime(iso)
        return iso
    if shutil.which("grub-mkrescue") is None:
        raise Error("grub-mkrescue is not installed (run `make deps`)")
    stage = tempfile.mkdtemp(prefix=f".{name}-", dir=isodir)
    try:
        os.makedirs(os.path.join(stage, "boot", "grub"))
        with open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(text)
        for path, host in files:
            dest = os.path.join(stage, path[1:])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(host, dest)
        tmp = os.path.join(stage, "out.iso")
        if not quiet:
            print(f"boottest: making {rel(iso)} from {rel(cfg)}", file=sys.stderr)
        try:
            r = subprocess.run(["grub-mkrescue", "-o", tmp, stage], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        except subprocess.TimeoutExpired:
            raise Error("grub-mkrescue did not finish within 300 s")
        if r.returncode != 0 or not os.path.isfile(tmp):
            out = r.stdout.decode(errors="replace").strip().splitlines()[-15:]
            raise Error(f"grub-mkrescue failed (status {r.returncode}) for {rel(cfg)}:\n"
                        + "\n".join("    " + l for l in out))
        os.replace(tmp, iso)
        with open(os.path.join(isodir, f"{name}.grub.cfg"), "w") as f:
            f.write(text)      # the latest one, to read
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    # forget this configuration's older ISOs (not ones used in the last 10 minutes)
    pat = re.compile(re.escape(name) + r"-[0-9a-f]{16}\.iso$")
    for old in os.listdir(isodir):
        p = os.path.join(isodir, old)
        try:
            if pat.match(old) and p != iso and time.time() - os.path.getmtime(p) > 600:
                os.unlink(p)
        except OSError:
            pass
    return iso


def bootchain_check(cfg, build, want=None,
                    hint="if that is the point, say `bootchain-rejects TEXT` in the scenario"):
    """Runs `bootchain check` on CFG.  Without WANT it must accept CFG; with
    WANT it must reject it with WANT in its report.  Returns a note when the
    tool is not there (the check is skipped), else None."""
    tool = os.environ.get("BOOTCHAIN")
    if tool == "none":
        return "bootchain check skipped (BOOTCHAIN=none)"
    if not tool:
        tool = os.path.join(build, "host", "bootchain")
        if not os.access(tool, os.X_OK):
            return f"bootchain check skipped: no {rel(tool)} (make {rel(tool)})"
    cmd = [tool, "check", f"--bin={os.path.join(build, 'bin')}",
           f"--kernel-dir={os.path.join(build, 'kernel')}", cfg]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120, env=env)
    except OSError as e:
        raise Error(f"cannot run {tool}: {e.strerror}")
    except subprocess.TimeoutExpired:
        raise Error(f"`bootchain check {rel(cfg)}` did not finish within 120 s")
    out = r.stdout.decode(errors="replace").rstrip()
    shown = "\n".join("    " + l for l in out.splitlines()[-20:])
    if want is None:
        if r.returncode != 0:
            raise Error(f"bootchain check rejects {rel(cfg)} (status {r.returncode}); "
                        f"{hint}:\n{shown}")
    elif r.returncode != 1 or want not in out:
        got = "accepts it" if r.returncode == 0 else f"says (status {r.returncode}):\n{shown}"
        raise Error(f"bootchain check should reject {rel(cfg)} with {quote(want)}, but {got}")
    return None


# --- scenarios -----------------------------------------------------------------

class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        if self.name.endswith(".scenario"):
            self.name = self.name[: -len(".scenario")]
        self.config = None
        self.disk_boot = False
        self.qemu = []
        self.timeout = None
        self.steps = []          # ("expect", text, seconds|None, k) / ("send", bytes)
        self.fails = []
        self.exit = False
        self.exit_timeout = None
        self.expect_failure = None
        self.bootchain_rejects = None
        self.pci_compare = None  # the prefix of the guest's PCI listing
        self.host = []           # (NAME or None, command, where): run before QEMU
        self.after = []          # (command, where): run after a passing run

    @property
    def expects(self):
        return [s for s in self.steps if s[0] == "expect"]


def text_arg(rest, where):
    rest = rest.strip()
    if len(rest) >= 2 and rest[0] == '"' and rest[-1] == '"':
        try:
            value = json.loads(rest)
        except ValueError as e:
            raise Error(f"{where}: bad quoted text {rest}: {e}")
        return value, True
    return rest, False


def seconds_arg(word, where):
    try:
        v = float(word)
    except ValueError:
        raise Error(f"{where}: `{word}` is not a number of seconds")
    if not v > 0:
        raise Error(f"{where}: the time-out must be more than 0 s")
    return v


def parse_scenario(path, build):
    sc = Scenario(path)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Error(f"cannot read scenario {rel(path)}: {e.strerror}")
    for no, line in enumerate(lines, 1):
        where = f"{rel(path)}:{no}"
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word, _, rest = s.partition(" ")
        rest = rest.strip()
        if word == "config":
            if sc.config or not rest:
                raise Error(f"{where}: give one `config PATH`")
            cands = [rest] if os.path.isabs(rest) else \
                [os.path.join(ROOT, rest), os.path.join(os.path.dirname(path), rest)]
            sc.config = next((c for c in cands if os.path.isfile(c)), None)
            if sc.config is None:
                raise Error(f"{where}: boot configuration {rest} not found")
        elif word == "disk-boot" and not rest:
            sc.disk_boot = True
        elif word == "qemu":
            try:
                args = shlex.split(rest)
            except ValueError as e:
                raise Error(f"{where}: {e}")
            b = os.path.abspath(build)
            sc.qemu += [a.replace("${BUILD}", b).replace("$BUILD", b) for a in args]
        elif word == "timeout":
            if sc.timeout is not None:
                raise Error(f"{where}: a second `timeout`")
            sc.timeout = seconds_arg(rest, where)
        elif word == "expect":
            first, _, after = rest.partition(" ")
            secs = None
            if re.fullmatch(r"\d+(\.\d*)?", first) and after.strip():
                secs, rest = seconds_arg(first, where), after
            text, _ = text_arg(rest, where)
            if not text:
                raise Error(f"{where}: `expect` without text")
            sc.steps.append(("expect", text, secs, len(sc.expects) + 1))
        elif word == "send":
            text, quoted = text_arg(rest, where)
            sc.steps.append(("send", (text if quoted else text + "\n").encode()))
        elif word == "fail":
            text, _ = text_arg(rest, where)
            if not text:
                raise Error(f"{where}: `fail` without text")
            sc.fails.append(text)
        elif word == "exit":
            if sc.exit:
                raise Error(f"{where}: a second `exit`")
            sc.exit = True
            if rest:
                sc.exit_timeout = seconds_arg(rest, where)
        elif word == "expect-failure":
            text, _ = text_arg(rest, where)
            if sc.expect_failure is not None or not text:
                raise Error(f"{where}: give one `expect-failure TEXT`")
            sc.expect_failure = text
        elif word == "bootchain-rejects":
            text, _ = text_arg(rest, where)
            if sc.bootchain_rejects is not None or not text:
                raise Error(f"{where}: give one `bootchain-rejects TEXT`")
            sc.bootchain_rejects = text
        elif word == "host":
            m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.+)", rest)
            if not rest:
                raise Error(f"{where}: `host` without a command")
            sc.host.append((m.group(1), m.group(2), where) if m else (None, rest, where))
        elif word == "after":
            if not rest:
                raise Error(f"{where}: `after` without a command")
            sc.after.append((rest, where))
        elif word == "pci-compare":
            text, _ = text_arg(rest, where)
            if sc.pci_compare is not None or not text.strip():
                raise Error(f"{where}: give one `pci-compare PREFIX`")
            sc.pci_compare = text
        else:
            raise Error(f"{where}: unknown directive `{word}`")
    if (sc.config is None) != sc.disk_boot:
        raise Error(f"{rel(path)}: give a `config` line or `disk-boot`, one of them")
    if not sc.expects and not sc.exit:
        raise Error(f"{rel(path)}: nothing to check (no `expect` and no `exit`)")
    if sc.pci_compare is not None and not sc.expects:
        raise Error(f"{rel(path)}: `pci-compare` needs `expect` lines (QEMU is asked "
                    "once the first matched, compared once the last matched)")
    if sc.timeout is None:
        sc.timeout = DEFAULT_TIMEOUT
    sc.steps = [(s[0], s[1], s[2] or sc.timeout, s[3]) if s[0] == "expect" else s
                for s in sc.steps]
    if sc.exit and sc.exit_timeout is None:
        sc.exit_timeout = sc.timeout
    return sc


# --- console text ----------------------------------------------------------------

ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_]|$)")
PARTIAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?)?\Z")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")


class Cleaner:
    """Turns the raw serial bytes into plain text: UTF-8 (bad bytes replaced),
    terminal escape sequences and control characters removed, CR LF and LF CR
    made LF, a lone CR (a line redrawn) made LF.  Incremental: a sequence cut
    by a read boundary is held back until the rest arrives."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""
        self.at_line_start = True

    def feed(self, data, final=False):
        s = self.pending + self.decoder.decode(data, final)
        self.pending = ""
        if not final:
            m = PARTIAL_ESCAPE.search(s)
            if m:
                s, self.pending = s[: m.start()], s[m.start():]
            if s.endswith("\r"):
                s, self.pending = s[:-1], "\r" + self.pending
        s = ESCAPE.sub("", s)
        s = CONTROL.sub("", s)
        s = re.sub(r"\r+\n", "\n", s)
        out = []
        for i, piece in enumerate(re.split(r"(\r+)", s)):
            if i % 2:          # a run of lone CRs: a line break unless one just came
                if not self.at_line_start:
                    out.append("\n")
                    self.at_line_start = True
            elif piece:
                out.append(piece)
                self.at_line_start = piece.endswith("\n")
        return "".join(out)


def tail(text, n=TAIL_LINES):
    lines = text.splitlines()[-n:]
    if not lines:
        return "    (no console output)"
    return "\n".join("    " + l for l in lines)


def quote(t):
    return json.dumps(t, ensure_ascii=False)


# --- pci-compare: the guest's PCI list against QEMU's query-pci -------------------

PCI_FN_RE = re.compile(r"fn ([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) ([0-9a-f]{4}):([0-9a-f]{4}) "
                       r"class ([0-9a-f]{6}) irq (\d+) pin (\d+)", re.I)
PCI_BAR_RE = re.compile(r"bar ([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) (\d+) (io|mem32|mem64)( pref)? "
                        r"0x([0-9a-f]+) 0x([0-9a-f]+)", re.I)
PCI_COUNT_RE = re.compile(r"(\d+) functions? listed")
PCI_ROM_BAR = 6
QMP_TIMEOUT = 10.0


def pci_addr(a):
    return "%02x:%02x.%x" % a


def guest_bar_text(b):
    return f"{b['kind']}{' pref' if b['pref'] else ''} {b['base']:#x} size {b['size']:#x}"


def qemu_bar_text(b):
    kind = "io" if b["io"] else "memory"
    if b["mem64"]:
        kind += " 64-bit"
    if b["pref"]:
        kind += " prefetchable"
    where = "unassigned" if b["address"] is None else f"{b['address']:#x}"
    return f"{kind} {where} size {b['size']:#x}"


def parse_guest_pci(text, prefix):
    """The guest's listing: the console lines that begin with PREFIX and read
    `fn BB:DD.F VVVV:DDDD class CCCCCC irq N pin N`, `bar BB:DD.F I KIND[ pref]
    0xBASE 0xSIZE` or `N functions listed`.  Returns (functions by (bus, dev,
    fn), the N of the last `N functions listed` line or None, problems)."""
    funcs, problems, count = {}, [], None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith(prefix):
            continue
        rest = line[len(prefix):].strip()
        m = PCI_COUNT_RE.fullmatch(rest)
        if m:
            count = int(m.group(1))
            continue
        word = rest.split(" ", 1)[0]
        if word not in ("fn", "bar"):
            continue                    # some other message of the program
        if word == "fn":
            m = PCI_FN_RE.fullmatch(rest)
            if not m:
                problems.append(f"a guest line not understood: {quote(line)}")
                continue
            addr = tuple(int(g, 16) for g in m.groups()[:3])
            if addr in funcs:
                problems.append(f"{pci_addr(addr)}: listed twice by the guest")
                continue
            funcs[addr] = {"vendor": int(m.group(4), 16), "device": int(m.group(5), 16),
                           "class": int(m.group(6), 16), "irq": int(m.group(7)),
                           "pin": int(m.group(8)), "bars": {}}
        else:
            m = PCI_BAR_RE.fullmatch(rest)
            if not m:
                problems.append(f"a guest line not understood: {quote(line)}")
                continue
            addr = tuple(int(g, 16) for g in m.groups()[:3])
            f = funcs.get(addr)
            if f is None:
                problems.append(f"{pci_addr(addr)}: a guest `bar` line before (or without) "
                                f"its `fn` line: {quote(line)}")
                continue
            index = int(m.group(4))
            if index in f["bars"]:
                problems.append(f"{pci_addr(addr)}: BAR{index} listed twice by the guest")
                continue
            f["bars"][index] = {"kind": m.group(5).lower(), "pref": bool(m.group(6)),
                                "base": int(m.group(7), 16), "size": int(m.group(8), 16)}
    return funcs, count, problems


def parse_query_pci(answer):
    """QEMU's query-pci answer (the whole {"return": [...]} or its list): the
    functions of every bus, those behind PCI bridges included, by (bus, slot,
    function).  Each has vendor, device, class (class << 8 | subclass),
    prog_if (None when QEMU does not give it), pin, irq (None when not given)
    and bars by index: io, mem64, pref, address (None when unassigned), size.
    The expansion ROM (BAR 6) is left out."""
    buses = answer.get("return", answer) if isinstance(answer, dict) else answer
    if not isinstance(buses, list):
        raise Error(f"query-pci: not a list of buses: {json.dumps(answer)[:200]}")
    funcs = {}

    def add(devices):
        for d in devices:
            addr = (d["bus"], d["slot"], d["function"])
            ci = d.get("class_info", {})
            prog_if = ci.get("prog_if", d.get("prog_if"))
            bars = {}
            for r in d.get("regions", []):
                if r["bar"] == PCI_ROM_BAR:
                    continue
                a = r.get("address")
                if a is None or a < 0 or a >= (1 << 64) - 1:
                    a = None           # -1: not assigned
                bars[r["bar"]] = {"io": r.get("type") == "io",
                                  "mem64": bool(r.get("mem_type_64", False)),
                                  "pref": bool(r.get("prefetch", False)),
                                  "address": a, "size": r["size"]}
            funcs[addr] = {"vendor": d["id"]["vendor"], "device": d["id"]["device"],
                           "class": ci.get("class"), "prog_if": prog_if,
                           "pin": d.get("irq_pin"), "irq": d.get("irq"), "bars": bars}
            bridge = d.get("pci_bridge")
            if bridge:
                add(bridge.get("devices", []))

    try:
        for bus in buses:
            add(bus.get("devices", []))
    except (KeyError, TypeError, AttributeError) as e:
        raise Error(f"query-pci: an answer of an unexpected shape ({type(e).__name__} {e})")
    return funcs


def compare_pci(guest, qemu):
    """Returns (mismatches, functions compared, BARs compared)."""
    out = []
    nbars = 0
    for addr in sorted(set(guest) | set(qemu)):
        a, g, q = pci_addr(addr), guest.get(addr), qemu.get(addr)
        if q is None:
            out.append(f"{a}: listed by the guest ({g['vendor']:04x}:{g['device']:04x}) "
                       "but not in QEMU's query-pci")
            continue
        if g is None:
            out.append(f"{a}: in QEMU's query-pci ({q['vendor']:04x}:{q['device']:04x} class "
                       f"{q['class']:04x}) but not listed by the guest")
            continue
        if (g["vendor"], g["device"]) != (q["vendor"], q["device"]):
            out.append(f"{a}: guest {g['vendor']:04x}:{g['device']:04x}, "
                       f"QEMU {q['vendor']:04x}:{q['device']:04x}")
        if q["class"] is not None:
            if q["prog_if"] is not None:
                want = q["class"] << 8 | q["prog_if"]
                if g["class"] != want:
                    out.append(f"{a}: class guest {g['class']:06x}, QEMU {want:06x}")
            elif g["class"] >> 8 != q["class"]:
                out.append(f"{a}: class guest {g['class']:06x}, QEMU {q['class']:04x} "
                           "(QEMU gives no prog-if: class and subclass compared)")
        if q["pin"] is not None and g["pin"] != q["pin"]:
            out.append(f"{a}: interrupt pin guest {g['pin']}, QEMU {q['pin']}")
        if q["irq"] is not None and g["pin"] and g["irq"] != q["irq"]:
            out.append(f"{a}: interrupt line guest {g['irq']}, QEMU {q['irq']}")
        for i in sorted(set(g["bars"]) | set(q["bars"])):
            gb, qb = g["bars"].get(i), q["bars"].get(i)
            if gb is None:
                out.append(f"{a}: BAR{i} guest none, QEMU {qemu_bar_text(qb)}")
                continue
            if qb is None:
                out.append(f"{a}: BAR{i} guest {guest_bar_text(gb)}, QEMU none")
                continue
            nbars += 1
            same = (gb["kind"] == ("io" if qb["io"] else "mem64" if qb["mem64"] else "mem32")
                    and gb["pref"] == qb["pref"] and gb["size"] == qb["size"]
                    and (qb["address"] is None or gb["base"] == qb["address"]))
            if not same:
                out.append(f"{a}: BAR{i} guest {guest_bar_text(gb)}, QEMU {qemu_bar_text(qb)}")
    return out, len(set(guest) & set(qemu)), nbars


def pci_compare(text, prefix, answer):
    """Compares the guest's listing in TEXT with QEMU's query-pci ANSWER.
    Returns (mismatches, summary)."""
    guest, count, problems = parse_guest_pci(text, prefix)
    qemu = parse_query_pci(answer)
    if not guest:
        problems.append(f"the guest listed no functions (no {quote(prefix + ' fn ...')} lines)")
    if count is not None and count != len(guest):
        problems.append(f"the guest says {count} functions listed but printed "
                        f"{len(guest)} `fn` lines")
    diffs, nfuncs, nbars = compare_pci(guest, qemu)
    return problems + diffs, f"pci-compare: {nfuncs} functions and {nbars} BARs match QEMU"


class Qmp:
    """A QMP client on QEMU's unix socket: the greeting and qmp_capabilities on
    connection, then one command at a time (events are skipped)."""

    def __init__(self, path, proc, timeout=QMP_TIMEOUT):
        deadline = time.monotonic() + timeout
        self.buf = b""
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if proc.poll() is not None:
                    raise Error("QEMU ended before its QMP socket could be reached")
                if time.monotonic() >= deadline:
                    raise Error(f"cannot connect to QEMU's QMP socket {path}: {e.strerror}")
                time.sleep(0.05)
        self.read(deadline)                     # the greeting
        self.execute("qmp_capabilities")

    def read(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Error("no answer from QEMU's QMP socket within "
                            f"{QMP_TIMEOUT:g} s")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except OSError as e:
                raise Error(f"QMP: {e.strerror or 'timed out'}")
            if not data:
                raise Error("QEMU closed its QMP socket (has it ended?)")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            raise Error(f"QMP: not JSON: {line[:200]!r}")

    def execute(self, command, arguments=None):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        deadline = time.monotonic() + QMP_TIMEOUT
        try:
            self.sock.settimeout(QMP_TIMEOUT)
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise Error(f"QMP: cannot send {command}: {e.strerror or 'timed out'}")
        while True:
            m = self.read(deadline)
            if "error" in m:
                raise Error(f"QMP: {command}: {m['error'].get('desc', m['error'])}")
            if "return" in m:
                return m

    def close(self):
        self.sock.close()


# --- running QEMU ------------------------------------------------------------------

def _die_with_parent():
    try:  # PR_SET_PDEATHSIG: QEMU goes when the harness is killed outright
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:
        pass


def stop(proc):
    if proc is not None and proc.poll() is None:
        proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class Run:
    """One boot of one scenario.  run() returns None on success, else the reason."""

    def __init__(self, sc, iso, log):
        self.sc, self.iso, self.log = sc, iso, log
        self.text = ""
        self.stderr = b""
        self.proc = None
        self.notes = []          # lines printed under the PASS line
        # pci-compare
        self.qmp = None
        self.qmp_error = None
        self.pci_asked = self.pci_done = False
        self.pci_answer = None   # QEMU's query-pci answer
        self.pci_info = None     # the text of `info pci`
        self.pci_json = (log[:-len(".log")] if log.endswith(".log") else log) + ".qemu-pci.json"

    def run(self):
        sc = self.sc
        cmd = [QEMU] + (["-cdrom", self.iso] + QEMU_BASE if self.iso else DISK_BOOT_BASE)
        qmpdir = None
        if sc.pci_compare is not None:
            # a unix socket path is limited to 107 bytes: not under BUILD
            qmpdir = tempfile.mkdtemp(prefix="boottest-qmp-")
            qmp_path = os.path.join(qmpdir, "qmp.sock")
            cmd += ["-qmp", f"unix:{qmp_path},server=on,wait=off"]
            try:
                os.unlink(self.pci_json)        # not last run's
            except OSError:
                pass
        cmd += sc.qemu
        try:
            with open(self.log, "w") as log:
                log.write(f"# {' '.join(shlex.quote(c) for c in cmd)}\n")
                log.flush()
                self.logf = log
                try:
                    self.proc = subprocess.Popen(
                        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, start_new_session=True,
                        preexec_fn=_die_with_parent)
                except OSError as e:
                    return f"cannot start {QEMU}: {e.strerror}"
                try:
                    if qmpdir:
                        try:
                            self.qmp = Qmp(qmp_path, self.proc)
                        except Error as e:
                            self.qmp_error = str(e)
                    return self.loop()
                finally:
                    stop(self.proc)
                    if self.qmp:
                        self.qmp.close()
                    self.drain()
                    if self.stderr.strip():
                        log.write("\n# --- QEMU's standard error ---\n"
                                  + self.stderr.decode(errors="replace"))
                    if self.pci_info is not None:
                        log.write("\n# --- QEMU's `info pci` (human-monitor-command through "
                                  "QMP; the query-pci answer is in "
                                  f"{os.path.basename(self.pci_json)}) ---\n" + self.pci_info)
        finally:
            if qmpdir:
                shutil.rmtree(qmpdir, ignore_errors=True)

    def pci_query(self):
        """Asks QEMU (once the first expectation matched) for query-pci, saved
        to NAME.qemu-pci.json, and for `info pci`, for the log."""
        if self.qmp is None:
            return
        try:
            self.pci_answer = self.qmp.execute("query-pci")
        except Error as e:
            self.qmp_error = f"query-pci failed: {e}"
            if self.ended(within=2.0):
                self.qmp_error += (" (QEMU had ended, or was ending, when the first expectation "
                                   "matched: the scenario should first expect a line that the "
                                   "guest prints well before it halts)")
            return
        try:
            with open(self.pci_json, "w") as f:
                json.dump(self.pci_answer, f, indent=1)
                f.write("\n")
        except OSError as e:
            self.notes.append(f"pci-compare: cannot save {rel(self.pci_json)}: {e.strerror}")
        try:
            info = self.qmp.execute("human-monitor-command", {"command-line": "info pci"})
            self.pci_info = str(info["return"])
        except Error as e:
            self.pci_info = f"(info pci failed: {e})\n"

    def ended(self, within):
        try:
            self.proc.wait(timeout=within)
            return True
        except subprocess.TimeoutExpired:
            return False

    def pci_check(self, upto):
        """Once every expectation matched: the guest's listing (the console up
        to the end of the line of the last match) against query-pci.  Returns
        None when they agree, else the reason."""
        if self.pci_answer is None:
            return ("pci-compare: no answer from QEMU's query-pci: "
                    + (self.qmp_error or "QEMU was not asked"))
        end = self.text.find("\n", upto)
        text = self.text[: end if end >= 0 else len(self.text)]
        try:
            diffs, summary = pci_compare(text, self.sc.pci_compare, self.pci_answer)
        except Error as e:
            return f"pci-compare: {e}"
        if diffs:
            n = len(diffs)
            return (f"pci-compare: the guest's PCI list differs from QEMU's query-pci "
                    f"({n} difference{'s' if n != 1 else ''}; QEMU's answer is in "
                    f"{rel(self.pci_json)}):\n" + "\n".join("    " + d for d in diffs))
        self.notes.append(summary)
        return None

    def drain(self):
        """What is left in the pipes once QEMU has ended."""
        for f in (self.proc.stdout, self.proc.stderr):
            if f is None or f.closed:
                continue
            try:
                os.set_blocking(f.fileno(), False)
                data = f.read() or b""
            except OSError:
                data = b""
            if f is self.proc.stdout:
                self.add(data, final=True)
            else:
                self.stderr += data
            f.close()

    def add(self, data, final=False):
        new = self.cleaner.feed(data, final)
        if new:
            self.text += new
            self.logf.write(new)
            self.logf.flush()

    def check_fails(self, since):
        start = max(0, since - 200)
        window = self.text[start:]
        hits = []
        for t in self.sc.fails:
            i = window.find(t)
            if i >= 0:
                hits.append((i, f"fail pattern {quote(t)}"))
        for what, rx in ALWAYS_FAIL:
            m = rx.search(window)
            if m:
                hits.append((m.start(), what))
        if not hits:
            return None
        i, what = min(hits)
        return what, start + i

    def fail_reason(self, what, pos, when):
        """The reason for a fail pattern at POS, with its whole line as it is now."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        line_end = self.text.find("\n", pos)
        line = self.text[line_start: line_end if line_end >= 0 else len(self.text)]
        return f"{what} appeared at {when}: {quote(line.strip())}"

    def loop(self):
        sc, proc = self.sc, self.proc
        self.cleaner = Cleaner()
        t0 = time.monotonic()
        expects = sc.expects
        n = len(expects)
        cap = sum(s[2] for s in expects) + (sc.exit_timeout or 0) + OVERALL_MARGIN
        hard_end = t0 + cap
        step = 0
        cursor = 0                  # matches are searched from here on
        mark, mark_what = t0, "QEMU's start"
        checked = 0                 # fail patterns have been searched up to here
        fail_seen = None            # (reason, time) once a fail pattern appeared
        open_fds = {proc.stdout.fileno(): proc.stdout, proc.stderr.fileno(): proc.stderr}
        last = None                 # the last expectation that matched

        def at(t):
            return f"{t - t0:.1f} s"

        def failed():
            (what, pos), when = fail_seen
            return self.fail_reason(what, pos, at(when))

        while True:
            now = time.monotonic()
            # fail patterns first: they win over an expectation in the same output
            if fail_seen is None and len(self.text) > checked:
                hit = self.check_fails(checked)
                checked = len(self.text)
                if hit:
                    fail_seen = (hit, now)
            if fail_seen and (now - fail_seen[1] >= FAIL_GRACE or not open_fds):
                return failed()
            if fail_seen is None:
                # the steps that can go on now
                while step < len(sc.steps):
                    s = sc.steps[step]
                    if s[0] == "send":
                        try:
                            proc.stdin.write(s[1])
                            proc.stdin.flush()
                        except OSError:
                            pass        # QEMU has gone; the next wait says so
                        step += 1
                        continue
                    _, text, secs, k = s
                    i = self.text.find(text, cursor)
                    if i < 0:
                        break
                    cursor = i + len(text)
                    mark, mark_what = now, f"expectation {k}'s match (at {at(now)})"
                    last = s
                    step += 1
                    if sc.pci_compare is not None and not self.pci_asked:
                        self.pci_asked = True       # the BIOS has set the BARs by now
                        self.pci_query()
                if step == len(sc.steps) and sc.pci_compare is not None and not self.pci_done:
                    self.pci_done = True
                    reason = self.pci_check(cursor)
                    if reason:
                        return reason
                if step == len(sc.steps) and not sc.exit:
                    return None
            # what we are waiting for, and until when
            if fail_seen:
                deadline = fail_seen[1] + FAIL_GRACE
            elif step < len(sc.steps):
                _, text, secs, k = sc.steps[step]
                deadline = mark + secs
                waiting = f"expectation {k} of {n}, {quote(text)},"
            else:
                deadline = mark + sc.exit_timeout
            deadline = min(deadline, hard_end)
            if not open_fds:            # QEMU closed its output: it has ended
                try:
                    status = proc.wait(timeout=max(0.1, min(5.0, deadline - now)))
                except subprocess.TimeoutExpired:
                    status = None
                if status is None:
                    if now < deadline:
                        time.sleep(0.1)
                        continue
                    return f"QEMU closed its output but did not end (at {at(now)})"
                self.cleaner_flush()
                if fail_seen is None:
                    hit = self.check_fails(checked)
                    if hit:
                        fail_seen = (hit, now)
                if fail_seen:
                    return failed()
                ended = f"QEMU ended (status {status}) at {at(now)}"
                if step < len(sc.steps):
                    # the last output may hold it: look once more
                    _, text, secs, k = sc.steps[step]
                    if self.text.find(text, cursor) < 0:
                        return f"{ended}, before {waiting} was seen" + self.qemu_error()
                    continue
                if status != 0:
                    return f"{ended}: QEMU failed" + self.qemu_error()
                return None
            if now >= deadline:
                if fail_seen:
                    return failed()
                if deadline == hard_end:
                    what = (f"waiting for {waiting[:-1]}" if step < len(sc.steps)
                            else "waiting for QEMU to end")
                    return f"the overall limit of {cap:.0f} s was reached, {what}"
                if step < len(sc.steps):
                    return f"{waiting} not seen within {secs:g} s of {mark_what}"
                after = f", {quote(last[1])}" if last else ""
                return (f"QEMU did not end within {sc.exit_timeout:g} s of "
                        f"{'the last expectation' + after if last else 'its start'}"
                        " (`exit`: the guest should have rebooted or halted)")
            ready, _, _ = select.select(list(open_fds), [], [], max(0.0, deadline - now))
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    open_fds.pop(fd).close()
                elif open_fds[fd] is proc.stdout:
                    self.add(data)
                else:
                    self.stderr += data

    def cleaner_flush(self):
        self.add(b"", final=True)

    def qemu_error(self):
        err = self.stderr.decode(errors="replace").strip()
        if not err:
            return ""
        return "; QEMU said:\n" + "\n".join("    " + l for l in err.splitlines()[-10:])


NOTED = set()


def host_command(cmd, where, build, env):
    """Runs CMD with bash in the project root; returns its output, stripped."""
    e = dict(os.environ, BUILD=os.path.abspath(build), **env)
    p = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=e, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        out = (p.stdout + p.stderr).strip().splitlines()[-10:]
        raise Error(f"{where}: host command failed (status {p.returncode}): {cmd}"
                    + "".join(f"\n    {l}" for l in out))
    return p.stdout.strip()


def run_host(sc, build):
    """Runs the scenario's `host` commands, then puts their values (${NAME})
    into its expectations, sends and QEMU arguments."""
    env = {}
    for name, cmd, where in sc.host:
        out = host_command(cmd, where, build, env)
        if name:
            env[name] = out

    def sub(t):
        for k, v in env.items():
            t = t.replace("${" + k + "}", v)
        return t
    sc.qemu = [sub(a) for a in sc.qemu]
    sc.steps = [(st[0], sub(st[1])) + tuple(st[2:]) if st[0] == "expect"
                else (st[0], sub(st[1].decode()).encode()) for st in sc.steps]
    return env


def run_scenario(path, build, logdir):
    """Prints PASS/FAIL for one scenario; returns True when it passed."""
    t0 = time.monotonic()
    name = os.path.basename(path)
    if name.endswith(".scenario"):
        name = name[: -len(".scenario")]
    run = None
    try:
        sc = parse_scenario(path, build)
        if not sc.disk_boot:
            parse_cfg(sc.config, build)     # names a missing file before anything else
            note = bootchain_check(sc.config, build, sc.bootchain_rejects)
            if note and note not in NOTED:
                NOTED.add(note)
                print(f"boottest: {note}", file=sys.stderr)
        env = run_host(sc, build)
        iso = None if sc.disk_boot else make_iso(sc.config, build, quiet=True)
        run = Run(sc, iso, os.path.join(logdir, f"{name}.log"))
        reason = run.run()
        if reason is None:
            for cmd, where in sc.after:
                host_command(cmd, where, build, env)
    except Error as e:
        sc, reason = None, str(e)
    took = time.monotonic() - t0
    console = run.text if run else None
    logname = rel(os.path.join(logdir, f"{name}.log"))
    if sc is not None and sc.expect_failure is not None:
        want = sc.expect_failure
        if reason is not None and want in reason and run is not None:
            print(f"PASS {name} ({took:.1f} s; failed as expected: {reason.splitlines()[0]})")
            for note in run.notes:
                print(f"  {note}")
            return True
        if reason is None:
            reason = f"expected a failure mentioning {quote(want)}, but the scenario passed"
        else:
            reason = f"expected a failure mentioning {quote(want)}, but got: {reason}"
    elif reason is None:
        print(f"PASS {name} ({took:.1f} s)")
        for note in run.notes:
            print(f"  {note}")
        return True
    print(f"FAIL {name}: {reason}")
    if console is not None:
        print(f"  last console lines ({logname}):")
        print(tail(console))
    sys.stdout.flush()
    return False


# --- main -----------------------------------------------------------------------------

def on_signal(signum, frame):
    raise Interrupted(signum)


def main():
    ap = argparse.ArgumentParser(
        description="Boot scenarios for GNU Mach under QEMU (see the top of this file).")
    ap.add_argument("--build", default="build", help="the build directory (default: build)")
    ap.add_argument("--iso", metavar="CFG", help="make the ISO for CFG and print its path")
    ap.add_argument("scenarios", nargs="*", help="*.scenario files")
    a = ap.parse_args()
    build = a.build

    if a.iso:
        if a.scenarios:
            ap.error("--iso takes one configuration and no scenarios")
        try:
            parse_cfg(a.iso, build)
            print(make_iso(a.iso, build))
        except Error as e:
            print(f"boottest: {e}", file=sys.stderr)
            return 2
        return 0

    if not a.scenarios:
        ap.error("no scenarios given")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    logdir = os.path.join(build, "logs")
    os.makedirs(logdir, exist_ok=True)
    passed = failed = 0
    try:
        for path in a.scenarios:
            if run_scenario(path, build, logdir):
                passed += 1
            else:
                failed += 1
    except (KeyboardInterrupt, Interrupted):
        print("\nboottest: interrupted (QEMU stopped)", flush=True)
        print(f"{passed} passed, {failed + 1} failed", flush=True)
        return 130
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
