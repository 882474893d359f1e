"""docker-compose.yml read as Docker Compose reads it (no container engine runs here): the start
order, one-shot migrations, health checks that call our real management commands, volumes and the
environment. `docker compose config` validates it too where the Compose plugin is installed."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import timedelta

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from core.models import Heartbeat

COMPOSE_FILE = settings.BASE_DIR / "docker-compose.yml"
ENV_EXAMPLE = settings.BASE_DIR / ".env.example"
APP_SERVICES = ("web", "worker", "scheduler")
BACKING_SERVICES = {"postgres": "pg_isready", "rabbitmq": "rabbitmq-diagnostics"}
DURATION = re.compile(r"^(?:(\d+)m)?(?:(\d+)s)?$")
MOUNT = re.compile(r"^(\$\{[^}]+\}|[^:]+):([^:]+)(?::[a-z,]+)?$")  # source:target[:options]


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]


def seconds(duration: str) -> int:
    match = DURATION.match(duration)
    assert match and duration, f"not a duration like 1m30s: {duration!r}"
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def mounts(service: dict) -> dict[str, str]:
    """Target -> source of a service's short-form volume mounts (`${LIBRARY_PATH:-./library}:/library`)."""
    pairs = [MOUNT.match(mount) for mount in service.get("volumes", [])]
    assert all(pairs), service.get("volumes")
    return {pair[2]: pair[1] for pair in pairs}


def conditions(service: dict) -> dict[str, str]:
    depends_on = service.get("depends_on") or {}
    assert isinstance(depends_on, dict), "depends_on needs the long form to state conditions"
    return {name: rule["condition"] for name, rule in depends_on.items()}


def manage_args(command: list[str]) -> list[str]:
    """`["python", "manage.py", "worker"]` -> `["worker"]` (and the CMD prefix of a health check)."""
    command = command[1:] if command[0] == "CMD" else command
    assert command[:2] == ["python", "manage.py"], f"not a manage.py command: {command}"
    return command[2:]


def test_migrations_run_once_in_a_one_shot_service_the_app_waits_for(services):
    migrate = services["migrate"]
    assert migrate["restart"] == "no"  # quoted: a bare `no` is YAML's false
    assert "healthcheck" not in migrate and "ports" not in migrate
    steps = " ".join(migrate["command"])
    for step in ("manage.py migrate --noinput", "manage.py collectstatic --noinput", "manage.py ensure_admin"):
        assert step in steps
    assert re.search(r"migrate --noinput && .*collectstatic.* && .*ensure_admin", steps), "a failed step must stop it"
    for name in APP_SERVICES:
        assert conditions(services[name]).get("migrate") == "service_completed_successfully", name
        assert "migrate" not in " ".join(services[name]["command"]), f"{name} must not migrate on its own"


def test_migrations_and_the_app_wait_for_a_healthy_database_and_broker(services):
    for name in ("migrate", *APP_SERVICES):
        assert conditions(services[name]) | {"migrate": "-"} == {
            "postgres": "service_healthy", "rabbitmq": "service_healthy", "migrate": "-"}, name
    for name, probe in BACKING_SERVICES.items():
        assert probe in " ".join(services[name]["healthcheck"]["test"])


def test_dependencies_name_existing_services_without_a_cycle(services):
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name in services, f"depends_on names a missing service: {name}"
        assert name not in path, f"dependency cycle: {' -> '.join((*path, name))}"
        if name not in seen:
            seen.add(name)
            for dependency in conditions(services[name]):
                visit(dependency, (*path, name))

    for name in services:
        visit(name, ())


def test_every_long_running_service_has_a_health_check_with_a_start_period(services):
    long_running = [name for name in services if name != "migrate"]
    assert set(long_running) == {*APP_SERVICES, *BACKING_SERVICES}
    for name in long_running:
        check = services[name].get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
        assert seconds(check["start_period"]) > 0, name
        assert seconds(check["interval"]) > 0 and seconds(check["timeout"]) > 0 and check["retries"] > 0, name
        assert services[name]["restart"] == "unless-stopped", name


def test_service_commands_and_health_checks_are_real_management_commands(services):
    commands = get_commands()
    for name in APP_SERVICES:
        check_args = manage_args(services[name]["healthcheck"]["test"])
        assert check_args[0] == "healthcheck" and f"--{name}" in check_args, name
        parser = load_command_class(commands["healthcheck"], "healthcheck").create_parser("manage.py", "healthcheck")
        assert parser.parse_args(check_args[1:]).role == name
    for name in ("worker", "scheduler"):
        assert manage_args(services[name]["command"]) == [name] and name in commands
    assert "omnireadarr.wsgi:application" in services["web"]["command"]
    for step in re.findall(r"manage\.py (\w+)", " ".join(services["migrate"]["command"])):
        assert step in commands, step


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["worker", "scheduler"])
def test_worker_and_scheduler_health_follow_their_own_heartbeat(services, role):
    args = manage_args(services[role]["healthcheck"]["test"])

    def exit_code() -> int:
        try:
            call_command(*args)
        except CommandError as error:
            return error.returncode
        return 0

    assert exit_code() == 1  # never reported
    Heartbeat.beat(f"{role}:another-container:7", role)
    assert exit_code() == 1  # another container's process is alive, not this one
    Heartbeat.beat(Heartbeat.name_for(role), role)
    assert exit_code() == 0
    Heartbeat.objects.filter(name=Heartbeat.name_for(role)).update(seen_at=timezone.now() - timedelta(minutes=2))
    assert exit_code() == 1  # stale: older than 90 s


def test_web_health_check_asks_the_running_server_with_an_allowed_host(live_server, settings):
    url = f"{live_server.url}/api/v1/health"
    call_command("healthcheck", "--web", "--url", url)
    settings.ALLOWED_HOSTS = ["books.example.org"]  # a site restricted to its domain
    call_command("healthcheck", "--web", "--url", url)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}/api/v1/health"
    with pytest.raises(CommandError) as refused:
        call_command("healthcheck", "--web", "--url", closed)
    assert refused.value.returncode == 1


def test_volumes_are_declared_and_mounted(services):
    declared = set(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["volumes"])
    for name, service in services.items():
        for source in mounts(service).values():
            if not source.startswith(("/", ".", "$")):  # a named volume, not a host folder
                assert source in declared, f"{name} mounts undeclared volume {source}"
    for name in ("migrate", *APP_SERVICES):
        assert {"/data", "/library", "/downloads"} <= set(mounts(services[name])), name
        assert mounts(services[name])["/data"] == "data", name  # static files, secret key, first admin password
    assert mounts(services["postgres"])["/var/lib/postgresql/data"] in declared


def test_allowed_hosts_come_from_the_environment_with_a_default_for_the_compose_network(services):
    for name in ("migrate", *APP_SERVICES):
        environment = services[name]["environment"]
        hosts = re.fullmatch(r"\$\{OMNI_ALLOWED_HOSTS:-(.+)\}", environment["OMNI_ALLOWED_HOSTS"])
        assert hosts and {"localhost", "127.0.0.1", "web"} <= set(hosts[1].split(",")), name
        assert environment["OMNI_CSRF_TRUSTED_ORIGINS"].startswith("${OMNI_CSRF_TRUSTED_ORIGINS"), name


def test_every_variable_the_compose_file_reads_is_documented_in_env_example():
    used = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^#?\s*(\w+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    assert used and used <= documented, sorted(used - documented)


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the Docker Compose plugin is not installed (its `config` validates without a daemon)")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
