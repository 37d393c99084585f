"""Assertions on the manifests helm/check renders (run by helm/check with helm/.venv's python).

Each rendering is a file NAME.yaml in the directory given as the only argument:
  default      default values (native preStop sleep: helm's default Kubernetes version)
  default-old  default values rendered for Kubernetes 1.25 (preStop `exec: sleep`)
  full         ci/full-values.yaml: TLS, ServiceMonitor, HPA, Ingress for gRPC and the UI, existing
               Secrets, HTTP port 8080 behind Service port 80
  created      credentials and server.publicUrl given as values: chart-created Secrets
  nohttp       default values with server.httpPort=0 (no HTTP port)
  noauth       auth.enabled=false with auth.insecureNoAuth=true (access control off)
It also checks examples/k8s/training-job.yaml: the pod authenticates with a projected
ServiceAccount token (audience labbook), never with a copied secret.
Prints one line per failed check and exits 1 if any failed.
"""
import base64
import os
import sys

import yaml

OUT = sys.argv[1]
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def load(name):
    with open(os.path.join(OUT, name + ".yaml")) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def of_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def one(docs, kind, name):
    found = of_kind(docs, kind)
    check(len(found) == 1, f"{name}: exactly one {kind} (found {len(found)})")
    return found[0] if found else {}


def server_container(dep):
    containers = dep["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "server")


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def ports_of(container):
    return {p["name"]: p["containerPort"] for p in container.get("ports", [])}


def walk_strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from walk_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_strings(v)
    elif isinstance(node, str):
        yield node


renders = {name: load(name) for name in ("default", "default-old", "full", "created", "nohttp", "noauth")}
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
K8S_ISSUER = "https://kubernetes.default.svc.cluster.local"

for name, docs in renders.items():
    dep = one(docs, "Deployment", name)
    pod = dep["spec"]["template"]["spec"]
    c = server_container(dep)
    env = env_of(c)
    ports = ports_of(c)
    tls = name == "full"

    # Every interface, explicitly: the server's own default is 127.0.0.1, unreachable from the Service.
    check(env.get("LABBOOK_HOST", {}).get("value") == "0.0.0.0", f"{name}: LABBOOK_HOST 0.0.0.0")

    # Probes: native gRPC probes, on the plaintext health port when TLS is on.
    probe_port = 7811 if tls else 7800
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        check(c.get(probe, {}).get("grpc", {}).get("port") == probe_port,
              f"{name}: {probe} is a gRPC probe on {probe_port}")
        check("httpGet" not in c.get(probe, {}) and "exec" not in c.get(probe, {}),
              f"{name}: {probe} uses no other handler")
    # Liveness does not follow the database and the artifact store; readiness (service "") does.
    for probe in ("startupProbe", "livenessProbe"):
        check(c.get(probe, {}).get("grpc", {}).get("service") == "liveness",
              f"{name}: {probe} asks the liveness health service")
    check(c.get("readinessProbe", {}).get("grpc", {}).get("service", "") == "",
          f"{name}: readinessProbe asks the whole server's health")
    check(env.get("LABBOOK_READINESS_INTERVAL_MS", {}).get("value") == "2000"
          and env.get("LABBOOK_READINESS_TIMEOUT_MS", {}).get("value") == "1000",
          f"{name}: readiness checks every 2000 ms with a 1000 ms timeout")
    # Limits under load: every one set, with the server's defaults.
    limits = {"LABBOOK_API_THREADS": "64", "LABBOOK_DB_POOL_TIMEOUT_MS": "10000",
              "LABBOOK_MAX_CALLS_PER_CONNECTION": "1000", "LABBOOK_KEEPALIVE_TIME_SECONDS": "60",
              "LABBOOK_KEEPALIVE_TIMEOUT_SECONDS": "20", "LABBOOK_PERMIT_KEEPALIVE_TIME_SECONDS": "20",
              "LABBOOK_PERMIT_KEEPALIVE_WITHOUT_CALLS": "true", "LABBOOK_MAX_CONNECTION_IDLE_SECONDS": "600",
              "LABBOOK_MAX_CONNECTION_AGE_SECONDS": "1800", "LABBOOK_MAX_CONNECTION_AGE_GRACE_SECONDS": "120",
              "LABBOOK_STREAM_IDLE_TIMEOUT_SECONDS": "120", "LABBOOK_HTTP_MAX_CONNECTIONS": "1000",
              "LABBOOK_HTTP_IDLE_TIMEOUT_SECONDS": "75", "LABBOOK_HTTP_MAX_REQUEST_BYTES": "1048576",
              "LABBOOK_HTTP_REQUEST_TIMEOUT_SECONDS": "60"}
    for var, want in limits.items():
        check(env.get(var, {}).get("value") == want, f"{name}: {var} is {want}")

    # Non-root, read-only root filesystem, no privilege escalation, all capabilities dropped.
    psc, sc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001, f"{name}: pod runs as uid 10001")
    check(sc.get("readOnlyRootFilesystem") is True, f"{name}: read-only root filesystem")
    check(sc.get("allowPrivilegeEscalation") is False, f"{name}: no privilege escalation")
    check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: capabilities dropped")
    check(any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", [])), f"{name}: /tmp is writable")

    # Graceful shutdown: preStop pause, drain and grace within terminationGracePeriodSeconds.
    drain = int(env["LABBOOK_SHUTDOWN_DRAIN_SECONDS"]["value"])
    grace = int(env["LABBOOK_SHUTDOWN_GRACE_SECONDS"]["value"])
    pre_stop = c.get("lifecycle", {}).get("preStop", {})
    if name == "default-old":
        check(pre_stop.get("exec", {}).get("command") == ["sleep", "5"], f"{name}: preStop exec sleep 5 before 1.30")
        pause = 5
    else:
        check(pre_stop.get("sleep", {}).get("seconds") == 5, f"{name}: native preStop sleep of 5 s")
        pause = pre_stop.get("sleep", {}).get("seconds", 0)
    check(pod["terminationGracePeriodSeconds"] >= pause + drain + grace + 5,
          f"{name}: terminationGracePeriodSeconds covers preStop + drain + grace")

    # Metrics: container port, Service port, LABBOOK_METRICS_PORT agree.
    metrics_port = 9100 if name == "full" else 9464
    check(env["LABBOOK_METRICS_PORT"]["value"] == str(metrics_port), f"{name}: LABBOOK_METRICS_PORT")
    check(ports.get("metrics") == metrics_port, f"{name}: metrics container port {metrics_port}")
    svc = one(docs, "Service", name)
    svc_ports = {p["name"]: p for p in svc["spec"]["ports"]}
    check(svc_ports.get("metrics", {}).get("targetPort") == "metrics", f"{name}: Service metrics port")
    check(svc_ports.get("grpc", {}).get("targetPort") == "grpc", f"{name}: Service grpc port")
    annotations = dep["spec"]["template"]["metadata"].get("annotations", {})
    if name == "full":
        check("prometheus.io/scrape" not in annotations, f"{name}: scrape annotations off")
        sm = one(docs, "ServiceMonitor", name)
        endpoint = sm.get("spec", {}).get("endpoints", [{}])[0]
        check(endpoint.get("port") == "metrics" and endpoint.get("path") == "/metrics",
              f"{name}: ServiceMonitor scrapes the metrics port")
        check(sm.get("metadata", {}).get("labels", {}).get("release") == "kube-prometheus-stack",
              f"{name}: ServiceMonitor labels")
    else:
        check(annotations.get("prometheus.io/scrape") == "true"
              and annotations.get("prometheus.io/port") == str(metrics_port)
              and annotations.get("prometheus.io/path") == "/metrics", f"{name}: prometheus scrape annotations")
        check(not of_kind(docs, "ServiceMonitor"), f"{name}: no ServiceMonitor by default")

    # HTTP port (web UI, gRPC-Web, JSON): container port, Service port, LABBOOK_HTTP_PORT agree;
    # the public URL is the one given, or the UI Ingress's host, or unset.
    if name == "nohttp":
        check(env["LABBOOK_HTTP_PORT"]["value"] == "0", f"{name}: LABBOOK_HTTP_PORT 0 turns the port off")
        check("http" not in ports and "http" not in svc_ports, f"{name}: no http container or Service port")
        check("LABBOOK_PUBLIC_URL" not in env, f"{name}: no public URL")
    else:
        http_port, svc_http_port = (8080, 80) if name == "full" else (7880, 7880)
        check(env["LABBOOK_HTTP_PORT"]["value"] == str(http_port), f"{name}: LABBOOK_HTTP_PORT {http_port}")
        check(ports.get("http") == http_port, f"{name}: http container port {http_port}")
        http_svc = svc_ports.get("http", {})
        check(http_svc.get("port") == svc_http_port and http_svc.get("targetPort") == "http",
              f"{name}: Service http port {svc_http_port} to the container's http port")
        check(http_svc.get("appProtocol") == ("https" if tls else "http"),
              f"{name}: http appProtocol {'https' if tls else 'http'}")
        expected_url = {"full": "https://labbook-ui.example.com", "created": "https://ml.example.com"}.get(name)
        check(env.get("LABBOOK_PUBLIC_URL", {}).get("value") == expected_url,
              f"{name}: LABBOOK_PUBLIC_URL {expected_url} (got {env.get('LABBOOK_PUBLIC_URL')})")
    # The run lease is one value for every replica: set only when given (the server's 300 otherwise).
    expected_lease = "120" if name == "full" else None
    check(env.get("LABBOOK_RUN_LEASE_SECONDS", {}).get("value") == expected_lease,
          f"{name}: LABBOOK_RUN_LEASE_SECONDS {expected_lease} (got {env.get('LABBOOK_RUN_LEASE_SECONDS')})")
    expected_poll = "2000" if name == "full" else None
    check(env.get("LABBOOK_LIVE_POLL_INTERVAL_MS", {}).get("value") == expected_poll,
          f"{name}: LABBOOK_LIVE_POLL_INTERVAL_MS {expected_poll} (got {env.get('LABBOOK_LIVE_POLL_INTERVAL_MS')})")
    # The probes stay gRPC probes on the gRPC (or health) port: the HTTP port is not probed.
    ui_ingresses = [d for d in of_kind(docs, "Ingress") if d["metadata"]["name"].endswith("-ui")]
    if name == "full":
        check(len(ui_ingresses) == 1, f"{name}: one UI Ingress")
        for ing in ui_ingresses:
            rule = ing["spec"]["rules"][0]
            backend = rule["http"]["paths"][0]["backend"]["service"]
            check(rule["host"] == "labbook-ui.example.com" and backend.get("port") == {"name": "http"}
                  and backend.get("name") == svc["metadata"]["name"],
                  f"{name}: the UI Ingress routes to the Service's http port")
            check(ing["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/proxy-buffering") == "off",
                  f"{name}: the UI Ingress does not buffer streamed responses")
            check(ing["spec"].get("tls", [{}])[0].get("secretName") == "labbook-ui-tls", f"{name}: UI Ingress TLS")
        grpc_ingress = [d for d in of_kind(docs, "Ingress") if not d["metadata"]["name"].endswith("-ui")]
        check(len(grpc_ingress) == 1 and grpc_ingress[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]
              ["service"]["port"].get("number") == 7800, f"{name}: the gRPC Ingress still routes to gRPC")
    else:
        check(not ui_ingresses, f"{name}: no UI Ingress by default")

    # TLS: Secret mounted read-only, files and plaintext health port given to the server.
    if tls:
        check(env["LABBOOK_TLS_CERT_FILE"]["value"] == "/etc/labbook/tls/tls.crt"
              and env["LABBOOK_TLS_KEY_FILE"]["value"] == "/etc/labbook/tls/tls.key", f"{name}: TLS files")
        check(env["LABBOOK_HEALTH_PORT"]["value"] == "7811" and ports.get("health") == 7811,
              f"{name}: plaintext health port 7811")
        vols = {v["name"]: v for v in pod["volumes"]}
        check(vols.get("tls", {}).get("secret", {}).get("secretName") == "labbook-server-tls",
              f"{name}: TLS Secret volume")
        mount = next((m for m in c["volumeMounts"] if m["name"] == "tls"), {})
        check(mount.get("mountPath") == "/etc/labbook/tls" and mount.get("readOnly") is True,
              f"{name}: TLS Secret mounted read-only")
        check("appProtocol" not in svc_ports.get("grpc", {}), f"{name}: no h2c appProtocol with TLS")
    else:
        check(not any(k.startswith("LABBOOK_TLS") for k in env) and "health" not in ports,
              f"{name}: no TLS settings")
        check(svc_ports.get("grpc", {}).get("appProtocol") == "kubernetes.io/h2c", f"{name}: h2c appProtocol")

    # Migrations hook Job: runs `labbook migrate` before install and upgrade, deleted after success.
    job = one(docs, "Job", name)
    job_ann = job.get("metadata", {}).get("annotations", {})
    check(job_ann.get("helm.sh/hook") == "pre-install,pre-upgrade", f"{name}: migrations Job is a pre-install/upgrade hook")
    check("helm.sh/hook-delete-policy" in job_ann, f"{name}: migrations Job has a delete policy")
    job_c = job["spec"]["template"]["spec"]["containers"][0]
    check(job_c.get("args") == ["migrate"], f"{name}: migrations Job runs migrate")
    check(job_c.get("securityContext", {}).get("readOnlyRootFilesystem") is True, f"{name}: migrations Job read-only")
    pdb = one(docs, "PodDisruptionBudget", name)

    # The Service and the PodDisruptionBudget select the server pods, never the migrations Job's.
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    for what, selector in (("Service", svc["spec"]["selector"]),
                           ("PodDisruptionBudget", pdb.get("spec", {}).get("selector", {}).get("matchLabels", {})),
                           ("Deployment", dep["spec"]["selector"]["matchLabels"])):
        matches = lambda labels: all(labels.get(k) == v for k, v in selector.items())
        check(selector and matches(pod_labels), f"{name}: {what} selects the server pods")
        check(not matches(job_labels), f"{name}: {what} does not select the migrations Job's pods")

    # The server listens on every interface of the pod, once.
    host_vars = [e for e in c.get("env", []) if e["name"] == "LABBOOK_HOST"]
    check(len(host_vars) == 1 and host_vars[0].get("value") == "0.0.0.0", f"{name}: LABBOOK_HOST 0.0.0.0, once")

    # Access control: on by default; JWT issuers, audience and roles as values; the bootstrap
    # token only from an existing Secret; JWKS ConfigMaps mounted read-only and optional.
    vols = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    jwks_vols = {k: v for k, v in vols.items() if k.startswith("jwks-")}
    if name == "noauth":
        check(env.get("LABBOOK_AUTH", {}).get("value") == "off", f"{name}: LABBOOK_AUTH off")
        check(env.get("LABBOOK_INSECURE_NO_AUTH", {}).get("value") == "true", f"{name}: LABBOOK_INSECURE_NO_AUTH true")
        check(not any(k.startswith("LABBOOK_JWT") or k == "LABBOOK_BOOTSTRAP_TOKEN" for k in env),
              f"{name}: no JWT or bootstrap settings with access control off")
        check(not jwks_vols, f"{name}: no JWKS volumes")
    else:
        check(env.get("LABBOOK_AUTH", {}).get("value") == "on", f"{name}: access control on (LABBOOK_AUTH on)")
        check("LABBOOK_INSECURE_NO_AUTH" not in env, f"{name}: no LABBOOK_INSECURE_NO_AUTH")
    if name in ("default", "default-old", "created", "nohttp"):
        check("LABBOOK_BOOTSTRAP_TOKEN" not in env, f"{name}: no bootstrap token unless a Secret is given")
        check(env.get("LABBOOK_JWT_ISSUERS", {}).get("value") == K8S_ISSUER + "=/etc/labbook/jwks/0/jwks.json",
              f"{name}: in-cluster ServiceAccount issuer with its JWKS ConfigMap ({env.get('LABBOOK_JWT_ISSUERS')})")
        check(env.get("LABBOOK_JWT_AUDIENCE", {}).get("value") == "labbook", f"{name}: JWT audience labbook")
        check("LABBOOK_JWT_ROLES" not in env, f"{name}: no JWT roles by default")
        cm = jwks_vols.get("jwks-0", {}).get("configMap", {})
        check(cm.get("name") == "labbook-jwks" and cm.get("optional") is True
              and cm.get("items") == [{"key": "jwks.json", "path": "jwks.json"}],
              f"{name}: optional ConfigMap labbook-jwks as the JWKS volume ({cm})")
        check(mounts.get("jwks-0", {}).get("mountPath") == "/etc/labbook/jwks/0"
              and mounts.get("jwks-0", {}).get("readOnly") is True, f"{name}: JWKS mounted read-only")
    if name == "full":
        boot = env.get("LABBOOK_BOOTSTRAP_TOKEN", {})
        check(boot.get("valueFrom", {}).get("secretKeyRef") == {"name": "labbook-bootstrap", "key": "admin-token"}
              and "value" not in boot, f"{name}: bootstrap token from the existing Secret ({boot})")
        eks = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
        check(env.get("LABBOOK_JWT_ISSUERS", {}).get("value") == ",".join([
            K8S_ISSUER + "=/etc/labbook/jwks/0/jwks.json", eks + "=" + eks + "/keys", "https://accounts.example.com"]),
              f"{name}: JWT issuers with ConfigMap, URL and discovery ({env.get('LABBOOK_JWT_ISSUERS')})")
        check(env.get("LABBOOK_JWT_AUDIENCE", {}).get("value") == "labbook-prod", f"{name}: JWT audience")
        # the given roles first, then the runner ServiceAccount of submit.targets (checked below)
        check(env.get("LABBOOK_JWT_ROLES", {}).get("value", "").startswith(
              "ml-training/trainer=vision:editor,ml-training/*=*:viewer,alice@example.com=*:admin,"),
              f"{name}: JWT roles ({env.get('LABBOOK_JWT_ROLES')})")
        cm = jwks_vols.get("jwks-0", {}).get("configMap", {})
        check(cm.get("name") == "cluster-jwks" and cm.get("items") == [{"key": "keys.json", "path": "jwks.json"}],
              f"{name}: JWKS ConfigMap cluster-jwks, key keys.json")
        check(set(jwks_vols) == {"jwks-0"}, f"{name}: a JWKS volume only for the ConfigMap issuer")
    # The migrations Job needs no access control settings.
    job_env = {e["name"] for e in one(docs, "Job", name)["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    check(not any(k.startswith("LABBOOK_JWT") or k in ("LABBOOK_BOOTSTRAP_TOKEN", "LABBOOK_AUTH") for k in job_env),
          f"{name}: no access control settings in the migrations Job")

    # Secrets are never inlined: credentials only in Secret objects, read through secretKeyRef.
    for secret in ("pg-inline-secret", "s3-inline-secret"):
        for d in docs:
            if d.get("kind") != "Secret":
                check(all(secret not in s for s in walk_strings(d)),
                      f"{name}: credential {secret} inlined in a {d.get('kind')}")
    for var in ("LABBOOK_DB_PASSWORD", "LABBOOK_S3_SECRET_KEY"):
        if var in env:
            check("secretKeyRef" in env[var].get("valueFrom", {}) and "value" not in env[var],
                  f"{name}: {var} read from a Secret")

    if name == "default":
        check(dep["spec"].get("replicas") == 2, "default: replicas 2")
        check(not of_kind(docs, "Secret") and not of_kind(docs, "HorizontalPodAutoscaler")
              and not of_kind(docs, "Ingress"), "default: no Secret, HPA or Ingress")
    if name == "full":
        check(of_kind(docs, "HorizontalPodAutoscaler") and of_kind(docs, "Ingress"), "full: HPA and Ingress")
        check("replicas" not in dep["spec"], "full: no replicas with HPA")
        refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in env.values() if "valueFrom" in e}
        check(refs == {"labbook-db", "labbook-s3", "labbook-bootstrap"}, f"full: existing Secrets referenced ({refs})")
        check(not of_kind(docs, "Secret"), "full: no Secret created with existing Secrets")
        check("LABBOOK_S3_ENDPOINT" in env and "LABBOOK_ARTIFACT_DIR" not in env, "full: S3 store")
    if name == "created":
        secrets = of_kind(docs, "Secret")
        check(len(secrets) == 2, "created: credentials Secret and migrations hook Secret")
        enc = base64.b64encode(b"pg-inline-secret").decode()
        check(all(s.get("data", {}).get("db-password") == enc for s in secrets),
              "created: password stored base64 in the Secrets")
        check(any("helm.sh/hook" in s["metadata"].get("annotations", {}) for s in secrets),
              "created: migrations Secret is a hook")

# examples/k8s/training-job.yaml: a projected ServiceAccount token for audience labbook, read
# through LABBOOK_TOKEN_FILE; no Secret, no secretKeyRef, no static token.
with open(os.path.join(ROOT, "examples", "k8s", "training-job.yaml")) as f:
    example = [d for d in yaml.safe_load_all(f) if d]
job = one(example, "Job", "training-job.yaml")
accounts = {d["metadata"]["name"]: d for d in of_kind(example, "ServiceAccount")}
pod = job.get("spec", {}).get("template", {}).get("spec", {})
check(pod.get("serviceAccountName") in accounts, "training-job.yaml: the Job's ServiceAccount is defined alongside")
check(pod.get("automountServiceAccountToken") is False, "training-job.yaml: no Kubernetes API token mounted")
projected = {}
for v in pod.get("volumes", []):
    for src in v.get("projected", {}).get("sources", []):
        if "serviceAccountToken" in src:
            projected[v["name"]] = src["serviceAccountToken"]
check(len(projected) == 1, f"training-job.yaml: one projected serviceAccountToken volume ({list(projected)})")
for vol_name, sat in projected.items():
    check(sat.get("audience") == "labbook", "training-job.yaml: token audience labbook")
    check(sat.get("expirationSeconds") == 3600, "training-job.yaml: token expirationSeconds 3600")
    for c in pod.get("containers", []):
        env = env_of(c)
        mount = next((m for m in c.get("volumeMounts", []) if m["name"] == vol_name), None)
        check(mount is not None, f"training-job.yaml: {c['name']} mounts the token")
        if mount:
            expected = mount["mountPath"].rstrip("/") + "/" + sat.get("path", "")
            check(env.get("LABBOOK_TOKEN_FILE", {}).get("value") == expected,
                  f"training-job.yaml: LABBOOK_TOKEN_FILE is the token's path {expected}")
        check(env.get("LABBOOK_TRACKING_URI", {}).get("value"), f"training-job.yaml: {c['name']} names the server")
        check("LABBOOK_TOKEN" not in env, f"training-job.yaml: {c['name']} has no static LABBOOK_TOKEN")
check(not of_kind(example, "Secret"), "training-job.yaml: no Secret")
check(not any(v.get("secret") for v in pod.get("volumes", [])), "training-job.yaml: no secret volume")
with open(os.path.join(ROOT, "examples", "k8s", "training-job.yaml")) as f:
    check("secretKeyRef" not in "\n".join(l for l in f if not l.lstrip().startswith("#")),
          "training-job.yaml: no secretKeyRef")

# Submitted runs (values submit.targets; full has two targets in one namespace).
for name in ("default", "nohttp", "noauth", "created"):
    docs = renders[name]
    check(not of_kind(docs, "Role") and not of_kind(docs, "RoleBinding"), f"{name}: no RBAC without submit.targets")
    dep = one(docs, "Deployment", name)
    check(dep.get("spec", {}).get("template", {}).get("spec", {}).get("automountServiceAccountToken") is False,
          f"{name}: no Kubernetes API token in the server's pods without submit.targets")
    check("LABBOOK_COMPUTE_TARGETS_FILE" not in env_of(server_container(dep)), f"{name}: no compute targets file")
full = renders["full"]
dep = one(full, "Deployment", "full")
pod = dep["spec"]["template"]["spec"]
check(pod.get("automountServiceAccountToken") is True, "full: the server's pods mount their token (Kubernetes API)")
env = env_of(server_container(dep))
targets_path = env.get("LABBOOK_COMPUTE_TARGETS_FILE", {}).get("value", "")
mount = next((m for m in server_container(dep).get("volumeMounts", []) if m["name"] == "compute-targets"), {})
check(targets_path == mount.get("mountPath", "?") + "/targets.yaml", "full: LABBOOK_COMPUTE_TARGETS_FILE is in the mounted ConfigMap")
cms = [d for d in of_kind(full, "ConfigMap") if d["metadata"]["name"].endswith("-compute-targets")]
check(len(cms) == 1, "full: one compute targets ConfigMap")
volume = next((v for v in pod.get("volumes", []) if v["name"] == "compute-targets"), {})
check(cms and volume.get("configMap", {}).get("name") == cms[0]["metadata"]["name"], "full: the ConfigMap is the volume")
targets = yaml.safe_load(cms[0]["data"]["targets.yaml"])["targets"] if cms else []
by_name = {t["name"]: t for t in targets}
check(sorted(by_name) == ["cpu", "gpu"], f"full: targets gpu and cpu ({sorted(by_name)})")
gpu = by_name.get("gpu", {})
check(gpu.get("kind") == "kubernetes" and gpu.get("namespace") == "ml-training", "full: gpu is a Kubernetes target in ml-training")
check(gpu.get("image") == "registry.example.com/labbook/labbook-runner:0.1.0", "full: gpu defaults to the runner image")
check(by_name.get("cpu", {}).get("image") == "registry.example.com/ml/train-cpu:2024.1", "full: cpu keeps its own image")
check(gpu.get("trackingUri") == "grpcs://labbook.ml.svc.cluster.local:7800", f"full: runner pods reach the Service over TLS ({gpu.get('trackingUri')})")
check(gpu.get("tokenAudience") == "labbook-prod", "full: runner tokens carry the server's JWT audience")
check(gpu.get("gpuResource") == "nvidia.com/gpu" and gpu.get("maxSnapshotBytes") == 52428800, "full: gpu resource and snapshot limit")
check(gpu.get("tolerations") == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}], "full: tolerations as given")
check(gpu.get("projects") == ["vision", "nlp"] and gpu.get("ttlSecondsAfterFinished") == 3600, "full: projects and ttl")
roles = {d["metadata"]["name"]: d for d in of_kind(full, "Role")}
bindings = {d["metadata"]["name"]: d for d in of_kind(full, "RoleBinding")}
check(sorted(roles) == ["labbook-submit-cpu", "labbook-submit-gpu"], f"full: one Role per target ({sorted(roles)})")
expected_rules = [
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
]
server_sa = pod.get("serviceAccountName")
for rname, role in roles.items():
    check(role["metadata"].get("namespace") == "ml-training", f"full: Role {rname} lives in the target namespace only")
    check(role.get("rules") == expected_rules, f"full: Role {rname} grants Jobs and pod reads, nothing else")
    b = bindings.get(rname, {})
    check(b.get("roleRef", {}).get("name") == rname and b.get("roleRef", {}).get("kind") == "Role",
          f"full: RoleBinding {rname} binds its Role (not a ClusterRole)")
    check(b.get("subjects") == [{"kind": "ServiceAccount", "name": server_sa, "namespace": "ml"}],
          f"full: RoleBinding {rname} names the server's ServiceAccount in the release namespace")
check(not of_kind(full, "ClusterRole") and not of_kind(full, "ClusterRoleBinding"), "full: no cluster-wide RBAC")
runner_sas = [d for d in of_kind(full, "ServiceAccount") if d["metadata"].get("namespace") == "ml-training"]
check(len(runner_sas) == 1 and runner_sas[0]["metadata"]["name"] == "trainer-runner",
      "full: the runner ServiceAccount is created once for the two targets that share it")
check(all(sa.get("automountServiceAccountToken") is False for sa in runner_sas), "full: runner pods get no Kubernetes API token")
jwt_roles = env.get("LABBOOK_JWT_ROLES", {}).get("value", "").split(",")
for entry in ("ml-training/trainer-runner=vision:editor", "ml-training/trainer-runner=nlp:editor",
              "ml-training/trainer-runner=*:editor"):
    check(entry in jwt_roles, f"full: LABBOOK_JWT_ROLES binds the runner ({entry})")

if errors:
    print("\n".join("  FAIL " + e for e in errors))
    sys.exit(1)
print(f"rendered fields: ok ({', '.join(renders)}, examples/k8s/training-job.yaml)")
