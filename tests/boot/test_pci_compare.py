#!/usr/bin/env python3
"""Unit tests of boottest.py's `pci-compare`: the guest's PCI listing and
QEMU's query-pci answer parsed and compared, the directive parsed, and the QMP
client against a fake QEMU.  data/query-pci-pc.json is a real answer of QEMU
7.2 (-M pc with virtio-blk-pci, a pci-bridge with an e1000 behind it and an
nvme), taken from a running guest.  Ends with "N passed, M failed"."""

import copy
import json
import os
import socket
import sys
import tempfile
import threading
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools"))
import boottest  # noqa: E402

with open(os.path.join(HERE, "data", "query-pci-pc.json")) as f:
    ANSWER = json.load(f)

# What a guest that reads the configuration space prints for that machine.
GUEST = """\
pcitest: fn 00:00.0 8086:1237 class 060000 irq 0 pin 0
pcitest: fn 00:01.0 8086:7000 class 060100 irq 0 pin 0
pcitest: fn 00:01.1 8086:7010 class 010180 irq 0 pin 0
pcitest: bar 00:01.1 4 io 0xd0c0 0x10
pcitest: fn 00:01.3 8086:7113 class 068000 irq 9 pin 1
pcitest: fn 00:02.0 1234:1111 class 030000 irq 0 pin 0
pcitest: bar 00:02.0 0 mem32 pref 0xfd000000 0x1000000
pcitest: bar 00:02.0 2 mem32 0xfea74000 0x1000
pcitest: fn 00:03.0 8086:100e class 020000 irq 11 pin 1
pcitest: bar 00:03.0 0 mem32 0xfea40000 0x20000
pcitest: bar 00:03.0 1 io 0xd080 0x40
pcitest: fn 00:04.0 1af4:1001 class 010000 irq 11 pin 1
pcitest: bar 00:04.0 0 io 0xd000 0x80
pcitest: bar 00:04.0 1 mem32 0xfea75000 0x1000
pcitest: bar 00:04.0 4 mem64 pref 0xfe200000 0x4000
pcitest: fn 00:05.0 1b36:0001 class 060400 irq 10 pin 1
pcitest: bar 00:05.0 0 mem64 0xfea76000 0x100
pcitest: fn 00:06.0 1b36:0010 class 010802 irq 10 pin 1
pcitest: bar 00:06.0 0 mem64 0xfea70000 0x4000
pcitest: fn 01:01.0 8086:100e class 020000 irq 10 pin 1
pcitest: bar 01:01.0 0 mem32 0xfe840000 0x20000
pcitest: bar 01:01.0 1 io 0xc000 0x40
pcitest: 10 functions listed
"""

PREFIX = "pcitest:"
OK_SUMMARY = "pci-compare: 10 functions and 12 BARs match QEMU"

passed = failed = 0


def test(fn):
    global passed, failed
    try:
        fn()
    except Exception:
        failed += 1
        print(f"FAIL {fn.__name__}")
        traceback.print_exc(file=sys.stdout)
    else:
        passed += 1
        print(f"ok   {fn.__name__}")
    return fn


def replace(text, old, new):
    assert old in text, old
    return text.replace(old, new)


def drop(text, *starts):
    return "".join(l for l in text.splitlines(True) if not l.startswith(starts))


def diffs_of(text, answer=ANSWER):
    diffs, _ = boottest.pci_compare(text, PREFIX, answer)
    return diffs


def find_dev(answer, bus, slot, fn):
    def walk(devices):
        for d in devices:
            if (d["bus"], d["slot"], d["function"]) == (bus, slot, fn):
                return d
            r = walk(d.get("pci_bridge", {}).get("devices", []))
            if r:
                return r
    for b in answer["return"]:
        r = walk(b["devices"])
        if r:
            return r
    raise KeyError((bus, slot, fn))


def region(dev, bar):
    return next(r for r in dev["regions"] if r["bar"] == bar)


def expect_one(diffs, want):
    assert diffs == [want], f"got {diffs!r},\nwanted [{want!r}]"


# --- parsing -------------------------------------------------------------------------

@test
def query_pci_sees_every_bus_and_skips_the_rom():
    q = boottest.parse_query_pci(ANSWER)
    assert len(q) == 10, sorted(q)
    assert (1, 1, 0) in q, "the e1000 behind the bridge"
    e1000 = q[(1, 1, 0)]
    assert (e1000["vendor"], e1000["device"], e1000["class"]) == (0x8086, 0x100e, 0x0200)
    assert sorted(e1000["bars"]) == [0, 1], "BAR 6, the ROM, is left out"
    assert e1000["pin"] == 1 and e1000["irq"] == 10
    vblk = q[(0, 4, 0)]["bars"][4]
    assert vblk == {"io": False, "mem64": True, "pref": True, "address": 0xfe200000,
                    "size": 0x4000}, vblk
    assert q[(0, 0, 0)]["irq"] is None and q[(0, 0, 0)]["prog_if"] is None
    # the bare list is taken too
    assert boottest.parse_query_pci(ANSWER["return"]) == q


@test
def query_pci_of_a_bad_shape_is_an_error():
    for bad in ({"return": 3}, [{"devices": [{"bus": 0}]}], "x"):
        try:
            boottest.parse_query_pci(bad)
        except boottest.Error:
            continue
        raise AssertionError(f"accepted {bad!r}")


@test
def guest_lines_parse():
    g, count, problems = boottest.parse_guest_pci(GUEST, PREFIX)
    assert problems == [] and count == 10 and len(g) == 10
    assert g[(0, 4, 0)]["bars"][4] == {"kind": "mem64", "pref": True, "base": 0xfe200000,
                                       "size": 0x4000}
    assert g[(0, 1, 1)]["class"] == 0x010180


# --- comparison ------------------------------------------------------------------------

@test
def the_same_listing_matches():
    diffs, summary = boottest.pci_compare(GUEST, PREFIX, ANSWER)
    assert diffs == [], diffs
    assert summary == OK_SUMMARY, summary


@test
def other_console_lines_are_ignored():
    noisy = ("pci-arbiter: ready, handing over to the next stage\r\n"
             "pcitest: started\n" + GUEST.replace("pcitest: fn 00:03.0",
                                                   "(kernel says hi)\npcitest: fn 00:03.0")
             + "pcitest: halting\n")
    assert diffs_of(noisy) == []
    # a quoted prefix with its blank works the same
    assert boottest.pci_compare(GUEST, "pcitest: ", ANSWER)[0] == []


@test
def a_different_bar_base_is_named():
    text = replace(GUEST, "bar 00:04.0 1 mem32 0xfea75000", "bar 00:04.0 1 mem32 0xfea76000")
    expect_one(diffs_of(text), "00:04.0: BAR1 guest mem32 0xfea76000 size 0x1000, "
               "QEMU memory 0xfea75000 size 0x1000")


@test
def bar_type_size_and_flags_are_compared():
    cases = [
        ("bar 00:04.0 4 mem64 pref", "bar 00:04.0 4 mem32 pref",
         "00:04.0: BAR4 guest mem32 pref 0xfe200000 size 0x4000, "
         "QEMU memory 64-bit prefetchable 0xfe200000 size 0x4000"),
        ("bar 00:04.0 4 mem64 pref", "bar 00:04.0 4 mem64",
         "00:04.0: BAR4 guest mem64 0xfe200000 size 0x4000, "
         "QEMU memory 64-bit prefetchable 0xfe200000 size 0x4000"),
        ("bar 00:04.0 0 io 0xd000", "bar 00:04.0 0 mem32 0xd000",
         "00:04.0: BAR0 guest mem32 0xd000 size 0x80, QEMU io 0xd000 size 0x80"),
        ("bar 00:03.0 1 io 0xd080 0x40", "bar 00:03.0 1 io 0xd080 0x20",
         "00:03.0: BAR1 guest io 0xd080 size 0x20, QEMU io 0xd080 size 0x40"),
    ]
    for old, new, want in cases:
        expect_one(diffs_of(replace(GUEST, old, new)), want)


@test
def a_missing_or_extra_bar_is_named():
    text = drop(GUEST, "pcitest: bar 00:02.0 2 ")
    expect_one(diffs_of(text), "00:02.0: BAR2 guest none, QEMU memory 0xfea74000 size 0x1000")
    text = replace(GUEST, "pcitest: fn 00:00.0 8086:1237 class 060000 irq 0 pin 0\n",
                   "pcitest: fn 00:00.0 8086:1237 class 060000 irq 0 pin 0\n"
                   "pcitest: bar 00:00.0 5 io 0x1000 0x10\n")
    expect_one(diffs_of(text), "00:00.0: BAR5 guest io 0x1000 size 0x10, QEMU none")
    # the ROM is not expected from the guest, and one it lists is extra
    text = replace(GUEST, "pcitest: bar 00:02.0 2 mem32 0xfea74000 0x1000\n",
                   "pcitest: bar 00:02.0 2 mem32 0xfea74000 0x1000\n"
                   "pcitest: bar 00:02.0 6 mem32 0xfeb00000 0x10000\n")
    expect_one(diffs_of(text), "00:02.0: BAR6 guest mem32 0xfeb00000 size 0x10000, QEMU none")


@test
def an_unassigned_bar_is_compared_by_type_and_size():
    for unassigned in (-1, (1 << 64) - 1):
        answer = copy.deepcopy(ANSWER)
        region(find_dev(answer, 0, 4, 0), 1)["address"] = unassigned
        assert diffs_of(GUEST, answer) == [], "any guest base goes"
        text = replace(GUEST, "bar 00:04.0 1 mem32 0xfea75000", "bar 00:04.0 1 mem32 0x0")
        assert diffs_of(text, answer) == []
        text = replace(GUEST, "bar 00:04.0 1 mem32 0xfea75000 0x1000",
                       "bar 00:04.0 1 mem32 0x0 0x2000")
        expect_one(diffs_of(text, answer), "00:04.0: BAR1 guest mem32 0x0 size 0x2000, "
                   "QEMU memory unassigned size 0x1000")
        text = replace(GUEST, "bar 00:04.0 1 mem32 0xfea75000", "bar 00:04.0 1 io 0xfea75000")
        assert len(diffs_of(text, answer)) == 1


@test
def a_function_missing_from_the_guest_is_named():
    text = drop(GUEST, "pcitest: fn 01:01.0", "pcitest: bar 01:01.0")
    diffs = diffs_of(text)
    assert diffs == ["the guest says 10 functions listed but printed 9 `fn` lines",
                     "01:01.0: in QEMU's query-pci (8086:100e class 0200) but not listed "
                     "by the guest"], diffs


@test
def an_extra_guest_function_is_named():
    text = replace(GUEST, "pcitest: 10 functions listed",
                   "pcitest: fn 00:07.0 8086:100e class 020000 irq 11 pin 1\n"
                   "pcitest: bar 00:07.0 0 mem32 0xfea00000 0x20000\n"
                   "pcitest: 11 functions listed")
    expect_one(diffs_of(text), "00:07.0: listed by the guest (8086:100e) but not in "
               "QEMU's query-pci")


@test
def ids_class_and_interrupts_are_compared():
    cases = [
        ("fn 00:04.0 1af4:1001", "fn 00:04.0 1af4:1042",
         "00:04.0: guest 1af4:1042, QEMU 1af4:1001"),
        ("fn 00:04.0 1af4:1001 class 010000", "fn 00:04.0 1af4:1001 class 018000",
         "00:04.0: class guest 018000, QEMU 0100 (QEMU gives no prog-if: class and "
         "subclass compared)"),
        ("class 010000 irq 11 pin 1", "class 010000 irq 11 pin 2",
         "00:04.0: interrupt pin guest 2, QEMU 1"),
        ("class 010000 irq 11 pin 1", "class 010000 irq 5 pin 1",
         "00:04.0: interrupt line guest 5, QEMU 11"),
    ]
    for old, new, want in cases:
        expect_one(diffs_of(replace(GUEST, old, new)), want)
    # without a prog-if from QEMU, the guest's prog-if is not compared
    assert diffs_of(replace(GUEST, "class 010180", "class 01018a")) == []
    # without a pin, the interrupt line is not compared
    assert diffs_of(replace(GUEST, "8086:1237 class 060000 irq 0",
                            "8086:1237 class 060000 irq 255")) == []


@test
def a_prog_if_from_qemu_is_compared():
    for where in ("class_info", "device"):
        answer = copy.deepcopy(ANSWER)
        dev = find_dev(answer, 0, 1, 1)
        (dev["class_info"] if where == "class_info" else dev)["prog_if"] = 0x80
        assert diffs_of(GUEST, answer) == []
        expect_one(diffs_of(replace(GUEST, "class 010180", "class 01018a"), answer),
                   "00:01.1: class guest 01018a, QEMU 010180")


@test
def every_difference_is_listed():
    text = replace(GUEST, "bar 00:04.0 1 mem32 0xfea75000", "bar 00:04.0 1 mem32 0xfea76000")
    text = replace(text, "fn 00:03.0 8086:100e", "fn 00:03.0 8086:100f")
    text = drop(text, "pcitest: bar 01:01.0 1 ")
    diffs = diffs_of(text)
    assert len(diffs) == 3, diffs
    assert [d.split(":")[0] + ":" + d.split(":")[1][:4] for d in diffs] == \
        ["00:03.0", "00:04.0", "01:01.0"], diffs


@test
def malformed_and_orphan_guest_lines_are_problems():
    text = replace(GUEST, "pcitest: bar 00:04.0 0 io 0xd000 0x80",
                   "pcitest: bar 00:04.0 0 port 0xd000 0x80")
    diffs = diffs_of(text)
    assert diffs[0] == ('a guest line not understood: "pcitest: bar 00:04.0 0 port 0xd000 '
                        '0x80"'), diffs
    assert diffs[1].startswith("00:04.0: BAR0 guest none, QEMU io 0xd000"), diffs
    text = "pcitest: bar 00:04.0 0 io 0xd000 0x80\n" + GUEST
    assert diffs_of(text)[0].startswith("00:04.0: a guest `bar` line before (or without) "
                                        "its `fn` line"), diffs_of(text)
    text = GUEST + "pcitest: fn 00:04.0 1af4:1001 class 010000 irq 11 pin 1\n"
    assert "00:04.0: listed twice by the guest" in diffs_of(text)


@test
def no_listing_at_all_is_a_failure():
    diffs = diffs_of("pcitest: pci_list: KERN_FAILURE\n")
    assert diffs[0] == 'the guest listed no functions (no "pcitest: fn ..." lines)', diffs
    assert len(diffs) == 11, diffs


# --- the scenario directive and the Run's checks ---------------------------------------

def write_scenario(body):
    fd, path = tempfile.mkstemp(suffix=".scenario")
    with os.fdopen(fd, "w") as f:
        f.write(f"config {os.path.join(ROOT, 'tests', 'boot', 'hello.cfg')}\n" + body)
    return path


def parse(body):
    path = write_scenario(body)
    try:
        return boottest.parse_scenario(path, "build")
    finally:
        os.unlink(path)


@test
def the_directive_parses():
    sc = parse("pci-compare pcitest:\nexpect pcitest: 10 functions listed\n")
    assert sc.pci_compare == "pcitest:"
    sc = parse('pci-compare "pcitest: "\nexpect x\n')
    assert sc.pci_compare == "pcitest: "
    assert parse("expect x\n").pci_compare is None
    for bad in ("pci-compare\nexpect x\n", "pci-compare a:\npci-compare b:\nexpect x\n",
                "pci-compare a:\nexit\n"):
        try:
            parse(bad)
        except boottest.Error:
            continue
        raise AssertionError(f"accepted {bad!r}")


@test
def the_run_check_reports_and_summarises():
    sc = parse("pci-compare pcitest:\nexpect pcitest: 10 functions listed\n")
    with tempfile.TemporaryDirectory() as d:
        run = boottest.Run(sc, "x.iso", os.path.join(d, "t.log"))
        assert run.pci_json == os.path.join(d, "t.qemu-pci.json")
        run.text = GUEST + "pcitest: fn 00:07.0 garbage after the last match\n"
        end = run.text.index("10 functions listed") + len("10 functions listed")
        assert run.pci_check(end).startswith("pci-compare: no answer from QEMU's query-pci")
        run.pci_answer = ANSWER
        assert run.pci_check(end) is None, run.pci_check(end)
        assert run.notes == [OK_SUMMARY]
        run.text = replace(run.text, "0xfea75000", "0xfea76000")
        reason = run.pci_check(end)
        assert reason.startswith("pci-compare: the guest's PCI list differs from QEMU's "
                                 "query-pci (1 difference; QEMU's answer is in "), reason
        assert reason.endswith("\n    00:04.0: BAR1 guest mem32 0xfea76000 size 0x1000, "
                               "QEMU memory 0xfea75000 size 0x1000"), reason


# --- the QMP client against a fake QEMU ---------------------------------------------------

class FakeProc:
    def poll(self):
        return None


@test
def qmp_client_talks_to_a_fake_qemu():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "q.sock")
        seen = []
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

        def serve():
            c, _ = srv.accept()
            f = c.makefile("rwb")
            f.write(b'{"QMP": {"version": {}, "capabilities": ["oob"]}}\n')
            f.flush()
            for line in f:
                cmd = json.loads(line)
                seen.append(cmd)
                if cmd["execute"] == "query-pci":
                    f.write(b'{"event": "RESET", "data": {}, "timestamp": {}}\n')
                    f.write(json.dumps(ANSWER).encode() + b"\n")
                elif cmd["execute"] == "human-monitor-command":
                    f.write(b'{"return": "  Bus  0, device   0, function 0:\\n"}\n')
                elif cmd["execute"] == "nonsense":
                    f.write(b'{"error": {"class": "CommandNotFound", '
                            b'"desc": "The command nonsense has not been found"}}\n')
                else:
                    f.write(b'{"return": {}}\n')
                f.flush()
            c.close()

        def listen_later():
            srv.bind(path)          # the client retries until the socket is there
            srv.listen(1)
            serve()

        t = threading.Timer(0.3, listen_later)
        t.start()
        q = boottest.Qmp(path, FakeProc())
        assert q.execute("query-pci") == ANSWER
        r = q.execute("human-monitor-command", {"command-line": "info pci"})
        assert r["return"].startswith("  Bus  0")
        try:
            q.execute("nonsense")
            raise AssertionError("no error")
        except boottest.Error as e:
            assert "has not been found" in str(e), e
        q.close()
        t.join(5)
        srv.close()
        assert [c["execute"] for c in seen] == ["qmp_capabilities", "query-pci",
                                                 "human-monitor-command", "nonsense"], seen
        assert seen[2]["arguments"] == {"command-line": "info pci"}


@test
def qmp_client_gives_up_when_qemu_has_ended():
    class Ended:
        def poll(self):
            return 1
    try:
        boottest.Qmp("/nonexistent/q.sock", Ended())
        raise AssertionError("no error")
    except boottest.Error as e:
        assert "QEMU ended" in str(e), e


print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
