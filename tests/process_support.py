"""What the kernel says of a process's signals, for the failure message of a test that interrupts it."""

from __future__ import annotations

from pathlib import Path


def signal_state(pid: int) -> str:
    """Each thread's pending, blocked, ignored and caught signal masks (/proc, Linux), one line each:
    Ctrl-C (SIGINT, bit 0x2) that a run did not act on was either never caught or blocked."""
    lines = []
    for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
        try:
            status = (task / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        masks = " ".join(
            f"{key}={fields.get(key, '?').strip()}"
            for key in ("Name", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
        )
        lines.append(f"{task.name}: {masks}")
    return "\n".join(lines)
