"""``iac generate compose``: the apps of a repository and the backing services their code uses.

Each service is an image pinned to a version tag, with a healthcheck the apps
wait on (``depends_on: condition: service_healthy``), a named volume for its
data, and its credentials as ``${VARIABLES}`` read from ``.env``; the
``.env.example`` written beside it lists them with placeholders, never a value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from devcopilot.jobs.iac.detect.model import App
from devcopilot.jobs.iac.templates import FileTemplates, RenderedFile


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    test: str
    volume: str | None
    environment: tuple[tuple[str, str], ...] = ()
    client: tuple[tuple[str, str], ...] = ()
    """What an app that uses it is given: the variables its code reads."""
    secrets: tuple[str, ...] = ()


SERVICES = {
    "postgres": Service(
        "postgres",
        "postgres:17-alpine",
        '["CMD-SHELL", "pg_isready -U $${POSTGRES_USER} -d $${POSTGRES_DB}"]',
        "/var/lib/postgresql/data",
        (
            ("POSTGRES_USER", "${POSTGRES_USER:-app}"),
            ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:?set it in .env}"),
            ("POSTGRES_DB", "${POSTGRES_DB:-app}"),
        ),
        (
            (
                "DATABASE_URL",
                "postgres://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB:-app}",
            ),
        ),
        ("POSTGRES_PASSWORD",),
    ),
    "mysql": Service(
        "mysql",
        "mysql:8.4",
        '["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 -u root -p$${MYSQL_ROOT_PASSWORD}"]',
        "/var/lib/mysql",
        (
            ("MYSQL_ROOT_PASSWORD", "${MYSQL_ROOT_PASSWORD:?set it in .env}"),
            ("MYSQL_DATABASE", "${MYSQL_DATABASE:-app}"),
            ("MYSQL_USER", "${MYSQL_USER:-app}"),
            ("MYSQL_PASSWORD", "${MYSQL_PASSWORD:?set it in .env}"),
        ),
        (("DATABASE_URL", "mysql://${MYSQL_USER:-app}:${MYSQL_PASSWORD}@mysql:3306/${MYSQL_DATABASE:-app}"),),
        ("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD"),
    ),
    "redis": Service(
        "redis",
        "redis:7.4-alpine",
        '["CMD", "redis-cli", "ping"]',
        "/data",
        (),
        (("REDIS_URL", "redis://redis:6379/0"),),
    ),
    "mongodb": Service(
        "mongodb",
        "mongo:8.0",
        '["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\').ok"]',
        "/data/db",
        (
            ("MONGO_INITDB_ROOT_USERNAME", "${MONGO_USER:-app}"),
            ("MONGO_INITDB_ROOT_PASSWORD", "${MONGO_PASSWORD:?set it in .env}"),
        ),
        (("MONGODB_URI", "mongodb://${MONGO_USER:-app}:${MONGO_PASSWORD}@mongodb:27017"),),
        ("MONGO_PASSWORD",),
    ),
    "rabbitmq": Service(
        "rabbitmq",
        "rabbitmq:4.0-management-alpine",
        '["CMD", "rabbitmq-diagnostics", "-q", "ping"]',
        "/var/lib/rabbitmq",
        (
            ("RABBITMQ_DEFAULT_USER", "${RABBITMQ_USER:-app}"),
            ("RABBITMQ_DEFAULT_PASS", "${RABBITMQ_PASSWORD:?set it in .env}"),
        ),
        (("AMQP_URL", "amqp://${RABBITMQ_USER:-app}:${RABBITMQ_PASSWORD}@rabbitmq:5672/"),),
        ("RABBITMQ_PASSWORD",),
    ),
    "kafka": Service(
        "kafka",
        "apache/kafka:3.9.0",
        '["CMD-SHELL", "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"]',
        "/var/lib/kafka/data",
        (
            ("KAFKA_NODE_ID", "'1'"),
            ("KAFKA_PROCESS_ROLES", "broker,controller"),
            ("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093"),
            ("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092"),
            ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
            ("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9093"),
            ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "'1'"),
        ),
        (("KAFKA_BROKERS", "kafka:9092"),),
    ),
    "elasticsearch": Service(
        "elasticsearch",
        "elasticsearch:8.16.1",
        '["CMD-SHELL", "curl -fs http://localhost:9200/_cluster/health > /dev/null"]',
        "/usr/share/elasticsearch/data",
        (("discovery.type", "single-node"), ("xpack.security.enabled", "'false'")),
        (("ELASTICSEARCH_URL", "http://elasticsearch:9200"),),
    ),
    "memcached": Service(
        "memcached",
        "memcached:1.6-alpine",
        '["CMD-SHELL", "nc -z 127.0.0.1 11211"]',
        None,
        (),
        (("MEMCACHED_URL", "memcached:11211"),),
    ),
}


def compose(apps: list[App], templates: FileTemplates) -> tuple[RenderedFile, str]:
    """The compose file and the ``.env.example`` that goes with it."""
    used = sorted({f.value for app in apps for f in app.services if f.value in SERVICES})
    services = [SERVICES[name] for name in used]
    rendered_apps = []
    for app in apps:
        mine = [SERVICES[f.value] for f in app.services if f.value in SERVICES]
        environment = [pair for service in mine for pair in service.client]
        port = app.port.value if app.port and app.kind != "worker" else None
        if port and app.kind != "static":
            environment.insert(0, ("PORT", f"'{port}'"))
        rendered_apps.append(
            {
                "name": service_name(app),
                "context": "." if app.path == "." else f"./{app.path}",
                "port": port,
                "environment": environment,
                "depends_on": [s.name for s in mine],
            }
        )
    text = templates.render_file(
        "iac/compose", {"apps": rendered_apps, "services": [dataclasses.asdict(s) for s in services]}
    )
    secrets = sorted({name for service in services for name in service.secrets})
    example = "# Copy to .env and fill in; never commit .env.\n" + "".join(
        f"{name}=change-me\n" for name in secrets
    )
    return text, example


def service_name(app: App) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in app.name.lower()).strip("-_")
    return cleaned or "app"
