package io.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.server.EtcdServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchboard etcd put/get/delete} against a real etcd. */
class EtcdCommandIT {

    @TempDir
    Path dir;

    private EtcdServer etcd;
    private String out;
    private String err;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(EtcdServer.installed(), "etcd is not installed (apt install etcd-server; build-bin/test does)");
        etcd = new EtcdServer(dir).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void putStoresOneKeyPerObjectThenGetListsAndShowsThemAndDeleteRemovesOne() throws Exception {
        Path manifests = Files.createDirectory(dir.resolve("manifests"));
        Files.writeString(manifests.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  clusterIP: 127.0.6.70
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{port: 8080}]
                endpoints: [{addresses: [127.0.8.1]}]
                """);
        Files.writeString(manifests.resolve("list.json"), """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
                   "spec": {"clusterIP": "127.0.6.71", "ports": [{"port": 81}]}}]}
                """);
        assertThat(run("etcd", "put", manifests.toString(), "--etcd", etcd.url())).as(err).isZero();
        assertThat(out).contains("put /switchboard/shop/Service/web", "put /switchboard/shop/EndpointSlice/web-1",
                "put /switchboard/default/Service/api", "3 objects stored at revision");

        assertThat(run("etcd", "get", "--etcd", etcd.url())).isZero();
        assertThat(out).contains("shop/Service/web\trevision", "shop/EndpointSlice/web-1\trevision",
                "default/Service/api\trevision", "3 keys at revision");

        assertThat(run("etcd", "get", "shop/Service/web", "--etcd", etcd.url())).isZero();
        Path back = dir.resolve("back.yaml");
        Files.writeString(back, out);
        // What is stored is the object itself, a valid manifest on its own.
        assertThat(run("validate", back.toString())).as(err).isZero();

        assertThat(run("etcd", "delete", "shop/Service/web", "--etcd", etcd.url())).isZero();
        assertThat(run("etcd", "get", "shop/Service/web", "--etcd", etcd.url())).isEqualTo(1);
        assertThat(err).contains("no key /switchboard/shop/Service/web");
        assertThat(run("etcd", "delete", "shop/Service/web", "--etcd", etcd.url())).isEqualTo(1);
    }

    @Test
    void anInvalidManifestStoresNothingAndSaysWhere() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Service
                metadata: {name: good}
                spec: {clusterIP: 127.0.6.72, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec:
                  clusterIP: 127.0.6.73
                  ports: [{port: 70000}]
                """);
        assertThat(run("etcd", "put", f.toString(), "--etcd", etcd.url())).isEqualTo(1);
        assertThat(err).contains(f + ":11: Service default/bad: spec.ports[0].port").contains("nothing stored");
        assertThat(run("etcd", "get", "--etcd", etcd.url())).isZero();
        assertThat(out).contains("0 keys");
    }

    @Test
    void aKeyOfItsOwnNeedsASingleObjectAndEndpointsMustBeUrls() throws Exception {
        Path f = dir.resolve("one.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Service
                metadata: {name: one}
                spec: {clusterIP: 127.0.6.74, ports: [{port: 80}]}
                """);
        assertThat(run("etcd", "put", f.toString(), "--key", "teams/a/one", "--etcd", etcd.url())).as(err).isZero();
        assertThat(run("etcd", "get", "teams/a/one", "--etcd", etcd.url())).isZero();
        assertThat(out).contains("name: one");
        assertThat(run("etcd", "put", f.toString(), "--etcd", "localhost:2379")).isEqualTo(2);
        assertThat(err).contains("is not an http:// or https:// URL");
    }
}
