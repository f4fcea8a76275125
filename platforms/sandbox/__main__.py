"""python -m platforms.sandbox --host 127.0.0.1 --port 8766: the Mastodon and Bluesky stand-in,
with Bluesky's OAuth authorization server on --entryway-port (default: the next port)."""

from __future__ import annotations

import argparse
import os
import sys
import threading

from .server import start_sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platforms.sandbox",
                                     description="Local stand-in for Mastodon, Bluesky, LinkedIn, Facebook and Instagram.")
    parser.add_argument("--host", default=os.environ.get("PLATFORM_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PLATFORM_SANDBOX_PORT", "8766")))
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--bluesky-handle", default="alice.bsky.test", help="a ready-made Bluesky user")
    parser.add_argument("--bluesky-app-password", default="sand-box0-demo-pass")
    parser.add_argument("--entryway-port", type=int, default=int(os.environ.get("PLATFORM_SANDBOX_ENTRYWAY_PORT", "0")))
    args = parser.parse_args(argv)
    sandbox = start_sandbox(args.host, args.port, entryway_port=args.entryway_port or args.port + 1, quiet=args.quiet)
    sandbox.state.bluesky_user(args.bluesky_handle, args.bluesky_app_password)
    sandbox.state.linkedin_organization("Example Bakery", ["Alice Example"])  # a page to choose after signing in
    print(f"Mastodon and Bluesky sandbox listening on {sandbox.url}, Bluesky's sign-in server on "
          f"{sandbox.entryway_url} (Bluesky: {args.bluesky_handle} / {args.bluesky_app_password}; "
          f"LinkedIn: Alice Example administers Example Bakery)", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
