package dev.asof.events;

import java.util.List;

/** An event that breaks the contract, with every violation found. */
public class InvalidEventException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidEventException(List<Violation> violations) {
        super(describe(violations));
        this.violations = List.copyOf(violations);
    }

    /** Every violation, each with its JSON pointer and rule. */
    public List<Violation> violations() {
        return violations;
    }

    private static String describe(List<Violation> violations) {
        StringBuilder text = new StringBuilder("invalid event:");
        for (Violation violation : violations) {
            text.append(' ')
                    .append(violation.pointer().isEmpty() ? "/" : violation.pointer())
                    .append(' ')
                    .append(violation.rule())
                    .append(": ")
                    .append(violation.message())
                    .append(';');
        }
        return text.toString();
    }
}
