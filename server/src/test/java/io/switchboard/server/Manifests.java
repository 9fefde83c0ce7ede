package io.switchboard.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;

/** Writes Service and EndpointSlice manifests for tests, atomically (write then rename) as editors and kubectl do. */
public final class Manifests {

    private Manifests() {
    }

    public static String service(String name, String clusterIp, int port, String extraSpec, String annotations) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: test
                  annotations: {%s}
                spec:
                  clusterIP: %s
                %s
                  ports:
                  - name: tcp
                    port: %d
                    targetPort: tcp
                """.formatted(name, annotations, clusterIp, extraSpec.isEmpty() ? "" : "  " + extraSpec, port);
    }

    public static String service(String name, String clusterIp, int port) {
        return service(name, clusterIp, port, "", "");
    }

    /** One slice listing {@code addresses} on {@code port}. */
    public static String slice(String service, int port, List<String> addresses) {
        String eps = addresses.stream().map(a -> "  - addresses: [" + a + "]").collect(Collectors.joining("\n"));
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-slice
                  namespace: test
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                - name: tcp
                  port: %d
                endpoints:
                %s
                """.formatted(service, service, port, addresses.isEmpty() ? "[]" : eps).replace("endpoints:\n[]",
                "endpoints: []");
    }

    public static void write(Path dir, String file, String... documents) throws IOException {
        Path tmp = dir.resolve("." + file + ".tmp");
        Files.writeString(tmp, String.join("---\n", documents));
        Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
