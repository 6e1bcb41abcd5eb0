"""Driving the guest's serial console from the host, for tools/run.py (a
scripted `make run`) and the benchmarks (bench/restart.py, bench/e2e.py):
a thread copies QEMU's output where asked and keeps the text since the last
prompt; the caller types a line and waits for the next prompt.
"""
import os
import re
import subprocess
import threading
import time

PROMPT = re.compile(r"(?:^|\n)# $")     # the shell's prompt at the start of a line


def boot(cmd, log, **how):
    """A Console (HOW: its options) on QEMU started with CMD, its stdout and
    stderr copied to LOG."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    return Console(proc, log, **how)


class Console:
    """PROC's console output: copied to COPY (a binary file) as it comes;
    its text since the last prompt, without carriage returns (and without
    what ESCAPES matches: terminal escape sequences), only its last KEEP
    characters when KEEP is set; with LINES, each whole line and the time
    it came (for `first`)."""

    def __init__(self, proc, copy, keep=None, escapes=None, lines=False):
        self.proc, self.copy, self.keep, self.escapes = proc, copy, keep, escapes
        self.text, self.partial, self.lines = "", "", [] if lines else None
        self.cond = threading.Condition()
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                break
            now = time.monotonic()
            self.copy.write(data)
            self.copy.flush()
            text = data.decode(errors="replace").replace("\r", "")
            with self.cond:
                self.text += text
                if self.escapes:
                    self.text = self.escapes.sub("", self.text)
                if self.keep:
                    self.text = self.text[-self.keep:]
                if self.lines is not None:
                    *whole, self.partial = (self.partial + text).split("\n")
                    self.lines += [(now, l) for l in whole]
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def until_prompt(self, seconds):
        """(the output before the prompt, the time the prompt came), or None
        on time-out or QEMU's end; the text starts afresh after it."""
        end = time.monotonic() + seconds
        with self.cond:
            while not PROMPT.search(self.text):
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.05))
            now = time.monotonic()
            out, self.text = PROMPT.split(self.text)[0], ""
            return out, now

    def busy(self, seconds):
        """Whether the console printed anything (since the last prompt) within
        SECONDS, or QEMU ended."""
        end = time.monotonic() + seconds
        with self.cond:
            while time.monotonic() < end and self.proc.poll() is None:
                if self.text:
                    return True
                self.cond.wait(1.0)
        return self.proc.poll() is not None

    def type(self, line):
        """Types LINE and Enter; the time it was typed."""
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return time.monotonic()

    def first(self, pattern):
        """(time, match) of the first whole line matching PATTERN, or None."""
        with self.cond:
            for t, l in self.lines:
                m = re.search(pattern, l)
                if m:
                    return t, m
        return None

    def end(self, seconds=60):
        """Whether QEMU ended within SECONDS; else it is killed."""
        try:
            self.proc.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False
