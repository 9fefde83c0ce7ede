package io.switchboard.source.etcd;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's entry in the fleet: {@code PREFIX fleet/members/NODE@ADMIN}, a JSON value (node name,
 * version, admin address, pid, the config revision applied, the last sync) bound to a lease. Every
 * third of the TTL it refreshes the lease and rewrites the value, and at once when the applied
 * revision changes; when the lease is gone (etcd lost it, or was away longer than the TTL) it takes
 * a new one. A process that dies stops refreshing, and etcd deletes its entry when the lease expires.
 */
public final class FleetMember implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetMember.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** What an instance says of itself. */
    public record Identity(String node, String admin, String version, long pid) {
    }

    private final EtcdSettings settings;
    private final java.util.function.Supplier<Identity> identities;
    private volatile Identity identity;
    private final EtcdSource source;
    private final long ttlSeconds;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-fleet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean publishQueued = new AtomicBoolean();
    private volatile Client client;
    private volatile long lease;
    private volatile Instant lastSync;
    private long publishedRevision = -1;
    private String lastFailure;

    /**
     * @param identity what this instance is, asked at the first sync (its admin address is bound by then)
     * @param source   the etcd source whose applied revision is published
     * @param ttl      the lease TTL in seconds: how long a dead instance stays listed
     */
    public FleetMember(EtcdSettings settings, java.util.function.Supplier<Identity> identity, EtcdSource source,
                       long ttl) {
        this.settings = settings;
        this.identities = identity;
        this.source = source;
        this.ttlSeconds = ttl;
        if (ttl < 2) {
            throw new IllegalArgumentException("fleet lease TTL must be at least 2 s, got " + ttl);
        }
    }

    /** The key of this instance (once started). */
    public String key() {
        return settings.prefix() + EtcdSettings.MEMBERS + id();
    }

    /** This instance among the fleet, {@code NODE@ADMIN} (once started). */
    public String id() {
        return identity.node() + "@" + identity.admin();
    }

    /** The lease this instance's keys live by, 0 while it has none. */
    public long lease() {
        return lease;
    }

    /** True once registration has begun. */
    public boolean started() {
        return client != null;
    }

    /** Starts registering and refreshing. */
    private synchronized void start() {
        if (client != null || executor.isShutdown()) {
            return;
        }
        identity = identities.get();
        client = settings.client();
        long period = Math.max(500, ttlSeconds * 1000 / 3);
        executor.scheduleWithFixedDelay(this::refresh, 0, period, TimeUnit.MILLISECONDS);
    }

    /** A sync was applied: the first starts the registration; a moved revision is published at once. */
    public void synced(Instant at) {
        lastSync = at;
        if (client == null) {
            start();
            return;
        }
        if (source.configRevision() != publishedRevision && publishQueued.compareAndSet(false, true)) {
            executor.execute(() -> {
                publishQueued.set(false);
                publish();
            });
        }
    }

    private void refresh() {
        try {
            if (lease != 0) {
                try {
                    client.getLeaseClient().keepAliveOnce(lease).get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // Most likely the lease is gone (expired while etcd or this process was away): take a new one.
                    LOG.atInfo().addKeyValue("lease", lease).addKeyValue("cause", e.getCause().getMessage())
                            .log("fleet lease lost; registering again");
                    lease = 0;
                }
            }
            publish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed(e);
        }
    }

    private void publish() {
        try {
            if (lease == 0) {
                lease = client.getLeaseClient().grant(ttlSeconds).get(5, TimeUnit.SECONDS).getID();
            }
            long revision = source.configRevision();
            client.getKVClient().put(bytes(key()), bytes(JSON.writeValueAsString(value(revision))),
                    PutOption.builder().withLeaseId(lease).build()).get(5, TimeUnit.SECONDS);
            publishedRevision = revision;
            if (lastFailure != null) {
                LOG.atInfo().addKeyValue("key", key()).log("fleet entry written again");
                lastFailure = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed(e);
        }
    }

    private Map<String, Object> value(long revision) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("node", identity.node());
        v.put("admin", identity.admin());
        v.put("version", identity.version());
        v.put("pid", identity.pid());
        v.put("revision", revision);
        v.put("lastSync", lastSync == null ? null : lastSync.toString());
        v.put("written", Instant.now().toString());
        return v;
    }

    private void failed(Exception e) {
        String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        if (!String.valueOf(cause).equals(lastFailure)) {
            LOG.atWarn().addKeyValue("key", key()).addKeyValue("cause", cause)
                    .log("cannot write this instance's fleet entry; retried");
            lastFailure = String.valueOf(cause);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Stops refreshing and revokes the lease, so the entry goes at once. */
    @Override
    public synchronized void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
            if (client != null && lease != 0) {
                client.getLeaseClient().revoke(lease).get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atInfo().addKeyValue("cause", e.getMessage()).log("fleet lease not revoked; it expires with its TTL");
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
