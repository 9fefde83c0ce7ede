package io.switchboard.tracker;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.slice;
import static io.switchboard.testing.Models.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeTrackerTest {

    private final Service a = clusterIp("ns/a", "127.0.0.10", tcp("http", 80, 8080));
    private final Service b = clusterIp("ns/b", "127.0.0.11", tcp("http", 80, 8080));

    @Test
    void reportsAddedChangedAndRemovedServicesOnly() {
        ChangeTracker tracker = new ChangeTracker();
        ClusterSnapshot first = new ClusterSnapshot(Map.of(a.id(), a, b.id(), b), Map.of());
        assertThat(tracker.changes(first)).containsExactlyInAnyOrder(a.id(), b.id());
        tracker.applied(first);

        ClusterSnapshot endpointsOfA = new ClusterSnapshot(Map.of(a.id(), a, b.id(), b),
                Map.of(a.id(), List.of(slice("ns/a", "http", 8080, ready("10.0.0.1")))));
        assertThat(tracker.changes(endpointsOfA)).containsExactly(a.id());
        tracker.applied(endpointsOfA);

        ClusterSnapshot withoutB = new ClusterSnapshot(Map.of(a.id(), a), endpointsOfA.slices());
        assertThat(tracker.changes(withoutB)).containsExactly(b.id());
    }

    @Test
    void equalButRebuiltObjectsAreNoChange() {
        ChangeTracker tracker = new ChangeTracker();
        ClusterSnapshot first = new ClusterSnapshot(Map.of(a.id(), a),
                Map.of(a.id(), List.of(slice("ns/a", "http", 8080, ready("10.0.0.1")))));
        tracker.applied(first);
        Service again = clusterIp("ns/a", "127.0.0.10", tcp("http", 80, 8080));
        ClusterSnapshot second = new ClusterSnapshot(Map.of(again.id(), again),
                Map.of(a.id(), List.of(slice("ns/a", "http", 8080, ready("10.0.0.1")))));
        assertThat(tracker.changes(second)).isEmpty();
        assertThat(tracker.changes(ClusterSnapshot.EMPTY)).containsExactly(ServiceId.parse("ns/a"));
    }
}
