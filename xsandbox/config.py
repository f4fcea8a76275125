"""Settings of one sandbox: the registered app, token lifetimes and rate limits.

Fault switches live in `faults.FaultSettings`; they can change at runtime, these cannot.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxConfig:
    """The registered X app and the limits the sandbox enforces. Defaults match X where known."""

    # OAuth 2.0 client of the registered app (confidential: HTTP Basic at the token endpoint).
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    # OAuth 1.0a consumer of the same app.
    consumer_key: str = "sandbox-consumer-key"
    consumer_secret: str = "sandbox-consumer-secret"
    # App-only bearer token: may read, never write.
    app_bearer_token: str = "sandbox-app-bearer"

    access_token_ttl: int = 7200  # seconds; X gives two hours
    # Community reports say reusing a spent refresh token can revoke the whole chain.
    refresh_reuse_kills_chain: bool = False

    rate_window_s: int = 900  # X's rate windows are 15 minutes
    tweet_rate_limit: int = 100  # POST /2/tweets per user per window (x-api/fundamentals/rate-limits.mdx)
    default_rate_limit: int = 900  # every other endpoint family, per user per window
    # The 24-hour posting caps (per app, per user) are fault settings: they change at runtime.

    media_processing_polls: int = 2  # STATUS polls until a video or GIF has "succeeded"

    # Links in stored text become "<tco_url><code>", 23 characters in all (X: https://t.co/).
    tco_url: str = "https://t.co/"
    account_id: int = 1700000000000000000  # the developer account named in 402/429 billing answers


def config_field_names() -> set[str]:
    return {f.name for f in dataclasses.fields(SandboxConfig)}
