#!/usr/bin/env python3
"""Writes SERVICES Services, each with its own cluster IP (127.64.0.0 plus i) on port 18082 and one
EndpointSlice of ENDPOINTS endpoints (127.0.10.1 upwards, port 18190), in files of 1,000 Services.

  scale_manifests.py DIR SERVICES ENDPOINTS
"""
import ipaddress
import os
import sys


def main(out, services, endpoints):
    base = int(ipaddress.IPv4Address("127.64.0.0"))
    addresses = ", ".join(f"127.0.10.{k + 1}" for k in range(endpoints))
    os.makedirs(out, exist_ok=True)
    for start in range(0, services, 1000):
        docs = []
        for i in range(start, min(services, start + 1000)):
            ip = ipaddress.IPv4Address(base + i + 1)
            docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: s{i}, namespace: scale, creationTimestamp: "2026-01-01T00:00:00Z"}}
spec:
  clusterIP: {ip}
  ports: [{{name: tcp, port: 18082, targetPort: 18190}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: s{i}-1, namespace: scale, labels: {{kubernetes.io/service-name: s{i}}}}}
addressType: IPv4
ports: [{{name: tcp, port: 18190}}]
endpoints: [{{addresses: [{addresses}]}}]
""")
        with open(os.path.join(out, f"services-{start // 1000:03d}.yaml"), "w") as f:
            f.write("---\n".join(docs))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
