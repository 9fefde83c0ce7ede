package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.DemoBackend;
import io.switchboard.cli.Main;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example the README's first command serves ({@code examples/demo}) behind the same demo
 * endpoints {@code switchboard demo} starts: what the README promises a new user must be true.
 */
class ShippedExampleIT {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void theShippedExampleServesEveryServiceItDeclares() throws Exception {
        Path example = Path.of("..", "examples", "demo").toAbsolutePath().normalize();
        assertThat(Files.isDirectory(example)).as(example.toString()).isTrue();
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < names.length; i++) {
            closeables.add(DemoBackend.start(names[i], new InetSocketAddress("127.0.1." + (i + 1), 8080), 1));
        }
        sb = Switchboard.start(SwitchboardConfig.defaults(example).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(sb.status().errors()).as("the example is valid").isEmpty();

        List<String> roundRobin = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            roundRobin.add(httpGetOnNewConnection("127.0.0.10", 8080));
        }
        assertThat(roundRobin).as("round robin").containsExactly("a", "b", "c", "a", "b", "c");

        Set<String> sticky = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            sticky.add(httpGetOnNewConnection("127.0.0.11", 8080));
        }
        assertThat(sticky).as("ClientIP affinity").hasSize(1);

        assertThat(httpGetOnNewConnection("127.0.0.1", 30080)).as("the node port").isIn("a", "b", "c");
        assertThat(httpGetOnNewConnection("127.0.0.12", 8080)).as("weighted least connection").isIn("a", "b", "c");

        Set<String> l4 = new HashSet<>();
        Set<String> l7 = new HashSet<>();
        try (RawHttp l4Connection = new RawHttp("127.0.0.10", 8080);
             RawHttp l7Connection = new RawHttp("127.0.0.13", 8080)) {
            for (int i = 0; i < 3; i++) {
                l4.add(l4Connection.get("/" + i).text().trim());
                l7.add(l7Connection.get("/" + i).text().trim());
            }
        }
        assertThat(l4).as("one connection through an L4 port stays on one endpoint").hasSize(1);
        assertThat(l7).as("one connection through the appProtocol http port reaches all three")
                .containsExactlyInAnyOrder("a", "b", "c");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("list", "--admin", "127.0.0.1:" + sb.adminAddress().getPort()))
                    .isZero();
        } finally {
            System.setOut(original);
        }
        String listed = out.toString(StandardCharsets.UTF_8);
        String route = "TCP  127.0.0.13:8080 rr l7=http (cluster-ip default/demo-http:http)";
        assertThat(listed).contains(route);
        assertThat(listed.substring(listed.indexOf(route)).lines().skip(1).limit(4))
                .as("an HTTP route lists requests in flight and answered per endpoint")
                .anyMatch(l -> l.contains("InFlight") && l.contains("Requests"))
                .anyMatch(l -> l.matches(" *-> 127\\.0\\.1\\.1:8080 +1 +0 +1 +up"));
    }

    /** One HTTP/1.1 request on its own connection; returns the body's first line (the endpoint's name). */
    private static String httpGetOnNewConnection(String host, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // status line and headers
            }
            return in.readLine();
        }
    }
}
