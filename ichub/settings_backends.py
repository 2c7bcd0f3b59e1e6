"""Which database, caches and task queue a process uses, built from the environment.

ichub/settings.py is the one settings surface: it calls these and binds every
setting name itself; this module only keeps the larger backend blocks out of
it (README "Settings" and "Deploying" describe the variables).
"""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ichub.env import env_int

POSTGRES_ENGINE = "django.db.backends.postgresql"


def database(url: str) -> dict:
    """DATABASES["default"] for DATABASE_URL (sqlite:// or postgres://)."""
    if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a sqlite:// or postgres:// URL, got {url!r}"
        )
    # Health checks: a persistent connection that sat idle through a database outage is
    # tested before a request reuses it, so the first request after recovery is not a 503.
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
                                   conn_health_checks=True)
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == POSTGRES_ENGINE:
        # Parallel query starts worker processes for any scan big enough to qualify, which
        # costs more than it saves on ichub's short reads (a page, a count capped at 1,001)
        # and takes cores from concurrent requests: on 2 cores it doubled a search's p95
        # (BENCHMARKS.md, scenario 3). Raise it on a large server that runs long reports.
        #
        # Fail fast when the database is slow (README "Settings"): a request that cannot
        # connect, or whose statement or lock wait runs too long, gets 503 + Retry-After
        # (ichub.health) instead of holding a server thread until the proxy gives up.
        # manage.py sets both waits to 0 (none) for commands: migrate, imports and the
        # task worker run as long as their work needs.
        #
        # JIT compilation off: PostgreSQL compiles a statement whose estimated cost passes
        # jit_above_cost, and the theory ETag's query (visible-evidence subqueries) is
        # estimated high while running in a millisecond: compiling it cost ~650 ms on
        # every theory read and 304 at benchmark scale 10 (BENCHMARKS.md, scenarios 1, 5).
        statement_timeout = env_int("DB_STATEMENT_TIMEOUT", 30)
        lock_timeout = env_int("DB_LOCK_TIMEOUT", 10)
        options.update(
            connect_timeout=env_int("DB_CONNECT_TIMEOUT", 5),
            options=(
                f"-c max_parallel_workers_per_gather={env_int('DB_MAX_PARALLEL_WORKERS', 0)}"
                f" -c statement_timeout={statement_timeout * 1000}"
                f" -c lock_timeout={lock_timeout * 1000}"
                " -c jit=off"
            ),
        )
    else:
        # Write-ahead logging lets pages read while a write commits, and in WAL mode
        # synchronous=NORMAL syncs at checkpoints instead of on every commit (a crash
        # can lose the last commits but never corrupts the file). Every API request
        # writes its throttle count, so this is most of a small request's cost.
        options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    return config


def caches(redis_url: str) -> dict:
    """CACHES: Redis with REDIS_URL, else tables in the database (`migrate` makes them)."""
    if redis_url:
        # Django's own Redis backend; Redis expires and evicts entries itself. A Redis
        # that does not answer within REDIS_TIMEOUT seconds fails the request with 503.
        options = {
            "socket_connect_timeout": env_int("REDIS_TIMEOUT", 2),
            "socket_timeout": env_int("REDIS_TIMEOUT", 2),
        }
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "ichub",
                "OPTIONS": options,
            },
            "representations": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "ichub-representation",
                "TIMEOUT": 24 * 3600,
                "OPTIONS": options,
            },
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ichub_cache",
        },
        # Rendered theory details keyed by their content ETag (programme_theories.api):
        # a body is reused only while the aggregate behind the ETag is unchanged.
        "representations": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ichub_representation_cache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
    }


# ICHUB_TASK_BACKEND -> the django-tasks backend class.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    # Runs the task inside enqueue(): tests whose point is not the queue.
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def task_backend(name: str, *, redis_url: str) -> str:
    """The backend class for ICHUB_TASK_BACKEND, refusing what cannot work."""
    if name not in TASK_BACKENDS:
        raise ImproperlyConfigured(
            f"ICHUB_TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}, got {name!r}"
        )
    if name == "rq" and not redis_url:
        raise ImproperlyConfigured("ICHUB_TASK_BACKEND=rq needs REDIS_URL")
    return TASK_BACKENDS[name]
