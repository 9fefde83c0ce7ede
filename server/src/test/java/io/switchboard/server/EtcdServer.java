package io.switchboard.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (apt's {@code etcd-server}) for tests: one member on loopback with its data in a
 * directory the test owns, started and stopped by PID. It can be stopped and started again on the
 * same data, on its own client port or on another one (so a test can change etcd while a watcher
 * cannot reach it).
 */
public final class EtcdServer implements AutoCloseable {

    private final Path data;
    private final Path log;
    public final int clientPort;
    private final int peerPort;
    private Process process;

    public EtcdServer(Path dir) throws IOException {
        this.data = dir.resolve("etcd-data");
        this.log = dir.resolve("etcd.log");
        this.clientPort = freePort();
        this.peerPort = freePort();
    }

    /** True when the etcd binary is installed. */
    public static boolean installed() {
        try {
            Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The client URL on its usual port. */
    public String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** Starts on the usual client port. */
    public EtcdServer start() throws Exception {
        return start(clientPort);
    }

    /** Starts on {@code port} for clients, waiting until it answers. */
    public EtcdServer start(int port) throws Exception {
        return start(port, List.of());
    }

    /** Starts on {@code port} of loopback and of {@code alsoOn} (veth ends of test namespaces). */
    public EtcdServer start(int port, List<String> alsoOn) throws Exception {
        return start(port, alsoOn, "http", List.of());
    }

    /**
     * Starts with clients on https and these TLS flags ({@code --cert-file}, {@code --key-file},
     * {@code --trusted-ca-file}, {@code --client-cert-auth}).
     */
    public EtcdServer startTls(List<String> tlsFlags) throws Exception {
        return start(clientPort, List.of(), "https", tlsFlags);
    }

    private EtcdServer start(int port, List<String> alsoOn, String scheme, List<String> extra) throws Exception {
        StringBuilder listen = new StringBuilder(scheme + "://127.0.0.1:" + port);
        alsoOn.forEach(a -> listen.append(",").append(scheme).append("://").append(a).append(':').append(port));
        String client = scheme + "://127.0.0.1:" + port;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new java.util.ArrayList<>(List.of("etcd", "--name", "sbtest", "--data-dir",
                data.toString(), "--listen-client-urls", listen.toString(), "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "sbtest=" + peer));
        command.addAll(extra);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("etcd did not start; see " + log, e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Stops it (SIGTERM by PID) and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
