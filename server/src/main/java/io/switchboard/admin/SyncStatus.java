package io.switchboard.admin;

import io.switchboard.store.AddressConflict;
import io.switchboard.store.ValidationError;
import java.util.List;

/**
 * What the last sync saw, for the admin view.
 *
 * @param syncs             syncs run so far
 * @param lastDurationNanos how long the last one took
 * @param errors            configuration errors, with their origin
 * @param notes             valid objects that are ignored, and why
 * @param conflicts         Services refused an address another serves
 */
public record SyncStatus(long syncs, long lastDurationNanos, List<ValidationError> errors, List<String> notes,
                         List<AddressConflict> conflicts) {

    /** Before the first sync. */
    public static final SyncStatus NONE = new SyncStatus(0, 0, List.of(), List.of(), List.of());

    public SyncStatus {
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
        conflicts = List.copyOf(conflicts);
    }
}
