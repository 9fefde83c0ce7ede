package io.switchboard.kubernetes;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ServiceSpec;
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
import io.switchboard.store.Mapped;
import io.switchboard.store.ObjectRef;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps fabric8 Kubernetes objects into Switchboard's model, validating every field it reads. The
 * manifest source and any API source use this one mapping, so an object means the same wherever
 * it comes from. An object with errors maps to nothing; the caller keeps its last good version.
 */
public final class ResourceMapper {

    /** The label kube-proxy uses to hand a Service to another proxy. */
    public static final String SERVICE_PROXY_NAME = "service.kubernetes.io/service-proxy-name";
    /** The label tying an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern IANA_SVC_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** The mapping of one object: what it became (null when invalid), and its errors. */
    public record Outcome(Mapped mapped, List<FieldError> errors) {
        public Outcome {
            errors = List.copyOf(errors);
        }
    }

    private final String proxyName;

    /** A mapper for a proxy that answers to {@code proxyName} in the service-proxy-name label. */
    public ResourceMapper(String proxyName) {
        this.proxyName = Objects.requireNonNull(proxyName, "proxyName");
    }

    /** The identity of a fabric8 object. */
    public static ObjectRef refOf(HasMetadata obj) {
        ObjectMeta m = obj.getMetadata();
        String ns = m == null || m.getNamespace() == null || m.getNamespace().isEmpty() ? "default" : m.getNamespace();
        return new ObjectRef(obj.getKind(), ns, m == null ? "" : m.getName());
    }

    /** Maps a Service, EndpointSlice or Endpoints object. */
    public Outcome map(HasMetadata obj) {
        List<FieldError> errors = new ArrayList<>();
        ObjectRef ref = refOf(obj);
        if (ref.name() == null || ref.name().isEmpty()) {
            errors.add(new FieldError("metadata.name", "required"));
            return new Outcome(null, errors);
        }
        Mapped mapped;
        if (obj instanceof io.fabric8.kubernetes.api.model.Service s) {
            mapped = service(ref, s, errors);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s) {
            mapped = slice(ref, s, errors);
        } else if (obj instanceof Endpoints e) {
            mapped = endpoints(ref, e, errors);
        } else {
            mapped = new Mapped.Ignored(ref, "Switchboard reads only Service, EndpointSlice and Endpoints");
        }
        return new Outcome(errors.isEmpty() ? mapped : null, errors);
    }

    private Mapped service(ObjectRef ref, io.fabric8.kubernetes.api.model.Service s, List<FieldError> errors) {
        ServiceId id = new ServiceId(ref.namespace(), ref.name());
        Map<String, String> labels = s.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(SERVICE_PROXY_NAME);
        if (owner != null && !owner.equals(proxyName)) {
            return new Mapped.Ignored(ref, "label " + SERVICE_PROXY_NAME + "=" + owner + " hands it to another proxy");
        }
        ServiceSpec spec = s.getSpec();
        if (spec == null) {
            errors.add(new FieldError("spec", "required"));
            return null;
        }
        String typeText = spec.getType() == null ? "ClusterIP" : spec.getType();
        ServiceType type;
        switch (typeText) {
            case "ClusterIP" -> type = ServiceType.CLUSTER_IP;
            case "NodePort" -> type = ServiceType.NODE_PORT;
            case "LoadBalancer" -> type = ServiceType.LOAD_BALANCER;
            case "ExternalName" -> {
                return new Mapped.Ignored(ref, "type ExternalName is a DNS alias; there is nothing to proxy");
            }
            default -> {
                errors.add(new FieldError("spec.type", "expected ClusterIP, NodePort, LoadBalancer or ExternalName, got \""
                        + typeText + "\""));
                return null;
            }
        }
        if ("None".equals(spec.getClusterIP())) {
            return new Mapped.Ignored(ref, "headless (clusterIP: None): clients reach endpoints directly");
        }
        List<InetAddress> clusterIps = new ArrayList<>();
        List<String> ipTexts = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                : spec.getClusterIP() == null || spec.getClusterIP().isEmpty() ? List.of() : List.of(spec.getClusterIP());
        String ipsField = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? "spec.clusterIPs" : "spec.clusterIP";
        for (int i = 0; i < ipTexts.size(); i++) {
            addIp(clusterIps, ipTexts.get(i), ipsField.equals("spec.clusterIPs") ? ipsField + "[" + i + "]" : ipsField,
                    errors);
        }
        List<InetAddress> externalIps = new ArrayList<>();
        List<String> ext = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
        for (int i = 0; i < ext.size(); i++) {
            addIp(externalIps, ext.get(i), "spec.externalIPs[" + i + "]", errors);
        }
        List<InetAddress> lbIps = LoadBalancerFields.ingressIps(s.getStatus(), errors);
        List<io.switchboard.model.Cidr> sourceRanges = LoadBalancerFields.sourceRanges(spec, errors);
        List<ServicePort> ports = ports(spec, type, errors);
        boolean hasNodePort = ports.stream().anyMatch(p -> p.nodePort() > 0);
        if (clusterIps.isEmpty() && externalIps.isEmpty() && lbIps.isEmpty() && !hasNodePort && errors.isEmpty()) {
            errors.add(new FieldError("spec.clusterIP", "required: a manifest Service must name the address it is"
                    + " served on (there is no API server here to allocate one)"));
        }
        SessionAffinity affinity = affinity(spec, errors);
        TrafficPolicy external = policy(spec.getExternalTrafficPolicy(), "spec.externalTrafficPolicy", errors);
        TrafficPolicy internal = policy(spec.getInternalTrafficPolicy(), "spec.internalTrafficPolicy", errors);
        ServiceOptions options = Annotations.parse(s.getMetadata().getAnnotations(), errors);
        int healthCheckNodePort = spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort();
        if (healthCheckNodePort < 0 || healthCheckNodePort > 65535) {
            errors.add(new FieldError("spec.healthCheckNodePort", "must be between 1 and 65535, got "
                    + healthCheckNodePort));
        } else if (healthCheckNodePort > 0 && (type != ServiceType.LOAD_BALANCER || external != TrafficPolicy.LOCAL)) {
            errors.add(new FieldError("spec.healthCheckNodePort",
                    "only a LoadBalancer Service with externalTrafficPolicy: Local has one"));
        }
        Instant created = creationTimestamp(s.getMetadata().getCreationTimestamp(), errors);
        if (!errors.isEmpty()) {
            return null;
        }
        return new Mapped.OfService(ref, new Service(id, type, clusterIps, externalIps, lbIps, ports, affinity, external,
                internal, options, healthCheckNodePort, sourceRanges), created);
    }

    /** An RFC 3339 time as the API writes it ({@code 2026-01-02T03:04:05Z}), or null when absent. */
    private static Instant creationTimestamp(String text, List<FieldError> errors) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("metadata.creationTimestamp", "expected an RFC 3339 time such as "
                    + "2026-01-02T03:04:05Z, got \"" + text + "\""));
            return null;
        }
    }

    private static void addIp(List<InetAddress> out, String text, String field, List<FieldError> errors) {
        try {
            out.add(IpLiteral.parse(text));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
        }
    }

    private static List<ServicePort> ports(ServiceSpec spec, ServiceType type, List<FieldError> errors) {
        List<io.fabric8.kubernetes.api.model.ServicePort> in = spec.getPorts() == null ? List.of() : spec.getPorts();
        if (in.isEmpty()) {
            errors.add(new FieldError("spec.ports", "at least one port is required"));
        }
        List<ServicePort> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> numbers = new HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            io.fabric8.kubernetes.api.model.ServicePort p = in.get(i);
            String f = "spec.ports[" + i + "]";
            String name = p.getName() == null ? "" : p.getName();
            if (name.isEmpty() && in.size() > 1) {
                errors.add(new FieldError(f + ".name", "required when a Service has more than one port"));
            } else if (!name.isEmpty() && (!PORT_NAME.matcher(name).matches() || name.length() > 63)) {
                errors.add(new FieldError(f + ".name", "must be lower-case letters, digits and '-', got \"" + name + "\""));
            } else if (!names.add(name)) {
                errors.add(new FieldError(f + ".name", "duplicate port name \"" + name + "\""));
            }
            Protocol protocol = protocol(p.getProtocol(), f + ".protocol", errors);
            Integer port = p.getPort();
            if (port == null || port < 1 || port > 65535) {
                errors.add(new FieldError(f + ".port", "must be between 1 and 65535, got " + port));
                continue;
            }
            if (protocol != null && !numbers.add(port + "/" + protocol)) {
                errors.add(new FieldError(f + ".port", "duplicate port " + port + "/" + protocol));
            }
            TargetPort target = targetPort(p.getTargetPort(), port, f + ".targetPort", errors);
            int nodePort = p.getNodePort() == null ? 0 : p.getNodePort();
            if (nodePort < 0 || nodePort > 65535) {
                errors.add(new FieldError(f + ".nodePort", "must be between 1 and 65535, got " + nodePort));
            } else if (nodePort > 0 && type == ServiceType.CLUSTER_IP) {
                errors.add(new FieldError(f + ".nodePort", "only NodePort and LoadBalancer Services have node ports"));
            }
            if (protocol != null && target != null) {
                out.add(new ServicePort(name, protocol, port, target, Math.max(nodePort, 0),
                        p.getAppProtocol() == null ? "" : p.getAppProtocol()));
            }
        }
        return out;
    }

    private static Protocol protocol(String text, String field, List<FieldError> errors) {
        if (text == null || text.isEmpty()) {
            return Protocol.TCP;
        }
        try {
            return Protocol.valueOf(text);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, "expected TCP, UDP or SCTP, got \"" + text + "\""));
            return null;
        }
    }

    private static TargetPort targetPort(IntOrString t, int port, String field, List<FieldError> errors) {
        if (t == null) {
            return TargetPort.of(port);
        }
        if (t.getIntVal() != null) {
            int n = t.getIntVal();
            if (n < 1 || n > 65535) {
                errors.add(new FieldError(field, "must be between 1 and 65535, got " + n));
                return null;
            }
            return TargetPort.of(n);
        }
        String s = t.getStrVal();
        if (s == null || s.isEmpty()) {
            return TargetPort.of(port);
        }
        if (s.matches("\\d+")) {
            int n = Integer.parseInt(s);
            if (n < 1 || n > 65535) {
                errors.add(new FieldError(field, "must be between 1 and 65535, got " + n));
                return null;
            }
            return TargetPort.of(n);
        }
        if (s.length() > 15 || !IANA_SVC_NAME.matcher(s).matches()) {
            errors.add(new FieldError(field, "must be a port number or a port name (up to 15 lower-case letters,"
                    + " digits and '-'), got \"" + s + "\""));
            return null;
        }
        return TargetPort.named(s);
    }

    private static SessionAffinity affinity(ServiceSpec spec, List<FieldError> errors) {
        String a = spec.getSessionAffinity();
        if (a == null || a.isEmpty() || a.equals("None")) {
            return SessionAffinity.NONE;
        }
        if (!a.equals("ClientIP")) {
            errors.add(new FieldError("spec.sessionAffinity", "expected None or ClientIP, got \"" + a + "\""));
            return SessionAffinity.NONE;
        }
        Integer timeout = null;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null) {
            timeout = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        if (timeout == null) {
            return SessionAffinity.clientIp(SessionAffinity.DEFAULT_TIMEOUT);
        }
        if (timeout < 1 || timeout > 86400) {
            errors.add(new FieldError("spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    "must be between 1 and 86400, got " + timeout));
            return SessionAffinity.NONE;
        }
        return SessionAffinity.clientIp(Duration.ofSeconds(timeout));
    }

    private static TrafficPolicy policy(String text, String field, List<FieldError> errors) {
        if (text == null || text.isEmpty() || text.equals("Cluster")) {
            return TrafficPolicy.CLUSTER;
        }
        if (text.equals("Local")) {
            return TrafficPolicy.LOCAL;
        }
        errors.add(new FieldError(field, "expected Cluster or Local, got \"" + text + "\""));
        return TrafficPolicy.CLUSTER;
    }

    private Mapped slice(ObjectRef ref, io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s,
                         List<FieldError> errors) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String serviceName = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (serviceName == null || serviceName.isEmpty()) {
            errors.add(new FieldError("metadata.labels[" + SERVICE_NAME_LABEL + "]",
                    "required: it names the Service these endpoints belong to"));
            return null;
        }
        String addressType = s.getAddressType();
        if ("FQDN".equals(addressType)) {
            return new Mapped.Ignored(ref, "addressType FQDN is not proxied (kube-proxy ignores it too)");
        }
        if (!"IPv4".equals(addressType) && !"IPv6".equals(addressType)) {
            errors.add(new FieldError("addressType", "expected IPv4, IPv6 or FQDN, got \"" + addressType + "\""));
            return null;
        }
        List<EndpointPort> ports = new ArrayList<>();
        var in = s.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort>of() : s.getPorts();
        for (int i = 0; i < in.size(); i++) {
            var p = in.get(i);
            String f = "ports[" + i + "]";
            Protocol protocol = protocol(p.getProtocol(), f + ".protocol", errors);
            Integer port = p.getPort();
            if (port != null && (port < 1 || port > 65535)) {
                errors.add(new FieldError(f + ".port", "must be between 1 and 65535, got " + port));
            } else if (protocol != null) {
                ports.add(new EndpointPort(p.getName() == null ? "" : p.getName(), protocol, port == null ? 0 : port));
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        var eps = s.getEndpoints() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of()
                : s.getEndpoints();
        boolean v4 = "IPv4".equals(addressType);
        for (int i = 0; i < eps.size(); i++) {
            var e = eps.get(i);
            String f = "endpoints[" + i + "]";
            List<InetAddress> addresses = new ArrayList<>();
            List<String> texts = e.getAddresses() == null ? List.of() : e.getAddresses();
            if (texts.isEmpty()) {
                errors.add(new FieldError(f + ".addresses", "at least one address is required"));
            }
            for (int j = 0; j < texts.size(); j++) {
                try {
                    InetAddress a = IpLiteral.parse(texts.get(j));
                    if ((a instanceof Inet4Address) != v4) {
                        errors.add(new FieldError(f + ".addresses[" + j + "]", "\"" + texts.get(j)
                                + "\" does not match addressType " + addressType));
                    } else {
                        addresses.add(a);
                    }
                } catch (IllegalArgumentException ex) {
                    errors.add(new FieldError(f + ".addresses[" + j + "]", ex.getMessage()));
                }
            }
            if (addresses.isEmpty()) {
                continue;
            }
            var c = e.getConditions();
            EndpointConditions conditions = c == null ? EndpointConditions.READY
                    : EndpointConditions.of(c.getReady(), c.getServing(), c.getTerminating());
            Set<String> zoneHints = new HashSet<>();
            Set<String> nodeHints = new HashSet<>();
            if (e.getHints() != null) {
                if (e.getHints().getForZones() != null) {
                    e.getHints().getForZones().forEach(z -> zoneHints.add(z.getName()));
                }
                if (e.getHints().getForNodes() != null) {
                    e.getHints().getForNodes().forEach(n -> nodeHints.add(n.getName()));
                }
            }
            zoneHints.remove(null);
            nodeHints.remove(null);
            endpoints.add(new Endpoint(addresses, conditions, e.getNodeName(), e.getZone(), podName(e.getTargetRef()),
                    zoneHints, nodeHints));
        }
        if (!errors.isEmpty()) {
            return null;
        }
        ServiceId service = new ServiceId(ref.namespace(), serviceName);
        return new Mapped.OfSlices(ref, List.of(new EndpointSlice(ref.name(), service, ports, endpoints, false)));
    }

    private Mapped endpoints(ObjectRef ref, Endpoints e, List<FieldError> errors) {
        ServiceId service = new ServiceId(ref.namespace(), ref.name());
        List<EndpointSlice> slices = new ArrayList<>();
        List<EndpointSubset> subsets = e.getSubsets() == null ? List.of() : e.getSubsets();
        for (int i = 0; i < subsets.size(); i++) {
            EndpointSubset subset = subsets.get(i);
            String f = "subsets[" + i + "]";
            List<EndpointPort> ports = new ArrayList<>();
            var in = subset.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of() : subset.getPorts();
            for (int j = 0; j < in.size(); j++) {
                var p = in.get(j);
                Protocol protocol = protocol(p.getProtocol(), f + ".ports[" + j + "].protocol", errors);
                Integer port = p.getPort();
                if (port == null || port < 1 || port > 65535) {
                    errors.add(new FieldError(f + ".ports[" + j + "].port", "must be between 1 and 65535, got " + port));
                } else if (protocol != null) {
                    ports.add(new EndpointPort(p.getName() == null ? "" : p.getName(), protocol, port));
                }
            }
            List<Endpoint> endpoints = new ArrayList<>();
            addresses(subset.getAddresses(), f + ".addresses", EndpointConditions.READY, endpoints, errors);
            addresses(subset.getNotReadyAddresses(), f + ".notReadyAddresses",
                    new EndpointConditions(false, false, false), endpoints, errors);
            slices.add(new EndpointSlice(ref.name() + "-subset-" + i, service, ports, endpoints, true));
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new Mapped.OfSlices(ref, slices);
    }

    private static void addresses(List<EndpointAddress> in, String field, EndpointConditions conditions,
                                  List<Endpoint> out, List<FieldError> errors) {
        if (in == null) {
            return;
        }
        for (int i = 0; i < in.size(); i++) {
            EndpointAddress a = in.get(i);
            try {
                out.add(new Endpoint(List.of(IpLiteral.parse(a.getIp())), conditions, a.getNodeName(), null,
                        podName(a.getTargetRef())));
            } catch (IllegalArgumentException ex) {
                errors.add(new FieldError(field + "[" + i + "].ip", ex.getMessage()));
            }
        }
    }

    private static String podName(ObjectReference ref) {
        return ref != null && (ref.getKind() == null || "Pod".equals(ref.getKind())) ? ref.getName() : null;
    }
}
