package io.switchboard.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.bench.micro.Fixtures;
import io.switchboard.dataplane.RoutingState;
import io.switchboard.model.Protocol;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.scheduler.Algorithm;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-datagram work of {@link UdpFlowTable}, the user-space part of UDP's cost: a client datagram on
 * an existing flow (flow lookup, revalidation against the routing table, copy into a buffer of its own
 * size, the write to the flow's socket and the counters), an endpoint's reply on that flow back to the
 * client, and a client datagram that opens a new flow in a full table (scheduling, evicting the least
 * recently used flow and closing its socket, creating and registering the new flow's socket).
 *
 * <p>As in {@code UdpFlowTableTest}, the listener and the flow sockets are {@link EmbeddedChannel}s
 * whose outbound writes are released where the kernel would take them, so no syscall is measured:
 * what remains is exactly what Switchboard adds per datagram. The new-flow figure therefore holds an
 * embedded channel's construction and close in place of a socket's ({@code socket}, {@code connect},
 * {@code close} and the epoll registration are not in it). The clock is {@link System#nanoTime}, as in
 * production. 64-byte payloads, a Service of three round-robin endpoints, default flow bound 8,192.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UdpFlowTableBenchmark {

    /** The default {@code --max-udp-flows}; one event loop holding all of them. */
    static final int MAX_FLOWS = 8192;
    /** Flows that already exist in the existing-flow benchmarks: half the bound, so none is evicted. */
    static final int RESIDENT = 4096;
    static final int PAYLOAD = 64;

    /** Takes what the table writes, as the kernel would, so embedded channels do not queue it forever. */
    @ChannelHandler.Sharable
    static final class Discard extends ChannelOutboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
        }
    }

    /** A table on an embedded listener, one Service, and seeded client addresses. */
    abstract static class Flows {
        final VirtualAddress vip = new VirtualAddress(Fixtures.ip(10, 96, 0, 10), 53, Protocol.UDP);
        EmbeddedChannel listener;
        UdpFlowTable table;
        /** The flow sockets in the order the table opened them, when {@code open} was asked to keep them. */
        final List<EmbeddedChannel> upstreams = new ArrayList<>();
        InetSocketAddress[] clients;
        ByteBuf payload;
        int next;

        void open(int maxFlows, int clientCount, boolean keepUpstreams) {
            Random random = new Random(Fixtures.SEED);
            RoutingState state = new RoutingState(AffinityTable.create(1_000_000));
            state.publish(Fixtures.table(Algorithm.RR, 3, Protocol.UDP, vip.address(), vip.port(), 5353, random));
            listener = new EmbeddedChannel(Discard.INSTANCE);
            table = new UdpFlowTable(listener.eventLoop(), state, address -> {
                // Unregistered, as a transport's new channel is: the table registers it on its loop.
                EmbeddedChannel c = new EmbeddedChannel(false, false, Discard.INSTANCE);
                if (keepUpstreams) {
                    upstreams.add(c);
                }
                return c;
            }, maxFlows, System::nanoTime);
            // Distinct clients (address and port), so each one is its own flow.
            java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
            clients = new InetSocketAddress[clientCount];
            for (int i = 0; i < clientCount; ) {
                InetSocketAddress c = new InetSocketAddress(Fixtures.clientAddress(random), Fixtures.clientPort(random));
                if (seen.add(c)) {
                    clients[i++] = c;
                }
            }
            payload = Unpooled.directBuffer(PAYLOAD, PAYLOAD);
            for (int i = 0; i < PAYLOAD; i++) {
                payload.writeByte(random.nextInt(256));
            }
        }

        void send(InetSocketAddress client) {
            // The table copies out of the datagram without moving its reader index, so one buffer serves every call.
            table.fromClient(listener, vip, client, payload);
            table.flushUpstreams();
        }

        @TearDown
        public void tearDown() {
            table.close();
            for (EmbeddedChannel c : upstreams) {
                c.finishAndReleaseAll();
            }
            listener.finishAndReleaseAll();
            payload.release();
        }
    }

    /** 4,096 flows, each opened by one datagram; each later datagram goes to one of them. */
    @State(Scope.Thread)
    public static class Existing extends Flows {
        @Setup(Level.Trial)
        public void setUp() {
            open(MAX_FLOWS, RESIDENT, true);
            for (InetSocketAddress c : clients) {
                send(c);
            }
            if (table.size() != RESIDENT || upstreams.size() != RESIDENT) {
                throw new IllegalStateException(table.size() + " flows, " + upstreams.size() + " sockets");
            }
        }
    }

    /**
     * A full table and eight times as many clients as it holds, each datagram from the next client: a
     * client comes round again only after 57,344 others have each opened a flow and pushed it out, so
     * every datagram opens a flow and evicts one.
     */
    @State(Scope.Thread)
    public static class Full extends Flows {
        static final int CLIENTS = 8 * MAX_FLOWS;

        @Setup(Level.Trial)
        public void setUp() {
            // Millions of flows open and close per iteration: holding on to their channels would fill the heap.
            open(MAX_FLOWS, CLIENTS, false);
            for (int i = 0; i < MAX_FLOWS; i++) {
                send(clients[i]);
            }
            next = MAX_FLOWS;
            if (table.size() != MAX_FLOWS) {
                throw new IllegalStateException(table.size() + " flows");
            }
        }
    }

    /** A client datagram on an existing flow, up to the write to the flow's socket. */
    @Benchmark
    public int clientDatagramExistingFlow(Existing s) {
        int i = s.next;
        s.next = (i + 1) & (RESIDENT - 1);
        s.send(s.clients[i]);
        return s.table.size();
    }

    /**
     * An endpoint's reply on an existing flow, from the flow socket's read to the write to the client
     * through the listener and the once-per-loop-pass flush task ({@link EmbeddedChannel#writeInbound}
     * runs that task, as the event loop would after the read).
     */
    @Benchmark
    public boolean endpointReplyExistingFlow(Existing s) {
        int i = s.next;
        s.next = (i + 1) & (RESIDENT - 1);
        // The handler releases what it reads; retaining first keeps the one payload buffer alive.
        return s.upstreams.get(i).writeInbound(s.payload.retain());
    }

    /** A client datagram that opens a flow in a full table, evicting the least recently used one. */
    @Benchmark
    public int clientDatagramNewFlow(Full s) {
        int i = s.next;
        s.next = i + 1 == Full.CLIENTS ? 0 : i + 1;
        s.send(s.clients[i]);
        // Closing the evicted flow's channel queues its deregistration on the loop; an event loop runs such
        // tasks after the read, and the embedded one only when asked, so ask, or the queue grows without end.
        s.listener.runPendingTasks();
        return s.table.size();
    }
}
