"""Pages kept whole for the person who reads them, in the cache every process shares.

A learner's portfolio home, an assessor's caseload and a moderator's sample are read far
more often than what they show changes, and rendering one costs tens of milliseconds of
queries and templates. So the page a person is given is kept, filed under who they are,
where they are (centre, address and the query parameters the page knows, host, language,
today's date), the installation (its database, signed with its SECRET_KEY) and the
release (``common.release``), and given again until something it may show changes. Each
view still checks, on every request, what can change without a write (a moderator's
access ends with time); only the rendering is kept (``render_for_reader``).

What counts as a change is every write to the database, seen where it is sent
(``watch_writes``, on every connection of every process: web, worker and commands), not
where some service remembers to say so: a bulk ``update``, a data migration or a new
service cannot forget. Each centre has a *generation*, a token in the cache; a write to a
centre's own data (a model with a centre-scoped manager, ``common.scoping``, or a
many-to-many table of one) made inside that centre's scope gives it a new one; any other
write (a unit published, a person's name, a permission granted, anything written outside
one centre's scope, any statement not recognised) gives every centre one at once,
through the generation ``ALL``. A statement that changed no row changes nothing. A kept
page names both generations it was rendered under and is given only while both are
current. Tokens change once the write's transaction has committed, and a page reads them
before its data: a page rendered from data older than a change may be filed under the
generation before it, where nobody looks any more.

Some tables are written as people merely read or sign in (sessions, the audit trail's
"viewed" records, two-factor devices, sign-in failures, the task queue, workers'
heartbeats), each named by the app that owns it (``written_as_people_read``), and so is
the time of someone's last sign-in. Writing them changes no generation; in return no kept
page may read them, and a page that does is rendered but not kept, with a warning.

Only with a cache every process shares (CACHE_URL, WAYMARK_READER_PAGES): with each
process's own memory, a change made in one process could not reach the pages another
keeps; a ``manage.py`` command must run with the same settings (``deploy/waymark-manage``).
Never kept: a page with a message to show once, an address with a query parameter the
page does not know, an answer other than 200 or one that sets a cookie. The form token
is never kept: a page is kept with a placeholder of its own in its place, given the
session's token each time. With the cache unreachable the page is rendered as without
it; a change that cannot start new generations is logged, and pages kept before it
expire within PAGE_TIMEOUT. A change made to the database behind Waymark's back is
shown once kept pages expire.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache as once

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
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
# Statements that change no row: everything else is a write.
READ = re.compile(
    r"\s*(?:SELECT|VALUES|EXPLAIN|SHOW|SET|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|END|"
    r"DECLARE|FETCH|CLOSE|LOCK|ANALYZE|VACUUM)\b",
    re.IGNORECASE,
)
# A write, and the table it writes, as Django sends them to PostgreSQL and to SQLite
# (``INSERT OR IGNORE`` there for ``ignore_conflicts``); any other write concerns every centre.
WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|"
    r'TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?',
    re.IGNORECASE,
)
# Django's record of a sign-in (``update_last_login``): that column alone.
LAST_SIGN_IN = re.compile(r'\s*UPDATE\s+"\w+"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\s', re.IGNORECASE)

_written_as_people_read: set[str] = set()


def written_as_people_read(*labels: str) -> None:
    """Called by the app that owns them, once ready: models written as people read pages
    or sign in, which no kept page shows (see the module)."""
    _written_as_people_read.update(labels)


@dataclass
class _Rendering:
    """A page being rendered to be kept: the placeholder its form token is given, and the
    statements it reads."""

    placeholder: str = field(default_factory=lambda: uuid.uuid4().hex)
    reads: list[str] = field(default_factory=list)


_rendering: ContextVar[_Rendering | None] = ContextVar("reader_page_rendering", default=None)


def generation_key(centre_id) -> str:
    """The cache key of a centre's generation (its key), or of every centre's (``ALL``)."""
    return f"reader-pages:generation:{_installation()}:{centre_id}"


@once
def _installation() -> str:
    """This installation: its database, signed with its SECRET_KEY. Two installations
    sharing one Redis share no page or generation, nor does one restored into a new
    database with the one before."""
    database = settings.DATABASES["default"]
    where = f"{database.get('HOST', '')}:{database.get('PORT', '')}/{database['NAME']}"
    return salted_hmac("common.reader_pages.installation", where, algorithm="sha256").hexdigest()[:16]


@once
def _tables() -> tuple[frozenset[str], frozenset[str]]:
    """The centre-owned tables (with the many-to-many tables of centre-owned models), and
    those written as people read."""
    owned_models = {
        model
        for model in apps.get_models()
        if any(is_centre_scoped(manager) for manager in model._meta.managers)
    }
    centre_owned = {model._meta.db_table for model in owned_models}
    centre_owned |= {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.auto_created
        and any(getattr(f, "related_model", None) in owned_models for f in model._meta.fields)
    }
    unwatched = {_table_of(label) for label in _written_as_people_read} - {None}
    return frozenset(centre_owned), frozenset(unwatched)


def _table_of(label: str) -> str | None:
    try:
        return apps.get_model(label)._meta.db_table
    except LookupError:  # an app this installation leaves out
        return None


def csrf_context(request) -> dict:
    """Context processor: the placeholder for ``{% csrf_token %}`` while a page is
    rendered to be kept; Django's own lazy token otherwise (set before this one)."""
    rendering = _rendering.get()
    return {"csrf_token": rendering.placeholder} if rendering is not None else {}


# The writes that change generations.


def watch_writes(execute, sql, params, many, context):
    """Every connection's execute wrapper: a write, once it has succeeded, gives the
    generations it concerns new tokens when its transaction commits."""
    result = execute(sql, params, many, context)
    if READ.match(sql):
        if (rendering := _rendering.get()) is not None:
            rendering.reads.append(sql)
    elif settings.WAYMARK_READER_PAGES and context["cursor"].rowcount != 0:
        key = changed_generation(sql)
        if key is not None:
            _changed(context["connection"], key)
    return result


def changed_generation(sql: str) -> str | None:
    """The key of the generation that the write ``sql`` changes, if any."""
    centre_owned, unwatched = _tables()
    written = WRITE.match(sql)
    table = written[1] if written else None
    if table in unwatched or (table == get_user_model()._meta.db_table and LAST_SIGN_IN.match(sql)):
        return None
    # A table emptied is every centre's rows gone, whatever the scope.
    emptied = sql.lstrip()[:8].upper() == "TRUNCATE"
    centre_id = active_centre_id() if table in centre_owned and not emptied else None
    return generation_key(centre_id if centre_id is not None else ALL)


def _changed(connection, key: str) -> None:
    if not connection.in_atomic_block:
        _new_generation(key)
        return
    # One new token a generation per transaction, however many rows it writes; Django
    # forgets a callback with the savepoint it was registered in, if that rolls back.
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


def render_for_reader(
    request, template_name: str, context: Callable[[], dict], *, query: Iterable[str] = ()
) -> HttpResponse:
    """``render(request, template_name, context())``, or the page rendered so before for
    this person at this address if nothing it may show has changed since. The caller has
    already checked what can change without a write. ``query``: the query parameters the
    page reads (an address with any other is rendered, not kept)."""
    if not _may_keep(request, query):
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
        _, placeholder, content, headers = kept
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return _with_form_token(request, response, placeholder)
    rendering = _Rendering()
    token = _rendering.set(rendering)
    try:
        response = render(request, template_name, context())
    finally:
        _rendering.reset(token)
    _keep(key, generations, response, rendering=rendering, template_name=template_name)
    return _with_form_token(request, response, rendering.placeholder)


def _may_keep(request, query: Iterable[str]) -> bool:
    return (
        settings.WAYMARK_READER_PAGES
        and request.method in ("GET", "HEAD")
        and getattr(request, "centre", None) is not None
        and request.user.is_authenticated
        and set(request.GET) <= set(query)
        and not len(messages.get_messages(request))
    )


def _page_key(request, template_name: str) -> str:
    reader = "\n".join(
        str(part)
        for part in (
            template_name,
            request.get_host(),
            request.path,
            sorted(request.GET.lists()),
            request.user.pk,
            request.centre.pk,
            translation.get_language(),
            timezone.localdate().isoformat(),
        )
    )
    digest = hashlib.sha256(reader.encode()).hexdigest()
    return f"reader-pages:page:{_installation()}:{release_fingerprint()}:{digest}"


def _started(key: str) -> str:
    """The generation's token, started if there is none yet (or the cache was emptied); of
    two processes starting one at the same moment, both use the one stored first."""
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def _keep(key: str, generations: tuple, response, *, rendering: _Rendering, template_name: str) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Set-Cookie")
    ):
        return
    _, unwatched = _tables()
    read = {table for table in unwatched for sql in rendering.reads if f'"{table}"' in sql}
    if read:
        logger.warning(
            "%s reads %s, which is written without changing kept pages' generations; it is not kept.",
            template_name,
            ", ".join(sorted(read)),
        )
        return
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    try:
        cache.set(key, (generations, rendering.placeholder, response.content, headers), PAGE_TIMEOUT)
    except Exception:
        logger.exception("A page could not be kept.")


def _with_form_token(request, response: HttpResponse, placeholder: str) -> HttpResponse:
    if placeholder.encode() in response.content:
        # The session's own token, freshly masked as Django gives each page (and the
        # cookie, if it is new).
        response.content = response.content.replace(placeholder.encode(), get_token(request).encode())
    return response
