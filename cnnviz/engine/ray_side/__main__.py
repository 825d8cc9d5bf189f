"""Look after cnnviz's part of a Ray cluster: `python -m cnnviz.engine.ray_side status|remove`.

- `status`: the job board (jobs running and queued, the cap, the saved-runs folder) and the
  forward-pass replicas Serve runs, by state.
- `remove`: delete the Serve application and the job board (say, after upgrading cnnviz on the
  machines: the next app server to connect deploys the new version). Running jobs end with it.

The address comes from `--address` or `CNNVIZ_ENGINE` (`ray://host:port`).
"""

from __future__ import annotations

import argparse
import os
import sys

from cnnviz.engine.backends import ENGINE_ENV, engine_address
from cnnviz.engine.protocol import EngineError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cnnviz.engine.ray_side", description=__doc__)
    parser.add_argument("action", choices=("status", "remove"))
    parser.add_argument("--address", default=os.environ.get(ENGINE_ENV), help="ray://host:port")
    args = parser.parse_args(argv)
    try:
        args.address = engine_address(args.address)
    except ValueError as error:
        parser.error(str(error))
    if args.address is None:
        parser.error(f"Give the cluster's address: --address ray://host:port (or {ENGINE_ENV}).")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    import ray
    from ray import serve

    from cnnviz.engine.ray_side import APP_NAME, BOARD_NAME, NAMESPACE
    from cnnviz.engine.ray_side.client import join

    try:
        join(args.address, timeout=60.0)
    except EngineError as error:
        sys.exit(str(error))
    app = serve.status().applications.get(APP_NAME)
    try:
        board = ray.get_actor(BOARD_NAME, namespace=NAMESPACE)
    except ValueError:
        board = None
    if args.action == "remove":
        if app is not None:
            serve.delete(APP_NAME)
        if board is not None:
            ray.kill(board)
        print(f"Removed: Serve application {APP_NAME!r} and the job board from {args.address}.")
        return
    print(_describe(app, board))


def _describe(app, board) -> str:
    import ray

    from cnnviz.engine.protocol import PROTOCOL_VERSION

    lines = []
    if app is None:
        lines.append("forward passes: not deployed (the first app server to connect deploys them)")
    else:
        for name, deployment in app.deployments.items():
            replicas = deployment.replica_states.items()
            states = ", ".join(f"{count} {_text(state).lower()}" for state, count in replicas)
            status = _text(app.status)
            lines.append(f"forward passes: {status}, {name} replicas: {states or 'none'}")
    if board is None:
        lines.append("job board: not started")
    else:
        reply = ray.get(board.handle.remote((PROTOCOL_VERSION, "ping", {})), timeout=30)
        if reply[0] != "ok":
            lines.append(f"job board: answers {reply[1]}: {reply[2]}")
        else:
            info = reply[1]
            lines.append(
                f"job board: {info.jobs_running} running, {info.jobs_queued} queued, at most "
                f"{info.max_jobs} at once; runs saved in {info.models_dir}"
            )
    return "\n".join(lines)


def _text(state) -> str:
    """A Serve status as text (Serve gives enums or plain strings)."""
    return str(getattr(state, "value", state))


if __name__ == "__main__":
    main()
