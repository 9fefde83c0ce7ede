package io.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A UDP echo endpoint and load generator for {@code bench/udp.sh}.
 *
 * <pre>
 * UdpLoad echo HOST:PORT
 * UdpLoad window HOST:PORT CLIENTS SECONDS PAYLOAD WINDOW   closed loop: WINDOW datagrams in flight per client
 * UdpLoad rate HOST:PORT CLIENTS SECONDS PAYLOAD PPS        open loop: PPS datagrams per second in total
 * </pre>
 *
 * Each client is its own socket (its own flow). Every load is bounded by SECONDS, and replies are
 * awaited one more second after sending stops. Prints one line: sent, received, loss and rates.
 */
public final class UdpLoad {

    private UdpLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(address(args[1]));
            case "window", "rate" -> load(args[0], address(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]));
            default -> throw new IllegalArgumentException("usage: echo|window|rate ...");
        }
    }

    private static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    /** Echoes every datagram back to its sender, on one thread per core. */
    private static void echo(InetSocketAddress listen) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
            ch.bind(listen);
            Thread th = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
                try {
                    while (true) {
                        buf.clear();
                        var from = ch.receive(buf);
                        buf.flip();
                        ch.send(buf, from);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "echo-" + t);
            th.start();
            all.add(th);
        }
        System.out.println("echo listening on " + listen);
        for (Thread th : all) {
            th.join();
        }
    }

    private static void load(String mode, InetSocketAddress target, int clients, int seconds, int payload, long param)
            throws Exception {
        LongAdder sent = new LongAdder();
        LongAdder received = new LongAdder();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicBoolean receiving = new AtomicBoolean(true);
        List<DatagramChannel> channels = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            ch.connect(target);
            ch.configureBlocking(false);
            channels.add(ch);
        }
        int threads = Math.max(1, Math.min(clients, Runtime.getRuntime().availableProcessors()));
        List<Thread> workers = new ArrayList<>();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        for (int t = 0; t < threads; t++) {
            List<DatagramChannel> mine = new ArrayList<>();
            for (int i = t; i < clients; i += threads) {
                mine.add(channels.get(i));
            }
            long ratePerThread = mode.equals("rate") ? Math.max(1, param / threads) : 0;
            Thread th = new Thread(() -> run(mode, mine, payload, param, ratePerThread, deadline, sent, received,
                    sending, receiving));
            th.start();
            workers.add(th);
        }
        Thread.sleep(seconds * 1000L);
        sending.set(false);
        Thread.sleep(1000);
        receiving.set(false);
        for (Thread th : workers) {
            th.join();
        }
        long s = sent.sum();
        long r = received.sum();
        System.out.printf(Locale.ROOT, "sent=%d received=%d loss=%.3f%% sent_pps=%.0f received_pps=%.0f%n", s, r,
                s == 0 ? 0.0 : 100.0 * (s - r) / s, s / (double) seconds, r / (double) seconds);
        for (DatagramChannel ch : channels) {
            ch.close();
        }
    }

    private static void run(String mode, List<DatagramChannel> mine, int payload, long window, long ratePerThread,
                            long deadline, LongAdder sent, LongAdder received, AtomicBoolean sending,
                            AtomicBoolean receiving) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.max(payload, 1));
        ByteBuffer in = ByteBuffer.allocateDirect(65_536);
        long[] inFlight = new long[mine.size()];
        long[] lastProgress = new long[mine.size()];
        long start = System.nanoTime();
        java.util.Arrays.fill(lastProgress, start);
        long mySent = 0;
        try {
            while (receiving.get()) {
                boolean canSend = sending.get() && System.nanoTime() < deadline;
                for (int i = 0; i < mine.size(); i++) {
                    DatagramChannel ch = mine.get(i);
                    while (true) {
                        in.clear();
                        if (ch.read(in) <= 0) {
                            break;
                        }
                        received.increment();
                        inFlight[i] = Math.max(0, inFlight[i] - 1);
                        lastProgress[i] = System.nanoTime();
                    }
                    if (!canSend) {
                        continue;
                    }
                    if (mode.equals("window")) {
                        long now = System.nanoTime();
                        if (inFlight[i] > 0 && now - lastProgress[i] > 2_000_000L) {
                            // No reply for 2 ms: what is in flight is lost; reopen the window.
                            inFlight[i] = 0;
                            lastProgress[i] = now;
                        }
                        while (inFlight[i] < window) {
                            out.clear().limit(payload);
                            if (ch.write(out) <= 0 && payload > 0) {
                                break;
                            }
                            inFlight[i]++;
                            sent.increment();
                        }
                    } else {
                        long due = (System.nanoTime() - start) * ratePerThread / 1_000_000_000L;
                        if (mySent < due) {
                            out.clear().limit(payload);
                            ch.write(out);
                            mySent++;
                            sent.increment();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // A refused datagram (nothing listening yet) ends this worker; the counts show it.
        }
    }
}
