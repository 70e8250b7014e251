package dev.asof.events;

/**
 * One broken rule in an event.
 *
 * @param pointer the JSON pointer (RFC 6901) of the offending field, {@code ""} for the whole document
 * @param rule a stable rule name ({@code required}, {@code pattern}, {@code timestamp-offset}, ...)
 * @param message what is wrong, for a person
 */
public record Violation(String pointer, String rule, String message) {}
