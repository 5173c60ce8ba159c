"""CPU time of the processes a stage involves, read from /proc: the app server's workers,
the database backends serving the bench database, and this process (the load generator).
Wall times mean little on a shared machine; CPU per request does."""

import os
import resource
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            if parent == pid:
                children.append(int(entry))
    return children


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Snapshot:
    workers: dict[int, float]
    database: dict[int, float]
    client: float


class CpuMeter:
    """meter = CpuMeter(gunicorn_pid, database_pids); before = meter.snapshot(); ...;
    meter.per_request(before, meter.snapshot(), requests)"""

    def __init__(self, server_pid: int, database_pids):
        self.server_pid = server_pid
        self.database_pids = database_pids  # a callable returning the backends' pids

    def snapshot(self) -> Snapshot:
        workers = children_of(self.server_pid)
        return Snapshot(
            workers={pid: process_cpu_seconds(pid) for pid in workers},
            database={pid: process_cpu_seconds(pid) for pid in self.database_pids()},
            client=own_cpu_seconds(),
        )

    @staticmethod
    def _spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())

    def per_request(self, before: Snapshot, after: Snapshot, requests: int) -> dict:
        def ms(seconds: float) -> float:
            return round(1000 * seconds / max(requests, 1), 3)

        return {
            "workers_cpu_ms": ms(self._spent(before.workers, after.workers)),
            "database_cpu_ms": ms(self._spent(before.database, after.database)),
            "client_cpu_ms": ms(after.client - before.client),
        }
