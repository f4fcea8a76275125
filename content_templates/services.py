"""Content templates: rendering, and the actions on templates. Pages, the REST API and the admin call these.

Placeholders
------------
A template's text holds placeholders in braces, filled when a post is started from it:

- `{client_name}` the task's client (full name, else username), `{client_username}`,
  `{reseller_name}` (full name, else username), `{task_title}`, `{date}` (today in the reseller's
  time zone, "5 March 2025"): taken from the task;
- `{link}`: built in, but it has no default: it must be given when the post is started;
- custom placeholders: any other name, declared on the template in `custom_placeholders`; like
  `{link}` they must be given when the post is started.

A name that is neither built in nor declared is an error when the template is saved (so a typo such
as `{clinet_name}` is caught then, not when a post is started) and again when it is rendered. `{{`
and `}}` write literal braces; a lone brace is an error. The text is parsed by a small regex, never
by `str.format`: a placeholder is a bare name, so `{client.password}` or `{0}` is an error and no
attribute or index of anything is ever looked up. Values are inserted as they are, never parsed again.

Rendering errors are ValidationErrors by field: `text` (bad or unknown placeholders, the result too
long for X), `values` (values missing for `{link}` or custom placeholders).
"""

import logging
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from platforms.text import HashtagError, compose_text, normalize_hashtags
from platforms.x.text import MAX_WEIGHTED_LENGTH, cashtag_problem, weighted_length
from posts.editing import UNSET, check_mix, clean_media, delete_files_on_commit, remove_media, renumber, save_media
from posts.models import TaskAssign
from socialhub.errors import NotAllowed
from socials.error_kinds import TOO_LONG

from .models import ContentTemplate, TemplateMedia

log = logging.getLogger(__name__)

# Filled from the task; the person starting a post cannot change them.
DERIVED = ("client_name", "client_username", "reseller_name", "task_title", "date")
# Built in, but given by the person starting a post.
ASKED = ("link",)
BUILT_IN = DERIVED + ASKED
MAX_VALUE_LENGTH = 1000
MAX_CUSTOM_PLACEHOLDERS = 20

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,49}")


# --- Parsing.


@dataclass(frozen=True)
class Parsed:
    parts: tuple  # literal strings and Placeholder names, in order
    problems: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """The placeholder names used, in first-use order."""
        seen: dict[str, None] = {}
        for part in self.parts:
            if isinstance(part, Placeholder):
                seen.setdefault(part.name, None)
        return list(seen)


@dataclass(frozen=True)
class Placeholder:
    name: str


def parse(text: str) -> Parsed:
    """Split a template's text into literals and placeholders; problems say what is malformed."""
    parts: list = []
    problems: list[str] = []
    literal: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text or ""):
        literal.append(text[last : match.start()])
        last = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif match.group(1) is not None and _NAME.fullmatch(match.group(1)):
            parts.append("".join(literal))
            literal = []
            parts.append(Placeholder(match.group(1)))
        elif match.group(1) is not None:
            problems.append(
                f"{token} is not a placeholder: a placeholder is a name of letters, digits and "
                "underscores in braces, such as {client_name}."
            )
        else:
            problems.append(f"A lone {token} must be written {token}{token}.")
    literal.append((text or "")[last:])
    parts.append("".join(literal))
    return Parsed(parts=tuple(p for p in parts if p != ""), problems=tuple(dict.fromkeys(problems)))


def _braced(names) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def unknown_placeholders(names: Sequence[str], custom: Sequence[str]) -> list[str]:
    allowed = set(BUILT_IN) | set(custom)
    return [name for name in names if name not in allowed]


# --- Rendering.


@dataclass(frozen=True)
class Rendered:
    """A template filled in for a task: what the composer is pre-filled with."""

    text: str
    hashtags: list[str]
    media: list[TemplateMedia] = field(default_factory=list)
    full_text: str = ""  # the text as sent to X: text plus hashtags
    weighted_length: int = 0
    values: dict[str, str] = field(default_factory=dict)  # every placeholder's value, as used


def needed_values(template: ContentTemplate) -> list[str]:
    """The placeholders of the text that the person starting a post must fill in, in text order."""
    return [name for name in parse(template.text).names if name not in DERIVED]


def _display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _today(task: TaskAssign, now: datetime | None) -> str:
    person = task.reseller or task.user
    try:
        zone = zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    day = (now or timezone.now()).astimezone(zone).date()
    return f"{day.day} {day:%B %Y}"


def task_values(task: TaskAssign, now: datetime | None = None) -> dict[str, str]:
    """The derived placeholders' values for a task."""
    return {
        "client_name": _display_name(task.user),
        "client_username": task.user.username,
        "reseller_name": _display_name(task.reseller),
        "task_title": task.title,
        "date": _today(task, now),
    }


def _clean_values(values) -> tuple[dict[str, str], list[str]]:
    if values is None:
        return {}, []
    if not isinstance(values, Mapping):
        return {}, ['Give the values as an object of names to text, such as {"link": "https://..."}.']
    cleaned, problems = {}, []
    for name, value in values.items():
        if not isinstance(name, str) or not isinstance(value, str):
            problems.append(f"The value of {name!r} must be text.")
        elif len(value) > MAX_VALUE_LENGTH:
            problems.append(f"The value of {{{name}}} is longer than {MAX_VALUE_LENGTH} characters.")
        else:
            cleaned[name] = value.strip()
    return cleaned, problems


def render(
    template: ContentTemplate,
    *,
    task: TaskAssign,
    values: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Rendered:
    """Fill the template in for the task. `values` gives `{link}` and the custom placeholders.

    Values for the derived placeholders (client_name, date, ...) are ignored: those come from the
    task. Raises ValidationError by field (see the module docstring), never at publish time.
    """
    parsed = parse(template.text)
    given, value_problems = _clean_values(values)
    problems: dict[str, list[str]] = {}
    text_problems = list(parsed.problems)
    unknown = unknown_placeholders(parsed.names, template.custom_placeholders or [])
    if unknown:
        text_problems.append(f"Unknown placeholders: {_braced(unknown)}.")
    if text_problems:
        problems["text"] = text_problems
    missing = [name for name in needed_values(template) if name not in unknown and not given.get(name)]
    if missing:
        value_problems.append(f"Give a value for {_braced(missing)}.")
    if value_problems:
        problems["values"] = value_problems
    if problems:
        raise ValidationError(problems)

    filled = {**{k: v for k, v in given.items() if k not in DERIVED}, **task_values(task, now)}
    text = "".join(filled[p.name] if isinstance(p, Placeholder) else p for p in parsed.parts).strip()
    tags = list(template.hashtags or [])
    full_text = compose_text(text, tags)
    length = weighted_length(full_text)
    if length > MAX_WEIGHTED_LENGTH:
        raise ValidationError(
            {"text": [f"{TOO_LONG}: {length} of {MAX_WEIGHTED_LENGTH} once filled in for this task."]},
            code="too_long",
        )
    if problem := cashtag_problem(full_text):
        raise ValidationError({"text": [f"{problem} (once filled in for this task)"]}, code="cashtags")
    used = {name: filled[name] for name in parsed.names}
    return Rendered(
        text=text,
        hashtags=tags,
        media=list(template.media.all()) if template.pk else [],  # an unsaved one (a preview) has none
        full_text=full_text,
        weighted_length=length,
        values=used,
    )


# --- Saving.


def _clean_custom(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = re.split(r"[\s,]+", raw)
    if not isinstance(raw, (list, tuple)):
        raise ValidationError({"custom_placeholders": ["Give a list of names."]})
    names: list[str] = []
    for item in raw:
        name = item.strip().strip("{}") if isinstance(item, str) else item
        if name == "":
            continue
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValidationError(
                {"custom_placeholders": [f"{name!r} is not a placeholder name: use letters, digits and underscores."]}
            )
        if name in BUILT_IN:
            raise ValidationError({"custom_placeholders": [f"{{{name}}} is built in: no need to declare it."]})
        if name not in names:
            names.append(name)
    if len(names) > MAX_CUSTOM_PLACEHOLDERS:
        raise ValidationError({"custom_placeholders": [f"Declare at most {MAX_CUSTOM_PLACEHOLDERS} placeholders."]})
    return names


def _placeholder_help(custom: Sequence[str]) -> str:
    names = list(BUILT_IN) + list(custom)
    return f"Use {_braced(names)}, or declare the name as a custom placeholder."


def clean_template_fields(template: ContentTemplate) -> None:
    """Validate and normalise a template's name, text, hashtags and custom placeholders in place.

    Raises ValidationError by field: a malformed or unknown placeholder, a hashtag X would not link,
    a text too long for X whatever the placeholders hold.
    """
    problems: dict[str, list[str]] = {}
    template.name = (template.name or "").strip()
    if not template.name:
        problems["name"] = ["Give the template a name."]
    try:
        template.custom_placeholders = _clean_custom(template.custom_placeholders)
    except ValidationError as exc:
        problems.update(exc.message_dict)
        template.custom_placeholders = []
    try:
        template.hashtags = normalize_hashtags(template.hashtags)
    except HashtagError as exc:
        problems["hashtags"] = [str(exc)]
    template.text = (template.text or "").strip()
    parsed = parse(template.text)
    text_problems = list(parsed.problems)
    unknown = unknown_placeholders(parsed.names, template.custom_placeholders)
    if unknown:
        text_problems.append(f"Unknown placeholders: {_braced(unknown)}. {_placeholder_help(template.custom_placeholders)}")
    if not text_problems and "hashtags" not in problems:
        # The fixed part alone (every placeholder empty) already too long: no task can fit it.
        bare = "".join(p for p in parsed.parts if isinstance(p, str))
        length = weighted_length(compose_text(bare, template.hashtags))
        if length > MAX_WEIGHTED_LENGTH:
            text_problems.append(f"{TOO_LONG}: {length} of {MAX_WEIGHTED_LENGTH} before any placeholder is filled in.")
    if text_problems:
        problems["text"] = text_problems
    if problems:
        raise ValidationError(problems)


def can_manage_template(user: User, template: ContentTemplate) -> bool:
    """The reseller who owns it; staff for shared templates."""
    if not user.is_authenticated:
        return False
    if template.shared:
        return user.is_platform_staff
    return user.is_reseller and template.owner_id == user.pk


@transaction.atomic
def create_template(
    *,
    actor: User,
    name: str,
    text: str = "",
    hashtags=None,
    custom_placeholders=None,
    media_files: Sequence = (),
    alt_texts: Sequence[str] = (),
) -> ContentTemplate:
    """A reseller's own template, or (made by staff) one shared with every reseller.

    Raises NotAllowed (not a reseller nor staff) or ValidationError.
    """
    if not actor.is_authenticated or not (actor.is_reseller or actor.is_platform_staff):
        raise NotAllowed("Only resellers and staff keep templates.")
    shared = actor.is_platform_staff
    template = ContentTemplate(
        owner=None if shared else actor, shared=shared, name=name, text=text,
        hashtags=hashtags or [], custom_placeholders=custom_placeholders or [], created_by=actor,
    )
    clean_template_fields(template)
    media = clean_media(media_files, alt_texts)
    template.save()
    save_media(TemplateMedia, media, template=template)
    log.info("Template %s created by %s (shared: %s)", template.pk, actor.pk, shared)
    return template


@transaction.atomic
def update_template(
    *,
    actor: User,
    template: ContentTemplate,
    name=UNSET,
    text=UNSET,
    hashtags=UNSET,
    custom_placeholders=UNSET,
    media_files: Sequence = (),
    alt_texts: Sequence[str] = (),
    remove_media_ids: Sequence[int] = (),
) -> ContentTemplate:
    """Change the given fields; new media are added after the kept ones. Raises NotAllowed or ValidationError."""
    template = ContentTemplate.objects.select_for_update().get(pk=template.pk)
    if not can_manage_template(actor, template):
        raise NotAllowed("You cannot change this template.")
    for attr, value in (("name", name), ("text", text), ("hashtags", hashtags),
                        ("custom_placeholders", custom_placeholders)):
        if value is not UNSET:
            setattr(template, attr, value if value is not None else ([] if attr in ("hashtags", "custom_placeholders") else ""))
    clean_template_fields(template)
    if remove_media_ids:
        remove_media(template.media.filter(pk__in=remove_media_ids))
    kept = list(template.media.all())
    new_media = clean_media(media_files, alt_texts)
    if new_media:
        check_mix(kept, new_media)
        save_media(TemplateMedia, new_media, start=len(kept), template=template)
    renumber(template.media.all())
    template.save()
    return template


@transaction.atomic
def delete_template(*, actor: User, template: ContentTemplate) -> None:
    """Delete a template and, once committed, its files. Posts started from it keep their copies."""
    template = ContentTemplate.objects.select_for_update().get(pk=template.pk)
    if not can_manage_template(actor, template):
        raise NotAllowed("You cannot delete this template.")
    media = list(template.media.all())
    template.delete()
    delete_files_on_commit(media)
    log.info("Template %s deleted by %s", template.pk, actor.pk)


def media_copies(media: Sequence[TemplateMedia]) -> tuple[list[ContentFile], list[str]]:
    """Copies of template media files and their alt texts, to give posts.services.create_post.

    The post stores its own copy, so editing or deleting the template never touches the post.
    """
    files, alts = [], []
    for item in media:
        with item.file.open("rb") as source:
            data = source.read()
        files.append(ContentFile(data, name=item.file.name.rsplit("/", 1)[-1]))
        alts.append(item.alt_text)
    return files, alts
