package io.switchboard.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made by a test and joined to the test's own by a veth pair: {@code hostAddress}
 * on this side, {@code nsAddress} inside. Processes started in it ({@link #start}) are stopped by
 * PID by the test; closing deletes the namespace, which deletes both ends of the pair.
 */
public final class NetNs implements AutoCloseable {

    public final String name;
    public final String hostAddress;
    public final String nsAddress;
    private final String hostLink;

    /** Null when namespaces can be made here, else why not (for a skipped test). */
    public static String unavailable() {
        try {
            if (!"0".equals(output("id", "-u").trim())) {
                return "needs root to create network namespaces";
            }
            output("ip", "netns", "list");
            return null;
        } catch (IOException e) {
            return "no usable `ip netns`: " + e.getMessage();
        }
    }

    /** A namespace with one veth pair on {@code prefix}.1 (here) and {@code prefix}.2 (inside), a /24. */
    public NetNs(String prefix) throws IOException {
        this(prefix, null);
    }

    /**
     * A namespace joined to {@code peer}'s (this one's when null) by a veth pair, {@code prefix}.1 on
     * the peer's side and {@code prefix}.2 inside, a /24: a pod beside its node, a client beside it.
     */
    public NetNs(String prefix, NetNs peer) throws IOException {
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        this.name = "sbtest-" + id;
        this.hostLink = "sbh" + id;
        this.hostAddress = prefix + ".1";
        this.nsAddress = prefix + ".2";
        String nsLink = "sbn" + id;
        run("ip", "netns", "add", name);
        try {
            run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
            run("ip", "link", "set", nsLink, "netns", name);
            if (peer != null) {
                run("ip", "link", "set", hostLink, "netns", peer.name);
                peer.inside("ip", "addr", "add", hostAddress + "/24", "dev", hostLink);
                peer.inside("ip", "link", "set", hostLink, "up");
            } else {
                run("ip", "addr", "add", hostAddress + "/24", "dev", hostLink);
                run("ip", "link", "set", hostLink, "up");
            }
            inside("ip", "addr", "add", nsAddress + "/24", "dev", nsLink);
            inside("ip", "link", "set", nsLink, "up");
            inside("ip", "link", "set", "lo", "up");
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** Runs a command inside, waiting for it; throws with its output when it fails. */
    public String inside(String... command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        return output(c.toArray(String[]::new));
    }

    /** Starts a process inside ({@code ip netns exec} executes it in place: the PID is its own). */
    public Process start(Path log, String... command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        return new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void run(String... command) throws IOException {
        output(command);
    }

    private static String output(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }
}
