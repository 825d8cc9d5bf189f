"""Several app servers on one machine behind HAProxy: the plan, its checks, the configuration.

`python deploy/replicas.py --replicas N` starts N `streamlit run app.py` replicas on loopback
ports and HAProxy in front of them. What can be decided without starting anything lives here,
so tests can call it: the arguments' checks, the ports, the HAProxy configuration rendered
from `deploy/haproxy.cfg.tmpl`, and each replica's command line and environment. This module
imports neither Streamlit nor the engine.

Example:
    >>> plan = ReplicaPlan(replicas=2)
    >>> [(replica.name, replica.port) for replica in plan.servers]
    [('r1', 8601), ('r2', 8602)]
    >>> split_max_jobs(3, replicas=2)
    [2, 1]
"""

from __future__ import annotations

import ipaddress
import random
import shutil
import socket
import string
from dataclasses import dataclass
from pathlib import Path

from cnnviz.locations import REPO_ROOT
from cnnviz.validation import check_whole

TEMPLATE_PATH = REPO_ROOT / "deploy" / "haproxy.cfg.tmpl"
REPLICA_ADDRESS = "127.0.0.1"
REPLICA_COOKIE = "CNNVIZ_REPLICA"
REPLICA_HEADER = "X-Cnnviz-Replica"
HEALTH_PATH = "/_stcore/health"
MAX_REPLICAS = 64
INSTALL_HAPROXY = "install Debian's haproxy: apt-get install haproxy"
# Set by the script for each replica; the flags below would contradict it.
OWN_FLAGS = ("--server.port", "--server.address", "--server.headless")
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
MAX_JOBS_ENV = "CNNVIZ_MAX_JOBS"
REPLICA_ENV = "CNNVIZ_REPLICA"


@dataclass(frozen=True)
class Replica:
    """One app server: `name` is HAProxy's server name and its cookie value ("r1")."""

    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{REPLICA_ADDRESS}:{self.port}"


@dataclass(frozen=True)
class ReplicaPlan:
    """N replicas on consecutive loopback ports from `first_port`, HAProxy on `address:port`.

    Raises:
        ValueError: A count or port out of range, the front port among the replicas', or an
            address that is not an IPv4 address; the message says what was received.
    """

    replicas: int
    port: int = 8501
    first_port: int = 8601
    address: str = "0.0.0.0"

    def __post_init__(self):
        check_whole(self.replicas, "--replicas", low=1, high=MAX_REPLICAS)
        check_whole(self.port, "--port", low=1, high=65535)
        check_whole(self.first_port, "--first-port", low=1, high=65536 - self.replicas)
        last = self.first_port + self.replicas - 1
        if self.first_port <= self.port <= last:
            raise ValueError(
                f"--port must be outside the replicas' ports ({self.first_port} to {last}): "
                f"choose another --port or --first-port. Received --port {self.port}."
            )
        try:
            ipaddress.IPv4Address(self.address)
        except ValueError:
            raise ValueError(
                "--address must be an IPv4 address: 0.0.0.0 (every network of this machine) "
                f"or one of its addresses, such as 127.0.0.1. Received {self.address!r}."
            ) from None

    @property
    def servers(self) -> tuple[Replica, ...]:
        return tuple(
            Replica(f"r{number}", self.first_port + number - 1)
            for number in range(1, self.replicas + 1)
        )

    @property
    def front_url(self) -> str:
        return f"http://{self.address}:{self.port}"


def render_haproxy_config(plan: ReplicaPlan, template: str | None = None) -> str:
    """The HAProxy configuration for `plan`, from `deploy/haproxy.cfg.tmpl` (or `template`).

    Example:
        >>> config = render_haproxy_config(ReplicaPlan(replicas=1, address="127.0.0.1"))
        >>> [line.strip() for line in config.splitlines() if line.strip().startswith(
        ...     ("bind", "server"))]
        ['bind 127.0.0.1:8501', 'server r1 127.0.0.1:8601 cookie r1']
    """
    if template is None:
        template = TEMPLATE_PATH.read_text(encoding="utf-8")
    servers = "\n".join(
        f"    server {replica.name} {REPLICA_ADDRESS}:{replica.port} cookie {replica.name}"
        for replica in plan.servers
    )
    return string.Template(template).substitute(
        address=plan.address, port=plan.port, replicas=plan.replicas, servers=servers
    )


def split_max_jobs(total: int, replicas: int) -> list[int]:
    """Each replica's share of `total` jobs at once: as even as can be, at least 1 each.

    With the local engine each replica starts an engine of its own, which runs at most its
    `CNNVIZ_MAX_JOBS` jobs; with fewer jobs than replicas each still runs 1 (so `replicas`
    in all).

    Example:
        >>> split_max_jobs(4, replicas=4), split_max_jobs(5, replicas=2)
        ([1, 1, 1, 1], [3, 2])
        >>> split_max_jobs(1, replicas=3)
        [1, 1, 1]
    """
    check_whole(total, "--max-jobs", low=1)
    check_whole(replicas, "--replicas", low=1)
    share, left = divmod(total, replicas)
    return [max(1, share + (1 if index < left else 0)) for index in range(replicas)]


def check_streamlit_flags(flags: list[str]) -> list[str]:
    """The extra flags for `streamlit run`, refused if they set what the script sets itself.

    Raises:
        ValueError: For `--server.port`, `--server.address` or `--server.headless`.
    """
    for flag in flags:
        name = flag.split("=", 1)[0]
        if name in OWN_FLAGS:
            raise ValueError(
                f"replicas.py sets {name} for each replica itself (use --port, --first-port "
                f"and --address). Received {flag!r} after `--`."
            )
    return list(flags)


def streamlit_command(
    python: str, app: str, replica: Replica, flags: list[str] | tuple[str, ...] = ()
) -> list[str]:
    """`python -m streamlit run app` for one replica: headless, on its loopback port."""
    command = [python, "-m", "streamlit", "run", app, "--server.port", str(replica.port)]
    command += ["--server.address", REPLICA_ADDRESS, "--server.headless", "true"]
    return command + list(check_streamlit_flags(list(flags)))


def replica_environment(
    environment: dict[str, str],
    replica: Replica,
    cookie_secret: str,
    max_jobs: int | None = None,
) -> dict[str, str]:
    """The environment a replica runs with: the script's own (CNNVIZ_ENGINE and the rest pass
    through), the shared cookie secret (in the environment, not on a command line anyone can
    read with `ps`), its share of jobs when given, and its name.

    Example:
        >>> env = replica_environment({"CNNVIZ_ENGINE": "x"}, Replica("r2", 8602), "s", 3)
        >>> env["CNNVIZ_ENGINE"], env["CNNVIZ_MAX_JOBS"], env["CNNVIZ_REPLICA"]
        ('x', '3', 'r2')
    """
    replica_env = {**environment, COOKIE_SECRET_ENV: cookie_secret, REPLICA_ENV: replica.name}
    if max_jobs is not None:
        replica_env[MAX_JOBS_ENV] = str(check_whole(max_jobs, "`max_jobs`", low=1))
    return replica_env


def ports_in_use(plan: ReplicaPlan) -> list[str]:
    """The plan's ports that something already listens on, as "address:port" (empty: none)."""
    wanted = [(plan.address, plan.port)]
    wanted += [(REPLICA_ADDRESS, replica.port) for replica in plan.servers]
    return [f"{address}:{port}" for address, port in wanted if not _can_listen(address, port)]


def free_plan(replicas: int, tries: int = 200) -> ReplicaPlan:
    """A plan on loopback whose ports nothing listens on (for tests and benchmarks): the
    replicas on consecutive ports from a random one, HAProxy on the next.

    Raises:
        RuntimeError: If `tries` random starts all found a port in use.
    """
    for _ in range(tries):
        first = random.randrange(20000, 60000)
        plan = ReplicaPlan(replicas, first + replicas, first_port=first, address=REPLICA_ADDRESS)
        if not ports_in_use(plan):
            return plan
    raise RuntimeError(f"No {replicas + 1} free consecutive loopback ports in {tries} tries.")


def _can_listen(address: str, port: int) -> bool:
    with socket.socket() as probe:
        # As the servers themselves do: a port left in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
            probe.listen()
        except OSError:
            return False
    return True


def find_haproxy(which=shutil.which) -> str:
    """The `haproxy` program's path.

    Raises:
        FileNotFoundError: If it is not installed, with how to install it.
    """
    found = which("haproxy") or which("/usr/sbin/haproxy")
    if not found:
        raise FileNotFoundError(f"haproxy is not installed: {INSTALL_HAPROXY}.")
    return str(Path(found))
