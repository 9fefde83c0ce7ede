package io.switchboard.httpserver;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP servers Switchboard runs beside its data plane (admin, {@code /healthz}, health-check
 * node ports), made so that no client can stall them: the JDK server reads a request on its worker
 * thread, so one connection that sends half a request would hold a single worker for good. Each
 * server gets up to {@value #THREADS} workers, created on demand and retired when idle, and the
 * JDK's own limits cut a client that takes more than {@value #REQUEST_SECONDS} s to send its request
 * or {@value #RESPONSE_SECONDS} s to take its response ({@code sun.net.httpserver.maxReqTime} and
 * {@code maxRspTime}, set here unless the operator set them).
 */
public final class SmallHttpServers {

    /** Workers per server: this many slow clients at once would still queue the others for a while. */
    public static final int THREADS = 64;
    /** Seconds a client may take to send a request. */
    public static final int REQUEST_SECONDS = 5;
    /** Seconds a client may take to read a response. */
    public static final int RESPONSE_SECONDS = 30;

    static {
        // Read once, when the JDK server's configuration class loads: before the first server exists.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
        }
    }

    private SmallHttpServers() {
    }

    /** An unstarted server on {@code address}. */
    public static HttpServer create(InetSocketAddress address) throws IOException {
        return HttpServer.create(address, 256);
    }

    /** Workers for such servers, threads named {@code name-N}; the caller shuts it down. */
    public static ExecutorService executor(String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
