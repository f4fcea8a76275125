import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.utils import timezone

from socialhub import plain_sql


# Every time zone is within 14 hours of UTC, so a time at least a day from either end of
# datetime's range can be shown in all of them.
SHOWABLE_EARLIEST = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
SHOWABLE_LATEST = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


class ShowableDateTimeField(models.DateTimeField):
    """A DateTimeField read back within the range every time zone can show: a stored time nearer
    to year 1 or 9999 (written before schedules were capped) reads as the nearest time that is
    not, so no page, API answer or localtime() on it can overflow."""

    def from_db_value(self, value, expression, connection):
        # A list reads about 300 times a page: the common case (an aware time within range) first.
        if value is None or value.utcoffset() is None or SHOWABLE_EARLIEST <= value <= SHOWABLE_LATEST:
            return value
        return min(max(value, SHOWABLE_EARLIEST), SHOWABLE_LATEST)

    def deconstruct(self):
        # Stored exactly like a DateTimeField: migrations see no difference.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


class JSONField(models.JSONField):
    """A JSONField that reads an empty list or object without decoding it: most posts set no
    hashtags apart, no text of their own per network, no poll, and most channels have no
    metrics yet, and GET /api/posts decoded 200 such values a page (a tenth of its calls)."""

    EMPTY = {"[]": list, "{}": dict}  # as PostgreSQL's jsonb and SQLite's text give them

    def from_db_value(self, value, expression, connection):
        empty = self.EMPTY.get(value) if type(value) is str else None
        return empty() if empty is not None else super().from_db_value(value, expression, connection)

    def deconstruct(self):
        # Stored exactly like Django's JSONField: migrations see no difference.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class TaskAssignQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(reseller=user)
        return self.filter(user=user)


# What a list shows of a person: their name (User.get_full_name, else the username).
LISTED_PERSON_FIELDS = ("username", "first_name", "last_name")


class TaskAssign(models.Model):
    """A reseller's assignment to work for a client. A reseller writes only for clients they have a task with."""

    class ApprovalPolicy(models.TextChoices):
        CLIENT = "client", "The client approves"
        AUTO = "auto", "Approved when submitted"
        TWO_STEPS = "two_steps", "Staff approve, then the client"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tasks",
        limit_choices_to={"role": "client"},
        help_text="The client who owns the X accounts.",
    )
    # Empty only for a client's own "published directly" task (POST /socials/publish/twitter).
    reseller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reseller_tasks",
        limit_choices_to={"role": "reseller"},
        null=True,
        blank=True,
    )
    title = models.CharField(max_length=200)
    brief = models.TextField(blank=True)
    approval_policy = models.CharField(
        max_length=16, choices=ApprovalPolicy.choices, default=ApprovalPolicy.CLIENT,
        help_text="Who approves this task's posts before they go out.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskAssignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "task"

    def __str__(self) -> str:
        return self.title


def listed_tasks(user, *people: str, ordered: bool = True) -> list[TaskAssign]:
    """The tasks `user` may see (TaskAssignQuerySet.for_user) as the lists show them: their
    titles and people's ids, with `people` ("user", "reseller") read too, only their names (never
    a password hash nor an e-mail address); `ordered`: in the tasks' own order. What
    `for_user(user).select_related(*people).only("user", "reseller", "title", <their names>)`
    gives, read with one plain statement: every list reads it, and building and compiling it
    through the ORM cost more than running it (docs/performance.md)."""
    from accounts.models import User

    alias = router.db_for_read(TaskAssign)
    connection = connections[alias]
    quote = connection.ops.quote_name
    task_fields, person_fields = ["id", "user_id", "reseller_id", "title"], ["id", *LISTED_PERSON_FIELDS]
    columns = [f"t.{quote(name)}" for name in task_fields]
    joins, params = [], []
    for n, person in enumerate(people):
        columns += [f"p{n}.{quote(name)}" for name in person_fields]
        kind = "LEFT OUTER JOIN" if TaskAssign._meta.get_field(person).null else "INNER JOIN"
        joins.append(f"{kind} {quote(User._meta.db_table)} p{n} ON p{n}.{quote('id')} = t.{quote(person + '_id')}")
    sql = f"SELECT {', '.join(columns)} FROM {quote(TaskAssign._meta.db_table)} t {' '.join(joins)}"
    if not user.is_platform_staff:
        sql += f" WHERE t.{quote('reseller_id' if user.is_reseller else 'user_id')} = %s"
        params.append(user.pk)
    if ordered:
        sql += f" ORDER BY t.{quote('created_at')} DESC, t.{quote('id')} ASC"  # TaskAssign.Meta.ordering
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    tasks, width = [], len(person_fields)
    for row in rows:
        task = TaskAssign.from_db(alias, task_fields, row[:4])
        for n, person in enumerate(people):
            values = row[4 + n * width: 4 + (n + 1) * width]
            setattr(task, person, None if values[0] is None else User.from_db(alias, person_fields, values))
        tasks.append(task)
    return tasks


# --- What "due" means, once. A post is due when it is approved (or processing) and its time has
# come; a channel is due when it is queued on a due post, or resumable: a retry or an unknown
# outcome whose wait is over, or "sending" past its lease (its worker vanished).
# PostQuerySet.due, PostChannelQuerySet.due and the channel claim (posts.publishing) all use these.

def post_due(now, prefix: str = "") -> Q:
    """Q for a post that is due at `now` (`prefix` "post__" from a channel); Post.is_due in memory."""
    return Q(**{f"{prefix}status__in": Post.PUBLISHING}) & (
        Q(**{f"{prefix}schedule_at__isnull": True}) | Q(**{f"{prefix}schedule_at__lte": now})
    )


def lease() -> datetime.timedelta:
    """How long a sending channel belongs to its worker without a heartbeat (PUBLISH_LEASE_SECONDS)."""
    return datetime.timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)


def _resumable(now) -> Q:
    """Q for a channel whose send can start again at `now`: a retry or an unknown outcome whose
    wait is over, or "sending" past its lease. Its post is being published already."""
    return (
        Q(state__in=[PostChannel.State.RETRY, PostChannel.State.UNKNOWN])
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(state=PostChannel.State.SENDING, claimed_at__lt=now - lease())


def claimable(now) -> Q:
    """Q for a channel a worker may claim at `now`, whatever its post says."""
    return Q(state=PostChannel.State.QUEUED) | _resumable(now)


class PostQuerySet(models.QuerySet):
    def for_user(self, user):
        """Posts a person may see: their tasks' (reseller), written for them (client), all (staff)."""
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(task__reseller=user)
        return self.filter(task__user=user)

    def listed_for(self, user, task_ids: list[int] | None = None):
        """for_user, for a list: the person's task ids are read first (one small query, or given),
        so PostgreSQL filters posts by task_id alone and walks the index of the list's order,
        reading about a page of posts rather than joining every post in scope to its task."""
        if user.is_platform_staff:
            return self
        if task_ids is None:
            task_ids = list(TaskAssign.objects.for_user(user).values_list("pk", flat=True))
        return self.filter(task_id__in=task_ids)

    def for_client(self, user):
        """Posts written for this client (their own, whoever may see them)."""
        return self.filter(task__user=user)

    def pending(self):
        return self.filter(status=Post.Status.PENDING)

    def awaiting_review_by(self, user, task_ids: list[int] | None = None):
        """Pending posts whose current step this person decides: staff any step, a client only
        the client step (a two-step post reaches it once staff approved)."""
        pending = self.listed_for(user, task_ids).pending().exclude(created_by=user)
        return pending if user.is_platform_staff else pending.filter(review_step=Post.ReviewStep.CLIENT)

    def published(self):
        return self.filter(status=Post.Status.PUBLISHED)

    def due(self, now=None):
        """Posts to publish now: approved (or being published) and their time has come."""
        return self.filter(post_due(now or timezone.now()))

    def with_relations(self):
        """Everything one post shows (detail page, API), accounts without their tokens."""
        return self.select_related("task__user", "task__reseller", "created_by").prefetch_related(
            channels_with_accounts(), "channels__parts", "media", "parts__media"
        )

    def for_list(self, *, join: tuple[str, ...] = ("task__user", "task__reseller"), fields: tuple[str, ...] = ()):
        """A page of posts as a list shows them: the task and its people (`join`: what to join of
        them; a page that has them already joins nothing, see posts.rows) and how many media
        (`n_media`) and parts 2..n (`n_parts`) each post has. The rest comes with prefetch_rows
        once the page is read. `fields`: only these of the post's columns (posts.rows.ROW_FIELDS,
        CARD_FIELDS), and of a joined task its title and people, of them only their names: a row
        shows a third of a post's 25 columns, and each column read is compiled and converted."""
        queryset = self.select_related(*join) if join else self
        if fields:
            task = ("task__title", "task__user", "task__reseller") if join else ()
            people = [f"{person}__{name}" for person in join for name in LISTED_PERSON_FIELDS]
            queryset = queryset.only(*fields, *task, *people)
        return queryset.annotate(n_media=_count_of(PostMedia), n_parts=_count_of(PostPart))


def prefetch_rows(posts: list["Post"], *, thread: bool = False, channel_parts: bool = False) -> list["Post"]:
    """Read what the rows of a page of posts (PostQuerySet.for_list) show into plain lists
    (`<name>_list`, read through `related_list`: Django builds no queryset per row for them): the
    channels with what a list shows of their accounts (never a token, listed_channels); with
    `thread` the media and parts, with the parts' media; with `channel_parts` what each channel
    sent of each part too. A relation no post of the page has (for_list counted them) is not
    queried: a page of single posts without media is read in two queries, the page and its channels."""
    has_media, has_parts = any(p.n_media for p in posts), any(p.n_parts for p in posts)
    channels = listed_channels(posts)
    if channel_parts and has_parts:
        models.prefetch_related_objects(channels, models.Prefetch("parts", to_attr="parts_list"))
    lookups = []
    if thread and has_media:
        lookups.append(models.Prefetch("media", to_attr="media_list"))
    if thread and has_parts:
        parts = PostPart.objects.prefetch_related(models.Prefetch("media", to_attr="media_list"))
        lookups.append(models.Prefetch("parts", queryset=parts, to_attr="parts_list"))
    for post in posts:
        if thread and not has_media:
            post.media_list = []
        if thread and not has_parts:
            post.parts_list = []
    if lookups:
        models.prefetch_related_objects(posts, *lookups)
    return posts


def listed_channels(posts: list["Post"]) -> list["PostChannel"]:
    """Each post's channels as `post.channels_list`, in order, each with its post and with what a
    list shows of it (LISTED_CHANNEL_FIELDS) and of its account (LISTED_ACCOUNT_FIELDS): what
    prefetching `channels` through PostChannel.objects.select_related("account").only(<those>)
    gives, read with one plain statement (channel_rows)."""
    from socials.models import Account

    for post in posts:
        post.channels_list = []
    if not posts:
        return []
    alias = router.db_for_read(PostChannel)
    channel_fields = [PostChannel._meta.get_field(name) for name in LISTED_CHANNEL_FIELDS]
    account_fields = [Account._meta.get_field(name) for name in LISTED_ACCOUNT_FIELDS]
    by_id = {post.pk: post for post in posts}
    channel_names = [f.attname for f in channel_fields]
    account_names = [f.attname for f in account_fields]
    n, channels = len(channel_fields), []
    for row in channel_rows(list(by_id), channel_fields + account_fields):
        channel = PostChannel.from_db(alias, channel_names, row[:n])
        channel.account = Account.from_db(alias, account_names, row[n:])
        channel.post = post = by_id[channel.post_id]
        post.channels_list.append(channel)
        channels.append(channel)
    return channels


def channel_rows(post_ids: list[int], fields: list[models.Field]) -> list[tuple]:
    """The channels of these posts (`post_ids`, not empty) in id order, each as a row of `fields`
    (PostChannel's, and its account's), converted as the ORM converts them: one plain statement
    (socialhub/plain_sql.py), for the lists' pages, where preparing the page's ids and compiling
    the statement through the ORM cost more than reading the channels."""
    from socials.models import Account

    alias = router.db_for_read(PostChannel)
    quote = connections[alias].ops.quote_name
    columns = [f"{'a' if field.model is Account else 'c'}.{quote(field.column)}" for field in fields]
    sql = (f"SELECT {', '.join(columns)} FROM {quote(PostChannel._meta.db_table)} c "
           f"INNER JOIN {quote(Account._meta.db_table)} a ON a.{quote(Account._meta.pk.column)} = c.{quote('account_id')} "
           f"WHERE c.{quote('post_id')} IN ({plain_sql.placeholders(post_ids)}) ORDER BY c.{quote('id')}")
    return plain_sql.fetch(alias, sql, post_ids, fields)


# What a list shows of a channel's account: its name as a label (Account.__str__), its platform.
LISTED_ACCOUNT_FIELDS = ("id", "provider", "server_url", "provider_account_id", "username", "name")
# What a list shows of a channel (the rows' status, the inbox's cards, GET /api/posts): how it went,
# not what was sent (the text, X's media ids) nor the sending worker's bookkeeping.
LISTED_CHANNEL_FIELDS = (
    "id", "post", "account", "state", "remote_id", "remote_url", "last_error", "error_kind", "attempts",
    "next_attempt_at", "published_at", "metrics", "metrics_updated_at",
)


def channels_with_accounts(to_attr: str | None = None) -> models.Prefetch:
    """A post's channels with their X accounts, leaving the accounts' encrypted token columns
    unread: showing a post never needs a secret (and reading one would decrypt it). A list reads
    less of them: listed_channels."""
    from socials.fields import EncryptedTextField
    from socials.models import Account

    queryset = PostChannel.objects.select_related("account").defer(
        *(f"account__{f.name}" for f in Account._meta.concrete_fields if isinstance(f, EncryptedTextField))
    )
    return models.Prefetch("channels", queryset=queryset, to_attr=to_attr)


def _count_of(model) -> models.expressions.BaseExpression:
    """How many `model` rows belong to the outer post (a subquery, run for the page's rows only).

    Written as SQL: the same subquery as an ORM Subquery(OuterRef) costs each list about 2 ms of
    CPU to build and compile (twice per page), more than reading the page does
    (docs/performance.md). The outer table is the post list's own base table, never aliased."""
    table, post = model._meta.db_table, Post._meta.db_table
    sql = f'SELECT COUNT(*) FROM "{table}" counted WHERE counted."post_id" = "{post}"."id"'
    return models.expressions.RawSQL(sql, (), output_field=models.IntegerField())


def related_list(instance: models.Model, name: str) -> list:
    """The rows of a relation as a list: the `<name>_list` PostQuerySet.for_list prefetched, else
    the related manager's (its prefetch cache, or a query)."""
    rows = instance.__dict__.get(f"{name}_list")
    return rows if rows is not None else list(getattr(instance, name).all())


class Post(models.Model):
    """A post a reseller writes for a client. Status codes are part of the public API."""

    class Status(models.IntegerChoices):
        PENDING = 0, "Pending approval"
        APPROVED = 1, "Approved"
        PROCESSING = 2, "Processing"
        PUBLISHED = 3, "Published"
        FAILED = 4, "Failed"
        REJECTED = 5, "Rejected"

    class ReviewStep(models.TextChoices):
        """Whose decision a pending post waits for (the task's approval policy decides the steps)."""

        STAFF = "staff", "Waiting for staff"
        CLIENT = "client", "Waiting for the client"

    EDITABLE = (Status.PENDING, Status.REJECTED)
    PUBLISHING = (Status.APPROVED, Status.PROCESSING)

    task = models.ForeignKey(TaskAssign, on_delete=models.CASCADE, related_name="posts")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_posts"
    )
    content = models.TextField(blank=True)
    # A list of hashtags without "#". JSONField works the same on SQLite and PostgreSQL.
    hashtags = JSONField(default=list, blank=True)
    # "Customize per network": {provider: text} replacing `content` on that platform's channels
    # (hashtags still added). Empty: every channel gets `content`.
    text_overrides = JSONField(default=dict, blank=True)
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.PENDING)
    schedule_at = ShowableDateTimeField(null=True, blank=True, help_text="Stored in UTC.")
    # Bumped by every edit. A review names the version it was shown, so nobody approves text
    # they never saw (services.review_post raises Stale otherwise).
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every edit; reviews name it.")
    feedback = models.TextField(blank=True, help_text="The last review's feedback.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_posts",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    review_step = models.CharField(max_length=8, choices=ReviewStep.choices, default=ReviewStep.CLIENT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What X lets a post be besides text and media (posts/options.py checks them); sent with part 1.
    poll_options = JSONField(default=list, blank=True, help_text="2 to 4 choices of up to 25 characters.")
    poll_duration_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="5 to 10,080 minutes.")
    reply_settings = models.CharField(max_length=16, default="everyone", choices=[
        ("everyone", "Everyone"), ("following", "Accounts you follow"), ("mentionedUsers", "Only accounts you mention"),
        ("subscribers", "Your subscribers"), ("verified", "Verified accounts")])
    quote_tweet_id = models.CharField("quoted post id", max_length=19, blank=True)
    community_id = models.CharField(max_length=19, blank=True)
    share_with_followers = models.BooleanField(default=False, help_text="A community post shown to followers too.")
    made_with_ai = models.BooleanField("made with AI", default=False)
    paid_partnership = models.BooleanField(default=False)
    # Mastodon's own: who sees the statuses (every part of a thread), sent as `visibility`.
    mastodon_visibility = models.CharField(max_length=8, default="public", choices=[
        ("public", "Public"), ("unlisted", "Quiet public (unlisted)"), ("private", "Followers only")])

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Newest first (the default ordering): the dashboard and GET /api/posts read one page
            # of it by walking this index instead of sorting every post in scope.
            models.Index(fields=["-created_at", "-id"], name="post_newest_first"),
            # A state's posts by time: the due-post dispatcher (status, schedule_at) and the
            # client's review inbox (pending, oldest schedule first) in index order.
            models.Index(fields=["status", "schedule_at", "created_at", "id"], name="post_status_schedule"),
            # Counts per task and state (dashboard tabs and task cards) from the index alone.
            models.Index(fields=["task", "status"], name="post_task_status"),
            # A state's tab on the dashboard, newest first, in index order.
            models.Index(fields=["status", "-created_at", "-id"], name="post_status_newest"),
            # The published page: newest published first, one page read in index order.
            models.Index(fields=["status", "-published_at", "-id"], name="post_status_published"),
            # Pending posts still at the staff step (two-step approval): few, so the client's
            # inbox total subtracts them without reading every pending post.
            models.Index(fields=["task"], condition=Q(status=0, review_step="staff"), name="post_pending_staff_step"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[0, 1, 2, 3, 4, 5]), name="post_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=3) | Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        text = self.content or "(no text)"
        return text if len(text) <= 60 else text[:57] + "..."

    @property
    def client(self):
        return self.task.user

    @property
    def reseller(self):
        return self.task.reseller

    @property
    def options(self):
        from .options import PostOptions

        return PostOptions.of(self)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def is_due(self, now: datetime.datetime) -> bool:
        """What post_due (PostQuerySet.due) selects, for a post already in memory."""
        return self.status in self.PUBLISHING and (self.schedule_at is None or self.schedule_at <= now)

    @property
    def full_text(self) -> str:
        from platforms.text import compose_text

        return compose_text(self.content, self.hashtags)

    @property
    def thread(self) -> list["ThreadPart"]:
        """Every part in order: part 1 is the post's own content, hashtags and media; parts 2..n
        are its PostParts. A post without PostParts is a thread of one (a single tweet)."""
        from platforms.text import compose_text

        from .options import request_body

        options = self.options
        first = ThreadPart(1, self.content, self.full_text, self.shown_media, options=request_body(options),
                           post_options=options)
        rest = [ThreadPart(p.position, p.content, compose_text(p.content, []), related_list(p, "media"), p)
                for p in self.shown_parts]
        return [first, *rest]

    def thread_for(self, provider: str) -> list["ThreadPart"]:
        """The thread as it goes to one platform: part 1's text is that platform's override, when
        the post has one (with the post's hashtags), else the same as `thread`."""
        thread = self.thread
        override = (self.text_overrides or {}).get(provider)
        if not override:
            return thread
        from platforms.text import compose_text

        first = thread[0]
        return [ThreadPart(1, override, compose_text(override, self.hashtags), first.media, options=first.options,
                           post_options=first.post_options), *thread[1:]]

    @property
    def is_thread(self) -> bool:
        return len(self.shown_parts) > 0

    # The post's channels, media (part 1's) and parts 2..n, as lists (see related_list).
    @property
    def shown_channels(self) -> list["PostChannel"]:
        return related_list(self, "channels")

    @property
    def shown_media(self) -> list["PostMedia"]:
        return related_list(self, "media")

    @property
    def shown_parts(self) -> list["PostPart"]:
        return related_list(self, "parts")

    def thread_with_channels(self) -> list["ThreadPart"]:
        """The thread, each part with how it went on each channel (`part.channels`: PartChannel
        list). Uses prefetched channels__parts when there (Post.objects.with_relations)."""
        thread = self.thread
        for channel in self.shown_channels:
            done = {record.part_id: record for record in related_list(channel, "parts")} if len(thread) > 1 else {}
            waiting = False
            before_review = channel.public_state if channel.public_state != channel.state else None
            for item in thread:
                record = None if item.part is None else done.get(item.part.pk)
                remote_id = channel.remote_id if item.part is None else getattr(record, "remote_id", "")
                remote_url = channel.remote_url if item.part is None else getattr(record, "remote_url", "")
                if before_review:
                    state = before_review
                elif remote_id:
                    state = PostChannel.State.PUBLISHED
                elif waiting:
                    state = PART_WAITING
                else:
                    state, waiting = channel.state, True  # the part the channel is at
                item.channels.append(PartChannel(channel, state, remote_id, remote_url))
        return thread


@dataclass
class ThreadPart:
    """One tweet of a post's thread, as shown and as sent (`text` is the exact text sent to X)."""

    position: int
    content: str
    text: str
    media: list
    part: "PostPart | None" = None
    channels: list["PartChannel"] = field(default_factory=list)
    # CreatePostsRequest properties sent with this part besides text, media and reply (part 1's only).
    options: dict = field(default_factory=dict)
    post_options: "object | None" = None  # part 1's PostOptions, to show them


# A post's status as the lists and the API word it (Post.get_status_display, without its per-call
# lookups: it builds a dict of the field's choices on every call).
STATUS_LABELS = {status.value: str(status.label) for status in Post.Status}

# A part's state on a channel: the channel's own states, or this one for parts after the one
# the channel is at (they go out once it is on X).
PART_WAITING = "waiting"
# What pages and the API show instead of `queued` while nothing is queued for X yet: the post
# waits for its review (status 0), or was rejected (status 5) and is never sent as it is.
AWAITING_APPROVAL = "awaiting_approval"
NOT_SENT = "not_sent"
PART_STATE_LABELS = {
    PART_WAITING: "Waiting for the part before",
    AWAITING_APPROVAL: "Waiting for approval",
    NOT_SENT: "Not sent (rejected)",
}


@dataclass
class PartChannel:
    """How one part went on one channel."""

    channel: "PostChannel"
    state: str
    remote_id: str
    remote_url: str

    @property
    def state_label(self) -> str:
        return PART_STATE_LABELS.get(self.state) or PostChannel.State(self.state).label


MAX_PARTS = 25


class PostPart(models.Model):
    """Part 2, 3, ... of a thread. Part 1 is the Post itself (content, hashtags, media), so a
    single post is simply a post without parts. Hashtags go on part 1 only."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(help_text="2 for the first reply, 3 for the next...")
    content = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = "thread part"
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="part_unique_position"),
            # No upper bound here: edits move parts through high positions (services cap a thread at MAX_PARTS).
            models.CheckConstraint(condition=Q(position__gte=2), name="part_position_from_2"),
        ]

    def __str__(self) -> str:
        return f"Part {self.position} of post {self.post_id}"


class PostChannelQuerySet(models.QuerySet):
    def due(self, now=None):
        """Channels to send now: queued on a post that is due (post_due), or resumable (a retry or
        an unknown outcome whose wait is over, a send whose worker vanished). Shaped so the post
        is joined for queued channels only (the dispatcher's poll: bench.burst)."""
        now = now or timezone.now()
        return self.filter((Q(state=PostChannel.State.QUEUED) & post_due(now, prefix="post__")) | _resumable(now))


class PostChannel(models.Model):
    """One X account a post goes to (the seed's post_channels), with its own publish state.
    posts.publishing is the only writer of its state."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        UNKNOWN = "unknown", "Outcome unknown"  # sent, no answer: reconcile before re-sending
        RETRY = "retry", "Waiting to retry"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        HELD = "held", "Held"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="channels")
    account = models.ForeignKey(
        "socials.Account", on_delete=models.PROTECT, related_name="post_channels"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    remote_id = models.CharField(max_length=64, blank=True)
    remote_url = models.URLField(blank=True)
    sent_text = models.TextField(blank=True, help_text="The exact text sent to X.")
    media_ids = JSONField(default=list, blank=True, help_text="X media ids uploaded.")
    last_error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The sending worker's lease: set at the claim, renewed while it works; also its token.
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Start of the retry deadline.")
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to a worker.")
    media_expires_at = models.DateTimeField(null=True, blank=True, help_text="When X forgets media_ids.")
    published_at = models.DateTimeField(null=True, blank=True)
    metrics = JSONField(default=dict, blank=True)
    metrics_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostChannelQuerySet.as_manager()

    @property
    def public_state(self) -> str:
        """`state` as pages and the API show it: `awaiting_approval` or `not_sent` instead of
        `queued` while the post is pending or rejected."""
        if self.state == self.State.QUEUED:
            if self.post.status == Post.Status.PENDING:
                return AWAITING_APPROVAL
            if self.post.status == Post.Status.REJECTED:
                return NOT_SENT
        return self.state

    @property
    def public_state_label(self) -> str:
        return PART_STATE_LABELS.get(self.public_state) or self.get_state_display()

    class Meta:
        ordering = ["pk"]
        verbose_name = "channel"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="channel_state_next_attempt")]
        constraints = [
            models.UniqueConstraint(fields=["post", "account"], name="channel_unique_per_post"),
            models.CheckConstraint(
                condition=~Q(state="published") | ~Q(remote_id=""),
                name="channel_published_has_remote_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} -> {self.account}"


class ChannelPart(models.Model):
    """What one channel sent for part 2, 3, ... of a thread (part 1's is on the PostChannel itself).

    The channel stays the unit of claiming and keeps the thread's state: parts go out in order,
    each part's remote id is written as soon as X answers, before the next part is sent. So the
    only part whose outcome can be unknown is the first one without a remote id.
    """

    channel = models.ForeignKey(PostChannel, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(PostPart, on_delete=models.CASCADE, related_name="channel_parts")
    remote_id = models.CharField(max_length=64, blank=True)
    remote_url = models.URLField(blank=True)
    in_reply_to = models.CharField(max_length=64, blank=True, help_text="The tweet this part replies to.")
    sent_text = models.TextField(blank=True, help_text="The exact text sent to X.")
    media_ids = JSONField(default=list, blank=True, help_text="X media ids uploaded.")
    media_expires_at = models.DateTimeField(null=True, blank=True, help_text="When X forgets media_ids.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["part__position", "pk"]
        verbose_name = "channel part"
        constraints = [models.UniqueConstraint(fields=["channel", "part"], name="channel_part_unique")]

    def __str__(self) -> str:
        return f"{self.channel} part {self.part.position}"


def post_media_path(instance: "PostMedia", filename: str) -> str:
    from .media import stored_name

    return stored_name("posts", instance.mime_type)  # never the uploaded name


class _ServedFieldFile(models.fields.files.FieldFile):
    @property
    def url(self) -> str:
        return self.instance.url


class MediaFileField(models.FileField):
    """A FileField whose `.url` is the permission-checked view's (MediaFile.url), never the
    storage's own address, so no page, admin form or API answer links a file around the check."""

    attr_class = _ServedFieldFile

    def deconstruct(self):
        # Stored exactly like a FileField: migrations see no difference.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs


class MediaFile(models.Model):
    """An image, GIF or video kept through Django's storage API, checked by posts.media.check_media.
    Subclasses add the `file` field (with their own upload path) and what the media belong to."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        GIF = "gif", "GIF"
        VIDEO = "video", "Video"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    mime_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    alt_text = models.CharField(max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    # Which kind of owner the file belongs to, in its URL (/media/<url_owner>/<pk>).
    url_owner = ""

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order + 1}"

    @property
    def url(self) -> str:
        """Where pages and the API link the file: served by posts/media_views.py to those who
        may see what it belongs to."""
        from .media import media_url

        return media_url(self.url_owner, self.pk)


class PostMedia(MediaFile):
    """An image, GIF or video attached to a post (or to one part of a thread)."""

    # Part 1's media belong to the post; a later part's to that part (and then `post` is empty),
    # so `post.media` stays the first tweet's attachments, as it was before threads.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media", null=True, blank=True)
    part = models.ForeignKey(PostPart, on_delete=models.CASCADE, related_name="media", null=True, blank=True)
    file = MediaFileField(upload_to=post_media_path)

    url_owner = "post"

    class Meta(MediaFile.Meta):
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, part__isnull=True) | Q(post__isnull=True, part__isnull=False),
                name="media_of_post_or_part",
            ),
        ]


class Dispatcher(models.Model):
    """When a due-post dispatcher (`manage.py dispatch`) last polled; any of them beats the one
    row. /healthz/publishing reports it and answers 503 when it is too old."""

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: last beat {self.beat_at:%H:%M:%S}"


class ReviewEvent(models.Model):
    """The review history: who approved or rejected what, when, with which feedback."""

    class Action(models.IntegerChoices):
        APPROVE = 1, "Approved"
        REJECT = 2, "Rejected"

    class Step(models.TextChoices):
        CLIENT = "client", "Client"
        STAFF = "staff", "Staff (first of two steps)"
        AUTO = "auto", "Automatic"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reviews")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_events"
    )
    action = models.PositiveSmallIntegerField(choices=Action.choices)
    # Which step this decided: the client's (the final one, whoever took it), staff's first of two, or automatic.
    step = models.CharField(max_length=8, choices=Step.choices, default=Step.CLIENT)
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The post's version reviewed.")
    feedback = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"


class PostCount(models.Model):
    """How many posts a task has in one state: the dashboard's tabs and task cards, the inbox's
    total. Written only by database triggers on posts_post (posts/counters.py), so no writer can
    miss it; `manage.py recount_posts` rebuilds it."""

    task = models.ForeignKey(TaskAssign, on_delete=models.CASCADE, related_name="post_counts")
    status = models.PositiveSmallIntegerField(choices=Post.Status.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "status"], name="post_count_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.status}: {self.n}"
