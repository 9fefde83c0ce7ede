package io.switchboard.training;

import io.switchboard.backend.DemoBackend;
import io.switchboard.server.Switchboard;
import io.switchboard.server.SwitchboardConfig;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A real start in miniature: Switchboard serving three Services on 127.0.0.1 in front of one demo
 * endpoint, and a few TCP connections, HTTP requests and UDP datagrams through each, checked against
 * what the endpoint answers. It loads the classes of the data plane's first connection, request and
 * flow, which a recorded AOT cache then holds for every start (without it the first relayed
 * connection of a start waits on class loading: 90 ms measured, docs/benchmarks.md).
 */
public final class RelayTraining {

    /**
     * What went through.
     *
     * @param connections TCP connections that got the endpoint's name and their echo back
     * @param requests    HTTP requests answered 200 by the endpoint
     * @param datagrams   UDP datagrams answered with the endpoint's name
     * @param keptAlive   keep-alive HTTP requests answered 200 plus L4 echoes returned, in the load that follows
     * @param keptAliveSent the requests plus echoes the load sent
     */
    public record Result(int connections, int requests, int datagrams, int keptAlive, int keptAliveSent) {
    }

    /** Client threads of the load, each on connections of its own. */
    private static final int LOAD_THREADS = 4;
    /** Requests (or echoes) on one connection before it closes and the next opens. */
    private static final int PER_CONNECTION = 200;

    private static final String NAME = "training";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private RelayTraining() {
    }

    /**
     * Serves the three Services from manifests written under {@code dir}, sends {@code rounds} of each
     * through, then a load of {@code load} keep-alive HTTP requests and as many L4 echoes.
     *
     * <p>Why the load: the JIT compiles a proxy's request path from what it saw run. A path that never
     * saw a kept connection close is compiled without that branch, and the first burst of closes
     * (every client of a benchmark round, a deploy's drain) then throws the whole path back to the
     * interpreter at once, which stalled requests for 200-900 ms while it compiled again
     * (docs/benchmarks.md). The profiles an AOT cache records here (JEP 515) hold both.
     */
    public static Result run(Path dir, int rounds, int load) throws IOException, InterruptedException {
        int target = freePort();
        int l4 = freePort();
        int http = freePort();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("training.yaml"), manifests(target, l4, http));
        try (DemoBackend endpoint = DemoBackend.start(NAME, new InetSocketAddress(LOOPBACK, target), 1);
             Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                     .withAdmin(new InetSocketAddress(LOOPBACK, 0)).withWorkers(1))) {
            if (!sb.awaitFirstSync(Duration.ofSeconds(30))) {
                throw new IOException("the training Services in " + dir + " were not served within 30 s");
            }
            int connections = 0;
            int requests = 0;
            int datagrams = 0;
            for (int i = 0; i < rounds; i++) {
                connections += tcp(l4) ? 1 : 0;
                requests += http(http) ? 1 : 0;
                datagrams += udp(l4) ? 1 : 0;
            }
            int[] loaded = load(http, l4, load);
            return new Result(connections, requests, datagrams, loaded[0], loaded[1]);
        }
    }

    private static String manifests(int target, int l4, int http) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: l4, namespace: training}
                spec:
                  clusterIP: 127.0.0.1
                  ports:
                  - {name: tcp, port: %2$d, targetPort: %1$d}
                  - {name: udp, protocol: UDP, port: %2$d, targetPort: %1$d}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: l4-1, namespace: training, labels: {kubernetes.io/service-name: l4}}
                addressType: IPv4
                ports: [{name: tcp, port: %1$d}, {name: udp, protocol: UDP, port: %1$d}]
                endpoints: [{addresses: [127.0.0.1]}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: training}
                spec:
                  clusterIP: 127.0.0.1
                  ports: [{name: http, port: %3$d, targetPort: %1$d, appProtocol: http}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: training, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: %1$d}]
                endpoints: [{addresses: [127.0.0.1]}]
                """.formatted(target, l4, http);
    }

    /** A port free for both TCP and UDP on the loopback address when asked (the endpoint takes both). */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
                port = s.getLocalPort();
            }
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                return port;
            } catch (SocketException taken) {
                // Free for TCP, taken for UDP: ask for another.
            }
        }
        throw new IOException("no port free for both TCP and UDP on " + LOOPBACK + " in 20 attempts");
    }

    private static boolean tcp(int port) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .equals(NAME + "\nhello\n");
        }
    }

    private static boolean http(int port) throws IOException {
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return response.startsWith("HTTP/1.1 200 ") && response.endsWith("\r\n\r\n" + NAME + "\n");
        }
    }

    /**
     * {@code total} keep-alive HTTP requests and as many L4 echoes from {@link #LOAD_THREADS} threads,
     * up to {@value #PER_CONNECTION} on each connection before it closes; how many were answered right
     * and how many were sent, requests and echoes together.
     */
    private static int[] load(int http, int l4, int total) throws InterruptedException, IOException {
        int perThread = total / LOAD_THREADS;
        int perConnection = Math.min(PER_CONNECTION, perThread);
        int connectionsEach = perConnection == 0 ? 0 : perThread / perConnection;
        ExecutorService pool = Executors.newFixedThreadPool(LOAD_THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < LOAD_THREADS; t++) {
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int c = 0; c < connectionsEach; c++) {
                        ok += keptAliveRequests(http, perConnection);
                        ok += keptAliveEchoes(l4, perConnection);
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get();
            }
            return new int[] {ok, 2 * LOAD_THREADS * connectionsEach * perConnection};
        } catch (ExecutionException e) {
            throw new IOException("the training load failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The heads the load takes turns with on each connection. One kind of client alone (a benchmark's
     * bare {@code GET} with a Host header) trains the header code for known names only: the first
     * client that sends a User-Agent, an Accept or a name of its own then takes branches the compiled
     * code never saw, which threw the request path back to the interpreter and queued 110 ms of
     * requests behind it at 16,000 requests/s (docs/benchmarks.md). So: a bare request, a command-line
     * client's, a browser's with names no table knows, hop-by-hop headers to strip, and a body.
     */
    private static final List<byte[]> REQUESTS = Stream.of(
            "GET / HTTP/1.1\r\nHost: web\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: web:80\r\nUser-Agent: training/1\r\nAccept: */*\r\n\r\n",
            "GET /?page=1 HTTP/1.1\r\nHost: web\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) training\r\n"
                    + "Accept: text/html,application/xhtml+xml;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n"
                    + "Accept-Language: en-GB,en;q=0.8\r\nCookie: session=abc123\r\nX-Request-Id: 7f3c2a\r\n"
                    + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: web\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n"
                    + "X-Hop: 1\r\nTE: trailers\r\n\r\n",
            "POST /submit HTTP/1.1\r\nHost: web\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
                    + "{\"train\":true}\n")
            .map(r -> r.getBytes(StandardCharsets.US_ASCII)).toList();

    /** {@code n} requests on one keep-alive connection; how many were answered 200 with the endpoint's name. */
    private static int keptAliveRequests(int port, int n) throws IOException {
        int ok = 0;
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            for (int i = 0; i < n; i++) {
                out.write(REQUESTS.get(i % REQUESTS.size()));
                ok += readResponse(in) ? 1 : 0;
            }
        }
        return ok;
    }

    /** Reads one response framed by Content-Length; true when it is a 200 with the endpoint's name. */
    private static boolean readResponse(DataInputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        String h = head.toString();
        int at = h.toLowerCase(Locale.ROOT).indexOf("content-length:");
        if (at < 0) {
            throw new IOException("a training response without Content-Length: " + h);
        }
        int length = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
        byte[] body = new byte[length];
        in.readFully(body);
        return h.startsWith("HTTP/1.1 200 ") && new String(body, StandardCharsets.US_ASCII).equals(NAME + "\n");
    }

    /**
     * {@code n} echoes on one kept L4 connection; how many came back whole. The endpoint sends its
     * name once it has seen the first bytes (it tells raw TCP from HTTP by them), then echoes.
     */
    private static int keptAliveEchoes(int port, int n) throws IOException {
        byte[] ping = "ping\n".getBytes(StandardCharsets.US_ASCII);
        byte[] echo = new byte[ping.length];
        int ok = 0;
        try (Socket s = connect(port)) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < n; i++) {
                s.getOutputStream().write(ping);
                if (i == 0) {
                    in.readFully(new byte[NAME.length() + 1]);
                }
                in.readFully(echo);
                ok += Arrays.equals(echo, ping) ? 1 : 0;
            }
        }
        return ok;
    }

    private static boolean udp(int port) throws IOException {
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            d.setSoTimeout(5_000);
            byte[] ask = "name".getBytes(StandardCharsets.US_ASCII);
            d.send(new DatagramPacket(ask, ask.length, LOOPBACK, port));
            DatagramPacket answer = new DatagramPacket(new byte[64], 64);
            d.receive(answer);
            return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII).trim().equals(NAME);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(5_000);
        s.connect(new InetSocketAddress(LOOPBACK, port), 5_000);
        return s;
    }
}
