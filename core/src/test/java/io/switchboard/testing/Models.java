package io.switchboard.testing;

import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import io.switchboard.model.SessionAffinity;
import io.switchboard.model.TargetPort;
import io.switchboard.model.TrafficPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Terse constructors of model objects for tests. */
public final class Models {

    private Models() {
    }

    public static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static ServicePort tcp(String name, int port, int target) {
        return new ServicePort(name, Protocol.TCP, port, TargetPort.of(target), 0, "");
    }

    public static Service clusterIp(String id, String clusterIp, ServicePort... ports) {
        return new Service(ServiceId.parse(id), ServiceType.CLUSTER_IP, List.of(ip(clusterIp)), List.of(), List.of(),
                List.of(ports), SessionAffinity.NONE, TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER,
                ServiceOptions.DEFAULT);
    }

    public static Service withType(Service s, ServiceType type) {
        return new Service(s.id(), type, s.clusterIps(), s.externalIps(), s.loadBalancerIps(), s.ports(), s.affinity(),
                s.externalTrafficPolicy(), s.internalTrafficPolicy(), s.options());
    }

    public static Service withExternalIps(Service s, String... ips) {
        return new Service(s.id(), s.type(), s.clusterIps(), java.util.Arrays.stream(ips).map(Models::ip).toList(),
                s.loadBalancerIps(), s.ports(), s.affinity(), s.externalTrafficPolicy(), s.internalTrafficPolicy(),
                s.options());
    }

    public static Service withAffinity(Service s, SessionAffinity affinity) {
        return new Service(s.id(), s.type(), s.clusterIps(), s.externalIps(), s.loadBalancerIps(), s.ports(), affinity,
                s.externalTrafficPolicy(), s.internalTrafficPolicy(), s.options());
    }

    public static Service withPolicies(Service s, TrafficPolicy external, TrafficPolicy internal) {
        return new Service(s.id(), s.type(), s.clusterIps(), s.externalIps(), s.loadBalancerIps(), s.ports(),
                s.affinity(), external, internal, s.options());
    }

    public static Service withOptions(Service s, ServiceOptions options) {
        return new Service(s.id(), s.type(), s.clusterIps(), s.externalIps(), s.loadBalancerIps(), s.ports(),
                s.affinity(), s.externalTrafficPolicy(), s.internalTrafficPolicy(), options);
    }

    public static Endpoint ready(String address) {
        return new Endpoint(List.of(ip(address)), EndpointConditions.READY, null, null, null);
    }

    public static Endpoint endpoint(String address, EndpointConditions conditions, String node) {
        return new Endpoint(List.of(ip(address)), conditions, node, null, null);
    }

    public static EndpointSlice slice(String service, String portName, int port, Endpoint... endpoints) {
        ServiceId id = ServiceId.parse(service);
        return new EndpointSlice(id.name() + "-abc", id, List.of(new EndpointPort(portName, Protocol.TCP, port)),
                List.of(endpoints), false);
    }
}
