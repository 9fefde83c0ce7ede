package io.switchboard.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a cluster of made-up Services as plain manifests, in files of {@value #PER_FILE} Services,
 * each Service with its own cluster IP in 127.96.0.0/12 and one EndpointSlice. The mix follows what
 * the loader meets in real directories: most Services are plain TCP, every fourth also has a UDP
 * port, every fifth is balanced per request ({@code appProtocol: http}) and every seventh has
 * ClientIP affinity, so a training run takes the branches a real load takes.
 */
public final class SyntheticCluster {

    /** Services per file, as a directory of generated manifests commonly holds. */
    public static final int PER_FILE = 500;

    private static final int FIRST_ADDRESS = (127 << 24) | (96 << 16);

    private SyntheticCluster() {
    }

    /**
     * Writes Services {@code from} to {@code to} (exclusive; named {@code s<i>} in namespace
     * {@code training}) on {@code port}, each with {@code endpoints} endpoints at 127.0.0.1 upwards
     * on {@code targetPort}, into files named after their first Service.
     */
    public static void write(Path dir, int from, int to, int endpoints, int port, int targetPort) throws IOException {
        if (from < 0 || to < from || to >= 1 << 20 || endpoints < 1 || endpoints > 250) {
            throw new IllegalArgumentException("Services must be a range in [0, 2^20) and endpoints in [1, 250]: "
                    + from + ".." + to + ", " + endpoints);
        }
        Files.createDirectories(dir);
        for (int start = from; start < to; start += PER_FILE) {
            StringBuilder out = new StringBuilder(PER_FILE * 700);
            for (int i = start; i < Math.min(to, start + PER_FILE); i++) {
                service(out, i, endpoints, port, targetPort);
            }
            Files.writeString(dir.resolve(String.format("services-%07d.yaml", start)), out);
        }
    }

    /** The cluster IP of Service {@code i}. */
    public static String clusterIp(int i) {
        int a = FIRST_ADDRESS + i + 1;
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    private static void service(StringBuilder out, int i, int endpoints, int port, int targetPort) {
        boolean udp = i % 4 == 3;
        String appProtocol = i % 5 == 4 ? ", appProtocol: http" : "";
        out.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: s").append(i)
                .append(", namespace: training, creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec:\n  clusterIP: ")
                .append(clusterIp(i)).append('\n');
        if (i % 7 == 6) {
            out.append("  sessionAffinity: ClientIP\n");
        }
        out.append("  ports:\n  - {name: tcp, port: ").append(port).append(", targetPort: ").append(targetPort)
                .append(appProtocol).append("}\n");
        if (udp) {
            out.append("  - {name: udp, protocol: UDP, port: ").append(port).append(", targetPort: ")
                    .append(targetPort).append("}\n");
        }
        out.append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s").append(i)
                .append("-1, namespace: training, labels: {kubernetes.io/service-name: s").append(i)
                .append("}}\naddressType: IPv4\nports:\n- {name: tcp, port: ").append(targetPort).append("}\n");
        if (udp) {
            out.append("- {name: udp, protocol: UDP, port: ").append(targetPort).append("}\n");
        }
        out.append("endpoints:\n");
        for (int e = 0; e < endpoints; e++) {
            out.append("- addresses: [127.0.0.").append(e + 1).append("]\n  conditions: {ready: true}\n");
        }
    }
}
