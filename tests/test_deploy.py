"""deploy/: the image definition, the compose file and the Kubernetes manifests,
checked offline (no Docker daemon, no cluster, no network).

- Every Kubernetes manifest validates strictly against the Kubernetes schemas
  that ``kubernetes-validate`` ships, for the oldest and newest versions we support.
- The compose file validates against the Compose Specification's schema (the
  copy ``check-jsonschema`` ships).
- The Dockerfile passes ``hadolint`` and has the shape the issue asks for.
- Beyond the schemas, the topology itself: which process runs where, probes,
  limits, who may reach PostgreSQL, and that the settings they use exist.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from services.settings import ENVIRONMENT_VARIABLES, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
BIN = Path(sys.executable).parent
OLDEST_KUBERNETES = "1.29.0"
KUBERNETES_VERSIONS = (OLDEST_KUBERNETES, kubernetes_validate.latest_version())

SETTINGS = set(ENVIRONMENT_VARIABLES.values())
# Read by uvicorn (trusted proxies) and by libpq/asyncpg (TLS to PostgreSQL).
PASSED_THROUGH = {"FORWARDED_ALLOW_IPS", "PGSSLMODE", "PGSSLROOTCERT"}
# Used by compose itself (and by the postgres image), not by Flywheel.
COMPOSE_ONLY = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "FLYWHEEL_HTTP_PORT",
    "FLYWHEEL_VERSION",
}
FLYWHEEL_SERVICES = ("migrate", "api", "worker")


def manifests() -> dict[str, list[dict[str, Any]]]:
    """Every Kubernetes manifest file but the kustomization, as its documents."""
    return {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def resources() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc for docs in manifests().values() for doc in docs
    }


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = resource["spec"]["template"]["spec"]
    return spec


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


# -- Kubernetes ---------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", sorted(manifests()))
def test_every_manifest_validates_against_the_kubernetes_schemas(name: str, version: str) -> None:
    for doc in manifests()[name]:
        kubernetes_validate.validate(doc, version, strict=True)


def test_a_manifest_that_breaks_the_schema_is_caught() -> None:
    api = resources()[("Deployment", "flywheel-api")]
    broken = {**api, "spec": {**api["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, OLDEST_KUBERNETES, strict=True)


def test_kustomization_applies_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(set(manifests()) - {"secret.example.yaml"})
    images = {image["name"] for image in kustomization["images"]}
    used = {
        container["image"].split(":")[0]
        for resource in resources().values()
        if resource["kind"] in ("Deployment", "Job")
        for container in pod_spec(resource)["containers"]
        + pod_spec(resource).get("initContainers", [])
    }
    assert used == images == {"flywheel"}, "one image for every process"


def test_the_api_runs_replicas_with_probes_a_budget_and_an_autoscaler() -> None:
    found = resources()
    api = found[("Deployment", "flywheel-api")]
    (container,) = pod_spec(api)["containers"]
    assert container["args"] == ["serve"]
    assert api["spec"]["replicas"] >= 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"name": "FLYWHEEL_RUN_PROJECTIONS", "value": "false"} in container["env"]
    assert container["lifecycle"]["preStop"], "stop routing before SIGTERM"
    grace = pod_spec(api)["terminationGracePeriodSeconds"]
    assert grace > 5 + 20, "preStop, then uvicorn's 20 s of draining"

    budget = found[("PodDisruptionBudget", "flywheel-api")]
    assert budget["spec"]["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]
    assert budget["spec"]["minAvailable"] < api["spec"]["replicas"]
    autoscaler = found[("HorizontalPodAutoscaler", "flywheel-api")]
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == "flywheel-api"
    assert autoscaler["spec"]["minReplicas"] >= budget["spec"]["minAvailable"] + 1

    service = found[("Service", "flywheel-api")]
    assert set(service["spec"]["selector"].items()) <= set(
        api["spec"]["template"]["metadata"]["labels"].items()
    )
    ingress = found[("Ingress", "flywheel")]
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    exposed = {path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert backends == {"flywheel-api"}
    assert "/metrics" not in exposed and "/" not in exposed, "metrics stay inside the cluster"


def test_two_projection_workers_run_one_active_one_standby() -> None:
    worker = resources()[("Deployment", "flywheel-worker")]
    (container,) = pod_spec(worker)["containers"]
    assert container["args"] == ["project"]
    assert worker["spec"]["replicas"] == 2


def test_schema_creation_runs_once_per_release_not_by_racing_replicas() -> None:
    found = resources()
    configuration = found[("ConfigMap", "flywheel")]["data"]
    assert configuration["FLYWHEEL_MIGRATE_ON_START"] == "false"
    job = found[("Job", "flywheel-migrate")]
    assert pod_spec(job)["containers"][0]["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    for name in ("flywheel-api", "flywheel-worker"):
        (init,) = pod_spec(found[("Deployment", name)])["initContainers"]
        assert init["args"][:2] == ["migrate", "--wait"], f"{name} waits for the Job"


def test_every_pod_runs_unprivileged_with_requests_and_limits() -> None:
    for (kind, name), resource in resources().items():
        if kind not in ("Deployment", "Job"):
            continue
        spec = pod_spec(resource)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"] + spec.get("initContainers", []):
            where = f"{name}/{container['name']}"
            assert set(container["resources"]) == {"requests", "limits"}, where
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), where
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert {
                ref.get("configMapRef", ref.get("secretRef"))["name"]
                for ref in container["envFrom"]
            } == {"flywheel"}, where


def _components(selector: dict[str, Any]) -> set[str]:
    (expression,) = selector["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/component"
    assert expression["operator"] == "In"
    return set(expression["values"])


def test_only_the_api_and_the_workers_reach_postgresql() -> None:
    policies = [doc for doc in resources().values() if doc["kind"] == "NetworkPolicy"]
    deny = next(p for p in policies if p["metadata"]["name"] == "flywheel-default-deny")
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    reaching = [
        policy
        for policy in policies
        for rule in policy["spec"].get("egress", [])
        if any(port.get("port") == 5432 for port in rule.get("ports", []))
    ]
    assert [p["metadata"]["name"] for p in reaching] == ["flywheel-database-egress"]
    assert _components(reaching[0]["spec"]["podSelector"]) == {"api", "worker", "migrate"}
    database = next(p for p in policies if p["metadata"]["name"] == "flywheel-database-ingress")
    (rule,) = database["spec"]["ingress"]
    (source,) = rule["from"]
    assert _components(source["podSelector"]) == {"api", "worker", "migrate"}


def test_the_configuration_names_only_settings_flywheel_knows() -> None:
    found = resources()
    configured = set(found[("ConfigMap", "flywheel")]["data"])
    secret = set(found[("Secret", "flywheel")]["stringData"])
    assert configured <= SETTINGS | PASSED_THROUGH, configured - SETTINGS - PASSED_THROUGH
    assert secret == {
        "DATABASE_URL",
        "DATABASE_READ_URL",
        "FLYWHEEL_JWT_SECRET",
        "FLYWHEEL_AUDIT_KEY",
    }


def test_the_secret_example_cannot_run_unchanged() -> None:
    example = resources()[("Secret", "flywheel")]["stringData"]
    for name in ("FLYWHEEL_JWT_SECRET", "FLYWHEEL_AUDIT_KEY"):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: example[name]})


# -- compose ------------------------------------------------------------------


def test_the_compose_file_validates_against_the_compose_specification() -> None:
    done = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_compose_file_that_breaks_the_specification_is_caught(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["api"]["replica"] = 2
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1


def test_compose_runs_postgresql_16_two_api_replicas_a_proxy_and_two_workers() -> None:
    services = compose()["services"]
    postgres = services["postgres"]
    assert re.match(r"postgres:16(\D|$)", postgres["image"])
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "postgres-data" in compose()["volumes"]

    assert services["api"]["command"] == ["serve"]
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["environment"]["FLYWHEEL_RUN_PROJECTIONS"] == "false"
    assert services["worker"]["command"] == ["project"]
    assert services["worker"]["deploy"]["replicas"] == 2, "one active, one standby"
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["environment"]["FLYWHEEL_MIGRATE_ON_START"] == "false"

    proxy = services["proxy"]
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    assert proxy["ports"] and "database" not in proxy["networks"]
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"server api:8000 resolve", nginx), "the proxy balances every api replica"
    mounted = [volume.split(":")[0] for volume in proxy["volumes"]]
    assert mounted == ["./nginx.conf"]


def test_in_compose_only_the_api_and_the_workers_reach_postgresql() -> None:
    document = compose()
    assert document["networks"]["database"]["internal"] is True
    on_database = {
        name
        for name, service in document["services"].items()
        if "database" in service.get("networks", [])
    }
    assert on_database == {"postgres", *FLYWHEEL_SERVICES}


def test_compose_takes_its_secrets_from_the_env_file() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    example = env_example()
    referenced = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    assert referenced <= set(example), referenced - set(example)
    for secret in ("POSTGRES_PASSWORD", "FLYWHEEL_JWT_SECRET", "FLYWHEEL_AUDIT_KEY"):
        assert example[secret] == "", f"{secret} has no usable default"
        assert re.search(rf"\$\{{{secret}:\?", text), f"compose refuses to start without {secret}"
    assert set(example) <= SETTINGS | COMPOSE_ONLY, set(example) - SETTINGS - COMPOSE_ONLY
    for name in FLYWHEEL_SERVICES:
        service = compose()["services"][name]
        assert service["env_file"] == ".env"
        assert set(service["environment"]) <= SETTINGS | PASSED_THROUGH
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]


def trusted_proxies(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``FORWARDED_ALLOW_IPS`` as uvicorn reads it: addresses and ranges, or ``*``."""
    assert value.strip() != "*", "X-Forwarded-For would be believed from anyone"
    return [ipaddress.ip_network(item.strip()) for item in value.split(",")]


def test_x_forwarded_for_is_believed_only_from_the_proxy() -> None:
    document = compose()
    (proxy_address,) = trusted_proxies(
        document["services"]["api"]["environment"]["FORWARDED_ALLOW_IPS"]
    )
    edge = document["services"]["proxy"]["networks"]["edge"]
    assert proxy_address == ipaddress.ip_network(edge["ipv4_address"]), "the proxy, no other"
    (subnet,) = document["networks"]["edge"]["ipam"]["config"]
    assert proxy_address.subnet_of(ipaddress.ip_network(subnet["subnet"]))
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", nginx), (
        "the edge proxy replaces a client's X-Forwarded-For instead of passing it on"
    )

    configured = resources()[("ConfigMap", "flywheel")]["data"]["FORWARDED_ALLOW_IPS"]
    for network in trusted_proxies(configured):
        assert network.is_private and network.prefixlen >= 8, network


def test_the_env_file_is_never_committed() -> None:
    assert "deploy/.env" in (ROOT / ".gitignore").read_text().splitlines()


# -- the image ----------------------------------------------------------------


def dockerfile() -> DockerfileParser:
    return DockerfileParser(str(DEPLOY / "Dockerfile"))


def final_stage(parsed: DockerfileParser) -> list[dict[str, Any]]:
    instructions: list[dict[str, Any]] = parsed.structure
    starts = [i for i, line in enumerate(instructions) if line["instruction"] == "FROM"]
    return instructions[starts[-1] :]


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "info", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_catches_a_dockerfile_that_breaks_the_rules(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flywheel\n")
    done = subprocess.run(
        [str(BIN / "hadolint"), str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_the_image_is_multi_stage_slim_and_runs_as_a_user_with_a_health_check() -> None:
    parsed = dockerfile()
    stages = [line for line in parsed.structure if line["instruction"] == "FROM"]
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", parsed.baseimage)
    last = final_stage(parsed)
    users = [line["value"] for line in last if line["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    (health,) = [line["value"] for line in last if line["instruction"] == "HEALTHCHECK"]
    assert "/healthz" in health
    entrypoint = [line["value"] for line in last if line["instruction"] == "ENTRYPOINT"]
    assert entrypoint == ['["flywheel"]'], "one image runs serve, project or migrate"
    assert [line["value"] for line in last if line["instruction"] == "CMD"] == ['["serve"]']
    installs = " ".join(line["value"] for line in parsed.structure if line["instruction"] == "RUN")
    assert "pip install --no-cache-dir ." in installs
    assert "[dev]" not in installs, "only the runtime dependencies"
    assert parsed.envs["FLYWHEEL_HOST"] == "0.0.0.0"
    assert parsed.envs["FLYWHEEL_ENV"] == "production"


def test_the_image_copies_only_what_the_package_needs() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :][:1] == ["*"], "everything is excluded first"
    copied = [
        line["value"].split()[0]
        for line in dockerfile().structure
        if line["instruction"] == "COPY" and "--from" not in line["value"]
    ]
    for source in copied:
        assert f"!{source}" in ignore or f"!{source.rstrip('/')}/" in ignore, source


# -- the commands the deployment runs -----------------------------------------


def deployed_commands() -> set[tuple[str, ...]]:
    """Every `flywheel ...` invocation in the compose file and the manifests."""
    found = {
        (*service["command"],)
        for name, service in compose()["services"].items()
        if name in FLYWHEEL_SERVICES
    }
    for resource in resources().values():
        if resource["kind"] in ("Deployment", "Job"):
            spec = pod_spec(resource)
            found |= {
                (*container["args"],)
                for container in spec["containers"] + spec.get("initContainers", [])
            }
    return found


def test_every_command_the_deployment_runs_is_a_valid_flywheel_command() -> None:
    from services.cli import main

    commands = deployed_commands()
    assert {command[0] for command in commands} == {"serve", "project", "migrate"}
    for command in commands:
        parent = main.make_context("flywheel", list(command))
        name, subcommand, rest = main.resolve_command(parent, list(command))
        assert subcommand is not None and name == command[0]
        subcommand.make_context(name, rest, parent=parent)  # raises on a bad option


# -- the documentation ----------------------------------------------------------


def test_every_setting_is_documented_in_the_readme_and_the_deploy_guide() -> None:
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "DEPLOY.md").read_text()
    for variable in sorted(SETTINGS | PASSED_THROUGH):
        assert f"`{variable}`" in guide, f"docs/DEPLOY.md does not explain {variable}"
    for variable in sorted(SETTINGS):
        assert f"`{variable}`" in readme, f"README.md does not list {variable}"
