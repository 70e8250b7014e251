package dev.asof.events;

/**
 * {@code CUSTOMER_PROFILE_ERASED}: a right-to-be-forgotten erasure of one identity. From the event's time on,
 * every attribute of that identity set before the erasure is gone; attributes set after it count again.
 *
 * @param reason why (for example {@code gdpr_article_17}); may be {@code null}
 */
public record ProfileErased(String reason) implements ProfileEvent {

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_ERASED;
    }
}
