"""Serves kmock's KubernetesEmulator on 127.0.0.1 (plain HTTP) for the
kubernetes provider's discovery/read/list/delete checks, seeded by POST (kmock
cannot create objects by server-side apply). Writes its URL to the file named
by the first argument, then serves until terminated."""

import asyncio
import signal
import sys

import kmock

RESOURCES = {
    "rbac.authorization.k8s.io/v1/clusterroles": dict(kind="ClusterRole", singular="clusterrole", namespaced=False),
    "v1/configmaps": dict(kind="ConfigMap", singular="configmap", namespaced=True),
    "example.com/v1/widgets": dict(kind="Widget", singular="widget", namespaced=True),
}

SEED = [
    # kmock cannot parse `/api/v1/namespaces` (it reads "namespaces/<x>" as a
    # namespace scope), so the cluster-scoped object here is a ClusterRole.
    ("/apis/rbac.authorization.k8s.io/v1/clusterroles", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "reader"}, "rules": []}),
    ("/api/v1/namespaces/team-a/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "one", "namespace": "team-a", "labels": {"app": "x"}}, "data": {"k": "1"}}),
    ("/api/v1/namespaces/team-a/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "two", "namespace": "team-a", "labels": {"app": "y"}}, "data": {"k": "2"}}),
    ("/apis/example.com/v1/namespaces/team-a/widgets", {"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "team-a"}, "spec": {"size": 3}}),
]


async def main(url_file: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with kmock.KubernetesEmulator() as k8s, kmock.Server(k8s) as server:
        for key, info in RESOURCES.items():
            k8s.resources[key] = kmock.ResourceInfo(verbs={"get", "list", "create", "delete", "patch"}, **info)
        for path, body in SEED:
            async with server.client.post(path, json=body) as resp:
                if resp.status >= 300:
                    raise SystemExit(f"seeding {path} failed: {resp.status} {await resp.text()}")
        with open(url_file, "w") as f:
            f.write(str(server.url).rstrip("/"))
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
