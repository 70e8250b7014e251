package dev.asof.events;

/**
 * Where a change came from inside the contact centre. Every field may be {@code null}.
 *
 * @param channel the interaction channel ({@code voice}, {@code chat}, {@code email}, ...)
 * @param interactionId the Genesys conversation id or CXone contact id
 * @param agentId the agent who made the change, if any
 */
public record EventMetadata(String channel, String interactionId, String agentId) {

    /** Metadata with no fields set. */
    public static final EventMetadata EMPTY = new EventMetadata(null, null, null);
}
