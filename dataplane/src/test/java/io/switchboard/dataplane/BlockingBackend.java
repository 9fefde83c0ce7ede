package io.switchboard.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-socket test endpoint: greets each connection with its name and a newline, then echoes
 * everything until the client half-closes, then closes. Thread per connection; no Netty, so the
 * proxy's buffer memory is all that Netty allocates in these tests.
 */
public final class BlockingBackend implements AutoCloseable {

    private final String name;
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean resetOnFirstByte;

    public BlockingBackend(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        pool.execute(this::acceptLoop);
    }

    /** Makes the endpoint answer the first byte it reads with a TCP reset. */
    public BlockingBackend resetOnFirstByte() {
        this.resetOnFirstByte = true;
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String name() {
        return name;
    }

    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (resetOnFirstByte) {
                    s.setSoLinger(true, 0);
                    return;
                }
                out.write(buf, 0, n);
            }
            out.flush();
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        pool.shutdownNow();
    }
}
