"""CPU time per process class, from /proc: where a leg's CPU went (front, workers, services).

A class is a set of root processes; its time is the user + system time of every live process under
them plus what their exited children left in the parents' cutime/cstime (a reaped PostgreSQL backend,
a replaced reader process). Taken before and after a leg, the difference is what the class spent
in it, whatever else the machine ran at the time (this machine is shared: wall-clock rates move
with the load, CPU seconds much less).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    ppid: int
    own: float  # utime + stime, seconds
    reaped: float  # cutime + cstime: children that exited and were waited for


def _stat(pid: int) -> Stat | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            raw = fh.read()
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2 :].split()
    ticks = [int(x) for x in rest[11:15]]
    return Stat(int(rest[1]), (ticks[0] + ticks[1]) / TICK, (ticks[2] + ticks[3]) / TICK)


def snapshot() -> dict[int, Stat]:
    stats = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None:
                stats[int(name)] = stat
    return stats


def tree_seconds(
    stats: Mapping[int, Stat], root: int, exclude: frozenset[int] = frozenset(), own_only: bool = False
) -> float:
    """CPU seconds of `root` and everything under it (but not the trees under `exclude`)."""
    if root not in stats:
        return 0.0
    if own_only:
        return stats[root].own
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(stat.ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats[pid].own + stats[pid].reaped
        todo.extend(child for child in children.get(pid, []) if child not in exclude)
    return total


def machine_busy() -> float:
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


@dataclass
class Classes:
    """Named process classes: `trees` count a root with everything under it; `own` a process alone;
    `detail` a process alone, already counted in a tree (a Celery worker's main process)."""

    trees: dict[str, list[int]]
    own: dict[str, list[int]]
    detail: dict[str, list[int]] = field(default_factory=dict)

    def seconds(self) -> dict[str, float]:
        stats = snapshot()
        roots = frozenset(pid for pids in self.trees.values() for pid in pids)
        out = {
            name: sum(tree_seconds(stats, pid, roots - {pid}) for pid in pids)
            for name, pids in self.trees.items()
        }
        for name, pids in {**self.own, **self.detail}.items():
            out[name] = sum(tree_seconds(stats, pid, own_only=True) for pid in pids)
        if self.detail:  # a Celery worker's pool processes, alone, and their readers (the grandchildren)
            roots = {pid for pids in self.detail.values() for pid in pids}
            pool = [pid for pid, stat in stats.items() if stat.ppid in roots]
            readers = [pid for pid, stat in stats.items() if stat.ppid in set(pool)]
            out["worker_pool"] = sum(stats[pid].own for pid in pool)
            out["worker_readers"] = sum(tree_seconds(stats, pid) for pid in readers)
        out["machine"] = machine_busy()
        return out


def spent(classes: Classes, before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds per class between two `Classes.seconds()`; `other` is the rest of the machine."""
    out = {name: round(after[name] - before.get(name, 0.0), 2) for name in after}
    ours = sum(value for name, value in out.items() if name in classes.trees or name in classes.own)
    out["other"] = round(out["machine"] - ours, 2)
    return out
