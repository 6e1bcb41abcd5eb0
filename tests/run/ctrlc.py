#!/usr/bin/env python3
"""`make run` on a terminal: Ctrl-C is a character for the guest, not the end of QEMU.

  ctrlc.py BUILD IMAGE

Runs tools/run.py in a pseudo-terminal (as a person's terminal would), waits
for the shell's prompt, types `sleep 30`, then Ctrl-C, and checks that QEMU
still runs, the shell prompts again at once and `$?` is 130; then `halt` ends the machine cleanly
(ext2fs writes back).  Prints PASS or FAIL lines; exits 0 when all passed."""
import os
import pty
import re
import select
import sys
import time

build, image = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("python3", ["python3", "tools/run.py", "--build", build, "--disk", image,
                          "boot/default.cfg"])
text = ""


def wait_for(pattern, seconds):
    """Reads the terminal until PATTERN matches the text since the last match."""
    global text
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = re.search(pattern, text)
        if m:
            text = text[m.end():]
            return True
        r, _, _ = select.select([fd], [], [], 1.0)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            sys.stdout.write(data.decode(errors="replace"))
            sys.stdout.flush()
            text += data.decode(errors="replace").replace("\r", "")
    return False


def alive():
    return os.waitpid(pid, os.WNOHANG) == (0, 0)


results = []


def check(name, ok):
    results.append(ok)
    print(f"\n{'PASS' if ok else 'FAIL'} {name}")


check("the hint to leave QEMU by force", wait_for(r"Ctrl-A then X", 60))
check("first prompt", wait_for(r"(?:^|\n)# $", 900))
os.write(fd, b"sleep 30\r")
time.sleep(3)
os.write(fd, b"\x03")
check("the prompt after Ctrl-C during sleep", wait_for(r"\n# $", 20))
check("QEMU still runs after Ctrl-C", alive())
os.write(fd, b"echo status $?\r")
check("$? is 130 after the interrupted sleep", wait_for(r"\nstatus 130\n", 60))
os.write(fd, b"echo still here\r")
check("the shell still answers", wait_for(r"\nstill here\n", 60))
os.write(fd, b"halt\r")
check("halt writes back", wait_for(r"unmounted: written back, marked clean", 120))
end = time.monotonic() + 60
status = None
while time.monotonic() < end:
    p, status = os.waitpid(pid, os.WNOHANG)
    if p:
        break
    try:
        os.read(fd, 4096)
    except OSError:
        pass
    time.sleep(0.2)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
check("QEMU ends by itself after halt, status 0", status == 0)
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
