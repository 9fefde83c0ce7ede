package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.switchboard.backend.DemoBackend;
import io.switchboard.source.etcd.EtcdSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd source over TLS with client certificates, and with etcd's user authentication: a real
 * etcd with certificates this test makes with openssl (a CA, a server certificate for 127.0.0.1, a
 * client certificate), and a user enabled through etcd's auth API.
 */
class EtcdSecurityIT {

    private static final int PORT = 15810;
    private static final int TARGET = 15820;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(EtcdServer.installed(), "etcd is not installed (apt install etcd-server; build-bin/test does)");
        closeables.add(DemoBackend.start("a", new InetSocketAddress("127.0.8.71", TARGET), 1));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private void openssl(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of("openssl"));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl %s: %s", c, out).isTrue();
    }

    /** A CA, and a certificate and PKCS#8 key signed by it for {@code name}. */
    private void certificates() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=switchboard-test-ca");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (String who : List.of("server", "client")) {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
                    "-subj", "/CN=" + who);
            openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".pem", "-days", "2", "-extfile", who + ".ext");
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private Switchboard start(EtcdSettings settings) throws IOException {
        Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(1).withEtcd(null, settings));
        closeables.add(sb);
        return sb;
    }

    private static void manifests(Client kv, String vip) throws Exception {
        kv.getKVClient().put(bytes("/switchboard/test/Service/web"), bytes(Manifests.service("web", vip, PORT)))
                .get(10, TimeUnit.SECONDS);
        kv.getKVClient().put(bytes("/switchboard/test/EndpointSlice/web"), bytes(Manifests.slice("web", TARGET,
                List.of("127.0.8.71")))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void mutualTlsWithTheCaAndAClientCertificate() throws Exception {
        certificates();
        EtcdServer etcd = new EtcdServer(dir);
        closeables.add(etcd);
        etcd.startTls(List.of("--cert-file", dir.resolve("server.pem").toString(), "--key-file",
                dir.resolve("server.key").toString(), "--trusted-ca-file", dir.resolve("ca.pem").toString(),
                "--client-cert-auth"));
        String url = "https://127.0.0.1:" + etcd.clientPort;
        EtcdSettings tls = new EtcdSettings(List.of(url), "/switchboard/", dir.resolve("ca.pem"),
                dir.resolve("client.pem"), dir.resolve("client.key"), null, null, 10, 500);
        try (Client kv = tls.client()) {
            manifests(kv, "127.0.6.110");
        }
        Switchboard sb = start(tls);
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(name("127.0.6.110", PORT)).isEqualTo("a");

        // Without a client certificate the server refuses: the source says so and is not ready.
        Switchboard anonymous = start(new EtcdSettings(List.of(url), "/switchboard/", dir.resolve("ca.pem"), null,
                null, null, null, 10, 500));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(admin(anonymous, "/readyz").body())
                .contains("cannot list /switchboard/"));
        assertThat(admin(anonymous, "/readyz").statusCode()).isEqualTo(503);
    }

    @Test
    void etcdUserAuthentication() throws Exception {
        EtcdServer etcd = new EtcdServer(dir).start();
        closeables.add(etcd);
        try (Client root = Client.builder().endpoints(etcd.url()).build()) {
            manifests(root, "127.0.6.111");
            root.getAuthClient().roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
            root.getAuthClient().userAdd(bytes("root"), bytes("s3cret")).get(10, TimeUnit.SECONDS);
            root.getAuthClient().userGrantRole(bytes("root"), bytes("root")).get(10, TimeUnit.SECONDS);
            root.getAuthClient().authEnable().get(10, TimeUnit.SECONDS);
        }
        Switchboard sb = start(new EtcdSettings(List.of(etcd.url()), "/switchboard/", null, null, null, "root",
                "s3cret", 10, 500));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(name("127.0.6.111", PORT)).isEqualTo("a");

        Switchboard wrong = start(new EtcdSettings(List.of(etcd.url()), "/switchboard/", null, null, null, "root",
                "guess", 10, 500));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(admin(wrong, "/readyz").body())
                .contains("cannot list /switchboard/"));
        assertThat(admin(wrong, "/readyz").statusCode()).isEqualTo(503);
    }
}
