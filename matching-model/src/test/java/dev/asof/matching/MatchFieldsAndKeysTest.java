package dev.asof.matching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchFieldsAndKeysTest {

    private final MatchSettings settings = MatchSettings.defaults();

    @Test
    void aProfileBecomesAMatchRecord() {
        MatchRecord record = MatchFields.from(
                "c-1",
                Map.of(
                        "phone", AttributeValue.text("(650) 253-0000"),
                        "email", AttributeValue.text(" Maria.Lopez+crm@GoogleMail.com"),
                        "name_first", AttributeValue.text("  María "),
                        "name_last", AttributeValue.text("López-García"),
                        "address.postcode", AttributeValue.text("sw1a 1aa"),
                        "date_of_birth", AttributeValue.text("1985-03-14"),
                        "loyalty_tier", AttributeValue.text("gold")),
                MatchCatalog.defaults(),
                settings);
        assertThat(record)
                .isEqualTo(new MatchRecord(
                        "c-1",
                        java.util.Set.of("+16502530000"),
                        java.util.Set.of("marialopez@gmail.com"),
                        "María",
                        "López-García",
                        "SW1A1AA",
                        LocalDate.of(1985, 3, 14)));
    }

    @Test
    void unparseableAndBlockedValuesAreLeftOutNeverThrown() {
        MatchRecord record = MatchFields.from(
                "c-2",
                Map.of(
                        "phone", AttributeValue.text("anonymous"),
                        "email", AttributeValue.text("no email"),
                        "name_first", AttributeValue.text("Unknown"),
                        "name_last", AttributeValue.text("N/A"),
                        "address.postcode", AttributeValue.NULL,
                        "date_of_birth", new AttributeValue.Numeric(new BigDecimal("19850314"))),
                MatchCatalog.defaults(),
                settings);
        assertThat(record).isEqualTo(MatchRecord.empty("c-2"));
        assertThat(BlockingKeys.of(record)).isEmpty();
    }

    @Test
    void blockedPlaceholdersAreLeftOutInEveryForm() {
        for (String placeholder :
                new String[] {"0000000000", "+0000000000", "WITHHELD", " private ", "Test@Test.com"}) {
            MatchRecord record = MatchFields.from(
                    "c-3",
                    Map.of("phone", AttributeValue.text(placeholder), "email", AttributeValue.text(placeholder)),
                    MatchCatalog.defaults(),
                    settings);
            assertThat(record.phones()).as(placeholder).isEmpty();
            assertThat(record.emails()).as(placeholder).isEmpty();
        }
    }

    @Test
    void blockingComparesPlaceholdersNotLookalikes() {
        assertThat(settings.isBlocked("000-000-0000")).isTrue();
        assertThat(settings.isBlocked("(000) 000 0000")).isTrue();
        assertThat(settings.isBlocked(" N/A ")).isTrue();
        assertThat(settings.isBlocked("Na")).isFalse();
        assertThat(settings.isBlocked("Unknown")).isTrue();
        MatchRecord record = MatchFields.from(
                "c-9", Map.of("name_last", AttributeValue.text("Na")), MatchCatalog.defaults(), settings);
        assertThat(record.lastName()).isEqualTo("Na");
    }

    @Test
    void theCatalogDecidesWhichAttributesFeedWhichField() {
        MatchCatalog catalog = new MatchCatalog(
                Map.of("phone", MatchField.PHONE, "phone_mobile", MatchField.PHONE, "surname", MatchField.LAST_NAME));
        MatchRecord record = MatchFields.from(
                "c-4",
                Map.of(
                        "phone", AttributeValue.text("+34 600 111 222"),
                        "phone_mobile", AttributeValue.text("+1 650 253 0000"),
                        "surname", AttributeValue.text("O'Brien"),
                        "name_last", AttributeValue.text("Ignored")),
                catalog,
                settings);
        assertThat(record.phones()).containsExactlyInAnyOrder("+34600111222", "+16502530000");
        assertThat(record.lastName()).isEqualTo("O'Brien");
    }

    @Test
    void blockingKeysAreDeterministicShortAndPhonetic() {
        MatchRecord maria = new MatchRecord(
                "c-5",
                java.util.Set.of("+34600111222"),
                java.util.Set.of("maria@example.com"),
                "Pepe",
                "O'Brien",
                "28013",
                LocalDate.of(1985, 3, 14));
        MatchRecord sameAgain = new MatchRecord(
                "c-6",
                java.util.Set.of("+34600111222"),
                java.util.Set.of("maria@example.com"),
                "José",
                "O Brien",
                "28013",
                LocalDate.of(1985, 3, 14));
        assertThat(BlockingKeys.of(maria))
                .isEqualTo(BlockingKeys.of(maria))
                .contains("phone:+34600111222", "email:maria@example.com")
                .anyMatch(key -> key.startsWith("ld:") && key.endsWith(":1985-03-14"))
                .anyMatch(key -> key.startsWith("lp:") && key.endsWith(":28013"))
                .allMatch(key -> key.length() < BlockingKeys.MAX_LENGTH);
        // a nickname and an accent still meet the full name in a phonetic key
        assertThat(BlockingKeys.of(maria)).containsAll(BlockingKeys.of(sameAgain));
    }

    @Test
    void aVeryLongEmailGetsAHashedKey() {
        String email = "a".repeat(240) + "@example.com";
        MatchRecord record =
                new MatchRecord("c-7", java.util.Set.of(), java.util.Set.of(email), null, null, null, null);
        assertThat(BlockingKeys.of(record)).singleElement().satisfies(key -> {
            assertThat(key).startsWith("email#");
            assertThat(key.length()).isLessThan(BlockingKeys.MAX_LENGTH);
        });
    }

    @Test
    void noKeyComesFromABlockedValue() {
        MatchRecord record = MatchFields.from(
                "c-8",
                Map.of(
                        "phone", AttributeValue.text("0000000000"),
                        "email", AttributeValue.text("noemail@noemail.com"),
                        "name_first", AttributeValue.text("Anonymous"),
                        "name_last", AttributeValue.text("Unknown"),
                        "address.postcode", AttributeValue.text("28013"),
                        "date_of_birth", AttributeValue.text("1900-01-01")),
                MatchCatalog.defaults(),
                settings);
        assertThat(BlockingKeys.of(record)).isEmpty();
    }
}
