"""What an app's dependencies need from the system and from other services.

Two tables, keyed by the dependency names of each ecosystem: the system
packages (Debian names) a library needs to build and to run, and the backing
service a client library talks to. Environment variable names found in the
code or an ``.env.example`` name services too (``DATABASE_URL`` with a
``postgres`` scheme, ``REDIS_URL``...).
"""

from __future__ import annotations

import re

SYSTEM_PACKAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "python": {
        "psycopg2": ("libpq-dev", "libpq5"),
        "psycopg": ("libpq-dev", "libpq5"),
        "mysqlclient": ("default-libmysqlclient-dev", "pkg-config"),
        "python-ldap": ("libldap2-dev", "libsasl2-dev"),
        "pycairo": ("libcairo2-dev", "libcairo2"),
        "cairosvg": ("libcairo2-dev", "libcairo2"),
        "pdf2image": ("poppler-utils",),
        "pydub": ("ffmpeg",),
        "moviepy": ("ffmpeg",),
        "ffmpeg-python": ("ffmpeg",),
        "pygraphviz": ("graphviz", "libgraphviz-dev"),
        "weasyprint": ("libpango-1.0-0", "libpangoft2-1.0-0"),
    },
    "node": {
        "pg-native": ("libpq-dev",),
        "fluent-ffmpeg": ("ffmpeg",),
    },
    "ruby": {
        "pg": ("libpq-dev",),
        "mysql2": ("default-libmysqlclient-dev",),
        "sqlite3": ("libsqlite3-dev",),
        "rmagick": ("libmagickwand-dev",),
    },
    "rust": {
        "openssl": ("libssl-dev", "pkg-config"),
        "openssl-sys": ("libssl-dev", "pkg-config"),
    },
}
"""Only libraries that do not ship prebuilt wheels or binaries for Linux need an entry."""

SERVICES: dict[str, str] = {
    # postgres
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "psycopg2-binary": "postgres",
    "asyncpg": "postgres",
    "pg": "postgres",
    "pg-promise": "postgres",
    "postgres": "postgres",
    "@neondatabase/serverless": "postgres",
    "github.com/lib/pq": "postgres",
    "github.com/jackc/pgx/v5": "postgres",
    "github.com/jackc/pgx/v4": "postgres",
    "gorm.io/driver/postgres": "postgres",
    "org.postgresql:postgresql": "postgres",
    "postgrex": "postgres",
    "tokio-postgres": "postgres",
    "sqlx-postgres": "postgres",
    # mysql
    "mysqlclient": "mysql",
    "pymysql": "mysql",
    "aiomysql": "mysql",
    "mysql-connector-python": "mysql",
    "mysql": "mysql",
    "mysql2": "mysql",
    "github.com/go-sql-driver/mysql": "mysql",
    "gorm.io/driver/mysql": "mysql",
    "com.mysql:mysql-connector-j": "mysql",
    "myxql": "mysql",
    # redis
    "redis": "redis",
    "ioredis": "redis",
    "django-redis": "redis",
    "aioredis": "redis",
    "rq": "redis",
    "github.com/redis/go-redis/v9": "redis",
    "github.com/go-redis/redis/v8": "redis",
    "redix": "redis",
    "bull": "redis",
    "predis/predis": "redis",
    "php-amqplib/php-amqplib": "rabbitmq",
    "bullmq": "redis",
    "sidekiq": "redis",
    # mongodb
    "pymongo": "mongodb",
    "motor": "mongodb",
    "mongoengine": "mongodb",
    "mongoose": "mongodb",
    "mongodb": "mongodb",
    "go.mongodb.org/mongo-driver": "mongodb",
    "mongo": "mongodb",
    "mongoid": "mongodb",
    # rabbitmq
    "pika": "rabbitmq",
    "aio-pika": "rabbitmq",
    "amqplib": "rabbitmq",
    "amqp": "rabbitmq",
    "bunny": "rabbitmq",
    "github.com/rabbitmq/amqp091-go": "rabbitmq",
    "github.com/streadway/amqp": "rabbitmq",
    "lapin": "rabbitmq",
    # kafka
    "kafka-python": "kafka",
    "confluent-kafka": "kafka",
    "aiokafka": "kafka",
    "kafkajs": "kafka",
    "github.com/segmentio/kafka-go": "kafka",
    "github.com/IBM/sarama": "kafka",
    "github.com/Shopify/sarama": "kafka",
    "rdkafka": "kafka",
    "ruby-kafka": "kafka",
    # others
    "elasticsearch": "elasticsearch",
    "@elastic/elasticsearch": "elasticsearch",
    "pymemcache": "memcached",
    "memjs": "memcached",
}

_ENV = re.compile(
    r"\b([A-Z0-9_]*?(?:DATABASE|POSTGRES|PG|MYSQL|REDIS|MONGO(?:DB)?|AMQP|RABBITMQ|KAFKA)[A-Z0-9_]*)\b"
)
_SCHEMES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "redis": "redis",
    "rediss": "redis",
    "mongodb": "mongodb",
    "mongodb+srv": "mongodb",
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
}
_URL = re.compile(r"\b(postgres(?:ql)?|mysql|rediss?|mongodb(?:\+srv)?|amqps?)://")
_NAME_SERVICES = (
    ("POSTGRES", "postgres"),
    ("PG", "postgres"),
    ("MYSQL", "mysql"),
    ("REDIS", "redis"),
    ("MONGO", "mongodb"),
    ("AMQP", "rabbitmq"),
    ("RABBITMQ", "rabbitmq"),
    ("KAFKA", "kafka"),
)


_TOKENS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "redis": "redis",
    "mongodb": "mongodb",
    "mongo": "mongodb",
    "kafka": "kafka",
    "rabbitmq": "rabbitmq",
    "amqp": "rabbitmq",
    "elasticsearch": "elasticsearch",
    "memcached": "memcached",
}
_SPLIT = re.compile(r"[-_.:/@]+")
_TESTING = frozenset({"pytest", "mock", "test", "testing", "testcontainers", "fake", "stub", "types"})


def service_of(name: str) -> str | None:
    """The service a client library talks to: the table's, else a word of its name (``mysql-connector``)."""
    if name in SERVICES:
        return SERVICES[name]
    words = [w for w in _SPLIT.split(name.lower()) if w]
    if _TESTING & set(words):
        return None  # a test double of the service, not a use of it
    return next((_TOKENS[w] for w in words if w in _TOKENS), None)


def normalise(name: str) -> str:
    """A dependency name as the tables key it: lower case, ``_`` as ``-``, extras and versions gone."""
    return re.split(r"[\[<>=!~;\s@]", name.strip(), maxsplit=1)[0].lower().replace("_", "-") if name else ""


def services_in_text(text: str) -> set[str]:
    """Services that URLs (``postgres://``) and variable names (``REDIS_URL``) in a text point to."""
    found = {_SCHEMES[m.group(1)] for m in _URL.finditer(text)}
    for name in _ENV.findall(text):
        for part, service in _NAME_SERVICES:
            if part in name.split("_") or name.startswith(part):
                found.add(service)
    return found
