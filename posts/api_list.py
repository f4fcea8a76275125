"""GET /api/posts from plain rows: a page of posts, their channels (with the accounts' names),
media and parts read with values(), and the JSON PostSerializer documents built from them.

The same answer as PostSerializer gives for the same posts (tests compare the two, with media,
threads and what each channel sent of each part), without building a model instance per post,
channel and account: for a page of 50 posts that was most of the request's CPU
(docs/performance.md). One post (retrieve, and the answers of the writes) still goes through
PostSerializer.
"""

from platforms.text import compose_text

from . import options as post_options
from .media import media_url
from .models import (
    AWAITING_APPROVAL,
    NOT_SENT,
    PART_STATE_LABELS,
    PART_WAITING,
    STATUS_LABELS,
    ChannelPart,
    Post,
    PostChannel,
    PostMedia,
    PostPart,
    channel_rows,
)
from .serializers import api_times

POST_FIELDS = (
    "id", "task_id", "created_by_id", "content", "hashtags", "text_overrides", "status", "review_step", "version",
    "schedule_at", "feedback", "reviewed_by_id", "reviewed_at", "published_at", "created_at", "updated_at",
    *post_options.PostOptions.FIELDS,
)
# What the API shows of a channel (the columns of posts.models.LISTED_CHANNEL_FIELDS).
CHANNEL_FIELDS = (
    "id", "post_id", "account_id", "account__username", "state", "remote_id", "remote_url", "last_error",
    "error_kind", "attempts", "next_attempt_at", "published_at", "metrics", "metrics_updated_at",
)
MEDIA_FIELDS = ("id", "post_id", "part_id", "kind", "mime_type", "size", "alt_text", "order")
STATE_LABELS = {**{state.value: str(state.label) for state in PostChannel.State}, **PART_STATE_LABELS}


def rows(queryset, *, join_task: bool):
    """The posts of `queryset` (PostQuerySet.for_list) as dicts: POST_FIELDS, how many media
    (`n_media`) and parts 2..n (`n_parts`) each has and, with `join_task`, their task's client
    and reseller (`task__user_id`, `task__reseller_id`; otherwise `represent` is given the tasks)."""
    task = ("task__user_id", "task__reseller_id") if join_task else ()
    return queryset.values(*POST_FIELDS, "n_media", "n_parts", *task)


def represent(posts: list[dict], request, tasks: dict[int, tuple[int, int | None]] | None = None) -> list[dict]:
    """The page's posts as the API shows them. `tasks`: {task id: (client id, reseller id)} of
    the viewer's tasks, when `rows` did not join them; a task not in it is read here."""
    if tasks is not None:
        missing = {post["task_id"] for post in posts} - set(tasks)
        if missing:  # a task made since the viewer's tasks were read
            tasks = {**tasks, **_tasks(missing)}
        for post in posts:
            post["task__user_id"], post["task__reseller_id"] = tasks[post["task_id"]]
    ids = [post["id"] for post in posts]
    channels = _grouped(_channels(ids), "post_id") if ids else {}
    with_media = [post["id"] for post in posts if post["n_media"]]
    media = _grouped(_media().filter(post_id__in=with_media), "post_id") if with_media else {}
    with_parts = [post["id"] for post in posts if post["n_parts"]]
    parts, part_media, sent = {}, {}, {}
    if with_parts:
        parts = _grouped(
            PostPart.objects.filter(post_id__in=with_parts).order_by("position", "pk").values(
                "id", "post_id", "position", "content"
            ), "post_id"
        )
        part_ids = [part["id"] for post_parts in parts.values() for part in post_parts]
        part_media = _grouped(_media().filter(part_id__in=part_ids), "part_id")
        channel_ids = [channel["id"] for post_id in with_parts for channel in channels.get(post_id, ())]
        sent = {
            (record["channel_id"], record["part_id"]): record
            for record in ChannelPart.objects.filter(channel_id__in=channel_ids).order_by().values(
                "channel_id", "part_id", "remote_id", "remote_url"
            )
        }
    when, media_of = api_times(), _media_representation(request)
    return [
        _post(post, channels.get(post["id"], []), media.get(post["id"], []), parts.get(post["id"], []),
              part_media, sent, when, media_of)
        for post in posts
    ]


def _channels(post_ids: list[int]) -> list[dict]:
    """The channels of these posts by id, as
    `PostChannel.objects.filter(post_id__in=post_ids).order_by("pk").values(*CHANNEL_FIELDS)` gives
    them, read with one plain statement (models.channel_rows)."""
    from socials.models import Account

    fields = [Account._meta.get_field("username") if name == "account__username" else PostChannel._meta.get_field(name)
              for name in CHANNEL_FIELDS]
    return [dict(zip(CHANNEL_FIELDS, row)) for row in channel_rows(post_ids, fields)]


def _tasks(task_ids) -> dict[int, tuple[int, int | None]]:
    from .models import TaskAssign

    return {pk: (user, reseller) for pk, user, reseller in
            TaskAssign.objects.filter(pk__in=task_ids).values_list("pk", "user_id", "reseller_id")}


def _media():
    return PostMedia.objects.order_by("order", "pk").values(*MEDIA_FIELDS)


def _grouped(rows, key: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _id(value):
    return None if value is None else str(value)


def _public_state(channel: dict, status: int) -> str:
    """PostChannel.public_state for a channel row of a post in `status`."""
    if channel["state"] == PostChannel.State.QUEUED:
        if status == Post.Status.PENDING:
            return AWAITING_APPROVAL
        if status == Post.Status.REJECTED:
            return NOT_SENT
    return channel["state"]


def _post(post, channels, media, parts, part_media, sent, when, media_of) -> dict:
    status, shown_media = post["status"], [media_of(m) for m in media]
    for channel in channels:
        channel["public_state"] = _public_state(channel, status)
    options = post_options.PostOptions(**{name: post[name] for name in post_options.PostOptions.FIELDS})
    text = compose_text(post["content"], post["hashtags"])
    thread = [{"position": 1, "content": post["content"], "text": text, "media": shown_media, "channels": []}]
    thread += [
        {"position": part["position"], "content": part["content"], "text": compose_text(part["content"], []),
         "media": [media_of(m) for m in part_media.get(part["id"], ())], "channels": []}
        for part in parts
    ]
    _add_part_channels(thread, parts, channels, sent)
    return {
        "id": str(post["id"]), "task": str(post["task_id"]), "client": str(post["task__user_id"]),
        "reseller": _id(post["task__reseller_id"]), "created_by": str(post["created_by_id"]),
        "content": post["content"], "hashtags": [str(tag) for tag in post["hashtags"]], "text": text,
        "text_overrides": dict(post["text_overrides"] or {}), "status": status,
        "status_label": STATUS_LABELS.get(status, status), "review_step": post["review_step"],
        "version": post["version"], "schedule_at": when(post["schedule_at"]), "feedback": post["feedback"],
        "reviewed_by": _id(post["reviewed_by_id"]), "reviewed_at": when(post["reviewed_at"]),
        "published_at": when(post["published_at"]), "created_at": when(post["created_at"]),
        "updated_at": when(post["updated_at"]),
        "channels": [_channel(channel, when) for channel in channels],
        "media": shown_media,
        "parts": thread,
        "options": post_options.as_api(options),
    }


def _add_part_channels(thread: list[dict], parts: list[dict], channels: list[dict], sent: dict) -> None:
    """How each part went on each channel: Post.thread_with_channels, for rows."""
    part_ids = [None, *(part["id"] for part in parts)]
    for channel in channels:
        waiting = False
        before_review = channel["public_state"] if channel["public_state"] != channel["state"] else None
        for part_id, item in zip(part_ids, thread):
            record = None if part_id is None else sent.get((channel["id"], part_id))
            if part_id is None:
                remote_id, remote_url = channel["remote_id"], channel["remote_url"]
            else:
                remote_id, remote_url = (record["remote_id"], record["remote_url"]) if record else ("", "")
            if before_review:
                state = before_review
            elif remote_id:
                state = PostChannel.State.PUBLISHED.value
            elif waiting:
                state = PART_WAITING
            else:
                state, waiting = channel["state"], True  # the part the channel is at
            item["channels"].append({
                "channel_id": str(channel["account_id"]), "username": channel["account__username"],
                "state": state, "state_label": STATE_LABELS[state], "remote_id": remote_id, "remote_url": remote_url,
            })


def _channel(channel: dict, when) -> dict:
    return {
        "id": str(channel["id"]), "channel_id": str(channel["account_id"]), "username": channel["account__username"],
        "state": channel["public_state"], "remote_id": channel["remote_id"], "remote_url": channel["remote_url"],
        "published_at": when(channel["published_at"]), "attempts": channel["attempts"],
        "next_attempt_at": when(channel["next_attempt_at"]), "error": channel["last_error"],
        "error_kind": channel["error_kind"], "metrics": channel["metrics"],
        "metrics_updated_at": when(channel["metrics_updated_at"]),
    }


def _media_representation(request):
    def represent(media: dict) -> dict:
        url = media_url(PostMedia.url_owner, media["id"])
        return {
            "id": str(media["id"]), "url": request.build_absolute_uri(url) if request else url,
            "kind": media["kind"], "mime_type": media["mime_type"], "size": media["size"],
            "alt_text": media["alt_text"], "order": media["order"],
        }

    return represent
