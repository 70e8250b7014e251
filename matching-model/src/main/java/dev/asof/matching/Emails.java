package dev.asof.matching;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Email addresses to the form two addresses of one mailbox share.
 *
 * <p>Trimmed and lower-cased as a whole (local parts are case-sensitive by the RFC, but no provider a contact centre
 * meets treats them so). Then provider rules, kept conservative: only where the provider documents that the variants
 * reach the same mailbox.
 *
 * <ul>
 *   <li>Gmail: {@code googlemail.com} becomes {@code gmail.com}; dots in the local part are removed; a {@code +tag} is
 *       removed.
 *   <li>A {@code +tag} is removed for providers with {@code +} sub-addressing: Outlook/Hotmail/Live/MSN, iCloud
 *       ({@code icloud.com}, {@code me.com}, {@code mac.com}), Fastmail and Proton.
 *   <li>Yahoo's disposable addresses use {@code -}, which is also an ordinary character of local parts, so nothing
 *       is removed there; nor for any other domain (a company's {@code +} may be part of a real address).
 * </ul>
 *
 * An address without exactly one {@code @}, with an empty local part, or with a domain without a dot is left out.
 */
public final class Emails {

    private static final Set<String> GMAIL = Set.of("gmail.com", "googlemail.com");
    private static final Set<String> PLUS_ADDRESSING = Set.of(
            "gmail.com",
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "icloud.com",
            "me.com",
            "mac.com",
            "fastmail.com",
            "fastmail.fm",
            "protonmail.com",
            "proton.me",
            "pm.me");

    private Emails() {}

    /** The normalised address, or empty when it is no email address. */
    public static Optional<String> normalise(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String text = raw.strip().toLowerCase(Locale.ROOT);
        int at = text.indexOf('@');
        if (at <= 0 || at != text.lastIndexOf('@') || text.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        String local = text.substring(0, at);
        String domain = text.substring(at + 1);
        if (!domain.contains(".") || domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
            return Optional.empty();
        }
        if (GMAIL.contains(domain)) {
            domain = "gmail.com";
            local = local.replace(".", "");
        }
        if (PLUS_ADDRESSING.contains(domain)) {
            int plus = local.indexOf('+');
            if (plus >= 0) {
                local = local.substring(0, plus);
            }
        }
        if (local.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(local + "@" + domain);
    }
}
