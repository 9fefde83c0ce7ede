package io.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.dataplane.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo endpoint's echo, on every transport, answers every byte a client sent before the client's
 * FIN and only then closes: the proxy's half-close tests (TransportIT, L7ProtocolIT) measure the proxy
 * through it, so an endpoint dropping the tail would look like the proxy losing it.
 */
class DemoBackendIT {

    private static final InetSocketAddress LISTEN = new InetSocketAddress("127.0.31.1", 16150);

    private DemoBackend backend;

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    private void start(Transport transport) throws InterruptedException {
        assumeTrue(transport.unavailabilityCause() == null, () -> transport.label() + " is not available here");
        backend = DemoBackend.start("a", LISTEN, 1, transport);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theRawEchoWritesBackEveryByteSentBeforeTheFinThenCloses(Transport transport) throws Exception {
        start(transport);
        byte[] payload = payload(4 << 20);
        try (Socket s = connect()) {
            byte[] all = sendThenFin(s, "x".getBytes(StandardCharsets.US_ASCII), payload);
            assertThat(new String(all, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("a\n");
            // After the greeting: the byte that chose the echo, then the payload, then end of stream.
            assertThat(all.length).isEqualTo(2 + 1 + payload.length);
            assertThat(Arrays.equals(all, 3, all.length, payload, 0, payload.length)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theUpgradedEchoWritesBackEveryByteSentBeforeTheFinThenCloses(Transport transport) throws Exception {
        start(transport);
        byte[] payload = payload(4 << 20);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /raw HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101");
            byte[] all = sendThenFin(s, new byte[0], payload);
            assertThat(all.length).isEqualTo(payload.length);
            assertThat(Arrays.equals(all, payload)).isTrue();
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(LISTEN, 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        new Random(7).nextBytes(payload);
        return payload;
    }

    /** Writes {@code first} and {@code payload} then FIN, while reading everything that comes back until end of stream. */
    private static byte[] sendThenFin(Socket s, byte[] first, byte[] payload) throws IOException {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(first);
                out.write(payload);
                s.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream(payload.length + 16);
        s.getInputStream().transferTo(got);
        writer.join();
        return got.toByteArray();
    }

    /** Reads a response head up to its blank line, byte by byte so nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
