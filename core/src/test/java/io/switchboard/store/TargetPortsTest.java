package io.switchboard.store;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.slice;
import static io.switchboard.testing.Models.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServicePort;
import io.switchboard.model.TargetPort;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetPortsTest {

    private static Definition definition(Service s) {
        ObjectRef ref = new ObjectRef("Service", "shop", "web");
        return new Definition(ref, new Definition.Slot("kubernetes", "", 0), new Mapped.OfService(ref, s), List.of(),
                Origin.kubernetes(ref, "1"), Definition.FieldLines.NONE);
    }

    private static Service namedTarget(String target) {
        return clusterIp("shop/web", "10.0.0.1", tcp("dns", 53, 53),
                new ServicePort("http", Protocol.TCP, 80, TargetPort.named(target), 0, ""));
    }

    @Test
    void aNamedTargetPortThatNamesNoPortOfTheEndpointsIsAnErrorListingTheirPorts() {
        ValidationError e = TargetPorts.problem(definition(namedTarget("web")),
                List.of(slice("shop/web", "metrics", 9090, ready("10.1.0.1")), slice("shop/web", "", 53)));
        assertThat(e).isNotNull();
        assertThat(e.field()).isEqualTo("spec.ports[1].targetPort");
        assertThat(e.message()).isEqualTo("\"web\" names no port of the Service's endpoints (ports: metrics=9090, "
                + "<unnamed>=53)");
    }

    @Test
    void aTargetPortNamedByTheEndpointsOrByTheServicePortsNamePasses() {
        assertThat(TargetPorts.problem(definition(namedTarget("web")),
                List.of(slice("shop/web", "web", 8080, ready("10.1.0.1"))))).isNull();
        assertThat(TargetPorts.problem(definition(namedTarget("web")),
                List.of(slice("shop/web", "http", 8080, ready("10.1.0.1"))))).isNull();
    }

    @Test
    void withoutEndpointsYetThereIsNothingToName() {
        assertThat(TargetPorts.problem(definition(namedTarget("web")), List.of())).isNull();
    }
}
