"""Which process holds a job, and whether that process is still alive.

A worker killed with SIGKILL runs no clean-up, so whoever comes next must tell a dead job from a
slow one. Each process has a token naming it on this machine: the kernel's boot id, its PID
namespace, its PID and its start time (so a PID reused after a restart, as PID 1 in every
container is, names another process). A token from this boot and namespace can be checked
at once against /proc; one from elsewhere (another host or container) cannot, and the caller
falls back on the job's heartbeat. Off Linux there is no token and only the heartbeat counts.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

TOKEN = re.compile(r"^([0-9a-f]{12})\.(\d+)\.(\d+)\.(\d+)$")


@cache
def _host_part() -> str:
    """'<boot id>.<pid namespace>', or '' off Linux."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
        namespace = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return ""
    digits = re.sub(r"\D", "", namespace)
    return f"{boot[:12]}.{digits}" if len(boot) >= 12 and digits else ""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, or None when there is no such PID."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return None
    # Field 2 (the command name) may hold spaces and brackets: count from the last ')'.
    fields = stat.rpartition(")")[2].split()
    # fields[0] is field 3 (state); the start time is field 22. A zombie counts as gone.
    if len(fields) < 20 or fields[0] in {"Z", "X"}:
        return None
    return fields[19]


def current_token() -> str:
    """The token of this process ('' off Linux). Computed per PID, so a fork gets its own."""
    return _token_for(os.getpid())


@cache
def _token_for(pid: int) -> str:
    host, start = _host_part(), _start_time(pid)
    return f"{host}.{pid}.{start}" if host and start else ""


def is_gone(token: str) -> bool:
    """True only when `token` names a process of this machine's boot and PID namespace that no
    longer runs. A token from elsewhere, or no token, is never known to be gone."""
    match = TOKEN.match(token or "")
    if match is None or f"{match[1]}.{match[2]}" != _host_part():
        return False
    return _start_time(int(match[3])) != match[4]
