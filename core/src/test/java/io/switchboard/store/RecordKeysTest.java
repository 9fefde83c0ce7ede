package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.Protocol;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServicePortName;
import io.switchboard.routing.VirtualAddress;
import java.net.InetAddress;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The keys whose equals and hashCode are written out: equal by every component, and hashed as a
 * generated record method would (so no map's order changes with them).
 */
class RecordKeysTest {

    private static int generated(Object... components) {
        int h = 0;
        for (Object c : components) {
            h = 31 * h + Objects.hashCode(c);
        }
        return h;
    }

    @Test
    void objectRefs() {
        ObjectRef a = new ObjectRef("Service", "ns", "web");
        assertThat(a).isEqualTo(new ObjectRef("Service", "ns", "web"))
                .isNotEqualTo(new ObjectRef("EndpointSlice", "ns", "web"))
                .isNotEqualTo(new ObjectRef("Service", "other", "web"))
                .isNotEqualTo(new ObjectRef("Service", "ns", "api"))
                .isNotEqualTo("Service ns/web");
        assertThat(a.hashCode()).isEqualTo(generated("Service", "ns", "web"));
    }

    @Test
    void serviceIdsAndPortNames() {
        ServiceId id = new ServiceId("ns", "web");
        assertThat(id).isEqualTo(new ServiceId("ns", "web")).isNotEqualTo(new ServiceId("ns", "api"))
                .isNotEqualTo(new ServiceId("x", "web"));
        assertThat(id.hashCode()).isEqualTo(generated("ns", "web"));
        ServicePortName p = new ServicePortName(id, "http", Protocol.TCP);
        assertThat(p).isEqualTo(new ServicePortName(new ServiceId("ns", "web"), "http", Protocol.TCP))
                .isNotEqualTo(new ServicePortName(id, "http", Protocol.UDP))
                .isNotEqualTo(new ServicePortName(id, "dns", Protocol.TCP));
        assertThat(p.hashCode()).isEqualTo(generated(id, "http", Protocol.TCP));
    }

    @Test
    void slotsAndVirtualAddresses() throws Exception {
        Definition.Slot s = new Definition.Slot("file", "/m/a.yaml", 3);
        assertThat(s).isEqualTo(new Definition.Slot("file", "/m/a.yaml", 3))
                .isNotEqualTo(new Definition.Slot("file", "/m/a.yaml", 4))
                .isNotEqualTo(new Definition.Slot("file", "/m/b.yaml", 3))
                .isNotEqualTo(new Definition.Slot("etcd", "/m/a.yaml", 3));
        assertThat(s.hashCode()).isEqualTo(generated("file", "/m/a.yaml", 3));
        InetAddress ip = InetAddress.getByName("10.0.0.1");
        VirtualAddress v = new VirtualAddress(ip, 80, Protocol.TCP);
        assertThat(v).isEqualTo(new VirtualAddress(InetAddress.getByName("10.0.0.1"), 80, Protocol.TCP))
                .isNotEqualTo(new VirtualAddress(ip, 81, Protocol.TCP))
                .isNotEqualTo(new VirtualAddress(ip, 80, Protocol.UDP))
                .isNotEqualTo(new VirtualAddress(InetAddress.getByName("10.0.0.2"), 80, Protocol.TCP));
        assertThat(v.hashCode()).isEqualTo(generated(ip, 80, Protocol.TCP));
    }
}
