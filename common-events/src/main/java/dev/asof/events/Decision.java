package dev.asof.events;

import java.util.List;
import java.util.Objects;

/** What {@link ProfileDecider} decided about a command: the events to append, or a refusal. */
public sealed interface Decision {

    /**
     * The command holds; append these events (in order) to the stream of each event's {@code customer_id}.
     *
     * @param events never empty
     */
    record Accepted(List<EventEnvelope> events) implements Decision {
        public Accepted {
            events = List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("an accepted command produces at least one event");
            }
        }
    }

    /**
     * The command does not hold; nothing is appended.
     *
     * @param kind why, with a stable name
     * @param detail a sentence for a human, naming the identities involved
     */
    record Refused(RefusalKind kind, String detail) implements Decision {
        public Refused {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
