package dev.asof.console;

import java.util.Locale;
import java.util.Optional;

/** What an operator may do in the console. */
public enum Role {
    /** Reads profiles, timelines, identities, campaigns and exports them. */
    AUDITOR("auditor"),
    /** Everything an auditor may, and requests erasures and reads their proofs. */
    PRIVACY_OFFICER("privacy-officer");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** The name in configuration and in an OpenID Connect roles claim. */
    public String label() {
        return label;
    }

    /** The Spring Security authority, {@code ROLE_AUDITOR}. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** The role a configuration or claim value names ({@code auditor}, {@code privacy-officer}, any case). */
    public static Optional<Role> fromLabel(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Role role : values()) {
            if (role.label.equals(normalized)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
