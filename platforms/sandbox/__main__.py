"""python -m platforms.sandbox --host 127.0.0.1 --port 8766: the Mastodon and Bluesky stand-in."""

from __future__ import annotations

import argparse
import os
import sys

from .server import SandboxServer
from .state import State


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platforms.sandbox",
                                     description="Local stand-in for Mastodon, Bluesky, LinkedIn and Instagram.")
    parser.add_argument("--host", default=os.environ.get("PLATFORM_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PLATFORM_SANDBOX_PORT", "8766")))
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--bluesky-handle", default="alice.bsky.test", help="a ready-made Bluesky user")
    parser.add_argument("--bluesky-app-password", default="sand-box0-demo-pass")
    args = parser.parse_args(argv)
    state = State()
    state.bluesky_user(args.bluesky_handle, args.bluesky_app_password)
    server = SandboxServer((args.host, args.port), state, quiet=args.quiet)
    host, port = server.server_address[:2]
    print(f"Mastodon and Bluesky sandbox listening on http://{host}:{port} "
          f"(Bluesky: {args.bluesky_handle} / {args.bluesky_app_password})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
