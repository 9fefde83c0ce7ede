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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * Loads a directory (or one file) of Kubernetes manifests into a {@link ClusterSnapshot},
 * incrementally: only files whose size or modification time changed are read, only the objects they
 * define are decided again, and cross-object checks run only for the Services those objects touch.
 * So adding one file to a directory defining 50,000 Services costs one small parse, and a load that
 * finds nothing changed returns the previous result itself.
 *
 * <p>An object that fails validation, or sits in a file that fails to parse, keeps its last good
 * version; errors name the file, line, object and field. An object defined twice is taken from the
 * first file (by path) and reported in the other. Two Services may not claim one address, port and
 * protocol (nor one node port): the one already in effect keeps it. Not thread-safe: one loader
 * serves one sync loop.
 */
public final class ManifestLoader {

    /**
     * What a load produced.
     *
     * @param snapshot the desired state
     * @param errors   every current error
     * @param notes    valid objects that are ignored, and why
     * @param files    how many files were read
     * @param touched  the Services whose definition or endpoints this load changed (a hint for the
     *                 change tracker; a previous result returned again keeps its own)
     */
    public record LoadResult(ClusterSnapshot snapshot, List<ValidationError> errors, List<String> notes, int files,
                             Set<ServiceId> touched) {
        public LoadResult {
            errors = List.copyOf(errors);
            notes = List.copyOf(notes);
            touched = Set.copyOf(touched);
        }
    }

    /** An object as one document of one file defines it; {@code mapped} is null when invalid. */
    private record Candidate(ObjectRef ref, ResourceMapper.Mapped mapped, ManifestDocument doc, int index,
                             List<ValidationError> errors) {
        /** Files sort by path, documents by position: the first definition wins. */
        static final Comparator<Candidate> ORDER = Comparator.<Candidate, String>comparing(c -> c.doc().file()
                .toString()).thenComparingInt(Candidate::index);
    }

    /** A file as last read: the candidates of its last successful parse, and its current syntax error. */
    private record FileState(long size, FileTime modified, List<Candidate> candidates, ValidationError syntaxError) {
    }

    private final Path root;
    private final ResourceMapper mapper;
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    private final Map<Path, FileState> files = new HashMap<>();
    /** Every definition of each object, in winning order. */
    private final Map<ObjectRef, List<Candidate>> definitions = new HashMap<>();
    /** The version of each object in effect: the winning definition, or the last good one. */
    private final Map<ObjectRef, Candidate> accepted = new HashMap<>();
    /** Errors of each object (its own fields, duplicates, cross-object checks). */
    private final Map<ObjectRef, List<ValidationError>> objectErrors = new HashMap<>();
    private final Map<ObjectRef, String> notes = new TreeMap<>();
    /** Address keys claimed, and by whom. */
    private final Map<String, ObjectRef> claims = new HashMap<>();
    private final Map<ObjectRef, List<String>> claimsOf = new HashMap<>();
    /** Services whose winning definition failed a cross-object check; retried every load. */
    private final Set<ObjectRef> pending = new HashSet<>();
    /** Endpoint slices in effect, by Service and by the object that defined them. */
    private final Map<ServiceId, Map<ObjectRef, List<EndpointSlice>>> slicesByService = new HashMap<>();
    private PMap<ServiceId, Service> services = HashTreePMap.empty();
    private PMap<ServiceId, List<EndpointSlice>> slices = HashTreePMap.empty();
    /** Services whose entries this load changed. */
    private final Set<ServiceId> touched = new HashSet<>();
    private List<ValidationError> listErrors = List.of();
    private LoadResult last;
    /** Whether this load changed anything a result shows. */
    private boolean modified;

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
        modified = false;
        touched.clear();
        List<ValidationError> listing = new ArrayList<>();
        List<Path> paths = listFiles(listing);
        Map<Path, FileState> changed = readChanged(paths);
        if (!listing.equals(listErrors)) {
            listErrors = listing;
            modified = true;
        }
        Set<ObjectRef> affected = new TreeSet<>();
        changed.forEach((path, state) -> {
            FileState before = files.get(path);
            if (before != null) {
                modified |= !Objects.equals(before.syntaxError(), state == null ? null : state.syntaxError());
                for (Candidate c : before.candidates()) {
                    definitions.computeIfPresent(c.ref(), (k, list) -> {
                        list.remove(c);
                        return list.isEmpty() ? null : list;
                    });
                    affected.add(c.ref());
                }
            } else {
                modified = true;
            }
            if (state == null) {
                files.remove(path);
                return;
            }
            files.put(path, state);
            for (Candidate c : state.candidates()) {
                List<Candidate> list = definitions.computeIfAbsent(c.ref(), k -> new ArrayList<>(1));
                list.add(c);
                list.sort(Candidate.ORDER);
                affected.add(c.ref());
            }
        });
        Set<ObjectRef> serviceRefs = new TreeSet<>(pending);
        for (ObjectRef ref : affected) {
            if (ref.kind().equals("Service")) {
                serviceRefs.add(ref);
            } else {
                for (ServiceId id : decide(ref)) {
                    serviceRefs.add(new ObjectRef("Service", id.namespace(), id.name()));
                }
            }
        }
        decideServices(serviceRefs);
        if (!modified && last != null) {
            return last;
        }
        return last = result(paths.size());
    }

    /**
     * Puts the winning definition of a non-Service object in effect, or keeps its last good version
     * when the winner is invalid. Returns the Services whose endpoints this touched.
     */
    private Set<ServiceId> decide(ObjectRef ref) {
        Candidate previous = accepted.get(ref);
        List<Candidate> defs = definitions.getOrDefault(ref, List.of());
        Candidate winner = defs.isEmpty() ? null : defs.get(0);
        setErrors(ref, ownErrors(ref));
        Set<ServiceId> touched = new HashSet<>(servicesOf(previous));
        if (winner == null) {
            withdraw(ref, previous);
            accepted.remove(ref);
        } else if (winner.mapped() != null && winner != previous) {
            withdraw(ref, previous);
            accepted.put(ref, winner);
            publish(ref, winner);
            touched.addAll(servicesOf(winner));
        }
        return touched;
    }

    /**
     * Decides Services: each takes its winning definition if that one is valid, its named target ports
     * name ports of its endpoints, and no other Service serves its addresses; otherwise it keeps the
     * version in effect (if that still passes) and is retried at every load. Versions already in
     * effect claim addresses first, so a newcomer cannot take an address away.
     */
    private void decideServices(Set<ObjectRef> refs) {
        List<ObjectRef> order = new ArrayList<>(refs);
        order.sort(Comparator.<ObjectRef, Boolean>comparing(r -> validWinner(r) != accepted.get(r))
                .thenComparing(Comparator.naturalOrder()));
        for (ObjectRef ref : order) {
            release(ref);
        }
        for (ObjectRef ref : order) {
            Candidate old = accepted.get(ref);
            Candidate winner = validWinner(ref);
            List<ValidationError> errors = new ArrayList<>(ownErrors(ref));
            Candidate chosen = null;
            pending.remove(ref);
            if (winner != null) {
                ValidationError problem = check(ref, winner);
                if (problem == null) {
                    chosen = winner;
                } else {
                    errors.add(problem);
                    pending.add(ref);
                }
            }
            boolean stillDefined = definitions.containsKey(ref);
            if (chosen == null && stillDefined && old != null && old != winner && check(ref, old) == null) {
                chosen = old;
            }
            if (chosen != old) {
                withdraw(ref, old);
                accepted.remove(ref);
                if (chosen != null) {
                    accepted.put(ref, chosen);
                    publish(ref, chosen);
                }
            }
            setErrors(ref, errors);
        }
    }

    /** The first definition of {@code ref} when it is valid, else null. */
    private Candidate validWinner(ObjectRef ref) {
        List<Candidate> defs = definitions.get(ref);
        return defs == null || defs.get(0).mapped() == null ? null : defs.get(0);
    }

    /** Errors of an object's own definitions: duplicates and the winner's field errors. */
    private List<ValidationError> ownErrors(ObjectRef ref) {
        List<Candidate> defs = definitions.getOrDefault(ref, List.of());
        List<ValidationError> errors = new ArrayList<>();
        for (int i = 1; i < defs.size(); i++) {
            Candidate dup = defs.get(i);
            errors.add(new ValidationError(dup.doc().file(), dup.doc().line(), ref, "metadata.name",
                    "duplicate: already defined at " + defs.get(0).doc().file() + ":" + defs.get(0).doc().line()));
        }
        if (!defs.isEmpty()) {
            errors.addAll(defs.get(0).errors());
        }
        return errors;
    }

    /** Cross-object checks of a Service version; claims its addresses when it passes. */
    private ValidationError check(ObjectRef ref, Candidate c) {
        if (!(c.mapped() instanceof ResourceMapper.MappedService)) {
            return null;
        }
        ValidationError problem = targetPortProblem(ref, c);
        return problem != null ? problem : claim(ref, c);
    }

    private void setErrors(ObjectRef ref, List<ValidationError> errors) {
        List<ValidationError> before = errors.isEmpty() ? objectErrors.remove(ref) : objectErrors.put(ref, errors);
        if (!Objects.equals(before == null ? List.of() : before, errors)) {
            modified = true;
        }
    }

    /** Removes what {@code c} contributed to the snapshot. */
    private void withdraw(ObjectRef ref, Candidate c) {
        if (c == null) {
            return;
        }
        modified = true;
        notes.remove(ref);
        if (c.mapped() instanceof ResourceMapper.MappedService ms) {
            services = services.minus(ms.service().id());
            touched.add(ms.service().id());
            release(ref);
        } else if (c.mapped() instanceof ResourceMapper.MappedSlice) {
            for (ServiceId id : servicesOf(c)) {
                Map<ObjectRef, List<EndpointSlice>> bySource = slicesByService.get(id);
                if (bySource != null) {
                    bySource.remove(ref);
                    if (bySource.isEmpty()) {
                        slicesByService.remove(id);
                    }
                }
                rebuildSlices(id);
            }
        }
    }

    /** Adds what {@code c} contributes to the snapshot (a Service's address claims are made by its check). */
    private void publish(ObjectRef ref, Candidate c) {
        modified = true;
        if (c.mapped() instanceof ResourceMapper.MappedService ms) {
            services = services.plus(ms.service().id(), ms.service());
            touched.add(ms.service().id());
        } else if (c.mapped() instanceof ResourceMapper.MappedSlice ms) {
            Map<ServiceId, List<EndpointSlice>> grouped = new HashMap<>();
            ms.slices().forEach(s -> grouped.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
            grouped.forEach((id, list) -> {
                slicesByService.computeIfAbsent(id, k -> new HashMap<>()).put(ref, list);
                rebuildSlices(id);
            });
        } else if (c.mapped() instanceof ResourceMapper.Ignored ignored) {
            notes.put(ref, c.doc().file() + ":" + c.doc().line() + ": " + ref + ": ignored: " + ignored.reason());
        }
    }

    private void rebuildSlices(ServiceId id) {
        touched.add(id);
        Map<ObjectRef, List<EndpointSlice>> bySource = slicesByService.get(id);
        if (bySource == null) {
            slices = slices.minus(id);
            return;
        }
        List<EndpointSlice> all = new ArrayList<>();
        bySource.values().forEach(all::addAll);
        all.sort(Comparator.comparing(EndpointSlice::name));
        slices = slices.plus(id, List.copyOf(all));
    }

    private static Set<ServiceId> servicesOf(Candidate c) {
        if (c == null || !(c.mapped() instanceof ResourceMapper.MappedSlice ms)) {
            return Set.of();
        }
        Set<ServiceId> out = new HashSet<>();
        ms.slices().forEach(s -> out.add(s.service()));
        return out;
    }

    private ValidationError targetPortProblem(ObjectRef ref, Candidate c) {
        Service svc = ((ResourceMapper.MappedService) c.mapped()).service();
        List<EndpointSlice> own = ClusterSnapshot.preferSlices(slices.getOrDefault(svc.id(), List.of()));
        if (own.isEmpty()) {
            return null;
        }
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort p = svc.ports().get(i);
            if (p.targetPort().isNamed()
                    && own.stream().noneMatch(s -> EndpointResolver.targetNumber(p, s.ports()) > 0)) {
                String field = "spec.ports[" + i + "].targetPort";
                return new ValidationError(c.doc().file(), c.doc().lineOf(field), ref, field, "\""
                        + p.targetPort().name() + "\" names no port of the Service's endpoints (ports: "
                        + portNames(own) + ")");
            }
        }
        return null;
    }

    private static String portNames(List<EndpointSlice> slices) {
        List<String> names = new ArrayList<>();
        for (EndpointSlice s : slices) {
            s.ports().forEach(p -> names.add((p.name().isEmpty() ? "<unnamed>" : p.name()) + "=" + p.port()));
        }
        return String.join(", ", names);
    }

    /** Claims every address of the Service; on conflict claims nothing and returns the error. */
    private ValidationError claim(ObjectRef ref, Candidate c) {
        Service svc = ((ResourceMapper.MappedService) c.mapped()).service();
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
                return new ValidationError(c.doc().file(), c.doc().lineOf(w.getValue()), ref, w.getValue(),
                        w.getKey() + " is already served by " + holder);
            }
        }
        wanted.keySet().forEach(k -> claims.put(k, ref));
        claimsOf.put(ref, new ArrayList<>(wanted.keySet()));
        return null;
    }

    private void release(ObjectRef ref) {
        List<String> held = claimsOf.remove(ref);
        if (held != null) {
            held.forEach(k -> claims.remove(k, ref));
        }
    }

    private static String key(InetAddress ip, int port, Protocol protocol) {
        return ip.getHostAddress() + ":" + port + "/" + protocol;
    }

    private LoadResult result(int fileCount) {
        List<ValidationError> errors = new ArrayList<>(listErrors);
        for (FileState f : new TreeMap<>(files).values()) {
            if (f.syntaxError() != null) {
                errors.add(f.syntaxError());
            }
        }
        new TreeMap<>(objectErrors).values().forEach(errors::addAll);
        return new LoadResult(new ClusterSnapshot(services, slices), errors, List.copyOf(notes.values()), fileCount,
                touched);
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

    /**
     * The files that appeared, changed or disappeared (mapped to null), parsed in parallel. A file
     * that no longer parses keeps the candidates of its last good parse.
     */
    private Map<Path, FileState> readChanged(List<Path> paths) {
        Map<Path, BasicFileAttributes> stale = new LinkedHashMap<>();
        for (Path p : paths) {
            try {
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                FileState cached = files.get(p);
                if (cached == null || cached.size() != attrs.size()
                        || !attrs.lastModifiedTime().equals(cached.modified())) {
                    stale.put(p, attrs);
                }
            } catch (IOException e) {
                stale.put(p, null);
            }
        }
        Map<Path, FileState> out = new TreeMap<>();
        stale.entrySet().parallelStream()
                .map(e -> Map.entry(e.getKey(), read(e.getKey(), e.getValue())))
                .forEachOrdered(e -> out.put(e.getKey(), e.getValue()));
        Set<Path> present = new HashSet<>(paths);
        for (Path p : files.keySet()) {
            if (!present.contains(p)) {
                out.put(p, null);
            }
        }
        return out;
    }

    private FileState read(Path path, BasicFileAttributes attrs) {
        FileState previous = files.get(path);
        List<Candidate> keep = previous == null ? List.of() : previous.candidates();
        if (attrs == null) {
            return new FileState(-1, null, keep, new ValidationError(path, 0, null, "", "cannot read its attributes"));
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new FileState(-1, null, keep, new ValidationError(path, 0, null, "", "cannot read: " + e));
        }
        ManifestParser.Result parsed = ManifestParser.parse(path, text);
        if (parsed.error() != null) {
            return new FileState(attrs.size(), attrs.lastModifiedTime(), keep, parsed.error());
        }
        List<Candidate> candidates = new ArrayList<>();
        int index = 0;
        for (ManifestDocument doc : parsed.documents()) {
            candidates.add(map(doc, index++));
        }
        return new FileState(attrs.size(), attrs.lastModifiedTime(), List.copyOf(candidates), null);
    }

    private Candidate map(ManifestDocument doc, int index) {
        ObjectRef ref = doc.ref();
        if (doc.kind().isEmpty() || doc.apiVersion().isEmpty()) {
            String field = doc.kind().isEmpty() ? "kind" : "apiVersion";
            return new Candidate(ref, null, doc, index, List.of(error(doc, ref, field, "required")));
        }
        KubernetesResource resource;
        try {
            resource = serialization.convertValue(doc.node(), KubernetesResource.class);
        } catch (IllegalArgumentException e) {
            String field = fieldOf(e);
            String message = e.getCause() instanceof JsonMappingException jme ? jme.getOriginalMessage() : e.getMessage();
            return new Candidate(ref, null, doc, index,
                    List.of(error(doc, ref, field, "invalid value: " + firstLine(message))));
        }
        if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata obj)) {
            return new Candidate(ref, null, doc, index, List.of(error(doc, ref, "kind", "unknown kind \""
                    + doc.kind() + "\" for apiVersion \"" + doc.apiVersion() + "\"; Switchboard reads v1 Service,"
                    + " discovery.k8s.io/v1 EndpointSlice and v1 Endpoints")));
        }
        ResourceMapper.Outcome outcome = mapper.map(obj);
        List<ValidationError> errors = new ArrayList<>();
        for (FieldError f : outcome.errors()) {
            errors.add(error(doc, ref, f.field(), f.message()));
        }
        return new Candidate(ref, outcome.mapped(), doc, index, List.copyOf(errors));
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
}
