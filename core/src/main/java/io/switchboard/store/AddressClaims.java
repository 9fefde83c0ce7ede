package io.switchboard.store;

import io.switchboard.model.HostPort;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses a Service claims, each as a key that two Services may not share ({@code IP:port/proto}
 * or {@code nodePort N/proto}), with the field that claims it. Node ports also claim
 * {@code IP:nodePort/proto} on every node-port address, so a Service cannot take a port there that
 * a node port serves.
 */
final class AddressClaims {

    private AddressClaims() {
    }

    static Map<String, String> of(Service svc, List<InetAddress> nodePortAddresses) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort p = svc.ports().get(i);
            for (InetAddress ip : svc.clusterIps()) {
                wanted.put(key(ip, p.port(), p.protocol()), "spec.ports[" + i + "].port");
            }
            for (InetAddress ip : svc.externalIps()) {
                wanted.put(key(ip, p.port(), p.protocol()), "spec.externalIPs");
            }
            for (InetAddress ip : svc.loadBalancerIps()) {
                wanted.put(key(ip, p.port(), p.protocol()), "status.loadBalancer.ingress");
            }
            if (p.nodePort() > 0) {
                wanted.put("nodePort " + p.nodePort() + "/" + p.protocol(), "spec.ports[" + i + "].nodePort");
                if (svc.type() != ServiceType.CLUSTER_IP) {
                    for (InetAddress ip : nodePortAddresses) {
                        wanted.put(key(ip, p.nodePort(), p.protocol()), "spec.ports[" + i + "].nodePort");
                    }
                }
            }
        }
        return wanted;
    }

    private static String key(InetAddress ip, int port, Protocol protocol) {
        return HostPort.of(ip, port) + "/" + protocol;
    }
}
