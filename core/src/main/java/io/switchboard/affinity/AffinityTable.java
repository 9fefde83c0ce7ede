package io.switchboard.affinity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Remembers which destination a client IP was sent to, per group (a Service port and scope), for
 * {@code sessionAffinity: ClientIP}. Each entry expires after its group's timeout; every use
 * refreshes it, as each new connection refreshes kube-proxy's and IPVS's persistence. The table is
 * bounded: past its maximum the least recently used entries go first, so a flood of clients cannot
 * exhaust memory.
 *
 * @param <V> what is remembered
 */
public final class AffinityTable<V> {

    /** One client in one group. */
    public record Key(Object group, InetAddress client) {
        public Key {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(client, "client");
        }
    }

    /** A remembered choice and how long it lives unused. */
    private record Entry<V>(V value, long timeoutNanos) {
    }

    /** An entry as the admin view shows it. */
    public record View<V>(Key key, V value, long timeoutNanos) {
    }

    private final Cache<Key, Entry<V>> cache;

    /**
     * A table.
     *
     * @param maximumSize the bound on entries
     * @param ticker      the clock; tests step a fake one
     */
    public AffinityTable(long maximumSize, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                // Maintenance runs on the calling thread: no hidden pool, and tests stay deterministic.
                .executor(Runnable::run)
                .expireAfter(new Expiry<Key, Entry<V>>() {
                    @Override
                    public long expireAfterCreate(Key key, Entry<V> value, long currentTime) {
                        return value.timeoutNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Entry<V> value, long currentTime, long currentDuration) {
                        return value.timeoutNanos();
                    }

                    @Override
                    public long expireAfterRead(Key key, Entry<V> value, long currentTime, long currentDuration) {
                        return value.timeoutNanos();
                    }
                })
                .build();
    }

    /** A table on the system clock. */
    public static <V> AffinityTable<V> create(long maximumSize) {
        return new AffinityTable<>(maximumSize, Ticker.systemTicker());
    }

    /** The remembered value, refreshing its timeout, or null when none or expired. */
    public V lookup(Key key) {
        Entry<V> e = cache.getIfPresent(key);
        return e == null ? null : e.value();
    }

    /** Remembers a value for {@code timeoutNanos}. */
    public void remember(Key key, V value, long timeoutNanos) {
        cache.put(key, new Entry<>(value, timeoutNanos));
    }

    /** Forgets one entry. */
    public void forget(Key key) {
        cache.invalidate(key);
    }

    /** Forgets every entry whose key or value matches. */
    public void forgetIf(Predicate<Key> keyTest, Predicate<V> valueTest) {
        cache.asMap().entrySet().removeIf(e -> keyTest.test(e.getKey()) || valueTest.test(e.getValue().value()));
    }

    /** The current entries. */
    public List<View<V>> entries() {
        List<View<V>> out = new ArrayList<>();
        for (Map.Entry<Key, Entry<V>> e : cache.asMap().entrySet()) {
            out.add(new View<>(e.getKey(), e.getValue().value(), e.getValue().timeoutNanos()));
        }
        return out;
    }

    /** The number of entries (approximate while expiring). */
    public long size() {
        return cache.estimatedSize();
    }

    /** Runs pending expiry now. */
    public void cleanUp() {
        cache.cleanUp();
    }
}
