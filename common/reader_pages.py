"""Pages kept whole for the person who reads them, in the cache every process shares.

A learner's portfolio home, an assessor's caseload and a moderator's sample are read far
more often than what they show changes, and rendering one costs tens of milliseconds of
queries and templates. So the page a person is given is kept, filed under who they are,
where they are (centre, address with its query string, host, language, today's date), the
database and the release (``common.release``), and given again until something it may
show changes.
Each view still checks, on every request, that the person may read the page: only the
rendering is kept (``render_for_reader``).

What counts as a change is every write to the database, seen where it is sent
(``watch_writes``, on every connection of every process: web, worker and commands), not
where some service remembers to say so: a bulk ``update``, a data migration or a new
service cannot forget. Each centre has a *generation*, a token in the cache; a write to a
centre's own data (a model with a centre-scoped manager, ``common.scoping``) made inside
that centre's scope gives it a new one; any other write (a unit published, a person's
name, a permission granted, anything written outside one centre's scope) gives every
centre one at once, through the generation ``ALL``. A kept page names both generations it
was rendered under and is given only while both are current. Tokens change once the
write's transaction has committed, and a page reads them before its data: a page
rendered from data older than a change may be filed under the generation before it,
where nobody looks any more.

Some tables are written as people merely read (``UNWATCHED``: sessions, the audit trail's
"viewed" records, two-factor devices, the task queue, workers' heartbeats, the time of
someone's last sign-in). Writing them changes no generation; in return no kept page may
read them, and a page that does is rendered but not kept, with a warning.

Only with a cache every process shares (CACHE_URL, WAYMARK_READER_PAGES): with each
process's own memory, a change made in one process could not reach the pages another
keeps. Never kept: a page with a message to show once, an answer other than 200 or one
that sets a cookie. The form token of the person's session is not kept: the page is
kept with a placeholder in its place, given a fresh one each time. With the cache
unreachable the page is rendered as without it; a change that cannot start new
generations is logged, and pages kept before it expire within PAGE_TIMEOUT. A change
made to the database by hand, behind Waymark's back, is shown once kept pages expire.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache as once

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from common.release import release_fingerprint
from common.scoping import active_centre_id, is_centre_scoped

logger = logging.getLogger(__name__)

ALL = "all"
PAGE_TIMEOUT = 10 * 60
KEPT_HEADERS = ("Content-Type", "Content-Language")
# Written as people read pages, shown on none that is kept.
UNWATCHED = (
    "sessions.Session",
    "audit.AuditRecord",
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
    "otp_static.StaticToken",
    "django_tasks_db.DBTaskResult",
    "operations.WorkerHeartbeat",
)
WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)', re.IGNORECASE
)
# Django's record of a sign-in (``update_last_login``), which alone changes nothing shown.
LAST_SIGN_IN = re.compile(r'\s*UPDATE\s+"\w+"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE', re.IGNORECASE)

# The tables read while a page for keeping is rendered; None while none is.
_reads: ContextVar[set | None] = ContextVar("reader_page_reads", default=None)


def generation_key(centre_id) -> str:
    return f"reader-pages:generation:{_database()}:{centre_id}"


@once
def _database() -> str:
    """The database the pages are read from: one restored into a new database (README,
    "Restore") shares no kept page or generation with the one before."""
    database = settings.DATABASES["default"]
    where = f"{database.get('HOST', '')}:{database.get('PORT', '')}/{database['NAME']}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


@once
def _tables() -> tuple[frozenset[str], frozenset[str]]:
    """The centre-owned tables, and the unwatched ones."""
    centre_owned = {
        model._meta.db_table
        for model in apps.get_models()
        if any(is_centre_scoped(manager) for manager in model._meta.managers)
    }
    unwatched = {_table_of(label) for label in UNWATCHED} - {None}
    return frozenset(centre_owned), frozenset(unwatched)


def _table_of(label: str) -> str | None:
    try:
        return apps.get_model(label)._meta.db_table
    except LookupError:  # an app this installation leaves out
        return None


@once
def csrf_placeholder() -> str:
    """What a kept page holds where its form token goes: secret to the people reading it,
    so that nothing they write can be taken for it, the same in every process."""
    return salted_hmac("common.reader_pages.csrf_placeholder", "placeholder", algorithm="sha256").hexdigest()


def csrf_context(request) -> dict:
    """Context processor: the placeholder for ``{% csrf_token %}`` while a page is
    rendered to be kept; Django's own lazy token otherwise (set before this one)."""
    return {"csrf_token": csrf_placeholder()} if _reads.get() is not None else {}


# The writes that change generations.


def watch_writes(execute, sql, params, many, context):
    """Every connection's execute wrapper: a write, once it has succeeded, gives the
    generations it concerns new tokens when its transaction commits."""
    result = execute(sql, params, many, context)
    written = WRITE.match(sql)
    if written is not None:
        if settings.WAYMARK_READER_PAGES:
            _written(context["connection"], written[1], sql)
    elif (reads := _reads.get()) is not None:
        reads.add(sql)
    return result


def _written(connection, table: str, sql: str) -> None:
    centre_owned, unwatched = _tables()
    if table in unwatched or LAST_SIGN_IN.match(sql):
        return
    centre_id = active_centre_id() if table in centre_owned else None
    key = generation_key(centre_id if centre_id is not None else ALL)
    if not connection.in_atomic_block:
        _new_generation(key)
        return
    # One new token a generation per transaction, however many rows it writes.
    pending = (callback for _, callback, _ in connection.run_on_commit)
    if not any(getattr(callback, "generation_key", None) == key for callback in pending):
        transaction.on_commit(_NewGeneration(key), using=connection.alias, robust=True)


class _NewGeneration:
    def __init__(self, key: str):
        self.generation_key = key

    def __call__(self) -> None:
        _new_generation(self.generation_key)


def _new_generation(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, None)
    except Exception:
        # The change is saved; pages kept before it are given until they expire.
        logger.exception("Kept pages could not be started afresh; they expire within %d s.", PAGE_TIMEOUT)


def _watch(sender, connection, **kwargs) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def start_watching() -> None:
    """Called once a process is ready (``common.apps``): every connection it opens, then
    and later, is watched."""
    connection_created.connect(_watch, dispatch_uid="common.reader_pages.watch")


# Pages kept and given.


def render_for_reader(request, template_name: str, context: Callable[[], dict]) -> HttpResponse:
    """``render(request, template_name, context())``, or the page rendered so before for
    this person at this address if nothing it may show has changed since. The caller has
    already checked that they may read it."""
    if not _may_keep(request):
        return render(request, template_name, context())
    key = _page_key(request, template_name)
    generation_keys = [generation_key(request.centre.pk), generation_key(ALL)]
    try:
        found = cache.get_many([key, *generation_keys])
        generations = tuple(found.get(name) or _started(name) for name in generation_keys)
    except Exception:
        logger.exception("The cache of kept pages is unreachable; the page is rendered.")
        return render(request, template_name, context())
    kept = found.get(key)
    if kept is not None and kept[0] == generations:
        _, content, headers = kept
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return _with_form_token(request, response)
    reads = set()
    reading = _reads.set(reads)
    try:
        response = render(request, template_name, context())
    finally:
        _reads.reset(reading)
    _keep(key, generations, response, reads=reads, template_name=template_name)
    return _with_form_token(request, response)


def _may_keep(request) -> bool:
    return (
        settings.WAYMARK_READER_PAGES
        and request.method in ("GET", "HEAD")
        and getattr(request, "centre", None) is not None
        and request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def _page_key(request, template_name: str) -> str:
    reader = "\n".join(
        str(part)
        for part in (
            template_name,
            request.get_host(),
            request.get_full_path(),
            request.user.pk,
            request.centre.pk,
            translation.get_language(),
            timezone.localdate().isoformat(),
        )
    )
    digest = hashlib.sha256(reader.encode()).hexdigest()
    return f"reader-pages:page:{_database()}:{release_fingerprint()}:{digest}"


def _started(key: str) -> str:
    """The generation's token, started if there is none yet (or the cache was emptied); of
    two processes starting one at the same moment, both use the one stored first."""
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def _keep(key: str, generations: tuple, response, *, reads: set, template_name: str) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Set-Cookie")
    ):
        return
    _, unwatched = _tables()
    read = {table for table in unwatched for sql in reads if f'"{table}"' in sql}
    if read:
        logger.warning(
            "%s reads %s, which is written without changing kept pages' generations; it is not kept.",
            template_name,
            ", ".join(sorted(read)),
        )
        return
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    try:
        cache.set(key, (generations, response.content, headers), PAGE_TIMEOUT)
    except Exception:
        logger.exception("A page could not be kept.")


def _with_form_token(request, response: HttpResponse) -> HttpResponse:
    placeholder = csrf_placeholder().encode()
    if placeholder in response.content:
        # A token of its own, as Django gives each page (and the cookie, if it is new).
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response
