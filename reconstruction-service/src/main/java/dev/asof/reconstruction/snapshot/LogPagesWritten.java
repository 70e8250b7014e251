package dev.asof.reconstruction.snapshot;

/**
 * Published (a Spring application event) when {@link LogPageWriter} wrote packed log pages of an identity.
 *
 * @param customerId the identity
 * @param pages how many pages this call wrote
 */
public record LogPagesWritten(String customerId, int pages) {}
