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
import java.util.Objects;
import java.util.Set;

/**
 * Turns one manifest document into the definition a source records: fabric8's model for the kind,
 * then {@link ResourceMapper}. Shared by every source that reads manifests as text (files, etcd), so
 * a value in etcd is checked exactly as a file is.
 */
public final class DocumentMapper {

    /**
     * The kinds Switchboard maps, converted to their class directly: the generic conversion (to
     * {@link KubernetesResource}) copies the tree once more to find the class, which was a third of
     * the mapping time of a 50,000-Service load. Other kinds take the generic way.
     */
    private static final Set<Class<?>> DIRECT = Set.of(Service.class, EndpointSlice.class, Endpoints.class);

    private final ResourceMapper mapper;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final boolean direct;

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
            Class<? extends KubernetesResource> type =
                    serialization.getRegisteredKubernetesResource(doc.apiVersion(), doc.kind());
            if (type != null && DIRECT.contains(type)) {
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
