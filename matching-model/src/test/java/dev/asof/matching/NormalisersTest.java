package dev.asof.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NormalisersTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "(650) 253-0000        | US | +16502530000",
                "650.253.0000          | US | +16502530000",
                "650 253 0000          | US | +16502530000",
                "1-650-253-0000        | US | +16502530000",
                "+1 (650) 253-0000     | US | +16502530000",
                "001 650 253 0000      | US | +16502530000",
                "650-253-0000 x123     | US | +16502530000",
                "600 11 12 22          | ES | +34600111222",
                "600-111-222           | ES | +34600111222",
                "+34 600 111 222       | US | +34600111222",
                "0034 600 111 222      | US | +34600111222",
                "(+34) 600.111.222     | GB | +34600111222",
                "020 7946 0018         | GB | +442079460018",
                "+44 20 7946 0018      | ES | +442079460018",
            })
    void phonesBecomeE164InTheirRegion(String raw, String region, String e164) {
        assertThat(Phones.toE164(raw, region)).contains(e164);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "anonymous",
                "Withheld",
                "+0000000000",
                "0000000000",
                "1111111111",
                "12345",
                "555",
                "not a number",
                "1-800-FLOWERS",
                "+1 650 253 0000 +1",
                "",
                "   "
            })
    void invalidAndWithheldPhonesAreLeftOut(String raw) {
        assertThat(Phones.toE164(raw, "US")).isEmpty();
    }

    @Test
    void aNationalNumberDependsOnTheDefaultRegion() {
        assertThat(Phones.toE164("600111222", "ES")).contains("+34600111222");
        assertThat(Phones.toE164("600111222", "US")).isEmpty();
        assertThat(Phones.toE164(null, "US")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "  Maria@Example.com       | maria@example.com",
                "maria.lopez@gmail.com     | marialopez@gmail.com",
                "Maria.Lopez+crm@GMAIL.com | marialopez@gmail.com",
                "m.a.r.i.a@googlemail.com  | maria@gmail.com",
                "maria+shop@outlook.com    | maria@outlook.com",
                "maria+x@hotmail.com       | maria@hotmail.com",
                "maria+x@live.com          | maria@live.com",
                "maria+x@icloud.com        | maria@icloud.com",
                "maria+x@fastmail.com      | maria@fastmail.com",
                "maria+x@protonmail.com    | maria@protonmail.com",
                "maria.lopez@outlook.com   | maria.lopez@outlook.com",
                "maria-shop@yahoo.com      | maria-shop@yahoo.com",
                "maria+x@yahoo.com         | maria+x@yahoo.com",
                "maria+sales@acme.example  | maria+sales@acme.example",
            })
    void emailsFollowTheProviderRules(String raw, String normalised) {
        assertThat(Emails.normalise(raw)).contains(normalised);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"maria", "maria@", "@example.com", "maria@localhost", "a@b@c.com", "ma ria@x.com", "+x@gmail.com"
            })
    void thingsThatAreNoEmailAreLeftOut(String raw) {
        assertThat(Emails.normalise(raw)).isEmpty();
    }

    @Test
    void namesFoldApostrophesHyphensSpacesAndAccents() {
        assertThat(Names.fold("O'Brien")).isEqualTo("obrien");
        assertThat(Names.fold("OBrien")).isEqualTo("obrien");
        assertThat(Names.fold(" O Brien ")).isEqualTo("obrien");
        assertThat(Names.fold("O’Brien")).isEqualTo("obrien");
        assertThat(Names.fold("José")).isEqualTo("jose");
        assertThat(Names.fold("Núñez-Gómez")).isEqualTo("nunezgomez");
        assertThat(Names.fold("Müller")).isEqualTo("muller");
        assertThat(Names.fold("Strauß")).isEqualTo("strauss");
        assertThat(Names.fold("François")).isEqualTo("francois");
        assertThat(Names.fold("- ' 42")).isNull();
        assertThat(Names.fold(null)).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "O'Brien     | O Brien     | exact",
                "Mary-Jane   | mary jane   | exact",
                "José        | JOSE        | exact",
                "Bill        | William     | nickname",
                "Bob         | Robert      | nickname",
                "Liz         | Elizabeth   | nickname",
                "Kate        | Katherine   | nickname",
                "Jim         | James       | nickname",
                "Mike        | Michael     | nickname",
                "Tony        | Anthony     | nickname",
                "Pepe        | José        | nickname",
                "Paco        | Francisco   | nickname",
                "Pat         | Patrick     | nickname",
                "Pat         | Patricia    | nickname",
                "Jonathan    | Jonahtan    | close",
                "Elizabeth   | Elizabteh   | close",
                "Katherine   | Katharine   | close",
                "Martinez    | Martines    | close",
                "Smith       | Smyth       | similar",
                "Smith       | Jones       | different",
                "Patrick     | Patricia    | close",
                "Maria       |             | missing",
                "            | Maria       | missing",
            })
    void nameLevels(String a, String b, String level) {
        assertThat(Names.compare(a, b)).isEqualTo(level);
        assertThat(Names.compare(b, a)).isEqualTo(level);
    }

    @Test
    void dateOfBirthParsesIsoOnly() {
        assertThat(BirthDates.parse("1985-03-14")).contains(LocalDate.of(1985, 3, 14));
        assertThat(BirthDates.parse(" 1985-03-14T00:00:00Z ")).contains(LocalDate.of(1985, 3, 14));
        assertThat(BirthDates.parse("14/03/1985")).isEmpty();
        assertThat(BirthDates.parse("1985-02-30")).isEmpty();
        assertThat(BirthDates.parse("0000-00-00")).isEmpty();
        assertThat(BirthDates.parse("1850-01-01")).isEmpty();
        assertThat(BirthDates.parse("yesterday")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1985-03-14 | 1985-03-14 | exact",
                "1985-03-04 | 1985-04-03 | typo",
                "1985-03-14 | 1985-03-15 | typo",
                "1985-03-14 | 1986-03-14 | typo",
                "1985-03-14 | 1958-03-14 | typo",
                "1985-03-14 | 1985-03-25 | different",
                "1985-03-14 | 1990-07-01 | different",
                "1985-03-14 |            | missing",
            })
    void dateOfBirthLevels(String a, String b, String level) {
        LocalDate left = BirthDates.parse(a).orElse(null);
        LocalDate right = b == null ? null : BirthDates.parse(b).orElseThrow();
        assertThat(BirthDates.compare(left, right)).isEqualTo(level);
        assertThat(BirthDates.compare(right, left)).isEqualTo(level);
    }

    @Test
    void postcodesAndTheirLevels() {
        assertThat(Postcodes.normalise(" sw1a 1aa ")).isEqualTo("SW1A1AA");
        assertThat(Postcodes.normalise("94105-1234")).isEqualTo("941051234");
        assertThat(Postcodes.normalise(" - ")).isNull();
        assertThat(Postcodes.compare("28013", "28013")).isEqualTo("exact");
        assertThat(Postcodes.compare("28013", "28014")).isEqualTo("prefix");
        assertThat(Postcodes.compare("28013", "08013")).isEqualTo("different");
        assertThat(Postcodes.compare("28013", null)).isEqualTo("missing");
    }
}
