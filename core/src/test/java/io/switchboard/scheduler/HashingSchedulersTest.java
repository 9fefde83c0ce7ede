package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static io.switchboard.scheduler.Picks.to;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sh and dh. */
class HashingSchedulersTest {

    private final TestDestination a = TestDestination.of("A", 2);
    private final TestDestination b = TestDestination.of("B", 1);

    private static Scheduler<TestDestination> sh(Set<SchedulerFlag> flags, TestDestination... ds) {
        return Schedulers.create(Algorithm.SH, List.of(ds), SchedulerConfig.DEFAULT.withFlags(flags));
    }

    @Test
    void shFillsBucketsByWeightInListOrder() {
        SourceHashingScheduler<TestDestination> s = new SourceHashingScheduler<>(List.of(a, b), false, false);
        StringBuilder first = new StringBuilder();
        int countA = 0;
        for (int i = 0; i < SourceHashingScheduler.TABLE_SIZE; i++) {
            if (i < 6) {
                first.append(s.bucket(i).name);
            }
            if (s.bucket(i) == a) {
                countA++;
            }
        }
        assertThat(first.toString()).isEqualTo("AABAAB");
        assertThat(countA).isEqualTo(171);
    }

    @Test
    void shMapsTheBucketOfHash32OfTheClientAddress() {
        SourceHashingScheduler<TestDestination> s = new SourceHashingScheduler<>(List.of(a, b), false, false);
        // 192.168.1.1 = 0xC0A80101; hash_32 keeps the top 8 bits of the product with 0x61C88647.
        int bucket = (0xC0A80101 * 0x61C88647) >>> 24;
        assertThat(s.pick(from("192.168.1.1"))).isSameAs(s.bucket(bucket));
    }

    @Test
    void shKeepsAClientOnOneDestinationAndSpreadsClients() {
        Scheduler<TestDestination> s = sh(Set.of(), a, b);
        Map<String, Integer> perDestination = new HashMap<>();
        for (int i = 1; i <= 250; i++) {
            String client = "10.2." + i + ".7";
            TestDestination first = s.pick(from(client, 1000));
            assertThat(s.pick(from(client, 2000))).isSameAs(first);
            perDestination.merge(first.name, 1, Integer::sum);
        }
        assertThat(perDestination.keySet()).containsExactlyInAnyOrder("A", "B");
    }

    @Test
    void shRefusesWhenTheHashedDestinationIsDownUnlessFallbackIsSet() {
        Scheduler<TestDestination> strict = sh(Set.of(), a, b);
        Scheduler<TestDestination> lenient = sh(Set.of(SchedulerFlag.SH_FALLBACK), a, b);
        String client = clientHashingTo(strict, a);
        a.down();
        assertThat(strict.pick(from(client))).isNull();
        assertThat(lenient.pick(from(client))).isSameAs(b);
        b.down();
        assertThat(lenient.pick(from(client))).isNull();
    }

    @Test
    void shPortFlagSpreadsOneClientsPorts() {
        Scheduler<TestDestination> s = sh(Set.of(SchedulerFlag.SH_PORT), a, b);
        Set<String> seen = new HashSet<>();
        for (int port = 1000; port < 1100; port++) {
            seen.add(s.pick(from("10.9.9.9", port)).name);
        }
        assertThat(seen).containsExactlyInAnyOrder("A", "B");
    }

    @Test
    void dhSticksEachServiceAddressToOneDestination() {
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.DH, List.of(a, b), SchedulerConfig.DEFAULT);
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < 50; i++) {
            TestDestination d = s.pick(to("127.0.0." + i));
            assertThat(s.pick(PickContext.of(Picks.ip("10.7.7.7"), 1, Picks.ip("127.0.0." + i), 80))).isSameAs(d);
            seen.add(d.name);
        }
        assertThat(seen).as("one bucket each, so both are used").containsExactlyInAnyOrder("A", "B");
        int bucket = (0x7F000005 * (int) 2654435761L) & 255;
        assertThat(s.pick(to("127.0.0.5")).name).isEqualTo(bucket % 2 == 0 ? "A" : "B");
        TestDestination chosen = s.pick(to("127.0.0.5"));
        chosen.down();
        assertThat(s.pick(to("127.0.0.5"))).isNull();
    }

    private static String clientHashingTo(Scheduler<TestDestination> s, TestDestination target) {
        for (int i = 1; i < 255; i++) {
            String client = "10.3.0." + i;
            if (s.pick(from(client)) == target) {
                return client;
            }
        }
        throw new AssertionError("no client hashes to " + target);
    }
}
