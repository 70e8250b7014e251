package dev.asof.merge.web;

import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import java.util.List;

/**
 * The parameters of an operator's paged pass over a table (re-encryption and rewrap, the match-index backfill): a
 * {@code limit} of items per page and the {@code cursor} the previous page answered, checked alike, each refusal a
 * {@code 400} naming the parameter and the rule.
 */
public final class PagedPasses {

    /** The most items one page reads. */
    public static final int MAX_LIMIT = 1_000;

    /** Items per page without {@code limit}. */
    public static final int DEFAULT_LIMIT = 200;

    private PagedPasses() {}

    /** {@code limit} as a number from 1 to {@link #MAX_LIMIT}; {@link #DEFAULT_LIMIT} when absent. */
    public static int limit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        int size;
        try {
            size = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw invalid("limit", "type", "limit must be a whole number from 1 to " + MAX_LIMIT);
        }
        if (size < 1 || size > MAX_LIMIT) {
            throw invalid("limit", "range", "limit must be a whole number from 1 to " + MAX_LIMIT);
        }
        return size;
    }

    /** {@code cursor} unless it is empty or longer than any cursor the pass answers ({@code maxLength}). */
    public static String cursor(String cursor, int maxLength) {
        if (cursor != null && (cursor.isEmpty() || cursor.length() > maxLength)) {
            throw badCursor();
        }
        return cursor;
    }

    /** The refusal of a cursor the pass did not answer. */
    public static InvalidEventException badCursor() {
        return invalid("cursor", "cursor", "cursor must be a next_cursor this endpoint answered");
    }

    /** A {@code 400} naming {@code parameter} and {@code rule}. */
    public static InvalidEventException invalid(String parameter, String rule, String message) {
        return new InvalidEventException(List.of(new Violation(parameter, rule, message)));
    }
}
