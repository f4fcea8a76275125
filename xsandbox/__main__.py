"""python -m xsandbox --host 127.0.0.1 --port 8765 [--tweet-delay-ms 200 ...]

Every SandboxConfig and FaultSettings field is a flag (--tweet-rate-limit) and an environment
variable (XSANDBOX_TWEET_RATE_LIMIT); a flag wins over the environment, which wins over the default.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any, Callable

from .config import SandboxConfig
from .faults import FaultSettings
from .server import make_server


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


CONVERTERS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str, "bool": _truthy,
                                               "int | None": int}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xsandbox", description="Local stand-in for the X API.")
    parser.add_argument("--host", default=os.environ.get("XSANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("XSANDBOX_PORT", "8765")))
    parser.add_argument("--quiet", action="store_true", default=_truthy(os.environ.get("XSANDBOX_QUIET", "")),
                        help="no per-request log lines")
    for cls in (SandboxConfig, FaultSettings):
        group = parser.add_argument_group(cls.__name__)
        for field in dataclasses.fields(cls):
            convert = CONVERTERS[str(field.type)]
            env = os.environ.get(f"XSANDBOX_{field.name.upper()}")
            group.add_argument(f"--{field.name.replace('_', '-')}", dest=field.name, type=convert,
                               default=convert(env) if env is not None else field.default,
                               help=f"default {field.default!r}")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = vars(build_parser().parse_args(argv))
    host, port, quiet = args.pop("host"), args.pop("port"), args.pop("quiet")
    server = make_server(host, port, quiet=quiet, **args)
    bound_host, bound_port = server.server_address[:2]
    print(f"X sandbox listening on http://{bound_host}:{bound_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
