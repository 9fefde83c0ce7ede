package io.switchboard.store;

import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Service;
import java.time.Instant;
import java.util.List;

/** What one source object became in the model: a Service, endpoint slices, or nothing (and why). */
public sealed interface Mapped permits Mapped.OfService, Mapped.OfSlices, Mapped.Ignored {

    /** The object it came from. */
    ObjectRef ref();

    /**
     * A Service Switchboard serves.
     *
     * @param created its {@code metadata.creationTimestamp}, or null when it has none (manifest files
     *                rarely do): of two Services claiming one address the older keeps it
     */
    record OfService(ObjectRef ref, Service service, Instant created) implements Mapped {

        /** A Service without a creation time. */
        public OfService(ObjectRef ref, Service service) {
            this(ref, service, null);
        }
    }

    /** Endpoints of a Service (from an EndpointSlice or a legacy Endpoints object). */
    record OfSlices(ObjectRef ref, List<EndpointSlice> slices) implements Mapped {
        public OfSlices {
            slices = List.copyOf(slices);
        }
    }

    /** A valid object Switchboard has nothing to do with, and why. */
    record Ignored(ObjectRef ref, String reason) implements Mapped {
    }
}
