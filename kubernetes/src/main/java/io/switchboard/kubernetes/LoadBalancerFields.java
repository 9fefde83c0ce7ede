package io.switchboard.kubernetes;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.switchboard.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service's load-balancer fields as kube-proxy reads them: the ingress IPs it serves locally and
 * the source ranges that guard them. An ingress with {@code ipMode: Proxy} is served by the load
 * balancer itself (it proxies to node ports, and packets for that IP never arrive addressed to it),
 * so it is not served here; {@code VIP}, the default, is.
 */
final class LoadBalancerFields {

    private LoadBalancerFields() {
    }

    /** {@code status.loadBalancer.ingress[].ip} of every ingress not in {@code Proxy} mode. */
    static List<InetAddress> ingressIps(ServiceStatus status, List<FieldError> errors) {
        List<InetAddress> out = new ArrayList<>();
        if (status == null || status.getLoadBalancer() == null || status.getLoadBalancer().getIngress() == null) {
            return out;
        }
        List<LoadBalancerIngress> ingress = status.getLoadBalancer().getIngress();
        for (int i = 0; i < ingress.size(); i++) {
            LoadBalancerIngress in = ingress.get(i);
            String field = "status.loadBalancer.ingress[" + i + "]";
            String mode = in.getIpMode();
            if (mode != null && !mode.equals("VIP") && !mode.equals("Proxy")) {
                errors.add(new FieldError(field + ".ipMode", "expected VIP or Proxy, got \"" + mode + "\""));
                continue;
            }
            if (in.getIp() == null || in.getIp().isEmpty() || "Proxy".equals(mode)) {
                continue;
            }
            try {
                out.add(IpLiteral.parse(in.getIp()));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(field + ".ip", e.getMessage()));
            }
        }
        return out;
    }

    /** {@code spec.loadBalancerSourceRanges}, each a CIDR (surrounding blanks allowed, as the API does). */
    static List<Cidr> sourceRanges(ServiceSpec spec, List<FieldError> errors) {
        List<Cidr> out = new ArrayList<>();
        List<String> ranges = spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges();
        for (int i = 0; i < ranges.size(); i++) {
            String text = ranges.get(i) == null ? "" : ranges.get(i).trim();
            try {
                out.add(IpLiteral.cidr(text));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("spec.loadBalancerSourceRanges[" + i + "]", e.getMessage()));
            }
        }
        return out;
    }
}
