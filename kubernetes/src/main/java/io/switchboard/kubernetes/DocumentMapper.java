package io.switchboard.kubernetes;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.switchboard.store.Definition;
import io.switchboard.store.ObjectRef;
import io.switchboard.store.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one manifest document into the definition a source records: fabric8's model for the kind,
 * then {@link ResourceMapper}. Shared by every source that reads manifests as text (files, etcd), so
 * a value in etcd is checked exactly as a file is.
 */
public final class DocumentMapper {

    /**
     * The kinds Switchboard maps, by apiVersion and kind, converted to their class directly: the
     * generic conversion (to {@link KubernetesResource}) copies the tree once more to find the class,
     * which was a third of the mapping time of a 50,000-Service load, and asking fabric8's registry
     * for the class costs its first caller 170 ms of scanning. Other kinds take the generic way.
     */
    private static final Map<String, Map<String, Class<? extends KubernetesResource>>> DIRECT = Map.of(
            "v1", Map.of("Service", Service.class, "Endpoints", Endpoints.class),
            "discovery.k8s.io/v1", Map.of("EndpointSlice", EndpointSlice.class));

    private static final Logger LOG = LoggerFactory.getLogger(DocumentMapper.class);

    /**
     * fabric8's serialization, one per process and made on first use: making it and the first
     * conversion to each class (Jackson introspecting fabric8's model) take 0.2 s each.
     */
    private static final class Shared {
        static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    }

    private final ResourceMapper mapper;
    private final KubernetesSerialization serialization = Shared.SERIALIZATION;
    private final boolean direct;

    /**
     * Starts making, on a daemon thread, what the first documents of a start wait for otherwise: the
     * shared serialization and its converters to Service, EndpointSlice and Endpoints. A start calls
     * it first thing, so this runs beside the rest of its setup instead of before its first parse.
     */
    public static void warmUp() {
        Thread t = new Thread(DocumentMapper::convertSamples, "manifest-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void convertSamples() {
        Map<String, Object> metadata = Map.of("name", "warm-up", "namespace", "warm-up");
        try {
            Shared.SERIALIZATION.convertValue(Map.of("apiVersion", "v1", "kind", "Service", "metadata", metadata,
                    "spec", Map.of("clusterIP", "10.0.0.1", "ports", List.of(Map.of("port", 80)))), Service.class);
            Shared.SERIALIZATION.convertValue(Map.of("apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice",
                    "metadata", metadata, "addressType", "IPv4", "ports", List.of(Map.of("port", 80)),
                    "endpoints", List.of(Map.of("addresses", List.of("10.1.0.1")))), EndpointSlice.class);
            Shared.SERIALIZATION.convertValue(Map.of("apiVersion", "v1", "kind", "Endpoints", "metadata", metadata,
                    "subsets", List.of(Map.of("addresses", List.of(Map.of("ip", "10.1.0.1"))))), Endpoints.class);
        } catch (RuntimeException e) {
            // Only time is lost: the first real document makes the same converters and reports its own errors.
            LOG.atDebug().addKeyValue("cause", e.toString()).log("warming up the manifest converters failed");
        }
    }

    /** A mapper of documents through {@code mapper}. */
    public DocumentMapper(ResourceMapper mapper) {
        this(mapper, true);
    }

    /** A mapper that converts every kind the generic way when {@code direct} is false (tests compare the two). */
    DocumentMapper(ResourceMapper mapper, boolean direct) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.direct = direct;
    }

    /**
     * The definition {@code doc} makes in slot ({@code source}, {@code location}, {@code index}):
     * what it maps to, or its errors, each naming where it came from, the object and the field.
     */
    public Definition map(ManifestDocument doc, String source, String location, int index) {
        ObjectRef ref = doc.ref();
        if (doc.kind().isEmpty() || doc.apiVersion().isEmpty()) {
            String field = doc.kind().isEmpty() ? "kind" : "apiVersion";
            return definition(ref, null, doc, new Definition.Slot(source, location, index), List.of(error(doc, ref, field, "required")));
        }
        KubernetesResource resource;
        try {
            resource = convert(doc);
        } catch (IllegalArgumentException e) {
            String field = fieldOf(e);
            String message = e.getCause() instanceof JsonMappingException jme ? jme.getOriginalMessage() : e.getMessage();
            return definition(ref, null, doc, new Definition.Slot(source, location, index),
                    List.of(error(doc, ref, field, "invalid value: " + firstLine(message))));
        }
        if (resource instanceof GenericKubernetesResource || !(resource instanceof HasMetadata obj)) {
            return definition(ref, null, doc, new Definition.Slot(source, location, index), List.of(error(doc, ref, "kind", "unknown kind \""
                    + doc.kind() + "\" for apiVersion \"" + doc.apiVersion() + "\"; Switchboard reads v1 Service,"
                    + " discovery.k8s.io/v1 EndpointSlice and v1 Endpoints")));
        }
        ResourceMapper.Outcome outcome = mapper.map(obj);
        List<ValidationError> errors = new ArrayList<>();
        for (FieldError f : outcome.errors()) {
            errors.add(error(doc, ref, f.field(), f.message()));
        }
        return definition(ref, outcome.mapped(), doc, new Definition.Slot(source, location, index), errors);
    }

    private KubernetesResource convert(ManifestDocument doc) {
        if (direct) {
            Class<? extends KubernetesResource> type = DIRECT.getOrDefault(doc.apiVersion(), Map.of()).get(doc.kind());
            if (type != null) {
                return serialization.convertValue(doc.node(), type);
            }
        }
        return serialization.convertValue(doc.node(), KubernetesResource.class);
    }

    private static Definition definition(ObjectRef ref, io.switchboard.store.Mapped mapped, ManifestDocument doc,
                                         Definition.Slot slot, List<ValidationError> errors) {
        return new Definition(ref, slot, mapped, errors, doc.source().atLine(doc.line()),
                new DocumentLines(doc.lines(), doc.line()));
    }

    /**
     * The lines of a document's fields, kept instead of the document: a definition outlives its
     * parsed tree. Equal for the same text at the same line, so a file read again unchanged makes
     * equal definitions.
     */
    private record DocumentLines(LineIndex index, int line) implements Definition.FieldLines {
        @Override
        public int lineOf(String field) {
            return index.lineOrEnclosing(field, line);
        }
    }

    private static ValidationError error(ManifestDocument doc, ObjectRef ref, String field, String message) {
        return new ValidationError(doc.originOf(field), ref, field, message);
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
