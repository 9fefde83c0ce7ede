package io.switchboard.kubernetes;

/** A problem with one field of an object: its path (as {@code spec.ports[0].port}) and what is wrong. */
public record FieldError(String field, String message) {
}
