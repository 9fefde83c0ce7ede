package io.switchboard.kubernetes;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServicePort;
import io.switchboard.routing.EndpointResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Loads a directory (or one file) of Kubernetes manifests into a {@link ClusterSnapshot}. Files that
 * did not change since the last load are not read again, so adding one file to a directory of
 * thousands costs one parse. An object that fails validation, or sits in a file that fails to
 * parse, keeps its last good version; errors name the file, line, object and field. Not
 * thread-safe: one loader serves one sync loop.
 */
public final class ManifestLoader {

    /** What a load produced. */
    public record LoadResult(ClusterSnapshot snapshot, List<ValidationError> errors, List<String> notes, int files) {
        public LoadResult {
            errors = List.copyOf(errors);
            notes = List.copyOf(notes);
        }
    }

    /** One object of a file: what it maps to (null when invalid) and its errors. */
    private record Candidate(ObjectRef ref, ResourceMapper.Mapped mapped, ManifestDocument doc,
                             List<ValidationError> errors) {
    }

    /** A file as last read. */
    private record FileState(long size, FileTime modified, List<Candidate> candidates, ValidationError syntaxError) {
    }

    /** An object in effect, and where it came from. */
    private record Accepted(ResourceMapper.Mapped mapped, ManifestDocument doc) {
    }

    private final Path root;
    private final ResourceMapper mapper;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final Map<Path, FileState> files = new HashMap<>();
    private Map<ObjectRef, Accepted> lastGood = new HashMap<>();

    /** A loader for {@code root}, a directory or a single manifest file. */
    public ManifestLoader(Path root, ResourceMapper mapper) {
        this.root = Objects.requireNonNull(root, "root");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The directory or file this loader reads. */
    public Path root() {
        return root;
    }

    /** Reads what changed and returns the whole desired state. Never throws for bad input. */
    public LoadResult load() {
        List<ValidationError> errors = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Path> paths = listFiles(errors);
        files.keySet().retainAll(paths);
        Map<ObjectRef, Accepted> accepted = new LinkedHashMap<>();
        Map<ObjectRef, ManifestDocument> firstSeen = new HashMap<>();
        for (Path path : paths) {
            FileState state = read(path);
            if (state.syntaxError() != null) {
                errors.add(state.syntaxError());
                lastGood.forEach((ref, good) -> {
                    if (good.doc().file().equals(path)) {
                        accepted.putIfAbsent(ref, good);
                        firstSeen.putIfAbsent(ref, good.doc());
                    }
                });
                continue;
            }
            for (Candidate c : state.candidates()) {
                ManifestDocument earlier = firstSeen.putIfAbsent(c.ref(), c.doc());
                if (earlier != null) {
                    errors.add(new ValidationError(path, c.doc().line(), c.ref(), "metadata.name",
                            "duplicate: already defined at " + earlier.file() + ":" + earlier.line()));
                    continue;
                }
                errors.addAll(c.errors());
                if (c.mapped() != null) {
                    accepted.put(c.ref(), new Accepted(c.mapped(), c.doc()));
                    if (c.mapped() instanceof ResourceMapper.Ignored ignored) {
                        notes.add(path + ":" + c.doc().line() + ": " + c.ref() + ": ignored: " + ignored.reason());
                    }
                } else if (lastGood.containsKey(c.ref())) {
                    accepted.put(c.ref(), lastGood.get(c.ref()));
                }
            }
        }
        checkTargetPorts(accepted, errors);
        checkAddressClaims(accepted, errors);
        lastGood = new HashMap<>(accepted);
        return new LoadResult(snapshot(accepted), errors, notes, paths.size());
    }

    private List<Path> listFiles(List<ValidationError> errors) {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        if (!Files.isDirectory(root)) {
            errors.add(new ValidationError(root, 0, null, "", "no such file or directory"));
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(ManifestLoader::isManifest).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            errors.add(new ValidationError(root, 0, null, "", "cannot list: " + e.getMessage()));
            return new ArrayList<>(files.keySet());
        }
    }

    /** YAML and JSON files, skipping hidden files and editor backups. */
    static boolean isManifest(Path p) {
        String name = p.getFileName().toString();
        return !name.startsWith(".") && Files.isRegularFile(p)
                && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    private FileState read(Path path) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return new FileState(-1, null, List.of(), new ValidationError(path, 0, null, "", "cannot read: " + e));
        }
        FileState cached = files.get(path);
        if (cached != null && cached.size() == attrs.size() && attrs.lastModifiedTime().equals(cached.modified())) {
            return cached;
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new FileState(-1, null, List.of(), new ValidationError(path, 0, null, "", "cannot read: " + e));
        }
        ManifestParser.Result parsed = ManifestParser.parse(path, text);
        List<Candidate> candidates = new ArrayList<>();
        for (ManifestDocument doc : parsed.documents()) {
            candidates.add(map(doc));
        }
        FileState state = new FileState(attrs.size(), attrs.lastModifiedTime(), candidates, parsed.error());
        files.put(path, state);
        return state;
    }

    private Candidate map(ManifestDocument doc) {
        ObjectRef ref = doc.ref();
        if (doc.kind().isEmpty() || doc.apiVersion().isEmpty()) {
            String field = doc.kind().isEmpty() ? "kind" : "apiVersion";
            return new Candidate(ref, null, doc, List.of(error(doc, ref, field, "required")));
        }
        KubernetesResource resource;
        try {
            resource = serialization.convertValue(doc.node(), KubernetesResource.class);
        } catch (IllegalArgumentException e) {
            String field = fieldOf(e);
            String message = e.getCause() instanceof JsonMappingException jme ? jme.getOriginalMessage() : e.getMessage();
            return new Candidate(ref, null, doc, List.of(error(doc, ref, field, "invalid value: " + firstLine(message))));
        }
        if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata obj)) {
            return new Candidate(ref, null, doc, List.of(error(doc, ref, "kind", "unknown kind \"" + doc.kind()
                    + "\" for apiVersion \"" + doc.apiVersion() + "\"; Switchboard reads v1 Service,"
                    + " discovery.k8s.io/v1 EndpointSlice and v1 Endpoints")));
        }
        ResourceMapper.Outcome outcome = mapper.map(obj);
        List<ValidationError> errors = new ArrayList<>();
        for (FieldError f : outcome.errors()) {
            errors.add(error(doc, ref, f.field(), f.message()));
        }
        return new Candidate(ref, outcome.mapped(), doc, errors);
    }

    private static ValidationError error(ManifestDocument doc, ObjectRef ref, String field, String message) {
        return new ValidationError(doc.file(), doc.lineOf(field), ref, field, message);
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }

    /** The field path a Jackson mapping error points at, as {@code spec.ports[0].port}. */
    private static String fieldOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (JsonMappingException.Reference r : jme.getPath()) {
                    if (r.getFieldName() != null) {
                        if (sb.length() > 0) {
                            sb.append('.');
                        }
                        sb.append(r.getFieldName());
                    } else if (r.getIndex() >= 0) {
                        sb.append('[').append(r.getIndex()).append(']');
                    }
                }
                return sb.toString();
            }
        }
        return "";
    }

    /**
     * A named targetPort must name a port of the Service's endpoint slices (when it has any); otherwise
     * the Service falls back to its last good version.
     */
    private void checkTargetPorts(Map<ObjectRef, Accepted> accepted, List<ValidationError> errors) {
        Map<ServiceId, List<EndpointSlice>> slices = slicesByService(accepted);
        for (var e : new ArrayList<>(accepted.entrySet())) {
            if (!(e.getValue().mapped() instanceof ResourceMapper.MappedService ms)) {
                continue;
            }
            List<EndpointSlice> own = ClusterSnapshot.preferSlices(slices.getOrDefault(ms.service().id(), List.of()));
            if (own.isEmpty()) {
                continue;
            }
            List<ServicePort> ports = ms.service().ports();
            for (int i = 0; i < ports.size(); i++) {
                ServicePort p = ports.get(i);
                if (!p.targetPort().isNamed()) {
                    continue;
                }
                boolean found = own.stream().anyMatch(s -> EndpointResolver.targetNumber(p, s.ports()) > 0);
                if (!found) {
                    String field = "spec.ports[" + i + "].targetPort";
                    errors.add(error(e.getValue().doc(), e.getKey(), field, "\"" + p.targetPort().name()
                            + "\" names no port of the Service's endpoints (ports: " + portNames(own) + ")"));
                    revert(e.getKey(), accepted);
                    break;
                }
            }
        }
    }

    private static String portNames(List<EndpointSlice> slices) {
        List<String> names = new ArrayList<>();
        for (EndpointSlice s : slices) {
            s.ports().forEach(p -> names.add((p.name().isEmpty() ? "<unnamed>" : p.name()) + "=" + p.port()));
        }
        return String.join(", ", names);
    }

    /**
     * Two Services may not claim one address, port and protocol (nor one node port): the one already
     * in effect keeps it; a new claimant falls back to its last good version or is left out.
     */
    private void checkAddressClaims(Map<ObjectRef, Accepted> accepted, List<ValidationError> errors) {
        List<Map.Entry<ObjectRef, Accepted>> services = new ArrayList<>();
        for (var e : accepted.entrySet()) {
            if (e.getValue().mapped() instanceof ResourceMapper.MappedService) {
                services.add(e);
            }
        }
        // Services whose version is already in effect claim first, so a newcomer cannot take an address away.
        services.sort(Comparator.comparing(e -> lastGood.get(e.getKey()) != e.getValue()));
        Map<String, ObjectRef> claims = new HashMap<>();
        for (var e : services) {
            Service svc = ((ResourceMapper.MappedService) e.getValue().mapped()).service();
            String conflict = claim(svc, e.getKey(), claims);
            if (conflict == null) {
                continue;
            }
            errors.add(error(e.getValue().doc(), e.getKey(), conflict.substring(0, conflict.indexOf(' ')),
                    conflict.substring(conflict.indexOf(' ') + 1)));
            Accepted good = lastGood.get(e.getKey());
            if (good != null && good != e.getValue()
                    && claim(((ResourceMapper.MappedService) good.mapped()).service(), e.getKey(), claims) == null) {
                accepted.put(e.getKey(), good);
            } else {
                accepted.remove(e.getKey());
            }
        }
    }

    /** Claims every address of {@code svc}; on conflict returns "field message" and claims nothing. */
    private static String claim(Service svc, ObjectRef ref, Map<String, ObjectRef> claims) {
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
            }
        }
        for (var w : wanted.entrySet()) {
            ObjectRef holder = claims.get(w.getKey());
            if (holder != null && !holder.equals(ref)) {
                return w.getValue() + " " + w.getKey() + " is already served by " + holder;
            }
        }
        wanted.keySet().forEach(k -> claims.put(k, ref));
        return null;
    }

    private static String key(InetAddress ip, int port, Protocol protocol) {
        return ip.getHostAddress() + ":" + port + "/" + protocol;
    }

    private void revert(ObjectRef ref, Map<ObjectRef, Accepted> accepted) {
        Accepted good = lastGood.get(ref);
        if (good != null && good != accepted.get(ref)) {
            accepted.put(ref, good);
        } else {
            accepted.remove(ref);
        }
    }

    private static Map<ServiceId, List<EndpointSlice>> slicesByService(Map<ObjectRef, Accepted> accepted) {
        Map<ServiceId, List<EndpointSlice>> out = new HashMap<>();
        for (Accepted a : accepted.values()) {
            if (a.mapped() instanceof ResourceMapper.MappedSlice ms) {
                for (EndpointSlice s : ms.slices()) {
                    out.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        return out;
    }

    private static ClusterSnapshot snapshot(Map<ObjectRef, Accepted> accepted) {
        Map<ServiceId, Service> services = new HashMap<>();
        for (Accepted a : accepted.values()) {
            if (a.mapped() instanceof ResourceMapper.MappedService ms) {
                services.put(ms.service().id(), ms.service());
            }
        }
        Map<ServiceId, List<EndpointSlice>> slices = slicesByService(accepted);
        slices.values().forEach(l -> l.sort(Comparator.comparing(EndpointSlice::name)));
        return new ClusterSnapshot(services, slices);
    }
}
