"""X's pay-per-use prices (settings X_PRICE_*, in dollars) and what a post will cost."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from twitter_text import extract_urls

MICROS = 1_000_000


def micros(name: str) -> int:
    """A price setting (X_PRICE_<NAME>, dollars) in micro-dollars."""
    return int(Decimal(str(getattr(settings, f"X_PRICE_{name.upper()}"))) * MICROS)


def usd(amount: int) -> str:
    """Micro-dollars as dollars, with X's three decimals when they matter: 200000 -> "$0.20"."""
    dollars = Decimal(amount) / MICROS
    text = f"{dollars:.3f}"
    return f"${text[:-1] if text.endswith('0') else text}"


def has_link(text: str) -> bool:
    """X charges the link price when the text holds a URL (bare domains count: twitter-text finds them)."""
    return bool(extract_urls(text or ""))


def create_price(text: str) -> int:
    return micros("post_create_url") if has_link(text) else micros("post_create")


@dataclass(frozen=True)
class Estimate:
    micros: int
    reasons: list[str]

    @property
    def usd(self) -> str:
        return usd(self.micros)

    def sentence(self) -> str:
        """"≈ $0.20 on X: it has a link"."""
        reason = f": {', '.join(self.reasons)}" if self.reasons else ""
        return f"≈ {self.usd} on X{reason}"


def estimate(parts: list[tuple[str, int]], *, accounts: int = 1) -> Estimate:
    """What publishing costs on X: `parts` are (text, media with alt text) per part, on `accounts`
    X accounts (0: nothing goes to X)."""
    total, links, alts = 0, 0, 0
    for text, alt_texts in parts:
        total += create_price(text)
        links += has_link(text)
        alts += alt_texts
    total += alts * micros("media_metadata")
    reasons = []
    if len(parts) > 1:
        reasons.append(f"{len(parts)} parts")
    if links:
        reasons.append("it has a link" if len(parts) == 1 else f"{links} with a link")
    if alts:
        reasons.append(f"{alts} alt text{'s' if alts > 1 else ''}")
    if accounts > 1:
        reasons.append(f"on {accounts} accounts")
    if accounts == 0:
        return Estimate(0, ["it goes to no X account"])
    return Estimate(total * accounts, reasons)


def estimate_post(post, *, accounts: int | None = None) -> Estimate:
    thread = post.thread
    parts = [(part.text, sum(1 for m in part.media if m.alt_text)) for part in thread]
    on_x = sum(1 for channel in post.channels.all() if channel.account.provider == "twitter")  # the rest are free
    return estimate(parts, accounts=accounts if accounts is not None else on_x)
